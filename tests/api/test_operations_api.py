"""Operations on the API: /metrics (checked by promtool), dead letters listed, shown and replayed."""

from __future__ import annotations

from services.core.ports import LogRecord, Unavailable
from tests.support.factories import phase, registered
from tests.support.promtool import check_metrics


def _metric(text: str, prefix: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


def _refused_history(client, platform) -> dict:
    reg = registered("ops-pilot", municipality="3401", at="2026-01-01T08:00:00Z")
    intruder = phase("ops-pilot", "discontinued", municipality="3403", at="2026-02-01T08:00:00Z")
    assert client.post("/v1/events", json=[reg, intruder]).status_code == 200
    platform.log.append("pilot-events", [LogRecord("3401", b"{not json")])
    platform.drain()
    return intruder


def test_metrics_are_valid_and_count_requests_by_route_template(client, platform):
    _refused_history(client, platform)
    assert client.get("/v1/pilots/ops-pilot").status_code == 200
    assert client.get("/v1/pilots/unknown-pilot").status_code == 404
    platform.monitor_lag().sample()
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    check_metrics(text)
    # By template, never by the concrete path (ids would explode the label set).
    assert 'route="/v1/pilots/{pilot_id}"' in text and "ops-pilot" not in text
    assert _metric(text, 'alliance_http_requests_total{method="GET",route="/v1/pilots/{pilot_id}"') == 2
    posted = 'alliance_http_request_duration_seconds_count{method="POST",route="/v1/events"}'
    assert _metric(text, posted) == 1
    assert _metric(text, 'alliance_events_produced_total{topic="pilot-events",type="pilot.registered"}') == 1
    assert _metric(text, 'alliance_events_consumed_total{service="adoption",topic="pilot-events"') == 3
    assert _metric(text, "alliance_events_dead_lettered_total") == 2
    assert 'reason="invalid_json"' in text and 'reason="pilot_owned_by_other_municipality"' in text
    for family in (
        "alliance_build_info{",
        "alliance_event_latency_from_occurred_seconds_bucket{",
        "alliance_event_latency_from_recorded_seconds_bucket{",
        "alliance_batch_events_bucket{",
        "alliance_batch_duration_seconds_bucket{",
        "alliance_store_write_duration_seconds_bucket{",
        'alliance_consumer_lag{partition="0",service="adoption",topic="pilot-events"} 0.0',
        'alliance_consumer_position{partition="0",service="adoption",topic="pilot-events"} 3.0',
        "alliance_last_batch_timestamp_seconds{",
    ):
        assert family in text, family


def test_lag_is_measured_per_partition_before_the_service_catches_up(client, platform):
    client.post("/v1/events", json=registered("lagging", municipality="3401", at="2026-01-01T08:00:00Z"))
    platform.monitor_lag().sample()
    text = client.get("/metrics").text
    check_metrics(text)
    assert _metric(text, 'alliance_consumer_lag{partition="0",service="adoption"') == 1
    platform.drain()
    platform.monitor_lag().sample()
    assert _metric(client.get("/metrics").text, 'alliance_consumer_lag{partition="0",service="adoption"') == 0


def test_errors_are_counted_by_route(client, platform, monkeypatch):
    def unreachable(**_filters: object) -> None:
        raise Unavailable("read-model database unavailable")

    monkeypatch.setattr(platform.queries, "adoption", unreachable)
    assert client.get("/v1/adoption").status_code == 503
    text = client.get("/metrics").text
    check_metrics(text)
    assert _metric(text, 'alliance_http_request_errors_total{method="GET",route="/v1/adoption"}') == 1


def test_dead_letters_are_listed_shown_and_replayed_without_double_counting(client, platform, caplog):
    caplog.set_level("INFO", logger="streams.observability.instrumented")
    intruder = _refused_history(client, platform)
    # Logged with the event_id for correlation, and the field paths, never the values.
    logged = {(r.event_id, r.reason) for r in caplog.records if r.getMessage() == "dead-lettered"}
    assert (intruder["event_id"], "pilot_owned_by_other_municipality") in logged
    assert (None, "invalid_json") in logged
    listing = client.get("/v1/dead-letters").json()
    assert listing["count"] == 2
    reasons = {item["reason"]: item for item in listing["items"]}
    assert set(reasons) == {"invalid_json", "pilot_owned_by_other_municipality"}
    assert reasons["invalid_json"]["errors"] == [
        {"field": "$", "rule": "invalid_json", "message": "Not valid JSON"}
    ]
    only = client.get("/v1/dead-letters", params={"reason": "invalid_json"}).json()
    assert [i["reason"] for i in only["items"]] == ["invalid_json"]
    letter = reasons["pilot_owned_by_other_municipality"]
    assert letter["event_id"] == intruder["event_id"]
    assert client.get(f"/v1/dead-letters/{letter['id']}").json() == letter
    assert client.get("/v1/dead-letters/9-999").status_code == 404

    before = client.get("/v1/adoption").json(), client.get("/v1/pilots/ops-pilot").json()
    end = platform.log.end_offset("pilot-events", 0)
    response = client.post("/v1/dead-letters/replay", json={"ids": [letter["id"], letter["id"], "0-999"]})
    assert response.status_code == 200
    body = response.json()
    assert body["replayed"] == 1
    assert [r["status"] for r in body["results"]] == ["replayed", "unknown"]
    (audited,) = client.get("/v1/audit", params={"action": "dead_letters.replay"}).json()
    assert [(i["id"], i["outcome"]) for i in audited["items"]] == [
        (intruder["event_id"], "accepted"),
        ("0-999", "refused"),
    ]
    # The original bytes again, event_id and all.
    (replayed,) = platform.log.read("pilot-events", 0, end, 10)
    (original,) = platform.log.read("pilot-events", 0, letter["offset"], 1)
    assert replayed.value == original.value and replayed.key == original.key
    platform.drain()
    assert (client.get("/v1/adoption").json(), client.get("/v1/pilots/ops-pilot").json()) == before
    # A second replay changes nothing either.
    client.post("/v1/dead-letters/replay", json={"ids": [letter["id"]]})
    platform.drain()
    assert (client.get("/v1/adoption").json(), client.get("/v1/pilots/ops-pilot").json()) == before


def test_replay_request_is_validated(client):
    response = client.post("/v1/dead-letters/replay", json={"ids": []})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ids"
