"""Pickers stay bounded at any size (issue 12, item 7): with thousands of records, /graph and
every admin form page stay small and list no more than a bounded number of <option>s; a
picker takes a slug or a name without JavaScript (ambiguous or unknown: candidates); the
suggest endpoint is bounded, escaped and keeps editors' data to editors."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from kb import models as m
from kb.load import bulk
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import error_beside, submit

MANY = 5000
PAGE_BYTES = 200_000
OPTIONS = 150  # every <option> of a page: enumerations, small selects, 50 quotes at most


def _options(html: str) -> int:
    return len(re.findall(r"<option\b", html))


@pytest.fixture
def big(app, admin_client):
    """5,000 topics and 2,500 each of people, claims and sources (the bulk path), 200 quotes by one
    person, and 60 people with one stance each on claims of their own (60 camps)."""
    with app.app_context(), session_scope() as s:
        r = range(MANY)
        topics = bulk.insert_topics(s, ({"slug": f"t-{i}", "name": f"Topic {i}"} for i in r))
        r = range(MANY // 2)
        people = bulk.insert_people(s, ({"slug": f"p-{i}", "name": f"Person {i}"} for i in r))
        claims = bulk.insert_claims(
            s, ({"slug": f"c-{i}", "text": f"Claim {i}.", "topic_ids": [topics["t-1"]]} for i in r)
        )
        sources = bulk.insert_sources(
            s, ({"slug": f"s-{i}", "title": f"Source {i}", "kind": "article"} for i in r)
        )
        quote = {"source_id": sources["s-0"], "attribution": "verbatim", "checked": "primary"}
        quotes = bulk.insert_quotes(
            s,
            [{**quote, "text": f"Words {i}.", "speaker_id": people["p-0"]} for i in range(200)]
            + [{**quote, "text": f"Own {i}.", "speaker_id": people[f"p-{i}"]} for i in range(60)],
        )
        stance = {"position": "supports", "basis": "explicit"}
        bulk.insert_stances(
            s,
            [
                {
                    **stance,
                    "person_id": people[f"p-{i}"],
                    "claim_id": claims[f"c-{i}"],
                    "evidence_ids": [quotes[200 + i]],
                }
                for i in range(60)
            ],
        )
        bulk.insert_relations(
            s, [{"from_claim_id": claims["c-0"], "to_claim_id": claims["c-1"], "kind": "supports"}]
        )
        bulk.finish(s)
    ids = {e: 1 for e in EDIT_PAGES}  # the first of each, in an empty database
    ids["stance"] = 1  # p-0's stance: 201 quotes by p-0, one chosen as evidence
    return ids


EDIT_PAGES = ("person", "source", "quote", "topic", "claim", "stance", "claim_relation")


def test_graph_and_every_admin_form_stay_bounded_with_many_records(app, admin_client, big):
    anonymous = app.test_client()
    pages = {"/graph": anonymous.get("/graph")}
    for entity in EDIT_PAGES:
        pages[f"/admin/{entity}/new"] = admin_client.get(f"/admin/{entity}/new")
    for entity, record_id in big.items():
        pages[f"/admin/{entity}/{record_id}/edit"] = admin_client.get(
            f"/admin/{entity}/{record_id}/edit"
        )
    pages["/admin/stance/new?person=p-0"] = admin_client.get("/admin/stance/new?person=p-0")
    for path, r in pages.items():
        assert r.status_code == 200, path
        assert len(r.data) < PAGE_BYTES, (path, len(r.data))
        assert _options(r.text) <= OPTIONS, (path, _options(r.text))
    graph = pages["/graph"].text
    assert 'data-suggest="topic"' in graph and 'type="number"' in graph  # no huge selects
    assert "10 smaller camps" in graph
    by_p0 = pages["/admin/stance/new?person=p-0"].text
    assert "Words 199." in by_p0 and "Words 100." not in by_p0  # the 50 newest of p-0


@pytest.fixture
def named(app):
    """Two people called "Ada", a topic "Safety" and two topics called "Risk"."""
    with app.app_context(), session_scope() as s:
        ada1 = make_person(s, slug="ada-one", name="Ada")
        make_person(s, slug="ada-two", name="Ada")
        grace = make_person(s, slug="grace", name="Grace Hopper")
        for slug, name in (("safety", "Safety"), ("risk-a", "Risk"), ("risk-b", "Risk")):
            s.add(m.Topic(slug=slug, name=name))
        src = make_source(s, slug="src", title="A source")
        claim = make_claim(s, slug="c", text="A claim.")
        make_stance(s, grace, claim, evidence=[make_quote(s, grace, src)])
        make_quote(s, ada1, src)
    return app


def _claim_topics(app, slug: str) -> list[str]:
    with app.app_context(), session_scope() as s:
        claim = s.scalars(select(m.Claim).where(m.Claim.slug == slug)).one()
        return [t.slug for t in claim.topics]


def test_claim_topics_by_slug_and_by_name_without_javascript(named, admin_client) -> None:
    r = submit(
        admin_client, "/admin/claim/new", {"text": "One.", "slug": "one", "topics": "safety"}
    )
    assert r.status_code == 302
    r = submit(
        admin_client, "/admin/claim/new", {"text": "Two.", "slug": "two", "topics": "sAFETY"}
    )
    assert r.status_code == 302
    assert _claim_topics(named, "one") == _claim_topics(named, "two") == ["safety"]
    r = submit(
        admin_client, "/admin/claim/new", {"text": "3.", "slug": "three", "topics": "safety, Risk"}
    )
    assert r.status_code == 422
    assert "2 topics are called 'Risk'" in error_beside(r.text, "topics")
    assert "risk-a" in r.text and "risk-b" in r.text
    r = submit(admin_client, "/admin/claim/new", {"text": "3.", "slug": "three", "topics": "Rsk"})
    assert "there is no topic 'Rsk'" in error_beside(r.text, "topics")
    with named.app_context(), session_scope() as s:
        assert s.scalar(select(m.Claim).where(m.Claim.slug == "three")) is None


def test_an_ambiguous_speaker_offers_candidates_and_a_chosen_one_saves(named, admin_client):
    data = {
        "text": "Said once.",
        "source": "A source",
        "attribution": "verbatim",
        "checked": "primary",
    }
    r = submit(admin_client, "/admin/quote/new", {**data, "speaker": "ada"})
    assert r.status_code == 422
    assert "2 people are called 'ada'" in error_beside(r.text, "speaker")
    radios = re.findall(r'<input name="speaker" type="radio" value="([^"]+)"', r.text)
    assert sorted(radios) == ["ada-one", "ada-two"]
    # The browser sends the typed text, then the chosen radio: the radio wins.
    r = submit(admin_client, "/admin/quote/new", {**data, "speaker": ["ada", "ada-two"]})
    assert r.status_code == 302
    with named.app_context(), session_scope() as s:
        quote = s.scalars(select(m.Quote).where(m.Quote.text == "Said once.")).one()
        assert (quote.speaker.slug, quote.source.slug) == ("ada-two", "src")
    r = submit(admin_client, "/admin/quote/new", {**data, "speaker": "Grace Hopper"})
    assert r.status_code == 302


def test_graph_topic_filter_by_slug_name_and_with_candidates(named) -> None:
    client = named.test_client()
    by_slug = client.get("/graph.json?topic=safety").get_json()
    by_name = client.get("/graph.json?topic=Safety").get_json()
    assert by_slug["filters"]["topic"] == by_name["filters"]["topic"] == "safety"
    assert client.get("/graph.json?topic=Risk-A").get_json()["filters"]["topic"] == "risk-a"
    assert ">Risk (risk-a)</option>" in client.get("/graph").text  # few topics: a select
    r = client.get("/graph?topic=Risk")
    assert r.status_code == 400
    assert "2 topics are called" in r.text
    assert "topic=risk-a" in r.text and "topic=risk-b" in r.text
    r = client.get("/graph?topic=saf")
    assert r.status_code == 400 and "no topic" in r.text and "topic=safety" in r.text


def test_suggest_is_bounded_escaped_and_keeps_quotes_to_editors(named, admin_client) -> None:
    with named.app_context(), session_scope() as s:
        s.add_all(m.Person(slug=f"adam-{i}", name=f"Adam {i}") for i in range(30))
        s.add(m.Topic(slug="evil", name="<script>alert('x')</script> & co"))
    client = named.test_client()
    items = client.get("/api/suggest/person?q=ada").get_json()["items"]
    assert len(items) == 10 and items[0] == {"value": "ada-one", "label": "Ada"}
    assert len(client.get("/api/suggest/person?q=ada&limit=20").get_json()["items"]) == 20
    for bad in ("21", "0", "x", "1e3"):
        r = client.get(f"/api/suggest/person?q=ada&limit={bad}")
        assert r.status_code == 400 and "limit" in r.get_json()["error"]["message"]
    r = client.get("/api/suggest/topic?q=script")
    assert r.mimetype == "application/json" and b"<" not in r.data and b"'" not in r.data
    assert json.loads(r.data)["items"][0]["label"] == "<script>alert('x')</script> & co"
    r = client.get("/api/suggest/person", query_string={"q": "\x00" + "a" * 20000})
    assert r.status_code == 200 and len(r.get_json()["q"]) == 200
    assert client.get("/api/suggest/user?q=a").status_code == 404
    r = client.get("/api/suggest/quote?q=words")
    assert r.status_code == 401 and "items" not in r.get_json()
    items = admin_client.get("/api/suggest/quote?q=words&person=grace").get_json()["items"]
    assert len(items) == 1 and items[0]["label"].startswith(f"#{items[0]['value']} Grace Hopper")
