"""Prometheus metrics of one process: the families, in a registry of its own.

The composition root creates one :class:`Metrics` per process (API, worker, CLI job) and
hands it to the adapters that measure (``streams.observability.instrumented``, the API middleware, the
worker's operations server). Nothing in the pure domain knows about it. Names follow the
Prometheus conventions: a ``alliance_`` prefix, base units (seconds), ``_total`` counters.
"""

from __future__ import annotations

import platform as python_platform
from importlib import metadata

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

# From 10 ms (a live batch) to 30 days (a late report of a pilot's figures).
EVENT_LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400, 30 * 86400)
PIPELINE_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
BATCH_BUCKETS = (1, 10, 50, 100, 500, 1000, 2000, 5000, 10_000, 50_000)
WRITE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


def _version() -> str:
    try:
        return metadata.version("innlandet-welfare-alliance")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


class Metrics:
    """The metric families of the platform, registered in a per-process registry."""

    def __init__(self, process: str, shape: str, registry: CollectorRegistry | None = None) -> None:
        self.process = process
        self.registry = registry or CollectorRegistry()
        r = self.registry
        topic_reason = ["topic", "reason"]
        self.build_info = Info("alliance_build", "Version of the running platform", registry=r)
        python = python_platform.python_version()
        self.build_info.info({"version": _version(), "python": python, "process": process, "shape": shape})
        self.events_consumed = Counter(
            "alliance_events_consumed",
            "Log records handed to a service",
            ["service", "topic", "type"],
            registry=r,
        )
        self.events_produced = Counter(
            "alliance_events_produced", "Records appended to the event log", ["topic", "type"], registry=r
        )
        self.events_dead_lettered = Counter(
            "alliance_events_dead_lettered", "Messages written to dead-letter", topic_reason, registry=r
        )
        self.latency_from_occurred = Histogram(
            "alliance_event_latency_from_occurred_seconds",
            "From an event's occurred_at to its batch being applied to the read models",
            ["service", "topic"],
            buckets=EVENT_LATENCY_BUCKETS,
            registry=r,
        )
        self.latency_from_recorded = Histogram(
            "alliance_event_latency_from_recorded_seconds",
            "From an event's recorded_at (accepted by the platform) to its batch being applied",
            ["service", "topic"],
            buckets=PIPELINE_LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_size = Histogram(
            "alliance_batch_events",
            "Records per processed batch",
            ["service"],
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.batch_duration = Histogram(
            "alliance_batch_duration_seconds",
            "Time to apply one batch (parse, project, write)",
            ["service"],
            buckets=PIPELINE_LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_retries = Counter(
            "alliance_batch_retries",
            "Batches retried because a server was unavailable",
            ["service"],
            registry=r,
        )
        self.store_write_duration = Histogram(
            "alliance_store_write_duration_seconds",
            "Read-model write latency per round of writes",
            ["operation"],
            buckets=WRITE_BUCKETS,
            registry=r,
        )
        self.consumer_lag = Gauge(
            "alliance_consumer_lag",
            "Records in the log not yet applied by the service, per partition",
            ["service", "topic", "partition"],
            registry=r,
        )
        self.consumer_position = Gauge(
            "alliance_consumer_position",
            "Next offset the service will apply, per partition",
            ["service", "topic", "partition"],
            registry=r,
        )
        self.last_batch = Gauge(
            "alliance_last_batch_timestamp_seconds",
            "When the service last applied a batch (Unix time)",
            ["service"],
            registry=r,
        )
        self.ready = Gauge("alliance_ready", "1 when the process answers /readyz with 200", registry=r)
        self.http_requests = Counter(
            "alliance_http_requests",
            "HTTP requests by route template",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_errors = Counter(
            "alliance_http_request_errors",
            "HTTP requests answered with a 5xx status or failing unhandled",
            ["method", "route"],
            registry=r,
        )
        self.http_duration = Histogram(
            "alliance_http_request_duration_seconds",
            "HTTP request duration by route template",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
            registry=r,
        )

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
