"""Counts a reader can trust: a person's or a claim's page counts every latest stance (never
just the page shown), in the tabs, the headings, the JSON twin and the lists alike; each
position is paged on its own; the long facets say how many values they have, list more on
request and can be searched; a person's page opens with a one-line summary; and the person
and claim pages never show kb's internal ids to readers.

The data is built here: one prolific person with more stances in a position than a page
holds, and one claim with more supporters than a page.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from kb import models as m
from kb.queries.contested import CONTESTED_RULE, contested_score
from tests.factories import make_source

SUPPORTS, OPPOSES, MIXED = 57, 23, 3
"""The prolific person's latest stances: more supports than a page (PAGE_SIZE is 50)."""
BACKERS, CRITICS = 53, 31
"""The busy claim's supporters and opponents."""


@pytest.fixture
def world(session, app):
    """The prolific person, the busy claim and its voices, added in one flush (fast)."""
    source = make_source(session)
    prolific = m.Person(slug="prolific", name="Prolific Writer")
    for i in range(SUPPORTS + OPPOSES + MIXED):
        position = "supports" if i < SUPPORTS else "opposes" if i < SUPPORTS + OPPOSES else "mixed"
        claim = m.Claim(slug=f"pc-{i:03d}", text=f"Prolific claim {i:03d}.")
        session.add(_stance(prolific, claim, position, source))
    busy = m.Claim(slug="busy", text="A claim many people weigh in on.")
    for i in range(BACKERS + CRITICS):
        who = m.Person(slug=f"voice-{i:03d}", name=f"Voice {i:03d}")
        session.add(_stance(who, busy, "supports" if i < BACKERS else "opposes", source))
    session.commit()
    return app.test_client()


def _stance(person: m.Person, claim: m.Claim, position: str, source: m.Source) -> m.Stance:
    quote = m.Quote(
        text="Words.", speaker=person, source=source, attribution="verbatim", checked="primary"
    )
    return m.Stance(
        person=person, claim=claim, position=position, basis="explicit", evidence=[quote]
    )


def _direct(session, **where) -> dict[str, int]:
    rows = session.execute(
        select(m.Stance.position, func.count())
        .filter_by(latest=True, **where)
        .group_by(m.Stance.position)
    )
    return {p: 0 for p in m.POSITIONS} | dict(rows.all())


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_person_page_counts_every_stance_not_the_page(world, session) -> None:
    person = session.scalar(select(m.Person).filter_by(slug="prolific"))
    direct = _direct(session, person_id=person.id)
    assert direct == {"supports": SUPPORTS, "opposes": OPPOSES, "mixed": MIXED}
    data = world.get("/people/prolific.json").get_json()
    assert data["counts"] == {**direct, "total": SUPPORTS + OPPOSES + MIXED}
    assert data["pagination"]["total"] == SUPPORTS + OPPOSES + MIXED
    text = _text(world.get("/people/prolific").get_data(as_text=True))
    assert "Showing 0–0" not in text
    assert f"Supports {SUPPORTS}" in text and f"Opposes {OPPOSES}" in text
    assert f"Mixed {MIXED}" in text and f"See all {SUPPORTS} supporting stances" in text
    # the lists agree: the people list's split and the claim list filtered by the person
    row = next(
        r
        for r in world.get("/people.json?sort=stances").get_json()["rows"]
        if r["slug"] == "prolific"
    )
    assert (row["supports"], row["opposes"], row["mixed"]) == (SUPPORTS, OPPOSES, MIXED)
    assert row["claims"] == SUPPORTS + OPPOSES + MIXED
    listed = world.get("/claims.json?person=prolific").get_json()
    assert listed["pagination"]["total"] == SUPPORTS + OPPOSES + MIXED
    facet = {f["value"]: f["count"] for f in listed["facets"]["position"]}
    assert facet == direct


def test_both_sides_are_on_a_person_page_and_each_pages_on_its_own(world) -> None:
    first = world.get("/people/prolific.json").get_json()
    assert (
        first["stances"]["supports"] and first["stances"]["opposes"] and first["stances"]["mixed"]
    )
    supports = [
        st["claim"]["slug"]
        for page in (1, 2)
        for st in world.get(f"/people/prolific.json?position=supports&page={page}").get_json()[
            "stances"
        ]["supports"]
    ]
    assert len(supports) == len(set(supports)) == SUPPORTS  # 50, then the last 7
    second = world.get("/people/prolific.json?position=supports&page=2").get_json()
    assert second["pagination"] == {"page": 2, "per_page": 50, "total": SUPPORTS, "pages": 2}
    assert not second["stances"]["opposes"]
    html = world.get("/people/prolific?position=opposes&per_page=10&page=3").get_data(as_text=True)
    assert f"Showing 21–{OPPOSES} of {OPPOSES} claims" in _text(html)
    assert 'rel="prev"' in html and 'rel="next"' not in html
    # the tab of the position shown is the current one
    assert re.search(r'href="[^"]*position=opposes[^"]*" aria-current="page"', html)


def test_a_claim_page_counts_both_sides_whatever_the_page(world, session) -> None:
    claim = session.scalar(select(m.Claim).filter_by(slug="busy"))
    assert _direct(session, claim_id=claim.id)["supports"] == BACKERS
    for url in ("/claims/busy", "/claims/busy?position=opposes&page=2&per_page=20"):
        text = _text(world.get(url).get_data(as_text=True))
        assert f"Supporters {BACKERS}" in text and f"Opponents {CRITICS}" in text, url
    data = world.get("/claims/busy.json?position=supports&page=2").get_json()
    assert data["counts"] == {"supports": BACKERS, "opposes": CRITICS, "mixed": 0, "total": 84}
    assert len(data["sides"]["supports"]) == BACKERS - 50 and not data["sides"]["opposes"]
    default = world.get("/claims/busy.json").get_json()
    assert len(default["sides"]["supports"]) == len(default["sides"]["opposes"]) == 10
    # the claim list's row for it says the same
    row = next(
        r for r in world.get("/claims.json?sort=stances").get_json()["rows"] if r["slug"] == "busy"
    )
    assert (row["supports"], row["opposes"]) == (BACKERS, CRITICS)


def test_the_person_facet_offers_more_and_a_search(world) -> None:
    data = world.get("/claims.json").get_json()
    more = data["facet_more"]["person"]
    assert len(data["facets"]["person"]) == more["shown"] == 30
    assert more["total"] == 1 + BACKERS + CRITICS  # everyone with a stance
    html = world.get("/claims").get_data(as_text=True)
    assert f"Show all {more['total']}" in html and 'name="person_q"' in html
    wider = world.get(f"/claims.json?facet_limit={more['total']}").get_json()
    assert len(wider["facets"]["person"]) == more["total"]
    found = world.get("/claims.json?person_q=prolific").get_json()
    assert [f["value"] for f in found["facets"]["person"]] == ["prolific"]
    assert found["facets"]["person"][0]["count"] == SUPPORTS + OPPOSES + MIXED
    assert world.get("/claims.json?facet_limit=0").status_code == 400
    assert world.get("/claims.json?person_q=" + "x" * 101).status_code == 400


def test_sorting_by_contest_follows_the_one_score(world, session) -> None:
    rows = world.get("/claims.json?sort=contested&per_page=200").get_json()["rows"]
    scores = [contested_score(r["supports"], r["opposes"]) for r in rows]
    assert rows[0]["slug"] == "busy" and scores == sorted(scores, reverse=True)
    assert CONTESTED_RULE in world.get("/claims?sort=contested").get_data(as_text=True).replace(
        "&#39;", "'"
    )
    body = world.get("/claims.csv?sort=contested").get_data(as_text=True)
    csv_rows = list(csv.reader(io.StringIO(body)))
    assert [row[0] for row in csv_rows[1:]] == [r["slug"] for r in rows]


def test_the_seed_agrees_on_the_most_contested_everywhere(seeded_app) -> None:
    """The graph's list (kb.graph.cached.contested, the one the home page should show too)
    and the claim list sorted by contest give the same claims in the same order."""
    from kb.graph import cached
    from kb.web.database import session_scope

    client = seeded_app.test_client()
    listed = [r["slug"] for r in client.get("/claims.json?sort=contested").get_json()["rows"]]
    with seeded_app.app_context(), session_scope() as session:
        graph = [c.slug for c in cached.contested(session, 10)]
    assert graph and graph == listed[: len(graph)]


def test_a_person_page_opens_with_a_summary_line(seeded_client) -> None:
    html = seeded_client.get("/people/geoffrey-hinton").get_data(as_text=True)
    summary = _text(re.search(r'<p class="person-summary">.*?</p>', html, re.S).group(0))
    assert re.search(r"In Camp \d+: ", summary)
    assert "Agrees most with " in summary and "Disagrees most with Yann LeCun" in summary


SEED_IDS = re.compile(r"\bQ_[A-Z]{2,}_\d+\b|\bC\d{2,}\b")
"""The fact sheet's quote ids ("Q_HA_02") and claim ids ("C02")."""


def test_no_internal_ids_on_public_person_and_claim_pages(seeded_client) -> None:
    people = seeded_client.get("/people.json?per_page=200").get_json()["rows"]
    claims = seeded_client.get("/claims.json?per_page=200").get_json()["rows"]
    pages = [f"/people/{p['slug']}" for p in people] + [f"/claims/{c['slug']}" for c in claims]
    leaks = {}
    for url in pages:
        html = re.sub(
            r"<script.*?</script>", "", seeded_client.get(url).get_data(as_text=True), flags=re.S
        )
        if found := SEED_IDS.findall(html):
            leaks[url] = found
    assert leaks == {}
    # the notes that held them are still shown, in words
    text = _text(seeded_client.get("/people/stephen-hawking").get_data(as_text=True))
    assert "is co-authored text" in text


def test_notes_for_readers_word_ids_plainly() -> None:
    from kb.web.reader_text import for_readers

    assert for_readers("Q_HA_02 is co-authored text.", 1) == "The quote is co-authored text."
    assert for_readers("C02 entails C01") == ""
    assert for_readers("x (Q_CH_07, first sentence); Q_RE_09 too.") == (
        "x (one of the quotes, first sentence); another quote too."
    )
    assert for_readers("a premise, not sufficient alone") == "a premise, not sufficient alone"


def test_people_are_listed_in_natural_order_on_pages_json_and_csv(client, session) -> None:
    """ "Person 2" before "Person 10" (numbers by value), "émile" beside "Emile", on every page
    of the list and in its CSV twin."""
    from tests.factories import make_person

    for name in ["Person 10", "Person 2", "person 1", "Émile", "Ada", "Person 124", "Person 25"]:
        make_person(session, name=name, slug=name.lower().replace(" ", "-").replace("é", "e"))
    session.commit()
    expected = ["Ada", "Émile", "person 1", "Person 2", "Person 10", "Person 25", "Person 124"]
    pages = [client.get(f"/people.json?per_page=3&page={n}").get_json()["rows"] for n in (1, 2, 3)]
    assert [r["name"] for page in pages for r in page] == expected
    body = client.get("/people.csv").get_data(as_text=True)
    assert [row[1] for row in list(csv.reader(io.StringIO(body)))[1:]] == expected
    html = client.get("/people").get_data(as_text=True)
    assert html.index("Person 2<") < html.index("Person 10<") < html.index("Person 124<")


def test_claims_and_sources_sorted_by_text_are_in_natural_order(client, session) -> None:
    """The claim list by text and the source list by title count "2" before "10" too, on
    every page, in the JSON twin and in the CSV twin."""
    from tests.factories import make_claim

    texts = [
        "Claim 10 holds.",
        "claim 2 holds.",
        "Claim 1 holds.",
        "Ábaco first.",
        "Claim 25 holds.",
    ]
    for n, t in enumerate(texts):
        make_claim(session, text=t, slug=f"natural-claim-{n}")
        make_source(session, title=t.replace("laim", "art"), slug=f"natural-source-{n}")
    session.commit()
    expected = [
        "Ábaco first.",
        "Claim 1 holds.",
        "claim 2 holds.",
        "Claim 10 holds.",
        "Claim 25 holds.",
    ]
    pages = [client.get(f"/claims.json?per_page=2&page={n}").get_json()["rows"] for n in (1, 2, 3)]
    assert [r["text"] for page in pages for r in page] == expected
    body = client.get("/claims.csv").get_data(as_text=True)
    header, *rows = list(csv.reader(io.StringIO(body)))
    assert [row[header.index("text")] for row in rows] == expected
    titles = [t.replace("laim", "art") for t in expected]
    pages = [
        client.get(f"/sources.json?sort=title&per_page=2&page={n}").get_json()["rows"]
        for n in (1, 2, 3)
    ]
    assert [r["title"] for page in pages for r in page] == titles
    body = client.get("/sources.csv?sort=title").get_data(as_text=True)
    header, *rows = list(csv.reader(io.StringIO(body)))
    assert [row[header.index("title")] for row in rows] == titles


def _claim_lists(session) -> list[tuple]:
    """Every topic x position filter of the claim list: its first page, total and facets."""
    from kb.pagination import PageRequest
    from kb.queries.claims import claims_listing

    filters = [None, *session.scalars(select(m.Topic.slug))]
    lists = []
    for topic in filters:
        for position in (None, *m.POSITIONS):
            listing = claims_listing(session, PageRequest(1, 10), topic, None, position)
            lists.append(
                (listing.page.items, listing.page.total, listing.facets, listing.facet_more)
            )
    return lists


def test_the_claim_list_counts_the_same_from_the_stored_sides_as_from_the_stances(
    seeded_app, session
) -> None:
    """While the agreement store is in step, the list's positions are read from its claim
    sides; out of step, from the latest stances themselves: a reader sees the same counts."""
    from kb.queries.claims import stored_sides
    from kb.queries.listing import FACETS, MEMO

    MEMO.clear(), FACETS.clear()
    assert stored_sides(session)
    stored = _claim_lists(session)
    session.execute(m.AgreementState.__table__.update().values(data_version=-1))
    MEMO.clear(), FACETS.clear()
    assert not stored_sides(session)
    assert _claim_lists(session) == stored
    assert any(total for _items, total, _f, _more in stored[1:4])  # some claims are held
