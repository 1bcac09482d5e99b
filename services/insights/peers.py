"""Peer matching: which members are further along with a technology, and why each is a match.

A member is further along when its adoption cell for the technology is in a higher phase
(planning < piloting < implementing < operation; discontinued never counts), or when both
are in operation and it has been so for longer. Peers are ranked by phase, then the same
region first (neighbours share suppliers, alarm centrals and travel distances), then the
longest time in that phase.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.adoption.pilots import phase_rank

Cell = Mapping[str, Any]
PilotView = dict[str, Any]
Lesson = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a municipality stands with a technology (phase None: not started)."""

    phase: str | None
    since: str | None

    @property
    def rank(self) -> int:
        # Not started and discontinued both rank below planning.
        return phase_rank(self.phase) if self.phase else 0


def months_between(since_key: str, today: date) -> int:
    """Whole months from a UTC key (``YYYY-MM-DD...``) to ``today``."""
    year, month, day = int(since_key[:4]), int(since_key[5:7]), int(since_key[8:10])
    months = (today.year - year) * 12 + today.month - month - (1 if today.day < day else 0)
    return max(months, 0)


def match_reason(peer: Standing, own: Standing) -> tuple[str, str] | None:
    """``(code, explanation)`` when ``peer`` is further along than ``own``, else None."""
    if peer.phase in (None, "discontinued"):
        return None
    if peer.rank > own.rank:
        own_text = f"is in {own.phase}" if own.phase else "has not started"
        return "higher_phase", f"In {peer.phase} since {peer.since[:10]}, while you {own_text}"  # type: ignore[index]
    if peer.phase == own.phase == "operation" and peer.since and own.since and peer.since < own.since:
        return "longer_in_operation", f"In operation since {peer.since[:10]}, before you ({own.since[:10]})"
    return None


def peers(
    municipality: str,
    technology: str,
    cells: Iterable[Cell],
    pilots: Iterable[PilotView],
    lessons: Iterable[Lesson],
    members: set[str],
    regions: Mapping[str, str],
    today: date,
) -> dict[str, Any]:
    """Members further along than ``municipality`` with ``technology``, best match first.

    ``cells`` are the technology's adoption cells (with ``suppliers`` where procurement knows
    them); ``regions`` maps municipality codes to region codes.
    """
    by_municipality = {c["municipality"]: c for c in cells if c["technology"] == technology}
    own_cell = by_municipality.get(municipality)
    own = Standing(own_cell["phase"], own_cell["phase_since"]) if own_cell else Standing(None, None)
    pilots_of: dict[str, list[PilotView]] = {}
    for pilot in pilots:
        if pilot.get("registered") and pilot["technology"] == technology:
            pilots_of.setdefault(pilot["municipality"], []).append(pilot)
    lessons_of: dict[str, list[Lesson]] = {}
    for lesson in lessons:
        if lesson["technology"] == technology:
            lessons_of.setdefault(lesson["municipality"], []).append(lesson)

    matches = []
    for code, cell in by_municipality.items():
        if code == municipality or code not in members:
            continue
        standing = Standing(cell["phase"], cell["phase_since"])
        reason = match_reason(standing, own)
        if reason is None:
            continue
        same_region = regions.get(code) == regions.get(municipality)
        matches.append(
            {
                "municipality": code,
                "region": regions.get(code),
                "same_region": same_region,
                "phase": standing.phase,
                "phase_since": standing.since,
                "months_in_phase": months_between(standing.since or "", today) if standing.since else 0,
                "reason_code": reason[0],
                "reason": reason[1] + (" (same region)" if same_region else ""),
                "pilots": [
                    {k: p.get(k) for k in ("pilot_id", "title", "phase", "phase_since", "started_on")}
                    for p in sorted(pilots_of.get(code, []), key=lambda p: p["pilot_id"])
                ],
                "lessons": [
                    {k: lesson[k] for k in ("lesson_id", "kind", "pilot_id", "title", "text", "tags", "at")}
                    for lesson in lessons_of.get(code, [])
                ],
                "suppliers": list(cell.get("suppliers", [])),
            }
        )
    matches.sort(
        key=lambda m: (-phase_rank(m["phase"]), not m["same_region"], m["phase_since"], m["municipality"])
    )
    return {
        "municipality": municipality,
        "technology": technology,
        "phase": own.phase,
        "phase_since": own.since,
        "peers": matches,
    }
