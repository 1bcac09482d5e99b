"""Benefit realisation: hours saved, avoided visits and cost, as totals and monthly series.

Only each pilot's winning report per month counts (the latest correction, as decided by
the adoption rules), and sums are exact integers in fixed-point units, so the same reports
give the same totals whatever order they arrived in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.adoption.fixed_point import SCALES, from_units, units_of

BENEFIT_FIELDS = tuple(SCALES)  # hours_saved, cost_nok, avoided_visits
PilotView = dict[str, Any]


@dataclass(frozen=True, slots=True)
class BenefitFilter:
    technology: str | None = None
    region: str | None = None
    municipality: str | None = None
    period_from: str | None = None  # YYYY-MM, inclusive
    period_to: str | None = None  # YYYY-MM, inclusive

    def accepts_pilot(self, pilot: PilotView) -> bool:
        return (
            (not self.technology or pilot["technology"] == self.technology)
            and (not self.region or pilot["region"] == self.region)
            and (not self.municipality or pilot["municipality"] == self.municipality)
        )

    def accepts_period(self, period: str) -> bool:
        return (not self.period_from or period >= self.period_from) and (
            not self.period_to or period <= self.period_to
        )


class _Sums:
    """Per-period integer sums for one group (alliance, a technology or a region)."""

    def __init__(self) -> None:
        self.by_period: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SCALES, 0))
        self.pilots: set[str] = set()

    def add(self, pilot_id: str, period: str, units: dict[str, int]) -> None:
        self.pilots.add(pilot_id)
        sums = self.by_period[period]
        for field, value in units.items():
            sums[field] += value

    def render(self) -> dict[str, Any]:
        totals = dict.fromkeys(SCALES, 0)
        series = []
        for period in sorted(self.by_period):
            sums = self.by_period[period]
            for field in SCALES:
                totals[field] += sums[field]
            series.append({"period": period, **_figures(sums)})
        return {"pilots": len(self.pilots), "totals": _figures(totals), "series": series}


def _figures(units: dict[str, int]) -> dict[str, Any]:
    return {field: from_units(field, units[field]) for field in BENEFIT_FIELDS}


def benefits(pilots: Iterable[PilotView], where: BenefitFilter | None = None) -> dict[str, Any]:
    """Totals and monthly series for the alliance, per technology and per region."""
    where = where or BenefitFilter()
    alliance = _Sums()
    per_technology: dict[str, _Sums] = defaultdict(_Sums)
    per_region: dict[str, _Sums] = defaultdict(_Sums)
    for pilot in pilots:
        if not pilot.get("registered") or not where.accepts_pilot(pilot):
            continue
        for period, report in pilot.get("metrics", {}).items():
            if not where.accepts_period(period):
                continue
            units = units_of(report)
            for sums in (alliance, per_technology[pilot["technology"]], per_region[pilot["region"]]):
                sums.add(pilot["pilot_id"], period, units)
    return {
        "alliance": alliance.render(),
        "technologies": [
            {"technology": code, **per_technology[code].render()} for code in sorted(per_technology)
        ],
        "regions": [{"region": code, **per_region[code].render()} for code in sorted(per_region)],
    }


def benefit_rows(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The benefits view as flat rows (CSV): one per group and month, plus a total per group."""
    groups = [("alliance", "alliance", view["alliance"])]
    groups += [("technology", g["technology"], g) for g in view["technologies"]]
    groups += [("region", g["region"], g) for g in view["regions"]]
    rows = []
    for scope, code, group in groups:
        rows += [{"scope": scope, "code": code, **point} for point in group["series"]]
        rows.append({"scope": scope, "code": code, "period": "total", **group["totals"]})
    return rows


BENEFIT_ROW_FIELDS = ("scope", "code", "period", *BENEFIT_FIELDS)
