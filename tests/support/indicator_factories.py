"""Builders of valid indicator events for tests (override any field)."""

from __future__ import annotations

from typing import Any

from tests.support.factories import event


def alarms(
    period: str = "2026-01",
    technology: str = "safety-alarm",
    platform: str = "sor-osterdal-mottak",
    received: int = 100,
    false: int = 10,
    on_site: int = 5,
    users: int = 50,
    p50: float | None = 30,
    p90: float | None = 90,
    **kw: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "period": period,
        "technology": technology,
        "platform": platform,
        "users_connected": users,
        "alarms_received": received,
        "alarms_false": false,
        "responses_on_site": on_site,
    }
    if p50 is not None:
        payload["response_time_p50_s"] = p50
    if p90 is not None:
        payload["response_time_p90_s"] = p90
    return event("alarms.period_reported", **kw, **payload)


def competence(
    period: str = "2026",
    programme: str = "innovation-management",
    enrolled: int = 10,
    completed: int = 4,
    hours: float = 120.0,
    label: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "period": period,
        "programme": programme,
        "staff_enrolled": enrolled,
        "staff_completed": completed,
        "hours": hours,
    }
    if label is not None:
        payload["label"] = label
    return event("competence.reported", **kw, **payload)
