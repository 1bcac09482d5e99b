"""Embedded shape, measured side by side in one run.

* ingest through ``POST /v1/events`` (one event per request, and arrays of 1000);
* ingest through ``alliance import`` (JSON Lines; includes processing into the views);
* processing from the log to the views (events/s), time-ordered and shuffled arrival;
* ``GET /v1/adoption`` at 32 concurrent clients next to a bare FastAPI route on the same server.

Run: ``.venv/bin/python -m bench.embedded_pipeline [--histories 10]``. Targets (issue figures):
processing ≥ 10 000 events/s; adoption p99 < 25 ms and ≥ 70 % of the bare route's throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from alliance.bootstrap import build_platform
from alliance.demo import demo_events
from alliance.settings import Settings
from bench.http_load import load
from bench.tokens import operator_headers
from tests.support.distributed import free_port

ROOT = Path(__file__).resolve().parents[1]

console = Console()


def events(histories: int) -> list[dict]:
    """Synthetic histories of the 17 members, one per seed, with distinct pilots."""
    out: list[dict] = []
    for seed in range(histories):
        out += demo_events(seed, pilot_prefix=f"h{seed}-")
    return out


def processing(evs: list[dict], shuffled: bool, workdir: Path) -> tuple[int, float]:
    ordered = list(evs)
    if shuffled:
        random.Random(1).shuffle(ordered)
    else:
        ordered.sort(key=lambda e: e["occurred_at"])
    platform = build_platform(Settings(data_dir=workdir, batch_size=5000))
    for i in range(0, len(ordered), 1000):
        platform.ingest.submit(ordered[i : i + 1000], "import")
    started = time.perf_counter()
    handled = platform.drain()
    seconds = time.perf_counter() - started
    platform.close()
    return handled, seconds


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.server", str(data_dir), str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("benchmark server did not start")


def http_ingest(port: int, evs: list[dict], headers: dict[str, str]) -> dict[str, tuple[int, float]]:
    results = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, headers=headers) as client:
        single = evs[:2000]
        started = time.perf_counter()
        for event in single:
            assert client.post("/v1/events", json=event).status_code == 202
        results["POST /v1/events, 1 per request"] = (len(single), time.perf_counter() - started)
        batch = evs[2000:52000]
        started = time.perf_counter()
        for i in range(0, len(batch), 1000):
            assert client.post("/v1/events", json=batch[i : i + 1000]).status_code == 200
        results["POST /v1/events, 1000 per request"] = (len(batch), time.perf_counter() - started)
    return results


def wait_processed(port: int, event_id: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = httpx.get(f"http://127.0.0.1:{port}/v1/events/{event_id}", timeout=10).json()
        if status.get("status") == "processed":
            return
        time.sleep(0.2)
    raise RuntimeError("events were not processed in time")


def cli_import(evs: list[dict], workdir: Path) -> tuple[int, float]:
    workdir.mkdir(parents=True, exist_ok=True)
    file = workdir / "events.jsonl"
    file.write_text("\n".join(json.dumps(e) for e in evs) + "\n")
    started = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "alliance"),
            "import",
            str(file),
            "--data-dir",
            str(workdir / "var"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return len(evs), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=10, help="synthetic histories (≈5 000 events each)")
    parser.add_argument("--seconds", type=float, default=5.0, help="load duration per route")
    args = parser.parse_args()
    evs = events(args.histories)
    console.print(f"{len(evs)} synthetic events ({args.histories} histories of 17 members)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows: list[tuple[str, int, float]] = []
        for shuffled in (False, True):
            handled, seconds = processing(evs, shuffled, work / f"process-{shuffled}")
            label = "log → views, shuffled arrival" if shuffled else "log → views, time-ordered arrival"
            rows.append((label, handled, seconds))
        count, seconds = cli_import(evs, work / "import")
        rows.append(("alliance import (JSON Lines, incl. processing)", count, seconds))

        port = free_port()
        server = start_server(work / "server", port)
        try:
            operator = operator_headers(work / "server")
            for label, (count, seconds) in http_ingest(port, evs, operator).items():
                rows.append((label, count, seconds))
            wait_processed(
                port, evs[min(len(evs), 52000) - 1]["event_id"]
            )  # measure reads on a settled platform
            httpx.get(f"http://127.0.0.1:{port}/v1/adoption", timeout=30, headers=operator)
            bare = load("127.0.0.1", port, "/bench/bare", 32, args.seconds)
            # As a coordinator (every figure) and as an anonymous reader (small counts suppressed).
            adoption = load("127.0.0.1", port, "/v1/adoption", 32, args.seconds, operator)
            anonymous = load("127.0.0.1", port, "/v1/adoption", 32, args.seconds)
        finally:
            server.terminate()
            server.wait(10)

    table = Table(title="Embedded pipeline: throughput")
    for column in ("what", "events", "seconds", "events/s"):
        table.add_column(column, justify="right" if column != "what" else "left")
    for label, count, seconds in rows:
        table.add_row(label, f"{count}", f"{seconds:.2f}", f"{count / seconds:,.0f}")
    console.print(table)

    reads = Table(title="Reads at 32 concurrent clients, same server")
    for column in ("route", "requests/s", "p50 ms", "p99 ms", "errors"):
        reads.add_column(column, justify="right" if column != "route" else "left")
    for label, result in (("", bare), (" (coordinator)", adoption), (" (anonymous, suppressed)", anonymous)):
        reads.add_row(
            result.path + label,
            f"{result.throughput:,.0f}",
            f"{result.p50:.2f}",
            f"{result.p99:.2f}",
            str(result.errors),
        )
    console.print(reads)
    console.print(
        f"adoption / bare throughput: {adoption.throughput / bare.throughput:.0%} (target ≥ 70 %); "
        f"adoption p99 {adoption.p99:.1f} ms (target < 25 ms)"
    )


if __name__ == "__main__":
    main()
