"""Accepting events: validate, screen, de-duplicate by ``event_id``, publish to the log.

Used by the HTTP API and the file import alike. A refusal names the field and the rule;
valid events in the same batch still land. Duplicates are detected against the
``event_ids`` registry in the read-model store:

* same ``event_id``, same content → ``duplicate`` (harmless, nothing is published again);
* same ``event_id``, different content → ``conflict`` (HTTP 409);

An id is registered *before* it is published and marked published (in ``published_event_ids``)
after the log has acknowledged it, so a crash or a log outage in between never loses an
event: the client retries (it got no 202), and an unpublished registration is published on
the retry.

Both collections are insert-only and the common case reads nothing: an insert of a new id
either lands or is refused by the unique ``_id``, and only refused ids are read back. On a
server that scans for every lookup or replace (FerretDB v1 on SQLite), a read-then-update
registry made each submission slower as the registry grew.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import orjson

from schemas.events import Source
from schemas.parsing import EventRefused, FieldError, RecordedEvent, parse_event, record_event
from schemas.topics import PILOT_EVENTS
from services.core.ports import DocumentStore, EventLog, LogRecord

EVENT_IDS = "event_ids"
PUBLISHED_EVENT_IDS = "published_event_ids"
Outcome = Literal["accepted", "duplicate", "conflict", "refused"]


@dataclass(slots=True)
class IngestResult:
    """What happened to one submitted item."""

    index: int
    outcome: Outcome
    event_id: str | None = None
    errors: list[FieldError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"index": self.index, "event_id": self.event_id}
        if self.outcome in ("accepted", "duplicate"):
            body["status"] = self.outcome
        else:
            body["status"] = "refused" if self.outcome == "refused" else "conflict"
            body["errors"] = [e.as_dict() for e in self.errors]
        return body


NOT_PERMITTED = "not_permitted"
_CONFLICT = FieldError(
    "event_id", "conflicting_event_id", "This event_id was already used for an event with other content"
)


class IngestService:
    """Validates and publishes events to ``pilot-events``."""

    def __init__(self, log: EventLog, store: DocumentStore, clock: Callable[[], datetime]) -> None:
        self.log = log
        self.store = store
        self.clock = clock

    def submit(self, items: Sequence[Any], source: Source, writer: str | None = None) -> list[IngestResult]:
        """Take decoded JSON items; return one result per item, in order.

        ``writer`` is the municipality (34xx) the submitting organisation speaks for: an
        event of any other municipality is refused (``municipality``, ``not_permitted``).
        ``None`` means a trusted path (file import, the platform operator).

        Raises :class:`services.core.ports.Unavailable` when the log cannot acknowledge; then
        nothing of this call was acknowledged to anybody and a retry is safe.
        """
        now = self.clock()
        results: list[IngestResult] = []
        candidates: dict[str, tuple[int, RecordedEvent]] = {}
        for index, raw in enumerate(items):
            event_id = raw.get("event_id") if isinstance(raw, dict) else None
            try:
                event = parse_event(raw, now=now)
            except EventRefused as refused:
                results.append(IngestResult(index, "refused", _safe_id(event_id), refused.errors))
                continue
            if writer is not None and event.municipality != writer:
                error = FieldError(
                    "municipality", NOT_PERMITTED, f"This organisation may write events only for {writer}"
                )
                results.append(IngestResult(index, "refused", _safe_id(event_id), [error]))
                continue
            recorded = record_event(event, now=now, source=source)
            earlier = candidates.get(recorded.event_id)
            if earlier is not None:
                same = earlier[1].content_hash == recorded.content_hash
                results.append(
                    IngestResult(
                        index,
                        "duplicate" if same else "conflict",
                        recorded.event_id,
                        [] if same else [_CONFLICT],
                    )
                )
                continue
            candidates[recorded.event_id] = (index, recorded)
            results.append(IngestResult(index, "accepted", recorded.event_id))

        to_publish = self._register(candidates, results)
        if to_publish:
            self.log.append(
                PILOT_EVENTS.name,
                [LogRecord(key=r.event.municipality, value=orjson.dumps(r.to_record())) for r in to_publish],
            )
            self.store.insert_new(PUBLISHED_EVENT_IDS, [{"_id": r.event_id} for r in to_publish])
        return results

    def _register(
        self, candidates: dict[str, tuple[int, RecordedEvent]], results: list[IngestResult]
    ) -> list[RecordedEvent]:
        """Register new ids; sort the rest into duplicates, conflicts and unfinished publishes."""
        if not candidates:
            return []
        fresh = [{"_id": event_id, "hash": rec.content_hash} for event_id, (_, rec) in candidates.items()]
        existing = self.store.insert_new(EVENT_IDS, fresh)
        known = self.store.get_many(EVENT_IDS, existing) if existing else {}
        published = set(self.store.get_many(PUBLISHED_EVENT_IDS, existing)) if existing else set()
        publish = []
        for event_id, (index, recorded) in candidates.items():
            entry = known.get(event_id) if event_id in existing else None
            if entry is None:
                publish.append(recorded)
            elif entry["hash"] != recorded.content_hash:
                results[index] = IngestResult(index, "conflict", event_id, [_CONFLICT])
            elif event_id in published:
                results[index] = IngestResult(index, "duplicate", event_id)
            else:
                # Registered by an attempt that never reached the log: publish it now.
                # Publishing twice is harmless, the projector keys facts by event_id.
                publish.append(recorded)
        return publish


def _safe_id(value: Any) -> str | None:
    """Echo a refused item's event_id only when it is a plain UUID string."""
    if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
        try:
            bytes.fromhex(value.replace("-", ""))
        except ValueError:
            return None
        return value
    return None
