"""Reading kb/1 CSV files, one per entity (people.csv, topics.csv, ...), as streams.

Each file's header is checked against the entity's columns before any row is read; a cell is
turned back into what the JSON document would hold (kb.formats.csvsafe undoes the formula
guard, numbers by kb.rules, a list field split on blanks), and anything else stays text for the
importer to refuse with its line and field.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from typing import IO, Any

from kb import rules
from kb.errors import Problem
from kb.formats import kb1
from kb.formats.csvsafe import unneutralise
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

INT_FIELDS = {"birth_year", "death_year"}
FLOAT_FIELDS = {"probability", "probability_high"}
# true or false as kb writes them (kb.formats.csvsafe); a quote's `disputed` is derived and
# ignored, so only a report's `fixed` is read back
BOOL_FIELDS = {"fixed"}


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
    if name in BOOL_FIELDS and cell in ("true", "false"):
        return cell == "true"
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
        fh = text_stream(raw)
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
            raise ReadError(decode_problem(file, line, exc)) from None
        except UNPACK_ERRORS as exc:
            raise ReadError(unpack_problem(file, line, exc)) from None
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
                    f"unknown column {show(name)} (the columns are: {', '.join(known)})"
                    if name
                    else "a column has no name"
                )
        for name in kb1.REQUIRED[entity]:
            if name not in header:
                problems.append(f"the required column {name!r} is missing")
        dupes = {n for n in header if header.count(n) > 1}
        problems += [f"the column {show(n)} appears twice" for n in sorted(dupes)]
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


def csv_files(names: list[str]) -> tuple[dict[str, str], list[str]]:
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
