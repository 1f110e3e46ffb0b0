"""The graph layer (kb.graph): agreement counts and score, latest stances and as_of, camps,
contested claims, tensions, bridges, the viewpoint and ego graphs, caps, and the cache."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import networkx as nx
import numpy as np
import pytest

from kb import graph
from kb.graph import analysis, cache, cached
from kb.graph.agreement import Agreement, LatestStances, pair_counts
from kb.load.seed import load_seed, seed_document
from tests.factories import make_claim, make_person, make_stance
from tests.helpers import seed_count

# --- the score rule on hand-made cases ---------------------------------------------------


def counts_by_pair(person, claim, sign):
    ids, _n, i, j, ag, dis, sh = pair_counts(np.array(person), np.array(claim), np.array(sign))
    return {
        (int(ids[a]), int(ids[b])): (int(x), int(y), int(z))
        for a, b, x, y, z in zip(i, j, ag, dis, sh, strict=True)
    }


def test_score_rule_on_hand_made_pairs() -> None:
    # claims 1..4; person 10: +1 +1 -1 mixed; person 20: +1 -1 -1 +1; person 30: only claim 9
    person = [10, 10, 10, 10, 20, 20, 20, 20, 30]
    claim = [1, 2, 3, 4, 1, 2, 3, 4, 9]
    sign = [1, 1, -1, 0, 1, -1, -1, 1, 1]
    pairs = counts_by_pair(person, claim, sign)
    # agree on 1 (both support) and 3 (both oppose), disagree on 2, claim 4 shared but mixed
    assert pairs == {(10, 20): (2, 1, 4)}  # 30 shares nothing: no edge
    assert graph.score_of(2, 1, 4) == pytest.approx(0.25)
    assert graph.score_of(0, 3, 3) == -1.0
    assert graph.score_of(5, 0, 5) == 1.0
    assert graph.score_of(0, 0, 2) == 0.0  # all mixed: shared, but neither
    assert graph.score_of(0, 0, 0) == 0.0


@pytest.mark.parametrize(
    "dense_limit, hot_min",
    [(6000, 64), (6000, 1), (1, 64)],
    ids=["dense+sparse tail", "all claims dense", "sparse only"],
)
def test_pair_counts_match_a_plain_count_on_random_data(monkeypatch, dense_limit, hot_min) -> None:
    from kb.graph import agreement as agreement_module

    monkeypatch.setattr(agreement_module, "DENSE_PEOPLE_LIMIT", dense_limit)
    monkeypatch.setattr(agreement_module, "HOT_CLAIM_MIN", hot_min)
    rng = np.random.default_rng(7)
    rows = {(int(p), int(c)): int(s) for p, c, s in rng.integers([0, 0, -1], [25, 40, 2], (400, 3))}
    person, claim, sign = zip(*((p, c, s) for (p, c), s in rows.items()), strict=True)
    got = counts_by_pair(person, claim, sign)
    held: dict[int, dict[int, int]] = {}
    for (p, c), s in rows.items():
        held.setdefault(p, {})[c] = s
    expected = {}
    for a, b in itertools.combinations(sorted(held), 2):
        shared = set(held[a]) & set(held[b])
        if not shared:
            continue
        ag = sum(1 for c in shared if held[a][c] != 0 and held[a][c] == held[b][c])
        dis = sum(1 for c in shared if held[a][c] * held[b][c] == -1)
        expected[(a, b)] = (ag, dis, len(shared))
    assert got == expected


# --- from the database: latest stances, as_of, seed ----------------------------------------


def test_latest_dated_stance_counts_and_as_of_rewinds(session) -> None:
    a, b = make_person(session, name="Ada"), make_person(session, name="Bo")
    x, y = make_claim(session), make_claim(session)
    make_stance(session, a, x, "supports", as_of=dt.date(2015, 1, 1))
    make_stance(session, a, x, "opposes", as_of=dt.date(2020, 1, 1))
    make_stance(session, a, y, "supports")  # undated, and a dated one below wins over it
    make_stance(session, a, y, "opposes", as_of=dt.date(2019, 6, 1))
    make_stance(session, b, x, "supports")
    make_stance(session, b, y, "supports")
    now = graph.build_agreement(session).pair(a.id, b.id)
    assert (now.agreements, now.disagreements, now.shared) == (0, 2, 2)
    then = graph.build_agreement(session, as_of=dt.date(2016, 1, 1)).pair(a.id, b.id)
    # 2016: Ada's 2015 "supports" on x; on y only the undated "supports" existed yet
    assert (then.agreements, then.disagreements, then.shared) == (2, 0, 2)
    assert then.score == 1.0 and now.score == -1.0
    assert graph.build_agreement(session, as_of=dt.date(2014, 1, 1)).pair(a.id, b.id).shared == 1


def test_seed_agreement_and_camps(session) -> None:
    load_seed(session)
    agreement = graph.build_agreement(session)
    slug = {v[0]: k for k, v in agreement.people.items()}
    musk, chollet, hawking = slug["elon-musk"], slug["francois-chollet"], slug["stephen-hawking"]
    pair = agreement.pair(chollet, musk)
    assert (pair.agreements, pair.disagreements, pair.shared, pair.score) == (0, 3, 3, -1.0)
    assert agreement.pair(musk, hawking).score == 1.0
    camps = graph.camps(agreement)
    assert camps.camp_of[chollet] != camps.camp_of[musk]
    assert camps.camp_of[hawking] == camps.camp_of[musk]
    agree, disagree = agreement.most(musk)
    assert hawking in [p.b for p in agree] and chollet in [p.b for p in disagree]
    assert all(camps.camp_of[p.b] == camps.camp_of[musk] for p in agree if p.score == 1.0)
    assert all(camps.camp_of[p.b] != camps.camp_of[musk] for p in disagree if p.score == -1.0)


def test_seed_camps_change_as_views_change(session) -> None:
    """Bengio's dated change of view moves him: with Chollet in 2018, with Musk today."""
    load_seed(session)
    for as_of, with_whom in ((dt.date(2018, 12, 31), "francois-chollet"), (None, "elon-musk")):
        agreement = graph.build_agreement(session, as_of=as_of)
        slug = {v[0]: k for k, v in agreement.people.items()}
        camp_of = graph.camps(agreement).camp_of
        assert camp_of[slug["yoshua-bengio"]] == camp_of[slug[with_whom]], as_of


def _random_agreement(
    rng: np.random.Generator, n: int, first_id: int, density: float, max_shared: int
) -> Agreement:
    """An agreement graph of n people (ids from first_id) in which about `density` of the
    pairs share 1 to max_shared claims, split at random between agreeing and disagreeing."""
    i, j = np.triu_indices(n, k=1)
    keep = rng.random(i.size) < density
    i, j = i[keep], j[keep]
    shared = rng.integers(1, max_shared + 1, i.size)
    agreements = rng.integers(0, shared + 1)
    return Agreement(
        person_ids=np.arange(first_id, first_id + n),
        stance_counts=np.ones(n, dtype=np.int64),
        i=i,
        j=j,
        agreements=agreements,
        disagreements=shared - agreements,
        shared=shared,
    )


def test_most_ranks_like_sorting_every_pair() -> None:
    """`most` ranks in numpy; it must pick what sorting all of a person's pairs picks, ties
    (equal score and shared count, ordered by name) included."""
    rng = np.random.default_rng(5)
    agreement = _random_agreement(rng, n=40, first_id=100, density=0.6, max_shared=3)
    ids = agreement.person_ids
    agreement.people = {int(p): (f"p{p}", f"Person {rng.integers(0, 5)}") for p in ids}
    name = lambda p: agreement.people[p.b][1]  # noqa: E731
    for person in ids.tolist():
        pairs = agreement.pairs_of(person)
        for limit in (1, 3, 5):
            agree, disagree = agreement.most(person, limit)
            want_agree = sorted(
                (p for p in pairs if p.score > 0), key=lambda p: (-p.score, -p.shared, name(p))
            )[:limit]
            want_disagree = sorted(
                (p for p in pairs if p.score < 0), key=lambda p: (p.score, -p.shared, name(p))
            )[:limit]
            key = lambda ps: [(p.b, p.score, p.shared) for p in ps]  # noqa: E731
            assert [(p.score, p.shared, name(p)) for p in agree] == [
                (p.score, p.shared, name(p)) for p in want_agree
            ]
            assert [(p.score, p.shared, name(p)) for p in disagree] == [
                (p.score, p.shared, name(p)) for p in want_disagree
            ]
            assert all(p.a == person for p in agree + disagree)
            assert len(key(agree)) == len(want_agree)


def test_camps_on_hand_made_graph_are_deterministic() -> None:
    g = nx.Graph()
    g.add_weighted_edges_from(
        [(1, 2, 1), (2, 3, 1), (1, 3, 1), (4, 5, 1), (5, 6, 1), (4, 6, 1), (3, 4, 0.1)]
    )
    first = analysis.communities(g)
    assert sorted(map(sorted, first)) == [[1, 2, 3], [4, 5, 6]]
    assert all(analysis.communities(g) == first for _ in range(3))


# --- contested, bridges, tensions ----------------------------------------------------------


def test_contested_score_prefers_even_and_bigger_splits() -> None:
    assert analysis.contested_score(3, 0) == 0.0
    assert analysis.contested_score(1, 1) == pytest.approx(math.log2(3))
    assert analysis.contested_score(5, 5) > analysis.contested_score(1, 1)
    assert analysis.contested_score(10, 1) < analysis.contested_score(1, 1)
    ranked = analysis.rank_contested([(1, 10, 1, 0), (2, 2, 2, 5), (3, 4, 0, 0), (4, 3, 2, 0)])
    assert [r[0] for r in ranked] == [2, 4, 1]


def test_bridges_by_betweenness_on_hand_made_graph() -> None:
    # two triangles, camps 1 and 2, joined only through person 7
    g = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 7), (7, 4)])
    camp_of = {1: 1, 2: 1, 3: 1, 7: 1, 4: 2, 5: 2, 6: 2}
    found = analysis.bridges(g, camp_of)
    assert found[0].person == 7 and found[0].articulation
    # 4 (camp 2) has a tie into camp 1 too; 3 has betweenness but ties only inside camp 1
    assert {b.person for b in found} == {4, 7}
    assert found[0].betweenness > found[1].betweenness


def test_tensions_found_with_evidence(session) -> None:
    from kb.models import ClaimRelation

    p, q_ = make_person(session, name="Torn"), make_person(session, name="Calm")
    a, b, c = make_claim(session), make_claim(session), make_claim(session)
    session.add_all(
        [
            ClaimRelation(from_claim=a, to_claim=b, kind="contradicts"),
            ClaimRelation(from_claim=a, to_claim=c, kind="supports"),
        ]
    )
    session.flush()
    make_stance(session, p, a, "supports")
    make_stance(session, p, b, "supports")  # contradicts a
    make_stance(session, p, c, "opposes")  # a supports c
    make_stance(session, q_, a, "supports")
    make_stance(session, q_, b, "opposes")
    make_stance(session, q_, c, "supports")
    found = graph.tensions(session, person_id=p.id)
    assert sorted(t.kind for t in found) == ["contradicts", "supports"]
    for t in found:
        assert t.person.id == p.id and t.first.claim.id == a.id
        assert t.first.evidence and t.second.evidence
    assert graph.tensions(session, person_id=q_.id) == []
    around_c = graph.tensions(session, claim_id=c.id)
    assert [(t.kind, t.second.claim.id) for t in around_c] == [("supports", c.id)]


# --- viewpoint graph, ego graphs, caps -------------------------------------------------------


def test_viewpoint_graph_nodes_and_edges(session) -> None:
    load_seed(session)
    vp = graph.build_viewpoint(session)
    g = vp.graph
    latest = {(st["person"], st["claim"]) for st in seed_document()["stances"]}
    assert (vp.people_total, vp.claims_total, vp.stances_total) == (
        seed_count("people"),
        seed_count("claims"),
        len(latest),  # the latest stance of each person on each claim
    )
    assert not vp.capped
    kinds = {n[0] for n in g}
    assert kinds == {"person", "claim"}
    for n, data in g.nodes(data=True):
        assert isinstance(n, tuple) and isinstance(n[1], int)
        assert data["kind"] == n[0] and data["slug"] and data["label"]
    stances = [d for *_e, d in g.edges(data=True) if d["kind"] == "stance"]
    relations = [d for *_e, d in g.edges(data=True) if d["kind"] == "relation"]
    assert len(stances) == len(latest) and len(relations) == seed_count("claim_relations")
    assert {d["position"] for d in stances} == {"supports", "opposes", "mixed"}
    assert {d["position"] for d in relations} == {"supports", "contradicts"}
    assert all(d["weight"] >= 1 for d in stances)  # every seed stance has evidence
    cg = graph.claim_graph(g)
    assert len(cg) == seed_count("claims")
    assert cg.number_of_edges() == seed_count("claim_relations")
    full = graph.build_claim_graph(session)
    assert {n: d["supporters"] for n, d in cg.nodes(data=True)} == {
        n: d["supporters"] for n, d in full.nodes(data=True)
    }


def test_cap_keeps_most_connected_and_counts_the_rest(session) -> None:
    load_seed(session)
    vp = graph.build_viewpoint(session, max_nodes=10)
    assert len(vp.graph) == 10 and vp.capped
    assert vp.people_shown + vp.claims_shown == 10
    assert vp.stances_shown < vp.stances_total
    # the claim most people hold a stance on is kept
    slugs = {d["slug"] for _n, d in vp.graph.nodes(data=True)}
    assert "ai-existential-risk" in slugs


def test_filters_by_topic_and_people(session) -> None:
    load_seed(session)
    from kb.queries import graph as q

    doc = seed_document()
    topic = q.topic_by_slug(session, "deep-learning")
    in_topic = {c["slug"] for c in doc["claims"] if "deep-learning" in c["topics"]}
    vp = graph.build_viewpoint(session, topic_id=topic.id)
    people = {st["person"] for st in doc["stances"] if st["claim"] in in_topic}
    assert {d["slug"] for _n, d in vp.graph.nodes(data=True) if d["kind"] == "person"} == people
    assert vp.claims_shown == len(in_topic)
    chollet = q.person_by_slug(session, "francois-chollet")
    vp = graph.build_viewpoint(session, person_ids=[chollet.id])
    own = {st["claim"] for st in doc["stances"] if st["person"] == "francois-chollet"}
    assert vp.people_shown == 1 and vp.claims_shown == len(own)


def test_ego_graphs_centre_on_their_node(session) -> None:
    load_seed(session)
    from kb.queries import graph as q

    musk = q.person_by_slug(session, "elon-musk")
    ego = graph.ego_person(session, musk.id)
    assert ("person", musk.id) in ego.graph
    own = [v for u, v, d in ego.graph.edges(data=True) if u == ("person", musk.id)]
    claims = {st["claim"] for st in seed_document()["stances"] if st["person"] == "elon-musk"}
    assert len(own) == len(claims)
    small = graph.ego_person(session, musk.id, max_nodes=5)
    assert len(small.graph) <= 5 and small.capped and ("person", musk.id) in small.graph
    claim = ego.graph.nodes[own[0]]
    ego_c = graph.ego_claim(session, own[0][1])
    assert own[0] in ego_c.graph and claim["slug"]


def test_ego_graphs_from_the_agreement_arrays_match_those_from_sql(session) -> None:
    """The pages build ego graphs from the agreement's arrays of latest stances; the result is
    the graph the SQL degree queries give, on random data with changes of mind."""
    import random

    rng = random.Random(11)
    people = [make_person(session) for _ in range(12)]
    claims = [make_claim(session) for _ in range(15)]
    from kb.models import ClaimRelation

    session.add_all(
        ClaimRelation(from_claim=claims[i], to_claim=claims[(i * 7 + 3) % 15], kind="supports")
        for i in range(15)
        if i != (i * 7 + 3) % 15
    )
    for p in people:
        for c in rng.sample(claims, rng.randrange(2, 12)):
            for d in rng.choice([[None], [dt.date(2015, 1, 1)], [None, dt.date(2016, 1, 1)]]):
                make_stance(session, p, c, rng.choice(["supports", "opposes", "mixed"]), as_of=d)
    session.flush()
    latest = graph.build_agreement(session).latest
    for p in people:
        for n in (5, 12, 36):
            a = graph.ego_person(session, p.id, max_nodes=n)
            b = graph.ego_person(session, p.id, max_nodes=n, latest=latest)
            assert set(a.graph.nodes) == set(b.graph.nodes)
            assert sorted(a.graph.edges(keys=True)) == sorted(b.graph.edges(keys=True))
            assert (a.people_total, a.claims_total, a.stances_total) == (
                b.people_total,
                b.claims_total,
                b.stances_total,
            )
    for c in claims:
        a = graph.ego_claim(session, c.id, max_nodes=8)
        b = graph.ego_claim(session, c.id, max_nodes=8, latest=latest)
        assert set(a.graph.nodes) == set(b.graph.nodes)
        assert (a.people_total, a.claims_total, a.stances_total) == (
            b.people_total,
            b.claims_total,
            b.stances_total,
        )


# --- the cache -------------------------------------------------------------------------------


def test_cache_builds_once_per_data_version(app) -> None:
    from kb.web.database import session_scope

    cache.clear()
    with app.app_context():
        with session_scope() as s:
            a, b = make_person(s), make_person(s)
            x = make_claim(s)
            make_stance(s, a, x, "supports")
            make_stance(s, b, x, "supports")
            a_id, b_id = a.id, b.id
        with session_scope() as s:
            first = cached.agreement(s)
            assert cached.agreement(s) is first
            assert cache.builds["agreement"] == 1
        with session_scope() as s:  # another request, same data: no rebuild
            assert cached.agreement(s) is first
            assert cache.builds["agreement"] == 1
        with session_scope() as s:  # a write bumps the data version
            from kb.models import Stance

            st = s.query(Stance).filter_by(person_id=b_id).one()
            st.position = "opposes"
            # kb.edits flushes after each change; datastate marks the session on flush
            s.flush()
        with session_scope() as s:
            second = cached.agreement(s)
            assert second is not first and cache.builds["agreement"] == 2
            assert first.pair(a_id, b_id).score == 1.0
            assert second.pair(a_id, b_id).score == -1.0


def test_positive_graph_keeps_each_persons_strongest_ties() -> None:
    from kb.graph.agreement import top_per_person

    # pairs: (0,1) score 1, (0,2) score .5, (0,3) score -1, (1,2) score 1/3
    i, j = np.array([0, 0, 0, 1]), np.array([1, 2, 3, 2])
    mask = top_per_person(i, j, np.array([-1.0, -0.5, 1.0, -1 / 3]), np.zeros(4), 1)
    # 0 keeps (0,1); 1 keeps (0,1); 2 keeps (0,2); 3 keeps (0,3)
    assert mask.tolist() == [True, True, True, False]
    agreement = Agreement(
        np.array([10, 20, 30, 40]),
        np.array([3, 2, 2, 1]),
        i,
        j,
        agreements=np.array([2, 2, 0, 2]),
        disagreements=np.array([0, 1, 1, 1]),
        shared=np.array([2, 2, 1, 3]),
    )
    g = analysis.positive_graph(agreement, neighbours=1)
    assert set(map(frozenset, g.edges)) == {frozenset({10, 20}), frozenset({10, 30})}
    assert len(g) == 4  # 40 stays, alone: it agrees with nobody
    assert analysis.positive_graph(agreement).number_of_edges() == 3


def test_edge_cap_keeps_the_best_evidenced_stances(session, monkeypatch) -> None:
    load_seed(session)
    from kb.graph import viewpoint

    full = graph.build_viewpoint(session, max_nodes=12)
    monkeypatch.setattr(viewpoint, "EDGES_PER_NODE", 1)
    vp = graph.build_viewpoint(session, max_nodes=12)
    stances = [d for *_e, d in vp.graph.edges(data=True) if d["kind"] == "stance"]
    assert len(stances) == vp.stances_shown < full.stances_shown < vp.stances_total
    left_out = [
        d["weight"]
        for u, v, d in full.graph.edges(data=True)
        if d["kind"] == "stance" and not vp.graph.has_edge(u, v)
    ]
    assert left_out, "the cap must leave some stance out for this test to show anything"
    assert min(d["weight"] for d in stances) >= max(left_out)


def test_top_per_person_dense_and_sorted_paths_agree(monkeypatch) -> None:
    from kb.graph import agreement as agreement_module

    rng = np.random.default_rng(3)
    pairs = np.array(list(itertools.combinations(range(40), 2)))
    pairs = pairs[rng.random(len(pairs)) < 0.5]
    i, j = pairs[:, 0], pairs[:, 1]
    key = rng.permutation(len(pairs)).astype(float)  # no ties
    tiebreak = rng.integers(0, 5, len(pairs))
    dense = agreement_module.top_per_person(i, j, key, tiebreak, 3, 40)
    monkeypatch.setattr(agreement_module, "DENSE_RANK_LIMIT", 0)
    exact = agreement_module.top_per_person(i, j, key, tiebreak, 3, 40)
    assert dense.tolist() == exact.tolist()
    assert 40 <= dense.sum() <= 3 * 40


def test_many_neighbourhoods_do_not_evict_the_agreement_graph(session, monkeypatch) -> None:
    load_seed(session)
    cache.clear()
    monkeypatch.setattr(cache, "MAX_ENTRIES_FOR", {"ego": 3})
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    first = cached.agreement(session)
    for claim_id in range(1, 17):
        cached.ego(session, "claim", claim_id)
    assert cached.agreement(session) is first
    assert cache.builds["agreement"] == 1 and cache.builds["ego"] == 16
    assert len(cache._entries["ego"]) == 3


def test_layout_is_deterministic_and_shows_the_fault_line(session) -> None:
    load_seed(session)
    from kb.graph import svg
    from kb.queries import graph as q

    vp = graph.build_viewpoint(session)
    agreement = graph.build_agreement(session)
    pos = svg.layout(vp.graph, agreement)
    assert pos == svg.layout(vp.graph, agreement)
    people = {
        s: ("person", q.person_by_slug(session, s).id)
        for s in ("francois-chollet", "elon-musk", "stephen-hawking", "martin-rees")
    }

    def dist(a: str, b: str) -> float:
        (x1, y1), (x2, y2) = pos[people[a]], pos[people[b]]
        return math.hypot(x1 - x2, y1 - y2)

    others = ("elon-musk", "stephen-hawking", "martin-rees")
    assert min(dist("francois-chollet", o) for o in others) > max(
        dist(a, b) for a, b in itertools.combinations(others, 2)
    )


def test_tensions_of_one_person_or_claim_match_the_whole_set(session) -> None:
    """For a past date, the pages' path (one person / one claim, matched in Python) finds
    exactly the rows the all-people SQL join finds; today's, from the stored latest flag, match
    the rule computed afresh (an as-of date after every stance); on random data with changes of
    mind over time."""
    import datetime as dt
    import random

    from kb.models import ClaimRelation
    from kb.queries.tensions import tension_rows

    rng = random.Random(3)
    people = [make_person(session) for _ in range(7)]
    claims = [make_claim(session) for _ in range(10)]
    pairs = set()
    while len(pairs) < 22:
        a, b = rng.sample(range(len(claims)), 2)
        pairs.add((a, b, rng.choice(["supports", "contradicts"])))
    session.add_all(
        ClaimRelation(from_claim=claims[a], to_claim=claims[b], kind=k) for a, b, k in pairs
    )
    for p in people:
        for c in rng.sample(claims, 7):
            dates = rng.choice(
                [
                    [None],
                    [dt.date(2015, 1, 1)],
                    [None, dt.date(2016, 1, 1)],
                    [dt.date(2014, 1, 1), dt.date(2019, 1, 1)],
                ]
            )
            for d in dates:
                make_stance(
                    session, p, c, rng.choice(["supports", "supports", "opposes", "mixed"]), as_of=d
                )
    session.flush()
    today = [tuple(r) for r in tension_rows(session)]
    assert today == [tuple(r) for r in tension_rows(session, dt.date(9999, 12, 31))]
    for as_of in (None, dt.date(2015, 6, 1)):
        everyone = [tuple(r) for r in tension_rows(session, as_of)]
        assert everyone, "the random data should hold some tensions"
        for p in people:
            mine = [tuple(r) for r in tension_rows(session, as_of, person_id=p.id)]
            assert mine == [r for r in everyone if r[0] == p.id]
        for c in claims:
            around = [tuple(r) for r in tension_rows(session, as_of, claim_id=c.id)]
            assert around == [r for r in everyone if c.id in (r[1], r[4])]


def test_cache_builds_once_when_threads_miss_together(app) -> None:
    """A worker's threads that all miss at once (a cold start, the first requests after a
    write) wait for one build instead of each building the same graph."""
    import threading
    import time

    from kb.web.database import session_scope

    cache.clear()
    started = threading.Barrier(4)
    calls: list[int] = []

    def slow_build() -> list[int]:
        calls.append(1)
        time.sleep(0.2)  # long enough that the other threads arrive while it runs
        return [42]

    results: list[object] = []

    def ask() -> None:
        with app.app_context(), session_scope() as s:
            started.wait()
            results.append(cache.cached(s, "slow", (), slow_build))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and cache.builds["slow"] == 1
    assert len(results) == 4 and all(r is results[0] for r in results)


def test_cache_build_failure_lets_the_next_caller_try_again(app) -> None:
    from kb.web.database import session_scope

    cache.clear()

    def broken() -> int:
        raise RuntimeError("database went away")

    with app.app_context(), session_scope() as s:
        with pytest.raises(RuntimeError):
            cache.cached(s, "flaky", (), broken)
        assert cache.cached(s, "flaky", (), lambda: 7) == 7
    assert cache.builds["flaky"] == 1


def test_among_and_pair_read_only_their_rows_and_match_a_full_scan() -> None:
    """`among` and `pair` look up rows by person instead of scanning every pair; they must
    find exactly what a scan of all pairs finds, in the same order."""
    rng = np.random.default_rng(11)
    n = 60
    agreement = _random_agreement(rng, n=n, first_id=500, density=0.5, max_shared=4)
    i, j, shared = agreement.i, agreement.j, agreement.shared
    for _ in range(20):
        people = rng.choice(agreement.person_ids, size=int(rng.integers(1, 12)), replace=False)
        wanted = np.isin(agreement.person_ids, people)
        scan = np.flatnonzero(wanted[i] & wanted[j])
        assert [(p.a, p.b) for p in agreement.among(people.tolist() + [9999])] == [
            (int(agreement.person_ids[i[k]]), int(agreement.person_ids[j[k]])) for k in scan
        ]
    for a, b in itertools.combinations(range(500, 500 + n, 7), 2):
        hit = np.flatnonzero((i == a - 500) & (j == b - 500))
        got = agreement.pair(b, a)
        assert (got is None) == (hit.size == 0)
        if got is not None:
            assert (got.a, got.b, got.shared) == (b, a, int(shared[hit[0]]))
    assert agreement.among([]) == [] and agreement.among([9999]) == []


def test_latest_stances_on_claims_matches_a_mask() -> None:

    rng = np.random.default_rng(3)
    persons = rng.integers(1, 50, 5000)
    claims = rng.integers(1, 400, 5000)
    index = LatestStances(persons, claims)
    for ask in ([], [7], [1, 2, 3, 399, 1000], rng.integers(1, 420, 80).tolist()):
        got = np.sort(index.on(ask))
        assert got.tolist() == np.flatnonzero(np.isin(claims, ask)).tolist()
    assert sorted(index.claims_of(5).tolist()) == sorted(claims[persons == 5].tolist())


def test_among_and_pair_do_not_depend_on_the_order_of_the_rows() -> None:
    """build_agreement gives rows ordered by person; an agreement whose rows are not must
    still find every pair (the lookup then sorts its own index)."""
    rng = np.random.default_rng(12)
    ordered = _random_agreement(rng, n=30, first_id=1, density=0.5, max_shared=4)
    shuffle = rng.permutation(len(ordered))
    mixed = Agreement(
        person_ids=ordered.person_ids,
        stance_counts=ordered.stance_counts,
        i=ordered.i[shuffle],
        j=ordered.j[shuffle],
        agreements=ordered.agreements[shuffle],
        disagreements=ordered.disagreements[shuffle],
        shared=ordered.shared[shuffle],
    )
    for people in ([1, 2, 3], list(range(1, 31, 3)), [30, 29]):
        assert sorted(mixed.among(people), key=lambda p: (p.a, p.b)) == ordered.among(people)
    for a, b in itertools.combinations(range(1, 31, 4), 2):
        assert mixed.pair(a, b) == ordered.pair(a, b)
