"""JSON and CSV responses rendered with orjson / the csv module, and the cached-view response."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.models.common import ErrorOut
from api.platform import ViewCache
from services.core.spreadsheet import csv_document
from services.governance.suppression import FLAG

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# For ``responses=``: a route that also answers in CSV documents it once.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


def not_found(description: str) -> dict[int | str, dict[str, Any]]:
    """For ``responses=``: the 404 of a route that looks something up, and what it looks up."""
    return {404: {"model": ErrorOut, "description": description}}


class JSONResponse(Response):
    """JSON rendered by orjson (non-ASCII kept as UTF-8)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def csv_bytes(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """CSV with a header row, written by the one CSV writer (formula cells neutralised)."""
    return csv_document(rows, columns)


def csv_response(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> Response:
    """``rows`` as a CSV document with ``columns`` as its header."""
    return Response(csv_bytes(rows, columns), media_type=CSV_MEDIA_TYPE)


def wants_csv(accept: str | None, format_param: str | None) -> bool:
    """CSV when asked for by ``?format=csv`` or an Accept header preferring text/csv."""
    if format_param:
        return format_param.lower() == "csv"
    if not accept:
        return False
    return "text/csv" in accept and "application/json" not in accept.split(",")[0]


def with_flag_text(rows: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Rows for CSV: the list of suppressed fields as one ``|``-separated cell."""
    return ({**row, FLAG: "|".join(row.get(FLAG, []))} for row in rows)


async def cached_response(
    cache: ViewCache, key: Hashable, render: Callable[[], tuple[bytes, str]]
) -> Response:
    """A rendered view from the cache, rendered (in a worker thread) when the cache has none.

    A current view is served from memory without leaving the event loop; the store is only
    read after a write or when the entry has aged.
    """
    cached = cache.peek(key)
    body, media_type = cached or await run_in_threadpool(cache.get, key, render)
    return Response(body, media_type=media_type)


def model_response(model: type[BaseModel], view: dict[str, Any]) -> Response:
    """Serialise through the response model; a ``suppressed`` flag appears only where set."""
    return JSONResponse(_drop_empty_flags(model.model_validate(view).model_dump(mode="json")))


def _drop_empty_flags(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_empty_flags(v) for k, v in value.items() if not (k == FLAG and v is None)}
    if isinstance(value, list):
        return [_drop_empty_flags(v) for v in value]
    return value
