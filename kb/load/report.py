"""What an import did, per entity, and how its reports name a record.

kb import, /admin/import and kb seed print these lines; `record_name` is also how a problem
names the record it is about (kb.load.field_checks) and how kb.load.seed names what it kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kb.formats.kb1 import ENTITIES
from kb.formats.reading import show


@dataclass
class Report:
    """What an import did (or, in a dry run, would do), per entity."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    # Only with add_only: existing records that differ from the document, left as they are
    # (an editor's corrections), and what each calls itself.
    kept: Counter[str] = field(default_factory=Counter)
    kept_records: dict[str, list[str]] = field(default_factory=dict)
    # Filled by kb.load.seed: records of the document left out because an editor deleted them.
    deleted: Counter[str] = field(default_factory=Counter)
    deleted_records: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def lines(self) -> list[str]:
        return [
            f"{entity}: {self.created[entity]} created, {self.updated[entity]} updated, "
            f"{self.unchanged[entity]} unchanged"
            for entity in ENTITIES
        ]

    def skipped_lines(self) -> list[str]:
        """For an add-only run: per entity what was added and what was skipped, then the
        records kept as an editor left them and those an editor deleted."""
        lines = []
        for e in ENTITIES:
            skipped = self.kept[e] + self.unchanged[e] + self.deleted[e]
            gone = f"; {self.deleted[e]} deleted by an editor" if self.deleted[e] else ""
            lines.append(
                f"{e}: {self.created[e]} created, {skipped} skipped (already there: "
                f"{self.kept[e]} kept as edited, {self.unchanged[e]} unchanged{gone})"
            )
        for e in ENTITIES:
            for label in self.kept_records.get(e, []):
                lines.append(f"kept as edited, not overwritten: {e} {label}")
        for e in ENTITIES:
            for label in self.deleted_records.get(e, []):
                lines.append(f"deleted by an editor, not added again: {e} {label}")
        return lines


def encodable(value: str) -> bool:
    """Whether `value` is real Unicode text: JSON's "\\ud800" escapes decode to a lone
    surrogate, which no database and no web page can store or show."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def record_name(entity: str, rec: dict[str, Any]) -> str:
    """How reports name a kb/1 record: its slug, a quote's id, "person on claim", "a kind b"."""

    def s(name: str) -> str:
        v = rec.get(name)
        if not isinstance(v, str):
            return "?"
        if len(v) > 60 or not v.isprintable() or not encodable(v):
            return show(v)
        return v

    if entity in ("people", "topics", "sources", "claims", "statements"):
        return s("slug") if isinstance(rec.get("slug"), str) else ""
    if entity == "quotes":
        return s("id") if isinstance(rec.get("id"), str) else ""
    if entity == "stances":
        return f"{s('person')} on {s('claim')}"
    if entity == "signatures":
        return f"{s('person')} signed {s('statement')}"
    if entity == "affiliations":
        return f"{s('person')} at {s('organisation')}"
    if entity == "replies":
        return f"reply to {s('quote')} in {s('source')}"
    if entity == "verifications":
        return f"{s('quote')} {s('result')}"
    if entity == "reports":
        target = rec.get("target")
        about = f"{s('person')} on {s('claim')}" if target == "stance" else "?"
        if target in ("quote", "source"):
            about = s(target)
        return f"report on {s('target')} {about}: {s('kind')}"
    return f"{s('from')} {s('kind')} {s('to')}"
