"""The stance saver. A stance names a person and a claim, rests on quotes by that person
(its evidence), and may bring along, in the same transaction, a new quote typed into the form
(new_quote_* fields), from an existing source (new_quote_source) or from a new one described
beside it (new_source_* fields). Every part is checked before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import models as m
from kb import rules
from kb.edits.cleaning import MAX_ID, clean
from kb.edits.lookups import by_slug_or_name, find_person
from kb.edits.outcomes import Errors, RecordRef
from kb.edits.records import quote_values, same_quote, source_values
from kb.edits.writing import assign, check_version, flush, new_or
from kb.queries.statements import signed_on


def _missing(kind: str, value: Any) -> str:
    return f"there is no {kind} {value!r}" if clean(value) else "is required"


def _person_and_claim(
    session: Session, errors: Errors, data: Mapping[str, Any]
) -> tuple[m.Person | None, m.Claim | None]:
    person = find_person(session, data.get("person"))
    if person is None:
        errors.add("person", _missing("person", data.get("person")))
    claim = by_slug_or_name(session, m.Claim, data.get("claim"), "text")
    if claim is None:
        errors.add("claim", _missing("claim", data.get("claim")))
    return person, claim


def _stance_values(errors: Errors, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stance's own columns: position, basis, probability (kb.rules'), horizon, date, note."""
    position, basis = data.get("position"), data.get("basis")
    if position not in m.POSITIONS:
        errors.add("position", f"must be one of {', '.join(m.POSITIONS)}")
    if basis not in m.BASES:
        errors.add("basis", f"must be one of {', '.join(m.BASES)}")
    return {
        "position": position,
        "basis": basis,
        "probability": _probability(errors, data, "probability"),
        "probability_high": _probability(errors, data, "probability_high"),
        "horizon": clean(data.get("horizon")),
        "estimate_of": clean(data.get("estimate_of")),
        **{f: clean(data.get(f)) for f in rules.ESTIMATE_LINKS},
        "as_of": data.get("as_of"),
        "note": clean(data.get("note")),
        "reader_note": clean(data.get("reader_note")),
    }


def _probability(errors: Errors, data: Mapping[str, Any], field: str) -> float | None:
    value = data.get(field)
    if value is None:
        return None
    try:
        return rules.probability(value)
    except rules.RuleError as exc:
        errors.add(field, str(exc))
        return None


def _estimate_quote(
    errors: Errors, values: Mapping[str, Any], data: Mapping[str, Any], evidence: list[m.Quote]
) -> m.Quote | None:
    """The evidence quote the estimate_quote field picks (by id), checked with the range by
    kb.rules.estimate_problems (the estimate rests on one of the stance's own quotes) and the
    subject's length by kb.rules, as the importer checks them."""
    raw = clean(data.get("estimate_quote"))
    chosen = None if raw is None else str(raw).removeprefix("#")
    by_id = {str(q.id): q for q in evidence}
    low, high = values["probability"], values["probability_high"]
    for field, message in rules.estimate_problems(low, high, chosen, by_id):
        errors.add(field, message)
    if values["estimate_of"] is not None:
        problem = rules.text_problem(values["estimate_of"], rules.limit("stances", "estimate_of"))
        if problem:
            errors.add("estimate_of", problem)
    has_estimate = low is not None or values["estimate_of"] is not None
    for field, message in rules.estimate_link_problems(has_estimate, values):
        errors.add(field, message)
    return by_id.get(chosen) if chosen is not None else None


def _same_stance(
    session: Session,
    errors: Errors,
    found: tuple[m.Person, m.Claim, dt.date | None],
    obj: m.Stance | None,
) -> None:
    """Refuse a second stance of a person on a claim as of the same date (or both undated)."""
    person, claim, as_of = found
    query = select(m.Stance).where(
        m.Stance.person_id == person.id,
        m.Stance.claim_id == claim.id,
        m.Stance.as_of.is_(None) if as_of is None else m.Stance.as_of == as_of,
    )
    if obj is not None:
        query = query.where(m.Stance.id != obj.id)
    other = session.scalars(query).first()
    if other is not None:
        when = f"as of {as_of.isoformat()}" if as_of else "without a date"
        errors.add(
            "as_of",
            f"{person.name} already has a stance on this claim {when}:",
            RecordRef("stance", other.id),
            "edit that stance",
        )


def _evidence(session: Session, errors: Errors, data: Mapping[str, Any]) -> list[m.Quote]:
    """The quotes the evidence field picks, by id; an id with no quote is refused."""
    ids = [int(i) for i in data.get("evidence") or []]
    if any(not 0 < i <= MAX_ID for i in ids):
        errors.add("evidence", "no such quote")
        ids = [i for i in ids if 0 < i <= MAX_ID]
    evidence = list(session.scalars(select(m.Quote).where(m.Quote.id.in_(ids)))) if ids else []
    missing = sorted(set(ids) - {q.id for q in evidence})
    if missing:
        errors.add("evidence", f"no quote with id {', '.join(map(str, missing))}")
    return evidence


@dataclass
class _NewQuote:
    """A quote typed into the stance form: its columns, and its source, an existing one or
    the columns of a new one."""

    values: dict[str, Any]
    source: m.Source | None = None
    new_source: dict[str, Any] | None = None

    def add(self, session: Session, speaker: m.Person | None) -> m.Quote:
        source = self.source
        if self.new_source is not None:
            self.new_source.pop("authors", None)
            source = m.Source(**self.new_source)
            session.add(source)
        quote = m.Quote(speaker=speaker, source=source, **self.values)
        session.add(quote)
        return quote


def _new_quote(
    session: Session, errors: Errors, data: Mapping[str, Any], person: m.Person | None
) -> _NewQuote | None:
    """The new quote the form describes, checked like the quote form's, or None."""
    new_source_wanted = bool(clean(data.get("new_source_title")))
    if not clean(data.get("new_quote_text")):
        if new_source_wanted:
            errors.add("new_quote_text", "a new source needs the new quote it is evidence for")
        return None
    new = _NewQuote(quote_values(data, errors, prefix="new_quote_"))
    if new_source_wanted:
        new.new_source = source_values(session, errors, None, data, prefix="new_source_")
        return new
    new.source = by_slug_or_name(session, m.Source, data.get("new_quote_source"), "title")
    same_quote(session, errors, (person, new.source, new.values["text"]), None, "new_quote_text")
    if new.source is None:
        errors.add(
            "new_quote_source",
            f"there is no source {data.get('new_quote_source')!r}"
            if clean(data.get("new_quote_source"))
            else "choose the source of the new quote, or describe a new source below",
        )
    return new


def _check_evidence(
    errors: Errors,
    evidence: list[m.Quote],
    new: _NewQuote | None,
    person: m.Person | None,
    signed: int = 0,
) -> None:
    """A stance rests on at least one quote (or a signature of a statement on its claim), and
    only on its person's own."""
    problem = rules.evidence_problem(len(evidence) + (new is not None), signed)
    if problem:
        errors.add("evidence", problem)
    wrong_speaker = [q.id for q in evidence if person is not None and q.speaker_id != person.id]
    if wrong_speaker and person is not None:
        errors.add(
            "evidence",
            f"quote {', '.join(map(str, wrong_speaker))} is not by {person.name}: "
            "a stance rests on the person's own words",
        )


def save_stance(
    session: Session, obj: m.Stance | None, data: Mapping[str, Any], version: Any = None
) -> m.Stance:
    """Create or update a stance, and with it an optional new quote (and its new source),
    spoken by the stance's person and added to its evidence."""
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    person, claim = _person_and_claim(session, errors, data)
    values = _stance_values(errors, data)
    if person is not None and claim is not None:
        _same_stance(session, errors, (person, claim, values["as_of"]), obj)
    evidence = _evidence(session, errors, data)
    new = _new_quote(session, errors, data, person)
    signed = signed_on(session, person.id, claim.id) if person and claim else 0
    _check_evidence(errors, evidence, new, person, signed)
    values["estimate_quote"] = _estimate_quote(errors, values, data, evidence)
    errors.raise_if_any()
    if new is not None:
        evidence.append(new.add(session, person))
    obj = new_or(session, obj, m.Stance)
    assign(obj, {"person": person, "claim": claim, **values})
    if {id(q) for q in obj.evidence} != {id(q) for q in evidence}:
        obj.evidence = evidence
    flush(session, obj, "stance")
    return obj
