"""Reading a kb/1 JSON document as a stream, one array element at a time.

The reader is a small incremental parser for the one shape kb/1 has, a top-level object of
arrays: it decodes one array element at a time with the standard library's C decoder, keeping
only a window of the file in memory. Entities may come in any order in the file: when the
importer asks for one that lies behind the reader, the file is read again from the start (kb's
own exports are in dependency order, so never).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from kb.errors import Problem
from kb.formats import kb1
from kb.formats.reading import (
    UNPACK_ERRORS,
    Input,
    Item,
    Opener,
    ReadError,
    decode_problem,
    show,
    text_stream,
    unpack_problem,
)

CHUNK = 1 << 16
MAX_RECORD_CHARS = 16 * 1024 * 1024
_WS = re.compile(r"[ \t\n\r]*")


class _Scanner:
    """Reads JSON values one at a time from a text stream, keeping only a window in memory."""

    def __init__(self, raw: IO[bytes], file: str):
        self.raw = raw
        self.fh = text_stream(raw)
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
            raise ReadError(decode_problem(self.file, line, exc)) from None
        except UNPACK_ERRORS as exc:
            raise ReadError(unpack_problem(self.file, self.line_at(len(self.buf)), exc)) from None
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
                raise scanner.error(f"the key {show(key)} appears twice")
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
                key if len(key) <= 40 and key.isprintable() else show(key)[1:-1],
                f"is not part of kb/1 (expected one of: format, {', '.join(kb1.ENTITIES)})",
                line,
                self.name,
            )
            for key, line in self._unknown
        ]

    def bytes_read(self) -> int:
        return self._done_bytes
