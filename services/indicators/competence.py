"""Competence rollups: staff enrolled, completed and training hours per municipality, region
and the alliance. Pure functions over current reports (see :mod:`.reports`).

Figures are for the report's period, so they add up over periods. A period is a year
(``YYYY``) or a month (``YYYY-MM``); a yearly report counts only in a range that covers
its whole year, and there it stands for that year: monthly reports of the same
municipality, programme (and label) and year are then left out, so nothing is counted
twice.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from services.indicators.reports import Report

REPORT_FIELDS = (
    "period",
    "municipality",
    "region",
    "programme",
    "label",
    "staff_enrolled",
    "staff_completed",
    "hours",
    "counted",
    "event_id",
    "at",
)
# Hours are summed in hundredths of an hour as integers: the same total in any order.
_HOUR_UNITS = 100


def month_bounds(period: str) -> tuple[str, str]:
    """The first and last month a period covers (a year covers January to December)."""
    return (f"{period}-01", f"{period}-12") if len(period) == 4 else (period, period)


def in_range(period: str, start: str | None, end: str | None) -> bool:
    """Whether a period lies wholly in [start, end] (months; either bound may be open)."""
    first, last = month_bounds(period)
    return (start is None or first >= start) and (end is None or last <= end)


def _programme_key(report: Report) -> tuple[str, str, str, str]:
    return report["municipality"], report["programme"], report.get("label") or "", report["period"][:4]


def counted_reports(
    reports: Iterable[Report], start: str | None = None, end: str | None = None
) -> list[tuple[Report, bool]]:
    """Every report in the range, each with whether it is counted (see the module docstring)."""
    inside = sorted((r for r in reports if in_range(r["period"], start, end)), key=lambda r: r["_id"])
    yearly = {_programme_key(r) for r in inside if len(r["period"]) == 4}
    return [(r, len(r["period"]) == 4 or _programme_key(r) not in yearly) for r in inside]


def _totals(reports: list[Report]) -> dict[str, Any]:
    return {
        "reports": len(reports),
        "staff_enrolled": sum(r["staff_enrolled"] for r in reports),
        "staff_completed": sum(r["staff_completed"] for r in reports),
        "hours": sum(round(r["hours"] * _HOUR_UNITS) for r in reports) / _HOUR_UNITS,
    }


def _programmes(reports: list[Report]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[Report]] = {}
    for report in reports:
        groups.setdefault((report["programme"], report.get("label") or ""), []).append(report)
    return [
        {"programme": programme, "label": label or None, **_totals(group)}
        for (programme, label), group in sorted(groups.items())
    ]


def _rollup(reports: list[Report]) -> dict[str, Any]:
    return {**_totals(reports), "programmes": _programmes(reports)}


def competence_view(
    reports: Iterable[Report], members: Collection[str], start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """The ``/v1/competence`` view: report rows, and totals per municipality, region and alliance."""
    judged = counted_reports(reports, start, end)
    rows = sorted(judged, key=lambda item: (item[0]["period"], item[0]["_id"]))
    counted = [r for r, ok in judged if ok]
    by_municipality: dict[str, list[Report]] = {}
    by_region: dict[str, list[Report]] = {}
    for report in counted:
        by_municipality.setdefault(report["municipality"], []).append(report)
        by_region.setdefault(report["region"], []).append(report)
    own = [r for r in counted if r["municipality"] in members]
    return {
        "as_of": max((r["at"] for r, _ in judged), default=None),
        "reports": [
            {**{k: r.get(k) for k in REPORT_FIELDS if k != "counted"}, "counted": ok} for r, ok in rows
        ],
        "municipalities": [
            {"municipality": code, "region": group[0]["region"], **_rollup(group)}
            for code, group in sorted(by_municipality.items())
        ],
        "regions": [
            {
                "region": region,
                "municipalities_reporting": len({r["municipality"] for r in group}),
                **_rollup(group),
            }
            for region, group in sorted(by_region.items())
        ],
        "alliance": {"members_reporting": len({r["municipality"] for r in own}), **_rollup(own)},
    }
