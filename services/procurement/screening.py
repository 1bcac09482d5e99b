"""Screening a *valid* release before it is published or stored: personal data out.

Shared by the ingest (before the log) and the procurement service (before the store, for
producers that write to the log directly). A release whose identifying members (``ocid``,
``id``) hold an identity number is refused: redacting them would change which process or
release it is.
"""

from __future__ import annotations

from typing import Any

from .sanitise import sanitise_release
from .validation import Refusal

IDENTIFYING_MEMBERS: tuple[str, ...] = ("ocid", "id")


def screen_release(
    release: dict[str, Any], path_prefix: str = "$", release_index: int | None = None
) -> tuple[dict[str, Any] | None, list[str], list[Refusal]]:
    """Sanitise ``release``: (clean copy or ``None`` when refused, removed paths, refusals).

    Removed paths are rooted at ``path_prefix`` (``$.releases[3].parties[0].contactPoint.name``);
    they name members, never values.
    """
    clean, removed = sanitise_release(release)
    refusals = [
        Refusal(
            f"{path_prefix}.{member}",
            "identity_number",
            "must not contain a national identity number",
            release_index,
        )
        for member in IDENTIFYING_MEMBERS
        if f"$.{member}" in removed
    ]
    rooted = [path_prefix + path[1:] for path in removed]
    return (None if refusals else clean), rooted, refusals
