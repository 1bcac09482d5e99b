"""Detection of Norwegian national identity numbers anywhere in a JSON-like value.

Shared events carry aggregates only. Any string or number that validates as a
fødselsnummer, D-number or H-number (python-stdnum checks both check digits and
the birth date) makes the whole event refusable. Callers get *paths*, never the
values, so that refusals can be logged and dead-lettered without leaking them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson
from stdnum.no import fodselsnummer

# Eleven digits, optionally split after the sixth digit by one space or hyphen,
# not embedded in a longer run of digits.
_CANDIDATE = re.compile(r"(?<!\d)(\d{6})[ \-]?(\d{5})(?!\d)")


def text_contains_identity_number(text: str) -> bool:
    """True when ``text`` contains a substring that validates as an identity number."""
    if len(text) < 11:
        return False
    return any(fodselsnummer.is_valid(match.group(1) + match.group(2)) for match in _CANDIDATE.finditer(text))


def redact_identity_numbers(text: str, replacement: str = "[removed]") -> str:
    """Return ``text`` with every valid identity number replaced."""

    def _sub(match: re.Match[str]) -> str:
        digits = match.group(1) + match.group(2)
        return replacement if fodselsnummer.is_valid(digits) else match.group(0)

    return _CANDIDATE.sub(_sub, text)


def format_path(parts: tuple[str | int, ...]) -> str:
    """Render a path like ``payload.partners[2]`` from its parts.

    A member name is client input too: an identity number in one is replaced, so that a
    path can be logged, returned and dead-lettered whatever the client sent.
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = redact_identity_numbers(part) if len(part) >= 11 else part
            out += f".{name}" if out else name
    return out or "$"


def _walk(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, str):
        if text_contains_identity_number(value):
            yield path
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if value >= 10**9 and text_contains_identity_number(str(value)):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            if text_contains_identity_number(key_text):
                yield (*path, key_text)
            yield from _walk(item, (*path, key_text))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))


def identity_number_paths(value: Any) -> list[str]:
    """Paths of every string, number or key in ``value`` that holds an identity number."""
    # Fast path: one scan over the serialised value. Digits, spaces and hyphens are never
    # escaped in JSON, so a number anywhere inside shows up here too; only on a hit do we
    # walk the structure to find the paths. A control character is written as ``\u00XX``,
    # whose last hex digit can join the digits after it, so with any ``\u`` in the text
    # only the walk can tell.
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = None
    if text is not None and "\\u" not in text and not text_contains_identity_number(text):
        return []
    return [format_path(p) for p in _walk(value, ())]
