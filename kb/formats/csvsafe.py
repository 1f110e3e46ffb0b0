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
    """Prefix a formula-like text cell with a single quote (numbers are left alone); a
    true or false is written as JSON writes it ("true", "false"), not as Python's "True"."""
    if type(value) is bool:
        return "true" if value else "false"
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


# "standard": RFC 4180 in UTF-8. "excel": the same with a byte order mark first, without which
# Excel on Windows reads UTF-8 as the local code page and garbles every accented name.
DIALECTS = ("standard", "excel")
BOM = "\ufeff"


def iter_csv(
    header: list[str], rows: Iterable[Iterable[Any]], dialect: str = "standard"
) -> Iterator[str]:
    """Yield an RFC 4180 CSV document (CRLF line ends) chunk by chunk.

    Every text cell of a row is quoted, numbers are not (csv.QUOTE_NONNUMERIC): with minimal
    quoting, csv.Sniffer (which csvkit and pandas' sep=None use) guesses a space as the
    delimiter of files whose cells are mostly prose without commas. The header stays bare."""
    buf = io.StringIO()
    if dialect == "excel":
        buf.write(BOM)
    csv.writer(buf, lineterminator="\r\n").writerow(header)
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
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
