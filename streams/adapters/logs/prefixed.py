"""Namespacing of topics: the same platform on a shared broker under a prefix.

Services keep using the logical names (``pilot-events``); this adapter maps them to
``<prefix>pilot-events`` on the way out and back on the way in. Useful for several
environments or test runs on one Kafka cluster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from services.core.ports import EventLog, LogEntry, LogRecord


class PrefixedEventLog:
    """An :class:`services.core.ports.EventLog` that prefixes every topic name of ``inner``."""

    def __init__(self, inner: EventLog, prefix: str) -> None:
        self.inner = inner
        self.prefix = prefix

    def ensure_topics(self, topics: Mapping[str, int]) -> None:
        self.inner.ensure_topics({self.prefix + name: n for name, n in topics.items()})

    def append(self, topic: str, records: Sequence[LogRecord]) -> None:
        self.inner.append(self.prefix + topic, records)

    def partitions(self, topic: str) -> list[int]:
        return self.inner.partitions(self.prefix + topic)

    def read(self, topic: str, partition: int, offset: int, limit: int) -> list[LogEntry]:
        return [
            replace(e, topic=topic) for e in self.inner.read(self.prefix + topic, partition, offset, limit)
        ]

    def end_offset(self, topic: str, partition: int) -> int:
        return self.inner.end_offset(self.prefix + topic, partition)

    def close(self) -> None:
        self.inner.close()
