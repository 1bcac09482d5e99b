"""The contract every :class:`services.core.ports.EventLog` adapter must keep.

Subclass :class:`EventLogContract` and provide ``log`` (a connected log) and ``topic`` (a
fresh topic name with one partition for this test).
"""

from __future__ import annotations

import pytest

from services.core.ports import LogRecord


class EventLogContract:
    @pytest.fixture
    def log(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    @pytest.fixture
    def topic(self):  # pragma: no cover - provided by subclasses
        raise NotImplementedError

    def _all(self, log, topic):
        entries = []
        for partition in log.partitions(topic):
            entries += log.read(topic, partition, 0, 10_000)
        return entries

    def test_empty_topic_reads_nothing(self, log, topic):
        log.ensure_topics({topic: 1})
        assert self._all(log, topic) == []
        assert all(log.end_offset(topic, p) == 0 for p in log.partitions(topic))

    def test_append_then_read_back_in_order_with_keys(self, log, topic):
        log.ensure_topics({topic: 1})
        log.append(topic, [LogRecord("3420", b'{"n":1}'), LogRecord("3420", b'{"n":2}')])
        log.append(topic, [LogRecord(None, b'{"n":3}')])
        entries = self._all(log, topic)
        assert [e.value for e in entries] == [b'{"n":1}', b'{"n":2}', b'{"n":3}']
        assert [e.key for e in entries] == ["3420", "3420", None]
        offsets = [e.offset for e in entries]
        assert offsets == sorted(offsets) and len(set(offsets)) == 3
        assert all(e.topic == topic for e in entries)

    def test_read_from_offset_and_limit(self, log, topic):
        log.ensure_topics({topic: 1})
        log.append(topic, [LogRecord("k", str(i).encode()) for i in range(10)])
        (partition,) = log.partitions(topic)
        first = log.read(topic, partition, 0, 4)
        assert [e.value for e in first] == [b"0", b"1", b"2", b"3"]
        rest = log.read(topic, partition, first[-1].offset + 1, 100)
        assert [e.value for e in rest] == [str(i).encode() for i in range(4, 10)]
        assert log.end_offset(topic, partition) == rest[-1].offset + 1
        assert log.read(topic, partition, log.end_offset(topic, partition), 10) == []

    def test_ensure_topics_is_idempotent(self, log, topic):
        log.ensure_topics({topic: 1})
        log.ensure_topics({topic: 1})
        assert log.partitions(topic) == [0]

    def test_large_batch_round_trips(self, log, topic):
        log.ensure_topics({topic: 1})
        log.append(topic, [LogRecord(f"k{i % 7}", b"x" * 1000) for i in range(2000)])
        assert len(self._all(log, topic)) == 2000
