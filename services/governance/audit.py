"""The audit log of writes: who wrote what when, and whether it was accepted or refused.

Append-only by construction: entries go into their own collection through
:meth:`DocumentStore.insert_new` with fresh ids, and this class offers no way to change
or delete one. Entries carry event ids, outcomes and refusal rules, never field values.
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.core.dead_letters import ReplayResult
from services.core.ports import DocumentStore

AUDIT = "audit_log"
_SEQUENCE = itertools.count()
MAX_ITEMS = 1000  # per entry; a request never carries more (events and releases are capped at 1000)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: the organisation number, its role and the client (token) identifiers."""

    org_number: str | None
    role: str
    client_id: str | None = None
    token_id: str | None = None


@dataclass(frozen=True, slots=True)
class AuditItem:
    """One item of a write: its id (when safe to repeat), outcome and refusal rules."""

    id: str | None
    outcome: str
    rules: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "outcome": self.outcome}
        if self.rules:
            body["rules"] = list(self.rules)
        return body


AuditHook = Callable[[list[AuditItem]], None]
"""Where a long write (a file import) reports each batch's outcomes."""


class AuditLog:
    """Records writes and answers coordinators' questions about them."""

    def __init__(self, store: DocumentStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        store.ensure_indexes(AUDIT, ("org_number", "action", "at"))

    def record(
        self,
        actor: Actor,
        action: str,
        status: int,
        items: Iterable[AuditItem] = (),
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Append one entry; ``accepted`` when anything of the write was taken, else ``refused``."""
        listed = list(items)[:MAX_ITEMS]
        outcomes = Counter(i.outcome for i in listed)
        taken = outcomes["accepted"] + outcomes["duplicate"]
        at = _utc_key(self.clock())
        entry: dict[str, Any] = {
            # Time first, then a per-process sequence: ids sort in the order entries were made.
            "_id": f"{at}-{next(_SEQUENCE):012d}-{uuid.uuid4().hex[:12]}",
            "at": at,
            "org_number": actor.org_number,
            "role": actor.role,
            "client_id": actor.client_id,
            "token_id": actor.token_id,
            "action": action,
            "status": status,
            "result": "accepted" if status < 400 and (taken or not listed) else "refused",
            "counts": dict(sorted(outcomes.items())),
            "items": [i.as_dict() for i in listed],
        }
        if reason:
            entry["reason"] = reason
        self.store.insert_new(AUDIT, [entry])
        return entry

    def query(
        self,
        org_number: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """The newest entries first, filtered by organisation, action and time."""
        where: dict[str, Any] = {}
        if org_number:
            where["org_number"] = org_number
        if action:
            where["action"] = action
        # Filtered in memory after the indexed query: the port's `where` is equality only.
        rows = self.store.find(AUDIT, where or None, sort="-_id", limit=None if since else limit)
        if since is not None:
            cutoff = _utc_key(since)
            rows = [r for r in rows if r["at"] >= cutoff][:limit]
        return [_public(r) for r in rows]


def _utc_key(moment: datetime) -> str:
    """Fixed-width UTC text, so that text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in row.items() if k != "_id"}
    body["id"] = row["_id"]
    return body


def replay_audit_items(results: Iterable[ReplayResult]) -> list[AuditItem]:
    """A replay as audit items: the letter's event id (or letter id), replayed or refused with why."""
    return [
        AuditItem(
            r.event_id or r.id,
            "accepted" if r.status == "replayed" else "refused",
            () if r.status == "replayed" else (r.status,),
        )
        for r in results
    ]
