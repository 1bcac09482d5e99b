"""An adoption cell whose pilots are all discontinued."""

from __future__ import annotations

from services.adoption.cells import aggregate_cell


def stopped(since: str) -> dict:
    units = {"hours_saved": 0, "avoided_visits": 0, "cost_nok": 0}
    return {
        "phase": "discontinued",
        "phase_since": since,
        "users_active": 0,
        "devices_deployed": 0,
        "units": units,
        "updated_at": since,
    }


def test_a_cell_of_discontinued_pilots_is_discontinued_since_the_last_one_stopped():
    cell = aggregate_cell(
        "3420", "sor-osterdal", "safety-alarm", {"a": stopped("2026-03-01"), "b": stopped("2026-05-01")}
    )
    assert (cell["phase"], cell["phase_since"]) == ("discontinued", "2026-05-01")
