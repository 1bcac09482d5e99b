"""Exact sums of decimal figures: hours in thousandths, kroner in øre, as integers.

Integer sums are associative, so the same reports summed in any order, or kept up to date
by adding and subtracting corrections, give exactly the same total.
"""

from __future__ import annotations

from typing import Any

SCALES = {"hours_saved": 1000, "cost_nok": 100, "avoided_visits": 1}


def to_units(field: str, value: Any) -> int:
    return round(float(value) * SCALES[field])


def from_units(field: str, units: int) -> float | int:
    scale = SCALES[field]
    return units if scale == 1 else units / scale


def units_of(values: dict[str, Any]) -> dict[str, int]:
    """The cumulative figures of one report, in integer units (absent fields are 0)."""
    return {field: to_units(field, values.get(field, 0)) for field in SCALES}
