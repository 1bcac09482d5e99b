"""File imports and dead-letter replays are writes: each lands in the audit log, values never."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from alliance.bootstrap import build_platform
from alliance.cli import app
from alliance.settings import Settings
from services.procurement import sor_osterdal_safety_alarm_releases
from tests.support.factories import FNR
from tests.system.test_import_alarms import HEADER, MALFORMED

runner = CliRunner()


def audit_entries(data_dir: Path, action: str) -> list[dict]:
    platform = build_platform(Settings(data_dir=data_dir, cache_seconds=0))
    assert platform.audit is not None
    entries = platform.audit.query(action=action, limit=1000)
    platform.close()
    return entries


def outcomes(entries: list[dict]) -> Counter[str]:
    return Counter(item["outcome"] for entry in entries for item in entry["items"])


def test_alarm_import_is_audited_row_by_row(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text("\n".join([HEADER, *MALFORMED]) + "\n", encoding="utf-8")
    data_dir = tmp_path / "var"
    runner.invoke(app, ["import-alarms", str(source), "--data-dir", str(data_dir)])

    entries = audit_entries(data_dir, "alarms.import")
    assert outcomes(entries) == {"accepted": 2, "refused": 7}
    assert {entry["role"] for entry in entries} == {"local-import"}
    assert "export.csv" in entries[0]["client_id"]
    rules = {rule for entry in entries for item in entry["items"] for rule in item.get("rules", [])}
    assert {"identity_number", "exceeds_alarms_received", "wrong_number_of_cells"} <= rules
    assert FNR not in json.dumps(entries)  # rules and ids, never values


def test_ocds_import_is_audited_release_by_release(tmp_path: Path) -> None:
    source = tmp_path / "package.json"
    source.write_text(json.dumps({"version": "1.1", "releases": sor_osterdal_safety_alarm_releases()}))
    data_dir = tmp_path / "var"
    result = runner.invoke(app, ["import-ocds", str(source), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output

    entries = audit_entries(data_dir, "procurement.import")
    assert outcomes(entries) == {"accepted": 4}
    assert "Kari Nordmann" not in json.dumps(entries)
