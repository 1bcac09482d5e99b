"""The port contracts against real servers: Kafka (``KafkaEventLog``) and FerretDB
(``MongoDocumentStore``), plus what only real servers can show: unreachable servers
become ``Unavailable`` promptly, topic creation applies partitions and retention, and
FerretDB's quirks are handled.
"""

from __future__ import annotations

import math
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from schemas.topics import TopicSpec
from services.core.ports import LogRecord, Unavailable, Upsert
from streams.adapters.logs.kafka import KafkaEventLog, create_topics
from streams.adapters.stores.mongo import MongoDocumentStore
from tests.contracts.document_store import DocumentStoreContract
from tests.contracts.event_log import EventLogContract
from tests.support import servers

pytestmark = pytest.mark.integration


def _fresh(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def _dead_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- DocumentStore on FerretDB ---------------------------------------------------------


@pytest.fixture
def mongo_store(ferretdb_uri: str) -> Iterator[MongoDocumentStore]:
    """A store on a fresh database, dropped afterwards."""
    store = MongoDocumentStore(ferretdb_uri, _fresh("contract_"))
    yield store
    store._client.drop_database(store.database_name)
    store.close()


class TestMongoDocumentStore(DocumentStoreContract):
    @pytest.fixture
    def store(self, mongo_store: MongoDocumentStore) -> MongoDocumentStore:
        return mongo_store

    def test_limit_zero_and_descending_id_sort(self, store: MongoDocumentStore) -> None:
        store.write([Upsert("things", {"_id": i}) for i in ("a", "b", "c")])
        assert store.find("things", limit=0) == []
        assert [d["_id"] for d in store.find("things", sort="-_id")] == ["c", "b", "a"]

    def test_equal_sort_keys_break_ties_by_id(self, store: MongoDocumentStore) -> None:
        store.write([Upsert("things", {"_id": i, "rank": 1}) for i in ("c", "a", "b")])
        assert [d["_id"] for d in store.find("things", sort="-rank")] == ["a", "b", "c"]

    def test_insert_new_with_duplicates_inside_one_batch(self, store: MongoDocumentStore) -> None:
        assert store.insert_new("ids", [{"_id": "x", "v": 1}, {"_id": "x", "v": 2}]) == {"x"}
        assert store.get("ids", "x") == {"_id": "x", "v": 1}

    def test_rejects_operators_and_bad_names(self, store: MongoDocumentStore) -> None:
        with pytest.raises(ValueError):
            store.find("things", {"n": {"$gt": 1}})
        with pytest.raises(ValueError):
            store.find("things", {"$where": "1"})
        with pytest.raises(ValueError):
            store.get("system.users", "x")

    def test_nan_is_refused_as_bad_data_not_as_an_outage(self, store: MongoDocumentStore) -> None:
        # FerretDB closes the connection on NaN; that must not look like Unavailable.
        with pytest.raises(ValueError, match="NaN"):
            store.write([Upsert("nums", {"_id": "n", "x": [1.0, math.nan]})])
        with pytest.raises(ValueError, match="NaN"):
            store.insert_new("nums", [{"_id": "m", "x": {"y": math.nan}}])
        store.write([Upsert("nums", {"_id": "ok", "x": 1.5})])
        assert store.get("nums", "ok") == {"_id": "ok", "x": 1.5}

    def test_concurrent_writers_and_readers(self, store: MongoDocumentStore) -> None:
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                store.write([Upsert("threads", {"_id": f"{n}-{i}", "n": n}) for i in range(50)])
                assert store.count("threads", {"n": n}) == 50
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert store.count("threads") == 400


def test_mongo_store_on_a_dead_port_raises_unavailable_promptly() -> None:
    store = MongoDocumentStore(f"mongodb://127.0.0.1:{_dead_port()}/", "nowhere", timeout_ms=1000)
    started = time.monotonic()
    try:
        with pytest.raises(Unavailable):
            store.get("things", "a")
        with pytest.raises(Unavailable):
            store.write([Upsert("things", {"_id": "a"})])
        with pytest.raises(Unavailable):
            store.ping()
    finally:
        store.close()
    assert time.monotonic() - started < 15


# --- EventLog on Kafka -----------------------------------------------------------------


@pytest.fixture(scope="module")
def kafka_log(kafka_bootstrap: str) -> Iterator[KafkaEventLog]:
    """One connected log for the module (clients are reused; topics are fresh per test)."""
    log = KafkaEventLog(kafka_bootstrap)
    yield log
    log.close()


class TestKafkaEventLog(EventLogContract):
    @pytest.fixture
    def log(self, kafka_log: KafkaEventLog) -> KafkaEventLog:
        return kafka_log

    @pytest.fixture
    def topic(self) -> str:
        return _fresh("contract-")

    def test_offsets_are_contiguous_from_zero(self, log: KafkaEventLog, topic: str) -> None:
        log.ensure_topics({topic: 1})
        log.append(topic, [LogRecord("k", str(i).encode()) for i in range(5)])
        log.append(topic, [LogRecord(None, b"5")])
        assert [e.offset for e in log.read(topic, 0, 0, 100)] == list(range(6))
        assert log.end_offset(topic, 0) == 6

    def test_keys_stay_on_one_partition(self, log: KafkaEventLog, topic: str) -> None:
        log.ensure_topics({topic: 4})
        assert log.partitions(topic) == [0, 1, 2, 3]
        log.append(topic, [LogRecord(f"34{i % 3:02d}", f"{i}".encode()) for i in range(30)])
        by_key: dict[str | None, set[int]] = {}
        values: list[int] = []
        for partition in log.partitions(topic):
            entries = log.read(topic, partition, 0, 1000)
            for entry in entries:
                by_key.setdefault(entry.key, set()).add(entry.partition)
            per_key: dict[str | None, list[int]] = {}
            for entry in entries:
                per_key.setdefault(entry.key, []).append(int(entry.value))
            assert all(v == sorted(v) for v in per_key.values()), "order within a key is kept"
            values += [int(e.value) for e in entries]
        assert all(len(p) == 1 for p in by_key.values())
        assert sorted(values) == list(range(30))

    def test_unknown_topic_has_no_partitions(self, log: KafkaEventLog, topic: str) -> None:
        assert log.partitions(topic) == []

    def test_concurrent_readers_and_writers(self, log: KafkaEventLog, topic: str) -> None:
        log.ensure_topics({topic: 1})
        errors: list[BaseException] = []

        def write(n: int) -> None:
            try:
                log.append(topic, [LogRecord(str(n), f"{n}:{i}".encode()) for i in range(20)])
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        def read() -> None:
            try:
                for _ in range(5):
                    log.read(topic, 0, 0, 50)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        threads += [threading.Thread(target=read) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        entries = log.read(topic, 0, 0, 1000)
        assert len(entries) == 80
        for n in range(4):
            mine = [e.value.decode() for e in entries if e.key == str(n)]
            assert mine == [f"{n}:{i}" for i in range(20)]


def test_append_to_a_dead_port_raises_unavailable_promptly() -> None:
    log = KafkaEventLog(f"127.0.0.1:{_dead_port()}")
    started = time.monotonic()
    try:
        with pytest.raises(Unavailable):
            log.append("pilot-events", [LogRecord("3401", b"{}")])
    finally:
        log.close()
    assert time.monotonic() - started < 15


def test_create_topics_applies_partitions_and_retention(kafka_bootstrap: str) -> None:
    specs = (
        TopicSpec(_fresh("admin-a-"), partitions=3, retention_ms=-1, key="k", description="forever"),
        TopicSpec(_fresh("admin-b-"), partitions=1, retention_ms=3_600_000, key="k", description="an hour"),
    )
    assert sorted(create_topics(kafka_bootstrap, specs)) == sorted(s.name for s in specs)
    assert create_topics(kafka_bootstrap, specs) == []  # idempotent

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        described = {t["name"]: len(t["partitions"]) for t in admin.describe_topics([s.name for s in specs])}
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, s.name, {"retention.ms": None}) for s in specs]
        )
    finally:
        admin.close()
    assert described == {s.name: s.partitions for s in specs}
    retention = {name: entries["retention.ms"]["value"] for name, entries in configs["topic"].items()}
    assert retention == {s.name: str(s.retention_ms) for s in specs}


def test_admin_main_creates_the_platform_topics(
    kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from schemas.topics import TOPICS
    from streams import admin

    monkeypatch.setenv("ALLIANCE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    assert admin.main([]) == 0
    out = capsys.readouterr().out
    assert all(spec.name in out for spec in TOPICS)
    log = KafkaEventLog(kafka_bootstrap)
    try:
        assert {spec.name: len(log.partitions(spec.name)) for spec in TOPICS} == {
            spec.name: spec.partitions for spec in TOPICS
        }
    finally:
        log.close()


@pytest.mark.slow
def test_log_recovers_after_a_broker_crash(kafka_log: KafkaEventLog) -> None:
    topic = _fresh("crash-")
    kafka_log.ensure_topics({topic: 1})
    kafka_log.append(topic, [LogRecord("k", b"before")])
    servers.kill_kafka()
    try:
        started = time.monotonic()
        with pytest.raises(Unavailable):
            kafka_log.append(topic, [LogRecord("k", b"lost")])
        assert time.monotonic() - started < 15
    finally:
        servers.start_kafka()
    kafka_log.append(topic, [LogRecord("k", b"after")])
    assert [e.value for e in kafka_log.read(topic, 0, 0, 10)] == [b"before", b"after"]
