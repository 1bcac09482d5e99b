"""A clearly synthetic, plausible history of the members' pilots, 2017–2026, for trying things out.

Deterministic: the same seed gives the same events with the same ``event_id``s, so loading
the demo twice changes nothing. Every pilot title says it is synthetic.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from schemas.reference import default_membership, reference

_NAMESPACE = uuid.UUID("6f1c2a4e-4c1b-4d7e-9a57-3b0e6f5d2c11")
_END = date(2026, 10, 31)
_TECH_WEIGHTS = {
    "safety-alarm": 0.95,
    "medication-support": 0.7,
    "digital-supervision": 0.6,
    "location-gps": 0.55,
    "electronic-door-lock": 0.5,
    "digital-home-follow-up": 0.45,
    "logistics": 0.3,
    "nurse-call": 0.3,
}
_TITLES = {
    "safety-alarm": "Digitale trygghetsalarmer i hjemmetjenesten",
    "medication-support": "Medisindispensere for hjemmeboende",
    "digital-supervision": "Digitalt tilsyn om natten",
    "location-gps": "GPS for personer med demens",
    "electronic-door-lock": "Elektroniske dørlåser for hjemmetjenesten",
    "digital-home-follow-up": "Digital hjemmeoppfølging av kronisk syke",
    "logistics": "Ruteplanlegging i hjemmetjenesten",
    "nurse-call": "Nytt pasientvarslingsanlegg på sykehjem",
}
_LESSONS = [
    (
        "Involver de ansatte tidlig",
        "Opplæring av nattevakter før oppstart ga færre falske alarmer.",
        ["opplæring"],
    ),
    (
        "Test dekning før utrulling",
        "Mobildekningen i grisgrendte strøk var dårligere enn antatt; "
        "vi måtte bytte til en annen operatør for 30 alarmer.",
        ["dekning", "leverandør"],
    ),
    (
        "Plan for leverandørbytte",
        "When we changed supplier, a few alarms lost contact for two days. "
        "Run old and new platform in parallel.",
        ["supplier", "risk"],
    ),
    (
        "Pårørende er en ressurs",
        "Pårørende som fikk varsel på mobil, ga tryggere brukere og færre utrykninger.",
        ["pårørende"],
    ),
    (
        "Measure benefits from day one",
        "Without a baseline of home visits we could not show the savings to the municipal council.",
        ["gevinstrealisering", "benefits"],
    ),
    (
        "Felles anskaffelse sparte tid",
        "Å kjøpe sammen med nabokommunene halverte tiden brukt på anbudsprosessen.",
        ["anskaffelse"],
    ),
]
_PARTNERS = ["HelseINN", "Sykehuset Innlandet", "Høgskolen i Innlandet"]


def _month_iter(start: date, end: date) -> Iterator[date]:
    current = date(start.year, start.month, 1)
    while current <= end:
        yield current
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)


def _at(day: date, rng: random.Random) -> str:
    moment = datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC) + timedelta(minutes=rng.randrange(600))
    return moment.isoformat().replace("+00:00", "Z")


def demo_events(seed: int = 2017, pilot_prefix: str = "") -> list[dict[str, Any]]:
    """Synthetic events (JSON-ready envelopes) for the default members.

    ``pilot_prefix`` makes distinct pilots for each seed (benchmarks load many histories).
    """
    rng = random.Random(seed)
    counter = 0
    events: list[dict[str, Any]] = []

    def emit(municipality: str, kind: str, day: date, payload: dict[str, Any]) -> None:
        nonlocal counter
        counter += 1
        events.append(
            {
                "event_id": str(uuid.uuid5(_NAMESPACE, f"{seed}:{counter}")),
                "type": kind,
                "schema_version": 1,
                "municipality": municipality,
                "occurred_at": _at(day, rng),
                "payload": payload,
            }
        )

    ref = reference()
    for code in default_membership().members:
        municipality = ref.municipality(code)
        assert municipality is not None
        scale = max(1.0, municipality.population_2013 / 5000)
        for technology, weight in _TECH_WEIGHTS.items():
            recommended = ref.technology(technology).recommended  # type: ignore[union-attr]
            if rng.random() > weight:
                continue
            pilot_id = f"{pilot_prefix}{code}-{technology}"
            start = date(max(2017, recommended), 1, 1) + timedelta(days=rng.randrange(0, 5 * 365))
            if start > _END - timedelta(days=60):
                start = _END - timedelta(days=rng.randrange(60, 400))
            emit(
                code,
                "pilot.registered",
                start,
                {
                    "pilot_id": pilot_id,
                    "technology": technology,
                    "title": f"{_TITLES[technology]} (syntetisk demo)",
                    "started_on": start.isoformat(),
                    "partners": rng.sample(_PARTNERS, rng.randrange(0, 3)),
                    "target_group": "Hjemmeboende eldre"
                    if technology != "nurse-call"
                    else "Sykehjemsbeboere",
                },
            )
            day, phase = start, "planning"
            discontinued_at: date | None = None
            for next_phase in ("piloting", "implementing", "operation"):
                day = day + timedelta(days=rng.randrange(90, 540))
                if day > _END:
                    break
                if rng.random() < 0.08:
                    discontinued_at = day
                    emit(
                        code,
                        "pilot.concluded",
                        day,
                        {
                            "pilot_id": pilot_id,
                            "outcome": "discontinued",
                            "summary": "Avsluttet: gevinstene sto ikke i forhold til kostnadene (syntetisk).",
                        },
                    )
                    break
                phase = next_phase
                if next_phase == "operation" and rng.random() < 0.5:
                    emit(
                        code,
                        "pilot.concluded",
                        day,
                        {
                            "pilot_id": pilot_id,
                            "outcome": "scaled_up",
                            "summary": "Skalert opp til hele kommunen etter vellykket utprøving (syntetisk).",
                        },
                    )
                else:
                    emit(code, "pilot.phase_changed", day, {"pilot_id": pilot_id, "phase": next_phase})
            if phase == "planning" and discontinued_at is None:
                continue
            first_month = start + timedelta(days=60)
            last_month = discontinued_at or _END
            users, cap = 0.0, rng.uniform(15, 70) * scale
            for month in _month_iter(first_month, last_month):
                users = min(users + rng.uniform(0.5, 4.0) * scale, cap)
                emit(
                    code,
                    "pilot.metrics_reported",
                    month + timedelta(days=rng.randrange(3, 20)),
                    {
                        "pilot_id": pilot_id,
                        "period": f"{month.year:04d}-{month.month:02d}",
                        "users_active": int(users),
                        "devices_deployed": int(users * 1.1) + 1,
                        "avoided_visits": int(users * rng.uniform(2, 6)),
                        "hours_saved": round(users * rng.uniform(0.5, 2.0), 1),
                        "cost_nok": round(users * rng.uniform(300, 900), 0),
                    },
                )
            for _ in range(rng.randrange(0, 3)):
                title, text, tags = rng.choice(_LESSONS)
                emit(
                    code,
                    "pilot.lesson_recorded",
                    start + timedelta(days=rng.randrange(100, 900)),
                    {
                        "pilot_id": pilot_id,
                        "title": title,
                        "text": f"{text} (Syntetisk eksempel.)",
                        "tags": tags,
                    },
                )
    return [e for e in events if e["occurred_at"] < "2026-11-01"]
