"""What a form write answers besides the record: the refusals (Invalid with its FieldErrors,
Conflict, Blocked) and the records they are about. A refusal names a record as a RecordRef
(kind and id, and slug), never as a URL: links are the web layer's (kb.web.present)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordRef:
    """Which record a message is about: its kind (a table name), its id, and its slug when
    the kind has one."""

    kind: str
    id: int
    slug: str | None = None


@dataclass(frozen=True)
class FieldError:
    """One refusal, on one form field (None: the record as a whole), with an optional record
    it collides with (`about`) and the text its link shows."""

    field: str | None
    message: str
    about: RecordRef | None = None
    link_text: str | None = None


class Invalid(Exception):
    """The submission is refused; nothing may be saved."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field or 'record'}: {e.message}" for e in errors))
        self.errors = errors


@dataclass
class Errors:
    """The refusals of one submission, collected so the editor sees every problem at once."""

    items: list[FieldError] = field(default_factory=list)

    def add(
        self,
        name: str | None,
        message: str,
        about: RecordRef | None = None,
        text: str | None = None,
    ) -> None:
        self.items.append(FieldError(name, message, about, text))

    def raise_if_any(self) -> None:
        if self.items:
            raise Invalid(self.items)


class Conflict(Exception):
    """The record changed (or vanished) since the editor loaded it."""

    def __init__(self, obj: Any | None):
        super().__init__("the record was changed by someone else")
        self.obj = obj


@dataclass(frozen=True)
class Dependent:
    """A record touched by deleting another: `how` is "blocks" (deletion refused while it
    exists), "deleted" (goes with it) or "unlinked" (stays, loses the link)."""

    entity: str
    id: int
    label: str
    how: str


class Blocked(Exception):
    def __init__(self, blockers: list[Dependent]):
        super().__init__(f"{len(blockers)} records depend on this one")
        self.blockers = blockers
