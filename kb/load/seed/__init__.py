"""The seed dataset: 28 people's quotes and dated stances, built from the checked fact sheet
by tools/build_seed.py. Loading it only adds what is missing and never undoes anyone's work, so
`kb seed` can run any number of times:

- a seed record already in the database is never changed, even when it differs from the seed
  (an editor corrected it): the import runs in its add-only mode;
- a seed record the database once held (its "create" revision says so) is still that record
  when an editor changed its slug or natural key (a quote's words, a stance's date): the seed
  takes the record's current key instead of adding the old version again beside it;
- a seed record an editor deleted is not added again, nor what depends on it.

The report counts, per kind, what was created and what was skipped, and names the records kept
as edited and those left deleted (Report.skipped_lines).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from kb import models as m
from kb.dates import format_partial, parse_partial
from kb.load.importer import ENTITIES, apply_document
from kb.load.report import Report, record_name
from kb.load.writing import create_label

_SLUGGED: dict[str, m.SluggedModel] = {
    "people": m.Person,
    "topics": m.Topic,
    "sources": m.Source,
    "claims": m.Claim,
    "statements": m.Statement,
}
# What each kind refers to, field -> kind, and whether the field is a list.
_REFS: dict[str, dict[str, tuple[str, bool]]] = {
    "sources": {"authors": ("people", True)},
    "claims": {"topics": ("topics", True)},
    "quotes": {"speaker": ("people", False), "source": ("sources", False)},
    "stances": {"person": ("people", False), "claim": ("claims", False)},
    "claim_relations": {"from": ("claims", False), "to": ("claims", False)},
    "statements": {"claim": ("claims", False)},
    "signatures": {"person": ("people", False), "statement": ("statements", False)},
    "affiliations": {"person": ("people", False)},
}
# The kb/1 fields that make a record's natural key, in the order _key_query selects them.
_KEY_FIELDS = {
    "quotes": ("source", "speaker", "text"),
    "stances": ("person", "claim", "as_of"),
    "claim_relations": ("from", "to", "kind"),
    "signatures": ("person", "statement"),
    "affiliations": ("person", "organisation", "role", "from"),
    **{e: ("slug",) for e in _SLUGGED},
}


def seed_document() -> dict[str, Any]:
    return json.loads(
        resources.files("kb.load.seed").joinpath("seed.json").read_text(encoding="utf-8")
    )


def load_seed(session: Session) -> Report:
    """Add the seed records the database lacks, in the session's transaction (the caller
    commits); see the module's docstring for what counts as lacking."""
    session.info.setdefault("actor", "seed")
    doc, deleted = _as_the_database_knows_it(session, seed_document())
    report = apply_document(session, doc, file="seed.json", add_only=True)
    for entity, label in deleted:
        report.deleted[entity] += 1
        report.deleted_records.setdefault(entity, []).append(label)
    return report


def _created_from_seed(session: Session, doc: dict[str, Any]) -> dict[tuple[str, int], list[int]]:
    """(kind, index in the document) -> ids of the records an earlier import of that seed
    record created, found by the label and values of their "create" revisions."""
    wanted: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for entity in ENTITIES:
        for i, rec in enumerate(doc.get(entity, [])):
            wanted.setdefault(create_label(entity, rec), []).append((entity, i))
    labels = {label for _table, label in wanted}
    rows = session.execute(
        select(m.Revision.entity, m.Revision.label, m.Revision.entity_id, m.Revision.changes)
        .where(m.Revision.action == "create", m.Revision.label.in_(labels))
        .order_by(m.Revision.entity_id)
    )
    found: dict[tuple[str, int], list[int]] = {}
    for table, label, id_, changes in rows:
        for entity, i in wanted.get((table, label), ()):
            if _created_as(entity, doc[entity][i], changes or {}):
                found.setdefault((entity, i), []).append(id_)
    return found


def _created_as(entity: str, rec: dict[str, Any], changes: dict[str, Any]) -> bool:
    """Whether a create revision's values are those of `rec` (beyond its label)."""

    def after(name: str) -> Any:
        value = changes.get(name)
        return value[1] if isinstance(value, list) and len(value) == 2 else None

    if entity in _SLUGGED:
        return after("slug") == rec.get("slug")
    if entity == "quotes":
        return after("text") == rec.get("text")
    if entity == "stances":
        return after("as_of") == rec.get("as_of")
    if entity == "signatures":
        return after("seen_in") == rec.get("seen_in")
    if entity == "affiliations":
        return after("organisation") == rec.get("organisation")
    if entity == "verifications":
        return after("seen_in") == rec.get("seen_in") and after("checked_by") == rec.get("by")
    return after("kind") == rec.get("kind")


def _key_query(entity: str) -> tuple[Select, Any]:
    """SELECT id, *the natural key (as kb/1 names it)* for `entity`, and its id column."""
    if entity in _SLUGGED:
        model = _SLUGGED[entity]
        return select(model.id, model.slug), model.id
    stmt: Select[*tuple[Any, ...]]
    if entity == "quotes":
        q = m.Quote
        stmt = (
            select(q.id, m.Source.slug, m.Person.slug, q.text)
            .join(m.Source, m.Source.id == q.source_id)
            .join(m.Person, m.Person.id == q.speaker_id)
        )
        return stmt, q.id
    if entity == "stances":
        s = m.Stance
        stmt = (
            select(s.id, m.Person.slug, m.Claim.slug, s.as_of)
            .join(m.Person, m.Person.id == s.person_id)
            .join(m.Claim, m.Claim.id == s.claim_id)
        )
        return stmt, s.id
    if entity == "signatures":
        sig = m.Signature
        stmt = (
            select(sig.id, m.Person.slug, m.Statement.slug)
            .join(m.Person, m.Person.id == sig.person_id)
            .join(m.Statement, m.Statement.id == sig.statement_id)
        )
        return stmt, sig.id
    if entity == "affiliations":
        f = m.Affiliation  # its start's precision last, to write "from" as kb/1 does
        stmt = select(
            f.id, m.Person.slug, f.organisation, f.role, f.started_on, f.started_precision
        )
        return stmt.join(m.Person, m.Person.id == f.person_id), f.id
    r, a, b = m.ClaimRelation, aliased(m.Claim), aliased(m.Claim)
    stmt = (
        select(r.id, a.slug, b.slug, r.kind)
        .join(a, a.id == r.from_claim_id)
        .join(b, b.id == r.to_claim_id)
    )
    return stmt, r.id


def _key_of(entity: str, rec: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(rec.get(f) for f in _KEY_FIELDS[entity])


def _current_key(session: Session, entity: str, ids: list[int]) -> tuple[Any, ...] | None:
    """The natural key the first still existing of `ids` has now; None when all are gone."""
    stmt, id_col = _key_query(entity)
    row = session.execute(stmt.where(id_col.in_(ids)).order_by(id_col).limit(1)).first()
    if row is None:
        return None
    if entity == "affiliations":
        return (*row[1:4], format_partial(row[4], row[5]))
    return tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row[1:])


def _present(session: Session, entity: str, key: tuple[Any, ...]) -> bool:
    """Whether a record with this natural key (kb/1 values) is in the database now."""
    stmt, _id_col = _key_query(entity)
    fields = _KEY_FIELDS[entity]
    for name, column, value in zip(
        fields, list(stmt.selected_columns)[1 : 1 + len(fields)], key, strict=True
    ):
        if value is None:
            stmt = stmt.where(column.is_(None))
        elif name == "as_of":
            stmt = stmt.where(column == dt.date.fromisoformat(value))
        elif entity == "affiliations" and name == "from":
            stmt = stmt.where(column == parse_partial(value)[0])
        else:
            stmt = stmt.where(column == value)
    return session.execute(stmt.limit(1)).first() is not None


class _Rewrite:
    """The seed document turned to this database's history, kind by kind in kb/1's order (so
    what a record refers to is settled before it): slugs an editor changed are followed, and
    records an editor deleted are left out with everything that needs them."""

    def __init__(self, session: Session, doc: dict[str, Any]):
        self.s = session
        self.doc = doc
        self.found = _created_from_seed(session, doc)
        self.renamed: dict[str, dict[str, str]] = {e: {} for e in _SLUGGED}
        self.gone: dict[str, set[Any]] = {e: set() for e in (*_SLUGGED, "quotes")}
        self.deleted: list[tuple[str, str]] = []
        # statement slug -> claim slug, and the (person, claim) signed, from kept seed records
        self.statement_claims: dict[str, str | None] = {}
        self.signed_pairs: set[tuple[str, str]] = set()
        # a seed quote's document id -> the ids of the records made from it
        self.quote_ids: dict[str, list[int]] = {}

    def run(self) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        for entity in ENTITIES:
            if entity in self.doc:
                self.doc[entity] = [
                    rec for i, rec in enumerate(self.doc[entity]) if self._keep(entity, i, rec)
                ]
        return self.doc, self.deleted

    def _keep(self, entity: str, i: int, rec: dict[str, Any]) -> bool:
        label = record_name(entity, rec)
        if entity == "verifications":
            return self._keep_verification(i, rec, label)
        if entity == "quotes" and isinstance(rec.get("id"), str):
            self.quote_ids[rec["id"]] = self.found.get((entity, i)) or []
        ok = self._follow_refs(entity, rec)
        ids = self.found.get((entity, i))
        if ok and ids:
            now = _current_key(self.s, entity, ids)
            if now is None:  # every record made from it was deleted since
                ok = _present(self.s, entity, _key_of(entity, rec))
            elif now != _key_of(entity, rec):  # an editor changed its key: it is still it
                if entity in _SLUGGED:
                    self.renamed[entity][rec["slug"]] = now[0]
                rec.update(zip(_KEY_FIELDS[entity], now, strict=True))
        if not ok:
            self.deleted.append((entity, label))
            if entity in self.gone:
                self.gone[entity].add(rec.get("id") if entity == "quotes" else rec.get("slug"))
        return ok

    def _follow_refs(self, entity: str, rec: dict[str, Any]) -> bool:
        """Point `rec` at the current slugs of what it refers to; False when something it
        needs was deleted (a list only loses the deleted entries)."""
        for name, (target, is_list) in _REFS.get(entity, {}).items():
            value: Any = rec.get(name)  # a slug, an id or a list of them, as the file has it
            if is_list:
                rec[name] = [
                    self.renamed[target].get(v, v)
                    for v in value or []
                    if v not in self.gone[target]
                ]
            elif value in self.gone[target]:
                return False
            else:
                rec[name] = self.renamed[target].get(value, value)
        if entity == "stances":
            rec["evidence"] = [q for q in rec.get("evidence") or [] if q not in self.gone["quotes"]]
            return bool(rec["evidence"]) or self._signed(rec["person"], rec["claim"])
        if entity == "signatures":
            claim = self.statement_claims.get(rec["statement"])
            if claim is not None:
                self.signed_pairs.add((rec["person"], claim))
        if entity == "statements":
            self.statement_claims[rec["slug"]] = rec.get("claim")
        return True

    def _keep_verification(self, i: int, rec: dict[str, Any], label: str) -> bool:
        """An entry of a kept quote's trail, unless an editor deleted the one the seed wrote;
        one they changed is taken as it is now (so it is matched, not added again)."""
        ok = rec.get("quote") not in self.gone["quotes"]
        ids = self.found.get(("verifications", i))
        if ok and ids:
            v = m.Verification
            row = self.s.execute(
                select(v.quote_id, v.seen_in, v.checked_by, v.checked_on, v.checked_precision)
                .add_columns(v.result)
                .where(v.id.in_(ids), v.quote_id.in_(self.quote_ids.get(rec["quote"], [])))
                .order_by(v.id)
                .limit(1)
            ).first()
            if row is None:
                ok = False
            else:
                quote_id, seen_in, by, on, precision, result = row
                rec.update(
                    quote=f"q{quote_id}",
                    seen_in=seen_in,
                    by=by,
                    date=format_partial(on, precision),
                    result=result,
                )
        if not ok:
            self.deleted.append(("verifications", label))
        return ok

    def _signed(self, person: str, claim: str) -> bool:
        """A stance without quotes stays while its person's signature on the claim does (a
        kept seed signature, or one in the database)."""
        if (person, claim) in self.signed_pairs:
            return True
        stmt = (
            select(m.Signature.id)
            .join(m.Person, m.Person.id == m.Signature.person_id)
            .join(m.Statement, m.Statement.id == m.Signature.statement_id)
            .join(m.Claim, m.Claim.id == m.Statement.claim_id)
            .where(m.Person.slug == person, m.Claim.slug == claim)
        )
        return self.s.execute(stmt.limit(1)).first() is not None


def _as_the_database_knows_it(
    session: Session, doc: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The seed document as it applies to this database, and the (kind, label) of the seed
    records left out because an editor deleted them (or what they need)."""
    return _Rewrite(session, doc).run()
