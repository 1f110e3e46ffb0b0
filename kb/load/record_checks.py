"""The checks of each kind of kb/1 record during an import, and how each is matched.

People, topics, sources and claims are matched by slug; a quote by (source, speaker, text), a
stance by (person, claim, as_of), a claim relation by (from, to, kind). Each check returns the
checked record (Rec) or None after reporting its problems through the FieldChecker. The value
rules are kb.rules', shared with the admin forms.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kb import models as m
from kb import rules
from kb.formats.reading import show
from kb.load.field_checks import FieldChecker, Rec
from kb.load.state import QUOTE_REF, quote_key
from kb.load.statement_checks import StatementChecks


class RecordChecks(StatementChecks):
    """`_check_<entity>(checker, record)` for each kb/1 entity (statements and signatures in
    kb.load.statement_checks)."""

    def _check_people(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        slug = c.slug(rec)
        values: dict[str, Any] = {
            "name": c.text(rec, "name", required=True),
            "description": c.text(rec, "description"),
            "affiliation": c.text(rec, "affiliation"),
            "birth_year": c.year(rec, "birth_year"),
            "death_year": c.year(rec, "death_year"),
            "url": c.url(rec, "url"),
        }
        problem = rules.life_problem(values["birth_year"], values["death_year"])
        if problem:
            c.add("death_year", problem)
        return self._slugged("people", c, slug, values)

    def _check_topics(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        slug = c.slug(rec)
        values: dict[str, Any] = {
            "name": c.text(rec, "name", required=True),
            "description": c.text(rec, "description"),
        }
        return self._slugged("topics", c, slug, values)

    def _check_sources(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        slug = c.slug(rec)
        published, precision = c.partial_date(rec, "published")
        values = {
            "title": c.text(rec, "title", required=True),
            "kind": c.choice(rec, "kind", m.SOURCE_KINDS),
            "url": c.url(rec, "url"),
            "publisher": c.text(rec, "publisher"),
            "published_on": published,
            "date_precision": precision,
            "date_note": c.text(rec, "date_note"),
            "archived_url": c.url(rec, "archived_url"),
            "note": c.text(rec, "note"),
            "reader_note": c.text(rec, "reader_note"),
        }
        links = c.ref_list(rec, "authors", "people", "person")
        parsed = self._slugged("sources", c, slug, values, links)
        if parsed is not None:
            parsed.link_keys = list(rec.get("authors") or [])
        return parsed

    def _check_claims(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        slug = c.slug(rec)
        values = {
            "text": c.text(rec, "text", required=True),
            "summary": c.text(rec, "summary"),
        }
        links = c.ref_list(rec, "topics", "topics", "topic")
        parsed = self._slugged("claims", c, slug, values, links)
        if parsed is not None:
            parsed.link_keys = list(rec.get("topics") or [])
        return parsed

    def _slugged(
        self,
        entity: str,
        c: FieldChecker,
        slug: str | None,
        values: dict[str, Any],
        links: list[int] | None = None,
    ) -> Rec | None:
        if slug is None:
            return None
        # The slug is registered even when another field is wrong, so that records referring
        # to it are not reported too (one mistake, one problem).
        ok_before = c.ok
        id_, new = self._match(entity, slug, c, "slug")
        if id_ == 0 and not new:
            return None
        if new:
            id_ = self._register_new(entity, slug)
        if not ok_before:
            return None
        return Rec(id_, new, {"slug": slug, **values}, links)

    def _check_quotes(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        ref = rec.get("id")
        if ref is not None and ref != "":
            problem = rules.quote_id_problem(ref)
            if problem:
                c.add("id", problem)
                ref = None
            elif ref in self.quote_refs or ref in self._deferred_refs:
                c.add("id", f"the quote id {show(ref)} appears twice in the document")
                ref = None
        else:
            ref = None
        words = c.text(rec, "text", required=True)
        speaker = c.ref(rec, "speaker", "people", "person")
        source = c.ref(rec, "source", "sources", "source")
        said_on, said_precision = c.partial_date(rec, "said")
        values = {
            "text": words,
            "speaker_id": speaker,
            "source_id": source,
            "said_on": said_on,
            "said_precision": said_precision,
            "locator": c.text(rec, "locator"),
            **_anchor(c, rec),
            "speaker_affiliation": c.text(rec, "speaker_affiliation"),
            "attribution": c.choice(rec, "attribution", m.ATTRIBUTIONS),
            "checked": c.choice(rec, "checked", m.CHECKED_HOW),
            "check_note": c.text(rec, "check_note"),
            "note": c.text(rec, "note"),
        }
        if not c.ok:
            if ref is not None:  # known, so stances citing it are not reported too
                self._placeholder -= 1
                self.quote_refs[ref] = (self._placeholder, speaker or 0)
            return None
        assert source is not None and speaker is not None and words is not None  # c.ok
        key = quote_key(source, speaker, words)
        id_, new = self._match("quotes", key, c, "text")
        if not c.ok:
            return None
        if new:
            id_ = self._quote_id(ref, key)
        if ref is not None:
            # A deferred quote's placeholder id is replaced once its real id is known.
            self.quote_refs[ref] = (id_, speaker)
        return Rec(id_, new, values, None, ref)

    def _quote_id(self, ref: str | None, key: int) -> int:
        """A new quote keeps the number of its "q<n>" id when that id is free; others get an
        id after the last quote (assigned once every quote has been read, see
        _write_deferred_quotes); 0 marks such a deferred quote."""
        if not self.writing:
            return self._register_new("quotes", key)
        match = QUOTE_REF.match(ref or "")
        if match:
            n = int(match.group(1))
            if n > self._quote_max_existing and n not in self._quote_ids_taken:
                self._quote_ids_taken.add(n)
                self.keys["quotes"][key] = n
                return n
        # Deferred: a unique negative marker until the real id is known.
        self._placeholder -= 1
        self.keys["quotes"][key] = self._placeholder
        if ref is not None:
            self._deferred_refs.add(ref)
        return self._placeholder

    def _check_stances(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        person = c.ref(rec, "person", "people", "person")
        claim = c.ref(rec, "claim", "claims", "claim")
        as_of = None
        raw = rec.get("as_of")
        if raw is not None and raw != "":
            try:
                if not isinstance(raw, str):
                    raise rules.RuleError(f"{show(raw)} is not a date (YYYY-MM-DD)")
                as_of = rules.parse_day(raw)
            except rules.RuleError as exc:
                c.add("as_of", str(exc))
        values = {
            "person_id": person,
            "claim_id": claim,
            "position": c.choice(rec, "position", m.POSITIONS),
            "basis": c.choice(rec, "basis", m.BASES),
            "horizon": c.text(rec, "horizon"),
            "as_of": as_of,
            "note": c.text(rec, "note"),
            "reader_note": c.text(rec, "reader_note"),
        }
        evidence = rec.get("evidence")
        if evidence is None:
            evidence = []
        links: list[int] = []
        if not isinstance(evidence, list) or not all(isinstance(v, str) for v in evidence):
            c.add("evidence", "must be a list of quote ids")
        else:
            problem = rules.evidence_problem(len(evidence), self.signed_on(person, claim))
            if problem:
                c.add("evidence", problem)
            for ref in evidence:
                found = self.quote_refs.get(ref) or self._database_quote(ref)
                if found is None:
                    c.unknown("evidence", "quotes", "quote", ref)
                elif found[0] in links:
                    c.add("evidence", f"lists {show(ref)} twice")
                elif person is not None and found[1] and found[1] != person:
                    c.add("evidence", f"quote {show(ref)} is not by {show(rec.get('person'))}")
                else:
                    links.append(found[0])
        values |= self._check_estimate(c, rec)
        if not c.ok:
            return None
        key = (person, claim, as_of)
        id_, new = self._match("stances", key, c, "as_of")
        if not c.ok:
            return None
        if new:
            id_ = self._register_new("stances", key)
        return Rec(id_, new, values, links)

    def _check_estimate(self, c: FieldChecker, rec: dict[str, Any]) -> dict[str, Any]:
        """A stance's estimate columns: its probability or range, what it is of, and the quote
        giving it, which kb.rules.estimate_problems keeps among the record's evidence."""
        low, high = (_probability(c, rec, f) for f in ("probability", "probability_high"))
        ref = rec.get("estimate_quote") or None
        quote_id = None
        if ref is not None and not isinstance(ref, str):
            c.add("estimate_quote", "must be a quote id")
        elif ref is not None:
            found = self.quote_refs.get(ref) or self._database_quote(ref)
            if found is None:
                c.unknown("estimate_quote", "quotes", "quote", ref)
                ref = None  # one problem is enough: no such quote
            quote_id = found[0] if found else None
        evidence = rec.get("evidence")
        listed = evidence if isinstance(evidence, list) else []
        for field, message in rules.estimate_problems(low, high, ref, listed):
            c.add(field, message)
        estimate_of = c.text(rec, "estimate_of")
        links = {f: c.url(rec, f) for f in rules.ESTIMATE_LINKS}
        has_estimate = low is not None or estimate_of is not None
        for field, message in rules.estimate_link_problems(has_estimate, links):
            c.add(field, message)
        return {
            "probability": low,
            "probability_high": high,
            "estimate_of": estimate_of,
            "estimate_quote_id": quote_id,
            **links,
        }

    def _database_quote(self, ref: str) -> tuple[int, int] | None:
        """A "q<n>" the document does not define names the database's quote n (so a
        stances.csv can be imported on its own). Looked up once per id."""
        match = QUOTE_REF.match(ref)
        if not match:
            return None
        if ref not in self._db_quotes:
            n = int(match.group(1))
            speaker = self.s.scalar(select(m.Quote.speaker_id).where(m.Quote.id == n))
            self._db_quotes[ref] = (n, speaker) if speaker is not None else None
        return self._db_quotes[ref]

    def _check_claim_relations(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        src = c.ref(rec, "from", "claims", "claim")
        dst = c.ref(rec, "to", "claims", "claim")
        kind = c.choice(rec, "kind", m.RELATION_KINDS)
        note = c.text(rec, "note")
        reader_note = c.text(rec, "reader_note")
        if src is not None and src == dst:
            c.add("to", "a claim cannot support or contradict itself")
        if not c.ok:
            return None
        key = (src, dst, kind)
        id_, new = self._match("claim_relations", key, c, "to")
        if not c.ok:
            return None
        if new:
            id_ = self._register_new("claim_relations", key)
        values = {
            "from_claim_id": src,
            "to_claim_id": dst,
            "kind": kind,
            "note": note,
            "reader_note": reader_note,
        }
        return Rec(id_, new, values)


def _probability(c: FieldChecker, rec: dict[str, Any], field: str) -> float | None:
    """A probability field of a record, by kb.rules, or None (with the problem noted)."""
    value = rec.get(field)
    if value is None:
        return None
    try:
        return rules.probability(value)
    except rules.RuleError as exc:
        c.add(field, str(exc))
        return None


def _anchor(c: FieldChecker, rec: dict[str, Any]) -> dict[str, Any]:
    """A quote's TextQuoteSelector columns, by kb.rules.anchor_problems."""
    values = {f: c.text(rec, f) for f in rules.ANCHOR_FIELDS}
    for field, message in rules.anchor_problems(*values.values()):
        c.add(field, message)
    return values
