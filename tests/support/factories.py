"""Builders of valid events for tests (override any field)."""

from __future__ import annotations

import uuid
from typing import Any

from stdnum.no import fodselsnummer


def event(
    kind: str,
    municipality: str = "3420",
    at: str = "2021-01-01T08:00:00Z",
    event_id: str | None = None,
    **payload: Any,
) -> dict[str, Any]:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "type": kind,
        "schema_version": 1,
        "municipality": municipality,
        "occurred_at": at,
        "payload": payload,
    }


def registered(pilot_id: str = "elv-alarm", technology: str = "safety-alarm", **kw: Any) -> dict[str, Any]:
    payload = {
        "pilot_id": pilot_id,
        "technology": technology,
        "title": kw.pop("title", "Digitale trygghetsalarmer"),
    }
    for name in ("started_on", "partners", "target_group"):
        if name in kw:
            payload[name] = kw.pop(name)
    return event("pilot.registered", **kw, **payload)


def phase(pilot_id: str, phase_code: str, **kw: Any) -> dict[str, Any]:
    return event("pilot.phase_changed", pilot_id=pilot_id, phase=phase_code, **kw)


def metrics(pilot_id: str, period: str, **kw: Any) -> dict[str, Any]:
    values = {
        k: kw.pop(k)
        for k in list(kw)
        if k in ("users_active", "devices_deployed", "avoided_visits", "hours_saved", "cost_nok")
    }
    return event("pilot.metrics_reported", pilot_id=pilot_id, period=period, **kw, **values)


def lesson(
    pilot_id: str,
    title: str = "Involver ansatte tidlig",
    text: str = "Opplæring hjalp.",
    tags: list[str] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    return event("pilot.lesson_recorded", pilot_id=pilot_id, title=title, text=text, tags=tags or [], **kw)


def concluded(pilot_id: str, outcome: str, summary: str = "Ferdig.", **kw: Any) -> dict[str, Any]:
    return event("pilot.concluded", pilot_id=pilot_id, outcome=outcome, summary=summary, **kw)


def identity_number(base: str = "150875499") -> str:
    """A valid synthetic fødselsnummer (D-number: add 4 to the first digit; H: to the third)."""
    first = fodselsnummer.calc_check_digit1(base)
    return base + first + fodselsnummer.calc_check_digit2(base + first)


FNR = identity_number("150875499")
D_NUMBER = identity_number("410190123")
H_NUMBER = identity_number("014190123")
