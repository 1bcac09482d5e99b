"""Diffusion of a technology: how many members had reached each phase by each quarter.

A member has reached a phase when one of its pilots of the technology has been in that
phase or a later one (planning < piloting < implementing < operation). Reaching is for
good: a later discontinuation does not undo it, which is what makes the curves cumulative
and comparable with the classic diffusion curves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from services.adoption.pilots import phase_rank

LADDER = ("planning", "piloting", "implementing", "operation")
FIRST_YEAR = 2017
PilotView = dict[str, Any]


def quarters(first_year: int, until: date) -> list[tuple[str, str, str]]:
    """``(label, last day, exclusive UTC end key)`` of every quarter up to ``until``'s."""
    result = []
    year, quarter = first_year, 1
    while (year, quarter) <= (until.year, (until.month - 1) // 3 + 1):
        next_year, next_quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        end = date(next_year, 3 * next_quarter - 2, 1)
        last_day = date.fromordinal(end.toordinal() - 1)
        result.append((f"{year}Q{quarter}", last_day.isoformat(), f"{end.isoformat()}T00:00:00"))
        year, quarter = next_year, next_quarter
    return result


def first_reached(pilots: Iterable[PilotView]) -> dict[str, str]:
    """When a set of pilots first reached each phase of the ladder (UTC keys)."""
    reached: dict[str, str] = {}
    for pilot in pilots:
        for step in pilot.get("phase_history", []):
            rank = phase_rank(step["phase"])
            for phase in LADDER:
                if phase_rank(phase) <= rank and (phase not in reached or step["at"] < reached[phase]):
                    reached[phase] = step["at"]
    return reached


def diffusion(
    technology: str, pilots: Iterable[PilotView], members: set[str], until: date, first_year: int = FIRST_YEAR
) -> dict[str, Any]:
    """Members that had reached each phase by the end of each quarter since ``first_year``."""
    by_member: dict[str, list[PilotView]] = {}
    for pilot in pilots:
        if pilot.get("registered") and pilot["technology"] == technology and pilot["municipality"] in members:
            by_member.setdefault(pilot["municipality"], []).append(pilot)
    reached = [first_reached(own) for own in by_member.values()]
    series = []
    for label, last_day, end in quarters(first_year, until):
        counts = {phase: sum(1 for r in reached if phase in r and r[phase] < end) for phase in LADDER}
        series.append({"quarter": label, "last_day": last_day, **counts})
    return {"technology": technology, "members": len(members), "phases": list(LADDER), "quarters": series}


DIFFUSION_ROW_FIELDS = ("quarter", "last_day", *LADDER)
