"""The opinion map (kb.graph.opinion_map, kb.graph.map_svg, kb.graph.labels) and /graph's map
view: people who agree land together and stay put as data grows, camps keep their numbers and
get names from their members, drawn labels never overlap, and the page and its JSON twin show
the same map."""

from __future__ import annotations

import math
import re
import time

import numpy as np
import pytest
from markupsafe import escape

from kb.graph import analysis, labels, map_svg, opinion_map
from kb.graph.agreement import Agreement, LatestStances, pair_counts

# --- hand-made agreement graphs ------------------------------------------------------------


def agreement_from(stances: dict[int, dict[int, int]]) -> Agreement:
    """The agreement graph of {person: {claim: sign}} (sign +1 supports, -1 opposes, 0 mixed),
    counted by the real pair_counts; names are "P<id>"."""
    rows = [(p, c, s) for p, held in stances.items() for c, s in held.items()]
    person, claim, sign = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
    ids, counts, i, j, ag, dis, sh = pair_counts(person, claim, sign)
    return Agreement(
        ids,
        counts,
        i,
        j,
        ag,
        dis,
        sh,
        people={int(p): (f"p{p}", f"P{p}") for p in ids},
        latest=LatestStances(person, claim, sign),
    )


def two_sides(extra: dict[int, dict[int, int]] | None = None) -> Agreement:
    """People 1-4 support claims 1-6, people 5-8 oppose them; person 9 is on no side (mixed)."""
    stances: dict[int, dict[int, int]] = {p: dict.fromkeys(range(1, 7), 1) for p in (1, 2, 3, 4)}
    stances |= {p: dict.fromkeys(range(1, 7), -1) for p in (5, 6, 7, 8)}
    stances[9] = {1: 0, 2: 1, 3: -1}
    stances |= extra or {}
    return agreement_from(stances)


def coords(agreement: Agreement) -> dict[int, tuple[float, float]]:
    xy = opinion_map.project(agreement)
    return {
        int(p): (float(x), float(y)) for p, (x, y) in zip(agreement.person_ids, xy, strict=True)
    }


def dist(c: dict[int, tuple[float, float]], a: int, b: int) -> float:
    return math.hypot(c[a][0] - c[b][0], c[a][1] - c[b][1])


# --- the projection ------------------------------------------------------------------------


def test_people_who_always_agree_land_closer_than_people_who_always_disagree() -> None:
    c = coords(two_sides())
    assert all(-1.0 <= v <= 1.0 for xy in c.values() for v in xy)
    same_side = max(dist(c, a, b) for a in (1, 2, 3, 4) for b in (1, 2, 3, 4))
    across = min(dist(c, a, b) for a in (1, 2, 3, 4) for b in (5, 6, 7, 8))
    assert same_side < across / 4


def test_the_same_input_gives_the_same_coordinates() -> None:
    assert np.array_equal(opinion_map.project(two_sides()), opinion_map.project(two_sides()))


def test_axes_are_oriented_by_the_lowest_id_person() -> None:
    """Person 1 is off-centre on the first axis, so it is on its left (negative) side."""
    c = coords(two_sides())
    assert c[1][0] < 0 < c[5][0]


def test_adding_an_unrelated_person_flips_neither_the_axes_nor_the_camp_order() -> None:
    before = two_sides()
    # person 50 holds stances only on claims nobody else holds
    after = two_sides({50: {100: 1, 101: -1}})
    c0, c1 = coords(before), coords(after)
    for p in (1, 5):
        assert np.sign(c0[p][0]) == np.sign(c1[p][0])
    camps0, camps1 = analysis.camps(before), analysis.camps(after)
    assert camps0.members[: len(camps0.members)] == [m for m in camps1.members if 50 not in m]


def test_camps_are_numbered_by_their_lowest_member_not_their_size() -> None:
    # people 5-8 and 10-13 oppose: a bigger camp than 1-4, yet 1-4 holds person 1, so camp 1
    extra = {p: dict.fromkeys(range(1, 7), -1) for p in (10, 11, 12, 13)}
    camps = analysis.camps(two_sides(extra))
    assert set(camps.members[0]) == {1, 2, 3, 4}
    assert {5, 6, 7, 8} <= set(camps.members[1])
    assert camps.camp_of[1] == 1 and camps.order()[:4] == camps.members[0]


def test_camp_names_come_from_the_best_documented_members() -> None:
    agreement = two_sides({3: dict.fromkeys(range(1, 9), 1)})  # person 3 holds the most
    camps = analysis.camps(agreement)
    assert analysis.camp_name(camps.members[0], agreement) == "P3, P1 and 2 others"
    assert analysis.camp_name([1, 2], agreement) == "P1 and P2"
    assert analysis.camp_name([1, 2, 4], agreement, shown=2) == "P1, P2 and 1 other"


def test_projection_of_two_thousand_people_is_quick() -> None:
    """2,000 people on 400 claims, 60 stances each, in four opinion groups."""
    rng = np.random.default_rng(7)
    n, m, k = 2000, 400, 60
    group_view = rng.choice([-1, 1], size=(4, m))
    stances = {}
    for p in range(1, n + 1):
        held = rng.choice(m, size=k, replace=False)
        flip = rng.random(k) < 0.2
        signs = np.where(flip, -group_view[p % 4, held], group_view[p % 4, held])
        stances[p] = dict(zip(held.tolist(), signs.tolist(), strict=True))
    agreement = agreement_from(stances)
    start = time.perf_counter()
    xy = opinion_map.project(agreement)
    took = time.perf_counter() - start
    assert xy.shape == (n, 2) and np.isfinite(xy).all()
    # well under a second on a quiet machine; the bound leaves room for a busy test runner
    assert took < 3.0, took
    # the four groups come out as four clusters: each person's nearest neighbour shares it
    group = np.arange(1, n + 1) % 4
    centres = np.array([xy[group == g].mean(axis=0) for g in range(4)])
    nearest = np.argmin(((xy[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    assert (nearest == group).mean() > 0.9


# --- the claims that divide the camps, and who agrees with whom most ---------------------


def test_a_claim_the_camps_split_on_ranks_first_and_a_shared_one_not_at_all() -> None:
    # claim 7: everyone supports; claims 1-6: the two camps split
    agreement = two_sides({p: {**dict.fromkeys(range(1, 7), 1), 7: 1} for p in (1, 2, 3, 4)})
    for p in (5, 6, 7, 8):
        agreement.latest = LatestStances(
            np.append(agreement.latest.persons, p),
            np.append(agreement.latest.claims, 7),
            np.append(agreement.latest.signs, 1),
        )
    camps = analysis.camps(agreement)
    found = opinion_map.dividing_claims(agreement.latest, camps)
    assert {d.claim_id for d in found} == set(range(1, 7))
    first = found[0]
    assert (first.supporters, first.opponents) == (4, 4)
    assert first.lean[:2] == (1.0, -1.0)


def test_closest_matches_agreement_most_for_everyone() -> None:
    rng = np.random.default_rng(3)
    stances = {p: {int(c): int(rng.choice([-1, 1])) for c in rng.choice(12, 6)} for p in range(30)}
    agreement = agreement_from(stances)
    best = opinion_map.closest(agreement)
    for p in agreement.person_ids.tolist():
        top = agreement.most(p, 1)[0]
        if not top:
            assert p not in best
            continue
        pair = agreement.pair(p, best[p])
        assert (pair.score, pair.shared) == (top[0].score, top[0].shared)


# --- label placement -----------------------------------------------------------------------


def test_placed_labels_never_overlap_and_stay_inside() -> None:
    rng = np.random.default_rng(11)
    bounds = (0.0, 0.0, 600.0, 400.0)
    wanted = [
        labels.Candidate(k, float(x), float(y), 5.0, f"Person number {k}", 14)
        for k, (x, y) in enumerate(rng.random((80, 2)) * [600, 400])
    ]
    taken = [(250.0, 180.0, 350.0, 220.0)]
    placed = labels.place(wanted, bounds, 12, taken=taken)
    assert 6 <= len(placed) <= 12
    boxes = [p.box for p in placed]
    for a in range(len(boxes)):
        assert labels.inside(boxes[a], bounds)
        assert not labels.overlaps(boxes[a], taken[0])
        for b in range(a + 1, len(boxes)):
            assert not labels.overlaps(boxes[a], boxes[b])
    # the earlier a candidate in the priority order, the likelier it is labelled: the first is
    assert placed[0].key == 0


def test_map_svg_labels_at_most_the_limit_and_links_every_person() -> None:
    agreement = two_sides()
    camps = analysis.camps(agreement)
    found = opinion_map.build_map(agreement, camps)
    people = [
        map_svg.MapPerson(p, f"<b>{p}</b> & co", f"/people/p{p}", camps.camp_of.get(p), *xy, "t")
        for p, xy in found.coords.items()
    ]
    named = [map_svg.MapCamp(k + 1, n) for k, n in enumerate(found.names)]
    drawn = map_svg.render_map(people, named, found.priority, "A <map>", labels=3)
    assert len(drawn.labelled) == 3
    assert drawn.svg.count('<a href="/people/') == len(people)
    assert drawn.svg.count("<title>") == len(people) + 1
    assert "<b>" not in drawn.svg and "&lt;b&gt;1&lt;/b&gt; &amp; co" in drawn.svg
    assert len(re.findall(r'class="lbl"', drawn.svg)) == 3
    assert "Camp 1" in drawn.svg and "Camp 2" in drawn.svg


# --- the page ------------------------------------------------------------------------------


def test_graph_page_shows_the_opinion_map_and_its_json_twin_the_same(seeded_client) -> None:
    html = seeded_client.get("/graph").get_data(as_text=True)
    data = seeded_client.get("/graph.json").get_json()
    people = data["map"]["people"]
    assert len(people) == len({m["slug"] for c in data["camps"] for m in c["members"]})
    # two pictures (wide, phone), each linking every person; at most 12 names drawn
    assert html.count('class="opinion-map') == 2
    wide = html[html.index('<div class="map-wide">') : html.index('<div class="map-narrow">')]
    assert wide.count('<a href="/people/') == len(people)
    assert 0 < wide.count('class="lbl"') <= 12
    assert sum(p["labelled"] for p in people) == wide.count('class="lbl"')
    # the plain table: every person with their camp and who they agree with most
    table = html[html.index('<details class="map-table">') :]
    assert table.count('<tr><th scope="row">') == len(people)
    assert "Agrees most with" in table
    # the dividing claims beside the map, with their counts
    for d in data["map"]["dividing"][:3]:
        assert str(escape(d["text"])) in html and d["supporters"] >= 1 and d["opponents"] >= 1
    for c in data["map"]["camps"]:
        assert c["name"] and c["shape"] in ("circle", "square", "triangle", "diamond")
    # no jargon on the page; the numbers stay in the JSON
    for word in ("betweenness 0", "score 1.", "Louvain, fixed seed"):
        assert word not in html
    assert "betweenness" in data["bridges"][0] and "score" in data["contested"][0]


def test_view_stances_keeps_the_old_graph_and_a_bad_view_is_a_400(seeded_client) -> None:
    html = seeded_client.get("/graph?view=stances").get_data(as_text=True)
    assert 'class="kb-graph"' in html and 'class="opinion-map' not in html
    assert seeded_client.get("/graph?view=nonsense").status_code == 400
    camp = seeded_client.get("/graph?camp=1").get_data(as_text=True)
    assert 'class="kb-graph"' in camp  # a camp filter leaves few nodes: the stance graph
    assert 'class="opinion-map' in seeded_client.get("/graph?camp=1&view=map").get_data(
        as_text=True
    )


@pytest.mark.parametrize("as_of", ["2018-12-31", ""])
def test_camp_one_holds_the_lowest_id_person_on_every_date(seeded_client, as_of) -> None:
    data = seeded_client.get(f"/graph.json?as_of={as_of}" if as_of else "/graph.json").get_json()
    first = min((n for n in data["nodes"] if n["kind"] == "person"), key=lambda n: int(n["id"][7:]))
    assert first["camp"] == 1
