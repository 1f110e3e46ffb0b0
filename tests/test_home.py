"""The home page: the people and the claims with their supporters and opponents, and the stance
matrix arranged so the split shows (people by camp, claims by topic, most divided first), for
any people and topic a reader picks."""

from __future__ import annotations

import re

from markupsafe import escape

from kb.graph.analysis import Camps, contested_score
from kb.naturalsort import natural_key
from kb.web.home_matrix import MAX_PICKED, default_people


def test_home_lists_people_and_sides(seeded_client) -> None:
    page = seeded_client.get("/").get_data(as_text=True)
    assert "François Chollet" in page and "Martin Rees" in page
    # the most contested claim of the seed, with people on both sides
    contested = seeded_client.get("/index.json").get_json()["contested"][0]
    assert str(escape(contested["claim"]["text"])) in page


def test_unknown_page_is_a_404_page(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "404" in response.get_data(as_text=True)


def _matrix(client, query: str = "") -> dict:
    return client.get("/index.json" + query).get_json()["matrix"]


def test_the_seed_fits_whole_on_the_matrix(seeded_client) -> None:
    counts = seeded_client.get("/index.json").get_json()["counts"]
    mx = _matrix(seeded_client)
    assert mx["people_shown"] == counts["people"] == len(mx["rows"]) == 28
    assert mx["claims_shown"] == counts["claims"] == len(mx["columns"]) == 20
    # the keys the twin has always had are still there, with their shapes
    assert [c["key"] for c in mx["columns"]] == [f"C{i}" for i in range(1, 21)]
    assert {"slug", "text", "summary"} <= set(mx["columns"][0])
    assert {"person", "cells"} <= set(mx["rows"][0])
    assert all(len(r["cells"]) == 20 for r in mx["rows"])
    assert mx["picked"] is False and mx["unknown"] == {}


def test_people_are_grouped_by_camp_then_in_natural_name_order(seeded_client) -> None:
    mx = _matrix(seeded_client)
    camps = [r["camp"] for r in mx["rows"]]
    assert camps == sorted(camps) and len(set(camps)) >= 2, "the seed splits into camps"
    for group in mx["camps"]:
        names = [r["person"]["name"] for r in mx["rows"] if r["camp"] == group["camp"]]
        assert names == sorted(names, key=natural_key)
        assert group["people"] == [
            r["person"]["slug"] for r in mx["rows"] if r["camp"] == group["camp"]
        ]
        assert group["label"].startswith(f"Camp {group['camp']}: ")
        assert group["size"] >= len(group["people"])
    html = seeded_client.get("/").get_data(as_text=True)
    # a heading per camp over its columns, and a divider where each camp starts
    for group in mx["camps"]:
        assert f'colspan="{len(group["people"])}" class="camp-start"' in html
    assert html.count('class="person camp-start"') == len(mx["camps"])


def test_claims_are_grouped_by_topic_most_divided_first(seeded_client) -> None:
    mx = _matrix(seeded_client)
    by_slug = {c["slug"]: c for c in mx["columns"]}
    # the groups cover the columns exactly, in column order
    assert [s for g in mx["groups"] for s in g["claims"]] == [c["slug"] for c in mx["columns"]]
    assert len(mx["groups"]) >= 2
    for group in mx["groups"]:
        scores = [by_slug[s]["score"] for s in group["claims"]]
        assert scores == sorted(scores, reverse=True)
        if group["topic"]:
            assert all(group["topic"] in by_slug[s]["topics"] for s in group["claims"]), (
                "a claim sits under one of its own topics"
            )
    for c in mx["columns"]:
        sides = c["sides"]
        assert c["score"] == round(contested_score(sides["supports"], sides["opposes"]), 3)
    # the most divided group comes first
    first = [by_slug[g["claims"][0]]["score"] for g in mx["groups"] if g["topic"]]
    assert first == sorted(first, reverse=True)


def test_each_claim_counts_its_supporters_and_opponents_like_the_contested_list(
    seeded_client,
) -> None:
    data = seeded_client.get("/index.json").get_json()
    by_slug = {c["slug"]: c for c in data["matrix"]["columns"]}
    for row in data["contested"]:
        sides = by_slug[row["claim"]["slug"]]["sides"]
        assert sides == {k: row[k] for k in ("supports", "opposes", "mixed")}
    html = seeded_client.get("/").get_data(as_text=True)
    # the bar has its numbers as text too
    top = data["contested"][0]
    assert f'✓ {top["supports"]}<span class="visually-hidden"> supporting' in html
    assert html.count('<span class="bar" aria-hidden="true">') == 20


def test_cells_link_to_the_evidence_but_stay_out_of_the_tab_order(seeded_client) -> None:
    html = seeded_client.get("/").get_data(as_text=True)
    cells = re.findall(r'<a href="/claims/[^"#]+#person-[^"]+" tabindex="-1"', html)
    assert 'href="/claims/ai-existential-risk#person-elon-musk" tabindex="-1"' in html
    assert len(cells) == len(re.findall(r'<td class="cell cell-(?:supports|opposes|mixed)', html))
    # the keyboard reaches every claim and every person from the headers, and can skip it all
    assert '<a class="skip-table" href="#after-matrix">Skip the table</a>' in html
    assert 'id="after-matrix"' in html
    # each position shows its glyph and its word, not colour alone
    assert re.search(r'cell-supports"><a [^>]+><span aria-hidden="true">✓</span>', html)
    assert '<span class="visually-hidden">Opposes</span>' in html


def test_a_reader_picks_people_and_a_topic(seeded_client) -> None:
    mx = _matrix(seeded_client, "?people=yann-lecun,elon-musk&people=geoffrey-hinton")
    assert mx["picked"] is True
    assert sorted(r["person"]["slug"] for r in mx["rows"]) == [
        "elon-musk",
        "geoffrey-hinton",
        "yann-lecun",
    ]
    assert [r["camp"] for r in mx["rows"]] == sorted(r["camp"] for r in mx["rows"])
    topic = seeded_client.get("/topics.json").get_json()["rows"][0]
    mx = _matrix(seeded_client, f"?topic={topic['slug']}")
    assert mx["topic"]["slug"] == topic["slug"]
    assert [g["topic"]["slug"] for g in mx["groups"]] == [topic["slug"]]
    assert all(any(t["slug"] == topic["slug"] for t in c["topics"]) for c in mx["columns"]), (
        "only that topic's claims"
    )
    page = seeded_client.get(f"/?topic={topic['slug']}&people=elon-musk").get_data(as_text=True)
    assert f'<option value="{topic["slug"]}" selected>' in page
    assert 'name="people" value="elon-musk"' in page
    assert '<form method="get" action="/">' in page


def test_unknown_slugs_are_named_not_a_server_error(seeded_client) -> None:
    response = seeded_client.get("/?people=elon-musk,no-such-person&topic=no-such-topic")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "No person has the slug <code>no-such-person</code>" in html
    assert "No topic has the slug <code>no-such-topic</code>" in html
    assert "Elon Musk" in html  # the one that exists is still shown
    twin = seeded_client.get("/index.json?people=elon-musk,no-such-person&topic=no-such-topic")
    assert twin.status_code == 400
    assert twin.get_json()["matrix"]["unknown"] == {
        "people": ["no-such-person"],
        "topic": "no-such-topic",
    }
    escaped = seeded_client.get("/?people=<script>x</script>").get_data(as_text=True)
    assert "<script>x</script>" not in escaped


def test_the_number_of_people_and_slug_length_are_limited(seeded_client) -> None:
    many = ",".join(f"p{i}" for i in range(MAX_PICKED + 1))
    response = seeded_client.get(f"/?people={many}")
    assert response.status_code == 400
    assert f"at most {MAX_PICKED}" in response.get_data(as_text=True)
    assert seeded_client.get("/?people=" + "x" * 500).status_code == 400
    assert seeded_client.get("/index.json?topic=a&topic=b").status_code == 400


def test_at_size_every_camp_is_represented_by_its_best_evidenced() -> None:
    camps = Camps([[1, 2, 3, 4, 5, 6], [7, 8, 9], [10]])
    evidence = {1: 1, 2: 9, 3: 5, 4: 5, 5: 2, 6: 0, 7: 3, 8: 8, 9: 1, 10: 4}
    assert default_people(camps, evidence, limit=20) == camps.order()  # all fit: everyone
    chosen = default_people(camps, evidence, limit=5)
    assert len(chosen) == 5
    assert {camps.camp_of[p] for p in chosen} == {1, 2, 3}
    # each camp's most evidenced first (ties by id); the small camp's unused turn goes on
    assert chosen == [2, 8, 10, 3, 7]
