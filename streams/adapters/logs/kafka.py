"""The distributed event log: Apache Kafka through kafka-python's blocking clients.

Called from worker and API threads, never from an event loop. Three clients, each made
on first use:

* one idempotent producer (``enable_idempotence=True``, ``acks="all"``) shared by all
  threads; :meth:`KafkaEventLog.append` sends a batch, flushes and checks every record's
  future, so it returns only when the broker acknowledged all of them and raises
  :class:`services.core.ports.Unavailable` otherwise. After a failure the producer is thrown
  away and the next append starts a fresh one; a retried batch may then be written twice
  (at least once); the adoption projection counts and skips repeated event ids;
* one consumer per thread (``KafkaConsumer`` is not thread-safe) with no consumer group:
  reads ``assign`` + ``seek`` and keep no committed offsets, because consumers keep
  their positions next to the state they produce;
* one admin client for :meth:`KafkaEventLog.ensure_topics`.

Offsets: without transactions the idempotent producer writes no control records, so the
offsets of one partition are contiguous; callers only rely on them increasing, with
:meth:`KafkaEventLog.end_offset` the offset of the next record.

Every client call is bounded by ``timeout_s`` (bootstrap, metadata, requests); a broker
that does not answer becomes :class:`Unavailable` after about that long, never a hang.

kafka-python 3.x notes met here: producer, consumer and admin client all bootstrap in
their constructors (``bootstrap_timeout_ms``), so an absent broker already fails there;
``create_topics`` with ``raise_errors=False`` reports per-topic error codes
(``TopicAlreadyExistsError`` is code 36), and ``wait_for_topics`` waits until every
partition has a leader (immediate on one node; on a cluster leadership can lag the
create response); reconnect backoff grows to 30 s by default, capped here at 1 s so
clients recover promptly after a broker restart; a producer send to a broker that went
away fails only when ``delivery_timeout_ms`` expires, so it is tied to ``timeout_s``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import kafka.errors as kafka_errors
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from schemas.topics import TOPICS, TopicSpec
from services.core.ports import LogEntry, LogRecord, Unavailable

_CLIENT_ID = "innlandet-welfare-alliance"
_OK = 0
# kafka-python backs off reconnects exponentially up to 30 s by default: after a broker
# restart the first read took seconds or timed out. Capped at 1 s it answers at once.
_RECONNECT_BACKOFF_MAX_MS = 1000


@contextlib.contextmanager
def _reachable(what: str) -> Iterator[None]:
    """Turn kafka-python's errors (and socket errors) into :class:`Unavailable`."""
    try:
        yield
    except (kafka_errors.KafkaError, OSError) as exc:
        raise Unavailable(f"Kafka unavailable during {what}: {type(exc).__name__}: {exc}") from exc


def _create(
    admin: KafkaAdminClient,
    topics: Mapping[str, dict[str, Any]],
    timeout_ms: int,
) -> list[str]:
    """Create ``topics`` (name → create options); ignore existing ones; wait for leaders.

    Returns the names that were created now.
    """
    if not topics:
        return []
    result = admin.create_topics(dict(topics), timeout_ms=timeout_ms, raise_errors=False)
    created: list[str] = []
    for topic in result.get("topics", []):
        code = topic.get("error_code", _OK)
        if code == _OK:
            created.append(topic["name"])
        elif code != kafka_errors.TopicAlreadyExistsError.errno:
            error = kafka_errors.for_code(code)
            raise error(f"creating topic {topic['name']!r}: {topic.get('error_message') or error.__name__}")
    admin.wait_for_topics(list(topics), timeout_ms=timeout_ms)
    return created


def create_topics(
    bootstrap: str,
    specs: Iterable[TopicSpec] = TOPICS,
    *,
    replication_factor: int = 1,
    timeout_s: float = 30.0,
) -> list[str]:
    """The admin step: create the platform's topics with their partitions and retention.

    Existing topics are left as they are (neither partitions nor ``retention.ms`` are
    changed). Returns the names created now; raises :class:`Unavailable` when the
    broker cannot be reached.
    """
    timeout_ms = int(timeout_s * 1000)
    wanted = {
        spec.name: {
            "num_partitions": spec.partitions,
            "replication_factor": replication_factor,
            "configs": {"retention.ms": str(spec.retention_ms)},
        }
        for spec in specs
    }
    with _reachable("create_topics"):
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id=f"{_CLIENT_ID}-admin",
            bootstrap_timeout_ms=timeout_ms,
            request_timeout_ms=timeout_ms,
        )
        try:
            return _create(admin, wanted, timeout_ms)
        finally:
            admin.close()


class KafkaEventLog:
    """:class:`services.core.ports.EventLog` on Kafka (blocking clients, thread-safe)."""

    def __init__(
        self,
        bootstrap: str,
        *,
        timeout_s: float = 10.0,
        linger_ms: int = 5,
        replication_factor: int = 1,
    ) -> None:
        if not bootstrap:
            raise ValueError("KafkaEventLog needs a bootstrap address (host:port[,host:port])")
        self.bootstrap = bootstrap
        self.timeout_s = timeout_s
        self.linger_ms = linger_ms
        self.replication_factor = replication_factor
        self._timeout_ms = int(timeout_s * 1000)
        self._lock = threading.Lock()
        self._producer: KafkaProducer | None = None
        self._admin: KafkaAdminClient | None = None
        self._local = threading.local()
        self._consumers: list[KafkaConsumer] = []
        self._closed = False

    # --- clients ---------------------------------------------------------------------

    def _get_producer(self) -> KafkaProducer:
        with self._lock:
            self._check_open()
            if self._producer is None:
                self._producer = KafkaProducer(
                    bootstrap_servers=self.bootstrap,
                    client_id=f"{_CLIENT_ID}-producer",
                    enable_idempotence=True,
                    acks="all",
                    linger_ms=self.linger_ms,
                    bootstrap_timeout_ms=self._timeout_ms,
                    max_block_ms=self._timeout_ms,
                    request_timeout_ms=self._timeout_ms,
                    # kafka-python requires delivery >= linger + request timeout.
                    delivery_timeout_ms=self._timeout_ms + self.linger_ms,
                    reconnect_backoff_max_ms=_RECONNECT_BACKOFF_MAX_MS,
                )
            return self._producer

    def _discard_producer(self, producer: KafkaProducer) -> None:
        with self._lock:
            if self._producer is producer:
                self._producer = None
        # Best effort: the client is already failing.
        with contextlib.suppress(Exception):
            producer.close(timeout=0)

    def _get_admin(self) -> KafkaAdminClient:
        with self._lock:
            self._check_open()
            if self._admin is None:
                self._admin = KafkaAdminClient(
                    bootstrap_servers=self.bootstrap,
                    client_id=f"{_CLIENT_ID}-admin",
                    bootstrap_timeout_ms=self._timeout_ms,
                    request_timeout_ms=self._timeout_ms,
                    reconnect_backoff_max_ms=_RECONNECT_BACKOFF_MAX_MS,
                )
            return self._admin

    def _consumer(self) -> KafkaConsumer:
        consumer: KafkaConsumer | None = getattr(self._local, "consumer", None)
        if consumer is None:
            self._check_open()
            consumer = KafkaConsumer(
                bootstrap_servers=self.bootstrap,
                client_id=f"{_CLIENT_ID}-reader",
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                allow_auto_create_topics=False,
                bootstrap_timeout_ms=self._timeout_ms,
                request_timeout_ms=self._timeout_ms,
                fetch_max_wait_ms=200,
                reconnect_backoff_max_ms=_RECONNECT_BACKOFF_MAX_MS,
            )
            with self._lock:
                self._consumers.append(consumer)
            self._local.consumer = consumer
        return consumer

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("KafkaEventLog is closed")

    # --- the port --------------------------------------------------------------------

    def ensure_topics(self, topics: Mapping[str, int]) -> None:
        """Create the topics (name → partitions) that do not exist yet, and wait for leaders."""
        wanted = {
            name: {"num_partitions": partitions, "replication_factor": self.replication_factor}
            for name, partitions in topics.items()
        }
        with _reachable("ensure_topics"):
            _create(self._get_admin(), wanted, self._timeout_ms)

    def append(self, topic: str, records: Sequence[LogRecord]) -> None:
        """Send every record (keyed), flush, and check each acknowledgement.

        Returns only when all records are acknowledged by all in-sync replicas; raises
        :class:`Unavailable` on any Kafka error or timeout (nothing is silently lost,
        but a failed batch may have been partly written: retry it whole).
        """
        if not records:
            return
        with _reachable("append"):
            producer = self._get_producer()
            try:
                futures = [
                    producer.send(
                        topic,
                        value=record.value,
                        key=record.key.encode("utf-8") if record.key is not None else None,
                    )
                    for record in records
                ]
                producer.flush(timeout=self.timeout_s + 5)
                for future in futures:
                    future.get(timeout=self.timeout_s)
            except (kafka_errors.KafkaError, OSError):
                self._discard_producer(producer)
                raise

    def partitions(self, topic: str) -> list[int]:
        """The topic's partition numbers (empty when the topic does not exist)."""
        with _reachable("partitions"):
            return sorted(self._consumer().partitions_for_topic(topic) or ())

    def read(self, topic: str, partition: int, offset: int, limit: int) -> list[LogEntry]:
        """Up to ``limit`` records at or after ``offset``, in offset order.

        Reads up to the end offset seen at the start of the call; records appended
        meanwhile are left for the next call.
        """
        if limit <= 0:
            return []
        tp = TopicPartition(topic, partition)
        with _reachable("read"):
            consumer = self._consumer()
            end = consumer.end_offsets([tp], timeout_ms=self._timeout_ms)[tp]
            if offset >= end:
                return []
            if consumer.assignment() != {tp}:
                consumer.assign([tp])
            consumer.seek(tp, max(offset, 0))
            entries: list[LogEntry] = []
            deadline = time.monotonic() + self.timeout_s
            while len(entries) < limit:
                remaining_ms = int((deadline - time.monotonic()) * 1000)
                if remaining_ms <= 0:
                    if entries:
                        break
                    raise kafka_errors.KafkaTimeoutError(
                        f"no records from {topic}[{partition}] at {offset} (end {end}) "
                        f"within {self.timeout_s:.0f}s"
                    )
                batch = consumer.poll(timeout_ms=min(remaining_ms, 1000), max_records=limit - len(entries))
                for record in batch.get(tp, ()):
                    if record.offset < offset:
                        continue
                    entries.append(
                        LogEntry(
                            topic=topic,
                            partition=partition,
                            offset=record.offset,
                            key=record.key.decode("utf-8") if record.key is not None else None,
                            value=bytes(record.value) if record.value is not None else b"",
                        )
                    )
                if entries and entries[-1].offset + 1 >= end:
                    break
                if consumer.position(tp, timeout_ms=self._timeout_ms) >= end:
                    break
            return entries

    def end_offset(self, topic: str, partition: int) -> int:
        """The offset the next appended record will get (the high watermark)."""
        tp = TopicPartition(topic, partition)
        with _reachable("end_offset"):
            return int(self._consumer().end_offsets([tp], timeout_ms=self._timeout_ms)[tp])

    def close(self) -> None:
        """Flush and close the producer, then close the admin client and every consumer."""
        with self._lock:
            self._closed = True
            producer, self._producer = self._producer, None
            admin, self._admin = self._admin, None
            consumers, self._consumers = self._consumers, []
        if producer is not None:
            producer.close(timeout=self.timeout_s)
        if admin is not None:
            admin.close()
        for consumer in consumers:
            consumer.close(autocommit=False)
