"""Reading kb/1 data back in: a JSON dump, a folder of CSVs, or a zip bundle, as streams.

An `Input` hands out each entity's records one at a time (`records(entity)`), with the line each
record starts on, so an importer can check a million stances without holding them. Problems that
stop a file from being read at all (bad encoding, malformed JSON or CSV, a missing column) raise
`ReadError` with a Problem naming the file and line; problems with one record are the
importer's to find.

The JSON reader is a small incremental parser for the one shape kb/1 has, a top-level object of
arrays: it decodes one array element at a time with the standard library's C decoder. Entities may
come in any order in the file: when the importer asks for one that lies behind the reader, the
file is read again from the start (kb's own exports are in dependency order, so never).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import lzma
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from kb import rules
from kb.errors import Problem
from kb.formats import kb1
from kb.formats.csvsafe import unneutralise

CHUNK = 1 << 16
MAX_RECORD_CHARS = 16 * 1024 * 1024

# Limits on a zip archive, checked on its directory before any member is read. A member never
# yields more than the size its header declares (zipfile stops there and checks the CRC), so
# declared sizes bound what can come out: a small "zip bomb" that would expand to gigabytes
# is refused up front instead of being unpacked. kb's own bundle is 10 members compressed
# about 10:1; the ratio limit leaves a wide margin, and small members are never blamed for it.
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_UNPACKED = 8 * 1024 * 1024 * 1024
MAX_ZIP_RATIO = 200
_RATIO_FROM = 1024 * 1024

# What a damaged compressed stream raises while it is being read (the header was fine).
_UNPACK_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError)
_WS = re.compile(r"[ \t\n\r]*")

INT_FIELDS = {"birth_year", "death_year"}
FLOAT_FIELDS = {"probability"}


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


def _text(raw: IO[bytes]) -> io.TextIOWrapper:
    # utf-8-sig: spreadsheets often write a byte order mark; it is not part of the data.
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _wide_text(start: bytes) -> str | None:
    """ "UTF-16" or "UTF-32" when a file's first bytes say so (a byte order mark, or the NUL
    bytes that ASCII characters get in those encodings), else None."""
    for bom, name in _WIDE_BOMS:
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


def _decode_problem(file: str, line: int | None, exc: UnicodeDecodeError) -> Problem:
    data = exc.object if isinstance(exc.object, bytes | bytearray) else b""
    if exc.start == 0 and line in (None, 1):
        for bom, name in _WIDE_BOMS:
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


def _unpack_problem(file: str, line: int | None, exc: BaseException) -> Problem:
    return Problem(
        "file",
        None,
        f"cannot be read, the file or archive is damaged or cut short ({exc or type(exc).__name__})",
        line=line,
        file=file,
    )


# -- JSON ------------------------------------------------------------------------------------


class _Scanner:
    """Reads JSON values one at a time from a text stream, keeping only a window in memory."""

    def __init__(self, raw: IO[bytes], file: str):
        self.raw = raw
        self.fh = _text(raw)
        self.file = file
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._line = 1
        self._line_pos = 0
        # Decimals, not floats: 1e-400 would silently become 0.0, and the importer must be able
        # to refuse it (kb.rules.probability turns a decimal into the float it stores).
        self.decoder = json.JSONDecoder(parse_float=Decimal)

    def line_at(self, pos: int) -> int:
        if pos > self._line_pos:
            self._line += self.buf.count("\n", self._line_pos, pos)
            self._line_pos = pos
        elif pos < self._line_pos:
            return self._line - self.buf.count("\n", pos, self._line_pos)
        return self._line

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.fh.read(CHUNK)
        except UnicodeDecodeError as exc:
            line = self.line_at(len(self.buf))
            if isinstance(exc.object, bytes | bytearray):
                line += exc.object.count(b"\n", 0, exc.start)
            raise ReadError(_decode_problem(self.file, line, exc)) from None
        except _UNPACK_ERRORS as exc:
            raise ReadError(_unpack_problem(self.file, self.line_at(len(self.buf)), exc)) from None
        if not chunk:
            self.eof = True
            return False
        if self.pos:
            # Drop what has been read, keeping the line count of what is left.
            self.line_at(self.pos)
            self.buf = self.buf[self.pos :]
            self._line_pos -= self.pos
            self.pos = 0
        self.buf += chunk
        return True

    def error(self, message: str, pos: int | None = None) -> ReadError:
        pos = self.pos if pos is None else pos
        line = self.line_at(pos)
        col = pos - (self.buf.rfind("\n", 0, pos) + 1) + 1
        return ReadError(
            Problem("document", None, f"malformed JSON: {message} (column {col})", line, self.file)
        )

    def peek(self) -> str:
        """The next non-blank character ("" at the end of the file)."""
        while True:
            blank = _WS.match(self.buf, self.pos)
            assert blank is not None  # it matches the empty string too
            self.pos = blank.end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, chars: str, what: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            found = "the end of the file" if not c else repr(c)
            raise self.error(f"expected {what}, found {found}")
        self.pos += 1
        return c

    def value(self) -> Any:
        if not self.peek():
            raise self.error("expected a value, found the end of the file")
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                truncated = exc.pos >= len(self.buf) - 6 or exc.msg.startswith("Unterminated")
                if truncated and len(self.buf) - self.pos >= MAX_RECORD_CHARS:
                    raise self.error(
                        f"a value is longer than the limit of {MAX_RECORD_CHARS // 2**20} MB "
                        "(or is not closed)"
                    ) from None
                if truncated and self._fill():
                    continue
                raise self.error(exc.msg, exc.pos) from None
            except RecursionError:
                raise self.error("the value is nested too deeply") from None
            except ValueError as exc:  # e.g. an integer with thousands of digits
                raise self.error(str(exc)) from None
            if end >= len(self.buf) and not self.eof and self._fill():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value

    def array(self) -> Iterator[tuple[int, int, Any]]:
        """Yield (index, line, value) for each element of the array that starts here."""
        self.expect("[", "'['")
        if self.peek() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            self.peek()
            line = self.line_at(self.pos)
            yield index, line, self.value()
            index += 1
            if self.expect(",]", "',' or ']'") == "]":
                return


class JsonInput(Input):
    """A kb/1 JSON document, read incrementally."""

    def __init__(self, opener: Opener, name: str, total_bytes: int = 0):
        self.opener = opener
        self.name = name
        self.total_bytes = total_bytes
        self._scanner: _Scanner | None = None
        self._state = "start"  # start -> members -> end
        self._passed: set[str] = set()
        self._unknown: list[tuple[str, int]] = []
        self._done_bytes = 0
        self._format: Any = None
        self._format_line: int | None = None
        self._opened: list[_Scanner] = []

    def close(self) -> None:
        for scanner in self._opened:
            scanner.fh.close()
        self._opened.clear()
        super().close()

    def _open(self) -> _Scanner:
        scanner = _Scanner(self.opener(), self.name)
        self._opened.append(scanner)
        scanner.expect("{", "a JSON object ('{') at the start of the document")
        return scanner

    def _next_key(self, scanner: _Scanner, first: bool) -> tuple[str, int] | None:
        if first:
            if scanner.peek() == "}":
                scanner.pos += 1
                return None
        elif scanner.expect(",}", "',' or '}'") == "}":
            return None
        scanner.peek()
        line = scanner.line_at(scanner.pos)
        if scanner.peek() != '"':
            raise scanner.error("expected a key in double quotes")
        key = scanner.value()
        scanner.expect(":", "':'")
        return key, line

    def _skip(self, scanner: _Scanner) -> None:
        if scanner.peek() == "[":
            for _ in scanner.array():
                pass
        else:
            scanner.value()

    def _seek(self, wanted: str) -> _Scanner | None:
        """Move the main scanner to `wanted`'s value, skipping what lies between; or, when it
        lies behind, open a second scanner at it. None when the document has no such key."""
        if wanted in self._passed:
            scanner = self._open()
            first = True
            while (found := self._next_key(scanner, first)) is not None:
                first = False
                if found[0] == wanted:
                    return scanner
                self._skip(scanner)
            return None
        if self._state == "start":
            self._scanner = self._open()
        if self._state == "end":
            return None
        assert self._scanner is not None
        scanner = self._scanner
        while True:
            found = self._next_key(scanner, self._state == "start")
            self._state = "members"
            if found is None:
                self._state = "end"
                self._check_end(scanner)
                return None
            key, line = found
            if key in self._passed:
                raise scanner.error(f"the key {_show(key)} appears twice")
            self._passed.add(key)
            if key == wanted:
                return scanner
            if key == "format":
                self._format, self._format_line = scanner.value(), line
            elif key in kb1.ENTITIES:
                self._skip(scanner)
            else:
                self._unknown.append((key, line))
                self._skip(scanner)

    def _check_end(self, scanner: _Scanner) -> None:
        if scanner.peek():
            raise scanner.error("unexpected data after the end of the document")
        self._done_bytes = self.total_bytes
        scanner.fh.close()

    def check_header(self) -> list[Problem]:
        scanner = self._seek("format")
        if scanner is not None:
            self._format_line = scanner.line_at(scanner.pos)
            self._format = scanner.value()
        if self._format != kb1.FORMAT:
            found = "missing" if self._format is None else f"{self._format!r}"
            return [
                Problem(
                    "document",
                    "format",
                    f'must be "{kb1.FORMAT}" (found {found}); is this a kb export?',
                    self._format_line,
                    self.name,
                )
            ]
        return []

    def records(self, entity: str) -> Iterator[Item]:
        scanner = self._seek(entity)
        if scanner is None:
            return
        if scanner.peek() != "[":
            line = scanner.line_at(scanner.pos)
            scanner.value()
            raise ReadError(Problem("document", entity, "must be a list", line, self.name))
        for index, line, value in scanner.array():
            if scanner is self._scanner:
                self._done_bytes = scanner.raw.tell() if hasattr(scanner.raw, "tell") else 0
            yield Item(index, line, value, self.name)

    def finish(self) -> list[Problem]:
        while self._state != "end":
            self._seek("\0no such key")
        return [
            Problem(
                "document",
                key if len(key) <= 40 and key.isprintable() else _show(key)[1:-1],
                f"is not part of kb/1 (expected one of: format, {', '.join(kb1.ENTITIES)})",
                line,
                self.name,
            )
            for key, line in self._unknown
        ]

    def bytes_read(self) -> int:
        return self._done_bytes


# -- CSV -------------------------------------------------------------------------------------


def _show(value: str, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _convert(name: str, cell: str, list_field: str | None) -> Any:
    cell = unneutralise(cell)
    if name == list_field:
        return cell.split()
    if cell == "":
        return None
    # Numbers by kb.rules (ASCII digits; a plain decimal for a probability, kept exact so that
    # 1e-400 is told from 0); a cell that is not one stays text, for the importer to refuse.
    if name in INT_FIELDS:
        number = rules.integer_text(cell)
        return cell if number is None else number
    if name in FLOAT_FIELDS:
        decimal = rules.decimal_text(cell)
        return cell if decimal is None else decimal
    return cell


class CsvInput(Input):
    """One CSV file per entity (people.csv, topics.csv, ...), from a folder or a zip."""

    recoverable = True

    def __init__(self, files: dict[str, tuple[Opener, int]], name: str, extra: list[str]):
        self.files = files
        self.name = name
        self.extra = extra
        self.total_bytes = sum(size for _opener, size in files.values())
        self._before = 0
        self._current: IO[bytes] | None = None

    def records(self, entity: str) -> Iterator[Item]:
        if entity not in self.files:
            return
        opener, size = self.files[entity]
        file = f"{entity}.csv"
        raw = opener()
        self._current = raw
        fh = _text(raw)
        reader = csv.reader(fh, strict=True)
        line = 1
        try:
            header = next(reader, None)
            if header is None:
                raise ReadError(Problem("header", None, "the file is empty", 1, file))
            self._check_columns(header, entity, file)
            list_field = kb1.LIST_FIELDS.get(entity)
            index = 0
            line = reader.line_num + 1
            for row in reader:
                if not any(row) and len(row) <= 1:
                    line = reader.line_num + 1
                    continue  # a blank line
                if len(row) != len(header):
                    record: Any = Problem(
                        f"{entity}[{index}]",
                        None,
                        f"has {len(row)} cells but the header has {len(header)} columns",
                        line,
                        file,
                    )
                else:
                    record = {
                        name: _convert(name, cell, list_field)
                        for name, cell in zip(header, row, strict=True)
                    }
                yield Item(index, line, record, file)
                index += 1
                line = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise ReadError(_decode_problem(file, line, exc)) from None
        except _UNPACK_ERRORS as exc:
            raise ReadError(_unpack_problem(file, line, exc)) from None
        except csv.Error as exc:
            raise ReadError(Problem("file", None, f"malformed CSV: {exc}", line, file)) from None
        finally:
            fh.close()
            self._current = None
            self._before += size

    def _check_columns(self, header: list[str], entity: str, file: str) -> None:
        known = kb1.FIELDS[entity]
        problems = []
        for name in header:
            if name not in known:
                problems.append(
                    f"unknown column {_show(name)} (the columns are: {', '.join(known)})"
                    if name
                    else "a column has no name"
                )
        for name in kb1.REQUIRED[entity]:
            if name not in header:
                problems.append(f"the required column {name!r} is missing")
        dupes = {n for n in header if header.count(n) > 1}
        problems += [f"the column {_show(n)} appears twice" for n in sorted(dupes)]
        if problems:
            raise ReadError(Problem("header", None, "; ".join(problems), 1, file))

    def finish(self) -> list[Problem]:
        return [
            Problem(
                "bundle",
                None,
                f"{name} is not a kb/1 file (expected <entity>.csv or kb.json) and was ignored",
                file=self.name,
            )
            for name in self.extra
        ]

    def bytes_read(self) -> int:
        done = self._before
        if self._current is not None:
            with contextlib.suppress(OSError, AttributeError):
                done += self._current.tell()
        return done


# -- opening a path --------------------------------------------------------------------------


def _csv_files(names: list[str]) -> tuple[dict[str, str], list[str]]:
    """Map entity -> member name for the *.csv among `names`; list what is not kb/1."""
    found: dict[str, str] = {}
    extra = []
    for name in names:
        base = name.rsplit("/", 1)[-1]
        stem, dot, ext = base.rpartition(".")
        if not base or base.startswith(".") or name.endswith("/"):
            continue
        if ext == "csv" and dot and stem in kb1.ENTITIES:
            found[stem] = name
        elif base not in ("README.txt", kb1.SCHEMA_FILE, "kb.json"):
            extra.append(name)
    return found, extra


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    """Opens `path` when called: a folder's files are opened one at a time, when read."""
    return lambda: open(path, "rb")  # noqa: SIM115 - the reader closes it


def open_input(
    path: str | os.PathLike[str], display_name: str | None = None, **zip_limits: int
) -> Input:
    """The right reader for `path`: a folder of CSVs, a zip bundle (its kb.json if it has
    one, else its CSVs), a single <entity>.csv, or a JSON document. Raises ReadError when the
    path cannot be used at all. `zip_limits` (max_members, max_unpacked, max_ratio) override
    the MAX_ZIP_* defaults for a zip."""
    p = Path(path)
    name = display_name or p.name
    if p.is_dir():
        found, extra = _csv_files(sorted(f.name for f in p.iterdir() if f.is_file()))
        if not found:
            raise ReadError(
                Problem("folder", None, "holds no kb/1 CSV file (people.csv, ...)", file=name)
            )
        files: dict[str, tuple[Callable[[], IO[bytes]], int]] = {
            e: (_opener(p / fname), (p / fname).stat().st_size) for e, fname in found.items()
        }
        return CsvInput(files, name, extra)
    if not p.exists():
        raise ReadError(Problem("path", None, "does not exist", file=name))
    if zipfile.is_zipfile(p):  # the content decides, whatever the name says
        return _zip_input(p, name, **zip_limits)
    with open(p, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    start = head[:4]
    if start.startswith(codecs.BOM_UTF8):
        start = start[3:]
    wide = _wide_text(start)
    if wide:
        raise ReadError(
            Problem("file", None, f"is {wide} text, not UTF-8; save it as UTF-8", 1, name)
        )
    stem, _, ext = Path(name).name.rpartition(".")  # an upload is named by its display name
    if ext.lower() == "csv":
        entity = stem if stem in kb1.ENTITIES else ""
        if not entity:
            raise ReadError(
                Problem(
                    "file",
                    None,
                    f"a CSV file must be named after its entity: {', '.join(kb1.ENTITIES)}.csv",
                    file=name,
                )
            )
        return CsvInput({entity: (lambda: open(p, "rb"), p.stat().st_size)}, name, [])
    problem = _not_json(head, ext.lower())
    if problem:
        raise ReadError(Problem("file", None, problem, file=name))
    return JsonInput(lambda: open(p, "rb"), name, p.stat().st_size)


# Enough of a file's start to tell what it is (past a byte order mark and leading blanks).
_SNIFF_BYTES = 4096
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_JSON_STARTS = b'{["-0123456789tfn'


def _not_json(head: bytes, ext: str) -> str | None:
    """What a file that is not a readable zip really is, when it is not what a JSON reader
    can read, from its first bytes: so that garbage named .zip is "not a zip archive" and a
    binary file is "not JSON", rather than a "malformed JSON" message about column 1."""
    body = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    looks_json = bool(body) and body[:1] in _JSON_STARTS
    if head.startswith(_ZIP_MAGIC):
        return "is a damaged zip archive (it starts like one, but cannot be read as one)"
    if ext == "zip":
        hint = "; it looks like a JSON document: name it .json" if looks_json else ""
        return (
            f"is not a zip archive (a zip starts with 'PK'; this starts with {_start(head)}){hint}"
        )
    if not body:
        if len(head) == _SNIFF_BYTES:
            return None  # only blanks so far: the JSON reader reads on
        return "is empty (or only blanks): a kb/1 JSON document starts with '{'"
    if not looks_json:
        return (
            f"is not JSON: a kb/1 JSON document starts with '{{'; this file starts with "
            f"{_start(head)}"
        )
    return None


def _start(head: bytes) -> str:
    """A file's first bytes as a message shows them (repr: control bytes stay visible)."""
    return repr(head[:16]) if head else "nothing (it is empty)"


def _unsafe_member(member: str) -> str | None:
    """Why a member's path would land outside the folder it is unpacked into, if it would.
    kb reads members without unpacking them, but such a name is a sign of a hostile or broken
    archive, and the next tool to unpack it might not be as careful."""
    path = member.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "has an absolute path"
    if ".." in path.split("/"):
        return "has a path that leads out of its folder ('..')"
    if "\x00" in path or any(ord(c) < 32 for c in path):
        return "has control characters in its name"
    return None


def _zip_input(
    p: Path,
    name: str,
    max_members: int = MAX_ZIP_MEMBERS,
    max_unpacked: int = MAX_ZIP_UNPACKED,
    max_ratio: int = MAX_ZIP_RATIO,
) -> Input:
    try:
        zf = zipfile.ZipFile(p)
        infolist = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ReadError(
            Problem("file", None, f"is not a readable zip archive: {exc}", file=name)
        ) from None

    def refuse(message: str) -> ReadError:
        zf.close()
        return ReadError(Problem("zip", None, message, file=name))

    if len(infolist) > max_members:
        raise refuse(
            f"holds {len(infolist)} members; the limit is {max_members} "
            "(a kb bundle has 10): refused without unpacking"
        )
    total = 0
    seen: set[str] = set()
    for info in infolist:
        if info.filename in seen:
            raise refuse(f"the member {info.filename!r} appears twice: which one is meant?")
        seen.add(info.filename)
        why = _unsafe_member(info.filename)
        if why:
            raise refuse(f"the member {info.filename!r} {why}: refused without unpacking")
        total += info.file_size
        if info.file_size > _RATIO_FROM and info.file_size > max_ratio * max(info.compress_size, 1):
            raise refuse(
                f"the member {info.filename!r} would unpack to {info.file_size:,} bytes from "
                f"{info.compress_size:,} (more than {max_ratio} times its size): "
                "this looks like a zip bomb and was refused without unpacking"
            )
    if total > max_unpacked:
        raise refuse(
            f"would unpack to {total:,} bytes; the limit is {max_unpacked:,}: "
            "refused without unpacking"
        )
    infos = {i.filename: i for i in infolist if not i.is_dir()}

    def opener(member: str) -> Opener:
        def open_member() -> IO[bytes]:
            try:
                return zf.open(infos[member])
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
                raise ReadError(
                    Problem("file", None, f"cannot be read from the zip: {exc}", file=member)
                ) from None

        return open_member

    jsons = [n for n in infos if n.rsplit("/", 1)[-1] == "kb.json"]
    if jsons:
        member = sorted(jsons, key=len)[0]
        inp: Input = JsonInput(opener(member), f"{name}:{member}", infos[member].file_size)
        inp.archive = zf  # type: ignore[attr-defined]
        return inp
    found, extra = _csv_files(sorted(infos))
    if not found:
        zf.close()
        raise ReadError(
            Problem("zip", None, "holds neither kb.json nor any kb/1 CSV file", file=name)
        )
    files = {e: (opener(member), infos[member].file_size) for e, member in found.items()}
    inp = CsvInput(files, name, extra)
    inp.archive = zf  # type: ignore[attr-defined]
    return inp
