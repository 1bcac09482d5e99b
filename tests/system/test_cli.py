"""The alliance command: import (JSON Lines and CSV), rebuild, export-schemas --check."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from alliance.bootstrap import build_platform
from alliance.cli import app
from alliance.settings import Settings
from tests.support.factories import FNR, metrics, phase, registered

runner = CliRunner()


def views(data_dir: Path) -> dict:
    platform = build_platform(Settings(data_dir=data_dir, cache_seconds=0))
    adoption = platform.queries.adoption()
    platform.close()
    return adoption


def test_import_jsonl_summarises_and_lands_valid_lines(tmp_path):
    file = tmp_path / "events.jsonl"
    lines = [
        json.dumps(registered("p1", municipality="3420")),
        "{broken",
        json.dumps(metrics("p1", "2021-01", users_active=4)),
        json.dumps(registered("p2", title=f"fnr {FNR}")),
        "",
        json.dumps(phase("p1", "piloting", at="2021-06-01T08:00:00Z")),
    ]
    file.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["import", str(file), "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 1, result.output
    assert "accepted" in result.output and "invalid_json" in result.output
    assert "line 2" in result.output and "line 4: payload.title: identity_number" in result.output
    assert FNR not in result.output
    (cell,) = views(tmp_path / "var")["cells"]
    assert (cell["phase"], cell["users_active"]) == ("piloting", 4)
    again = runner.invoke(app, ["import", str(file), "--data-dir", str(tmp_path / "var")])
    assert "duplicate" in again.output


def test_import_csv(tmp_path):
    file = tmp_path / "events.csv"
    rows = [registered("p1", partners=["HelseINN", "952857991"]), metrics("p1", "2021-01", users_active=7)]
    columns = [
        "event_id",
        "type",
        "municipality",
        "occurred_at",
        "payload.pilot_id",
        "payload.technology",
        "payload.title",
        "payload.partners",
        "payload.period",
        "payload.users_active",
    ]
    with file.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for event in rows:
            flat = {k: event[k] for k in ("event_id", "type", "municipality", "occurred_at")}
            for name, value in event["payload"].items():
                flat[f"payload.{name}"] = "|".join(value) if isinstance(value, list) else value
            writer.writerow(flat)
    result = runner.invoke(app, ["import", str(file), "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 0, result.output
    assert views(tmp_path / "var")["cells"][0]["users_active"] == 7


def test_rebuild_replays_the_log_into_the_same_views(tmp_path):
    file = tmp_path / "events.jsonl"
    events = [
        registered("p1"),
        phase("p1", "operation", at="2021-06-01T08:00:00Z"),
        metrics("p1", "2021-01", users_active=3),
    ]
    file.write_text("\n".join(json.dumps(e) for e in events))
    runner.invoke(app, ["import", str(file), "--data-dir", str(tmp_path / "var")])
    before = views(tmp_path / "var")
    result = runner.invoke(app, ["rebuild", "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 0, result.output
    assert "Rebuilt views from 3 events" in result.output
    assert views(tmp_path / "var") == before


def test_export_schemas_check_passes_on_committed_exports():
    result = runner.invoke(app, ["export-schemas", "--check"])
    assert result.exit_code == 0, result.output
