"""What the indicator views (alarms, competence) share: their filters and their cached response.

Each is a view over reported figures: JSON of the whole view, or CSV of its report rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError
from starlette.responses import Response

from api.platform import ApiPlatform
from api.responses import CSV_MEDIA_TYPE, cached_response, csv_bytes, with_flag_text
from schemas.reference import reference


def _canonical_municipality(value: str) -> str:
    code = reference().canonical_code(value)
    if code is None:
        raise PydanticCustomError("unknown_municipality", "Not a Hedmark/Innlandet municipality number")
    return code


MunicipalityFilter = Annotated[str, AfterValidator(_canonical_municipality)]
PeriodBound = Annotated[str, Field(pattern=r"^(19|20)\d{2}(-(0[1-9]|1[0-2]))?$")]


async def report_view(
    platform: ApiPlatform,
    key: tuple[Hashable, ...],
    build: Callable[[], dict[str, Any]],
    csv_columns: tuple[str, ...] | None,
) -> Response:
    """The view ``build`` makes, cached under ``key``: CSV of its reports when ``csv_columns`` is given."""

    def render() -> tuple[bytes, str]:
        view = build()
        if csv_columns is not None:
            return csv_bytes(with_flag_text(view["reports"]), csv_columns), CSV_MEDIA_TYPE
        return orjson.dumps(view), "application/json"

    return await cached_response(platform.view_cache, (*key, csv_columns is not None), render)
