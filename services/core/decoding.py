"""Decoding log entries: the JSON object in an entry, or the refusal that names why not."""

from __future__ import annotations

from typing import Any

import orjson

from schemas.parsing import EventRefused, FieldError
from schemas.privacy import identity_number_paths
from services.core.ports import LogEntry


def decode_entry(entry: LogEntry) -> dict[str, Any]:
    """The JSON object in a log entry, or :class:`EventRefused` naming why not."""
    try:
        document = orjson.loads(entry.value)
    except orjson.JSONDecodeError:
        raise EventRefused([FieldError("$", "invalid_json", "Not valid JSON")]) from None
    if not isinstance(document, dict):
        raise EventRefused([FieldError("$", "type", "An event must be a JSON object")])
    return document


def safe_event_id(document: Any) -> str | None:
    """The event_id of a refused document, if it is safe to repeat (short, no identity number)."""
    if isinstance(document, dict) and isinstance(document.get("event_id"), str):
        value = document["event_id"]
        if len(value) <= 64 and not identity_number_paths(value):
            return value
    return None
