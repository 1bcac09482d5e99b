"""The admin step of the distributed shape: create the platform's Kafka topics, then exit.

Run as ``python -m alliance.admin`` (the ``kafka-init`` service in ``docker-compose.yml``)
with ``ALLIANCE_KAFKA_BOOTSTRAP`` set. Topics come from :data:`schemas.topics.TOPICS`
with their partitions and ``retention.ms``; existing topics are left unchanged. The
broker is retried for a while, so the step also works when started together with it.
"""

from __future__ import annotations

import sys
import time

from alliance.settings import Settings
from schemas.topics import TOPICS
from services.core.ports import Unavailable
from streams.adapters.logs.kafka import create_topics


def main(argv: list[str] | None = None, *, wait_s: float = 120.0) -> int:
    """Create the topics on ``ALLIANCE_KAFKA_BOOTSTRAP``; return the process exit code."""
    settings = Settings()
    if not settings.kafka_bootstrap:
        print("alliance.admin: ALLIANCE_KAFKA_BOOTSTRAP is not set", file=sys.stderr)
        return 2
    deadline = time.monotonic() + wait_s
    while True:
        try:
            created = create_topics(settings.kafka_bootstrap, TOPICS)
        except Unavailable as exc:
            if time.monotonic() >= deadline:
                print(f"alliance.admin: giving up: {exc}", file=sys.stderr)
                return 1
            print(f"alliance.admin: broker not ready, retrying: {exc}", file=sys.stderr)
            time.sleep(2)
            continue
        for spec in TOPICS:
            state = "created" if spec.name in created else "exists"
            print(f"{spec.name}: {state} (partitions={spec.partitions}, retention.ms={spec.retention_ms})")
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
