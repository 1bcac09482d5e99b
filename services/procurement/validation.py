"""Validation of incoming OCDS releases, with refusals that are safe to log.

Refusal paths follow the style documented in :mod:`services.procurement.paths`:
``$``-rooted and relative to what the caller submitted, so a bad amount in the fourth
release of a package is ``$.releases[3].tender.value.amount``.

Messages are written here rather than taken from jsonschema, because jsonschema's
messages quote the offending value and that value may be personal data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from schemas.bounds import EARLIEST, EARLIEST_YEAR
from schemas.privacy import redact_identity_numbers

from .paths import json_path
from .schema import registry, release_package_schema, release_schema

# RFC 3339 date-time as OCDS requires it: a time zone (Z or an offset) is mandatory,
# because releases from different publishers are ordered against each other.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

DATE_TIME_HINT = f"an RFC 3339 date-time with a time zone, from {EARLIEST_YEAR}, e.g. 2024-05-01T12:00:00Z"


@dataclass(frozen=True)
class Refusal:
    """One reason a submitted document (or part of it) was refused.

    ``path`` is a ``$``-rooted JSON path into the submitted document, ``rule`` is a
    machine-readable code (the JSON Schema keyword such as ``required``, ``type``,
    ``format``, ``enum``, ``minLength``; or ``json`` for unparseable input), and
    ``message`` is for humans and never repeats the offending value.
    ``release_index`` is the position of the release concerned, when there is one.
    """

    path: str
    rule: str
    message: str
    release_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON responses and dead-letter records."""
        return asdict(self)


def parse_date_time(value: object) -> datetime | None:
    """Parse an RFC 3339 date-time with a time zone; ``None`` when it is not one."""
    if not isinstance(value, str) or not _RFC3339.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None
    return moment if moment >= EARLIEST else None  # the bound of schemas.bounds


def _format_checker() -> FormatChecker:
    # Only date-time is checked: other formats (uri) would depend on optional packages
    # being installed, and validation must not change with the environment.
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def _is_date_time(instance: object) -> bool:
        if not isinstance(instance, str):
            return True  # type errors are reported by the "type" keyword
        return parse_date_time(instance) is not None

    return checker


@cache
def _release_validator() -> Draft4Validator:
    return Draft4Validator(release_schema(), registry=registry(), format_checker=_format_checker())


@cache
def _package_validator() -> Draft4Validator:
    return Draft4Validator(release_package_schema(), registry=registry(), format_checker=_format_checker())


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _missing_property(error: ValidationError) -> str | None:
    # jsonschema reports one error per missing property; find which one this is.
    instance = error.instance if isinstance(error.instance, dict) else {}
    for name in error.validator_value:
        if name not in instance and error.message == f"{name!r} is a required property":
            return str(name)
    return None


def _message(error: ValidationError, missing: str | None) -> str:
    keyword = str(error.validator)
    value = error.validator_value
    if keyword == "required":
        return f"'{missing}' is required"
    if keyword == "type":
        expected = " or ".join(value) if isinstance(value, list) else str(value)
        return f"must be of type {expected}, not {_json_type(error.instance)}"
    if keyword == "format":
        if value == "date-time":
            return f"must be {DATE_TIME_HINT}"
        return f"must be in {value} format"
    if keyword == "enum":
        codes = [str(code) for code in value if code is not None]
        shown = ", ".join(codes[:20]) + (", ..." if len(codes) > 20 else "")
        return f"must be one of the codes: {shown}"
    if keyword == "minLength":
        return f"must be at least {value} character(s) long"
    if keyword == "minItems":
        return f"must contain at least {value} item(s)"
    if keyword == "uniqueItems":
        return "must not contain duplicate items"
    if keyword in {"minimum", "maximum"}:
        relation = ">=" if keyword == "minimum" else "<="
        return f"must be {relation} {value}"
    return f"violates the schema rule '{keyword}'"


def _refusals_from_errors(
    errors: Sequence[ValidationError], prefix: str, release_index: int | None
) -> list[Refusal]:
    refusals = []
    for error in errors:
        parts: list[str | int] = list(error.absolute_path)
        missing = _missing_property(error) if error.validator == "required" else None
        if missing is not None:
            # Point at the missing member itself, which is what a publisher needs to fix.
            parts.append(missing)
        message = redact_identity_numbers(_message(error, missing))
        refusals.append(Refusal(json_path(parts, root=prefix), str(error.validator), message, release_index))
    return _sorted(refusals)


def _sorted(refusals: list[Refusal]) -> list[Refusal]:
    # Releases in submission order, then by path, so output is stable and readable.
    return sorted(
        set(refusals),
        key=lambda r: (-1 if r.release_index is None else r.release_index, r.path, r.rule),
    )


def validate_release(
    release: object, *, path_prefix: str = "$", release_index: int | None = None
) -> list[Refusal]:
    """Validate one release against the OCDS 1.1.5 release schema.

    Returns an empty list when the release is valid. ``path_prefix`` roots the refusal
    paths (``$`` for a single release; :func:`split_package` passes ``$.releases[i]``).
    """
    if not isinstance(release, dict):
        return [
            Refusal(
                path_prefix,
                "type",
                f"a release must be a JSON object, not {_json_type(release)}",
                release_index,
            )
        ]
    errors = list(_release_validator().iter_errors(release))
    return _refusals_from_errors(errors, path_prefix, release_index)


def validate_release_package(package: object) -> list[Refusal]:
    """Validate a whole release package, envelope included, against its OCDS schema.

    Stricter than :func:`split_package`: package metadata (``uri``, ``publisher``,
    ``publishedDate``, ``version``) must be present too. Release refusals carry
    ``release_index``.
    """
    if not isinstance(package, dict):
        return [Refusal("$", "type", f"must be a JSON object, not {_json_type(package)}")]
    refusals = []
    for error in _package_validator().iter_errors(package):
        parts = list(error.absolute_path)
        index = parts[1] if len(parts) > 1 and parts[0] == "releases" else None
        refusals.extend(_refusals_from_errors([error], "$", index if isinstance(index, int) else None))
    return _sorted(refusals)


def split_package(obj: object) -> tuple[list[dict[str, Any]], list[Refusal]]:
    """Split submitted data into valid releases and refusals for the invalid ones.

    Accepts a release package (an object with ``releases``), a single release object,
    a list of releases, or JSON text/bytes of any of these. Each release is judged on
    its own: valid releases are returned (in submission order) even when others are
    refused. Refusal paths are rooted at the submitted document: ``$.releases[i]...``
    for a package, ``$[i]...`` for a list and ``$...`` for a single release.
    """
    if isinstance(obj, (str, bytes, bytearray)):
        try:
            obj = json.loads(obj)
        except (ValueError, UnicodeDecodeError):
            return [], [Refusal("$", "json", "the document is not valid JSON")]

    if isinstance(obj, list):
        return _split_list(obj, "$")
    if not isinstance(obj, dict):
        return [], [
            Refusal(
                "$",
                "type",
                "expected a release package, a release or a list of releases "
                f"(a JSON object or array), not {_json_type(obj)}",
            )
        ]
    if "releases" in obj:
        releases = obj["releases"]
        if not isinstance(releases, list):
            return [], [Refusal("$.releases", "type", f"must be of type array, not {_json_type(releases)}")]
        if not releases:
            return [], [Refusal("$.releases", "minItems", "the package contains no releases")]
        return _split_list(releases, "$.releases")
    if "records" in obj:
        return [], [
            Refusal(
                "$.records",
                "unsupported",
                "record packages are not accepted; submit the releases as a release package",
            )
        ]
    refusals = validate_release(obj)
    return ([] if refusals else [obj]), refusals


def _split_list(items: list[Any], root: str) -> tuple[list[dict[str, Any]], list[Refusal]]:
    valid: list[dict[str, Any]] = []
    refusals: list[Refusal] = []
    for index, item in enumerate(items):
        found = validate_release(item, path_prefix=f"{root}[{index}]", release_index=index)
        if found:
            refusals.extend(found)
        else:
            valid.append(item)
    return valid, refusals
