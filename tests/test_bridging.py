"""Bridging claims (kb.graph.bridging): agreement that holds across camps, not within one.

The constructed dataset: two camps of four people, split on four claims (camp A supports what
camp B opposes). On top of that, one claim both camps support (the bridging one, with one of B
mixed), one only camp A holds, and one camp B splits on two against two.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from kb.graph import analysis, cache
from kb.graph.agreement import build_agreement
from kb.graph.bridging import BRIDGING_RULE, MIN_HOLDERS, bridging_claims, bridging_order
from tests.factories import make_claim, make_person, make_stance, make_two_camps


def _dataset(session: Session) -> dict[str, Any]:
    made = make_two_camps(session, 4)
    a, b = made["a"], made["b"]
    uniting = make_claim(session, slug="uniting", text="Both camps support this.")
    for p in [*a, *b[:3]]:
        make_stance(session, p, uniting, "supports")
    make_stance(session, b[3], uniting, "mixed")
    one_camp = make_claim(session, slug="one-camp", text="Only camp A holds this.")
    for p in a:
        make_stance(session, p, one_camp, "supports")
    split = make_claim(session, slug="split", text="Camp B splits on this.")
    for p in a:
        make_stance(session, p, split, "supports")
    for p, position in zip(b, ["supports", "supports", "opposes", "opposes"], strict=True):
        make_stance(session, p, split, position)
    session.flush()
    return {"a": a, "b": b, "uniting": uniting, "one_camp": one_camp, "split": split}


def test_the_claim_both_camps_support_is_the_only_bridging_one(session: Session) -> None:
    made = _dataset(session)
    agreement = build_agreement(session)
    camps = analysis.camps(agreement)
    assert sorted(len(m) for m in camps.members) == [4, 4]
    found = bridging_claims(agreement, camps)
    assert [b.claim_id for b in found] == [made["uniting"].id]
    top = found[0]
    # camp B: 3 of its 4 holders support (the fourth is mixed, on neither side)
    assert (top.side, top.share, top.camps, top.holders) == ("supports", 0.75, 2, 8)
    assert (top.supporters, top.opponents, top.mixed) == (7, 0, 1)


def test_a_claim_one_camp_holds_or_another_splits_on_is_not_bridging(session: Session) -> None:
    made = _dataset(session)
    agreement = build_agreement(session)
    ids = {b.claim_id for b in bridging_claims(agreement, analysis.camps(agreement))}
    assert made["one_camp"].id not in ids  # one camp counted: agreement within one camp only
    assert made["split"].id not in ids  # half of camp B is not a majority


def test_a_camp_needs_enough_holders_to_count(session: Session) -> None:
    """With one member of camp B holding the claim, camp B is not counted, so the claim is
    agreement within camp A alone."""
    a = [make_person(session) for _ in range(3)]
    b = [make_person(session) for _ in range(3)]
    for _ in range(3):
        divider = make_claim(session)
        for p in a:
            make_stance(session, p, divider, "supports")
        for p in b:
            make_stance(session, p, divider, "opposes")
    lonely = make_claim(session)
    for p in [*a, b[0]]:
        make_stance(session, p, lonely, "supports")
    session.flush()
    agreement = build_agreement(session)
    assert MIN_HOLDERS == 2
    assert bridging_claims(agreement, analysis.camps(agreement)) == []


def test_the_full_order_puts_bridging_first_then_most_held() -> None:
    from kb.graph.bridging import Bridging

    ranked = [Bridging(7, "supports", 0.8, 2, 10, 2.8, 8, 1, 1)]
    assert bridging_order(ranked, [(3, 2), (7, 10), (5, 9), (4, 9)]) == [7, 4, 5, 3]


@pytest.fixture
def united(app: Flask) -> Flask:
    with app.app_context():
        session = app.extensions["kb.sessionmaker"]()
        _dataset(session)
        session.commit()
        session.close()
    return app


def test_claims_sorted_by_bridging_put_the_uniting_claim_first(united: Flask) -> None:
    client = united.test_client()
    data = client.get("/claims.json?sort=bridging").get_json()
    slugs = [r["slug"] for r in data["rows"]]
    assert slugs[0] == "uniting"
    assert len(slugs) == 7  # every claim is listed, bridging or not
    csv = client.get("/claims.csv?sort=bridging").get_data(as_text=True).splitlines()
    assert csv[1].split(",")[0].strip('"') == "uniting"
    page = client.get("/claims?sort=bridging").get_data(as_text=True)
    assert "Uniting the camps" in page and BRIDGING_RULE.split(" — ")[0] in page


def test_home_and_map_show_the_uniting_claim_with_the_rule(united: Flask) -> None:
    client = united.test_client()
    home = client.get("/").get_data(as_text=True)
    assert "What unites the camps" in home and "Both camps support this." in home
    assert BRIDGING_RULE.split(" — ")[0] in home
    assert [r["slug"] for r in client.get("/index.json").get_json()["bridging"]] == ["uniting"]
    page = client.get("/graph").get_data(as_text=True)
    assert "Claims that unite the camps" in page and "Both camps support this." in page
    assert client.get("/graph.json").get_json()["map"]["bridging"][0]["share"] == 0.75


def test_bridging_is_computed_once_per_data_version(united: Flask) -> None:
    client = united.test_client()
    client.get("/")
    built = cache.builds["bridging"]
    client.get("/")
    client.get("/claims?sort=bridging")
    assert cache.builds["bridging"] == built
