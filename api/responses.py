"""JSON and CSV responses rendered with orjson / the csv module."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from starlette.responses import Response


class JSONResponse(Response):
    """JSON rendered by orjson (non-ASCII kept as UTF-8)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def csv_bytes(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """CSV with a header row; ``None`` becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return buffer.getvalue().encode("utf-8")


def wants_csv(accept: str | None, format_param: str | None) -> bool:
    """CSV when asked for by ``?format=csv`` or an Accept header preferring text/csv."""
    if format_param:
        return format_param.lower() == "csv"
    if not accept:
        return False
    return "text/csv" in accept and "application/json" not in accept.split(",")[0]
