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


def make_two_camps(
    session: Session, dividers: int, quote: str | None = None, rebel: bool = False
) -> dict[str, Any]:
    """Two camps of four people split on `dividers` claims ("divide-0", ...): camp A
    ("alpha-0" to "alpha-3", named Alpha 0 to 3) supports each, camp B ("beta-0" to "beta-3")
    opposes it. `quote`, a text with {k}, is camp A's quote on claim k (else every stance has a
    made-up quote); with `rebel`, Beta 3 supports claim 0 too, so the camps are not mirror
    images. Returns the people ("a", "b") and the claims ("claims")."""
    a = [make_person(session, slug=f"alpha-{k}", name=f"Alpha {k}") for k in range(4)]
    b = [make_person(session, slug=f"beta-{k}", name=f"Beta {k}") for k in range(4)]
    claims = [
        make_claim(session, slug=f"divide-{k}", text=f"Dividing claim {k}.")
        for k in range(dividers)
    ]
    for k, c in enumerate(claims):
        for p in a:
            said = [make_quote(session, p, text=quote.format(k=k))] if quote else None
            make_stance(session, p, c, "supports", evidence=said)
        for p in b:
            make_stance(
                session, p, c, "supports" if (rebel and p is b[3] and k == 0) else "opposes"
            )
    session.flush()
    return {"a": a, "b": b, "claims": claims}


def kb1_with_one_stance(**stance: Any) -> dict[str, Any]:
    """A kb/1 document of one person ("a"), one claim ("c"), two quotes ("one", "two") and the
    person's stance on the claim, with quote "one" as evidence and `stance`'s fields."""
    return {
        "format": "kb/1",
        "people": [{"slug": "a", "name": "A"}],
        "sources": [{"slug": "s", "title": "S", "kind": "talk"}],
        "quotes": [
            {"id": i, "text": i, "speaker": "a", "source": "s", "attribution": "verbatim"}
            | {"checked": "primary"}
            for i in ("one", "two")
        ],
        "claims": [{"slug": "c", "text": "C"}],
        "stances": [
            {"person": "a", "claim": "c", "position": "supports", "basis": "explicit"}
            | {"evidence": ["one"], **stance}
        ],
    }
