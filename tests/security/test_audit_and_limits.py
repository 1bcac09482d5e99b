"""The audit log of writes, security headers, and the limits on hostile input."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import orjson
import pytest
from fastapi.testclient import TestClient

from alliance.bootstrap import build_platform
from alliance.settings import Settings
from api.app import create_app
from api.middleware.headers import STRICT_CSP
from tests.conftest import fixed_clock
from tests.support.auth import COORDINATOR_ORG, HOSPITAL_ORG, READ, PlatformTokens, SigningAuth, org_of
from tests.support.factories import registered


def test_every_write_is_audited_and_only_coordinators_read_the_log(client, tokens):
    own = registered("p1", municipality="3420")
    assert client.post("/v1/events", json=own).status_code == 202
    spoof = registered("p2", municipality="3420")
    assert (
        client.post("/v1/events", json=spoof, headers=tokens.municipality("3403"), auth=None).status_code
        == 403
    )
    hospital = tokens.headers(HOSPITAL_ORG, "alliance:events.write")
    assert client.post("/v1/events", json=registered("p3"), headers=hospital, auth=None).status_code == 403
    response = client.get("/v1/audit", headers=tokens.headers(COORDINATOR_ORG, READ), auth=None)
    assert response.status_code == 200
    entries = response.json()
    assert [(e["org_number"], e["status"], e["result"]) for e in entries] == [
        (HOSPITAL_ORG, 403, "refused"),
        (org_of("3403"), 403, "refused"),
        (org_of("3420"), 202, "accepted"),
    ]
    assert entries[1]["items"] == [
        {"id": spoof["event_id"], "outcome": "refused", "rules": ["not_permitted"]}
    ]
    assert entries[2]["items"] == [{"id": own["event_id"], "outcome": "accepted", "rules": None}]
    assert entries[2]["action"] == "events.submit" and entries[2]["client_id"]
    only_hamar = client.get(f"/v1/audit?org_number={org_of('3403')}").json()
    assert [e["org_number"] for e in only_hamar] == [org_of("3403")]
    assert client.get("/v1/audit", headers=tokens.municipality("3420"), auth=None).status_code == 403
    assert client.get("/v1/audit", headers=tokens.headers(HOSPITAL_ORG, READ), auth=None).status_code == 403
    assert client.get("/v1/audit", auth=None).status_code == 401


def test_audit_log_is_insert_only(platform):
    from services.governance.audit import AUDIT, Actor, AuditItem, AuditLog

    log = AuditLog(platform.store, fixed_clock)
    first = log.record(Actor("952857991", "municipality"), "events.submit", 202, [AuditItem("a", "accepted")])
    assert not hasattr(log, "delete") and not hasattr(log, "update")
    # Inserting an entry with an existing id changes nothing: the store refuses to overwrite.
    assert platform.store.insert_new(AUDIT, [{**first, "status": 500}]) == {first["_id"]}
    assert platform.store.get(AUDIT, first["_id"])["status"] == 202


def test_security_headers_on_api_dashboard_and_docs(client):
    for path in ("/v1/adoption", "/healthz", "/", "/v1/nowhere"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == STRICT_CSP, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in STRICT_CSP and "'unsafe-inline'" not in STRICT_CSP
    docs = client.get("/docs").headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs and "cdn.jsdelivr.net" in docs


def _client(tmp_path, **settings) -> TestClient:
    platform = build_platform(
        Settings(data_dir=tmp_path / "var", cache_seconds=0, **settings), clock=fixed_clock
    )
    test_client = TestClient(create_app(platform, process=False))
    test_client.auth = SigningAuth(PlatformTokens(platform.settings))
    return test_client


def test_rate_limit_answers_429_with_retry_after(tmp_path, monkeypatch):
    # The limiter's clock stands still: all seven requests fall in one window however slowly
    # the machine answers them.
    import limits.storage.memory

    frozen = time.time()
    monkeypatch.setattr(limits.storage.memory, "time", SimpleNamespace(time=lambda: frozen))
    with _client(tmp_path, rate_limit_per_second=3) as client:
        statuses = [client.get("/healthz").status_code for _ in range(6)]
        assert statuses == [200, 200, 200, 429, 429, 429]
        limited = client.get("/healthz")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 2
        assert limited.json()["errors"][0]["rule"] == "rate_limit"


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        (
            "[" * 40 + "]" * 40,
            "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]",
            "max_depth",
        ),
        ("[" + ",".join(["1"] * 10_001) + "]", "$", "max_array_items"),
        ('{"payload": {"title": "' + "x" * 100_001 + '"}}', "payload.title", "max_string_length"),
    ],
)
def test_json_shape_limits(client, body, field, rule):
    response = client.post("/v1/events", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["rule"] == rule
    if rule != "max_depth":
        assert error["field"] == field


def test_slow_request_is_answered_503_in_time(tmp_path):
    with _client(tmp_path, request_timeout_seconds=0.2) as client:

        @client.app.get("/slow-test-route")
        async def slow() -> dict[str, str]:
            await asyncio.sleep(2)
            return {"status": "late"}

        response = client.get("/slow-test-route")
        assert response.status_code == 503
        assert response.json()["errors"][0]["rule"] == "request_timeout"
        assert response.headers["retry-after"]


def test_file_import_is_audited(tmp_path):
    from typer.testing import CliRunner

    from alliance.cli import app as cli
    from services.governance.audit import AuditLog

    event = registered("imported", municipality="3403")
    file = tmp_path / "events.jsonl"
    file.write_text(orjson.dumps(event).decode() + "\n{broken\n", encoding="utf-8")
    data_dir = tmp_path / "var"
    result = CliRunner().invoke(cli, ["import", str(file), "--data-dir", str(data_dir)])
    assert result.exit_code == 1, result.output
    platform = build_platform(Settings(data_dir=data_dir), clock=fixed_clock)
    try:
        entries = AuditLog(platform.store, fixed_clock).query(action="events.import")
    finally:
        platform.close()
    items = [item for entry in entries for item in entry["items"]]
    assert {"id": event["event_id"], "outcome": "accepted"} in items
    assert {"id": None, "outcome": "refused", "rules": ["invalid_json"]} in items
    assert {e["role"] for e in entries} == {"local-import"}
