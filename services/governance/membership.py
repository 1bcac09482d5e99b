"""Alliance membership: run-time data with a source and a date (never hard-coded).

The shipped default is illustrative (see ``schemas/data/reference/membership.json``);
coordinators replace it through the API. Each change is kept in a history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from schemas.privacy import text_contains_identity_number
from schemas.reference import default_membership, reference
from services.core.errors import Refused
from services.core.ports import DocumentStore, Upsert

SETTINGS = "settings"
MEMBERSHIP_HISTORY = "membership_history"
_KEY = "membership"


class UnknownMunicipalities(ValueError):
    def __init__(self, codes: list[str]) -> None:
        super().__init__(f"unknown municipality codes: {', '.join(codes)}")
        self.codes = codes


class MembershipService:
    """Reads and changes who is a member of the alliance."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store

    def current(self) -> dict[str, Any]:
        doc = self.store.get(SETTINGS, _KEY)
        if doc is None:
            default = default_membership()
            return {
                "members": sorted(default.members),
                "source": default.source,
                "as_of": default.as_of,
                "default": True,
            }
        return {k: v for k, v in doc.items() if k != "_id"}

    def members(self) -> frozenset[str]:
        return frozenset(self.current()["members"])

    def replace(self, members: Iterable[str], source: str, as_of: date) -> dict[str, Any]:
        """Set the member list (codes 34xx or 04xx), with where it comes from and since when."""
        ref = reference()
        codes, unknown = set(), []
        for code in members:
            canonical = ref.canonical_code(code)
            if canonical is None:
                unknown.append(code)
            else:
                codes.add(canonical)
        if unknown:
            raise UnknownMunicipalities(unknown)
        if text_contains_identity_number(source):
            raise Refused([("source", "identity_number", "Contains a Norwegian national identity number")])
        doc = {
            "_id": _KEY,
            "members": sorted(codes),
            "source": source,
            "as_of": as_of.isoformat(),
            "default": False,
        }
        history_id = f"{as_of.isoformat()}:{len(self.store.find(MEMBERSHIP_HISTORY))}"
        self.store.write([Upsert(SETTINGS, doc), Upsert(MEMBERSHIP_HISTORY, {**doc, "_id": history_id})])
        return {k: v for k, v in doc.items() if k != "_id"}
