"""Errors the domain raises for the entry points to translate (HTTP 404 or 422, CLI exit 1)."""

from __future__ import annotations


class NotFound(LookupError):
    """An unknown code or id; the message says which."""


class Refused(ValueError):
    """A change the domain refuses: each reason as (field, rule, message), never the value."""

    def __init__(self, reasons: list[tuple[str, str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {rule}" for field, rule, _message in reasons))
        self.reasons = reasons
