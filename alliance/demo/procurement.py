"""Clearly synthetic procurements for the demo: the joint Sør-Østerdal safety-alarm process, and
the follow-up contract after its early termination, which comes up for renewal in 2027."""

from __future__ import annotations

from typing import Any

import orjson

from services.procurement.examples import sor_osterdal_safety_alarm_releases

# Tender, award and contract of the follow-up process: the same shape, two years on.
_FOLLOW_UP = {
    "SOE-2022-001": "SOE-2024-007",
    "soe-2022-001": "soe-2024-007",
    "2026-08-31": "2027-08-31",
    "2022-": "2024-",
}


def demo_releases() -> list[dict[str, Any]]:
    """OCDS 1.1 releases (fictional, valid) of both processes, oldest first."""
    original = sor_osterdal_safety_alarm_releases()
    text = orjson.dumps(original[:3]).decode()
    for old, new in _FOLLOW_UP.items():
        text = text.replace(old, new)
    return [*original, *orjson.loads(text)]
