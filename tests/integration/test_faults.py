"""Surviving faults with real servers: after each, the views equal those of an undisturbed run.

Each test prints what it observed (``-s``): how long the fault lasted, how long until the
views were equal again, the peak consumer lag seen on the worker's ``/metrics`` and the
events lost (facts missing against the undisturbed run; must be 0). Every ``/metrics``
body fetched is checked by ``promtool check metrics``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import orjson
import pymongo
import pytest
from kafka import KafkaProducer

from alliance.bootstrap import build_platform
from alliance.demo import demo_events
from alliance.settings import Settings
from streams.runners.stall import STALL_EXIT_CODE
from tests.conftest import fixed_clock
from tests.support import servers
from tests.support.distributed import Distributed, free_port, wait_until
from tests.support.promtool import check_metrics

pytestmark = pytest.mark.integration

CHUNK = 250
LAG_LINE = re.compile(r'^alliance_consumer_lag\{[^}]*service="adoption"[^}]*\} (\S+)$', re.M)


def events_for(seed: int, count: int = 3000) -> list[dict]:
    events = demo_events(seed=seed, pilot_prefix=f"f{seed}-")[:count]
    return events + events[:100]  # some resent: duplicates must not count


def undisturbed(events: list[dict], tmp_path) -> tuple[dict, int]:
    """Adoption view and number of stored facts of the same events, embedded and without faults."""
    platform = build_platform(Settings(data_dir=tmp_path / "undisturbed", cache_seconds=0), clock=fixed_clock)
    for i in range(0, len(events), 1000):
        platform.ingest.submit(events[i : i + 1000], "api")
    platform.drain()
    view, facts = platform.queries.adoption(), platform.store.count("facts")
    platform.close()
    return view, facts


def stored_facts(distributed: Distributed, mongo_uri: str) -> int:
    client = pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000)
    try:
        return client[distributed.env["ALLIANCE_MONGO_DATABASE"]]["facts"].count_documents({})
    finally:
        client.close()


@dataclass
class LagWatch:
    """Polls workers' /metrics: the peak of the summed adoption lag, every body checked by promtool."""

    urls: list[str]
    peak: float = 0.0
    scrapes: int = 0
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _poll(self) -> None:
        while not self._stop.is_set():
            for url in list(self.urls):
                try:
                    response = httpx.get(f"{url}/metrics", timeout=5)
                except httpx.HTTPError:
                    continue  # a worker being killed or restarted
                try:
                    check_metrics(response.content)
                except AssertionError as error:
                    self.errors.append(str(error))
                self.scrapes += 1
                self.peak = max(self.peak, sum(float(v) for v in LAG_LINE.findall(response.text)))
            self._stop.wait(1.0)

    @contextmanager
    def running(self) -> Iterator[LagWatch]:
        thread = threading.Thread(target=self._poll, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(10)
        assert not self.errors, self.errors[0]


def produce_all(bootstrap: str, distributed: Distributed, events: list[dict]) -> None:
    """Write events straight onto the topic (a municipality system using Kafka), acks from all."""
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=20,
        retries=2**31 - 1,
        request_timeout_ms=10_000,
        delivery_timeout_ms=180_000,
    )
    topic = f"{distributed.prefix}pilot-events"
    try:
        for event in events:
            producer.send(topic, key=event["municipality"].encode(), value=orjson.dumps(event))
        producer.flush(180)
    finally:
        producer.close(10)


def post_all(client: httpx.Client, events: list[dict], deadline: float = 300) -> dict[str, int]:
    """Post in chunks like a municipality's system: retry a chunk on 503 after Retry-After."""
    seen: dict[str, int] = {}
    stop = time.monotonic() + deadline
    for i in range(0, len(events), CHUNK):
        while True:
            try:
                response = client.post("/v1/events", json=events[i : i + CHUNK])
            except httpx.HTTPError:
                seen["connection_error"] = seen.get("connection_error", 0) + 1
                time.sleep(1)
                continue
            seen[str(response.status_code)] = seen.get(str(response.status_code), 0) + 1
            if response.status_code == 200:
                break
            assert response.status_code == 503, response.text
            assert int(response.headers["retry-after"]) > 0
            assert time.monotonic() < stop, "the API kept refusing"
            time.sleep(1)
    return seen


def worker_ready(url: str) -> bool:
    return httpx.get(f"{url}/readyz", timeout=2).status_code == 200


def wait_equal(
    client: httpx.Client, expected: dict, distributed: Distributed, name: str, timeout: float = 300
) -> None:
    wait_until(
        lambda: client.get("/v1/adoption").json() == expected,
        timeout,
        every=0.5,
        what=f"views equal to the undisturbed run; log:\n{distributed.log_tail(f'worker-{name}')}",
    )


def report(fault: str, **figures: object) -> None:
    text = ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
    print(f"\nFAULT {fault}: {text}")


def start(distributed: Distributed, name: str = "adoption") -> str:
    port = free_port()
    distributed.start_worker("adoption", name=name, ops_port=port)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: worker_ready(url), 90, what=f"worker {name} ready; log:\n{distributed.log_tail(name)}")
    return url


@pytest.fixture
def fast_lag(distributed: Distributed, tmp_path) -> Distributed:
    distributed.env["ALLIANCE_LAG_SAMPLE_SECONDS"] = "0.5"
    # The API's own token issuer lives in its data directory; the test clients sign with it.
    distributed.env["ALLIANCE_DATA_DIR"] = str(tmp_path / "api")
    return distributed


@contextmanager
def signed_client(distributed: Distributed) -> Iterator[httpx.Client]:
    """An API client that signs each request as the party a real client would be."""
    from tests.support.auth import PlatformTokens, SigningAuth

    tokens = PlatformTokens(Settings(data_dir=distributed.env["ALLIANCE_DATA_DIR"]))
    with httpx.Client(base_url=distributed.url, timeout=60, auth=SigningAuth(tokens)) as client:
        yield client


def test_sigterm_finishes_the_batch_and_exits_within_ten_seconds(
    fast_lag, kafka_bootstrap, ferretdb_uri, tmp_path
):
    distributed = fast_lag
    events = events_for(21)
    expected, facts = undisturbed(events, tmp_path)
    distributed.start_api()
    url = start(distributed)
    watch = LagWatch([url])
    with watch.running(), signed_client(distributed) as client:
        produce_all(kafka_bootstrap, distributed, events)
        time.sleep(0.5)  # mid-stream
        exit_seconds = distributed.terminate_worker("adoption")
        assert exit_seconds < 10
        watch.urls[:] = [start(distributed)]
        wait_equal(client, expected, distributed, "adoption")
    lost = facts - stored_facts(distributed, ferretdb_uri)
    report("sigterm", exit_s=exit_seconds, lag_peak=int(watch.peak), events_lost=lost, scrapes=watch.scrapes)
    assert lost == 0


def test_kafka_broker_restarted_mid_stream(fast_lag, kafka_bootstrap, ferretdb_uri, tmp_path):
    distributed = fast_lag
    events = events_for(22)
    expected, facts = undisturbed(events, tmp_path)
    distributed.start_api()
    url = start(distributed)
    watch = LagWatch([url])
    half = len(events) // 2
    with watch.running(), signed_client(distributed) as client:
        produce_all(kafka_bootstrap, distributed, events[:half])
        # The second half is on its way (the producer retries) when the broker restarts.
        producer = threading.Thread(target=produce_all, args=(kafka_bootstrap, distributed, events[half:]))
        producer.start()
        time.sleep(0.2)
        started = time.monotonic()
        servers.restart_kafka()
        restart_seconds = time.monotonic() - started
        producer.join(240)
        assert not producer.is_alive()
        wait_equal(client, expected, distributed, "adoption")
        recovered_seconds = time.monotonic() - started
    lost = facts - stored_facts(distributed, ferretdb_uri)
    report(
        "kafka-restart",
        restart_s=restart_seconds,
        views_equal_after_s=recovered_seconds,
        lag_peak=int(watch.peak),
        events_lost=lost,
    )
    assert lost == 0


def test_kafka_down_while_municipalities_post(fast_lag, ferretdb_uri, tmp_path):
    distributed = fast_lag
    events = events_for(23)
    expected, facts = undisturbed(events, tmp_path)
    distributed.start_api()
    url = start(distributed)
    watch = LagWatch([url])
    third = len(events) // 3
    with watch.running(), signed_client(distributed) as client:
        post_all(client, events[:third])
        started = time.monotonic()
        servers.stop_kafka()
        try:
            refused = client.post("/v1/events", json=events[third : third + CHUNK])
            assert refused.status_code == 503 and int(refused.headers["retry-after"]) > 0
            assert refused.json()["detail"].startswith("Temporarily unavailable")
            # The municipalities keep posting and retrying while the broker is away.
            poster = threading.Thread(target=post_all, args=(client, events[third:]), daemon=True)
            poster.start()
            time.sleep(10)
        finally:
            servers.start_kafka()
        down_seconds = time.monotonic() - started
        poster.join(300)
        assert not poster.is_alive()
        wait_equal(client, expected, distributed, "adoption")
        recovered_seconds = time.monotonic() - started
    lost = facts - stored_facts(distributed, ferretdb_uri)
    report(
        "kafka-down-while-posting",
        down_s=down_seconds,
        views_equal_after_s=recovered_seconds,
        lag_peak=int(watch.peak),
        events_lost=lost,
    )
    assert lost == 0


def test_ferretdb_stopped_for_thirty_seconds(fast_lag, kafka_bootstrap, ferretdb_uri, tmp_path):
    distributed = fast_lag
    events = events_for(24)
    expected, facts = undisturbed(events, tmp_path)
    distributed.start_api()
    url = start(distributed)
    watch = LagWatch([url])
    with watch.running(), signed_client(distributed) as client:
        third = len(events) // 3
        produce_all(kafka_bootstrap, distributed, events[:third])
        started = time.monotonic()
        servers.stop_ferretdb()
        reads: dict[int, int] = {}
        worker_not_ready = False
        try:
            # The rest arrives while the store is away: the worker must hold it and retry.
            produce_all(kafka_bootstrap, distributed, events[third:])
            while time.monotonic() - started < 30:
                response = client.get("/v1/adoption")
                reads[response.status_code] = reads.get(response.status_code, 0) + 1
                if response.status_code == 503:
                    assert int(response.headers["retry-after"]) > 0
                else:  # answered from what the API had, and says how old it is
                    assert response.status_code == 200 and "x-data-age" in response.headers
                worker_not_ready |= httpx.get(f"{url}/readyz", timeout=5).status_code == 503
                time.sleep(1)
        finally:
            servers.start_ferretdb()
        down_seconds = time.monotonic() - started
        assert reads and worker_not_ready
        wait_equal(client, expected, distributed, "adoption")
        recovered_seconds = time.monotonic() - started
        wait_until(lambda: worker_ready(url), 60, what="worker ready again")
        metrics = httpx.get(f"{url}/metrics", timeout=5).content
        check_metrics(metrics)
        retries = re.search(rb'^alliance_batch_retries_total\{service="adoption"\} (\S+)$', metrics, re.M)
    lost = facts - stored_facts(distributed, ferretdb_uri)
    report(
        "ferretdb-stopped",
        down_s=down_seconds,
        views_equal_after_s=recovered_seconds,
        lag_peak=int(watch.peak),
        events_lost=lost,
        api_reads=reads,
        batches_retried=int(float(retries.group(1))) if retries else 0,
    )
    assert lost == 0
    assert retries and float(retries.group(1)) > 0, "the worker never met the outage"


def test_worker_killed_during_a_rebalance(fast_lag, kafka_bootstrap, ferretdb_uri, tmp_path):
    distributed = fast_lag
    # Faust can stall for good after losing a member in the middle of a rebalance ("Waiting
    # for tables to be registered"); a stalled worker then exits, and is restarted here as
    # its supervisor would. Its views must still converge with nothing lost.
    distributed.env["ALLIANCE_STALL_EXIT_SECONDS"] = "30"
    events = events_for(25, count=6000)
    expected, facts = undisturbed(events, tmp_path)
    half = len(events) // 2
    distributed.start_api()
    first = start(distributed, "first")
    watch = LagWatch([first])
    with watch.running(), signed_client(distributed) as client:
        produce_all(kafka_bootstrap, distributed, events[:half])
        # A second worker joins the group, so the group rebalances while records keep
        # arriving; the first worker dies in the middle of it.
        second_port = free_port()
        distributed.start_worker("adoption", name="second", ops_port=second_port)
        second = f"http://127.0.0.1:{second_port}"
        watch.urls.append(second)
        wait_until(lambda: httpx.get(f"{second}/healthz", timeout=2).status_code == 200, 60, what="second up")
        producer = threading.Thread(target=produce_all, args=(kafka_bootstrap, distributed, events[half:]))
        producer.start()
        time.sleep(1.0)
        started = time.monotonic()
        distributed.kill_worker("first")
        watch.urls.remove(first)
        producer.join(180)
        restarts = 0
        deadline = time.monotonic() + 300
        while client.get("/v1/adoption").json() != expected:
            if time.monotonic() > deadline:
                pytest.fail(f"views never equal; log:\n{distributed.log_tail('worker-second')}")
            exited = distributed.workers["second"].poll()
            if exited is not None:
                assert exited == STALL_EXIT_CODE, distributed.log_tail("worker-second")
                restarts += 1
                distributed.workers.pop("second")
                watch.urls.remove(second)
                second = start(distributed, "second")
                watch.urls.append(second)
            time.sleep(0.5)
        recovered_seconds = time.monotonic() - started
        wait_until(lambda: worker_ready(second), 60, what="the second worker holds the partitions")
    lost = facts - stored_facts(distributed, ferretdb_uri)
    report(
        "worker-killed-in-rebalance",
        views_equal_after_s=recovered_seconds,
        stall_restarts=restarts,
        lag_peak=int(watch.peak),
        events_lost=lost,
    )
    assert lost == 0
