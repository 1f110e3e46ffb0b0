"""Revisions: who changed which record, when, and each field's value before and after.

History must cover every path that writes (the admin forms, the CLI, an import), so it is not
written by the views: a listener on the Session class sees every ORM flush and records one
Revision per created, updated or deleted record of `kb.models.EDITABLE_MODELS`. Who did it comes
from `session.info`: `user_id` and `actor` (a username, or "cli", "import", "seed"). Writes that
bypass the ORM (bulk Core inserts) call `record_bulk` themselves.

A revision's `changes` is `{"field": [before, after]}`: before is null on create, after is null
on delete. Many-to-many lists are stored by natural key (claim topics and source authors as
slugs, stance evidence as quote ids), so a revision still reads well after ids move on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from kb import models as m
from kb.models import EDITABLE_MODELS, Revision

# Columns that change on every write and say nothing about the record itself.
# bookkeeping, and `latest`, which kb.store.latest derives from the stances themselves
_SKIP = frozenset({"id", "created_at", "updated_at", "version", "latest", "sort_key"})
# Fields no revision keeps: a reader's e-mail on a report is for the editors' queue only.
_PRIVATE: dict[type, frozenset[str]] = {m.Report: frozenset({"email"})}
# Many-to-many lists kept in revisions, and the attribute of the related record that names it.
COLLECTIONS: dict[type, dict[str, str]] = {
    m.Source: {"authors": "slug"},
    m.Claim: {"topics": "slug"},
    m.Stance: {"evidence": "id"},
}
# The records a collection names, for turning a stored list back into objects on revert.
_COLLECTION_TARGETS: dict[tuple[type, str], type[m.Person] | type[m.Topic] | type[m.Quote]] = {
    (m.Source, "authors"): m.Person,
    (m.Claim, "topics"): m.Topic,
    (m.Stance, "evidence"): m.Quote,
}
MODELS: dict[str, m.EditableModel] = {cls.__tablename__: cls for cls in EDITABLE_MODELS}
# Reader-facing names of the entities, singular.
ENTITY_NAMES = {
    "person": "person",
    "source": "source",
    "quote": "quote",
    "topic": "topic",
    "claim": "claim",
    "stance": "stance",
    "claim_relation": "claim relation",
    "statement": "statement",
    "signature": "signature",
    "affiliation": "affiliation",
    "reply": "reply",
    "report": "report",
    "verification": "verification",
}

_DELETED = "kb.store.history.deleted"


def entity_of(obj_or_cls: m.Base | type[m.Base]) -> str:
    """The entity name revisions use for a record: its table name."""
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    return cls.__tablename__


def tracked_fields(cls: type[m.Base]) -> list[str]:
    """The fields a revision records for a model, in the model's column order."""
    skip = _SKIP | _PRIVATE.get(cls, frozenset())
    columns = [c.key for c in inspect(cls).column_attrs if c.key not in skip]
    return columns + list(COLLECTIONS.get(cls, {}))


def required_fields(cls: type[m.Base]) -> set[str]:
    """Fields that are never null: an update's `before` for them is never null either."""
    return {
        c.key for c in inspect(cls).column_attrs if c.key not in _SKIP and not c.columns[0].nullable
    }


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _collection_keys(cls: type, name: str, items: Iterable[Any]) -> list[Any]:
    attr = COLLECTIONS[cls][name]
    return sorted(getattr(item, attr) for item in items)


def snapshot(obj: Any) -> dict[str, Any]:
    """Every tracked field of a record as JSON-ready values (loads what is not loaded)."""
    cls = type(obj)
    values = {name: _json(getattr(obj, name)) for name in tracked_fields(cls)}
    for name in COLLECTIONS.get(cls, {}):
        values[name] = _collection_keys(cls, name, getattr(obj, name))
    return values


def label_of(obj: Any) -> str:
    """A short reader-facing name of a record, kept on the revision so the history of a
    deleted record still says what it was."""

    def short(text: str | None, n: int = 80) -> str:
        text = " ".join((text or "").split())
        return text if len(text) <= n else text[: n - 1] + "…"

    if isinstance(obj, m.Person | m.Topic):
        return obj.name
    if isinstance(obj, m.Source):
        return short(obj.title, 200)
    if isinstance(obj, m.Claim):
        return short(obj.text)
    if isinstance(obj, m.Quote):
        speaker = obj.speaker.name if obj.speaker is not None else "?"
        return f"{speaker}: “{short(obj.text, 70)}”"
    if isinstance(obj, m.Stance):
        person = obj.person.name if obj.person is not None else "?"
        claim = obj.claim.slug if obj.claim is not None else "?"
        when = f" (as of {obj.as_of.isoformat()})" if obj.as_of else ""
        return f"{person} {obj.position} {claim}{when}"
    if isinstance(obj, m.ClaimRelation):
        a = obj.from_claim.slug if obj.from_claim is not None else "?"
        b = obj.to_claim.slug if obj.to_claim is not None else "?"
        return f"{a} {obj.kind} {b}"
    if isinstance(obj, m.Statement):
        return short(obj.title, 200)
    if isinstance(obj, m.Signature):
        person = obj.person.name if obj.person is not None else "?"
        statement = obj.statement.slug if obj.statement is not None else "?"
        return f"{person} signed {statement}"
    if isinstance(obj, m.Affiliation):
        person = obj.person.name if obj.person is not None else "?"
        return f"{person}: {short(m.affiliation_title(obj.role, obj.organisation), 200)}"
    if isinstance(obj, m.Reply):
        speaker = obj.quote.speaker.name if obj.quote is not None else "?"
        return f"{speaker} {obj.response} the attribution of quote #{obj.quote_id}"
    if isinstance(obj, m.Report):
        return f"Report on {obj.target} #{obj.target_id}: {obj.kind.replace('_', ' ')}"
    if isinstance(obj, m.Verification):
        return m.verification_label(obj.result, obj.seen_in)
    return repr(obj)


def _diff(obj: Any) -> dict[str, list[Any]]:
    """Field-level [before, after] of a flushed update, from SQLAlchemy's attribute history
    (still available in after_flush)."""
    cls = type(obj)
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    collections = COLLECTIONS.get(cls, {})
    for name in tracked_fields(cls):
        hist = state.attrs[name].history
        before: Any
        after: Any
        if name in collections:
            if not (hist.added or hist.deleted):
                continue
            kept = list(hist.unchanged or ())
            before = _collection_keys(cls, name, kept + list(hist.deleted or ()))
            after = _collection_keys(cls, name, kept + list(hist.added or ()))
        else:
            if not hist.added and not hist.deleted:
                continue
            before = _json(hist.deleted[0]) if hist.deleted else None
            after = _json(hist.added[0]) if hist.added else None
        if before != after:
            changes[name] = [before, after]
    return changes


def _actor(session: Session) -> tuple[int | None, str]:
    return session.info.get("user_id"), session.info.get("actor") or "system"


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    # A deleted record's many-to-many rows are gone by after_flush, so its full picture is
    # taken now, while it can still be loaded.
    pending = session.info.setdefault(_DELETED, {})
    for obj in session.deleted:
        if isinstance(obj, EDITABLE_MODELS) and id(obj) not in pending:
            pending[id(obj)] = (snapshot(obj), label_of(obj))


def _after_flush(session: Session, _ctx: Any) -> None:
    deleted = session.info.pop(_DELETED, {})
    user_id, actor = _actor(session)
    reverts_id = session.info.get("reverts_id")
    rows: list[dict[str, Any]] = []

    def row(action: str, obj: Any, changes: dict[str, list[Any]], label: str) -> None:
        rows.append(
            {
                "user_id": user_id,
                "actor": actor,
                "action": "revert" if reverts_id else action,
                "entity": entity_of(obj),
                "entity_id": obj.id,
                "label": label[:500],
                "changes": changes,
                "reverts_id": reverts_id,
                "created_at": m.utcnow(),
            }
        )

    for obj in session.new:
        if isinstance(obj, EDITABLE_MODELS):
            values = snapshot(obj)
            changes = {k: [None, v] for k, v in values.items() if v not in (None, [])}
            row("create", obj, changes, label_of(obj))
    for obj in session.dirty:
        if isinstance(obj, EDITABLE_MODELS) and obj not in session.deleted:
            changes = _diff(obj)
            if changes:
                row("update", obj, changes, label_of(obj))
    for obj in session.deleted:
        if isinstance(obj, EDITABLE_MODELS):
            values, label = deleted.get(id(obj)) or (snapshot(obj), label_of(obj))
            changes = {k: [v, None] for k, v in values.items() if v not in (None, [])}
            row("delete", obj, changes, label)
    if rows:
        session.connection().execute(insert(Revision.__table__), rows)


def _after_rollback(session: Session) -> None:
    session.info.pop(_DELETED, None)


def install(session_class: Any = Session) -> None:
    """Listen on every Session (idempotent), like kb.store.datastate."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


_BULK_COLUMNS = ("user_id", "actor", "action", "entity", "entity_id", "label", "changes")


def _bulk_insert_sql(dialect: str) -> str:
    """The revision INSERT in the driver's own parameter style. created_at is left to its
    server default (the time of the statement: one import, one moment)."""
    if dialect == "postgresql":
        values = ", ".join(["%s"] * (len(_BULK_COLUMNS) - 1) + ["CAST(%s AS JSON)"])
    else:
        values = ", ".join(["?"] * len(_BULK_COLUMNS))
    return f"INSERT INTO revision ({', '.join(_BULK_COLUMNS)}) VALUES ({values})"


def record_bulk(session: Session, rows: Iterable[Mapping[str, Any]]) -> int:
    """Record revisions for writes that bypassed the ORM (bulk Core inserts by `kb import`).

    Each row is a mapping with `action` ("create", "update" or "delete"), `entity` (a table
    name, e.g. "person"), `entity_id`, optional `label` and optional `changes`
    (`{"field": [before, after]}`; dates become ISO text). The actor comes from `session.info`
    as for ORM writes. Returns the number of revisions written; the caller commits.

    One revision per imported record is most of an import's own work at a million records,
    so rows go to the driver as tuples with the changes already JSON (C-encoded), skipping
    SQLAlchemy's per-row parameter processing: a third less time for the whole import.
    """
    user_id, actor = _actor(session)
    connection = session.connection()
    sql = _bulk_insert_sql(connection.dialect.name)
    encode = json.JSONEncoder(default=_json_default).encode
    batch: list[tuple[Any, ...]] = []
    count = 0
    for r in rows:
        if r["action"] not in m.REVISION_ACTIONS:
            raise ValueError(f"unknown revision action {r['action']!r}")
        if r["entity"] not in MODELS:
            raise ValueError(f"unknown entity {r['entity']!r}")
        batch.append(
            (
                user_id,
                actor,
                r["action"],
                r["entity"],
                int(r["entity_id"]),
                (r.get("label") or "")[:500] or None,
                encode(r.get("changes") or {}),
            )
        )
        if len(batch) >= 2000:
            connection.exec_driver_sql(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        connection.exec_driver_sql(sql, batch)
        count += len(batch)
    return count


# -- reading -----------------------------------------------------------------------------------


def recent(limit: int, offset: int = 0, entity: str | None = None) -> Any:
    """Revisions newest first (a Select, so callers can page it)."""
    query = select(Revision).order_by(Revision.id.desc()).limit(limit).offset(offset)
    if entity:
        query = query.where(Revision.entity == entity)
    return query


def of_record(entity: str, entity_id: int) -> Any:
    """The revisions of one record, newest first."""
    return (
        select(Revision)
        .where(Revision.entity == entity, Revision.entity_id == entity_id)
        .order_by(Revision.id.desc())
    )


def count(session: Session, entity: str | None = None) -> int:
    query = select(func.count(Revision.id))
    if entity:
        query = query.where(Revision.entity == entity)
    return session.scalar(query) or 0


def operation(rev: Revision) -> str:
    """What a revision did to its record: create, update or delete. A revert did one of those;
    its shape tells which (a created record has no before at all, and a required field is
    never null before an update; likewise after a delete)."""
    if rev.action != "revert":
        return rev.action
    cls = MODELS[rev.entity]
    required = required_fields(cls)
    values = rev.changes or {}
    if values and any(k in required for k in values):
        if all(b in (None, []) for b, _a in values.values()):
            return "create"
        if all(a in (None, []) for _b, a in values.values()):
            return "delete"
    return "update"


# -- revert ------------------------------------------------------------------------------------


class RevertRefused(Exception):
    """The revision cannot be undone as things stand; the message says why."""

    def __init__(self, message: str, blockers: list[tuple[str, int, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.blockers = blockers or []


@dataclass
class _Resolved:
    values: dict[str, Any]
    missing: list[str]


def _resolve(session: Session, cls: type[m.Base], values: Mapping[str, Any]) -> _Resolved:
    """Stored JSON values back to what the model takes: dates parsed, lists of slugs or ids
    turned into the records they name. Names what no longer exists."""
    out: dict[str, Any] = {}
    missing: list[str] = []
    columns = {c.key: c.columns[0] for c in inspect(cls).column_attrs}
    for name, value in values.items():
        if name in COLLECTIONS.get(cls, {}):
            target = _COLLECTION_TARGETS[(cls, name)]
            key = COLLECTIONS[cls][name]
            wanted = list(value or [])
            found = (
                list(session.scalars(select(target).where(getattr(target, key).in_(wanted))))
                if wanted
                else []
            )
            have = {getattr(o, key) for o in found}
            missing += [f"{name}: {k} no longer exists" for k in wanted if k not in have]
            out[name] = found
        elif name in columns:
            if value is not None and isinstance(columns[name].type, Date):
                value = dt.date.fromisoformat(value)
            out[name] = value
            fk = next(iter(columns[name].foreign_keys), None)
            if fk is not None and value is not None:
                target_table = fk.column.table.name
                referenced = MODELS.get(target_table)
                if referenced is not None and session.get(referenced, value) is None:
                    missing.append(f"{name}: {target_table} {value} no longer exists")
    return _Resolved(out, missing)


def revert(session: Session, revision_id: int, dependents: Any) -> Revision:
    """Apply the inverse of a revision and record that as a "revert" revision.

    `dependents(session, obj)` lists the records that depend on `obj`
    (kb.edits.deleting.dependents); a created record is only deleted again when nothing
    depends on it. Raises RevertRefused when the revision cannot be undone; writes nothing
    then. Returns the new revision.
    """
    rev = session.get(Revision, revision_id)
    if rev is None:
        raise RevertRefused(f"there is no revision {revision_id}")
    cls = MODELS.get(rev.entity)
    if cls is None:
        raise RevertRefused(f"revisions of {rev.entity!r} cannot be reverted")
    obj = session.get(cls, rev.entity_id)
    # A revert of this revision made before (by anyone, up to now) is not the one this call
    # makes: read after the record, so a revert committed in between makes the record stale.
    earlier = session.scalar(select(func.max(Revision.id)).where(Revision.reverts_id == rev.id))
    _apply_inverse(session, rev, cls, obj, dependents)
    session.info["reverts_id"] = rev.id
    try:
        session.flush()
    finally:
        session.info.pop("reverts_id", None)
    newest = session.scalars(
        select(Revision)
        .where(Revision.reverts_id == rev.id, Revision.id > (earlier or 0))
        .order_by(Revision.id.desc())
    ).first()
    if newest is None:
        raise RevertRefused("nothing to revert: the record already has these values")
    return newest


def _apply_inverse(session: Session, rev: Revision, cls: Any, obj: Any, dependents: Any) -> None:
    """Undo `rev` on `obj` (its record now, None when gone) in the session, unflushed: delete
    what it created, restore what it deleted, set back what it changed."""
    op = operation(rev)
    name = ENTITY_NAMES.get(rev.entity, rev.entity)
    if op == "create":
        if obj is None:
            raise RevertRefused(f"the {name} this revision created is already gone")
        deps = dependents(session, obj)
        if deps:
            raise RevertRefused(
                f"the {name} cannot be deleted again: other records depend on it", deps
            )
        session.delete(obj)
    elif op == "delete":
        if obj is not None:
            raise RevertRefused(f"the {name} #{rev.entity_id} exists again already")
        # Restored under its old id, so earlier revisions and links still point at it.
        session.add(cls(id=rev.entity_id, **_values_before(session, rev, cls, name)))
    else:
        if obj is None:
            raise RevertRefused(f"the {name} #{rev.entity_id} has been deleted since")
        for key, value in _values_before(session, rev, cls, name).items():
            setattr(obj, key, value)


def _values_before(
    session: Session, rev: Revision, cls: m.EditableModel, name: str
) -> dict[str, Any]:
    """The values `rev` changed, as they were before it, ready for the model; refused when
    one of the records they name no longer exists."""
    before = {k: b for k, (b, _a) in (rev.changes or {}).items()}
    resolved = _resolve(session, cls, before)
    if resolved.missing:
        raise RevertRefused(f"the {name} cannot be restored: " + "; ".join(resolved.missing))
    return resolved.values
