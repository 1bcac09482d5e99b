"""``alliance worker SERVICE``: one service as a Faust worker on Kafka (distributed shape)."""

from __future__ import annotations

from typing import Annotated

import typer

from alliance.cli.console import console
from alliance.cli.options import load_settings


def worker(
    service: Annotated[str, typer.Argument(help="Which service: adoption, procurement or indicators")],
) -> None:
    """Run one service as a Faust worker on Kafka (distributed shape; scale by partitions)."""
    from dataclasses import replace

    from alliance.bootstrap import build_platform
    from schemas.topics import TOPICS
    from streams.adapters.logs.kafka import create_topics
    from streams.runners.faust_worker import SERVICE_TOPICS, build_worker_app

    settings = load_settings()
    if settings.shape != "distributed":
        console.print(
            "[red]`alliance worker` needs ALLIANCE_SHAPE=distributed[/red] (the embedded shape "
            "processes inside `alliance up`)."
        )
        raise typer.Exit(2)
    if service not in SERVICE_TOPICS:
        console.print(f"[red]Unknown service {service!r}[/red]; choose one of {', '.join(SERVICE_TOPICS)}")
        raise typer.Exit(2)
    import faust

    from streams.observability.log_format import configure_logging
    from streams.observability.ops_server import OpsServer, WorkerHealth

    configure_logging(json_lines=settings.log_format == "json")
    platform = build_platform(settings, process=f"worker-{service}")
    create_topics(
        settings.kafka_bootstrap or "", [replace(t, name=settings.topic_prefix + t.name) for t in TOPICS]
    )
    monitor = platform.monitor_lag((service,))
    health = WorkerHealth(platform.metrics, [("store unreachable", lambda: monitor.store_ok)])
    ops = OpsServer(health, settings.host, settings.worker_port).start()
    console.print(f"Worker {service}: /metrics, /healthz, /readyz on http://{settings.host}:{ops.port}")
    topic = SERVICE_TOPICS[service].name
    faust_app = build_worker_app(
        settings,
        platform.consumers[service],
        health,
        platform.metrics,
        work_waiting=lambda partitions: monitor.work_waiting(service, topic, partitions),
    )
    # Logging is configured above (JSON lines); Faust must not replace it.
    faust.Worker(faust_app, loglevel="info", quiet=True, override_logging=False).execute_from_commandline()
