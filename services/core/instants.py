"""How instants are kept in the read models: fixed-width UTC text, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_key(moment: datetime) -> str:
    """A sortable UTC timestamp string (lexical order equals time order)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
