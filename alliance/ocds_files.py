"""Reading OCDS files for ``alliance import-ocds``.

Accepted inputs:

* a ``.json`` file holding a release package (or one release, or a list of releases):
  one submission per file;
* a ``.jsonl`` / ``.ndjson`` file with one release per line: lines are grouped into
  submissions of at most :data:`LINES_PER_SUBMISSION` releases and
  :data:`BYTES_PER_SUBMISSION` bytes, each release remembering its line number;
* a directory: every such file below it, in name order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
LINES_PER_SUBMISSION = 500
BYTES_PER_SUBMISSION = 4 * 1024 * 1024


@dataclass(slots=True)
class Submission:
    """One unit for :meth:`services.intake.releases.ProcurementIngest.submit`.

    ``lines`` is set for JSON Lines: the line number of each release in ``value``.
    ``size`` is how many bytes of the file it covers (for progress). ``error`` is
    ``"invalid_json"`` when the file (or line) could not be decoded; ``value`` is then ``None``.
    """

    file: Path
    value: Any
    size: int
    lines: list[int] | None = None
    error: str | None = None


def find_files(path: Path) -> list[Path]:
    """``path`` itself, or the OCDS files below a directory, sorted."""
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in JSON_SUFFIXES | JSONL_SUFFIXES
        )
    return [path]


def is_json_lines(path: Path) -> bool:
    """Whether ``path`` is read as one release per line."""
    return path.suffix.lower() in JSONL_SUFFIXES


def read_submissions(path: Path) -> Iterator[Submission]:
    """The submissions in one file (see the module docstring)."""
    if is_json_lines(path):
        yield from _read_lines(path)
        return
    data = path.read_bytes()
    try:
        yield Submission(path, orjson.loads(data), len(data))
    except orjson.JSONDecodeError:
        yield Submission(path, None, len(data), error="invalid_json")


def _read_lines(path: Path) -> Iterator[Submission]:
    batch: list[Any] = []
    lines: list[int] = []
    size = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                size += len(line)
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                yield Submission(path, None, len(line), [number], "invalid_json")
                continue
            if batch and (len(batch) >= LINES_PER_SUBMISSION or size + len(line) > BYTES_PER_SUBMISSION):
                yield Submission(path, batch, size, lines)
                batch, lines, size = [], [], 0
            batch.append(value)
            lines.append(number)
            size += len(line)
    if batch or size:
        yield Submission(path, batch, size, lines)
