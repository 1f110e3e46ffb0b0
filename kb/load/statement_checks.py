"""The import's checks of joint statements and their signatures (kb/1 "statements" and
"signatures"), and what a stance needs to know of them.

A statement is matched by slug, a signature by (person, statement). A stance may rest on a
signature instead of quotes: the person signed a statement whose claim is the stance's claim
(kb.rules.evidence_problem). `signed_on` answers that from the document's signatures and the
database's, so a stances file imported on its own is checked against what is stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kb import models as m
from kb.load.field_checks import FieldChecker, Rec
from kb.load.state import ImportState


class StatementChecks(ImportState):
    """`_check_statements` and `_check_signatures`, and the signed (person, claim) pairs."""

    def _statement_claims(self) -> dict[int, int | None]:
        """statement id -> its claim id, for the statements of the database and the document."""
        known: dict[int, int | None] | None = getattr(self, "_claim_of_statement", None)
        if known is None:
            t = m.Statement.__table__
            known = {i: c for i, c in self.s.execute(select(t.c.id, t.c.claim_id))}
            self._claim_of_statement = known
        return known

    def _signed(self) -> set[tuple[int, int]]:
        """(person id, claim id) for every signature of a statement on a claim."""
        pairs: set[tuple[int, int]] | None = getattr(self, "_signed_pairs", None)
        if pairs is None:
            sig, st = m.Signature.__table__, m.Statement.__table__
            rows = self.s.execute(
                select(sig.c.person_id, st.c.claim_id)
                .join(st, st.c.id == sig.c.statement_id)
                .where(st.c.claim_id.is_not(None))
            )
            pairs = {(p, c) for p, c in rows}
            self._signed_pairs = pairs
        return pairs

    def signed_on(self, person: int | None, claim: int | None) -> int:
        """1 when the person signed a statement on the claim (in the database or the
        document), else 0: a stance may rest on that instead of quotes."""
        return int(person is not None and claim is not None and (person, claim) in self._signed())

    def _check_statements(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        slug = c.slug(rec)
        issued_on, precision = c.partial_date(rec, "date")
        claim = None
        if rec.get("claim") not in (None, ""):
            claim = c.ref(rec, "claim", "claims", "claim")
        position = None
        if rec.get("position") not in (None, "") or claim is not None:
            position = c.choice(rec, "position", m.POSITIONS)
        if claim is None and position is not None:
            c.add("claim", "is required with a position: the claim that signing it bears on")
        values: dict[str, Any] = {
            "title": c.text(rec, "title", required=True),
            "issued_by": c.text(rec, "by"),
            "issued_on": issued_on,
            "date_precision": precision,
            "url": c.url(rec, "url"),
            "text": c.text(rec, "text"),
            "claim_id": claim,
            "position": position,
            "note": c.text(rec, "note"),
        }
        if slug is None:
            return None
        ok_before = c.ok
        id_, new = self._match("statements", slug, c, "slug")
        if id_ == 0 and not new:
            return None
        if new:
            id_ = self._register_new("statements", slug)
        self._statement_claims()[id_] = claim
        if not ok_before:
            return None
        return Rec(id_, new, {"slug": slug, **values})

    def _check_signatures(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        person = c.ref(rec, "person", "people", "person")
        statement = c.ref(rec, "statement", "statements", "statement")
        seen_in = c.url(rec, "seen_in")
        if seen_in is None and c.ok:
            c.add("seen_in", "is required: the page where the signature was seen")
        values = {
            "person_id": person,
            "statement_id": statement,
            "seen_in": seen_in,
            "note": c.text(rec, "note"),
        }
        if not c.ok:
            return None
        assert person is not None and statement is not None  # c.ok
        claim = self._statement_claims().get(statement)
        if claim is not None:
            self._signed().add((person, claim))
        key = (person, statement)
        id_, new = self._match("signatures", key, c, "statement")
        if not c.ok:
            return None
        if new:
            id_ = self._register_new("signatures", key)
        return Rec(id_, new, values)
