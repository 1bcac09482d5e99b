"""Removal of personal data from releases before they are stored or shared.

Two kinds of personal data are removed:

* contact persons: ``name``, ``email``, ``telephone`` and ``faxNumber`` of every
  ``contactPoint`` (and of every entry of the ``additionalContactPoints`` extension),
  wherever it appears. Organisation names and identifiers are public and kept.
* Norwegian identity numbers (fødselsnummer, D- and H-numbers): a value that *is* one
  is removed; free text that *contains* one keeps its text with the number redacted.

Removed paths use the ``$``-rooted style of :mod:`services.procurement.paths` and never
contain the removed values.
"""

from __future__ import annotations

import re
from typing import Any

from schemas.privacy import redact_identity_numbers, text_contains_identity_number

from .paths import json_path

PERSONAL_CONTACT_FIELDS: tuple[str, ...] = ("name", "email", "telephone", "faxNumber")
REDACTION = "[removed]"

# A value consisting of nothing but one identity number (optionally split after the
# birth date) is dropped entirely rather than left as a meaningless placeholder.
_WHOLE_NUMBER = re.compile(r"^\s*\d{6}[ \-]?\d{5}\s*$")


def sanitise_release(release: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return a personal-data-free copy of ``release`` and the paths that were changed.

    The input is not modified. Each reported path is either a removed member or list
    item, or a free-text value in which an identity number was redacted.
    """
    removed: list[str] = []
    clean = _clean(release, (), removed, in_contact_point=False)
    return clean, removed


def _clean(value: Any, path: tuple[str | int, ...], removed: list[str], in_contact_point: bool) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            item_path = (*path, key)
            if text_contains_identity_number(str(key)):
                removed.append(json_path(item_path))
                continue
            if in_contact_point and key in PERSONAL_CONTACT_FIELDS:
                removed.append(json_path(item_path))
                continue
            if _is_identity_number_value(item):
                removed.append(json_path(item_path))
                continue
            if key == "contactPoint" and isinstance(item, dict):
                cleaned = _clean(item, item_path, removed, in_contact_point=True)
            elif key == "additionalContactPoints" and isinstance(item, list):
                cleaned = [
                    _clean(entry, (*item_path, i), removed, in_contact_point=True)
                    for i, entry in enumerate(item)
                ]
            else:
                cleaned = _clean(item, item_path, removed, in_contact_point=False)
            out[key] = cleaned
        return out
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            if _is_identity_number_value(item):
                removed.append(json_path((*path, index)))
                continue
            items.append(_clean(item, (*path, index), removed, in_contact_point))
        return items
    if isinstance(value, str) and text_contains_identity_number(value):
        removed.append(json_path(path))
        return redact_identity_numbers(value, REDACTION)
    return value


def _is_identity_number_value(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        # A number loses the leading zero of birth days 01-09, so pad back to 11 digits.
        value = str(value).zfill(11) if 0 < value < 10**11 else str(value)
    return (
        isinstance(value, str)
        and _WHOLE_NUMBER.match(value) is not None
        and text_contains_identity_number(value)
    )
