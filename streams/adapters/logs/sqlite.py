"""The embedded event log: Kafka-like topics in one SQLite file.

Records get increasing offsets per topic (one partition each: one machine needs no
more); appends are durable on return (WAL, ``synchronous=FULL``). Consumers keep their
own positions next to the state they produced, so this log stores no consumer offsets.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from services.core.ports import LogEntry, LogRecord
from streams.adapters.sqlite_file import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    topic TEXT NOT NULL,
    offset INTEGER NOT NULL,
    key TEXT,
    value BLOB NOT NULL,
    PRIMARY KEY (topic, offset)
) WITHOUT ROWID;
"""


class SqliteEventLog:
    """:class:`services.core.ports.EventLog` on a local SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # The log is the system of record: an acknowledged append is on disk.
        self._db = SqliteFile(self.path, synchronous="FULL")
        self._writer = self._db.writer
        self._lock = self._db.lock
        self._reader = self._db.reader
        self._writer.executescript(_SCHEMA)
        self._next: dict[str, int] = {}
        self.appended = threading.Condition()

    def ensure_topics(self, topics: Mapping[str, int]) -> None:
        with self._lock:
            for name, _partitions in topics.items():
                # One partition per topic: ordering is total on a single machine.
                self._writer.execute("INSERT OR IGNORE INTO topics VALUES (?, 1)", (name,))

    def append(self, topic: str, records: Sequence[LogRecord]) -> None:
        if not records:
            return
        with self._lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                row = self._writer.execute(
                    "SELECT COALESCE(MAX(offset) + 1, 0) FROM records WHERE topic = ?", (topic,)
                ).fetchone()
                start = int(row[0])
                self._writer.executemany(
                    "INSERT INTO records (topic, offset, key, value) VALUES (?, ?, ?, ?)",
                    [(topic, start + i, r.key, r.value) for i, r in enumerate(records)],
                )
                self._writer.execute("INSERT OR IGNORE INTO topics VALUES (?, 1)", (topic,))
                self._writer.execute("COMMIT")
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
        with self.appended:
            self.appended.notify_all()

    def partitions(self, topic: str) -> list[int]:
        return [0]

    def read(self, topic: str, partition: int, offset: int, limit: int) -> list[LogEntry]:
        if partition != 0:
            return []
        rows = self._reader().execute(
            "SELECT offset, key, value FROM records WHERE topic = ? AND offset >= ? ORDER BY offset LIMIT ?",
            (topic, offset, limit),
        )
        return [LogEntry(topic, 0, int(o), k, bytes(v)) for o, k, v in rows]

    def end_offset(self, topic: str, partition: int) -> int:
        row = (
            self._reader()
            .execute("SELECT COALESCE(MAX(offset) + 1, 0) FROM records WHERE topic = ?", (topic,))
            .fetchone()
        )
        return int(row[0])

    def wait_for_append(self, timeout: float) -> None:
        """Block until something is appended in this process, or ``timeout`` passes."""
        with self.appended:
            self.appended.wait(timeout)

    def close(self) -> None:
        self._db.close()
