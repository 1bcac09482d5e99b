"""``alliance import-alarms``: the synthetic Sør-Østerdal export imports; malformed rows are refused."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from alliance.bootstrap import build_platform
from alliance.cli import app
from alliance.settings import Settings
from tests.support.factories import FNR

runner = CliRunner()
SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "alarms" / "sor-osterdal-synthetic-2025-11_2026-10.csv"
)
SOUTH = {"3419", "3420", "3421", "3422", "3423", "3425"}


def alarms_view(data_dir: Path, **filters: str) -> dict:
    platform = build_platform(Settings(data_dir=data_dir, cache_seconds=0))
    assert platform.indicator_queries is not None
    view = platform.indicator_queries.alarms(platform.membership.members(), **filters)
    platform.close()
    return view


def test_the_synthetic_sor_osterdal_export_imports_cleanly_and_twice_changes_nothing(tmp_path):
    data_dir = tmp_path / "var"
    result = runner.invoke(app, ["import-alarms", str(SAMPLE), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert re.search(r"accepted\W+109\b", result.output), result.output
    assert re.search(r"refused\W+0\b", result.output), result.output

    view = alarms_view(data_dir)
    assert {m["municipality"] for m in view["municipalities"]} == SOUTH
    assert len(view["reports"]) == 108  # the correction replaced Elverum's first September report
    (south,) = view["regions"]
    assert (south["region"], south["municipalities_reporting"], south["months"]) == ("sor-osterdal", 6, 12)
    september = next(
        r
        for r in view["reports"]
        if (r["municipality"], r["period"], r["technology"]) == ("3420", "2026-09", "safety-alarm")
    )
    assert september["at"] == "2026-10-12T07:30:00.000000Z"

    again = runner.invoke(app, ["import-alarms", str(SAMPLE), "--data-dir", str(data_dir)])
    assert again.exit_code == 0, again.output
    assert re.search(r"duplicate\W+109\b", again.output), again.output
    assert alarms_view(data_dir) == view

    rebuilt = runner.invoke(app, ["rebuild", "--data-dir", str(data_dir)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert alarms_view(data_dir) == view


HEADER = (
    "municipality;period;platform;technology;users_connected;alarms_received;alarms_false;"
    "responses_on_site;response_time_p50_s;response_time_p90_s;reported_at"
)
MALFORMED = [
    "3420;2026-10;felles;safety-alarm;450;900;400;120;35,5;110,2;2026-11-05T06:00:00+01:00",  # valid
    "3420;2026-13;felles;safety-alarm;450;900;400;120;35;110;2026-11-05T06:00:00+01:00",  # period
    "3421;2026-10;felles;safety-alarm;170;100;140;20;35;110;2026-11-05T06:00:00+01:00",  # false > received
    "9999;2026-10;felles;safety-alarm;10;10;1;1;35;110;2026-11-05T06:00:00+01:00",  # municipality
    f"3422;2026-10;{FNR};safety-alarm;10;10;1;1;35;110;2026-11-05T06:00:00+01:00",  # identity number
    "3423;2026-10;felles;safety-alarm;many;10;1;1;35;110;2026-11-05T06:00:00+01:00",  # not a number
    "3425;2026-10;felles;safety-alarm;10;10;1;1;35;110;2026-11-05",  # no time zone
    "3419;2026-10;felles;safety-alarm;10;10;1;1;35;110",  # a cell short
    "0434;2026-10;felles;safety-alarm;40;60;30;8;;;2026-11-05T06:00:00+01:00",  # valid, 04xx, no times
]


def test_malformed_rows_are_refused_with_row_column_and_rule_and_valid_rows_land(tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("\n".join([HEADER, *MALFORMED]) + "\n", encoding="utf-8")
    data_dir = tmp_path / "var"
    result = runner.invoke(
        app, ["import-alarms", str(source), "--data-dir", str(data_dir)], terminal_width=200
    )
    assert result.exit_code == 1, result.output
    assert FNR not in result.output
    for line in (
        "row 2: period: string_pattern_mismatch",
        "row 3: alarms_false: exceeds_alarms_received",
        "row 4: municipality: unknown_municipality",
        "row 5: platform: identity_number",
        "row 6: users_connected: int_parsing",
        "row 7: reported_at: timezone_aware",
        "row 8: $: wrong_number_of_cells",
    ):
        assert line in result.output, result.output
    assert re.search(r"accepted\W+2\b", result.output) and re.search(r"refused\W+7\b", result.output)

    view = alarms_view(data_dir)
    assert {(r["municipality"], r["response_time_p50_s"]) for r in view["reports"]} == {
        ("3420", 35.5),
        ("3425", None),
    }


def test_a_header_without_required_columns_imports_nothing(tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("municipality,period\n3420,2026-10\n", encoding="utf-8")
    result = runner.invoke(app, ["import-alarms", str(source), "--data-dir", str(tmp_path / "var")])
    assert result.exit_code == 2
    assert "Missing columns" in result.output and "alarms_received" in result.output
