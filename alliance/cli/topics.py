"""``alliance topics create``: the admin step of the distributed shape.

Creates the platform's Kafka topics on ``ALLIANCE_KAFKA_BOOTSTRAP``, then exits (the
``kafka-init`` service in ``docker-compose.yml``). Topics come from
:data:`schemas.topics.TOPICS` with their partitions and ``retention.ms``; existing topics are
left unchanged. The broker is retried for a while, so the step also works when started
together with it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from alliance.cli.options import load_settings

app = typer.Typer(help="The platform's Kafka topics (distributed shape).", no_args_is_help=True)
RETRY_SECONDS = 2.0


def _say(text: str) -> None:
    typer.echo(f"alliance topics create: {text}", err=True)


@app.command()
def create(
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to keep retrying a broker that is not ready")
    ] = 120.0,
) -> None:
    """Create the topics with their partitions and retention (existing ones stay as they are)."""
    import time

    from schemas.topics import TOPICS
    from services.core.ports import Unavailable
    from streams.adapters.logs.kafka import create_topics

    settings = load_settings()
    if not settings.kafka_bootstrap:
        _say("ALLIANCE_KAFKA_BOOTSTRAP is not set")
        raise typer.Exit(2)
    deadline = time.monotonic() + wait
    while True:
        try:
            created = create_topics(settings.kafka_bootstrap, TOPICS)
            break
        except Unavailable as exc:
            if time.monotonic() >= deadline:
                _say(f"giving up: {exc}")
                raise typer.Exit(1) from None
            _say(f"broker not ready, retrying: {exc}")
            time.sleep(RETRY_SECONDS)
    for spec in TOPICS:
        state = "created" if spec.name in created else "exists"
        typer.echo(f"{spec.name}: {state} (partitions={spec.partitions}, retention.ms={spec.retention_ms})")
