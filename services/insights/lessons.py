"""Lessons as documents: what a pilot recorded, and the summary it concluded with.

Each lesson carries what it is filtered by — municipality, region, technology, the pilot's
phase at the time it was written, and the pilot's outcome — so a search never needs to
look anything up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Lesson = dict[str, Any]
PilotView = dict[str, Any]

LESSON_FIELDS = (
    "lesson_id",
    "kind",
    "pilot_id",
    "pilot_title",
    "municipality",
    "region",
    "technology",
    "phase_at_time",
    "outcome",
    "title",
    "text",
    "tags",
    "at",
)


def phase_at(history: list[dict[str, Any]], at: str, excluding: str | None = None) -> str:
    """The pilot's phase in effect at ``at`` (``planning`` before its first step).

    ``excluding`` leaves out one step — a conclusion's own — so that a concluding summary
    is filed under the phase the pilot was in when it was concluded.
    """
    phase = "planning"
    for step in history:
        if step["at"] > at:
            break
        if step["event_id"] != excluding:
            phase = step["phase"]
    return phase


def pilot_lessons(pilot: PilotView) -> list[Lesson]:
    """The lessons of one registered pilot (its recorded lessons and its conclusion)."""
    history = pilot.get("phase_history", [])
    outcome = pilot["outcome"]["outcome"] if pilot.get("outcome") else None
    common = {
        "pilot_id": pilot["pilot_id"],
        "pilot_title": pilot["title"],
        "municipality": pilot["municipality"],
        "region": pilot["region"],
        "technology": pilot["technology"],
        "outcome": outcome,
    }
    lessons = [
        {
            "lesson_id": lesson["event_id"],
            "kind": "lesson",
            **common,
            "phase_at_time": phase_at(history, lesson["at"]),
            "title": lesson["title"],
            "text": lesson["text"],
            "tags": list(lesson.get("tags", [])),
            "at": lesson["at"],
        }
        for lesson in pilot.get("lessons", [])
    ]
    conclusion = pilot.get("outcome")
    if conclusion:
        lessons.append(
            {
                "lesson_id": conclusion["event_id"],
                "kind": "conclusion",
                **common,
                "phase_at_time": phase_at(history, conclusion["at"], excluding=conclusion["event_id"]),
                "title": pilot["title"],
                "text": conclusion["summary"],
                "tags": [],
                "at": conclusion["at"],
            }
        )
    return lessons


def all_lessons(pilots: Iterable[PilotView]) -> list[Lesson]:
    """Lessons of every registered pilot, newest first (ties by id, so the order is stable)."""
    lessons = [lesson for pilot in pilots if pilot.get("registered") for lesson in pilot_lessons(pilot)]
    lessons.sort(key=lambda lesson: (lesson["at"], lesson["lesson_id"]), reverse=True)
    return lessons
