"""A knowledge base whose every text field holds a script-injection payload: one set of records
per payload (person, source, quote, topic, claim, two stances, a claim relation, an
affiliation, a joint statement and a signature, an account),
written through the ORM so that no form check stands between the payload and the pages.
No tests here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import select

from kb import models as m
from kb.web import auth
from kb.web.database import session_scope
from tests.security.payloads import PAYLOADS

PASSWORD = "correct horse battery"


@dataclass
class World:
    """What was written: the payload of each record set and the ids the admin pages need."""

    payloads: tuple[str, ...] = PAYLOADS
    ids: dict[str, list[int]] = field(default_factory=dict)
    fields: int = 0  # text fields that hold a payload


def slug(i: int, kind: str) -> str:
    return f"x{i}-{kind}"


def _evidence_records(p: str, quote: m.Quote, other: m.Source) -> list[Any]:
    """Issue 18's records on a quote, each text field holding the payload: a reply (through a
    representative, in another source), a reader's report already decided, and a check."""
    return [
        m.Reply(
            quote=quote,
            response="disputed",
            replied_by="representative",
            representative=p,
            source=other,
            note=p,
        ),
        m.Report(
            target="quote",
            target_id=quote.id,
            kind="other",
            explanation=p,
            evidence_url=p,
            email=p,
            status="rejected",
            resolution=p,
        ),
        m.Verification(quote=quote, seen_in=p, checked_by=p, result="found", note=p),
    ]


def build(app: Flask) -> World:
    world = World()
    n = len(PAYLOADS)
    with app.app_context(), session_scope() as session:
        admin = auth.create_user(session, "ada", "admin", PASSWORD)
        session.info["user_id"], session.info["actor"] = admin.id, admin.username
        people, claims, quotes = [], [], []
        for i, p in enumerate(PAYLOADS):
            person = m.Person(
                slug=slug(i, "p"), name=p, description=p, affiliation=p, url=p, birth_year=1950
            )
            source = m.Source(
                slug=slug(i, "s"),
                title=p,
                kind="article",
                url=p,
                archived_url=p,
                publisher=p,
                date_note=p,
                note=p,
                authors=[person],
            )
            topic = m.Topic(slug=slug(i, "t"), name=p, description=p)
            claim = m.Claim(slug=slug(i, "c"), text=p, summary=p, topics=[topic])
            quote = m.Quote(
                text=p,
                speaker=person,
                source=source,
                locator=p,
                speaker_affiliation=p,
                attribution="verbatim",
                checked="primary",
                check_note=p,
                note=p,
            )
            session.add_all([person, source, topic, claim, quote])
            people.append(person)
            claims.append(claim)
            quotes.append(quote)
            # Accounts' names go on the history pages ("who"); the form would refuse these.
            session.add(m.User(username=p[:80], role="editor", password_hash="x", active=True))
            world.fields += 4 + 7 + 2 + 2 + 5 + 1
        session.flush()
        for i in range(n):
            nxt = (i + 1) % n
            session.add_all(
                [
                    m.Stance(
                        person=people[i],
                        claim=claims[i],
                        position="supports",
                        basis="explicit",
                        horizon=PAYLOADS[i],
                        note=PAYLOADS[i],
                        evidence=[quotes[i]],
                    ),
                    m.Stance(
                        person=people[i],
                        claim=claims[nxt],
                        position="opposes",
                        basis="inferred",
                        note=PAYLOADS[i],
                        evidence=[quotes[i]],
                    ),
                    m.ClaimRelation(
                        from_claim=claims[i],
                        to_claim=claims[nxt],
                        kind="contradicts",
                        note=PAYLOADS[i],
                    ),
                    m.Affiliation(
                        person=people[i],
                        organisation=PAYLOADS[i],
                        role=PAYLOADS[i],
                        note=PAYLOADS[i],
                    ),
                ]
            )
            statement = m.Statement(
                slug=slug(i, "st"),
                title=PAYLOADS[i],
                issued_by=PAYLOADS[i],
                url=PAYLOADS[i],
                text=PAYLOADS[i],
                claim=claims[i],
                position="supports",
                note=PAYLOADS[i],
            )
            session.add(statement)
            session.add(
                m.Signature(
                    person=people[nxt], statement=statement, seen_in=PAYLOADS[i], note=PAYLOADS[i]
                )
            )
            world.fields += 2 + 1 + 1 + 3 + 5 + 2
            session.add_all(_evidence_records(PAYLOADS[i], quotes[i], quotes[nxt].source))
            world.fields += 2 + 4 + 3
        # A slug that is itself a URL scheme: links built from it must stay on the site.
        session.add(m.Person(slug="javascript:window.__xss=1", name="Slug scheme"))
        session.flush()
        for cls in m.EDITABLE_MODELS:
            world.ids[cls.__tablename__] = list(session.scalars(select(cls.id).order_by(cls.id)))
        world.ids["user_account"] = list(session.scalars(select(m.User.id).order_by(m.User.id)))
    return world
