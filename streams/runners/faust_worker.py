"""The distributed shape's workers: one Faust app per service, consuming Kafka in batches.

The agents are thin: they turn a batch of Kafka messages into :class:`LogEntry` objects and
hand them to the same service the embedded runner uses (in a worker thread, since the
store adapters block). Nothing is ever acked and dropped:

* refused messages are dead-lettered by the service itself (reason, field paths, offsets);
* a failing batch goes through :mod:`streams.runners.failure_policy`, as in the embedded
  runner: while the store or the log is unavailable it is retried with back-off, so the
  stream stops instead of skipping (Faust commits only what the agent got past); an
  unexpected error dead-letters its messages with ``processing_error`` and moves the stored
  position past them (they can be replayed after a fix: their ``event_id`` keeps a replay
  from counting twice);
* on SIGTERM the batch in hand is finished and written before the worker stops (its
  position is stored with the state, so whatever is not written yet is simply redelivered);
* a worker that holds partitions with work waiting but gets no batch for
  ``stall_exit_seconds`` exits with :data:`streams.runners.stall.STALL_EXIT_CODE`, for its
  supervisor to start it again (see :mod:`streams.runners.stall`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import time
from collections.abc import Callable
from typing import Any, Protocol

import faust

from schemas.topics import PILOT_EVENTS, PROCUREMENT_RELEASES, TopicSpec
from services.core.ports import LogEntry
from services.core.projector import BatchConsumer
from streams.observability.metrics import Metrics
from streams.observability.ops_server import WorkerHealth
from streams.runners.failure_policy import BatchAttempt
from streams.runners.stall import STALL_EXIT_CODE, StallWatch

log = logging.getLogger(__name__)


class WorkerSettings(Protocol):
    """What a worker reads of the platform's settings (the composition root passes them)."""

    kafka_bootstrap: str | None
    topic_prefix: str
    batch_size: int
    batch_wait_seconds: float
    stall_exit_seconds: float


def to_entry(event: Any, prefix: str = "") -> LogEntry:
    """A Faust event as a :class:`LogEntry` under its logical topic name (raw bytes, undecoded)."""
    message = event.message
    key = message.key.decode("utf-8", "replace") if isinstance(message.key, bytes) else message.key
    value = message.value if isinstance(message.value, bytes) else bytes(message.value or b"")
    return LogEntry(message.topic.removeprefix(prefix), message.partition, message.offset, key, value)


async def _finish(future: asyncio.Future[Any]) -> Any:
    """Await work running in a thread; if the agent is cancelled (SIGTERM), let it finish first."""
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        # Stopping: the batch is being written; wait for it so its state and position land
        # together, then let the cancellation through.
        with contextlib.suppress(Exception):
            await future
        raise


async def apply_batch(
    consumer: BatchConsumer, entries: list[LogEntry], metrics: Metrics | None = None
) -> None:
    """Hand a batch to the consumer in a worker thread, under the failure policy.

    Retried while a server is down (counted in ``batch_retries``), skipped to ``dead-letter``
    on any other error; on SIGTERM the call in hand is finished first (see :func:`_finish`).
    """
    loop = asyncio.get_running_loop()
    retries = metrics.batch_retries.labels(consumer.name).inc if metrics is not None else None
    attempt = BatchAttempt(consumer, entries, retries)
    started = loop.time()
    for call in attempt.calls():
        try:
            await _finish(loop.run_in_executor(None, call))
        except Exception as error:
            await asyncio.sleep(attempt.failed(error))
        else:
            attempt.succeeded()
    log.info(
        "%s: %d messages in %.3fs",
        consumer.name,
        len(entries),
        loop.time() - started,
        extra={"service": consumer.name, "batch": len(entries)},
    )
    gc.freeze()  # the working set stays out of full collections (see streams.runners.embedded)


SERVICE_TOPICS: dict[str, TopicSpec] = {
    "adoption": PILOT_EVENTS,
    "procurement": PROCUREMENT_RELEASES,
    "indicators": PILOT_EVENTS,
}


def build_worker_app(
    settings: WorkerSettings,
    service: BatchConsumer,
    health: WorkerHealth | None = None,
    metrics: Metrics | None = None,
    group: str | None = None,
    work_waiting: Callable[[set[int]], bool] | None = None,
) -> faust.App:
    """A Faust app with one agent feeding ``service`` from its topic in batches.

    ``health`` gets the event loop's heartbeat and learns when partitions were first
    assigned (the worker is ready from then on, with the store reachable). ``group`` names
    the consumer group (default: ``alliance-<prefix><service>``). ``work_waiting`` tells
    whether records wait on any of the given partitions; with it, a stalled worker exits.
    """
    spec = SERVICE_TOPICS[service.name]
    app = faust.App(
        group or f"alliance-{settings.topic_prefix}{service.name}",
        broker=f"kafka://{settings.kafka_bootstrap}",
        key_serializer="raw",
        value_serializer="raw",
        store="memory://",
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=False,
        topic_disable_leader=True,
        stream_wait_empty=False,
        broker_commit_every=settings.batch_size,
        broker_commit_interval=1.0,
        # A killed worker's partitions move to the others after this long (Faust's default
        # of 60 s would leave them unconsumed for a minute).
        broker_session_timeout=10.0,
        broker_heartbeat_interval=2.0,
    )
    topic_name = settings.topic_prefix + spec.name
    topic = app.topic(topic_name, key_type=bytes, value_type=bytes, partitions=spec.partitions)
    watch = StallWatch(settings.stall_exit_seconds, time.monotonic())

    @app.on_partitions_assigned.connect
    async def _forget_working_set(_app: Any, assigned: Any = None, **_kwargs: Any) -> None:
        # After a rebalance other workers may have written for these partitions: reload.
        service.reset()
        if health is not None:
            health.recovered = True
        watch.progressed(time.monotonic())

    if health is not None:

        @app.timer(1.0)
        async def _heartbeat() -> None:
            health.beat()

    if work_waiting is not None and settings.stall_exit_seconds > 0:

        @app.timer(min(5.0, settings.stall_exit_seconds))
        async def _watchdog() -> None:
            assigned = {tp.partition for tp in app.consumer.assignment() if tp.topic == topic_name}
            if watch.stalled(time.monotonic(), bool(assigned) and work_waiting(assigned)):
                log.error(
                    "%s: records wait on partitions %s but no batch came for %.0fs; exiting for a restart",
                    service.name,
                    sorted(assigned),
                    settings.stall_exit_seconds,
                    extra={"service": service.name},
                )
                # Positions are stored with the state: a restart carries on where this stopped.
                os._exit(STALL_EXIT_CODE)

    @app.agent(topic, name=f"{service.name}-agent", concurrency=1)
    async def consume(stream: Any) -> None:
        async for batch in stream.take_events(settings.batch_size, within=settings.batch_wait_seconds):
            watch.busy = True
            try:
                await apply_batch(service, [to_entry(e, settings.topic_prefix) for e in batch], metrics)
            finally:
                watch.busy = False
                watch.progressed(time.monotonic())

    return app
