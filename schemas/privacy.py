"""The one screen for Norwegian national identity numbers: what enters, and what leaves.

Shared data carries aggregates only. A fødselsnummer, D-number or H-number (python-stdnum
checks the birth date and both check digits) is found however it is written:

* **one canonical form** first: format characters (soft hyphen, zero-width space and
  joiner, word joiner, byte-order mark …) removed, every decimal digit of any script read
  as its ASCII digit, and NFKC applied (a no-break space becomes a space, full-width forms
  their ASCII forms);
* then **any run of digit groups** joined by common separators (spaces, dots, hyphens,
  dashes, the minus sign, slashes, underscores; up to three in a row) is considered, and
  every sequence of whole groups with eleven digits in all is checked — so ``150875 49934``,
  ``150875 499 34``, ``15.08.75-499.34`` and ``１５０８７５４９９３４`` are all found, while the
  digits inside a longer unbroken number are not;
* a JSON **number** is checked as the eleven digits it would be written with (a number
  loses the leading zero of the birth days 01–09), whether it came as an integer or as a
  float with nothing after the point.

:func:`identity_number_paths` screens what enters (events, OCDS releases, membership,
imports, the path and query of every request); callers get *paths*, never the values.
:func:`redact_identity_numbers` is the one redaction of what leaves (responses built from
client input, logs, audit records, dead letters).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import orjson
from stdnum.no import fodselsnummer

REDACTION = "[removed]"
_ANY_DIGIT = re.compile(r"\d")  # Unicode decimal digits of every script
_SEPARATOR = r"[\s.\-\u2010-\u2015\u2212/_]"
# A run of digit groups joined by separators, holding eleven digits or more.
_RUN = re.compile(rf"\d(?:{_SEPARATOR}{{0,3}}\d){{10,}}")
# A necessary condition for _RUN without its backtracking: eleven or more characters of
# digits and separators, from a digit. Most texts (timestamps, UUIDs) fail it at once.
_DENSE = re.compile(r"\d[\d\s.\-\u2010-\u2015\u2212/_]{10,}")


_DENSE_ASCII = re.compile(rb"[0-9][0-9 \t\n\r\f\v./_-]{10,}")
_TEN_ASCII = re.compile(rb"[0-9]{10}")


def _has_run(text: str) -> bool:
    return _DENSE.search(text) is not None and _RUN.search(text) is not None
_GROUP = re.compile(r"\d+")
_TEN_DIGITS = re.compile(r"(?<!\d)\d{10}(?!\d)")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _canonical(text: str) -> tuple[str, list[int]]:
    """The canonical text and, for each of its characters, the index it came from."""
    if text.isascii():
        return text, list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            out.append(char)
            origin.append(index)
            continue
        if unicodedata.category(char) == "Cf":
            continue
        digit = unicodedata.decimal(char, None)
        mapped = str(digit) if digit is not None else unicodedata.normalize("NFKC", char)
        out.extend(mapped)
        origin.extend([index] * len(mapped))
    return "".join(out), origin


def _spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans (start, end) in the canonical ``text`` of every valid identity number."""
    for run in _RUN.finditer(text):
        start, end = run.span()
        if (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit()):
            continue
        groups = [(m.start() + start, m.end() + start) for m in _GROUP.finditer(run.group())]
        for first in range(len(groups)):
            digits = ""
            for last in range(first, len(groups)):
                digits += text[groups[last][0] : groups[last][1]]
                if len(digits) > 11:
                    break
                if len(digits) == 11 and fodselsnummer.is_valid(digits):
                    yield groups[first][0], groups[last][1]
                    break


def _may_hold_one(text: str) -> bool:
    # Cheap and sound: format characters, foreign digits and characters that NFKC turns
    # into digits (superscripts, circled numbers, one of which can stand for two digits)
    # would also hide from _RUN, so those texts are canonicalised first.
    if text.isascii():
        return len(text) >= 11 and _has_run(text)
    if _has_run(text):
        return True
    return len(_ANY_DIGIT.findall(unicodedata.normalize("NFKC", text))) >= 11


def text_contains_identity_number(text: str) -> bool:
    """True when ``text`` holds an identity number in any written form (see the module)."""
    if not _may_hold_one(text):
        return False
    canonical, _origin = _canonical(text)
    return next(_spans(canonical), None) is not None


def redact_identity_numbers(text: str, replacement: str = REDACTION) -> str:
    """``text`` with every identity number (in any written form) replaced."""
    if not _may_hold_one(text):
        return text
    canonical, origin = _canonical(text)
    out, kept_to = [], 0
    for start, end in _spans(canonical):
        first, last = origin[start], origin[end - 1] + 1
        out += [text[kept_to:first], replacement]
        kept_to = last
    if not out:
        return text
    out.append(text[kept_to:])
    return "".join(out)


def number_is_identity_number(value: Any) -> bool:
    """Whether a JSON number would be written as an identity number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not value.is_integer():
        return False
    number = int(value)
    return 10**9 <= number < 10**11 and fodselsnummer.is_valid(str(number).zfill(11))


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
            name = redact_identity_numbers(part)
            out += f".{name}" if out else name
    return out or "$"


def _walk(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, str):
        if text_contains_identity_number(value):
            yield path
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        if number_is_identity_number(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            if text_contains_identity_number(key_text):
                yield (*path, key_text)
            yield from _walk(item, (*path, key_text))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))


def _clearly_free_of_identity_numbers(value: Any) -> bool:
    """A sound shortcut: one scan of the serialised value instead of a walk of every part.

    Without escapes, every string and number of ``value`` appears verbatim in its JSON, so
    no run of eleven digits there means none in any part — provided nothing needs the
    canonical form (only ASCII and letters outside it) and no number lost a leading zero
    (a bare run of ten digits).
    """
    try:
        data = orjson.dumps(value)
    except TypeError:
        return False
    if b"\\" in data:
        return False
    if data.isascii():
        # The same conditions on bytes: the ASCII patterns scan several times faster.
        if _DENSE_ASCII.search(data) and _RUN.search(data.decode()):
            return False
        return not (_TEN_ASCII.search(data) and _TEN_DIGITS.search(data.decode()))
    text = data.decode()
    if _has_run(text) or _TEN_DIGITS.search(text):
        return False
    return all(char.isalpha() for char in _NON_ASCII.findall(text))


def identity_number_paths(value: Any) -> list[str]:
    """Paths of every string, number or member name in ``value`` that holds an identity number."""
    if _clearly_free_of_identity_numbers(value):
        return []
    return [format_path(p) for p in _walk(value, ())]
