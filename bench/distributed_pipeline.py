"""Distributed shape on one broker, measured side by side in one run.

* a raw aiokafka consumer reading the topic without processing (the ceiling);
* our adoption worker (Faust): from ready (partitions assigned) to everything visible in the
  read models, with a full topic waiting;
* what bounds it, each measured alone on the same data: our Faust agent feeding a service
  that does nothing, the adoption service on an in-memory store, and the read-model server
  taking the same fact documents in bulk inserts;
* a naive pipeline: one MongoDB upsert per event;
* latency from ``POST /v1/events`` to ``processed`` at a steady 500 events/s.

Needs Kafka and a MongoDB-wire server: started here through ``tests.support.servers`` (FerretDB
on SQLite by default; a server started here is stopped again at the end) unless ``--kafka`` and
``--mongo`` point at running ones.
Run: ``.venv/bin/python -m bench.distributed_pipeline [--histories 10]``.
Targets: ≥ 20 000 events/s per worker and ≥ 30 % of the raw consumer;
p99 from POST to processed < 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

import httpx
import orjson
import pymongo
from kafka import KafkaProducer
from rich.console import Console
from rich.table import Table

from alliance.demo import demo_events
from bench.tokens import operator_headers
from schemas.events import PILOT_EVENT_TYPES
from schemas.topics import PILOT_EVENTS, TOPICS
from streams.adapters.logs.kafka import create_topics
from tests.support import servers
from tests.support.distributed import free_port

ROOT = Path(__file__).resolve().parents[1]

console = Console()


def produce(bootstrap: str, topic: str, events: list[dict]) -> float:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, batch_size=256 * 1024)
    started = time.perf_counter()
    for event in events:
        producer.send(topic, key=event["municipality"].encode(), value=orjson.dumps(event))
    producer.flush(300)
    producer.close()
    return time.perf_counter() - started


async def _consumer_at_start(bootstrap: str, topic: str):
    """A started aiokafka consumer assigned every partition of ``topic``, at the beginning."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or range(6)]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    return consumer


async def _raw_consume(bootstrap: str, topic: str, total: int) -> float:
    consumer = await _consumer_at_start(bootstrap, topic)
    try:
        seen = 0
        started = time.perf_counter()
        while seen < total:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            seen += sum(len(records) for records in batches.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def _naive(bootstrap: str, topic: str, mongo: str, database: str, budget: float) -> tuple[int, float]:
    """One update per event (what the design warns against), for at most ``budget`` seconds."""
    cells = pymongo.MongoClient(mongo)[database]["naive_cells"]
    consumer = await _consumer_at_start(bootstrap, topic)
    try:
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < budget:
            for records in (await consumer.getmany(timeout_ms=500, max_records=200)).values():
                for record in records:
                    event = orjson.loads(record.value)
                    cells.update_one(
                        {"_id": f"{event['municipality']}:{event['payload']['pilot_id']}"},
                        {"$inc": {"events": 1}},
                        upsert=True,
                    )
                    done += 1
        return done, time.perf_counter() - started
    finally:
        await consumer.stop()


def in_memory_ceiling(events: list[dict]) -> float:
    """Seconds for the adoption service alone on an in-memory store: the processing ceiling."""
    from datetime import UTC, datetime

    from services.adoption.service import AdoptionService
    from services.core.dead_letters import DeadLetterSink
    from services.core.ports import LogEntry
    from streams.adapters.logs.memory import MemoryEventLog
    from streams.adapters.stores.memory import MemoryDocumentStore

    service = AdoptionService(
        MemoryDocumentStore(), DeadLetterSink(MemoryEventLog(), lambda: datetime.now(UTC))
    )
    entries = [
        LogEntry("pilot-events", 0, i, e["municipality"], orjson.dumps(e)) for i, e in enumerate(events)
    ]
    started = time.perf_counter()
    for i in range(0, len(entries), 5000):
        service.handle(entries[i : i + 5000])
    return time.perf_counter() - started


def worker_env(bootstrap: str, mongo: str, name: str) -> dict[str, str]:
    return {
        **os.environ,
        "ALLIANCE_SHAPE": "distributed",
        "ALLIANCE_KAFKA_BOOTSTRAP": bootstrap,
        "ALLIANCE_MONGO_URI": mongo,
        "ALLIANCE_MONGO_DATABASE": name,
        "ALLIANCE_TOPIC_PREFIX": f"{name}-",
        "ALLIANCE_CACHE_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    }


def spawn(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "alliance.cli", *args], cwd=ROOT, env=env, stdout=handle, stderr=handle
    )


def worker_throughput(
    env: dict[str, str], mongo: str, name: str, ends: dict[int, int], log: Path
) -> tuple[float, float]:
    """Seconds from start to ready, and from ready to every position committed with its state."""
    positions = pymongo.MongoClient(mongo)[name]["positions"]
    port = free_port()
    started = time.perf_counter()
    worker = spawn({**env, "ALLIANCE_WORKER_PORT": str(port)}, "worker", "adoption", log=log)
    try:
        ready = _wait_ready(f"http://127.0.0.1:{port}/readyz", worker)
        while True:
            done = {d["partition"]: d["offset"] for d in positions.find({"consumer": "adoption"})}
            if all(done.get(p, 0) >= end for p, end in ends.items()):
                return ready - started, time.perf_counter() - ready
            if time.perf_counter() - started > 1800:
                raise RuntimeError("worker did not finish")
            time.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(20)


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> float:
    """The moment ``url`` first answers 200 (the worker has its partitions and its store)."""
    while process.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.perf_counter()
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"worker exited with {process.returncode} before it was ready")


def faust_ceiling(env: dict[str, str], total: int, workdir: Path) -> float:
    """Seconds our Faust agent takes to hand ``total`` events to a service that does nothing."""
    result = workdir / "faust-ceiling.json"
    result.unlink(missing_ok=True)
    with (workdir / "faust-ceiling.log").open("ab") as handle:
        subprocess.run(
            [sys.executable, "-m", "bench.faust_ceiling", str(total), str(result)],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=handle,
            timeout=600,
            check=False,
        )
    return float(orjson.loads(result.read_bytes())["seconds"])


def store_ceiling(mongo: str, database: str, events: list[dict]) -> float:
    """Seconds the read-model server takes to bulk-insert one fact document per event."""
    from schemas.parsing import load_recorded
    from services.adoption.documents import fact_document
    from services.adoption.records import fact_from_event

    documents = [
        fact_document(fact_from_event(load_recorded(event).event, ("pilot-events", 0, i)))
        for i, event in enumerate(events)
        if event["type"] in PILOT_EVENT_TYPES
    ]
    collection = pymongo.MongoClient(mongo)[database]["fact_insert_ceiling"]
    started = time.perf_counter()
    for start in range(0, len(documents), 5000):
        collection.insert_many(documents[start : start + 5000], ordered=False)
    return time.perf_counter() - started


PER_REQUEST = 10  # events per POST in the latency run


def steady_latency(
    env: dict[str, str], rate: int, seconds: float, workdir: Path
) -> tuple[list[float], float]:
    """Post events at ``rate``/s; measure POST-accepted → processed for a sample.

    Events go out ``PER_REQUEST`` to a request. Returns the latencies (ms) and the rate the
    posts actually reached: each poster waits for its answer before the next request, so a
    slow API shows as a rate below ``rate``.
    """
    port = free_port()
    api_data = workdir / "api-data"  # the API's token issuer; the clients sign with it
    api = spawn(
        {**env, "ALLIANCE_DATA_DIR": str(api_data)},
        "up",
        "--port",
        str(port),
        log=workdir / "latency-api.log",
    )
    operator = operator_headers(api_data)
    worker = spawn(env, "worker", "adoption", log=workdir / "latency-worker.log")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        events = demo_events(seed=77, pilot_prefix="lat-")[: int(rate * seconds)]
        registrations = [e for e in events if e["type"] == "pilot.registered"]
        with httpx.Client(base_url=base, timeout=30, headers=operator) as client:
            client.post("/v1/events", json=registrations)  # so that later events are not left waiting
        time.sleep(3)
        # Several pollers, each with its own share of the sampled events: one poller walking a
        # long list would add its own round-trip time to every latency it measures. One event
        # per request is sampled and each is asked about every 20 ms: more polling than that
        # takes the API away from the posts whose latency is being measured.
        pollers = 4
        pending: list[dict[str, float]] = [{} for _ in range(pollers)]
        latencies: list[float] = []
        lock = threading.Lock()
        stop = threading.Event()
        stopped_at = float("inf")

        def poll(share: dict[str, float]) -> None:
            with httpx.Client(base_url=base, timeout=30, headers=operator) as client:
                while not stop.is_set() or share:
                    with lock:
                        sample = list(share.items())
                    for event_id, posted in sample:
                        if client.get(f"/v1/events/{event_id}").json().get("status") == "processed":
                            with lock:
                                latencies.append((time.perf_counter() - posted) * 1000)
                                share.pop(event_id, None)
                    time.sleep(0.02)
                    if stop.is_set() and time.perf_counter() - stopped_at > 60:
                        return

        def post(share: list[list[dict]], offset: float) -> None:
            # A request every 4 × PER_REQUEST / rate seconds per poster, as municipal systems send
            # small batches; the first event of each accepted request is sampled.
            with httpx.Client(base_url=base, timeout=30, headers=operator) as client:
                start = time.perf_counter() + offset
                for index, chunk in enumerate(share):
                    due = start + index * (4 * PER_REQUEST / rate)
                    time.sleep(max(0.0, due - time.perf_counter()))
                    response = client.post("/v1/events", json=chunk)
                    first = response.json()["results"][0] if response.status_code == 200 else {}
                    if first.get("status") == "accepted":
                        event_id = chunk[0]["event_id"]
                        with lock:
                            pending[hash(event_id) % pollers][event_id] = time.perf_counter()

        rest = [e for e in events if e["type"] != "pilot.registered"]
        chunks = [rest[i : i + PER_REQUEST] for i in range(0, len(rest), PER_REQUEST)]
        polling = [threading.Thread(target=poll, args=(share,)) for share in pending]
        for thread in polling:
            thread.start()
        posters = [
            threading.Thread(target=post, args=(chunks[i::4], i * PER_REQUEST / rate)) for i in range(4)
        ]
        posting = time.perf_counter()
        for thread in posters:
            thread.start()
        for thread in posters:
            thread.join()
        stopped_at = time.perf_counter()
        achieved = len(rest) / (stopped_at - posting)
        stop.set()
        for thread in polling:
            thread.join()
        return latencies, achieved
    finally:
        for process in (api, worker):
            process.terminate()
            process.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=10)
    parser.add_argument("--kafka", help="bootstrap of a running broker (default: provision one)")
    parser.add_argument("--mongo", help="URI of a running MongoDB-wire server (default: provision FerretDB)")
    parser.add_argument("--naive-seconds", type=float, default=20.0)
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--only-latency", action="store_true", help="skip the throughput runs")
    args = parser.parse_args()
    # Servers started here are stopped again (a forgotten FerretDB keeps a core busy); servers
    # that were already running, e.g. for someone's tests, are left running.
    started_here = [
        stop
        for given, running, stop in (
            (args.kafka, servers.kafka_running, servers.stop_kafka),
            (args.mongo, servers.ferretdb_running, servers.stop_ferretdb),
        )
        if not given and not running()
    ]
    try:
        bootstrap = args.kafka or servers.start_kafka()
        mongo = args.mongo or servers.start_ferretdb()
        run(args, bootstrap, mongo)
    finally:
        for stop in started_here:
            with contextlib.suppress(servers.ProvisionError):
                stop()


def run(args: argparse.Namespace, bootstrap: str, mongo: str) -> None:
    name = f"bench{uuid.uuid4().hex[:8]}"
    workdir = ROOT / "bench" / "results"
    workdir.mkdir(parents=True, exist_ok=True)
    env = worker_env(bootstrap, mongo, name)
    create_topics(bootstrap, [replace(t, name=f"{name}-{t.name}") for t in TOPICS])
    topic = f"{name}-{PILOT_EVENTS.name}"

    if args.only_latency:
        latencies, achieved = steady_latency(
            worker_env(bootstrap, mongo, name + "l"), 500, args.latency_seconds, workdir
        )
        pymongo.MongoClient(mongo).drop_database(name + "l")
        delete_topics(bootstrap, (name, name + "l"))
        report_latency(latencies, achieved)
        return
    events: list[dict] = []
    for seed in range(args.histories):
        events += demo_events(seed, pilot_prefix=f"h{seed}-")
    produce_seconds = produce(bootstrap, topic, events)
    from kafka import KafkaConsumer, TopicPartition

    probe = KafkaConsumer(bootstrap_servers=bootstrap)
    tps = [TopicPartition(topic, p) for p in sorted(probe.partitions_for_topic(topic) or [])]
    ends = {tp.partition: off for tp, off in probe.end_offsets(tps).items()}
    probe.close()

    raw_seconds = asyncio.run(_raw_consume(bootstrap, topic, len(events)))
    boot_seconds, worker_seconds = worker_throughput(env, mongo, name, ends, workdir / "worker.log")
    agent_seconds = faust_ceiling(env, len(events), workdir)
    ceiling_seconds = in_memory_ceiling(events)
    facts = sum(1 for e in events if e["type"] in PILOT_EVENT_TYPES)
    insert_seconds = store_ceiling(mongo, name, events)
    naive_done, naive_seconds = asyncio.run(_naive(bootstrap, topic, mongo, name, args.naive_seconds))
    latencies, achieved = steady_latency(
        worker_env(bootstrap, mongo, name + "l"), 500, args.latency_seconds, workdir
    )
    pymongo.MongoClient(mongo).drop_database(name)
    pymongo.MongoClient(mongo).drop_database(name + "l")
    delete_topics(bootstrap, (name, name + "l"))

    table = Table(title=f"{len(events)} events, {len(ends)} partitions, read models on {mongo}")
    for column in ("pipeline", "events", "seconds", "events/s", "vs raw"):
        table.add_column(column, justify="left" if column == "pipeline" else "right")
    raw_rate = len(events) / raw_seconds
    rows = [
        ("produce (kafka-python, acks=all)", len(events), produce_seconds),
        ("raw aiokafka consumer, no processing", len(events), raw_seconds),
        ("adoption worker: ready → all visible", len(events), worker_seconds),
        ("  bound: Faust agent, service does nothing", len(events), agent_seconds),
        ("  bound: adoption service, in-memory store", len(events), ceiling_seconds),
        ("  bound: read-model server, fact inserts only", facts, insert_seconds),
        ("naive: one upsert per event", naive_done, naive_seconds),
    ]
    for label, count, seconds in rows:
        rate = count / seconds
        table.add_row(label, str(count), f"{seconds:.1f}", f"{rate:,.0f}", f"{rate / raw_rate:.0%}")
    console.print(table)
    console.print(f"The worker took {boot_seconds:.1f} s from start to ready (not in its rate).")
    report_latency(latencies, achieved)


def delete_topics(bootstrap: str, prefixes: tuple[str, ...]) -> None:
    """Remove the topics this run created (each run uses fresh, prefixed ones)."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        mine = [t for t in admin.list_topics() if t.startswith(tuple(f"{p}-" for p in prefixes))]
        if mine:
            admin.delete_topics(mine)
    finally:
        admin.close()


def report_latency(latencies: list[float], achieved: float) -> None:
    if latencies:
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        console.print(
            f"POST → processed, posting at {achieved:.0f} events/s (asked: 500): {len(ordered)} sampled, "
            f"p50 {statistics.median(ordered):.0f} ms, p99 {p99:.0f} ms (target < 500 ms)"
        )


if __name__ == "__main__":
    main()
