"""Alarm-reception rollups: monthly series, shares and response times per municipality, region
and the alliance. Pure functions over current reports (see :mod:`.reports`).

Percentiles cannot be recombined exactly from aggregates, so a month or a group of reports
gets the mean of the reported p50/p90 weighted by alarms received (the plain mean when no
alarms were received). ``users_connected`` is a stock: a group's figure is the sum for its
latest month; the other counts are flows and are summed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from services.indicators.reports import Report

COUNTS = ("users_connected", "alarms_received", "alarms_false", "responses_on_site")
PERCENTILES = ("response_time_p50_s", "response_time_p90_s")
REPORT_FIELDS = (
    "period",
    "municipality",
    "region",
    "technology",
    "platform",
    *COUNTS,
    "false_alarm_share",
    "on_site_share",
    *PERCENTILES,
    "within_target",
    "event_id",
    "at",
)


def share(part: int, whole: int) -> float | None:
    """part / whole to four decimals; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def _within(p90: float | None, target_s: float) -> bool | None:
    return None if p90 is None else p90 <= target_s


def _weighted(reports: list[Report], field: str) -> float | None:
    """The alarm-weighted mean of a percentile over the reports that give it."""
    given = [(r[field], r["alarms_received"]) for r in reports if r.get(field) is not None]
    if not given:
        return None
    weight = sum(w for _, w in given)
    if weight == 0:
        return round(sum(v for v, _ in given) / len(given), 1)
    return round(sum(v * w for v, w in given) / weight, 1)


def report_row(report: Report, target_s: float) -> dict[str, Any]:
    """One stored report as a flat row with its shares and whether p90 met the target."""
    row = {k: report.get(k) for k in REPORT_FIELDS}
    row["false_alarm_share"] = share(report["alarms_false"], report["alarms_received"])
    row["on_site_share"] = share(report["responses_on_site"], report["alarms_received"])
    row["within_target"] = _within(report.get("response_time_p90_s"), target_s)
    return row


def _month(period: str, reports: list[Report], target_s: float) -> dict[str, Any]:
    month: dict[str, Any] = {"period": period, "reports": len(reports)}
    for field in COUNTS:
        month[field] = sum(r[field] for r in reports)
    month["false_alarm_share"] = share(month["alarms_false"], month["alarms_received"])
    month["on_site_share"] = share(month["responses_on_site"], month["alarms_received"])
    for field in PERCENTILES:
        month[field] = _weighted(reports, field)
    month["within_target"] = _within(month["response_time_p90_s"], target_s)
    return month


def summary(reports: Iterable[Report], target_s: float) -> dict[str, Any]:
    """Totals, shares, response times and the monthly series of a group of reports.

    ``share_within_target`` is the share of months (with a p90) whose p90 is at most
    ``target_s``.
    """
    ordered = sorted(reports, key=lambda r: r["_id"])  # same figures whatever the store's order
    by_period: dict[str, list[Report]] = {}
    for report in ordered:
        by_period.setdefault(report["period"], []).append(report)
    series = [_month(p, by_period[p], target_s) for p in sorted(by_period)]
    timed = [m for m in series if m["within_target"] is not None]
    within = sum(1 for m in timed if m["within_target"])
    totals = {field: sum(r[field] for r in ordered) for field in COUNTS[1:]}
    return {
        "reports": len(ordered),
        "months": len(series),
        "first_period": series[0]["period"] if series else None,
        "last_period": series[-1]["period"] if series else None,
        "users_connected": series[-1]["users_connected"] if series else 0,
        **totals,
        "false_alarm_share": share(totals["alarms_false"], totals["alarms_received"]),
        "on_site_share": share(totals["responses_on_site"], totals["alarms_received"]),
        **{field: _weighted(ordered, field) for field in PERCENTILES},
        "months_with_response_time": len(timed),
        "months_within_target": within,
        "share_within_target": share(within, len(timed)),
        "series": series,
    }


def _grouped(reports: list[Report], field: str) -> dict[str, list[Report]]:
    groups: dict[str, list[Report]] = {}
    for report in reports:
        groups.setdefault(report[field], []).append(report)
    return groups


def alarm_view(reports: Iterable[Report], members: Collection[str], target_s: float) -> dict[str, Any]:
    """The ``/v1/alarms`` view: report rows, and summaries per municipality, region and alliance."""
    ordered = sorted(reports, key=lambda r: (r["period"], r["_id"]))
    return {
        "as_of": max((r["at"] for r in ordered), default=None),
        "target_p90_s": target_s,
        "reports": [report_row(r, target_s) for r in ordered],
        "municipalities": [
            {"municipality": code, "region": group[0]["region"], **summary(group, target_s)}
            for code, group in sorted(_grouped(ordered, "municipality").items())
        ],
        "regions": [
            {
                "region": region,
                "municipalities_reporting": len({r["municipality"] for r in group}),
                **summary(group, target_s),
            }
            for region, group in sorted(_grouped(ordered, "region").items())
        ],
        "alliance": _alliance(ordered, members, target_s),
    }


def _alliance(reports: list[Report], members: Collection[str], target_s: float) -> dict[str, Any]:
    own = [r for r in reports if r["municipality"] in members]
    return {
        "members_reporting": len({r["municipality"] for r in own}),
        **summary(own, target_s),
    }


def latest_month(reports: Iterable[Report], target_s: float) -> dict[str, Any] | None:
    """The latest reported month of a group (a cell's alarm figures), or None."""
    series = summary(reports, target_s)["series"]
    return series[-1] if series else None
