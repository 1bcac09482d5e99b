"""Clearly synthetic alarm-reception and competence figures for the demo (``alliance up --demo``).

Deterministic like :mod:`alliance.demo.pilots`: the same seed gives the same events and ids, so
loading the demo twice changes nothing. Every figure is made up.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from schemas.reference import default_membership, reference

_NAMESPACE = uuid.UUID("c5b0e7a2-8d31-4f6a-b2c9-1e4d7f0a9b35")
# Months of alarm figures: November 2024 to October 2026.
_MONTHS = [(2024, 11), (2024, 12)] + [
    (y, m) for y in (2025, 2026) for m in range(1, 13) if (y, m) <= (2026, 10)
]
_PLATFORMS = {
    "sor-osterdal-felles-mottak": ("sor-osterdal", {"3420", "3421", "3422"}),
    "hamarregionen-responssenter": ("hamarregionen", {"3403"}),
}
_PROGRAMMES = ("velferdsteknologiens-abc", "innovation-management", "public-sector-phd")


def _next_month(year: int, month: int) -> tuple[int, int]:
    return year + (month == 12), month % 12 + 1


def demo_indicator_events(seed: int = 2017) -> list[dict[str, Any]]:
    """Synthetic ``alarms.period_reported`` and ``competence.reported`` events (JSON-ready)."""
    rng = random.Random(seed)
    ref = reference()
    events: list[dict[str, Any]] = []

    def emit(municipality: str, kind: str, at: str, payload: dict[str, Any]) -> None:
        events.append(
            {
                "event_id": str(uuid.uuid5(_NAMESPACE, f"{seed}:{len(events)}")),
                "type": kind,
                "schema_version": 1,
                "municipality": municipality,
                "occurred_at": at,
                "payload": payload,
            }
        )

    for platform, (region, supervision) in _PLATFORMS.items():
        for municipality in (m for m in ref.municipalities if m.region == region):
            users = max(20, round(municipality.population_2013 * rng.uniform(0.018, 0.026)))
            technologies = ["safety-alarm"] + (
                ["digital-supervision"] if municipality.code in supervision else []
            )
            for index, (year, month) in enumerate(_MONTHS):
                reported = _next_month(year, month)
                for technology in technologies:
                    connected = users + index if technology == "safety-alarm" else max(5, users // 12)
                    rate = rng.uniform(1.6, 2.6) if technology == "safety-alarm" else rng.uniform(9, 15)
                    received = round(connected * rate)
                    p50 = round(rng.uniform(22, 48), 1)
                    emit(
                        municipality.code,
                        "alarms.period_reported",
                        f"{reported[0]:04d}-{reported[1]:02d}-0{rng.randrange(2, 8)}T06:00:00Z",
                        {
                            "period": f"{year:04d}-{month:02d}",
                            "technology": technology,
                            "platform": platform,
                            "users_connected": connected,
                            "alarms_received": received,
                            "alarms_false": round(received * rng.uniform(0.3, 0.6)),
                            "responses_on_site": round(received * rng.uniform(0.1, 0.3)),
                            "response_time_p50_s": p50,
                            "response_time_p90_s": round(p50 * rng.uniform(2.0, 3.6), 1),
                        },
                    )

    for code in default_membership().members:
        staff = max(8, (ref.municipality(code).population_2013 or 0) // 400)  # type: ignore[union-attr]
        for programme in _PROGRAMMES:
            if programme != "velferdsteknologiens-abc" and rng.random() < 0.5:
                continue
            scale = {"velferdsteknologiens-abc": 1.0, "innovation-management": 0.2, "public-sector-phd": 0.02}
            periods = [str(y) for y in range(2021, 2026)] + ["2026-03", "2026-06", "2026-09"]
            for period in periods:
                enrolled = round(staff * scale[programme] * rng.uniform(0.4, 1.2))
                if enrolled == 0 and programme != "public-sector-phd":
                    continue
                hours_each = {
                    "velferdsteknologiens-abc": 30,
                    "innovation-management": 60,
                    "public-sector-phd": 800,
                }
                year = int(period[:4])
                at = f"{year + 1}-01-15T09:00:00Z" if len(period) == 4 else f"{period}-28T09:00:00Z"
                emit(
                    code,
                    "competence.reported",
                    at,
                    {
                        "period": period,
                        "programme": programme,
                        "staff_enrolled": enrolled,
                        "staff_completed": round(enrolled * rng.uniform(0.5, 0.95)),
                        "hours": round(enrolled * hours_each[programme] * rng.uniform(0.8, 1.1), 1),
                    },
                )
        if rng.random() < 0.3:
            emit(
                code,
                "competence.reported",
                "2026-06-30T09:00:00Z",
                {
                    "period": "2026-06",
                    "programme": "other",
                    "label": "Opplæring i digitalt tilsyn (syntetisk)",
                    "staff_enrolled": rng.randrange(4, 15),
                    "staff_completed": rng.randrange(2, 4),
                    "hours": float(rng.randrange(20, 90)),
                },
            )
    return [e for e in events if e["occurred_at"] < "2026-11-01"]
