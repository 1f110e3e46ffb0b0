"""What every kb/1 reader shares: the Input interface, the Item it yields, ReadError, and the
problems a file's bytes can have (not UTF-8, a damaged archive) in the words every reader uses.

The readers themselves: kb.formats.json_input (a JSON document), kb.formats.csv_input (CSV files
per entity); kb.formats.readers picks one for a path (a folder, a zip bundle or a file).
"""

from __future__ import annotations

import codecs
import io
import lzma
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from kb.errors import Problem

# What a damaged compressed stream raises while it is being read (the header was fine).
UNPACK_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError)


class ReadError(Exception):
    """A file cannot be read any further; the Problem says where and why."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


@dataclass(frozen=True)
class Item:
    """One record as read: its position in its entity (0-based), its line, and its value."""

    index: int
    line: int | None
    record: Any
    file: str


Opener = Callable[[], IO[bytes]]


class Input:
    """Where an import reads from. Subclasses: JsonInput, CsvInput."""

    name: str = ""
    total_bytes: int = 0
    # Can the other entities still be read after one raised ReadError? (Separate CSV files
    # can; a JSON document whose syntax broke cannot.)
    recoverable: bool = False

    def check_header(self) -> list[Problem]:
        return []

    def records(self, entity: str) -> Iterator[Item]:
        raise NotImplementedError

    def finish(self) -> list[Problem]:
        """Problems found after the last entity (unknown keys or files, trailing data)."""
        return []

    def bytes_read(self) -> int:
        return 0

    def close(self) -> None:
        """Release what the input holds open (a zip archive)."""
        archive = getattr(self, "archive", None)
        if archive is not None:
            archive.close()


def text_stream(raw: IO[bytes]) -> io.TextIOWrapper:
    # utf-8-sig: spreadsheets often write a byte order mark; it is not part of the data.
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def wide_text(start: bytes) -> str | None:
    """ "UTF-16" or "UTF-32" when a file's first bytes say so (a byte order mark, or the NUL
    bytes that ASCII characters get in those encodings), else None."""
    for bom, name in WIDE_BOMS:
        if start.startswith(bom):
            return name
    if len(start) >= 4 and (start[1:4] == b"\x00\x00\x00" or start[:3] == b"\x00\x00\x00"):
        return "UTF-32"
    if (
        len(start) >= 2
        and start[0]
        and not start[1]
        or len(start) >= 2
        and not start[0]
        and start[1]
    ):
        return "UTF-16"
    return None


def decode_problem(file: str, line: int | None, exc: UnicodeDecodeError) -> Problem:
    data = exc.object if isinstance(exc.object, bytes | bytearray) else b""
    if exc.start == 0 and line in (None, 1):
        for bom, name in WIDE_BOMS:
            if data.startswith(bom):
                return Problem(
                    "file",
                    None,
                    f"is {name} text, not UTF-8; save it as UTF-8 and try again",
                    line=1,
                    file=file,
                )
    return Problem(
        "file",
        None,
        f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); "
        "save it as UTF-8 and try again",
        line=line,
        file=file,
    )


def unpack_problem(file: str, line: int | None, exc: BaseException) -> Problem:
    return Problem(
        "file",
        None,
        f"cannot be read, the file or archive is damaged or cut short ({exc or type(exc).__name__})",
        line=line,
        file=file,
    )


def show(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: repr (so control characters and surrogates are
    visible and harmless), cut short, so a hostile megabyte never lands in a report."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
