"""``alliance import-alarms``: an alarm-reception platform's monthly CSV export, one event per row.

Columns (header row required, order free, UTF-8 with or without BOM, ``,`` or ``;``
separated):

=====================  ========  ==============================================================
column                 required  meaning
=====================  ========  ==============================================================
``municipality``       yes       34xx (or pre-2020 04xx) municipality number
``period``             yes       month, ``YYYY-MM``
``platform``           yes       reception platform id (lower-case letters, digits, hyphens)
``technology``         yes       technology code, e.g. ``safety-alarm``, ``digital-supervision``
``users_connected``    yes       users connected at the end of the month
``alarms_received``    yes       alarms received in the month
``alarms_false``       yes       of which false alarms (no need for help)
``responses_on_site``  yes       of which answered by staff on site
``response_time_p50_s`` no       median time to answer, seconds (decimal point or comma)
``response_time_p90_s`` no       90th percentile of the time to answer, seconds
``reported_at``        yes       when the figures were produced (ISO 8601 with time zone); a
                                 later export of the same month corrects an earlier one
=====================  ========  ==============================================================

Each row becomes an ``alarms.period_reported`` event whose ``event_id`` is derived from the
row's content (UUID 5), so importing the same file again changes nothing. Refusals name the
row, the column and the rule; the valid rows still land.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from alliance.importers.base import Item, Location, Reason
from alliance.importers.events import EventImport
from schemas.parsing import FieldError

NAMESPACE = uuid.UUID("0d7a1c5e-2f43-4c8e-9b1a-6e0f4d2b7a31")
FIGURES = (
    "users_connected",
    "alarms_received",
    "alarms_false",
    "responses_on_site",
    "response_time_p50_s",
    "response_time_p90_s",
)
REQUIRED = ("municipality", "period", "platform", "technology", *FIGURES[:4], "reported_at")
COLUMNS = (*REQUIRED, *FIGURES[4:])
# Field paths of the event contract → the export's column names, for refusals.
_COLUMN_OF = {"occurred_at": "reported_at", "municipality": "municipality"} | {
    f"payload.{name}": name for name in ("period", "platform", "technology", *FIGURES)
}
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")
WRONG_NUMBER_OF_CELLS = Reason("$", "wrong_number_of_cells")


class MissingColumns(ValueError):
    """The header lacks required columns; nothing is imported."""

    def __init__(self, columns: list[str]) -> None:
        super().__init__(", ".join(columns))
        self.columns = columns


def event_id_of(event: dict[str, Any]) -> str:
    """A deterministic id: the same municipality, platform, technology, period and figures, the same id."""
    payload = event["payload"]
    key = [event["municipality"], payload["platform"], payload["technology"], payload["period"]]
    content = [str(payload.get(name, "")) for name in FIGURES] + [event["occurred_at"]]
    return str(uuid.uuid5(NAMESPACE, "alarms|" + "|".join([*key, *content])))


def _number(raw: str) -> str:
    value = raw.strip()
    return value.replace(",", ".") if _DECIMAL_COMMA.match(value) else value


def row_to_event(cells: dict[str, str]) -> dict[str, Any]:
    """An ``alarms.period_reported`` event from one row (validation is left to the contract)."""
    payload: dict[str, Any] = {name: cells[name].strip() for name in ("period", "platform", "technology")}
    for name in FIGURES:
        value = (cells.get(name) or "").strip()
        if value:
            payload[name] = _number(value)
    event = {
        "type": "alarms.period_reported",
        "municipality": cells["municipality"].strip(),
        "occurred_at": cells["reported_at"].strip(),
        "payload": payload,
    }
    return {"event_id": event_id_of(event), **event}


def read_rows(path: Path) -> Iterator[Item]:
    """Every data row of the export as an event (row 1 follows the header).

    Raises :class:`MissingColumns` on a header without the required columns.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise MissingColumns(missing)
        reader.fieldnames = header
        for number, cells in enumerate(reader, start=1):
            location = Location(f"row {number}", number)
            if None in cells or any(value is None for value in cells.values()):
                # More or fewer cells than the header has: the columns cannot be trusted.
                yield Item(location, error=WRONG_NUMBER_OF_CELLS)
                continue
            yield Item(location, row_to_event(cells))


def column_of(error: FieldError) -> str:
    """The export column a refusal is about (the contract's field path when it has no column)."""
    return _COLUMN_OF.get(error.field, error.field)


class AlarmImport(EventImport):
    """Imports an export's rows as events; refusals are named by row, column and rule."""

    action: ClassVar[str] = "alarms.import"

    def read(self, file: Path) -> Iterator[Item]:
        """The rows of the export (see the module docstring)."""
        return read_rows(file)

    def place(self, error: FieldError) -> str:
        """The export column a refusal is about."""
        return column_of(error)
