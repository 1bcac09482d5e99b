"""Competence rollup rules: a yearly report stands only for its own label, ranges, the view's time."""

from __future__ import annotations

from typing import Any

from services.indicators.competence import competence_view, counted_reports
from services.indicators.reports import COMPETENCE_REPORTS, report_key


def _report(period: str, label: str | None = None, at: str = "2026-02-01T08:00:00Z", **figures: Any):
    payload = {"programme": "other", "period": period, **({"label": label} if label else {})}
    return {
        "_id": report_key(COMPETENCE_REPORTS, payload, "3420"),
        "municipality": "3420",
        "region": "sor-osterdal",
        **payload,
        "staff_enrolled": 1,
        "staff_completed": 0,
        "hours": 2.5,
        "event_id": f"c-{period}-{label}",
        "at": at,
        **figures,
    }


def _counted(reports: list[dict[str, Any]], **bounds: Any) -> dict[str, bool]:
    return {r["event_id"]: ok for r, ok in counted_reports(reports, **bounds)}


def test_a_yearly_report_leaves_out_the_months_of_its_own_label_only() -> None:
    yearly = _report("2025", label="Kurs A")
    same_label = _report("2025-03", label="Kurs A")
    other_label = _report("2025-03", label="Kurs B")
    unlabelled = _report("2025-04")
    counted = _counted([yearly, same_label, other_label, unlabelled])
    assert counted == {
        yearly["event_id"]: True,
        same_label["event_id"]: False,
        other_label["event_id"]: True,
        unlabelled["event_id"]: True,
    }


def test_an_unlabelled_yearly_report_leaves_out_the_unlabelled_months_only() -> None:
    yearly = _report("2025")
    unlabelled = _report("2025-03")
    labelled = _report("2025-03", label="Kurs A")
    assert _counted([yearly, unlabelled, labelled]) == {
        yearly["event_id"]: True,
        unlabelled["event_id"]: False,
        labelled["event_id"]: True,
    }


def test_reports_before_the_start_of_the_range_are_left_out() -> None:
    early, inside = _report("2025-01"), _report("2025-06")
    assert _counted([early, inside], start="2025-02") == {inside["event_id"]: True}
    view = competence_view([early, inside], members={"3420"}, start="2025-02")
    assert [r["event_id"] for r in view["reports"]] == [inside["event_id"]]
    assert view["alliance"]["reports"] == 1


def test_the_view_gives_the_time_of_its_latest_report() -> None:
    reports = [
        _report("2025-01", at="2026-01-10T08:00:00Z"),
        _report("2025-02", at="2026-03-10T08:00:00Z"),
        _report("2025-03", at="2026-02-10T08:00:00Z"),
    ]
    assert competence_view(reports, members={"3420"})["as_of"] == "2026-03-10T08:00:00Z"
    empty = competence_view([], members={"3420"})
    assert empty["as_of"] is None
    assert empty["reports"] == []
