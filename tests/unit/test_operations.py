"""A worker's operations endpoints, the JSON log format and the dead-letters command."""

from __future__ import annotations

import json
import logging

import httpx
from typer.testing import CliRunner

from alliance.cli import app
from services.core.ports import LogRecord, Unavailable
from streams.observability.log_format import JsonFormatter
from streams.observability.metrics import Metrics
from streams.observability.ops_server import OpsServer, WorkerHealth
from tests.support.factories import phase, registered
from tests.support.promtool import check_metrics


def test_worker_probes_and_metrics():
    metrics = Metrics("worker-adoption", "distributed")
    store_ok = {"value": True}
    health = WorkerHealth(metrics, [("store unreachable", lambda: store_ok["value"])])
    server = OpsServer(health, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{server.port}"
    try:
        assert httpx.get(f"{url}/healthz").status_code == 200
        not_ready = httpx.get(f"{url}/readyz")
        assert not_ready.status_code == 503 and not_ready.json()["detail"] == "waiting for partitions"
        health.recovered = True
        assert httpx.get(f"{url}/readyz").json() == {"status": "ready", "detail": None}
        store_ok["value"] = False
        assert httpx.get(f"{url}/readyz").json()["detail"] == "store unreachable"
        health.heartbeat -= 120  # the event loop has not ticked for two minutes
        assert httpx.get(f"{url}/healthz").status_code == 503
        response = httpx.get(f"{url}/metrics")
        assert response.status_code == 200
        check_metrics(response.content)
        assert "alliance_ready 0.0" in response.text
        assert 'alliance_build_info{process="worker-adoption"' in response.text
        assert httpx.get(f"{url}/other").status_code == 404
    finally:
        server.stop()


def test_log_lines_are_json_with_event_id_correlation():
    record = logging.LogRecord("alliance.test", logging.WARNING, __file__, 1, "lettered %s", ("x",), None)
    record.event_id = "0b0f8f2e-7a59-4c47-9f7e-2d3d1c3c9a01"
    record.reason = "validation_failed"
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "warning" and line["message"] == "lettered x"
    assert line["event_id"] == "0b0f8f2e-7a59-4c47-9f7e-2d3d1c3c9a01"
    assert line["reason"] == "validation_failed" and line["ts"].endswith("+00:00")


def test_dead_letters_command_lists_shows_and_replays(platform, monkeypatch):
    monkeypatch.setenv("ALLIANCE_DATA_DIR", str(platform.settings.data_dir))
    reg = registered("cli-pilot", municipality="3401", at="2026-01-01T08:00:00Z")
    intruder = phase("cli-pilot", "discontinued", municipality="3403", at="2026-02-01T08:00:00Z")
    platform.ingest.submit([reg, intruder], "import")
    platform.log.append("pilot-events", [LogRecord("3401", b"[1, 2]")])
    platform.drain()
    runner = CliRunner()
    listing = runner.invoke(app, ["dead-letters", "list"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0, listing.output
    assert "pilot_owned_by_other_municipality" in listing.output and "validation_failed" in listing.output
    letter = platform.dead_letters.find(reason="pilot_owned_by_other_municipality")[0]
    shown = runner.invoke(app, ["dead-letters", "show", letter.id])
    assert shown.exit_code == 0 and json.loads(shown.output)["event_id"] == intruder["event_id"]
    assert runner.invoke(app, ["dead-letters", "show", "0-999"]).exit_code == 1
    end = platform.log.end_offset("pilot-events", 0)
    replayed = runner.invoke(app, ["dead-letters", "replay", letter.id], env={"COLUMNS": "200"})
    assert replayed.exit_code == 0, replayed.output
    assert "replayed" in replayed.output
    assert platform.log.end_offset("pilot-events", 0) == end + 1


def test_embedded_runner_counts_retried_batches(platform):
    platform.ingest.submit([registered("retry-pilot", municipality="3401", at="2026-01-01T08:00:00Z")], "api")
    adoption = platform.consumers["adoption"]
    handle = adoption.handle
    failures = iter([Unavailable("store went away")])

    def flaky(entries):  # the first batch fails once, as a dropped connection does
        error = next(failures, None)
        if error is not None:
            raise error
        return handle(entries)

    adoption.handle = flaky
    platform.start_processing()
    platform.runner.recovered.wait(10)
    assert platform.queries.pilot("retry-pilot")["municipality"] == "3401"
    text = platform.metrics.exposition().decode()
    check_metrics(text)
    assert 'alliance_batch_retries_total{service="embedded"} 1.0' in text
