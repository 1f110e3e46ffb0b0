"""The database itself refuses bad rows, and kb turns each refusal into a clear message."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb import models as m
from kb.errors import explain_integrity_error
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance


def refusal(session: Session, statement: str, **params) -> IntegrityError:
    """Run raw SQL (bypassing every check in Python) and return the database's refusal."""
    with pytest.raises(IntegrityError) as info:
        session.execute(text(statement), params)
        session.flush()
    session.rollback()
    return info.value


def test_duplicate_slug_is_refused_with_the_field_named(session: Session) -> None:
    make_person(session, slug="ada")
    with pytest.raises(IntegrityError) as info:
        make_person(session, slug="ada")
    problem = explain_integrity_error(info.value, "person ada")
    assert problem.field == "slug"
    assert "another person already has this slug" in str(problem)


def test_unknown_position_is_refused(session: Session) -> None:
    p, c = make_person(session), make_claim(session)
    session.commit()
    exc = refusal(
        session,
        "INSERT INTO stance (person_id, claim_id, position, basis, version, created_at, updated_at)"
        " VALUES (:p, :c, 'maybe', 'explicit', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        p=p.id,
        c=c.id,
    )
    problem = explain_integrity_error(exc, "stance")
    assert problem.field == "position"
    assert "supports, opposes, mixed" in problem.message


def test_claim_cannot_relate_to_itself(session: Session) -> None:
    c = make_claim(session)
    session.commit()
    exc = refusal(
        session,
        "INSERT INTO claim_relation (from_claim_id, to_claim_id, kind, version, created_at, updated_at)"
        " VALUES (:c, :c, 'supports', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        c=c.id,
    )
    assert explain_integrity_error(exc).message == "a claim cannot relate to itself"


def test_stance_on_unknown_person_is_refused(session: Session) -> None:
    c = make_claim(session)
    session.commit()
    exc = refusal(
        session,
        "INSERT INTO stance (person_id, claim_id, position, basis, version, created_at, updated_at)"
        " VALUES (424242, :c, 'supports', 'explicit', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        c=c.id,
    )
    assert "does not exist" in explain_integrity_error(exc).message


def test_unknown_source_kind_and_quote_check_are_refused(session: Session) -> None:
    exc = refusal(
        session,
        "INSERT INTO source (slug, title, kind, version, created_at, updated_at)"
        " VALUES ('s', 'T', 'podcast', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    )
    assert explain_integrity_error(exc).field == "kind"


def test_a_date_needs_its_precision(session: Session) -> None:
    exc = refusal(
        session,
        "INSERT INTO source (slug, title, kind, published_on, version, created_at, updated_at)"
        " VALUES ('s', 'T', 'book', '2003-01-01', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    )
    assert explain_integrity_error(exc).field == "published"


def test_probability_must_lie_between_zero_and_one(session: Session) -> None:
    p, c = make_person(session), make_claim(session)
    with pytest.raises(IntegrityError) as info:
        make_stance(session, p, c, probability=1.5)
    assert explain_integrity_error(info.value).field == "probability"


def test_views_change_but_never_two_stances_with_the_same_date(session: Session) -> None:
    p, c = make_person(session), make_claim(session)
    make_stance(session, p, c, "supports", as_of=dt.date(2014, 1, 1))
    make_stance(session, p, c, "opposes", as_of=dt.date(2020, 1, 1))  # a change of mind is fine
    with pytest.raises(IntegrityError) as info:
        make_stance(session, p, c, "mixed", as_of=dt.date(2020, 1, 1))
    assert "same as-of date" in explain_integrity_error(info.value).message


def test_only_one_undated_stance_per_person_and_claim(session: Session) -> None:
    p, c = make_person(session), make_claim(session)
    make_stance(session, p, c)
    with pytest.raises(IntegrityError) as info:
        make_stance(session, p, c, "opposes")
    assert "undated stance" in explain_integrity_error(info.value).message


def test_a_quote_that_is_evidence_cannot_be_deleted(session: Session) -> None:
    p, c = make_person(session), make_claim(session)
    stance = make_stance(session, p, c)
    quote_id = stance.evidence[0].id
    session.commit()
    exc = refusal(session, "DELETE FROM quote WHERE id = :q", q=quote_id)
    assert "still in use" in explain_integrity_error(exc).message


def test_deleting_an_evidence_quote_through_the_orm_is_refused_too(session: Session) -> None:
    p, c = make_person(session), make_claim(session)
    stance = make_stance(session, p, c)
    session.commit()
    session.delete(stance.evidence[0])
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert len(session.get(m.Stance, stance.id).evidence) == 1


def test_edits_bump_the_version_and_refuse_stale_writes(app, session: Session) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    person = make_person(session, name="Before")
    session.commit()
    assert person.version == 1
    person.name = "After"
    session.commit()
    assert person.version == 2
    # Another writer updates the row behind this session's back...
    with app.extensions["kb.engine"].begin() as conn:
        conn.execute(
            text("UPDATE person SET version = 3, name = 'Other' WHERE id = :i"), {"i": person.id}
        )
    person.name = "Mine"
    with pytest.raises(StaleDataError):
        session.commit()


def test_every_write_bumps_the_data_version(session: Session) -> None:
    from kb.store import datastate

    before = datastate.current(session)
    make_person(session)
    session.commit()
    assert datastate.current(session) == before + 1
    session.commit()  # nothing changed: no bump
    assert datastate.current(session) == before + 1


def test_an_unflushed_change_bumps_the_data_version_at_commit(session: Session) -> None:
    from kb.store import datastate

    person = make_person(session)
    session.commit()
    before = datastate.current(session)
    person.name = "Renamed without an explicit flush"
    session.commit()
    assert datastate.current(session) == before + 1
    session.add(m.Topic(slug="fresh", name="Fresh"))  # a new row, never flushed by hand
    session.commit()
    assert datastate.current(session) == before + 2


def test_models_hold_the_relations_they_name(session: Session) -> None:
    author = make_person(session, name="Writer")
    source = make_source(session, authors=[author])
    quote = make_quote(session, author, source)
    topic = m.Topic(slug="t", name="T")
    claim = make_claim(session, topics=[topic])
    stance = make_stance(session, author, claim, evidence=[quote])
    session.commit()
    assert source.authors == [author] and author.authored == [source]
    assert quote.stances == [stance] and claim.topics[0].claims == [claim]
