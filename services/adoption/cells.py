"""Pure aggregation of pilots into adoption cells (municipality × technology)."""

from __future__ import annotations

from typing import Any

from services.adoption.fixed_point import SCALES, from_units
from services.adoption.pilots import phase_rank

Contribution = dict[str, Any]
Cell = dict[str, Any]

CONTRIBUTION_FIELDS = ("phase", "phase_since", "users_active", "devices_deployed", "units", "updated_at")


def cell_id(municipality: str, technology: str) -> str:
    return f"{municipality}:{technology}"


def cell_key(pilot: dict[str, Any] | None) -> str | None:
    """The cell a pilot contributes to, or None while it is not registered."""
    if not pilot or not pilot.get("registered"):
        return None
    return cell_id(pilot["municipality"], pilot["technology"])


def contribution(pilot: dict[str, Any]) -> Contribution:
    """What one pilot adds to its cell."""
    return {name: pilot[name] for name in CONTRIBUTION_FIELDS}


def aggregate_cell(
    municipality: str, region: str, technology: str, contributions: dict[str, Contribution]
) -> Cell:
    """A cell from its pilots' contributions (the rules of the adoption view).

    Phase: the highest-ranked phase among pilots that are not discontinued, or
    ``discontinued`` when all are. Current figures (users, devices) come from live pilots;
    cumulative figures (hours, visits, cost) from every pilot, summed exactly in integer units.
    """
    pilots = list(contributions.values())
    live = [p for p in pilots if p["phase"] != "discontinued"]
    if live:
        top = max(phase_rank(p["phase"]) for p in live)
        at_top = [p for p in live if phase_rank(p["phase"]) == top]
        phase = at_top[0]["phase"]
        phase_since = min(p["phase_since"] for p in at_top)
    else:
        phase = "discontinued"
        phase_since = max(p["phase_since"] for p in pilots)
    units = {name: sum(p["units"][name] for p in pilots) for name in SCALES}
    return {
        "_id": cell_id(municipality, technology),
        "municipality": municipality,
        "region": region,
        "technology": technology,
        "phase": phase,
        "phase_since": phase_since,
        "pilots": len(pilots),
        "users_active": sum(p["users_active"] for p in live),
        "devices_deployed": sum(p["devices_deployed"] for p in live),
        "hours_saved": from_units("hours_saved", units["hours_saved"]),
        "avoided_visits": units["avoided_visits"],
        "cost_nok": from_units("cost_nok", units["cost_nok"]),
        "updated_at": max(p["updated_at"] for p in pilots),
        "contributions": dict(sorted(contributions.items())),
    }
