"""``alliance import-ocds``: a directory of packages, JSON Lines with a refused line, rebuild."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from alliance.bootstrap import build_platform
from alliance.cli import app
from alliance.settings import Settings
from services.procurement import sor_osterdal_safety_alarm_releases
from services.procurement.examples import EXAMPLE_OCID

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ocds"


def procurement(data_dir: Path) -> dict[str, Any]:
    """Every record (in full) and supplier in the views of ``data_dir``."""
    platform = build_platform(Settings(data_dir=data_dir, cache_seconds=0))
    queries = platform.procurement_queries
    views = {
        "records": {r["ocid"]: queries.record(r["ocid"]) for r in queries.records()},
        "suppliers": queries.suppliers(),
    }
    platform.close()
    return views


def test_import_a_directory_of_release_packages_then_rebuild(tmp_path):
    source = tmp_path / "ocds"
    (source / "nested").mkdir(parents=True)
    shutil.copy(FIXTURES / "sample-data__fictional-1.1__release-package.json", source)
    shutil.copy(FIXTURES / "ocds-merge__1.1__simple.json", source / "nested")
    package = {"version": "1.1", "releases": sor_osterdal_safety_alarm_releases()}
    (source / "sor-osterdal.json").write_text(json.dumps(package), encoding="utf-8")
    (source / "README.txt").write_text("not OCDS", encoding="utf-8")
    data_dir = tmp_path / "var"

    result = runner.invoke(app, ["import-ocds", str(source), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert re.search(r"releases accepted\W+12\b", result.output), result.output
    assert "Kari Nordmann" not in result.output
    before = procurement(data_dir)
    assert set(before["records"]) == {"ocds-213czf-000-00001", "ocds-213czf-A", EXAMPLE_OCID}
    assert before["records"][EXAMPLE_OCID]["municipalities"] == ["3420", "3421", "3422"]

    again = runner.invoke(app, ["import-ocds", str(source), "--data-dir", str(data_dir)])
    assert again.exit_code == 0, again.output
    assert procurement(data_dir) == before  # importing twice changes nothing

    rebuilt = runner.invoke(app, ["rebuild", "--data-dir", str(data_dir)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Rebuilt procurement views from 24 releases" in rebuilt.output
    assert procurement(data_dir) == before


def test_import_json_lines_reports_the_refused_line_and_lands_the_rest(tmp_path):
    tender, award, contract, termination = sor_osterdal_safety_alarm_releases()
    bad_date = dict(contract, id="late", date="15.06.2022")
    lines = [
        json.dumps(tender),
        "",
        json.dumps(award),
        "{not json",
        json.dumps(bad_date),
        json.dumps(contract),
    ]
    file = tmp_path / "releases.jsonl"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data_dir = tmp_path / "var"

    result = runner.invoke(app, ["import-ocds", str(file), "--data-dir", str(data_dir)])
    assert result.exit_code == 1, result.output
    assert "releases.jsonl:4: $: json" in result.output
    assert "releases.jsonl:5: $.date: format" in result.output
    assert "15.06.2022" not in result.output
    stored = procurement(data_dir)["records"][EXAMPLE_OCID]
    assert [r["id"] for r in stored["releases"]] == [tender["id"], award["id"], contract["id"]]
    assert stored["status"] == "contract"

    file.write_text(json.dumps(termination) + "\n", encoding="utf-8")
    more = runner.invoke(app, ["import-ocds", str(file), "--data-dir", str(data_dir)])
    assert more.exit_code == 0, more.output
    assert procurement(data_dir)["records"][EXAMPLE_OCID]["status"] == "terminated"


def test_import_of_a_directory_without_ocds_files_fails(tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["import-ocds", str(tmp_path / "empty"), "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 1
    assert "No OCDS files found" in result.output
