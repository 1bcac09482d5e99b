"""Output injection: the one CSV writer (``services/core/spreadsheet.py``) and absolute URLs.

The writer is checked on generated cells against the standard library's CSV reader as the
oracle; the routes are checked by sending formula-like text through the free-text fields
that reach a CSV, and by a scan that finds no other CSV writer in the code.
"""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.core.spreadsheet import FORMULA_STARTS, csv_document
from services.procurement.examples import sor_osterdal_safety_alarm_releases
from tests.support.factories import lesson, registered

ROOT = Path(__file__).resolve().parents[2]
cells = st.text(max_size=12) | st.sampled_from(FORMULA_STARTS).flatmap(
    lambda start: st.text(max_size=10).map(lambda rest: start + rest)
)


def _parse(document: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(document.decode("utf-8"), newline="")))


@settings(max_examples=400)
@given(rows=st.lists(st.lists(cells, min_size=3, max_size=3), max_size=5))
def test_every_text_cell_reads_back_as_text(rows):
    columns = ("a", "b", "c")
    parsed = _parse(csv_document([dict(zip(columns, row, strict=True)) for row in rows], columns))
    assert parsed[0] == list(columns)
    for written, read in zip(rows, parsed[1:], strict=True):
        for original, cell in zip(written, read, strict=True):
            assert not cell.startswith(FORMULA_STARTS)
            assert cell == ("'" + original if original.startswith(FORMULA_STARTS) else original)


@given(number=st.integers() | st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_stay_numbers(number):
    (_, row) = _parse(csv_document([{"n": number}], ("n",)))
    assert row == [str(number)]


def test_no_other_module_writes_csv():
    writers = []
    for path in [*ROOT.glob("api/**/*.py"), *ROOT.glob("services/**/*.py"), *ROOT.glob("alliance/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("writer", "DictWriter")
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                writers.append(str(path.relative_to(ROOT)))
    assert writers == ["services/core/spreadsheet.py"]


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\uff1d1+1"]


def test_free_text_reaches_every_csv_as_text(client, platform):
    events = [registered("csv-1", municipality="3420", at="2025-01-01T08:00:00Z", title=FORMULAS[0])]
    events += [
        lesson(
            "csv-1", title=f"T{i}", text=formula, tags=["x"], municipality="3420", at="2025-02-01T08:00:00Z"
        )
        for i, formula in enumerate(FORMULAS)
    ]
    events += [lesson("csv-1", title=formula.strip() or "t", municipality="3420") for formula in FORMULAS[:4]]
    response = client.post("/v1/events", json=events)
    assert response.json()["accepted"] == len(events), response.text
    releases = sor_osterdal_safety_alarm_releases()
    for release in releases:
        if "tender" in release:
            release["tender"]["title"] = FORMULAS[0]
    assert client.post("/v1/procurement/releases", json=releases).status_code == 200
    platform.drain()
    shown = 0
    for route in ("/v1/lessons", "/v1/procurement/records", "/v1/adoption", "/v1/benefits"):
        response = client.get(route, params={"format": "csv"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        for row in _parse(response.content):
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), (route, cell)
                shown += cell.startswith("'")
    assert shown >= len(FORMULAS) + 1  # the neutralised cells are there, as text


def test_absolute_urls_come_from_the_configured_base_not_the_host_header(client, platform):
    assert (
        client.post("/v1/procurement/releases", json=sor_osterdal_safety_alarm_releases()).status_code == 200
    )
    platform.drain()
    response = client.get("/v1/procurement/record-package?x=1", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.json()["uri"] == "http://127.0.0.1:8000/v1/procurement/record-package?x=1"
    assert "evil.example" not in response.text
