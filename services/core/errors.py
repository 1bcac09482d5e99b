"""Errors the read side raises for the entry points to translate (HTTP 404, CLI exit 1)."""

from __future__ import annotations


class NotFound(LookupError):
    """An unknown code or id; the message says which."""
