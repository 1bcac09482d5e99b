"""A batch the projector fails on, in both shapes: dead-lettered, passed, and applied once when replayed.

The poison is a bug only one marked event meets: the adoption projection's rule raises on
it, in the process that runs the projector (the embedded runner's thread, or an in-process
Faust worker app on real Kafka and FerretDB). The batch goes through the failure policy:
dead-lettered as ``processing_error``, the stored position moved past it, so the lag drops
to 0. After the fix a replay of the letters applies the events once, however often it is
done: the pilot's lessons are counted and its hours summed once.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from dataclasses import replace
from typing import Any

import pymongo
import pytest
from prometheus_client.parser import text_string_to_metric_families

import services.adoption.service as adoption_service
from alliance.bootstrap import Platform, build_platform
from alliance.settings import Settings
from schemas.topics import PILOT_EVENTS, TOPICS
from services.core.errors import NotFound
from services.core.positions import read_positions
from services.core.projector import PROCESSING_ERROR
from streams.observability.instrumented import LagMonitor
from tests.conftest import fixed_clock
from tests.support.distributed import wait_until
from tests.support.factories import lesson, metrics, phase, registered

MARKED = "5a1f0c3e-0000-4000-8000-00000000bad2"
PILOT = "poison-pilot"
TOPIC = PILOT_EVENTS.name


class Poisoned(RuntimeError):
    """The bug: only the marked event meets it."""


class Poison:
    """Makes the adoption rule raise on the marked event, once the test has seen it held there."""

    def __init__(self) -> None:
        self.met = threading.Event()
        self.release = threading.Event()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = adoption_service.fact_from_event

        def fact_from_event(event: Any, source: Any) -> Any:
            if str(event.event_id) == MARKED:
                self.met.set()
                self.release.wait(60)
                raise Poisoned("a rule that fails on the marked event")
            return real(event, source)

        monkeypatch.setattr(adoption_service, "fact_from_event", fact_from_event)


def _pilot(platform: Platform) -> dict[str, Any] | None:
    try:
        return platform.queries.pilot(PILOT)
    except NotFound:
        return None


def _caught_up(platform: Platform) -> bool:
    """Every partition's stored adoption position is at the end of the log."""
    partitions = [(TOPIC, p) for p in platform.log.partitions(TOPIC)]
    stored = read_positions(platform.store, "adoption", partitions)
    return all(stored[key] == platform.log.end_offset(*key) for key in partitions)


def _metric(platform: Platform, name: str, **labels: str) -> float:
    """A sample of this process's /metrics (0 when there is none)."""
    values = [
        sample.value
        for family in text_string_to_metric_families(platform.metrics.exposition().decode())
        for sample in family.samples
        if sample.name == name and sample.labels == labels
    ]
    return sum(values)


def _lessons_and_hours(platform: Platform) -> tuple[int, float]:
    """What a double application would show: each lesson listed, each month's hours summed."""
    pilot = _pilot(platform) or {}
    return len(pilot.get("lessons", [])), float(pilot.get("hours_saved", 0))


def poisoned_batch_scenario(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    """The story both shapes tell; ``platform``'s projector runs elsewhere (a thread, a Faust app)."""
    at = "2024-0{}-01T00:00:00Z".format
    platform.ingest.submit(
        [
            registered(PILOT, municipality="3420", at=at(1)),
            phase(PILOT, "operation", municipality="3420", at=at(2)),
            metrics(PILOT, "2024-03", municipality="3420", hours_saved=10, at=at(4)),
        ],
        "api",
    )
    wait_until(lambda: _lessons_and_hours(platform) == (0, 10.0), 60, what="the first events applied")
    monitor = LagMonitor(platform.log, platform.store, platform.metrics, [("adoption", TOPIC)])

    poison = Poison()
    with monkeypatch.context() as patch:
        poison.install(patch)
        platform.ingest.submit(
            [
                lesson(PILOT, municipality="3420", at=at(5), event_id=MARKED),
                metrics(PILOT, "2024-04", municipality="3420", hours_saved=5, at=at(6)),
            ],
            "api",
        )
        assert poison.met.wait(60), "the projector never met the marked event"
        monitor.sample()
        assert sum(monitor.lags.values()) > 0  # the batch in hand is not applied yet
        poison.release.set()
        wait_until(
            lambda: platform.dead_letters.find(reason=PROCESSING_ERROR) and _caught_up(platform),
            60,
            what="the poisoned batch dead-lettered and passed",
        )
    letters = platform.dead_letters.find(reason=PROCESSING_ERROR)
    assert MARKED in {s.letter.event_id for s in letters}
    assert all(s.letter.errors[0]["rule"] == PROCESSING_ERROR for s in letters)
    monitor.sample()
    for partition in {s.letter.partition for s in letters}:
        assert monitor.lags[("adoption", TOPIC, partition)] == 0
        lag = {"service": "adoption", "topic": TOPIC, "partition": str(partition)}
        assert _metric(platform, "alliance_consumer_lag", **lag) == 0
    assert _lessons_and_hours(platform) == (0, 10.0)  # skipped: not applied

    # Out of the context above, the rule is fixed.
    for replay in range(2):  # applied once, however often replayed
        results = platform.dead_letters.replay([s.id for s in letters])
        assert {r.status for r in results} == {"replayed"}
        wait_until(lambda: _caught_up(platform), 60, what=f"replay {replay} consumed")
        assert _lessons_and_hours(platform) == (1, 15.0)
    assert platform.queries.event_status(MARKED)["status"] == "processed"


def test_embedded_a_poisoned_batch_is_dead_lettered_passed_and_applied_once_when_replayed(
    tmp_path, monkeypatch
):
    platform = build_platform(Settings(data_dir=tmp_path / "var", cache_seconds=0), clock=fixed_clock)
    try:
        platform.start_processing()
        poisoned_batch_scenario(platform, monkeypatch)
    finally:
        platform.close()


@pytest.mark.integration
def test_distributed_a_poisoned_batch_is_dead_lettered_passed_and_applied_once_when_replayed(
    kafka_bootstrap, ferretdb_uri, tmp_path, monkeypatch
):
    from streams.adapters.logs.kafka import create_topics
    from streams.runners.faust_worker import build_worker_app

    name = f"t{uuid.uuid4().hex[:10]}"  # own topics, group and database on the shared servers
    settings = Settings(
        shape="distributed",
        kafka_bootstrap=kafka_bootstrap,
        mongo_uri=ferretdb_uri,
        mongo_database=name,
        topic_prefix=f"{name}-",
        data_dir=tmp_path / "var",
        cache_seconds=0,
    )
    create_topics(kafka_bootstrap, [replace(t, name=settings.topic_prefix + t.name) for t in TOPICS])
    platform = build_platform(settings, clock=fixed_clock, process="worker-adoption")
    app = build_worker_app(settings, platform.consumers["adoption"], metrics=platform.metrics)

    async def worker_running_the_scenario() -> None:
        await app.start()
        try:
            await asyncio.to_thread(poisoned_batch_scenario, platform, monkeypatch)
        finally:
            await app.stop()

    try:
        asyncio.run(worker_running_the_scenario())
        assert _metric(platform, "alliance_batch_retries_total", service="adoption") == 0  # skipped at once
    finally:
        platform.close()
        pymongo.MongoClient(ferretdb_uri, serverSelectionTimeoutMS=2000).drop_database(name)
