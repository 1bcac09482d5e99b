"""Measuring adapters: the event log, the store and the consumers, wrapped to record metrics.

The composition root wraps the real adapters and services in these, so the services stay
pure and the same numbers come out of the embedded runner and the Faust workers. Only a
record's ``type``, ``reason``, ``occurred_at`` and ``recorded_at`` are looked at, never
other values.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson

from schemas.bounds import parse_aware_instant
from schemas.events import EVENT_TYPES
from schemas.topics import DEAD_LETTER, PROCUREMENT_RELEASES
from services.core.ports import Document, DocumentStore, EventLog, LogEntry, LogRecord, Write
from services.core.positions import read_positions
from services.core.projector import BatchConsumer
from streams.observability.metrics import Metrics

log = logging.getLogger(__name__)
_KNOWN_TYPES = frozenset(EVENT_TYPES)
_KNOWN_TOPICS = frozenset({"pilot-events", PROCUREMENT_RELEASES.name, DEAD_LETTER.name})


def _document(value: bytes) -> dict[str, Any] | None:
    try:
        document = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    return document if isinstance(document, dict) else None


def record_type(topic: str, document: dict[str, Any] | None) -> str:
    """A bounded label for a record: its event type, ``release``, or ``invalid``/``other``."""
    if document is None:
        return "invalid"
    if topic == PROCUREMENT_RELEASES.name:
        return "release"
    if topic == DEAD_LETTER.name:
        return "dead_letter"
    kind = document.get("type")
    return kind if kind in _KNOWN_TYPES else "other"


def _topic_label(topic: str) -> str:
    return topic if topic in _KNOWN_TOPICS else "other"


def _timestamp(value: Any) -> float | None:
    moment = parse_aware_instant(value)
    return moment.timestamp() if moment is not None else None


class InstrumentedLog:
    """An :class:`EventLog` that counts what is appended (and what is dead-lettered, by reason)."""

    def __init__(self, inner: EventLog, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def append(self, topic: str, records: Sequence[LogRecord]) -> None:
        self.inner.append(topic, records)
        counts: dict[tuple[str, str], int] = {}
        letters: dict[tuple[str, str], int] = {}
        for record in records:
            document = _document(record.value)
            key = (_topic_label(topic), record_type(topic, document))
            counts[key] = counts.get(key, 0) + 1
            if topic == DEAD_LETTER.name and document is not None:
                letter = (_topic_label(str(document.get("topic"))), str(document.get("reason", "unknown")))
                letters[letter] = letters.get(letter, 0) + 1
                # Correlates with the producer's and the API's logs; ids and field paths only.
                log.info(
                    "dead-lettered",
                    extra={
                        "event_id": document.get("event_id"),
                        "reason": letter[1],
                        "topic": letter[0],
                        "partition": document.get("partition"),
                        "offset": document.get("offset"),
                        "fields": [e.get("field") for e in document.get("errors", []) if isinstance(e, dict)],
                    },
                )
        for (label, kind), n in counts.items():
            self.metrics.events_produced.labels(label, kind).inc(n)
        for (label, reason), n in letters.items():
            self.metrics.events_dead_lettered.labels(label, reason).inc(n)

    def __getattr__(self, name: str) -> Any:
        # Everything else (read, partitions, end_offset, wait_for_append, ...) is the inner log's.
        return getattr(self.inner, name)


class InstrumentedStore:
    """A :class:`DocumentStore` that times its writes (the read-model write latency)."""

    def __init__(self, inner: DocumentStore, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def write(self, writes: Sequence[Write]) -> None:
        with self.metrics.store_write_duration.labels("write").time():
            self.inner.write(writes)

    def insert_new(self, collection: str, documents: Sequence[Document]) -> set[str]:
        with self.metrics.store_write_duration.labels("insert_new").time():
            return self.inner.insert_new(collection, documents)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class MeasuredConsumer:
    """A service's ``handle`` with batch size, duration, consumed counts and event latencies."""

    def __init__(
        self, service: BatchConsumer, metrics: Metrics, now: Callable[[], float] = time.time
    ) -> None:
        self.service = service
        self.metrics = metrics
        self.now = now
        self.name = service.name

    def position(self, topic: str, partition: int) -> int:
        return self.service.position(topic, partition)

    def reset(self) -> None:
        self.service.reset()

    def skip(self, entries: Sequence[LogEntry], reason: str) -> int:
        # What a skipped batch sends to dead-letter is counted by the InstrumentedLog.
        return self.service.skip(entries, reason)

    def handle(self, entries: Sequence[LogEntry]) -> Any:
        started = time.perf_counter()
        report = self.service.handle(entries)
        applied = self.now()
        self.metrics.batch_duration.labels(self.name).observe(time.perf_counter() - started)
        self.metrics.batch_size.labels(self.name).observe(len(entries))
        self.metrics.last_batch.labels(self.name).set(applied)
        counts: dict[tuple[str, str], int] = {}
        occurred: dict[str, list[float]] = {}
        recorded: dict[str, list[float]] = {}
        for entry in entries:
            document = _document(entry.value)
            topic = _topic_label(entry.topic)
            key = (topic, record_type(entry.topic, document))
            counts[key] = counts.get(key, 0) + 1
            if document is not None:
                if (moment := _timestamp(document.get("occurred_at"))) is not None:
                    occurred.setdefault(topic, []).append(moment)
                if (moment := _timestamp(document.get("recorded_at"))) is not None:
                    recorded.setdefault(topic, []).append(moment)
        # One labelled child per topic, not one label lookup per event.
        for family, moments in (
            (self.metrics.latency_from_occurred, occurred),
            (self.metrics.latency_from_recorded, recorded),
        ):
            for topic, values in moments.items():
                observe = family.labels(self.name, topic).observe
                for moment in values:
                    observe(max(0.0, applied - moment))
        for (topic, kind), n in counts.items():
            self.metrics.events_consumed.labels(self.name, topic, kind).inc(n)
        return report


class LagMonitor:
    """Samples consumer lag per partition (log end offset − stored position) in a daemon thread.

    Positions are read from the store, where every worker of a group writes them with its
    state, so each process reports the group's true lag whichever partitions it holds; the
    last sample stays while a server is down. ``healthy`` tells whether the store answered.
    """

    def __init__(
        self,
        log: EventLog,
        store: DocumentStore,
        metrics: Metrics,
        consumers: Iterable[tuple[str, str]],
        interval: float = 5.0,
    ) -> None:
        self.log = log
        self.store = store
        self.metrics = metrics
        self.consumers = list(consumers)  # (service name, topic)
        self.interval = interval
        self.store_ok = False
        self.lags: dict[tuple[str, str, int], int] = {}  # (service, topic, partition) → lag
        self.sampled_at: float | None = None  # time.monotonic() of the last complete sample
        self.sampled = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lag-monitor", daemon=True)

    def start(self) -> LagMonitor:
        self._thread.start()
        return self

    def sample(self) -> None:
        """Take one sample of every (service, topic, partition)."""
        for service, topic in self.consumers:
            partitions = self.log.partitions(topic)
            try:
                positions = read_positions(self.store, service, [(topic, p) for p in partitions])
                self.store_ok = True
            except Exception:  # the store adapter's own error types vary; try again next tick
                self.store_ok = False
                raise
            for (_topic, partition), position in positions.items():
                end = self.log.end_offset(topic, partition)
                labels = (service, topic, str(partition))
                self.metrics.consumer_position.labels(*labels).set(position)
                self.metrics.consumer_lag.labels(*labels).set(max(0, end - position))
                self.lags[(service, topic, partition)] = max(0, end - position)
        self.sampled_at = time.monotonic()
        self.sampled.set()

    def work_waiting(self, service: str, topic: str, partitions: Iterable[int]) -> bool:
        """Whether a fresh sample (at most two intervals old) shows lag on any of ``partitions``.

        Without a fresh sample (a server down) nothing is known, and nothing is claimed.
        """
        if self.sampled_at is None or time.monotonic() - self.sampled_at > 2 * self.interval + 1:
            return False
        return any(self.lags.get((service, topic, p), 0) > 0 for p in partitions)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sample()
            except Exception as error:
                log.warning("lag sample failed: %s", type(error).__name__)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
