"""POST /v1/events and GET /v1/events/{id}: acceptance, duplicates, conflicts, refusals."""

from __future__ import annotations

import logging

import orjson

from tests.support.factories import FNR, lesson, metrics, phase, registered


def test_single_event_is_accepted_then_processed(client, platform):
    reg = registered("p1", municipality="0427")
    response = client.post("/v1/events", json=reg)
    assert response.status_code == 202
    assert response.json() == {"event_id": reg["event_id"], "status": "accepted"}
    assert client.get(f"/v1/events/{reg['event_id']}").json()["status"] == "accepted"
    platform.drain()
    assert client.get(f"/v1/events/{reg['event_id']}").json() == {
        "event_id": reg["event_id"],
        "status": "processed",
    }


def test_same_event_again_is_a_duplicate_and_other_content_is_409(client, platform):
    reg = registered("p1")
    assert client.post("/v1/events", json=reg).status_code == 202
    again = client.post("/v1/events", json=reg)
    assert (again.status_code, again.json()["status"]) == (202, "duplicate")
    # the same content written with the pre-2020 code is still the same event
    assert client.post("/v1/events", json={**reg, "municipality": "0427"}).json()["status"] == "duplicate"
    changed = {**reg, "payload": {**reg["payload"], "title": "Annen tittel"}}
    conflict = client.post("/v1/events", json=changed)
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["rule"] == "conflicting_event_id"
    platform.drain()
    assert client.get("/v1/pilots/p1").json()["title"] == reg["payload"]["title"]


def test_refusal_names_every_field_and_rule(client):
    bad = registered("p1", municipality="9999")
    bad["payload"]["title"] = "x" * 201
    response = client.post("/v1/events", json=bad)
    assert response.status_code == 422
    rules = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert rules == {("municipality", "unknown_municipality"), ("payload.title", "string_too_long")}


def test_identity_number_is_refused_and_never_stored_or_logged(client, platform, caplog):
    caplog.set_level(logging.DEBUG)
    bad = lesson("p1", text=f"Bruker {FNR[:6]} {FNR[6:]} falt")
    response = client.post("/v1/events", json=bad)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "payload.text",
            "rule": "identity_number",
            "message": "Contains a Norwegian national identity number",
        }
    ]
    assert FNR[:6] not in response.text
    platform.drain()
    assert client.get(f"/v1/events/{bad['event_id']}").status_code == 404
    for path in platform.settings.data_dir.rglob("*"):
        assert not path.is_file() or FNR[6:].encode() not in path.read_bytes()
    assert FNR[6:] not in caplog.text


def test_batch_lands_valid_items_and_reports_each(client, platform):
    reg = registered("p1")
    items = [
        reg,
        {"nope": 1},
        metrics("p1", "2021-01", users_active=2),
        reg,
        "text",
        registered("p2", title=f"fnr {FNR}"),
    ]
    response = client.post("/v1/events", json=items)
    assert response.status_code == 200
    body = response.json()
    assert [r["status"] for r in body["results"]] == [
        "accepted",
        "refused",
        "accepted",
        "duplicate",
        "refused",
        "refused",
    ]
    assert (body["accepted"], body["duplicate"], body["refused"], body["conflict"]) == (2, 1, 3, 0)
    assert body["results"][5]["errors"][0] == {
        "field": "payload.title",
        "rule": "identity_number",
        "message": "Contains a Norwegian national identity number",
    }
    platform.drain()
    assert client.get("/v1/adoption").json()["cells"][0]["users_active"] == 2


def test_batch_limit_and_body_limits(client):
    too_many = [registered(f"p{i}") for i in range(1001)]
    response = client.post("/v1/events", json=too_many)
    assert (response.status_code, response.json()["errors"][0]["rule"]) == (422, "max_items")
    assert client.post("/v1/events", content=b"{not json").json()["errors"][0]["rule"] == "invalid_json"
    huge = b"[" + b'"x",' * 3_000_000 + b'"x"]'
    assert client.post("/v1/events", content=huge).status_code == 413


def test_conflicting_ids_inside_one_batch(client):
    reg = registered("p1")
    other = {**reg, "payload": {**reg["payload"], "title": "B"}}
    body = client.post("/v1/events", json=[reg, other]).json()
    assert [r["status"] for r in body["results"]] == ["accepted", "conflict"]


def test_wrong_owner_is_rejected_with_reason_and_dead_lettered(client, platform):
    client.post("/v1/events", json=registered("p1", municipality="3420"))
    foreign = phase("p1", "operation", municipality="3421")
    client.post("/v1/events", json=foreign)
    platform.drain()
    status = client.get(f"/v1/events/{foreign['event_id']}").json()
    assert (status["status"], status["reason"]) == ("rejected", "pilot_owned_by_other_municipality")
    letters = [orjson.loads(e.value) for e in platform.log.read("dead-letter", 0, 0, 10)]
    assert [(d["event_id"], d["reason"], d["topic"]) for d in letters] == [
        (foreign["event_id"], "pilot_owned_by_other_municipality", "pilot-events")
    ]


def test_unknown_event_is_404(client):
    response = client.get("/v1/events/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert "Unknown event" in response.json()["detail"]


def test_log_unavailable_answers_503_with_retry_after_and_keeps_nothing(client, platform, monkeypatch):
    from services.core.ports import Unavailable

    def down(*_args, **_kwargs):
        raise Unavailable("event log down")

    monkeypatch.setattr(platform.log, "append", down)
    reg = registered("p1")
    response = client.post("/v1/events", json=reg)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    monkeypatch.undo()
    # the retry is accepted (not reported as a duplicate of something never published)
    assert client.post("/v1/events", json=reg).json()["status"] == "accepted"
    platform.drain()
    assert client.get("/v1/pilots/p1").status_code == 200
