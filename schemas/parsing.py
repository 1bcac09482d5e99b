"""The one way in for an event: size limit, identity-number screening, contract validation.

Every entry point (HTTP, file import, Kafka consumer) calls :func:`parse_event` and gets
either a validated event or a list of :class:`FieldError` — each naming the field path and
the rule, never echoing the refused value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from schemas.bounds import ahead_of_now, parse_aware_instant
from schemas.events import (
    EVENT_TYPES,
    MAX_ENVELOPE_BYTES,
    PilotEvent,
    Source,
    event_payload,
)
from schemas.privacy import format_path, identity_number_paths

_ADAPTER: TypeAdapter[Any] = TypeAdapter(PilotEvent)
SERVER_FIELDS = ("recorded_at", "source")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One refusal: where, which rule, and a message safe to log."""

    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


class EventRefused(ValueError):
    """Raised by :func:`parse_event` with every reason the event was refused."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.rule}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class RecordedEvent:
    """A validated event as stored in the log: the envelope plus server stamps."""

    event: Any
    recorded_at: datetime
    source: Source

    @cached_property
    def content_hash(self) -> str:
        return content_hash(event_payload(self.event))

    @property
    def event_id(self) -> str:
        return str(self.event.event_id)

    def to_record(self) -> dict[str, Any]:
        """The JSON document written to the event log."""
        body = event_payload(self.event)
        body["recorded_at"] = self.recorded_at.isoformat()
        body["source"] = self.source
        return body


def content_hash(document: dict[str, Any]) -> str:
    """Hash of an event's normalised content, ignoring server stamps."""
    canonical = {k: v for k, v in document.items() if k not in SERVER_FIELDS}
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _pydantic_errors(error: ValidationError) -> list[FieldError]:
    out = []
    for item in error.errors(include_input=False, include_url=False):
        loc = list(item["loc"])
        # The discriminated union puts the event type first in the location; callers
        # care about the field inside the envelope.
        if loc and loc[0] in EVENT_TYPES:
            loc = loc[1:]
        rule = item["type"]
        if rule == "union_tag_invalid":
            loc, rule = ["type"], "unknown_event_type"
        elif rule == "union_tag_not_found":
            loc, rule = ["type"], "missing"
        message = item["msg"]
        if rule == "unknown_event_type":
            message = f"Unknown event type; expected one of {', '.join(EVENT_TYPES)}"
        out.append(FieldError(format_path(tuple(loc)), rule, message))
    return out


def parse_event(raw: Any, *, now: datetime) -> Any:
    """Validate one decoded JSON value as an event; raise :class:`EventRefused` if it isn't.

    ``now`` is passed in (no clock here) for the at-most-24-hours-ahead rule. Server stamps
    (``recorded_at``, ``source``) are not accepted from clients.
    """
    if not isinstance(raw, dict):
        raise EventRefused([FieldError("$", "type", "An event must be a JSON object")])
    size = len(orjson.dumps(raw))
    if size > MAX_ENVELOPE_BYTES:
        raise EventRefused(
            [FieldError("$", "envelope_too_large", f"An event may be at most {MAX_ENVELOPE_BYTES} bytes")]
        )
    leaks = identity_number_paths(raw)
    if leaks:
        # Stop here: nothing else about an event carrying personal data is worth reporting,
        # and the less of it we touch the better.
        raise EventRefused(
            [
                FieldError(path, "identity_number", "Contains a Norwegian national identity number")
                for path in leaks
            ]
        )
    try:
        event = _ADAPTER.validate_python(raw)
    except ValidationError as error:
        raise EventRefused(_pydantic_errors(error)) from None
    broken = ahead_of_now(event.occurred_at, getattr(event.payload, "period", None), now)
    if broken:
        raise EventRefused([FieldError(*rule) for rule in broken])
    return event


def record_event(event: Any, *, now: datetime, source: Source) -> RecordedEvent:
    """Stamp a validated event for the log."""
    return RecordedEvent(event=event, recorded_at=now, source=source)


def load_recorded(document: dict[str, Any]) -> RecordedEvent:
    """Rebuild a :class:`RecordedEvent` from a log record written by :meth:`RecordedEvent.to_record`.

    Records from the log were validated on the way in, but the log may also be written by
    third-party producers, so the contract is checked again (without the clock rule: a
    replay of old events must not fail because time has passed).
    """
    body = {k: v for k, v in document.items() if k not in SERVER_FIELDS}
    leaks = identity_number_paths(body)
    if leaks:
        raise EventRefused(
            [FieldError(p, "identity_number", "Contains a Norwegian national identity number") for p in leaks]
        )
    try:
        event = _ADAPTER.validate_python(body)
    except ValidationError as error:
        raise EventRefused(_pydantic_errors(error)) from None
    recorded = parse_aware_instant(document.get("recorded_at"))
    if recorded is not None:
        # The clock rules, against the moment the platform took the event in: a replay of
        # old events still passes, a record written past the API with a future period not.
        broken = ahead_of_now(event.occurred_at, getattr(event.payload, "period", None), recorded)
        if broken:
            raise EventRefused([FieldError(*rule) for rule in broken])
    return RecordedEvent(
        event=event,
        recorded_at=recorded or event.occurred_at,
        source=document.get("source", "kafka"),
    )

