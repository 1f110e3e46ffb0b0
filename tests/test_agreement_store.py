"""The agreement kept in the database (kb.store.agreement_store): every write keeps it equal to
what a rebuild from the stances gives, on random sequences of edits, on SQLite and PostgreSQL
alike (KB_TEST_DATABASE); pages read it instead of multiplying the stances again."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update

from kb import models as m
from kb.graph import agreement as graph_agreement
from kb.graph import agreement_load
from kb.graph import cached as graph_cached
from kb.queries import contested
from kb.store import agreement_store
from kb.store import agreement_tables as tables
from kb.web.database import session_scope

PEOPLE, CLAIMS = 4, 3
DATES = (None, dt.date(2020, 1, 1), dt.date(2021, 6, 1))


def _kept(session) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    conn = session.connection()
    return (
        [tuple(r) for r in tables.stored_pairs(conn).tolist()],
        [tuple(r) for r in tables.stored_sides(conn).tolist()],
    )


def _fresh(session) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """What a rebuild would write, computed from every stance (not from the latest flag)."""
    agree = graph_agreement.build_agreement(session)
    ids = agree.person_ids
    pairs = [
        (int(ids[i]), int(ids[j]), int(a), int(d), int(s))
        for i, j, a, d, s in zip(
            agree.i, agree.j, agree.agreements, agree.disagreements, agree.shared, strict=True
        )
    ]
    return pairs, [tuple(r) for r in agree.sides.tolist()]


ARRAYS = ("person_ids", "stance_counts", "i", "j", "agreements", "disagreements", "shared", "sides")


def _assert_same(kept, built) -> None:
    for name in ARRAYS:
        assert np.array_equal(getattr(kept, name), getattr(built, name)), name
    assert kept.people == built.people
    order = np.lexsort((built.latest.claims, built.latest.persons))
    for name in ("persons", "claims", "signs"):
        assert np.array_equal(getattr(kept.latest, name), getattr(built.latest, name)[order])


def _assert_in_step(session) -> None:
    """The store equals a rebuild, and what a worker reads from it (patching the copy it read
    at the previous version, when it has one) equals the agreement computed afresh."""
    assert tables.in_step(session.connection())
    assert _kept(session) == _fresh(session)
    # the claim sides pages rank by are read from the store, and equal those counted
    assert sorted(contested.side_count_rows(session)) == sorted(
        contested.counted_side_rows(session)
    )
    _assert_same(agreement_load.load_agreement(session), graph_agreement.build_agreement(session))


@pytest.fixture
def cast(app):
    """People and claims without stances, and a store in step (empty)."""
    with app.app_context(), session_scope() as session:
        people = [m.Person(slug=f"p{k}", name=f"P{k}") for k in range(PEOPLE)]
        claims = [m.Claim(slug=f"c{k}", text=f"Claim {k}") for k in range(CLAIMS)]
        session.add_all(people + claims)
        session.flush()
        ids = [p.id for p in people], [c.id for c in claims]
    with app.app_context(), session_scope() as session:
        _assert_in_step(session)
    return ids


edit = st.tuples(
    st.sampled_from(["put", "put", "delete", "redate", "move"]),
    st.integers(0, PEOPLE - 1),
    st.integers(0, CLAIMS - 1),
    st.integers(0, len(DATES) - 1),
    st.sampled_from(m.POSITIONS),
    st.integers(0, len(DATES) - 1),
)


def _apply(session, people: list[int], claims: list[int], step: tuple) -> None:
    """One edit as an editor would make it: add or change a stance's position, delete it,
    change its date (which can make another stance the latest), or move it to another person."""
    kind, p, c, d, position, other = step
    found = session.scalars(
        select(m.Stance).where(
            m.Stance.person_id == people[p],
            m.Stance.claim_id == claims[c],
            m.Stance.as_of.is_(None) if DATES[d] is None else m.Stance.as_of == DATES[d],
        )
    ).first()
    if kind == "put":
        if found is None:
            session.add(
                m.Stance(
                    person_id=people[p],
                    claim_id=claims[c],
                    as_of=DATES[d],
                    position=position,
                    basis="explicit",
                )
            )
        else:
            found.position = position
    elif found is None:
        return
    elif kind == "delete":
        session.delete(found)
    else:
        target = (people[(p + 1) % PEOPLE], claims[c]) if kind == "move" else (people[p], claims[c])
        date = DATES[other] if kind == "redate" else DATES[d]
        clash = session.scalars(
            select(m.Stance).where(
                m.Stance.person_id == target[0],
                m.Stance.claim_id == target[1],
                m.Stance.as_of.is_(None) if date is None else m.Stance.as_of == date,
                m.Stance.id != found.id,
            )
        ).first()
        if clash is None:
            found.person_id, found.as_of = target[0], date


def _distinct(steps: list[tuple]) -> list[tuple]:
    """The steps whose (person, claim) no earlier step touched (a move touches its target)."""
    seen: set[tuple[int, int]] = set()
    kept = []
    for step in steps:
        kind, p, c = step[:3]
        keys = {(p, c), ((p + 1) % PEOPLE, c)} if kind == "move" else {(p, c)}
        if not keys & seen:
            kept.append(step)
        seen |= keys
    return kept


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(commits=st.lists(st.lists(edit, min_size=1, max_size=4), min_size=1, max_size=6))
def test_every_edit_keeps_the_store_equal_to_a_rebuild(app, cast, commits) -> None:
    people, claims = cast
    with app.app_context():
        with session_scope() as session:  # a clean slate for each example
            session.execute(delete(m.Stance))
            agreement_store.rebuild(session)
        for steps in commits:
            with session_scope() as session, session.no_autoflush:
                # one flush can change several people's stances on one claim: the steps of a
                # commit touch distinct (person, claim) pairs, so each sees the others unflushed
                for k, step in enumerate(_distinct(steps)):
                    _apply(session, people, claims, step)
                    if k % 3 == 2:
                        session.flush()  # several flushes in one transaction too
            with session_scope() as session:
                _assert_in_step(session)


def test_a_person_assigned_as_an_object_and_a_new_claim_are_followed(app, cast) -> None:
    people, claims = cast
    with app.app_context():
        with session_scope() as session:
            session.add(
                m.Stance(
                    person_id=people[0], claim_id=claims[0], position="supports", basis="explicit"
                )
            )
            session.add(
                m.Stance(
                    person_id=people[1], claim_id=claims[0], position="opposes", basis="explicit"
                )
            )
        with session_scope() as session:
            ada = session.get(m.Person, people[2])
            fresh = m.Claim(slug="new", text="A new claim")
            session.add_all(
                [
                    m.Stance(person=ada, claim_id=claims[0], position="supports", basis="explicit"),
                    m.Stance(person=ada, claim=fresh, position="mixed", basis="explicit"),
                    m.Stance(
                        person_id=people[0], claim=fresh, position="opposes", basis="explicit"
                    ),
                ]
            )
        with session_scope() as session:
            _assert_in_step(session)
            assert len(_kept(session)[0]) == 3  # 0-1, 0-2, 1-2 (0-2 on two claims)


def test_a_worker_copy_gains_and_loses_pairs_among_the_same_people(app, cast) -> None:
    """Pairs appear between people who already held stances (merged into place), and go when
    they share nothing more, while the people holding stances stay the same."""
    (p0, p1, p2, p3), (c0, c1, _c2) = cast

    def stance(person: int, claim: int, position: str = "supports") -> m.Stance:
        return m.Stance(person_id=person, claim_id=claim, position=position, basis="explicit")

    with app.app_context():
        with session_scope() as session:
            session.add_all([stance(p0, c0), stance(p1, c0), stance(p2, c1), stance(p3, c1)])
        with session_scope() as session:
            _assert_in_step(session)  # pairs (0, 1) and (2, 3)
        with session_scope() as session:
            session.add(stance(p1, c1, "opposes"))
        with session_scope() as session:
            _assert_in_step(session)  # (1, 2) and (1, 3) between them
            assert len(_kept(session)[0]) == 4
        with session_scope() as session:
            session.delete(
                session.scalars(select(m.Stance).filter_by(person_id=p1, claim_id=c0)).one()
            )
        with session_scope() as session:
            _assert_in_step(session)  # (0, 1) gone; p0 still holds c0
            assert len(_kept(session)[0]) == 3


def test_a_write_past_the_orm_leaves_the_store_out_of_use_until_a_rebuild(app, cast) -> None:
    people, claims = cast
    with app.app_context():
        with session_scope() as session:
            for p in people[:2]:
                session.add(
                    m.Stance(person_id=p, claim_id=claims[0], position="supports", basis="explicit")
                )
        with session_scope() as session:
            session.execute(text("UPDATE kb_state SET data_version = data_version + 1"))
            session.execute(update(m.Stance).values(position="opposes", latest=True))
        with session_scope() as session:
            # the next edit does not bring it back in step: it missed one
            session.add(
                m.Stance(
                    person_id=people[2], claim_id=claims[0], position="mixed", basis="explicit"
                )
            )
        with session_scope() as session:
            assert not tables.in_step(session.connection())
            computed = agreement_load.load_agreement(session)  # computed, not read
            counted = contested.counted_side_rows(session)
            assert sorted(contested.side_count_rows(session)) == sorted(counted)
            assert (claims[0], 0, 2, 1) in counted
            assert computed.pair(people[0], people[1]).agreements == 1
            agreement_store.rebuild(session)
        with session_scope() as session:
            _assert_in_step(session)


def test_after_an_edit_pages_patch_their_copy_instead_of_computing(seeded_app) -> None:
    with seeded_app.app_context(), session_scope() as session:
        agreement_store.rebuild(session)
    with seeded_app.app_context():
        with session_scope() as session:
            graph_cached.agreement(session)  # a worker's first copy (computed once)
        with session_scope() as session:  # an edit: one stance changes sides
            stance = session.scalars(
                select(m.Stance).where(m.Stance.latest, m.Stance.position == "supports")
            ).first()
            stance.position = "opposes"
        calls = []  # the new data version misses the page caches: the copy is patched
        original = agreement_load.build_agreement
        try:
            agreement_load.build_agreement = lambda *a, **k: calls.append(a) or original(*a, **k)
            with session_scope() as session:
                patched = graph_cached.agreement(session)
        finally:
            agreement_load.build_agreement = original
        assert calls == []  # no matrix product after the edit
        with session_scope() as session:
            _assert_same(patched, graph_agreement.build_agreement(session))


def test_a_bulk_load_rebuilds_the_store(app) -> None:
    from kb.load.synth import Scale, generate

    with app.app_context(), session_scope() as session:
        generate(
            session, Scale(people=12, claims=20, sources=10, quotes=60, stances=80, relations=5)
        )
    with app.app_context(), session_scope() as session:
        _assert_in_step(session)
        assert _kept(session)[0]
