"""The one CSV writer: every CSV the platform hands out is written here.

Rule (OWASP, "CSV Injection"): a text cell that a spreadsheet would read as a formula —
one that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or the
full-width forms of the four signs that some spreadsheet programs also accept — is
written with a leading apostrophe, so that it shows as the text it is. Numbers stay
numbers (``-3`` is a value, not a formula). The standard library's ``csv`` module does the
quoting; what it does not do is this neutralisation, hence this module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """A cell's value as written: ``None`` empty, formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_document(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """UTF-8 CSV with a header row of ``columns``; other keys of a row are left out."""
    buffer = io.StringIO()
    # CRLF as RFC 4180 has it: the writer then also quotes a cell holding a lone CR.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(name)) for name in columns])
    return buffer.getvalue().encode("utf-8")
