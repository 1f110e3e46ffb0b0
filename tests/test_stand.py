"""/stand: a reader's answers (in the URL, nothing stored) scored against the named people
and camps with the agreement rule, and placed on the opinion map by its own projection."""

from __future__ import annotations

import math
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kb.graph import analysis
from kb.graph.agreement import build_agreement
from kb.graph.opinion_map import build_map
from kb.graph.stand import stand
from kb.web.stand import MAX_ANSWERS, PAGE_CLAIMS
from tests.factories import make_two_camps


def _dataset(session: Session) -> dict[str, Any]:
    """Camp A (four people) supports the five dividing claims, camp B (four) opposes them;
    Beta 3 also supports one of them, so the camps are not perfectly mirror images."""
    return make_two_camps(session, 5, quote="Alpha says yes to {k} <b>loudly</b>.", rebel=True)


@pytest.fixture
def camps_app(app: Flask) -> Flask:
    with app.app_context():
        session = app.extensions["kb.sessionmaker"]()
        _dataset(session)
        session.commit()
        session.close()
    return app


def test_a_reader_who_agrees_with_camp_a_is_closest_to_it(camps_app: Flask) -> None:
    client = camps_app.test_client()
    data = client.get("/stand.json?a=divide-0,divide-1,divide-2&d=&u=divide-3").get_json()
    assert data["answered"] == 4
    closest = [p["slug"] for p in data["closest"]]
    assert set(closest) == {"alpha-0", "alpha-1", "alpha-2", "alpha-3"}
    top = data["closest"][0]
    # 3 agreements, 0 disagreements, 4 shared (unsure counts as shared, as a mixed stance does)
    assert (top["agreements"], top["disagreements"], top["shared"]) == (3, 0, 4)
    assert top["score"] == 0.75
    assert data["farthest"][0]["slug"] in {"beta-0", "beta-1", "beta-2"}
    assert data["farthest"][0]["score"] == -0.75
    beta3 = next(p for p in data["farthest"] if p["slug"] == "beta-3")
    assert beta3["score"] == -0.25  # agrees on divide-0, disagrees on 1 and 2
    assert [c["score"] for c in data["camps"]] == [0.75, -0.625]  # pooled: (1 - 11) / 16
    # the claims that decide it, each with the quotes behind it and a link to them
    deciding = top["deciding"][0]
    assert deciding["claim"]["slug"] == "divide-0" and deciding["position"] == "supports"
    assert deciding["quotes"][0]["text"] == "Alpha says yes to 0 <b>loudly</b>."
    assert deciding["quotes_url"].endswith(f"/claims/divide-0#person-{top['slug']}")


def test_the_page_matches_its_twin_and_escapes_quotes(camps_app: Flask) -> None:
    client = camps_app.test_client()
    query = "a=divide-0,divide-1,divide-2&u=divide-3"
    page = client.get("/stand?" + query).get_data(as_text=True)
    data = client.get("/stand.json?" + query).get_json()
    for p in data["closest"] + data["farthest"]:
        assert p["name"] in page
    assert "Alpha says yes to 0 &lt;b&gt;loudly&lt;/b&gt;." in page
    assert "<b>loudly</b>" not in page
    assert data["share"].endswith("/stand?a=divide-0,divide-1,divide-2&u=divide-3")
    assert 'value="' + data["share"] in page.replace("&amp;", "&")
    assert "You, placed by your answers" in page


def test_the_form_submits_to_the_short_shareable_address(camps_app: Flask) -> None:
    client = camps_app.test_client()
    r = client.get("/stand?c.divide-0=agree&c.divide-1=disagree&c.divide-2=&c.divide-3=unsure")
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/stand?a=divide-0&d=divide-1&u=divide-3")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    # the answers are kept in the form, checked
    assert 'name="c.divide-0" value="agree" checked' in page
    assert 'name="c.divide-1" value="disagree" checked' in page


def test_the_reader_lands_on_the_map_where_a_person_with_the_same_answers_is(
    session: Session,
) -> None:
    made = _dataset(session)
    agreement = build_agreement(session)
    camps = analysis.camps(agreement)
    found = build_map(agreement, camps)
    beta3 = made["b"][3]
    answers = {c.id: (1 if k == 0 else -1) for k, c in enumerate(made["claims"])}
    standing = stand(agreement, camps, found.coords, answers)
    assert standing.xy is not None
    x, y = standing.xy
    bx, by = found.coords[beta3.id]
    ax, ay = found.coords[made["a"][0].id]
    assert math.hypot(x - bx, y - by) < 0.5 * math.hypot(ax - bx, ay - by)


def test_no_answers_no_result_and_ten_claims_offered_with_more(seeded_client: FlaskClient) -> None:
    page = seeded_client.get("/stand").get_data(as_text=True)
    assert "Your result" not in page
    data = seeded_client.get("/stand.json").get_json()
    assert len(data["claims"]) == PAGE_CLAIMS
    assert data["closest"] == [] and data["place"] is None
    if data["more"]:
        more = seeded_client.get(f"/stand.json?more={data['more']}").get_json()
        assert len(more["claims"]) > PAGE_CLAIMS


def test_on_the_seed_a_result_names_people_and_camps(seeded_client: FlaskClient) -> None:
    slugs = [c["slug"] for c in seeded_client.get("/stand.json").get_json()["claims"]]
    query = f"a={','.join(slugs[:5])}&d={','.join(slugs[5:])}"
    data = seeded_client.get("/stand.json?" + query).get_json()
    assert data["closest"] or data["farthest"]
    assert data["camps"] and data["place"] is not None
    scores = [p["score"] for p in data["closest"]]
    assert scores == sorted(scores, reverse=True)
    assert seeded_client.get("/stand?" + query).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "a=no-such-claim",
        "a=%3Cscript%3Ealert(1)%3C/script%3E",
        "a=divide-0&d=divide-0",
        "more=99",
        "more=x",
        "c.divide-0=maybe",
        "a=" + ",".join(f"claim-{k}" for k in range(MAX_ANSWERS + 1)),
        "a=" + "x" * 300,
        "a=" + "y" * 30_000,
    ],
)
def test_bad_input_is_a_400_not_a_500(camps_app: Flask, query: str) -> None:
    client = camps_app.test_client()
    for path in ("/stand?", "/stand.json?"):
        r = client.get(path + query)
        assert r.status_code == 400, (path, query[:40], r.status_code)
        if path == "/stand?":  # the JSON error says it as JSON; the page escapes it
            assert b"<script>alert" not in r.data
