"""The stalled-worker watchdog: when a worker with records waiting gives up and exits."""

from __future__ import annotations

import time

from services.core.ports import LogRecord, Upsert
from services.core.positions import POSITIONS, position_id
from streams.adapters.logs.memory import MemoryEventLog
from streams.adapters.stores.memory import MemoryDocumentStore
from streams.observability.instrumented import LagMonitor
from streams.observability.metrics import Metrics
from streams.runners.stall import StallWatch


def test_records_waiting_and_no_batch_for_longer_than_the_limit_is_a_stall():
    watch = StallWatch(limit=120, last_progress=0)
    assert not watch.stalled(100, work_waiting=True)
    assert watch.stalled(121, work_waiting=True)


def test_an_idle_worker_is_never_stalled_and_its_clock_restarts():
    watch = StallWatch(limit=120, last_progress=0)
    assert not watch.stalled(500, work_waiting=False)
    assert not watch.stalled(600, work_waiting=True)  # waiting for 100 s only
    assert watch.stalled(621, work_waiting=True)


def test_a_batch_in_hand_is_not_a_stall_even_while_it_retries_for_long():
    watch = StallWatch(limit=120, last_progress=0)
    watch.busy = True  # e.g. retrying while the read-model server is down
    assert not watch.stalled(1000, work_waiting=True)
    watch.busy = False
    watch.progressed(1000)
    assert not watch.stalled(1100, work_waiting=True)


def test_a_limit_of_zero_never_stalls():
    assert not StallWatch(limit=0, last_progress=0).stalled(10**6, work_waiting=True)


def _monitor() -> tuple[LagMonitor, MemoryEventLog, MemoryDocumentStore]:
    log, store = MemoryEventLog(), MemoryDocumentStore()
    log.ensure_topics({"pilot-events": 2})
    metrics = Metrics("worker-adoption", "distributed")
    monitor = LagMonitor(log, store, metrics, [("adoption", "pilot-events")], interval=5)
    return monitor, log, store


def test_work_waits_on_a_partition_whose_position_is_behind_the_log():
    monitor, log, store = _monitor()
    log.append("pilot-events", [LogRecord(key="3401", value=b"{}")])
    (partition,) = [p for p in log.partitions("pilot-events") if log.end_offset("pilot-events", p)]
    other = 1 - partition
    monitor.sample()
    assert monitor.work_waiting("adoption", "pilot-events", {partition})
    assert not monitor.work_waiting("adoption", "pilot-events", {other})
    position = {
        "_id": position_id("adoption", "pilot-events", partition),
        "consumer": "adoption",
        "topic": "pilot-events",
        "partition": partition,
        "offset": 1,
    }
    store.write([Upsert(POSITIONS, position)])
    monitor.sample()
    assert not monitor.work_waiting("adoption", "pilot-events", {partition})


def test_without_a_fresh_sample_nothing_is_claimed():
    monitor, log, _store = _monitor()
    log.append("pilot-events", [LogRecord(key="3401", value=b"{}")])
    assert not monitor.work_waiting("adoption", "pilot-events", {0, 1})  # never sampled
    monitor.sample()
    assert monitor.work_waiting("adoption", "pilot-events", {0, 1})
    monitor.sampled_at = time.monotonic() - 60  # a server has been down since
    assert not monitor.work_waiting("adoption", "pilot-events", {0, 1})
