"""The public pages and their JSON and CSV twins, on the seed data."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from kb.load.seed import seed_document
from kb.models import Person
from kb.naturalsort import natural_key
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import seed_count

PAGES = [
    "/",
    "/people",
    "/people/elon-musk",
    "/claims",
    "/claims/ai-existential-risk",
    "/sources",
    "/sources/chollet-limits",
    "/topics",
    "/topics/ai-risk",
    "/search?q=intelligence",
]


def _twin(path: str) -> str:
    if path == "/":
        return "/index.json"
    base, _, query = path.partition("?")
    return base + ".json" + ("?" + query if query else "")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_its_json_twin(seeded_client, path) -> None:
    page = seeded_client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<h1") == 1
    twin = seeded_client.get(_twin(path))
    assert twin.status_code == 200
    if path == "/":
        # the literal "/" + ".json" leads to the same data (Werkzeug redirects it to the
        # canonical /index.json, since both rules carry the same defaults)
        literal = seeded_client.get("/.json", follow_redirects=True)
        assert literal.get_json() == twin.get_json()
    assert twin.mimetype == "application/json"
    assert isinstance(twin.get_json(), dict)


def test_home_shows_counts_matrix_and_contested_claims(seeded_client) -> None:
    data = seeded_client.get("/index.json").get_json()
    assert data["counts"] == {
        e: seed_count(e) for e in ("people", "claims", "sources", "quotes", "stances", "topics")
    }
    names = [r["person"]["name"] for r in data["matrix"]["rows"]]
    assert "Elon Musk" in names  # the order (by camp) is tests/test_home.py's
    musk = next(r for r in data["matrix"]["rows"] if r["person"]["slug"] == "elon-musk")
    cells = {c["claim"]: c["position"] for c in musk["cells"]}
    # in the seed Musk supports that AI is an existential risk and opposes "robot apocalypse" talk
    assert cells["ai-existential-risk"] == "supports"
    html = seeded_client.get("/").get_data(as_text=True)
    # a cell links to the evidence on the claim page, and says its position in words
    assert 'href="/claims/ai-existential-risk#person-elon-musk"' in html
    assert "Supports" in html and "No stance" in html
    contested = data["contested"]
    assert contested, "the seed has claims with both supporters and opponents"
    scores = [c["score"] for c in contested]
    assert scores == sorted(scores, reverse=True)
    assert all(c["supports"] > 0 and c["opposes"] > 0 for c in contested)


def test_person_page_groups_stances_and_shows_quotes_with_sources(seeded_client) -> None:
    data = seeded_client.get("/people/elon-musk.json").get_json()
    assert data["person"]["name"] == "Elon Musk"
    assert set(data["stances"]) == {"supports", "opposes", "mixed"}
    assert all(st["position"] == "supports" for st in data["stances"]["supports"])
    quote = data["stances"]["supports"][0]["evidence"][0]
    assert quote["source"]["url"].startswith("http")
    assert quote["checked"] in {"primary", "reprint", "widely_reported", "secondary"}
    html = seeded_client.get("/people/elon-musk").get_data(as_text=True)
    assert quote["source"]["title"].replace("'", "&#39;") in html
    assert f'href="{quote["source"]["url"]}"' in html
    assert f'href="/sources/{quote["source"]["slug"]}"' in html
    assert quote["checked_explanation"] in html
    assert quote["source"]["published_human"] in html
    assert {s["slug"] for s in data["sources"]} >= {quote["source"]["slug"]}


def test_claim_page_sides_relations_and_timeline(seeded_client) -> None:
    data = seeded_client.get("/claims/ai-existential-risk.json").get_json()
    supporters = {st["person"]["slug"] for st in data["sides"]["supports"]}
    opponents = {st["person"]["slug"] for st in data["sides"]["opposes"]}
    assert "elon-musk" in supporters and "francois-chollet" in opponents
    rel = data["relations"]
    assert rel["supported_by"] and any(
        r["slug"] == "ai-biggest-existential-threat" for r in rel["supported_by"]
    )
    # every stance on the claim, earlier views too (Altman's support, then his mixed view)
    seeded = [s for s in seed_document()["stances"] if s["claim"] == "ai-existential-risk"]
    assert len(data["timeline"]) == len(seeded)
    assert sum(t["latest"] for t in data["timeline"]) == len({s["person"] for s in seeded})
    altman = [t for t in data["timeline"] if t["person"]["slug"] == "sam-altman"]
    assert [t["latest"] for t in altman] == [False, True] and altman[0]["as_of"] < altman[1][
        "as_of"
    ]
    html = seeded_client.get("/claims/ai-existential-risk").get_data(as_text=True)
    assert 'id="person-elon-musk"' in html
    assert "Timeline of stances" in html


def test_source_page_lists_every_quote_with_its_speaker(seeded_client) -> None:
    data = seeded_client.get("/sources/chollet-limits.json").get_json()
    assert data["source"]["kind"] == "blog_post"
    assert data["source"]["published"] == "2017-07-17"
    assert data["quotes"] and all(q["speaker"]["slug"] for q in data["quotes"])
    html = seeded_client.get("/sources/chollet-limits").get_data(as_text=True)
    assert "17 July 2017" in html
    assert 'href="https://blog.keras.io/the-limitations-of-deep-learning.html"' in html


def test_latest_stance_counts_and_earlier_ones_are_history(session, app) -> None:
    alice = make_person(session, slug="alice", name="Alice")
    claim = make_claim(session, slug="the-claim", text="The claim.")
    import datetime as dt

    make_stance(session, alice, claim, "opposes", as_of=None)
    make_stance(session, alice, claim, "supports", as_of=dt.date(2020, 1, 1))
    make_stance(session, alice, claim, "mixed", as_of=dt.date(2018, 1, 1))
    session.commit()
    client = app.test_client()
    data = client.get("/claims/the-claim.json").get_json()
    assert [st["person"]["slug"] for st in data["sides"]["supports"]] == ["alice"]
    assert data["sides"]["opposes"] == [] and data["sides"]["mixed"] == []
    timeline = data["timeline"]
    assert [t["as_of"] for t in timeline] == [None, "2018-01-01", "2020-01-01"]
    assert [t["latest"] for t in timeline] == [False, False, True]
    person = client.get("/people/alice.json").get_json()
    assert len(person["stances"]["supports"]) == 1
    assert len(person["earlier_stances"]) == 2
    rows = client.get("/claims.json").get_json()["rows"]
    assert (rows[0]["supports"], rows[0]["opposes"], rows[0]["mixed"]) == (1, 0, 0)
    assert client.get("/claims.json?person=alice&position=opposes").get_json()["rows"] == []


def test_lists_paginate_in_a_stable_order(seeded_client) -> None:
    seen: list[str] = []
    page = 1
    while True:
        data = seeded_client.get(f"/claims.json?per_page=5&page={page}").get_json()
        seen += [r["slug"] for r in data["rows"]]
        assert data["pagination"]["total"] == seed_count("claims")
        if not data["links"]["next"]:
            break
        page += 1
    assert page == -(-seed_count("claims") // 5) and len(seen) == len(set(seen)) == seed_count(
        "claims"
    )
    texts = [r["text"] for r in seeded_client.get("/claims.json").get_json()["rows"]]
    assert texts == sorted(texts, key=natural_key)  # natural order: case and accents folded


def test_filters_and_facets(seeded_client) -> None:
    data = seeded_client.get("/claims.json?topic=ai-risk").get_json()
    assert data["rows"] and all(
        any(t["slug"] == "ai-risk" for t in r["topics"]) for r in data["rows"]
    )
    topic_facet = {f["value"]: f for f in data["facets"]["topic"]}
    assert topic_facet["ai-risk"]["selected"] and topic_facet["ai-risk"]["count"] == len(
        data["rows"]
    )
    both = seeded_client.get("/claims.json?person=elon-musk&position=supports").get_json()
    musk_supports = seeded_client.get("/people/elon-musk.json").get_json()["stances"]["supports"]
    assert {r["slug"] for r in both["rows"]} == {st["claim"]["slug"] for st in musk_supports}
    pos_facet = {f["value"]: f["count"] for f in both["facets"]["position"]}
    assert pos_facet["supports"] == len(both["rows"])
    sources = seeded_client.get("/sources.json?kind=blog_post&year=2017").get_json()
    assert sources["rows"] and all(
        r["kind"] == "blog_post" and r["published"].startswith("2017") for r in sources["rows"]
    )
    kind_facet = {f["value"]: f["count"] for f in sources["facets"]["kind"]}
    assert kind_facet["blog_post"] == len(sources["rows"])
    people = seeded_client.get("/people.json").get_json()
    # the affiliation facet lists only texts two or more people share: on the seed, none
    assert all(f["count"] >= 2 for f in people["facets"]["affiliation"])
    org = people["facets"]["organisation"][0]
    filtered = seeded_client.get("/people.json", query_string={"organisation": org["value"]})
    assert filtered.get_json()["pagination"]["total"] == org["count"]
    # ?affiliation= still filters by the exact text
    one = people["rows"][0]
    by_text = seeded_client.get("/people.json", query_string={"affiliation": one["affiliation"]})
    assert one["slug"] in {r["slug"] for r in by_text.get_json()["rows"]}


def test_sorting(seeded_client) -> None:
    rows = seeded_client.get("/claims.json?sort=stances").get_json()["rows"]
    totals = [r["supports"] + r["opposes"] + r["mixed"] for r in rows]
    assert totals == sorted(totals, reverse=True)
    dates = [
        r["published"]
        for r in seeded_client.get("/sources.json?sort=oldest").get_json()["rows"]
        if r["published"]
    ]
    assert dates == sorted(dates)
    people = seeded_client.get("/people.json?sort=stances").get_json()["rows"]
    assert [p["claims"] for p in people] == sorted((p["claims"] for p in people), reverse=True)


@pytest.mark.parametrize(
    ("path", "word"),
    [
        ("/claims?page=abc", "page"),
        ("/claims?page=0", "page"),
        ("/claims?per_page=-1", "per_page"),
        ("/claims?per_page=100000", "per_page"),
        ("/claims?sort=nope", "sort"),
        ("/claims?position=maybe", "position"),
        ("/claims?topic=no-such-topic", "topic"),
        ("/claims?person=no-such-person", "person"),
        ("/sources?kind=nope", "kind"),
        ("/sources?year=20x4", "year"),
        ("/people?sort=nope", "sort"),
        ("/topics?per_page=abc", "per_page"),
        ("/topics/ai-risk?sort=nope", "sort"),
        ("/search?q=x&kind=nope", "kind"),
    ],
)
def test_malformed_parameters_are_a_400_with_a_message(seeded_client, path, word) -> None:
    page = seeded_client.get(path)
    assert page.status_code == 400
    assert f"&#39;{word}&#39;" in page.get_data(as_text=True)
    base, _, query = path.partition("?")
    twin = seeded_client.get(f"{base}.json?{query}")
    assert twin.status_code == 400
    assert f"'{word}'" in twin.get_json()["error"]["message"]
    if base in ("/claims", "/sources", "/people", "/topics"):
        assert seeded_client.get(f"{base}.csv?{query}").status_code == 400


def test_page_size_is_capped_by_config(seeded_app) -> None:
    seeded_app.config["MAX_PAGE_SIZE"] = 3
    client = seeded_app.test_client()
    assert client.get("/claims.json?per_page=3").status_code == 200
    assert client.get("/claims.json?per_page=4").status_code == 400


@pytest.mark.parametrize("kind", ["people", "claims", "sources", "topics"])
def test_unknown_slugs_are_404_pages(seeded_client, kind) -> None:
    page = seeded_client.get(f"/{kind}/no-such-thing")
    assert page.status_code == 404
    assert "404" in page.get_data(as_text=True)
    twin = seeded_client.get(f"/{kind}/no-such-thing.json")
    assert twin.status_code == 404 and twin.get_json()["error"]["status"] == 404


def test_csv_twins_carry_the_filtered_rows(seeded_client) -> None:
    response = seeded_client.get("/claims.csv?topic=ai-risk")
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    json_rows = seeded_client.get("/claims.json?topic=ai-risk&per_page=200").get_json()["rows"]
    assert [r["slug"] for r in rows] == [r["slug"] for r in json_rows]
    assert all("ai-risk" in r["topics"].split(";") for r in rows)
    people = list(csv.reader(io.StringIO(seeded_client.get("/people.csv").get_data(as_text=True))))
    assert (
        people[0] == ["slug", "name", "affiliation", "claims", "quotes"]
        and len(people) == seed_count("people") + 1
    )
    html = seeded_client.get("/claims?topic=ai-risk").get_data(as_text=True)
    assert 'href="/claims.csv?topic=ai-risk"' in html
    assert 'href="/claims.json?topic=ai-risk"' in html


def test_csv_neutralises_formulas(session, app) -> None:
    make_person(session, slug="formula", name="=HYPERLINK(1)")
    session.commit()
    body = app.test_client().get("/people.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body


def _jsonld(html: str) -> list:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def test_detail_pages_embed_schema_org_jsonld(seeded_client) -> None:
    (person,) = _jsonld(seeded_client.get("/people/elon-musk").get_data(as_text=True))
    assert person["@type"] == "Person" and person["name"] == "Elon Musk"
    assert person["subjectOf"][0]["@type"] == "Quotation"
    assert person["subjectOf"][0]["isPartOf"]["@type"] == "CreativeWork"
    (claim,) = _jsonld(seeded_client.get("/claims/ai-existential-risk").get_data(as_text=True))
    assert claim["@type"] == "Claim" and claim["citation"]
    (source,) = _jsonld(seeded_client.get("/sources/chollet-limits").get_data(as_text=True))
    assert source["@type"] == "CreativeWork" and source["hasPart"][0]["@type"] == "Quotation"


def test_jsonld_cannot_close_its_script_element(session, app) -> None:
    evil = "</script><script>alert(1)</script><!--"
    person = make_person(session, slug="evil", name=evil, description=evil)
    claim = make_claim(session, slug="evil-claim", text=evil)
    make_stance(
        session,
        person,
        claim,
        evidence=[make_quote(session, person, make_source(session), text=evil)],
    )
    session.commit()
    client = app.test_client()
    for path in ("/people/evil", "/claims/evil-claim"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html
        (doc,) = _jsonld(html)
        assert evil in json.dumps(doc, ensure_ascii=False)
    assert session.get(Person, person.id).name == evil


def test_kept_aggregates_follow_every_write(session, app) -> None:
    client = app.test_client()
    assert client.get("/index.json").get_json()["counts"]["people"] == 0
    assert client.get("/people.json").get_json()["facets"]["affiliation"] == []
    make_person(session, slug="newcomer", name="Newcomer", affiliation="Synthetic Lab")
    session.commit()
    assert client.get("/index.json").get_json()["counts"]["people"] == 1
    # one person's own affiliation filters nothing: the facet lists texts people share
    assert client.get("/people.json").get_json()["facets"]["affiliation"] == []
    make_person(session, slug="second", name="Second", affiliation="Synthetic Lab")
    session.commit()
    assert client.get("/index.json").get_json()["counts"]["people"] == 2
    facet = client.get("/people.json").get_json()["facets"]["affiliation"]
    assert facet == [
        {"value": "Synthetic Lab", "label": "Synthetic Lab", "count": 2, "selected": False}
    ]


def test_a_chosen_person_always_shows_in_the_facet(session, app) -> None:
    claim = make_claim(session)
    people = [make_person(session, name=f"Synthetic Person {i:02d}") for i in range(35)]
    for p in people[:34]:
        make_stance(session, p, claim)
        make_stance(session, p, make_claim(session))
    make_stance(session, people[34], claim)
    session.commit()
    data = app.test_client().get(f"/claims.json?person={people[34].slug}").get_json()
    chosen = [f for f in data["facets"]["person"] if f["selected"]]
    assert chosen == [
        {"value": people[34].slug, "label": people[34].name, "count": 1, "selected": True}
    ]


def test_most_contested_is_most_evenly_split(session) -> None:
    from kb.queries.overview import contested_claims

    def claim_with(slug: str, supporters: int, opponents: int):
        claim = make_claim(session, slug=slug)
        for _ in range(supporters):
            make_stance(session, make_person(session), claim, "supports")
        for _ in range(opponents):
            make_stance(session, make_person(session), claim, "opposes")

    claim_with("three-three", 3, 3)
    claim_with("five-two", 5, 2)
    claim_with("two-two", 2, 2)
    claim_with("one-none", 1, 0)
    session.flush()
    ranked = contested_claims(session)
    # even splits first, the one with more people on its sides before the other
    assert [r["claim"]["slug"] for r in ranked] == ["three-three", "two-two", "five-two"]
    assert [r["evenness"] for r in ranked] == [1.0, 1.0, 0.4]
    assert ranked[0]["score"] > ranked[1]["score"] > ranked[2]["score"]


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("/claims?topic=ai-risk&per_page=4&page=2", "/claims/{slug}"),
        ("/people?sort=stances", "/people/{slug}"),
        ("/sources?year=2017", "/sources/{slug}"),
        ("/topics", "/topics/{slug}"),
    ],
)
def test_the_page_shows_exactly_its_twins_rows(seeded_client, path, link) -> None:
    base, _, query = path.partition("?")
    rows = seeded_client.get(f"{base}.json?{query}").get_json()["rows"]
    assert rows
    html = seeded_client.get(path).get_data(as_text=True)
    table = html[html.index("<main") :]
    shown = re.findall(r'<(?:th scope="row"[^>]*|li)>\s*<a href="(/[a-z]+/[^"#?]+)"', table)
    assert shown == [link.format(slug=r["slug"]) for r in rows]


def test_each_claim_facet_counts_the_list_its_value_would_give(session, app) -> None:
    """A facet value's count is the number of claims the list shows when that value replaces
    the filter, whatever the other filters are; facets are kept per combination of the
    *other* filters, so moving from topic to topic must not carry a stale count or selection
    along."""
    from tests.synthetic import generate

    generate(session, people=10, claims=40, sources=20, quotes=80, stances=300, seed=3)
    session.commit()
    client = app.test_client()

    def listing(**filters: str) -> dict:
        return client.get("/claims.json", query_string=filters).get_json()

    topics = [f["value"] for f in listing()["facets"]["topic"]]
    person = listing()["facets"]["person"][0]["value"]
    checked = 0
    for topic in topics[:4]:
        for position in ("", "supports", "opposes"):
            for who in ("", person):
                filters = {k: v for k, v in (("topic", topic), ("position", position)) if v}
                if who:
                    filters["person"] = who
                data = listing(**filters)
                for name in ("topic", "person", "position"):
                    selected = [f["value"] for f in data["facets"][name] if f["selected"]]
                    assert selected == ([filters[name]] if name in filters else [])
                    for f in data["facets"][name]:
                        other = {**filters, name: f["value"]}
                        total = listing(**other)["pagination"]["total"]
                        assert f["count"] == total, (filters, name, f)
                        checked += 1
    assert checked > 100


def test_favicon_answers_and_pages_link_an_svg_icon(client) -> None:
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert ico.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert "max-age=3600" in ico.headers["Cache-Control"]
    page = client.get("/people").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    svg = client.get(href)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_compare_without_a_pair_is_a_form_to_choose_two_people(seeded_client) -> None:
    page = seeded_client.get("/compare")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<form class="compare-choose" method="get" action="/compare">' in html
    assert 'name="a"' in html and 'name="b"' in html and '<option value="elon-musk">' in html
    # a name, a slug and a word of a name each find their person; the form leads to the pair
    found = seeded_client.get("/compare?a=Elon+Musk&b=Chollet&as_of=2020-01-01")
    assert found.status_code == 302
    assert found.headers["Location"] == "/compare/elon-musk/francois-chollet?as_of=2020-01-01"
    data = seeded_client.get("/compare.json?a=elon-musk&b=Hawking").get_json()
    assert data["compare"]["json"] == "/compare/elon-musk/stephen-hawking.json"
    assert seeded_client.get(data["compare"]["json"]).status_code == 200
    # nobody, the same person twice: said beside the field, nothing else happens
    data = seeded_client.get("/compare.json?a=zzzqqq&b=elon-musk").get_json()
    assert data["compare"] is None and "zzzqqq" in data["problems"]["a"]
    same = seeded_client.get("/compare?a=elon-musk&b=Elon+Musk")
    assert same.status_code == 200 and "Choose two different people." in same.get_data(True)
    assert seeded_client.get("/compare?a=" + "x" * 201).status_code == 400


def test_compare_lists_the_people_a_text_may_mean(session, app) -> None:
    for n in (1, 2):
        make_person(session, slug=f"ada-lovelace-{n}", name=f"Ada Lovelace {n}")
    session.commit()
    client = app.test_client()
    page = client.get("/compare?a=ada&b=ada-lovelace-2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Several people match &#39;ada&#39;" in html
    assert 'href="/compare?a=ada-lovelace-1&amp;b=ada-lovelace-2"' in html
    assert client.get("/compare?a=ada-lovelace-1&b=ada-lovelace-2").status_code == 302


def test_a_topic_has_a_csv_twin_of_its_claims(seeded_client) -> None:
    response = seeded_client.get("/topics/ai-risk.csv?sort=text")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    listed = seeded_client.get("/claims.json?topic=ai-risk&per_page=200").get_json()["rows"]
    assert rows and [r["slug"] for r in rows] == [r["slug"] for r in listed]
    assert seeded_client.get("/topics/no-such-topic.csv").status_code == 404


def test_search_has_a_formula_safe_csv_twin(session, app) -> None:
    speaker = make_person(session, slug="koala-fan", name="Koala Fan")
    make_quote(session, speaker, text="=HYPERLINK(1) wombats everywhere")
    make_claim(session, slug="wombat-claim", text="Wombats will audit the algorithms.")
    session.commit()
    client = app.test_client()
    response = client.get("/search.csv?q=wombats")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    hits = client.get("/search.json?q=wombats").get_json()["hits"]
    assert [r["kind"] for r in rows] == [h["kind"] for h in hits] and len(rows) == 2
    quote = next(r for r in rows if r["kind"] == "quote")
    assert quote["text"] == "'=HYPERLINK(1) wombats everywhere" and "<mark>" not in quote["text"]
    assert quote["speaker"] == "koala-fan" and quote["page"] == "/people/koala-fan"
    claim = next(r for r in rows if r["kind"] == "claim")
    assert claim["slug"] == "wombat-claim" and claim["page"] == "/claims/wombat-claim"
    page = client.get("/search?q=wombats").get_data(as_text=True)
    assert 'href="/search.csv?q=wombats"' in page


def test_a_long_history_is_previewed_on_the_page_and_whole_in_the_json(session, app) -> None:
    """A person page shows the HISTORY_PREVIEW most recent earlier stances and says how many
    there are, with a link to the rest; ?history=all and the JSON twin carry up to
    HISTORY_LIMIT."""
    import datetime as dt

    from kb.queries.listing import HISTORY_PREVIEW

    bea = make_person(session, slug="bea", name="Bea")
    n = HISTORY_PREVIEW + 3
    for i in range(n):
        claim = make_claim(session, slug=f"c-{i}", text=f"Claim number {i}.")
        make_stance(session, bea, claim, "opposes", as_of=dt.date(2010 + i, 1, 1))
        make_stance(session, bea, claim, "supports", as_of=dt.date(2030, 1, 1))
    session.commit()
    client = app.test_client()
    html = client.get("/people/bea").get_data(as_text=True)
    earlier = html[html.index('id="earlier-h"') : html.index('id="agree-most-h"')]
    assert earlier.count('class="stance earlier"') == HISTORY_PREVIEW
    assert f"the {HISTORY_PREVIEW} most recent of {n}" in earlier
    assert "Claim number 12." in earlier and "Claim number 0." not in earlier
    assert 'href="/people/bea?history=all#earlier-h"' in earlier
    whole = client.get("/people/bea?history=all").get_data(as_text=True)
    assert whole[whole.index('id="earlier-h"') :].count('class="stance earlier"') == n
    data = client.get("/people/bea.json").get_json()
    assert len(data["earlier_stances"]) == n and data["earlier_total"] == n
