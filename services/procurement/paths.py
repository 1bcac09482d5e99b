"""JSON paths for refusals and removed-field reports.

Style (used everywhere in this package): JSONPath-like, rooted at ``$`` and relative to
the document the caller submitted, e.g. ``$.releases[3].tender.value.amount`` for a
release package, ``$[3].date`` for a bare list of releases, ``$.awards[0].date`` for a
single release. Keys that are not plain identifiers use bracket notation
(``$.tender['odd key']``). Identity numbers inside keys are redacted so a path can be
logged safely.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemas.privacy import redact_identity_numbers

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(parts: Iterable[str | int], root: str = "$") -> str:
    """Render path ``parts`` (keys and list indexes) below ``root`` as a JSON path."""
    out = root
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        key = redact_identity_numbers(str(part))
        if _PLAIN_KEY.match(key):
            out += f".{key}"
        else:
            escaped = key.replace("\\", "\\\\").replace("'", "\\'")
            out += f"['{escaped}']"
    return out
