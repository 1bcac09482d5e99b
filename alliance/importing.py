"""Reading event files for ``alliance import``: JSON Lines or CSV, one event per line/row.

CSV columns: ``event_id, type, municipality, occurred_at`` and the payload fields as
``payload.<name>`` (lists such as ``payload.partners`` and ``payload.tags`` separated by
``|``). Empty cells are left out. Each item carries its line number for the summary.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

LIST_FIELDS = {"partners", "tags"}


@dataclass(slots=True)
class Item:
    line: int
    value: Any
    error: str | None = None


def read_events(path: Path) -> Iterator[Item]:
    """Yield every event in ``path`` with its line number (``.csv`` → CSV, otherwise JSON Lines)."""
    if path.suffix.lower() == ".csv":
        yield from _read_csv(path)
    else:
        yield from _read_jsonl(path)


def _read_jsonl(path: Path) -> Iterator[Item]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield Item(number, orjson.loads(line))
            except orjson.JSONDecodeError:
                yield Item(number, None, "invalid_json")


def _read_csv(path: Path) -> Iterator[Item]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield Item(reader.line_num, _row_to_event(row))


def _row_to_event(row: dict[str, str | None]) -> dict[str, Any]:
    event: dict[str, Any] = {}
    payload: dict[str, Any] = {}
    for column, raw in row.items():
        if column is None or raw is None or raw == "":
            continue
        if column.startswith("payload."):
            name = column.removeprefix("payload.")
            payload[name] = [p.strip() for p in raw.split("|") if p.strip()] if name in LIST_FIELDS else raw
        else:
            event[column] = raw
    event["payload"] = payload
    return event


def count_lines(path: Path) -> int:
    """Number of data lines (for the progress bar)."""
    with path.open("rb") as handle:
        total = sum(1 for line in handle if line.strip())
    return max(total - 1, 0) if path.suffix.lower() == ".csv" else total
