"""CSV that is safe to open in a spreadsheet.

A cell that begins with =, +, -, @, a tab or a carriage return can be run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection). As OWASP recommends, such a cell is
prefixed with a single quote, which spreadsheets show as text. Only CSV output is changed:
JSON keeps the exact text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def iter_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield an RFC 4180 CSV document (CRLF line ends, minimal quoting) chunk by chunk."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        writer.writerow(["" if v is None else neutralise(v) for v in row])
        if count % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
