"""The checks of one record's fields during an import: each failure becomes a Problem naming
the record, its line and the field.

The rules themselves are kb.rules' (lengths, slugs, URLs, years), the ones the admin forms
apply; this module only turns a JSON or CSV value into a checked one, or into a Problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from kb import rules
from kb.errors import Problem
from kb.formats.reading import Item, show
from kb.load.report import record_name


class Checking(Protocol):
    """What a FieldChecker needs of the import it checks for (kb.load.state.ImportState): where
    problems go, the keys of the records known so far, and the sections that could not be read."""

    keys: dict[str, dict[Any, int]]
    unreadable: set[str]

    def problem(self, p: Problem) -> None: ...


@dataclass
class Rec:
    """One checked record: its id (existing, new or placeholder), columns and links."""

    id: int
    new: bool
    values: dict[str, Any]
    links: list[int] | None = None
    ref: str | None = None  # a quote's document id
    link_keys: list[str] | None = None  # the slugs of `links`, for history
    hint: str = ""  # the record's own words for itself, for history labels
    keep: set[str] | None = None  # columns (or the list field) the record left out


class FieldChecker:
    """Field checks for one record; each failure becomes a Problem naming the field."""

    def __init__(
        self, importer: Checking, item: Item, label: str, entity: str, rec: dict[str, Any]
    ):
        self.imp = importer
        self.item = item
        self._label = label
        self._entity = entity
        self._rec = rec
        self.ok = True

    @property
    def label(self) -> str:
        """`entity[index] (what the record calls itself)`; made only when a problem needs it."""
        hint = record_name(self._entity, self._rec)
        return f"{self._label} ({hint})" if hint else self._label

    def add(self, fieldname: str | None, message: str) -> None:
        self.ok = False
        self.imp.problem(
            Problem(self.label, fieldname, message, line=self.item.line, file=self.item.file)
        )

    def text(
        self, rec: dict[str, Any], name: str, max_len: int | None = None, required: bool = False
    ) -> str | None:
        """A text field, within its length limit (kb.rules.LIMITS unless `max_len` is given)."""
        value = rec.get(name)
        if value is None or value == "":
            if required:
                self.add(name, "is required")
            return None
        if not isinstance(value, str):
            self.add(name, f"must be text, not {json_type(value)}")
            return None
        if required and not value.strip():
            self.add(name, "is required (it is blank)")
            return None
        problem = rules.text_problem(value, max_len or rules.limit(self._entity, name))
        if problem:
            self.add(name, problem)
            return None
        return value

    def url(self, rec: dict[str, Any], name: str) -> str | None:
        """A web address by kb.rules' URL rule, as the forms require. Anything else
        (javascript:, data:, a bare path) would be shown as text, never a link; refusing it
        here keeps such a value out of the data in the first place."""
        value = self.text(rec, name, rules.URL_MAX)
        problem = rules.url_problem(value) if value is not None else None
        if problem:
            self.add(name, problem)
            return None
        return value

    def partial_date(self, rec: dict[str, Any], name: str) -> tuple[Any, str | None]:
        """(date, precision) of a "YYYY", "YYYY-MM" or "YYYY-MM-DD" field, (None, None) when
        it is empty or wrong (then reported)."""
        raw = rec.get(name)
        if raw is None or raw == "":
            return None, None
        if not isinstance(raw, str):
            self.add(name, f"must be text (YYYY, YYYY-MM or YYYY-MM-DD), not {show(raw)}")
            return None, None
        try:
            return rules.parse_partial(raw)
        except rules.RuleError as exc:
            self.add(name, str(exc))
            return None, None

    def slug(self, rec: dict[str, Any], name: str = "slug") -> str | None:
        value = self.text(rec, name, rules.SLUG_MAX, required=True)
        problem = rules.slug_problem(value) if value is not None else None
        if problem:
            self.add(name, problem)
            return None
        return value

    def choice(self, rec: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
        value = rec.get(name)
        if value is None or value == "":
            self.add(name, f"is required: one of {', '.join(allowed)}")
            return None
        if value not in allowed:
            self.add(name, f"{show(value)} is not one of {', '.join(allowed)}")
            return None
        return value

    def year(self, rec: dict[str, Any], name: str) -> int | None:
        value = rules.whole_number(rec.get(name))
        if value is None:
            return None
        problem = rules.year_problem(value)
        if problem:
            self.add(name, problem)
            return None
        return value

    def ref(self, rec: dict[str, Any], name: str, entity: str, what: str) -> int | None:
        value = rec.get(name)
        if value is None or value == "":
            self.add(name, f"is required: the slug of a {what}")
            return None
        if not isinstance(value, str):
            self.add(name, f"must be the slug of a {what}, not {json_type(value)}")
            return None
        found = self.imp.keys[entity].get(value)
        if found is None:
            self.unknown(name, entity, what, value)
        return found

    def unknown(self, name: str, entity: str, what: str, value: Any) -> None:
        if entity in self.imp.unreadable:
            self.ok = False  # its file could not be read: already reported
        else:
            self.add(name, f"unknown {what} {show(value)}")

    def ref_list(self, rec: dict[str, Any], name: str, entity: str, what: str) -> list[int]:
        value = rec.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(name, f"must be a list of {what} slugs")
            return []
        ids = []
        for v in value:
            found = self.imp.keys[entity].get(v)
            if found is None:
                self.unknown(name, entity, what, v)
            elif found in ids:
                self.add(name, f"lists {show(v)} twice")
            else:
                ids.append(found)
        return ids


def json_type(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        Decimal: "a number",
        list: "a list",
        dict: "an object",
        str: "text",
    }.get(type(value), type(value).__name__)
