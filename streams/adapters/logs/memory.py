"""An in-memory :class:`services.core.ports.EventLog` for unit and property tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.core.ports import LogEntry, LogRecord


class MemoryEventLog:
    """Topics as lists; one partition each."""

    def __init__(self) -> None:
        self.topics: dict[str, list[LogEntry]] = {}

    def ensure_topics(self, topics: Mapping[str, int]) -> None:
        for name in topics:
            self.topics.setdefault(name, [])

    def append(self, topic: str, records: Sequence[LogRecord]) -> None:
        entries = self.topics.setdefault(topic, [])
        for record in records:
            entries.append(LogEntry(topic, 0, len(entries), record.key, record.value))

    def partitions(self, topic: str) -> list[int]:
        return [0]

    def read(self, topic: str, partition: int, offset: int, limit: int) -> list[LogEntry]:
        if partition != 0:
            return []
        return self.topics.get(topic, [])[offset : offset + limit]

    def end_offset(self, topic: str, partition: int) -> int:
        return len(self.topics.get(topic, []))

    def close(self) -> None:
        pass
