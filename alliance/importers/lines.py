"""JSON Lines with line numbers, as the event and the OCDS importers read them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import orjson

from alliance.importers.base import Item, Location, Reason


def read_json_lines(path: Path, label: Callable[[int], str], unreadable: Reason) -> Iterator[Item]:
    """One item per non-blank line of ``path``, located by ``label(line number)``.

    A line that is not JSON becomes an item refused for ``unreadable``.
    """
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            location = Location(label(number), number)
            try:
                yield Item(location, orjson.loads(line), size=len(line))
            except orjson.JSONDecodeError:
                yield Item(location, error=unreadable, size=len(line))
