"""The event-id registry behind ``POST /v1/events``: insert-only, and no reads for new ids."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from services.core.ports import Document
from services.intake.events import EVENT_IDS, PUBLISHED_EVENT_IDS, IngestService
from streams.adapters.logs.memory import MemoryEventLog
from streams.adapters.stores.memory import MemoryDocumentStore
from tests.support.factories import registered

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class CountingStore(MemoryDocumentStore):
    """The in-memory store, counting the reads and the replacing writes made through it."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.replaces = 0

    def get(self, collection: str, id: str) -> Document | None:
        self.reads += 1
        return super().get(collection, id)

    def get_many(self, collection: str, ids: Iterable[str]) -> dict[str, Document]:
        self.reads += 1
        return super().get_many(collection, ids)

    def find(self, collection: str, *args: Any, **kwargs: Any) -> list[Document]:
        self.reads += 1
        return super().find(collection, *args, **kwargs)

    def write(self, writes: Any) -> None:
        self.replaces += 1
        super().write(writes)


def _service() -> tuple[IngestService, CountingStore, MemoryEventLog]:
    store, log = CountingStore(), MemoryEventLog()
    log.ensure_topics({"pilot-events": 1})
    return IngestService(log, store, lambda: NOW), store, log


def test_new_events_are_registered_and_published_without_a_single_read_or_replace():
    ingest, store, log = _service()
    events = [registered(f"p{i}", municipality="3401", at="2026-01-01T08:00:00Z") for i in range(3)]
    results = ingest.submit(events, "api")
    assert [r.outcome for r in results] == ["accepted"] * 3
    assert (store.reads, store.replaces) == (0, 0)
    assert store.count(EVENT_IDS) == 3 and store.count(PUBLISHED_EVENT_IDS) == 3
    assert log.end_offset("pilot-events", 0) == 3


def test_a_resubmission_is_a_duplicate_and_other_content_under_the_same_id_a_conflict():
    ingest, _store, log = _service()
    event = registered("p1", municipality="3401", at="2026-01-01T08:00:00Z")
    ingest.submit([event], "api")
    again = ingest.submit([event], "api")
    changed = ingest.submit([{**event, "occurred_at": "2026-01-02T08:00:00Z"}], "api")
    assert again[0].outcome == "duplicate"
    assert changed[0].outcome == "conflict" and changed[0].errors[0].rule == "conflicting_event_id"
    assert log.end_offset("pilot-events", 0) == 1


def test_a_registration_that_never_reached_the_log_is_published_on_the_retry():
    ingest, store, log = _service()
    event = registered("p1", municipality="3401", at="2026-01-01T08:00:00Z")
    ingest.submit([event], "api")
    # As after a crash between registering and publishing: registered, never published.
    store.drop(PUBLISHED_EVENT_IDS)
    assert ingest.submit([event], "api")[0].outcome == "accepted"
    assert log.end_offset("pilot-events", 0) == 2  # twice in the log is harmless: facts keyed by id
    assert ingest.submit([event], "api")[0].outcome == "duplicate"
