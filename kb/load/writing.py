"""The writing side of an import: new records in Core batches (kb.load.bulk) with their "create"
revisions, changed records through the ORM (so versions and history follow), and the quotes
whose "q<n>" id was taken, given ids once every quote has been read.

Nothing is committed here; after the first problem nothing more is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Select, func, insert, select, text
from sqlalchemy.orm import Session, selectinload

from kb import models as m
from kb.load import bulk
from kb.load.field_checks import Rec
from kb.load.report import record_name
from kb.load.state import MODELS, ImportState, quote_key

_LINK_ATTR = {"sources": "authors", "claims": "topics", "stances": "evidence"}
_LINK_MODEL: dict[str, type[m.Person] | type[m.Topic] | type[m.Quote]] = {
    "sources": m.Person,
    "claims": m.Topic,
    "stances": m.Quote,
}
_BULK_INSERT = {
    "people": bulk.insert_people,
    "topics": bulk.insert_topics,
    "sources": bulk.insert_sources,
    "claims": bulk.insert_claims,
    "stances": bulk.insert_stances,
    "claim_relations": bulk.insert_relations,
    "statements": bulk.insert_statements,
    "signatures": bulk.insert_signatures,
    "affiliations": bulk.insert_affiliations,
    "replies": bulk.insert_replies,
    "verifications": bulk.insert_verifications,
    "reports": bulk.insert_reports,
}
# Given on insert (an imported report's filing time) but, as for any edit, not in its history.
_UNTRACKED = frozenset({"created_at"})
_BULK_LINK_KEY = {"sources": "author_ids", "claims": "topic_ids", "stances": "evidence_ids"}


class Writer(ImportState):
    """Puts checked batches in the session (or, when not writing, only counts them)."""

    def _apply(self, entity: str, batch: list[Rec]) -> None:
        new = [r for r in batch if r.new]
        old = [r for r in batch if not r.new]
        self.report.created[entity] += len(new)
        if old:
            self._update(entity, old)
        if not self.writing or not new:
            return
        if entity == "quotes":
            ready = [r for r in new if r.id > 0]
            self._deferred_quotes.extend(r for r in new if r.id <= 0)
            self._insert_quotes(ready)
            return
        rows = []
        link_key = _BULK_LINK_KEY.get(entity)
        for r in new:
            row = dict(r.values)
            if link_key:
                row[link_key] = r.links or []
            rows.append(row)
        result = _BULK_INSERT[entity](self.s, rows, batch_size=len(rows))
        ids = list(result.values()) if isinstance(result, dict) else list(result)
        if ids != [r.id for r in new]:  # pragma: no cover - would be a bug in the id counting
            raise RuntimeError(f"bulk insert of {entity} assigned unexpected ids")
        self.wrote_core = True
        self._history(entity, new)

    def _insert_quotes(self, recs: list[Rec]) -> None:
        if not recs:
            return
        t = m.Quote.__table__
        now = m.utcnow()
        rows = [
            {"id": r.id, **r.values, "created_at": now, "updated_at": now, "version": 1}
            for r in recs
        ]
        self.s.connection().execute(insert(t), rows)
        self.wrote_core = True
        self.quotes_written = True
        self._history("quotes", recs)

    def _history(self, entity: str, recs: list[Rec]) -> None:
        """One "create" revision per record written with Core, as the ORM hook writes for a
        record created in a form (kb.store.history.record_bulk)."""
        table = MODELS[entity].__tablename__
        link_attr = _LINK_ATTR.get(entity)

        def rows() -> Iterator[dict[str, Any]]:
            for r in recs:
                changes = {
                    k: [None, v]
                    for k, v in r.values.items()
                    if v is not None and k not in _UNTRACKED
                }
                if link_attr:
                    keys = r.link_keys if entity != "stances" else sorted(r.links or [])
                    if keys:
                        changes[link_attr] = [None, sorted(keys)]
                yield {
                    "action": "create",
                    "entity": table,
                    "entity_id": r.id,
                    "label": history_label(entity, r),
                    "changes": changes,
                }

        record_history(self.s, rows())

    def _write_deferred_quotes(self) -> None:
        """Give the quotes whose "q<n>" id was taken (or that had another kind of id) the ids
        after every quote in the database and the document, then write them."""
        deferred, self._deferred_quotes = self._deferred_quotes, []
        if not deferred:
            return
        if not self.writing:
            # A problem stopped the writing: the quotes keep their placeholder ids, which is
            # enough for the stances citing them to be checked.
            for r in deferred:
                if r.ref is not None:
                    self.quote_refs[r.ref] = (r.id, r.values["speaker_id"])
            return
        t = m.Quote.__table__
        next_id = max(
            (self.s.scalar(select(func.max(t.c.id))) or 0),
            max(self._quote_ids_taken, default=0),
        )
        for r in deferred:
            next_id += 1
            key = quote_key(r.values["source_id"], r.values["speaker_id"], r.values["text"])
            self.keys["quotes"][key] = next_id
            if r.ref is not None:
                self.quote_refs[r.ref] = (next_id, r.values["speaker_id"])
            r.id = next_id
        for start in range(0, len(deferred), self.batch_size):
            self._insert_quotes(deferred[start : start + self.batch_size])

    def _sync_quote_sequence(self) -> None:
        if self.s.get_bind().dialect.name == "postgresql" and self.quotes_written:
            self.s.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('quote', 'id'), "
                    "GREATEST((SELECT MAX(id) FROM quote), 1))"
                )
            )

    def _update(self, entity: str, recs: list[Rec]) -> None:
        """Compare matched records with the database; change those that differ (through the
        ORM, so versions and history follow), count the rest as unchanged."""
        model = MODELS[entity]
        link_attr = _LINK_ATTR.get(entity)
        # any editable model: the records are used through their shared id and fields
        stmt: Select[Any] = select(model).where(model.id.in_([r.id for r in recs]))
        if link_attr:
            stmt = stmt.options(selectinload(getattr(model, link_attr)))
        objs = {o.id: o for o in self.s.scalars(stmt)}
        related: dict[int, Any] = {}
        touched = []
        for r in recs:
            obj = objs[r.id]
            keep = r.keep or ()
            changes = {k: v for k, v in r.values.items() if k not in keep and getattr(obj, k) != v}
            link_changed = False
            if link_attr and link_attr not in keep:
                current = sorted(o.id for o in getattr(obj, link_attr))
                link_changed = current != sorted(r.links or [])
            if not changes and not link_changed:
                self.report.unchanged[entity] += 1
                continue
            if self.add_only:
                self.report.kept[entity] += 1
                label = r.values.get("slug") or r.ref or r.hint or str(r.id)
                self.report.kept_records.setdefault(entity, []).append(label)
                continue
            self.report.updated[entity] += 1
            if not self.writing:
                continue
            for k, v in changes.items():
                setattr(obj, k, v)
            if link_changed and link_attr:  # (a link can only change where there is one)
                needed = [i for i in r.links or [] if i not in related]
                if needed:
                    link_model = _LINK_MODEL[entity]
                    linked: Select[Any] = select(link_model).where(link_model.id.in_(needed))
                    for o in self.s.scalars(linked):
                        related[o.id] = o
                setattr(obj, link_attr, [related[i] for i in r.links or []])
            touched.append(obj)
        if touched:
            self.s.flush()
        for obj in objs.values():
            self.s.expunge(obj)
        for obj in related.values():
            if obj in self.s:
                self.s.expunge(obj)


def history_label(entity: str, r: Rec) -> str:
    v = r.values

    def short(words: str | None, n: int = 80) -> str:
        words = " ".join((words or "").split())
        return words if len(words) <= n else words[: n - 1] + "…"

    if entity in ("people", "topics"):
        return v["name"]
    if entity == "sources":
        return short(v["title"], 200)
    if entity == "claims":
        return short(v["text"])
    if entity == "statements":
        return short(v["title"], 200)
    if entity == "quotes":
        return f"“{short(v['text'], 70)}”"
    if entity == "stances":
        return f"{r.hint.replace(' on ', ' ' + v['position'] + ' ', 1)}"
    if entity == "affiliations":
        return short(m.affiliation_title(v["role"], v["organisation"]), 200)
    if entity == "replies":
        return f"{v['response']} the attribution of quote #{v['quote_id']}"
    if entity == "verifications":
        return m.verification_label(v["result"], v["seen_in"])
    if entity == "reports":  # as kb.store.history labels one made by the form
        return f"Report on {v['target']} #{v['target_id']}: {v['kind'].replace('_', ' ')}"
    return r.hint


def create_label(entity: str, rec: dict[str, Any]) -> tuple[str, str]:
    """(table, label) of the "create" revision an import writes for the kb/1 record `rec`:
    how kb.load.seed recognises a record it once wrote, whatever was done to it since."""
    label = history_label(entity, Rec(0, True, dict(rec), hint=record_name(entity, rec)))
    return MODELS[entity].__tablename__, label[:500]


def record_history(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Where an import meets kb.store.history: records created with Core get their revisions here
    (updates go through the ORM, whose history hook records them like any edit)."""
    from kb.store import history

    history.record_bulk(session, rows)
