"""The stored form of an indicator report: what a validated event leaves in the document."""

from __future__ import annotations

from schemas.parsing import parse_event
from services.indicators.reports import ALARM_REPORTS, COMPETENCE_REPORTS, report_from_event
from tests.conftest import NOW
from tests.support.indicator_factories import alarms, competence


def test_optional_figures_not_reported_are_absent_from_the_stored_report():
    collection, report = report_from_event(parse_event(alarms(p50=None, p90=None), now=NOW))
    assert collection == ALARM_REPORTS
    assert "response_time_p50_s" not in report and "response_time_p90_s" not in report
    assert None not in report.values()


def test_a_competence_report_without_a_label_has_no_label_field():
    collection, report = report_from_event(parse_event(competence(), now=NOW))
    assert collection == COMPETENCE_REPORTS
    assert "label" not in report
    assert report["_id"].endswith("|")
