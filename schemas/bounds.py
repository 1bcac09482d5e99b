"""The one gate for numbers and time: what a count, an amount, an instant or a period may be.

Rules (every event contract uses these types; :func:`ahead_of_now` is called by
:mod:`schemas.parsing` for every event that enters with a clock):

* **Counts and amounts** are JSON numbers, never ``true``/``false`` (Python treats a bool
  as an int; a JSON boolean is not a count), non-negative, finite and below a plausible
  upper bound given per field.
* **Instants** carry a time zone and lie between :data:`EARLIEST` and the end of year 9999;
  an instant that enters with a clock may be at most :data:`MAX_AHEAD` in the future.
  Stored as a fixed-width UTC key (:func:`services.core.instants.utc_key`), so that text
  order is time order.
* **Periods** (``YYYY-MM``, or ``YYYY`` where a year is allowed) start in
  :data:`EARLIEST_YEAR` or later and may not lie in the future: a period is reported once
  it has begun.
* **Calendar dates** (a pilot's start) lie between :data:`EARLIEST_YEAR` and
  :data:`LATEST_YEAR`; a planned start may be in the future.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
EARLIEST = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
MAX_AHEAD = timedelta(hours=24)


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("boolean_not_a_number", "Must be a number, not true or false")
    return value


def count(limit: int) -> Any:
    """A whole number from 0 to ``limit``."""
    return Annotated[int, Field(ge=0, le=limit), BeforeValidator(_not_a_boolean)]


def amount(limit: float) -> Any:
    """A finite decimal number from 0 to ``limit``."""
    return Annotated[float, Field(ge=0, le=limit, allow_inf_nan=False), BeforeValidator(_not_a_boolean)]


def _not_before_earliest(value: datetime) -> datetime:
    if value < EARLIEST:
        raise PydanticCustomError("instant_too_early", f"Must be in {EARLIEST_YEAR} or later")
    return value


def _date_in_range(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise PydanticCustomError("date_out_of_range", f"Must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_not_before_earliest)]
CalendarDate = Annotated[date, AfterValidator(_date_in_range)]
Month = Annotated[
    str,
    StringConstraints(pattern=r"^2\d{3}-(0[1-9]|1[0-2])$"),
    Field(description=f"Calendar month, YYYY-MM, from {EARLIEST_YEAR}; not in the future"),
]
YearOrMonth = Annotated[
    str,
    StringConstraints(pattern=r"^2\d{3}(-(0[1-9]|1[0-2]))?$"),
    Field(description=f"Calendar year (YYYY) or month (YYYY-MM), from {EARLIEST_YEAR}; not in the future"),
]


def period_is_future(period: str, now: datetime) -> bool:
    """Whether a ``YYYY`` or ``YYYY-MM`` period has not begun by ``now`` (plus the allowed lead)."""
    latest = now.astimezone(UTC) + MAX_AHEAD
    return period > (f"{latest.year:04d}" if len(period) == 4 else f"{latest.year:04d}-{latest.month:02d}")


def ahead_of_now(occurred_at: datetime, period: str | None, now: datetime) -> list[tuple[str, str, str]]:
    """The clock rules of an entering event: ``(field, rule, message)`` for each broken one."""
    broken = []
    if occurred_at > now + MAX_AHEAD:
        hours = int(MAX_AHEAD.total_seconds() // 3600)
        broken.append(("occurred_at", "occurred_in_future", f"May be at most {hours} h ahead"))
    if period is not None and period_is_future(period, now):
        broken.append(("payload.period", "period_in_future", "A period can be reported once it has begun"))
    return broken


def parse_aware_instant(value: Any) -> datetime | None:
    """An ISO 8601 instant with a time zone from untrusted input (a log record's stamp), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
