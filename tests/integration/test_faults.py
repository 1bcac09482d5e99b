"""Surviving faults with real servers: after each, every view equals that of an undisturbed run.

All three workers (adoption, procurement, indicators) run in every test and are fed pilot
events, indicator events and OCDS releases, some of them resent. Each fault is injected at
an *observed* point: once the consumer positions stored with the state (in FerretDB) show a
worker has applied part of its stream, and the test asserts that the stream was not yet
applied in full at that moment. Afterwards every view (:func:`tests.support.snapshots.views`:
pilots, cells, profiles, lessons, benefits, diffusion, peers, procurement records, suppliers,
radar, alarms, competence, event statuses) must equal an embedded run of the same events
without faults, and the test's own bookkeeping must show nothing lost and nothing applied
twice: stored facts per pilot against the distinct event ids sent for it, every lesson listed
once, the indicator events registered against the distinct ids sent, the alarms received
summed over the current reports, and each record's releases against the distinct release ids
sent for its ocid.

The faults, spread over the workers so that each meets several kinds:

============================  ===========================================
SIGTERM mid-stream            adoption, procurement
Kafka broker restart          all three
Kafka down while POSTing      all three (through the API)
FerretDB stopped for 30 s     all three (each worker's retry counter rises)
SIGKILL during a rebalance    indicators (a second worker joining)
============================  ===========================================

Each test prints what it observed (``-s``): where the fault hit, how long it lasted, how
long until the views were equal again, the peak consumer lag per service seen on the
workers' ``/metrics``, what was lost and what doubled, and how far the alarms received are
off (all must be 0). Every ``/metrics`` body fetched is checked by ``promtool check metrics``.
"""

from __future__ import annotations

import itertools
import random
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pymongo
import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer

from alliance.bootstrap import build_platform
from alliance.demo import demo_events, demo_indicator_events
from alliance.settings import Settings
from api.app import create_app
from schemas.topics import PILOT_EVENTS, PROCUREMENT_RELEASES
from services.adoption.service import FACTS
from services.core.positions import POSITIONS
from services.indicators.reports import INDICATOR_EVENTS, KIND_OF_TYPE, report_key
from services.procurement.examples import sor_osterdal_safety_alarm_releases
from streams.runners.stall import STALL_EXIT_CODE
from tests.support import servers
from tests.support.auth import PlatformTokens, SigningAuth
from tests.support.distributed import Distributed, free_port, wait_until
from tests.support.promtool import check_metrics
from tests.support.snapshots import differences, views

pytestmark = pytest.mark.integration

SERVICES = ("adoption", "procurement", "indicators")
TOPIC_OF = {
    "adoption": PILOT_EVENTS.name,
    "procurement": PROCUREMENT_RELEASES.name,
    "indicators": PILOT_EVENTS.name,
}
CHUNK = 250
# Small batches: a stream of a few thousand records passes through many commits, so there
# are points inside it to observe and to hit.
BATCH_SIZE = "100"
CACHE_SECONDS = 1.0
PARALLEL_READS = 4  # views read four requests at a time
CLEAN = {"lost": 0, "doubled": 0, "alarms_received_off": 0}
VIEWS_SETTLE_SECONDS = 20.0  # once caught up, views are read again for this long until equal
LAG_LINE = re.compile(r'^alliance_consumer_lag\{[^}]*service="(\w+)"[^}]*\} (\S+)$', re.M)
RETRIES_LINE = r'^alliance_batch_retries_total\{{service="{service}"\}} (\S+)$'


# --- the events and the test's own bookkeeping ---------------------------------------------


def synthetic_releases(processes: int) -> list[dict[str, Any]]:
    """The four releases of the example joint tender, for ``processes`` made-up processes."""
    text = orjson.dumps(sor_osterdal_safety_alarm_releases()).decode()
    releases: list[dict[str, Any]] = []
    for n in range(processes):
        releases += orjson.loads(
            text.replace("soe-2022-001", f"fx{n:03d}-2022-001").replace("SOE-2022-001", f"FX{n:03d}-2022-001")
        )
    return releases


@dataclass(frozen=True)
class Workload:
    """What the municipalities and buyers send, and what the test counts of it itself."""

    events: list[dict[str, Any]]  # pilot and indicator events, shuffled, some sent twice
    releases: list[dict[str, Any]]  # OCDS releases, shuffled, some sent twice
    facts_per_pilot: dict[str, int]  # distinct pilot event ids per pilot
    lesson_ids: frozenset[str]  # lesson_recorded and concluded events: one lesson each
    indicator_ids: frozenset[str]
    alarms_received: int  # summed over the latest report per key
    release_ids: dict[str, frozenset[str]]  # distinct release ids per ocid
    asked: list[str]  # event ids whose status is compared

    @classmethod
    def build(cls, seed: int = 31) -> Workload:
        rng = random.Random(seed)
        pilot_events = demo_events(seed=seed, pilot_prefix=f"f{seed}-")[:1200]
        indicator_events = demo_indicator_events(seed=seed)[::2]
        events = [*pilot_events, *indicator_events]
        rng.shuffle(events)
        events += rng.sample(events, 100)  # resent: must not count twice
        releases = synthetic_releases(75)
        rng.shuffle(releases)
        releases += rng.sample(releases, 20)

        per_pilot: dict[str, set[str]] = {}
        for event in pilot_events:
            per_pilot.setdefault(event["payload"]["pilot_id"], set()).add(event["event_id"])
        latest: dict[str, tuple[str, str, int]] = {}
        for event in indicator_events:
            if event["type"] == "alarms.period_reported":
                key = report_key(KIND_OF_TYPE[event["type"]], event["payload"], event["municipality"])
                candidate = (event["occurred_at"], event["event_id"], event["payload"]["alarms_received"])
                latest[key] = max(latest.get(key, candidate), candidate)
        per_ocid: dict[str, set[str]] = {}
        for release in releases:
            per_ocid.setdefault(release["ocid"], set()).add(release["id"])
        return cls(
            events=events,
            releases=releases,
            facts_per_pilot={pilot: len(ids) for pilot, ids in per_pilot.items()},
            lesson_ids=frozenset(
                e["event_id"]
                for e in pilot_events
                if e["type"] in ("pilot.lesson_recorded", "pilot.concluded")
            ),
            indicator_ids=frozenset(e["event_id"] for e in indicator_events),
            alarms_received=sum(received for _at, _id, received in latest.values()),
            release_ids={ocid: frozenset(ids) for ocid, ids in per_ocid.items()},
            asked=[e["event_id"] for e in events[::40]],
        )

    def records(self, service: str) -> int:
        """How many records the test puts on the service's topic (when it writes them itself)."""
        return len(self.releases) if service == "procurement" else len(self.events)


@pytest.fixture(scope="module")
def workload() -> Workload:
    return Workload.build()


@pytest.fixture(scope="module")
def expected(workload: Workload, tmp_path_factory) -> dict[str, Any]:
    """Every view of the same events and releases, embedded and without faults."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("undisturbed"), cache_seconds=0)
    platform = build_platform(settings)
    try:
        for i in range(0, len(workload.events), 1000):
            platform.ingest.submit(workload.events[i : i + 1000], "api")
        for i in range(0, len(workload.releases), 500):
            platform.procurement_ingest.submit({"releases": workload.releases[i : i + 500]})
        platform.drain()
        with TestClient(create_app(platform, process=False)) as client:
            client.auth = SigningAuth(PlatformTokens(platform.settings))
            found = views(client, workload.asked)
        facts = Counter(doc["pilot_id"] for doc in platform.store.find(FACTS))
        indicator_events = platform.store.count(INDICATOR_EVENTS)
    finally:
        platform.close()
    assert (
        found["/v1/adoption"]["cells"]
        and found["/v1/alarms"]["reports"]
        and found["/v1/competence"]["reports"]
    )
    assert len(found["/v1/procurement/records"]) == len(workload.release_ids) and found["/v1/suppliers"]
    # The undisturbed run agrees with the test's own bookkeeping too.
    assert tally(found, facts, indicator_events, workload) == CLEAN
    return found


def without_channel(found: dict[str, Any]) -> dict[str, Any]:
    """The views without ``published_by`` of records: it says whether a release came through
    the API or straight onto the topic, and the faults here vary the channel, not the result
    (``tests/security/test_procurement_ownership.py`` checks who published what)."""
    return {
        path: {k: v for k, v in view.items() if k != "published_by"}
        if path.startswith("/v1/procurement/records/") and isinstance(view, dict)
        else view
        for path, view in found.items()
    }


def tally(
    found: dict[str, Any], facts: Counter[str], indicator_events: int, workload: Workload
) -> dict[str, int]:
    """What is missing and what is kept twice, against the test's own counts (all must be 0).

    ``lost`` and ``doubled`` count stored facts, listed lessons, registered indicator events,
    releases kept per record and processes per supplier; ``alarms_received_off`` is how far
    the alarms received, summed over the current reports, are from the test's own sum.
    ``facts`` are the stored facts per pilot, ``indicator_events`` the indicator event ids
    registered; the rest is read from the views.
    """
    lost = doubled = 0
    for pilot in workload.facts_per_pilot.keys() | facts.keys():
        have, want = facts.get(pilot, 0), workload.facts_per_pilot.get(pilot, 0)
        lost, doubled = lost + max(0, want - have), doubled + max(0, have - want)
    listed = [lesson["lesson_id"] for lesson in found["/v1/lessons?limit=500"]["lessons"]]
    doubled += len(listed) - len(set(listed))
    lost += len(workload.lesson_ids - set(listed))
    lost, doubled = (
        lost + max(0, len(workload.indicator_ids) - indicator_events),
        doubled + max(0, indicator_events - len(workload.indicator_ids)),
    )
    received = sum(report["alarms_received"] for report in found["/v1/alarms"]["reports"])
    for ocid, ids in workload.release_ids.items():
        record = found.get(f"/v1/procurement/records/{ocid}") or {
            "compile": {"release_ids": []},
            "releases": [],
        }
        for kept in (record["compile"]["release_ids"], [release["id"] for release in record["releases"]]):
            doubled += len(kept) - len(set(kept))
            lost += len(ids - set(kept))
    supplier = (found["/v1/suppliers"] or [{}])[0]
    doubled += max(0, supplier.get("processes", 0) - len(workload.release_ids))
    lost += max(0, len(workload.release_ids) - supplier.get("processes", 0))
    return {"lost": lost, "doubled": doubled, "alarms_received_off": received - workload.alarms_received}


# --- the running deployment ----------------------------------------------------------------


class Store:
    """The deployment's database read directly: consumer positions and stored counts."""

    def __init__(self, uri: str, database: str) -> None:
        self.client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
        self.db = self.client[database]

    def applied(self, service: str) -> int:
        """Records of its topic the service has applied: its stored positions, summed."""
        return sum(int(doc["offset"]) for doc in self.db[POSITIONS].find({"consumer": service}))

    def facts(self) -> Counter[str]:
        return Counter(doc["pilot_id"] for doc in self.db[FACTS].find({}, {"pilot_id": 1}))

    def indicator_events(self) -> int:
        return self.db[INDICATOR_EVENTS].count_documents({})

    def close(self) -> None:
        self.client.close()


@dataclass
class LagWatch:
    """Polls workers' /metrics: the peak summed lag per service, every body checked by promtool."""

    urls: dict[str, str]  # worker name → ops URL
    peak: dict[str, int] = field(default_factory=dict)
    scrapes: int = 0
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _poll(self) -> None:
        while not self._stop.is_set():
            for url in list(self.urls.values()):
                try:
                    response = httpx.get(f"{url}/metrics", timeout=5)
                except httpx.HTTPError:
                    continue  # a worker being killed or restarted
                try:
                    check_metrics(response.content)
                except AssertionError as error:
                    self.errors.append(str(error))
                self.scrapes += 1
                lags: Counter[str] = Counter()
                for service, value in LAG_LINE.findall(response.text):
                    lags[service] += int(float(value))
                for service, lag in lags.items():
                    self.peak[service] = max(self.peak.get(service, 0), lag)
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


class Deployment:
    """The API and one worker per service on a :class:`Distributed`, with the test's probes."""

    def __init__(self, distributed: Distributed, kafka: str, mongo: str) -> None:
        self.distributed = distributed
        self.kafka = kafka
        self.store = Store(mongo, distributed.env["ALLIANCE_MONGO_DATABASE"])
        self.urls: dict[str, str] = {}
        self.watch = LagWatch(self.urls)
        self.restarts = 0
        self.views_read_seconds = 0.0  # reading and comparing every view, once caught up

    def start(self) -> Deployment:
        """The API, then the three workers side by side; returns once all of them are ready."""
        self.distributed.start_api()
        for service in SERVICES:
            self.spawn(service)
        for service in SERVICES:
            self.wait_up(service)
        return self

    def spawn(self, service: str, name: str | None = None) -> str:
        name = name or service
        port = free_port()
        self.distributed.start_worker(service, name=name, ops_port=port)
        self.urls[name] = f"http://127.0.0.1:{port}"
        return name

    def wait_up(self, name: str, probe: str = "readyz") -> None:
        wait_until(
            lambda: self.status(name, probe) == 200,
            90,
            what=f"worker {name} up; log:\n{self.worker_log(name)}",
        )

    def start_worker(self, service: str, name: str | None = None, ready: bool = True) -> None:
        """Start a worker; wait until it holds partitions (``ready``) or only until it runs."""
        self.wait_up(self.spawn(service, name), "readyz" if ready else "healthz")

    def status(self, name: str, probe: str = "healthz") -> int:
        return httpx.get(f"{self.urls[name]}/{probe}", timeout=2).status_code

    def terminate(self, name: str) -> float:
        self.urls.pop(name)
        return self.distributed.terminate_worker(name)

    def kill(self, name: str) -> int:
        """SIGKILL a worker; returns its exit status (the negative signal number)."""
        self.urls.pop(name)
        process = self.distributed.workers[name]
        self.distributed.kill_worker(name)
        return process.returncode

    def retries(self, name: str) -> float:
        body = httpx.get(f"{self.urls[name]}/metrics", timeout=5).content
        check_metrics(body)
        service = name if name in SERVICES else name.split("-")[0]
        found = re.search(RETRIES_LINE.format(service=service).encode(), body, re.M)
        return float(found.group(1)) if found else 0.0

    def applied(self) -> dict[str, int]:
        return {service: self.store.applied(service) for service in SERVICES}

    def when_applied(self, service: str, at_least: int, timeout: float = 120) -> int:
        """Wait until the service has applied ``at_least`` records of its topic (observed in the store)."""
        return wait_until(
            lambda: (n := self.store.applied(service)) >= at_least and n,
            timeout,
            every=0.05,
            what=f"{service} applied {at_least}; log:\n{self.worker_log(service)}",
        )

    def log_ends(self) -> dict[str, int]:
        """Records in each topic (the sum of its partitions' end offsets)."""
        from kafka import KafkaConsumer, TopicPartition

        consumer = KafkaConsumer(bootstrap_servers=self.kafka)
        try:
            ends = {}
            for spec in (PILOT_EVENTS, PROCUREMENT_RELEASES):
                name = f"{self.distributed.prefix}{spec.name}"
                partitions = [TopicPartition(name, p) for p in range(spec.partitions)]
                ends[spec.name] = sum(consumer.end_offsets(partitions).values())
            return ends
        finally:
            consumer.close()

    def worker_log(self, name: str) -> str:
        return self.distributed.log_tail(f"worker-{name}")

    def restart_stalled(self) -> None:
        """Start again, as a supervisor would, a worker that exited after a stall."""
        for name, process in list(self.distributed.workers.items()):
            exited = process.poll()
            if exited is not None:
                assert exited == STALL_EXIT_CODE, f"worker {name} exited {exited}:\n{self.worker_log(name)}"
                self.distributed.workers.pop(name)
                self.urls.pop(name, None)
                self.restarts += 1
                self.start_worker(name.split("-")[0], name=name)

    def converge(
        self, client: httpx.Client, expected: dict[str, Any], workload: Workload, timeout: float = 180
    ) -> dict[str, int]:
        """Wait until every service applied its whole topic and every view equals ``expected``.

        Returns the events lost and doubled against the test's own bookkeeping.
        """
        ends = wait_until(self.log_ends, 60, what="the topics' end offsets")

        def caught_up() -> bool:
            self.restart_stalled()
            applied = self.applied()
            return all(applied[s] >= ends[TOPIC_OF[s]] for s in SERVICES)

        try:
            wait_until(caught_up, timeout, every=0.5, what="every topic applied")
        except AssertionError as error:
            logs = "\n".join(self.worker_log(name) for name in self.distributed.workers)
            raise AssertionError(f"{error}: ends {ends}, applied {self.applied()}; logs:\n{logs}") from None
        # Positions are written last, so the read models are complete now; only a view the
        # API rendered just before may still be served, for CACHE_SECONDS.
        caught_up_at = time.monotonic()
        for reading in itertools.count(1):
            found = views(client, workload.asked, parallel=PARALLEL_READS)
            diff = differences(without_channel(expected), without_channel(found))
            # Read at least twice: a first reading may have met a view rendered just before.
            if not diff or (reading > 1 and time.monotonic() - caught_up_at > VIEWS_SETTLE_SECONDS):
                break
            time.sleep(CACHE_SECONDS)
        self.views_read_seconds = time.monotonic() - caught_up_at
        counted = tally(found, self.store.facts(), self.store.indicator_events(), workload)
        assert not diff, (
            f"views differ from the undisturbed run at {len(diff)} paths ({counted}): {diff[:10]}"
        )
        assert self.applied() == {s: ends[TOPIC_OF[s]] for s in SERVICES}, "applied past the log's end"
        return counted

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def deployment(
    distributed: Distributed, kafka_bootstrap: str, ferretdb_uri: str, tmp_path
) -> Iterator[Deployment]:
    distributed.env["ALLIANCE_LAG_SAMPLE_SECONDS"] = "0.5"
    distributed.env["ALLIANCE_BATCH_SIZE"] = BATCH_SIZE
    distributed.env["ALLIANCE_BATCH_WAIT_SECONDS"] = "0.2"
    # As deployed: the API renders a view at most once a second (and answers from memory while
    # the store is away); converge() reads the views again until they are fresh and equal.
    distributed.env["ALLIANCE_CACHE_SECONDS"] = str(CACHE_SECONDS)
    # The API's own token issuer lives in its data directory; the test clients sign with it.
    distributed.env["ALLIANCE_DATA_DIR"] = str(tmp_path / "api")
    running = Deployment(distributed, kafka_bootstrap, ferretdb_uri)
    yield running
    running.close()


@contextmanager
def signed_client(distributed: Distributed) -> Iterator[httpx.Client]:
    tokens = PlatformTokens(Settings(data_dir=distributed.env["ALLIANCE_DATA_DIR"]))
    with httpx.Client(base_url=distributed.url, timeout=60, auth=SigningAuth(tokens)) as client:
        yield client


# --- the clients: producers on the topics, municipalities posting --------------------------


def produce(deployment: Deployment, events: list[dict], releases: list[dict]) -> None:
    """Write straight onto the topics (systems using Kafka), acks from all, retrying for long."""
    producer = KafkaProducer(
        bootstrap_servers=deployment.kafka,
        acks="all",
        linger_ms=20,
        retries=2**31 - 1,
        request_timeout_ms=10_000,
        delivery_timeout_ms=180_000,
    )
    prefix = deployment.distributed.prefix
    try:
        for release in releases:
            producer.send(
                prefix + PROCUREMENT_RELEASES.name, key=release["ocid"].encode(), value=orjson.dumps(release)
            )
        for event in events:
            producer.send(
                prefix + PILOT_EVENTS.name, key=event["municipality"].encode(), value=orjson.dumps(event)
            )
        producer.flush(180)
    finally:
        producer.close(10)


@contextmanager
def in_background(target: Callable[..., object], *args: object) -> Iterator[threading.Thread]:
    """Run ``target`` in a thread; on leaving, wait for it and raise what it raised."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            target(*args)
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        thread.join(300)
    assert not thread.is_alive(), f"{target.__name__} still running"
    if failure:
        raise failure[0]


def post_all(
    client: httpx.Client,
    path: str,
    items: list[dict],
    seen: Counter[str],
    wrap: bool = False,
    deadline: float = 300,
) -> None:
    """Post in chunks like a municipality's system: retry a chunk on 503 after Retry-After."""
    stop = time.monotonic() + deadline
    for i in range(0, len(items), CHUNK):
        body: Any = {"releases": items[i : i + CHUNK]} if wrap else items[i : i + CHUNK]
        while True:
            try:
                response = client.post(path, json=body)
            except httpx.HTTPError:
                seen["connection_error"] += 1
                time.sleep(1)
                continue
            seen[str(response.status_code)] += 1
            if response.status_code == 200:
                break
            assert response.status_code == 503, response.text
            assert int(response.headers["retry-after"]) > 0
            assert response.json()["detail"].startswith("Temporarily unavailable"), response.text
            assert time.monotonic() < stop, "the API kept refusing"
            time.sleep(1)


def report(fault: str, **figures: object) -> None:
    text = ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
    print(f"\nFAULT {fault}: {text}")


def part(workload: Workload, fraction: float) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """The events and releases split at ``fraction``: (events, releases, rest of each)."""
    e, r = int(len(workload.events) * fraction), int(len(workload.releases) * fraction)
    return workload.events[:e], workload.releases[:r], workload.events[e:], workload.releases[r:]


# --- the faults ------------------------------------------------------------------------------


def test_sigterm_finishes_the_batch_and_exits_within_ten_seconds(deployment, workload, expected):
    deployment.start()
    hit: dict[str, int] = {}
    exit_seconds: dict[str, float] = {}
    with deployment.watch.running(), signed_client(deployment.distributed) as client:
        with in_background(produce, deployment, workload.events, workload.releases):
            # Each worker is stopped at its own observed point, both within the same stream.
            def sigterm_when_a_quarter_applied(service: str) -> None:
                deployment.when_applied(service, workload.records(service) // 4)
                exit_seconds[service] = deployment.terminate(service)
                # What the worker wrote before it exited: part of its stream, not all of it.
                hit[service] = deployment.store.applied(service)

            with (
                in_background(sigterm_when_a_quarter_applied, "procurement"),
                in_background(sigterm_when_a_quarter_applied, "adoption"),
            ):
                pass
        for service, applied in hit.items():
            assert applied < workload.records(service), f"{service} had applied everything before SIGTERM"
            assert exit_seconds[service] < 10
        for service in hit:
            deployment.start_worker(service)
        started = time.monotonic()
        result = deployment.converge(client, expected, workload)
    report(
        "sigterm",
        applied_at_sigterm=hit,
        of={service: workload.records(service) for service in hit},
        exit_s=max(exit_seconds.values()),
        views_equal_after_s=time.monotonic() - started,
        lag_peak=deployment.watch.peak,
        events_lost=result["lost"],
        events_doubled=result["doubled"],
        alarms_received_off=result["alarms_received_off"],
        views_read_s=deployment.views_read_seconds,
        scrapes=deployment.watch.scrapes,
    )
    assert result == CLEAN


def test_kafka_broker_restarted_mid_stream(deployment, workload, expected):
    deployment.start()
    events, releases, more_events, more_releases = part(workload, 0.6)
    with deployment.watch.running(), signed_client(deployment.distributed) as client:
        with in_background(produce, deployment, events, releases):
            for service in SERVICES:
                deployment.when_applied(service, len(releases if service == "procurement" else events) // 3)
        # The rest is on its way (the producer retries) when the broker goes down.
        with in_background(produce, deployment, more_events, more_releases):
            started = time.monotonic()
            servers.stop_kafka()
            hit = deployment.applied()
            servers.start_kafka()
            restart_seconds = time.monotonic() - started
        for service in SERVICES:
            assert hit[service] < workload.records(service), f"{service} had applied everything"
        result = deployment.converge(client, expected, workload)
        recovered_seconds = time.monotonic() - started
    report(
        "kafka-restart",
        applied_at_restart=hit,
        restart_s=restart_seconds,
        views_equal_after_s=recovered_seconds,
        lag_peak=deployment.watch.peak,
        events_lost=result["lost"],
        events_doubled=result["doubled"],
        alarms_received_off=result["alarms_received_off"],
        views_read_s=deployment.views_read_seconds,
    )
    assert result == CLEAN


def test_kafka_down_while_municipalities_post(deployment, workload, expected):
    deployment.start()
    events, releases, more_events, more_releases = part(workload, 0.4)
    seen_events: Counter[str] = Counter()
    seen_releases: Counter[str] = Counter()
    with deployment.watch.running(), signed_client(deployment.distributed) as client:
        post_all(client, "/v1/events", events, seen_events)
        post_all(client, "/v1/procurement/releases", releases, seen_releases, wrap=True)
        for service in SERVICES:
            deployment.when_applied(service, len(releases if service == "procurement" else events) // 4)
        hit = deployment.applied()

        started = time.monotonic()
        servers.stop_kafka()
        try:
            # The municipalities and the buyers keep posting, and retrying what is refused,
            # while the broker is away; it comes back once both were refused.
            with (
                in_background(post_all, client, "/v1/events", more_events, seen_events),
                in_background(
                    post_all, client, "/v1/procurement/releases", more_releases, seen_releases, True
                ),
            ):
                try:
                    wait_until(
                        lambda: seen_events["503"] and seen_releases["503"],
                        90,
                        what="posts of events and of releases refused while the broker is down",
                    )
                finally:
                    servers.start_kafka()
                    down_seconds = time.monotonic() - started
        finally:
            servers.start_kafka()  # idempotent: started already unless a check above failed
        for service in SERVICES:
            assert hit[service] < workload.records(service)
        result = deployment.converge(client, expected, workload)
        recovered_seconds = time.monotonic() - started
    report(
        "kafka-down-while-posting",
        applied_at_stop=hit,
        down_s=down_seconds,
        views_equal_after_s=recovered_seconds,
        event_posts=dict(seen_events),
        release_posts=dict(seen_releases),
        lag_peak=deployment.watch.peak,
        events_lost=result["lost"],
        events_doubled=result["doubled"],
        alarms_received_off=result["alarms_received_off"],
        views_read_s=deployment.views_read_seconds,
    )
    assert result == CLEAN


def test_ferretdb_stopped_for_thirty_seconds(deployment, workload, expected):
    deployment.start()
    events, releases, more_events, more_releases = part(workload, 0.7)
    before = {service: deployment.retries(service) for service in SERVICES}
    with deployment.watch.running(), signed_client(deployment.distributed) as client:
        with in_background(produce, deployment, events, releases):
            for service in SERVICES:
                deployment.when_applied(service, len(releases if service == "procurement" else events) // 4)
            hit = deployment.applied()
            started = time.monotonic()
            servers.stop_ferretdb()
        reads: Counter[int] = Counter()
        not_ready: set[str] = set()
        try:
            # The rest arrives while the store is away: every worker must hold it and retry.
            produce(deployment, more_events, more_releases)

            def outage_observed() -> bool:
                response = client.get("/v1/adoption")
                reads[response.status_code] += 1
                if response.status_code == 503:
                    assert int(response.headers["retry-after"]) > 0
                else:  # answered from what the API had, and says how old it is
                    assert response.status_code == 200 and "x-data-age" in response.headers
                not_ready.update(s for s in SERVICES if deployment.status(s, "readyz") == 503)
                retried = all(deployment.retries(s) > before[s] for s in SERVICES)
                return retried and not_ready == set(SERVICES) and time.monotonic() - started >= 30

            wait_until(outage_observed, 90, every=1.0, what="every worker retrying against the stopped store")
        finally:
            servers.start_ferretdb()
        down_seconds = time.monotonic() - started
        for service in SERVICES:
            assert hit[service] < workload.records(service)
        result = deployment.converge(client, expected, workload)
        recovered_seconds = time.monotonic() - started
        for service in SERVICES:
            wait_until(
                lambda s=service: deployment.status(s, "readyz") == 200, 60, what=f"{service} ready again"
            )
        retried = {service: int(deployment.retries(service) - before[service]) for service in SERVICES}
    report(
        "ferretdb-stopped",
        applied_at_stop=hit,
        down_s=down_seconds,
        views_equal_after_s=recovered_seconds,
        lag_peak=deployment.watch.peak,
        events_lost=result["lost"],
        events_doubled=result["doubled"],
        alarms_received_off=result["alarms_received_off"],
        views_read_s=deployment.views_read_seconds,
        api_reads=dict(reads),
        batches_retried=retried,
    )
    assert result == CLEAN
    assert all(n > 0 for n in retried.values()), f"a worker never met the outage: {retried}"


def test_worker_killed_during_a_rebalance(deployment, workload, expected):
    # Faust can stall for good after losing a member in the middle of a rebalance ("Waiting
    # for tables to be registered"); a stalled worker then exits, and is restarted here as
    # its supervisor would. Its views must still converge with nothing lost.
    deployment.distributed.env["ALLIANCE_STALL_EXIT_SECONDS"] = "30"
    deployment.start()
    events, releases, more_events, more_releases = part(workload, 0.5)
    with deployment.watch.running(), signed_client(deployment.distributed) as client:
        produce(deployment, events, releases)
        deployment.when_applied("indicators", len(events) // 4)
        # A second indicators worker joins the group, so the group rebalances while the rest
        # of the records arrive; the first dies as soon as the second has joined, before the
        # group has given it partitions.
        deployment.start_worker("indicators", name="indicators-second", ready=False)
        with in_background(produce, deployment, more_events, more_releases):
            joining = deployment.status("indicators-second", "readyz") == 503
            started = time.monotonic()
            hit = deployment.store.applied("indicators")
            exit_status = deployment.kill("indicators")
        assert joining, "the second worker had its partitions before the kill: no rebalance under way"
        assert exit_status == -signal.SIGKILL, exit_status
        assert hit < workload.records("indicators"), "indicators had applied everything before the kill"
        result = deployment.converge(client, expected, workload, timeout=300)
        recovered_seconds = time.monotonic() - started
        wait_until(
            lambda: deployment.status("indicators-second", "readyz") == 200,
            60,
            what="the second worker holds the partitions",
        )
    report(
        "worker-killed-in-rebalance",
        applied_at_kill=hit,
        of=workload.records("indicators"),
        views_equal_after_s=recovered_seconds,
        stall_restarts=deployment.restarts,
        lag_peak=deployment.watch.peak,
        events_lost=result["lost"],
        events_doubled=result["doubled"],
        alarms_received_off=result["alarms_received_off"],
        views_read_s=deployment.views_read_seconds,
    )
    assert result == CLEAN
