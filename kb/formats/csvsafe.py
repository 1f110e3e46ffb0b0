"""CSV that is safe to open in a spreadsheet.

A cell that begins with =, +, -, @, a tab or a carriage return can be run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection). As OWASP recommends, such a cell is
prefixed with a single quote, which spreadsheets show as text. Only CSV output is changed:
JSON keeps the exact text.

So that kb can read its own CSV back exactly, a cell that already begins with one or more
single quotes followed by such a character gets one more quote too; `unneutralise` removes
exactly one, which makes the pair a lossless round trip.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

_ESCAPED = re.compile(r"'*[=+\-@\t\r]")


_TRIGGERS = frozenset("=+-@\t\r'")


def neutralise(value: Any) -> Any:
    """Prefix a formula-like text cell with a single quote (numbers are left alone)."""
    if (
        type(value) is str
        and value
        and value[0] in _TRIGGERS
        and (value[0] != "'" or _ESCAPED.match(value))
    ):
        return "'" + value
    return value


def unneutralise(cell: str) -> str:
    """Undo `neutralise` on a cell read back from kb's CSV."""
    if cell.startswith("'") and _ESCAPED.match(cell, 1):
        return cell[1:]
    return cell


def iter_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield an RFC 4180 CSV document (CRLF line ends, minimal quoting) chunk by chunk."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    # The header goes out at once, before the first row is even fetched.
    yield buf.getvalue()
    buf.seek(0)
    buf.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow([neutralise(v) for v in row])  # csv writes None as ""
        if count % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
