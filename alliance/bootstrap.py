"""The composition root: builds adapters from settings and wires the services to them.

Nothing else in the code base chooses an adapter. Entry points (API, CLI, workers)
call :func:`build_platform` and use what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from alliance.settings import Settings
from schemas.topics import PILOT_EVENTS, PROCUREMENT_RELEASES, TOPICS
from services.adoption.service import AdoptionService
from services.core.dead_letters import DeadLetterLog, DeadLetterSink
from services.core.ports import DocumentStore, EventLog
from services.governance.audit import AuditLog
from services.governance.membership import MembershipService
from services.indicators.queries import IndicatorQueries
from services.indicators.service import IndicatorsService
from services.insights.queries import InsightQueries
from services.insights.views import Queries
from services.intake.events import IngestService
from services.intake.releases import ProcurementIngest
from services.procurement.queries import ProcurementQueries
from services.procurement.service import ProcurementService
from streams.adapters.view_cache import ViewCache
from streams.observability.instrumented import (
    InstrumentedLog,
    InstrumentedStore,
    LagMonitor,
    MeasuredConsumer,
)
from streams.observability.metrics import Metrics
from streams.runners.embedded import EmbeddedRunner, LogPump

if TYPE_CHECKING:
    from fastapi import FastAPI


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Platform:
    """Everything an entry point needs, built once per process."""

    settings: Settings
    log: EventLog
    store: DocumentStore
    clock: Callable[[], datetime]
    ingest: IngestService
    adoption: AdoptionService
    membership: MembershipService
    queries: Queries
    procurement_ingest: ProcurementIngest
    procurement: ProcurementService
    procurement_queries: ProcurementQueries
    insights: InsightQueries
    pumps: list[LogPump] = field(default_factory=list)
    runner: EmbeddedRunner | None = None
    view_cache: ViewCache = field(default_factory=lambda: ViewCache(lambda: None, 0))
    indicators: IndicatorsService | None = None
    indicator_queries: IndicatorQueries | None = None
    metrics: Metrics = field(default_factory=lambda: Metrics("api", "embedded"))
    consumers: dict[str, MeasuredConsumer] = field(default_factory=dict)
    lag_monitor: LagMonitor | None = None
    audit: AuditLog | None = None

    @property
    def dead_letters(self) -> DeadLetterLog:
        """The read side of ``dead-letter`` (list, show, replay)."""
        return DeadLetterLog(self.log)

    def monitor_lag(self, services: tuple[str, ...] | None = None) -> LagMonitor:
        """Sample the consumer lag of ``services`` (default: all) into the metrics (API, workers)."""
        if self.lag_monitor is None:
            watched = [
                (p.consumer.name, p.topic)
                for p in self.pumps
                if services is None or p.consumer.name in services
            ]
            self.lag_monitor = LagMonitor(
                self.log, self.store, self.metrics, watched, self.settings.lag_sample_seconds
            ).start()
        return self.lag_monitor

    def start_processing(self) -> None:
        """Embedded shape: consume the local log in a background thread."""
        if self.runner is None and self.pumps and self.settings.shape == "embedded":
            wait = getattr(self.log, "wait_for_append", None)
            retried = self.metrics.batch_retries.labels("embedded")
            self.runner = EmbeddedRunner(self.pumps, wait=wait, on_retry=retried.inc)
            self.runner.start()

    def drain(self) -> int:
        """Process everything in the log now (import, rebuild, tests)."""
        return sum(p.drain() for p in self.pumps)

    def close(self) -> None:
        if self.lag_monitor is not None:
            self.lag_monitor.stop()
        if self.runner is not None:
            self.runner.stop()
        self.log.close()
        self.store.close()


def build_log(settings: Settings) -> EventLog:
    log: EventLog
    if settings.shape == "embedded":
        from streams.adapters.logs.sqlite import SqliteEventLog

        log = SqliteEventLog(settings.data_dir / "events.db")
    else:
        from streams.adapters.logs.kafka import KafkaEventLog

        log = KafkaEventLog(settings.kafka_bootstrap or "")
    if settings.topic_prefix:
        from streams.adapters.logs.prefixed import PrefixedEventLog

        log = PrefixedEventLog(log, settings.topic_prefix)
    return log


def build_store(settings: Settings) -> DocumentStore:
    if settings.shape == "embedded":
        from streams.adapters.stores.sqlite import SqliteDocumentStore

        return SqliteDocumentStore(settings.data_dir / "views.db")
    from streams.adapters.stores.mongo import MongoDocumentStore

    return MongoDocumentStore(settings.mongo_uri or "", settings.mongo_database)


def build_platform(
    settings: Settings | None = None,
    clock: Callable[[], datetime] = utc_now,
    log: EventLog | None = None,
    store: DocumentStore | None = None,
    metrics: Metrics | None = None,
    process: str = "api",
) -> Platform:
    """Wire a platform; ``log`` and ``store`` may be injected (tests).

    ``metrics`` is this process's registry of metric families (a fresh one by default);
    the log, the store and the consumers are wrapped to record into it.
    """
    settings = settings or Settings()
    metrics = metrics or Metrics(process, settings.shape)
    # A platform rebuilt from another one's adapters measures them once, not twice.
    inner_log = log.inner if isinstance(log, InstrumentedLog) else log
    inner_store = store.inner if isinstance(store, InstrumentedStore) else store
    log = InstrumentedLog(inner_log or build_log(settings), metrics)
    store = InstrumentedStore(inner_store or build_store(settings), metrics)
    log.ensure_topics({t.name: t.partitions for t in TOPICS})
    membership = MembershipService(store)
    adoption = AdoptionService(store, DeadLetterSink(log, clock))
    procurement = ProcurementService(store, DeadLetterSink(log, clock))
    procurement_queries = ProcurementQueries(store)
    indicators = IndicatorsService(store, DeadLetterSink(log, clock))
    indicator_queries = IndicatorQueries(store, settings.alarm_target_p90_s)
    # The pumps feed the services straight from the log: continuously in the embedded
    # shape, and for `alliance rebuild` in both (the distributed shape's workers are Faust).
    consumers = {
        "adoption": MeasuredConsumer(adoption, metrics),
        "procurement": MeasuredConsumer(procurement, metrics),
        "indicators": MeasuredConsumer(indicators, metrics),
    }
    pumps = [
        LogPump(log, consumers["adoption"], PILOT_EVENTS.name, settings.batch_size),
        LogPump(log, consumers["procurement"], PROCUREMENT_RELEASES.name, settings.batch_size),
        LogPump(log, consumers["indicators"], PILOT_EVENTS.name, settings.batch_size),
    ]
    view_cache = ViewCache(lambda: getattr(store, "generation", None), settings.cache_seconds)
    return Platform(
        settings=settings,
        log=log,
        store=store,
        clock=clock,
        ingest=IngestService(log, store, clock),
        adoption=adoption,
        membership=membership,
        queries=Queries(store, membership, procurement_queries, indicators=indicator_queries),
        procurement_ingest=ProcurementIngest(log, clock, owners=procurement_queries.owners),
        procurement=procurement,
        procurement_queries=procurement_queries,
        insights=InsightQueries(store, membership, view_cache, procurement_queries),
        pumps=pumps,
        indicators=indicators,
        indicator_queries=indicator_queries,
        view_cache=view_cache,
        metrics=metrics,
        consumers=consumers,
        audit=AuditLog(store, clock),
    )


def build_app(settings: Settings | None = None, process: bool = True) -> FastAPI:
    """The HTTP API over a platform built from ``settings``, closed when the application stops.

    For servers that take an application factory (``uvicorn --factory alliance.bootstrap:build_app``).
    """
    from api.app import create_app

    return create_app(build_platform(settings), process=process, close_platform=True)
