"""How instants are kept in the read models: fixed-width UTC text, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_key(moment: datetime) -> str:
    """A sortable UTC timestamp string (lexical order equals time order)."""
    # isoformat pads the year to four digits (strftime's %Y does not on every platform).
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
