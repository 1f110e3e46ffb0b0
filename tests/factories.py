"""Small helpers that make valid records, so a test states only what it is about."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from kb import models as m

_n = itertools.count(1)


def make_person(session: Session, **kw: Any) -> m.Person:
    n = next(_n)
    person = m.Person(**{"slug": f"person-{n}", "name": f"Person {n}", **kw})
    session.add(person)
    session.flush()
    return person


def make_source(session: Session, **kw: Any) -> m.Source:
    n = next(_n)
    source = m.Source(
        **{
            "slug": f"source-{n}",
            "title": f"Source {n}",
            "kind": "article",
            "url": f"https://example.org/{n}",
            **kw,
        }
    )
    session.add(source)
    session.flush()
    return source


def make_claim(session: Session, **kw: Any) -> m.Claim:
    n = next(_n)
    claim = m.Claim(**{"slug": f"claim-{n}", "text": f"Claim number {n}.", **kw})
    session.add(claim)
    session.flush()
    return claim


def make_quote(
    session: Session, speaker: m.Person, source: m.Source | None = None, **kw: Any
) -> m.Quote:
    quote = m.Quote(
        **{
            "text": f"Words {next(_n)}.",
            "speaker": speaker,
            "source": source or make_source(session),
            "attribution": "verbatim",
            "checked": "primary",
            **kw,
        }
    )
    session.add(quote)
    session.flush()
    return quote


def make_stance(
    session: Session, person: m.Person, claim: m.Claim, position: str = "supports", **kw: Any
) -> m.Stance:
    evidence = kw.pop("evidence", None) or [make_quote(session, person)]
    stance = m.Stance(
        person=person, claim=claim, position=position, basis="explicit", evidence=evidence, **kw
    )
    session.add(stance)
    session.flush()
    return stance


def make_statement(session: Session, claim: m.Claim | None = None, **kw: Any) -> m.Statement:
    n = next(_n)
    values: dict[str, Any] = {"slug": f"statement-{n}", "title": f"Statement {n}"}
    if claim is not None:
        values.update(claim=claim, position="supports")
    statement = m.Statement(**{**values, **kw})
    session.add(statement)
    session.flush()
    return statement


def make_signature(
    session: Session, person: m.Person, statement: m.Statement, **kw: Any
) -> m.Signature:
    signature = m.Signature(
        person=person,
        statement=statement,
        **{"seen_in": f"https://example.org/signed/{next(_n)}", **kw},
    )
    session.add(signature)
    session.flush()
    return signature


def make_affiliation(session: Session, person: m.Person, **kw: Any) -> m.Affiliation:
    """An affiliation of `person`; dates as (date, precision) through started/ended."""
    n = next(_n)
    started, ended = kw.pop("started", None), kw.pop("ended", None)
    if started:
        kw["started_on"], kw["started_precision"] = started
    if ended:
        kw["ended_on"], kw["ended_precision"] = ended
    affiliation = m.Affiliation(**{"person": person, "organisation": f"Organisation {n}", **kw})
    session.add(affiliation)
    session.flush()
    return affiliation
