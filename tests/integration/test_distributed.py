"""The distributed shape end to end: API → Kafka → Faust worker → FerretDB, against the embedded shape."""

from __future__ import annotations

import json
import random
import subprocess
import time

import orjson
import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer

from alliance.bootstrap import build_platform
from alliance.demo import demo_events
from alliance.settings import Settings
from api.app import create_app
from tests.conftest import fixed_clock
from tests.support import servers
from tests.support.distributed import wait_until
from tests.support.factories import phase, registered

pytestmark = pytest.mark.integration


# Lessons, benefits, peers and diffusion: read through the same routes in both shapes.
INSIGHT_CALLS = (
    "/v1/lessons?limit=500",
    "/v1/lessons?q=alarm%20opplæring&limit=100",
    "/v1/lessons?q=supplier&region=sor-osterdal&outcome=scaled_up",
    "/v1/benefits",
    "/v1/municipalities/3420/peers?technology=safety-alarm",
    "/v1/technologies/safety-alarm/diffusion",
)


def embedded_views(events: list[dict], tmp_path, pilot_ids: list[str]) -> tuple[dict, dict]:
    platform = build_platform(Settings(data_dir=tmp_path / "embedded", cache_seconds=0), clock=fixed_clock)
    for i in range(0, len(events), 1000):
        platform.ingest.submit(events[i : i + 1000], "api")
    platform.drain()
    views = platform.queries.adoption(), {p: platform.queries.pilot(p) for p in pilot_ids}
    platform.close()
    return views


def embedded_insights(events: list[dict], tmp_path) -> dict[str, dict]:
    """The insight calls answered by an embedded platform on the real clock (as the API's is)."""
    platform = build_platform(Settings(data_dir=tmp_path / "insights", cache_seconds=0))
    platform.ingest.submit(events, "api")
    platform.drain()
    with TestClient(create_app(platform, process=False)) as client:
        answers = {call: client.get(call).json() for call in INSIGHT_CALLS}
    platform.close()
    return answers


def shuffled_with_duplicates(events: list[dict], seed: int, duplicates: int) -> list[dict]:
    rng = random.Random(seed)
    out = list(events)
    rng.shuffle(out)
    return out + rng.sample(events, duplicates)


def registered_pilots(events: list[dict]) -> list[str]:
    return sorted({e["payload"]["pilot_id"] for e in events if e["type"] == "pilot.registered"})


def test_same_events_give_identical_views_in_both_shapes(distributed, tmp_path):
    base = demo_events(seed=11)[:2500]
    pilot_ids = registered_pilots(base)
    intruder = phase(pilot_ids[0], "discontinued", municipality="3430", at="2026-01-01T00:00:00Z")
    events = [*shuffled_with_duplicates(base, seed=3, duplicates=300), intruder]
    expected_adoption, expected_pilots = embedded_views(events, tmp_path, pilot_ids)

    distributed.start_api()
    distributed.start_worker("adoption")
    with distributed.client() as client:
        for i in range(0, len(events), 500):
            response = client.post("/v1/events", json=events[i : i + 500])
            assert response.status_code == 200, response.text
        wait_until(
            lambda: client.get("/v1/adoption").json() == expected_adoption,
            180,
            what=f"equal adoption views; worker log:\n{distributed.log_tail('worker-adoption')}",
        )
        for pilot_id, expected in expected_pilots.items():
            assert client.get(f"/v1/pilots/{pilot_id}").json() == expected
        status = client.get(f"/v1/events/{intruder['event_id']}").json()
        assert (status["status"], status["reason"]) == ("rejected", "pilot_owned_by_other_municipality")
        expected_insights = embedded_insights(events, tmp_path)
        assert expected_insights["/v1/lessons?limit=500"]["total"] > 0
        wait_until(
            lambda: {call: client.get(call).json() for call in INSIGHT_CALLS} == expected_insights,
            30,
            what="equal lessons, benefits, peers and diffusion",
        )
        assert client.get(f"/v1/events/{base[0]['event_id']}").json()["status"] == "processed"

    # Rebuild replays the topic into fresh read models (workers stopped first).
    distributed.kill_worker("adoption")
    result = distributed.run("rebuild")
    assert result.returncode == 0, result.stdout + result.stderr
    with distributed.client() as client:
        assert client.get("/v1/adoption").json() == expected_adoption


def test_kcat_producer_writes_straight_onto_the_topic(distributed, kafka_bootstrap, tmp_path):
    servers.require_toolchain("kcat")
    distributed.start_api()
    distributed.start_worker("adoption")
    reg = registered("kcat-pilot", municipality="3427", at="2024-01-01T08:00:00Z")
    step = phase("kcat-pilot", "piloting", municipality="3427", at="2024-06-01T08:00:00Z")
    lines = [f"3427\t{json.dumps(reg)}", f"3427\t{json.dumps(step)}", "3427\t{not json", "3427\t[1, 2]"]
    subprocess.run(
        ["kcat", "-P", "-b", kafka_bootstrap, "-t", f"{distributed.prefix}pilot-events", "-K", "\t"],
        input="\n".join(lines) + "\n",
        text=True,
        check=True,
        timeout=60,
    )
    with distributed.client() as client:
        pilot = wait_until(
            lambda: (
                client.get("/v1/pilots/kcat-pilot").json().get("phase") == "piloting"
                and client.get("/v1/pilots/kcat-pilot").json()
            ),
            120,
            what="kcat events processed",
        )
        assert pilot["municipality"] == "3427"
    # The two bad messages were dead-lettered with a reason and their offsets; nothing was lost.
    consumer_log = _read_topic(kafka_bootstrap, f"{distributed.prefix}dead-letter", 2)
    assert sorted(d["reason"] for d in consumer_log) == ["invalid_json", "validation_failed"]
    assert all(d["topic"] == "pilot-events" and d["offset"] >= 0 for d in consumer_log)


def _read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 60) -> list[dict]:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    consumer.assign([TopicPartition(topic, 0)])
    consumer.seek_to_beginning()
    found: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(found) < expected and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=1000).values():
            found += [orjson.loads(r.value) for r in records]
    consumer.close()
    return found


def test_sigkill_of_the_worker_at_three_points_changes_nothing(distributed, kafka_bootstrap, tmp_path):
    events = []
    for seed in range(10):
        events += demo_events(seed, pilot_prefix=f"k{seed}-")
    events = shuffled_with_duplicates(events, seed=5, duplicates=1000)
    assert len(events) >= 50_000
    sample = registered_pilots(events)[::40]
    expected_adoption, expected_pilots = embedded_views(events, tmp_path, sample)

    distributed.start_api()  # creates the topics
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", linger_ms=20, batch_size=256 * 1024
    )
    topic = f"{distributed.prefix}pilot-events"
    for event in events:
        producer.send(topic, key=event["municipality"].encode(), value=orjson.dumps(event))
    producer.flush(120)
    producer.close()

    rng = random.Random(9)
    with distributed.client() as client:

        def processed() -> int:
            return sum(c["pilots"] for c in client.get("/v1/adoption").json()["cells"])

        total_pilots = sum(c["pilots"] for c in expected_adoption["cells"])
        for kill in range(3):
            distributed.start_worker("adoption")
            target = total_pilots * (kill + 1) // 4 + rng.randrange(0, 20)
            wait_until(
                lambda t=target: processed() >= t,
                300,
                every=0.2,
                what=f"progress before kill {kill}; log:\n{distributed.log_tail('worker-adoption')}",
            )
            time.sleep(rng.uniform(0, 1.5))
            distributed.kill_worker("adoption")
        distributed.start_worker("adoption")
        wait_until(
            lambda: client.get("/v1/adoption").json() == expected_adoption,
            600,
            what=f"views equal after restarts; log:\n{distributed.log_tail('worker-adoption')}",
        )
        for pilot_id, expected in expected_pilots.items():
            assert client.get(f"/v1/pilots/{pilot_id}").json() == expected


def test_api_answers_503_with_retry_after_while_kafka_is_down(distributed, tmp_path):
    distributed.start_api()
    event = registered("while-down", municipality="3401", at="2024-01-01T08:00:00Z")
    servers.stop_kafka()
    try:
        with distributed.client() as client:
            response = client.post("/v1/events", json=event)
            assert response.status_code == 503
            assert int(response.headers["retry-after"]) > 0
            assert client.get(f"/v1/events/{event['event_id']}").status_code == 404
    finally:
        servers.start_kafka()
    distributed.start_worker("adoption")
    with distributed.client() as client:
        retried = wait_until(lambda: client.post("/v1/events", json=event), 120, what="post after restart")
        assert retried.status_code == 202 and retried.json()["status"] == "accepted"
        wait_until(lambda: client.get("/v1/pilots/while-down").status_code == 200, 120, what="processed")


def test_procurement_runs_in_the_distributed_shape_as_embedded(distributed, tmp_path):
    from services.procurement import sor_osterdal_safety_alarm_releases
    from services.procurement.examples import EXAMPLE_OCID

    releases = sor_osterdal_safety_alarm_releases()
    platform = build_platform(Settings(data_dir=tmp_path / "embedded", cache_seconds=0), clock=fixed_clock)
    platform.procurement_ingest.submit({"releases": [*releases[::-1], releases[0]]})
    platform.drain()
    expected = platform.procurement_queries.record(EXAMPLE_OCID)
    platform.close()

    distributed.start_api()
    distributed.start_worker("procurement")
    with distributed.client() as client:
        response = client.post("/v1/procurement/releases", json={"releases": [*releases[::-1], releases[0]]})
        assert response.status_code == 200, response.text
        served = wait_until(
            lambda: (
                (r := client.get(f"/v1/procurement/records/{EXAMPLE_OCID}")).status_code == 200
                and r.json()["status"] == "terminated"
                and r.json()
            ),
            120,
            what=f"record compiled; log:\n{distributed.log_tail('worker-procurement')}",
        )
        assert served["compiled_release"] == expected["compiled_release"]
        assert served["classification"][0]["technology"] == "safety-alarm"
        assert sorted(served["municipalities"]) == ["3420", "3421", "3422"]
