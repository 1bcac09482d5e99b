"""The Faust agent's own ceiling: our worker app feeding a service that does nothing.

Started by ``bench.distributed_pipeline`` in a process of its own, on the same topic and
with the same settings as the adoption worker, but in another consumer group:
``python -m bench.faust_ceiling EVENTS RESULT_FILE``. Writes ``{"events", "seconds"}``
(first batch handed over → last batch handed over) and exits.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import faust

from alliance.settings import Settings
from services.core.ports import LogEntry
from streams.runners.faust_worker import build_worker_app


class CountingService:
    """Takes batches like the adoption service and only counts them."""

    name = "adoption"

    def __init__(self, total: int, result: Path) -> None:
        self.total = total
        self.result = result
        self.seen = 0
        self.first: float | None = None

    def handle(self, entries: Sequence[LogEntry]) -> None:
        now = time.perf_counter()
        if self.first is None:
            self.first = now
        self.seen += len(entries)
        if self.seen >= self.total:
            self.result.write_text(json.dumps({"events": self.seen, "seconds": now - self.first}))
            os._exit(0)  # the measurement is taken; Faust's orderly shutdown is not part of it

    def position(self, topic: str, partition: int) -> int:
        return 0  # Faust's committed offsets decide where this group starts

    def skip(self, entries: Sequence[LogEntry], reason: str) -> int:
        return 0  # handle never fails: there is nothing to skip

    def reset(self) -> None:
        return None  # nothing is kept between batches


def main() -> None:
    total, result = int(sys.argv[1]), Path(sys.argv[2])
    settings = Settings()
    app = build_worker_app(
        settings, CountingService(total, result), group=f"bench-faust-ceiling-{os.getpid()}"
    )
    faust.Worker(app, loglevel="warning", quiet=True).execute_from_commandline()


if __name__ == "__main__":
    main()
