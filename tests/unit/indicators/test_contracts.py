"""The indicator event contracts: exported JSON Schemas agree with the models; the importer's ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from jsonschema import Draft202012Validator

from alliance.importers.alarms import event_id_of, row_to_event
from schemas.export import EXPORT_DIR
from schemas.parsing import EventRefused, parse_event
from tests.support.indicator_factories import alarms, competence

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "event"),
    [
        ("alarms.period_reported", alarms(p50=None, p90=None)),
        ("competence.reported", competence(period="2026-03", programme="other", label="Kurs")),
    ],
)
def test_exported_schema_accepts_valid_events_and_rejects_extras(name, event):
    schema = json.loads((EXPORT_DIR / "events" / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    assert not list(validator.iter_errors(event))
    assert list(validator.iter_errors({**event, "payload": {**event["payload"], "extra": 1}}))
    parse_event(event, now=NOW)


@pytest.mark.parametrize(
    ("event", "field", "rule"),
    [
        (alarms(received=3, false=1, on_site=4), "payload.responses_on_site", "exceeds_alarms_received"),
        (alarms(period="2026-1"), "payload.period", "string_pattern_mismatch"),
        (alarms(technology="teleport"), "payload.technology", "literal_error"),
        (alarms(received=-1, false=0, on_site=0), "payload.alarms_received", "greater_than_equal"),
        (competence(period="26"), "payload.period", "string_pattern_mismatch"),
        (competence(hours=float("nan")), "payload.hours", "finite_number"),
        (competence(programme="knitting"), "payload.programme", "literal_error"),
    ],
)
def test_refusals_name_the_field_and_rule(event, field, rule):
    with pytest.raises(EventRefused) as refused:
        parse_event(event, now=NOW)
    assert (field, rule) in [(e.field, e.rule) for e in refused.value.errors]


def test_import_ids_follow_the_content():
    row = {
        "municipality": "3420",
        "period": "2026-10",
        "platform": "felles",
        "technology": "safety-alarm",
        "users_connected": "450",
        "alarms_received": "900",
        "alarms_false": "400",
        "responses_on_site": "120",
        "response_time_p50_s": "35,5",
        "response_time_p90_s": "",
        "reported_at": "2026-11-05T06:00:00+01:00",
    }
    event = row_to_event(row)
    assert event["payload"]["response_time_p50_s"] == "35.5" and "response_time_p90_s" not in event["payload"]
    assert row_to_event(dict(row))["event_id"] == event["event_id"] == event_id_of(event)
    assert row_to_event({**row, "alarms_received": "901"})["event_id"] != event["event_id"]
    assert row_to_event({**row, "reported_at": "2026-11-06T06:00:00+01:00"})["event_id"] != event["event_id"]
    parse_event(event, now=NOW)
