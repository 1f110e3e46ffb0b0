"""The stored `latest` flag marks exactly the stance that counts, whatever writes the stances."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import models as m
from kb.load import bulk
from kb.store import latest
from tests.factories import make_claim, make_person, make_quote, make_stance


def expected_latest(stances: list[m.Stance]) -> set[int]:
    """The rule, in plain Python: per person and claim, the latest dated stance, else the undated."""
    best: dict[tuple[int, int], m.Stance] = {}
    for st in stances:
        key = (st.person_id, st.claim_id)
        cur = best.get(key)
        if cur is None or (st.as_of is not None and (cur.as_of is None or st.as_of > cur.as_of)):
            best[key] = st
    return {st.id for st in best.values()}


def flagged(session: Session) -> set[int]:
    return set(session.scalars(select(m.Stance.id).where(m.Stance.latest)))


def check(session: Session) -> None:
    session.expire_all()
    stances = list(session.scalars(select(m.Stance)))
    assert flagged(session) == expected_latest(stances)


def test_flag_follows_inserts_updates_moves_and_deletes(session: Session) -> None:
    rng = random.Random(7)
    people = [make_person(session) for _ in range(3)]
    claims = [make_claim(session) for _ in range(3)]
    dates = [None, *(dt.date(2000 + i, 1, 1) for i in range(6))]
    live: list[m.Stance] = []
    for _step in range(60):
        action = rng.choice(["add", "add", "date", "move", "delete"])
        if action == "add" or not live:
            person, claim = rng.choice(people), rng.choice(claims)
            as_of = rng.choice(dates)
            taken = {(s.person_id, s.claim_id, s.as_of) for s in live}
            if (person.id, claim.id, as_of) in taken:
                continue
            live.append(make_stance(session, person, claim, as_of=as_of))
        elif action == "date":
            st = rng.choice(live)
            new = rng.choice(dates)
            if any(
                (s.person_id, s.claim_id, s.as_of) == (st.person_id, st.claim_id, new) for s in live
            ):
                continue
            st.as_of = new
        elif action == "move":
            st = rng.choice(live)
            target = rng.choice(claims)
            if any(
                (s.person_id, s.claim_id, s.as_of) == (st.person_id, target.id, st.as_of)
                for s in live
            ):
                continue
            st.claim = target  # by relationship: the new claim id exists only after the flush
        else:
            st = live.pop(rng.randrange(len(live)))
            session.delete(st)
        session.flush()
        check(session)
    assert len(flagged(session)) >= 3, "the walk should leave several pairs with stances"


def test_a_newer_stance_takes_the_flag_from_the_older(session: Session) -> None:
    person, claim = make_person(session), make_claim(session)
    undated = make_stance(session, person, claim, "opposes")
    assert undated.latest is True
    old = make_stance(session, person, claim, "supports", as_of=dt.date(2010, 5, 1))
    assert (undated.latest, old.latest) == (False, True)
    new = make_stance(session, person, claim, "mixed", as_of=dt.date(2020, 5, 1))
    assert (undated.latest, old.latest, new.latest) == (False, False, True)
    session.delete(new)
    session.flush()
    assert old.latest is True


def test_bulk_insert_sets_the_flag_at_finish(session: Session) -> None:
    person, claim, other = make_person(session), make_claim(session), make_claim(session)
    quote = make_quote(session, person)
    existing = make_stance(session, person, claim, as_of=dt.date(2015, 1, 1), evidence=[quote])
    ids = bulk.insert_stances(
        session,
        [
            {"person_id": person.id, "claim_id": claim.id, "position": "opposes",
             "basis": "explicit", "as_of": dt.date(2019, 1, 1)},
            {"person_id": person.id, "claim_id": other.id, "position": "mixed",
             "basis": "explicit", "as_of": None},
        ],
    )  # fmt: skip
    bulk.finish(session)
    session.expire_all()
    assert flagged(session) == set(ids)
    assert session.get(m.Stance, existing.id).latest is False
    check(session)


def test_refresh_repairs_flags_written_wrong(session: Session) -> None:
    person, claim = make_person(session), make_claim(session)
    a = make_stance(session, person, claim, as_of=dt.date(2001, 1, 1))
    b = make_stance(session, person, claim, as_of=dt.date(2002, 1, 1))
    session.execute(m.Stance.__table__.update().values(latest=True))
    latest.refresh(session)
    session.expire_all()
    assert flagged(session) == {b.id} and a.id not in flagged(session)
