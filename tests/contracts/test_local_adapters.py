"""The port contracts run against the local adapters: SQLite (embedded) and in-memory (tests)."""

from __future__ import annotations

import pytest

from streams.adapters.logs.memory import MemoryEventLog
from streams.adapters.logs.sqlite import SqliteEventLog
from streams.adapters.stores.memory import MemoryDocumentStore
from streams.adapters.stores.sqlite import SqliteDocumentStore
from tests.contracts.document_store import DocumentStoreContract
from tests.contracts.event_log import EventLogContract


class TestSqliteDocumentStore(DocumentStoreContract):
    @pytest.fixture
    def store(self, tmp_path):
        store = SqliteDocumentStore(tmp_path / "views.db")
        yield store
        store.close()


class TestSqliteEventLog(EventLogContract):
    @pytest.fixture
    def log(self, tmp_path):
        log = SqliteEventLog(tmp_path / "events.db")
        yield log
        log.close()

    @pytest.fixture
    def topic(self):
        return "contract-topic"

    def test_records_survive_reopening(self, tmp_path):
        from services.core.ports import LogRecord

        first = SqliteEventLog(tmp_path / "events.db")
        first.append("t", [LogRecord("k", b"1")])
        first.close()
        again = SqliteEventLog(tmp_path / "events.db")
        assert [e.value for e in again.read("t", 0, 0, 10)] == [b"1"]
        again.close()


class TestMemoryDocumentStore(DocumentStoreContract):
    @pytest.fixture
    def store(self):
        return MemoryDocumentStore()


class TestMemoryEventLog(EventLogContract):
    @pytest.fixture
    def log(self):
        return MemoryEventLog()

    @pytest.fixture
    def topic(self):
        return "contract-topic"
