"""The graph pages over HTTP: /graph, /agreement, /compare, their JSON twins, the graph
exports, the person/claim panels, parameter checking, escaping and bounded query counts."""

from __future__ import annotations

import io
import itertools
import json
from contextlib import contextmanager

import networkx as nx
import pytest
from sqlalchemy import event

from kb.graph import cache
from kb.graph.stream import gexf_weight
from kb.load.seed import seed_document
from kb.store import derived
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_stance
from tests.graph_files import read_gexf
from tests.helpers import seed_count


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@contextmanager
def count_queries(app):
    engine = app.extensions["kb.engine"]
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _seed_latest() -> dict[tuple[str, str], str]:
    """Each person's latest seeded stance on each claim (the newest as_of): its position."""
    latest: dict[tuple[str, str], str] = {}
    stances = seed_document()["stances"]
    for st in sorted(stances, key=lambda s: (s["as_of"] is not None, s["as_of"] or "")):
        latest[(st["person"], st["claim"])] = st["position"]
    return latest


def _sharing_pairs(latest: dict[tuple[str, str], str]) -> int:
    """How many pairs of people hold a stance on at least one same claim."""
    claims: dict[str, set[str]] = {}
    for person, claim in latest:
        claims.setdefault(person, set()).add(claim)
    return sum(bool(claims[a] & claims[b]) for a, b in itertools.combinations(sorted(claims), 2))


def _pair(latest: dict[tuple[str, str], str], a: str, b: str) -> tuple[int, int, int]:
    """(agreements, disagreements, shared) of two people's latest stances."""
    shared = [c for p, c in latest if p == a and (b, c) in latest]
    same = sum(latest[(a, c)] == latest[(b, c)] for c in shared)
    opposite = sum({latest[(a, c)], latest[(b, c)]} == {"supports", "opposes"} for c in shared)
    return same, opposite, len(shared)


def test_graph_page_draws_svg_with_links_and_legend(seeded_client) -> None:
    """The stance graph (people and claims), which /graph shows as ?view=stances; the opinion
    map, its default view, is tests/test_opinion_map.py's."""
    r = seeded_client.get("/graph?view=stances")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    latest = _seed_latest()
    assert html.count('<a href="/people/') >= seed_count("people")
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="kb-graph"' in html
    assert html.count('class="node person"') == len({p for p, _c in latest})
    assert html.count('class="node claim"') == seed_count("claims")  # stance or not
    for label in ("supports (stance)", "opposes (stance)", "mixed (stance)", "claim contradicts"):
        assert label in html
    assert 'stroke-dasharray="7 4"' in html  # opposes dashed, not colour alone
    assert "graph.css" in html
    # the same request again is the same picture (deterministic layout, cached), map too
    assert seeded_client.get("/graph?view=stances").get_data(as_text=True) == html
    opinion = seeded_client.get("/graph").get_data(as_text=True)
    assert 'class="opinion-map"' in opinion and "map.css" in opinion
    assert seeded_client.get("/graph").get_data(as_text=True) == opinion


def test_graph_json_twin_and_filters(seeded_client) -> None:
    data = seeded_client.get("/graph.json").get_json()
    latest = _seed_latest()
    people = {p for p, _c in latest}
    assert len(data["nodes"]) == len(people) + seed_count("claims")
    assert len(data["edges"]) == len(latest) + seed_count("claim_relations")
    assert data["left_out"] == {"people": 0, "claims": 0, "stances": 0}
    camps = {m["slug"]: c["number"] for c in data["camps"] for m in c["members"]}
    assert camps["francois-chollet"] != camps["elon-musk"]
    topic = seeded_client.get("/graph.json?topic=deep-learning").get_json()
    in_topic = {c["slug"] for c in seed_document()["claims"] if "deep-learning" in c["topics"]}
    on_topic = {p for p, c in latest if c in in_topic}
    assert {n["slug"] for n in topic["nodes"] if n["kind"] == "person"} == on_topic
    camp = camps["elon-musk"]
    in_camp = seeded_client.get(f"/graph.json?camp={camp}").get_json()
    members = {m["slug"] for c in data["camps"] if c["number"] == camp for m in c["members"]}
    assert {"elon-musk", "stephen-hawking", "martin-rees"} <= members
    assert {n["slug"] for n in in_camp["nodes"] if n["kind"] == "person"} == members
    capped = seeded_client.get("/graph.json?limit=10").get_json()
    assert len(capped["nodes"]) == 10
    left_out = capped["left_out"]["claims"] + capped["left_out"]["people"]
    assert left_out == len(data["nodes"]) - 10
    page = seeded_client.get("/graph?limit=10&view=stances").get_data(as_text=True)
    assert "Left out:" in page


@pytest.mark.parametrize(
    "url",
    [
        "/graph?camp=abc",
        "/graph?camp=99",
        "/graph?topic=no-such-topic",
        "/graph?as_of=yesterday",
        "/graph?limit=5",
        "/graph.json?limit=x",
        "/agreement?limit=0",
        "/agreement.json?as_of=2017-02-30",
        "/compare/elon-musk/elon-musk",
    ],
)
def test_malformed_parameters_are_400_with_a_message(seeded_client, url) -> None:
    r = seeded_client.get(url)
    assert r.status_code == 400
    assert (
        "must" in r.get_data(as_text=True)
        or "no topic" in r.get_data(as_text=True)
        or ("different" in r.get_data(as_text=True))
    )


def test_unknown_person_in_compare_is_404(seeded_client) -> None:
    assert seeded_client.get("/compare/elon-musk/nobody").status_code == 404
    assert seeded_client.get("/compare/nobody/elon-musk.json").status_code == 404


def test_agreement_heat_map_ordered_by_camp_with_numbers(seeded_client) -> None:
    html = seeded_client.get("/agreement").get_data(as_text=True)
    data = seeded_client.get("/agreement.json").get_json()
    n = len(data["people"])
    assert html.count('href="/compare/') == n * (n - 1)  # every off-diagonal cell links
    assert "−1.00" in html and "+1.00" in html  # the number, not colour alone
    latest = _seed_latest()
    agree, disagree, shared = _pair(latest, "francois-chollet", "elon-musk")
    assert f"{agree}✓ {disagree}✗ /{shared}" in html
    camps = [p["camp"] for p in data["people"]]
    assert camps == sorted(camps)  # camp by camp
    pair = next(p for p in data["pairs"] if {p["a"], p["b"]} == {"elon-musk", "martin-rees"})
    agree, disagree, shared = _pair(latest, "elon-musk", "martin-rees")
    assert (pair["agreements"], pair["disagreements"], pair["shared"]) == (agree, disagree, shared)
    assert pair["score"] == pytest.approx((agree - disagree) / shared)
    assert "Score" in data["rule"]


def test_compare_lists_cruxes_central_first_with_quotes(seeded_client) -> None:
    data = seeded_client.get("/compare/francois-chollet/stephen-hawking.json").get_json()
    assert (data["shared"], data["agreements"], data["disagreements"]) == (5, 2, 3)
    assert data["score"] == pytest.approx(-0.2)
    cruxes = data["cruxes"]
    assert [c["claim"]["slug"] for c in cruxes][0] == "ai-existential-risk"
    assert [c["centrality"] for c in cruxes] == sorted(
        (c["centrality"] for c in cruxes), reverse=True
    )
    for c in cruxes:
        assert {c["a"]["position"], c["b"]["position"]} == {"supports", "opposes"}
        assert c["a"]["evidence"] and c["b"]["evidence"]
    html = seeded_client.get("/compare/francois-chollet/stephen-hawking").get_data(as_text=True)
    assert "Cruxes" in html and html.count("<blockquote>") >= 6


def test_person_and_claim_pages_carry_the_panels(seeded_client) -> None:
    html = seeded_client.get("/people/elon-musk").get_data(as_text=True)
    assert "Agrees most with" in html and "Disagrees most with" in html
    assert "agree on 5, disagree on 0 of 5 shared" in html
    assert 'href="/compare/elon-musk/francois-chollet"' in html
    assert 'class="kb-graph"' in html
    html = seeded_client.get("/claims/ai-existential-risk").get_data(as_text=True)
    assert "Tensions around this claim" in html and 'class="kb-graph"' in html


def test_tensions_shown_on_person_and_claim_pages(app, client) -> None:
    from kb.models import ClaimRelation

    with app.app_context(), session_scope() as s:
        p = make_person(s, slug="torn", name="Torn Person")
        a = make_claim(s, slug="claim-a", text="A is true.")
        b = make_claim(s, slug="claim-b", text="B is true.")
        s.add(ClaimRelation(from_claim=a, to_claim=b, kind="contradicts"))
        make_stance(s, p, a, "supports", evidence=[make_quote(s, p, text="I hold A.")])
        make_stance(s, p, b, "supports", evidence=[make_quote(s, p, text="I hold B.")])
    html = client.get("/people/torn").get_data(as_text=True)
    section = html.split('id="tensions-h"')[1].split("</section>")[0]
    assert "contradicts" in section and "I hold A." in section and "I hold B." in section
    # the quotes' check in readers' words, as everywhere else, not the stored code
    assert "Checked: " in section and "checked: " not in section
    html = client.get("/claims/claim-b").get_data(as_text=True)
    section = html.split('id="claim-tensions-h"')[1].split("</section>")[0]
    assert "Torn Person" in section and "I hold B." in section


def test_labels_are_escaped_everywhere(app, client) -> None:
    nasty = "<script>alert(\"x\")</script> & 'q'"
    with app.app_context(), session_scope() as s:
        p1 = make_person(s, slug="evil", name=nasty)
        p2 = make_person(s, slug="good", name="Good")
        c = make_claim(s, slug="c-evil", text=f"Claim {nasty}")
        make_stance(s, p1, c, "supports")
        make_stance(s, p2, c, "opposes")
    for url in ("/graph", "/agreement", "/compare/evil/good", "/people/good", "/claims/c-evil"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;" in html, url
    assert client.get("/graph.json").get_json()["nodes"][0]["label"]  # JSON keeps the text
    for url in ("/export/graph.graphml", "/export/graph.gexf"):
        body = client.get(url).data
        assert b"<script>" not in body
        assert b"&lt;script&gt;" in body


def load_export(client, url: str) -> nx.MultiDiGraph:
    r = client.get(url)
    assert r.status_code == 200
    assert "attachment" in r.headers["Content-Disposition"]
    if url.endswith(".graphml"):
        return nx.read_graphml(io.BytesIO(r.data))
    if url.endswith(".gexf"):
        assert b'version="1.3"' in r.data and b'xmlns="http://gexf.net/1.3"' in r.data
        return read_gexf(r.data)  # a mixed graph, which nx.read_gexf alone refuses
    return nx.node_link_graph(json.loads(r.data))  # the default keys of any networkx


@pytest.mark.parametrize(
    "url", ["/export/graph.graphml", "/export/graph.gexf", "/export/graph.json"]
)
def test_graph_exports_load_back_in_networkx(seeded_client, url) -> None:
    g = load_export(seeded_client, url)
    people = [n for n, d in g.nodes(data=True) if d["kind"] == "person"]
    claims = [n for n, d in g.nodes(data=True) if d["kind"] == "claim"]
    latest = _seed_latest()
    assert len(people) == seed_count("people") and len(claims) == seed_count("claims")
    for _n, d in g.nodes(data=True):
        assert d["slug"] and d["label"]
    kinds = [d["kind"] for *_e, d in g.edges(data=True)]
    assert kinds.count("stance") == len(latest)
    assert kinds.count("relation") == seed_count("claim_relations")
    assert kinds.count("agreement") == _sharing_pairs(latest)
    by_slug = {d["slug"]: n for n, d in g.nodes(data=True)}
    chollet, musk = by_slug["francois-chollet"], by_slug["elon-musk"]
    edges = g.get_edge_data(chollet, musk) or g.get_edge_data(musk, chollet)
    # a reader makes a MultiDiGraph only when the file has parallel edges somewhere
    edges = list(edges.values()) if g.is_multigraph() else [edges]
    (agree,) = [d for d in edges if d["kind"] == "agreement"]
    _same, opposite, shared = _pair(latest, "francois-chollet", "elon-musk")
    assert float(agree["score"]) == -1.0 and int(agree["disagreements"]) == opposite == shared
    assert g.nodes[chollet]["camp"] != g.nodes[musk]["camp"]  # "Camp 1" in GraphML, else 1
    stance_weights = [float(d["weight"]) for *_e, d in g.edges(data=True) if d["kind"] == "stance"]
    assert min(stance_weights) >= 1


def test_pages_run_a_bounded_number_of_queries(app, client) -> None:
    """Query counts on a cold cache do not grow with the data (no query per row)."""

    def add_people(n: int, offset: int) -> None:
        with app.app_context(), session_scope() as s:
            claims = [make_claim(s) for _ in range(4)]
            for k in range(n):
                p = make_person(s, slug=f"p{offset + k}", name=f"P {offset + k}")
                for j, c in enumerate(claims):
                    make_stance(s, p, c, "supports" if (k + j) % 2 else "opposes")

    urls = ["/graph", "/graph.json", "/agreement", "/compare/p0/p1", "/people/p0"]
    add_people(3, 0)
    assert client.get("/").status_code == 200  # an app's first page also checks the schema once
    counts_small = {}

    def cold() -> None:  # nothing in this worker, nor kept for every worker (kb.store.derived)
        cache.clear()
        with app.app_context(), session_scope() as s:
            derived.forget(s)

    for url in urls:
        cold()
        with count_queries(app) as seen:
            assert client.get(url).status_code == 200
        counts_small[url] = len(seen)
    add_people(30, 100)
    for url in urls:
        cold()
        with count_queries(app) as seen:
            assert client.get(url).status_code == 200
        assert len(seen) == counts_small[url], url


def test_big_exports_keep_only_the_strongest_agreement_edges(seeded_client, monkeypatch) -> None:
    from kb.graph import writers

    monkeypatch.setattr(writers, "EXPORT_ALL_PAIRS", 2)
    monkeypatch.setattr(writers, "STRONGEST_PER_PERSON", 1)
    g = load_export(seeded_client, "/export/graph.graphml")
    kinds = [d["kind"] for *_e, d in g.edges(data=True)]
    assert 0 < kinds.count("agreement") < _sharing_pairs(_seed_latest())
    assert "strongest" in g.graph["agreement_edges"]


def test_second_request_does_not_rebuild_and_a_write_does(app, client) -> None:
    with app.app_context(), session_scope() as s:
        a, b = make_person(s, slug="a", name="A"), make_person(s, slug="b", name="B")
        c = make_claim(s, slug="c")
        make_stance(s, a, c, "supports")
        make_stance(s, b, c, "supports")
    first = client.get("/agreement.json").get_json()
    built = dict(cache.builds)
    assert built["agreement"] == 1 and built["camps"] == 1
    assert client.get("/agreement.json").get_json() == first
    client.get("/graph")
    client.get("/graph")
    assert cache.builds["agreement"] == 1 and cache.builds["opinion_page"] == 1
    client.get("/graph?view=stances")
    client.get("/graph?view=stances")
    assert cache.builds["agreement"] == 1 and cache.builds["picture"] == 1
    with app.app_context(), session_scope() as s:
        from kb.models import Stance

        st = s.query(Stance).filter_by(person_id=b.id).one()
        st.position = "opposes"
        s.flush()
    second = client.get("/agreement.json").get_json()
    assert cache.builds["agreement"] == 2
    assert first["pairs"][0]["score"] == 1.0 and second["pairs"][0]["score"] == -1.0


def test_graphml_key_ids_are_unique(seeded_client) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(seeded_client.get("/export/graph.graphml").data)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    ids = [k.get("id") for k in root.findall("g:key", ns)]
    assert len(ids) == len(set(ids)) >= 10
    gexf = ET.fromstring(seeded_client.get("/export/graph.gexf").data)
    assert gexf.get("version") == "1.3"
    edge_ids = [e.get("id") for e in gexf.iter("{http://gexf.net/1.3}edge")]
    latest = _seed_latest()
    edges = len(latest) + seed_count("claim_relations") + _sharing_pairs(latest)
    assert len(edge_ids) == len(set(edge_ids)) == edges


def test_streamed_files_hold_the_same_graph_as_export_graph(seeded_app, seeded_client) -> None:
    from kb.graph import cached, writers

    with seeded_app.app_context():
        from kb.web.database import get_session

        built = cached.export(get_session())
    for url in ("/export/graph.graphml", "/export/graph.gexf", "/export/graph.json"):
        g = load_export(seeded_client, url)
        assert set(g.nodes) == set(built.nodes), url
        for n, data in built.nodes(data=True):
            got = g.nodes[n]
            want = {k: str(v) for k, v in data.items()}
            if url.endswith(".graphml") and "camp" in data:  # GraphML's camp is its label
                want["camp"] = writers.graphml_camp(data["camp"])
            assert {k: str(got[k]) for k in data} == want, url

        def edge_set(graph, gexf=False):
            # GEXF's weight means one thing (kb.graph.stream.gexf_weight); GraphML and JSON
            # keep the old one
            return sorted(
                (u, v, d["kind"], d["position"], round(gexf_weight(d) if gexf else d["weight"], 6))
                for u, v, d in graph.edges(data=True)
            )

        assert edge_set(g) == edge_set(built, url.endswith(".gexf")), url


def test_graph_as_of_shows_bengio_changing_camp_and_his_page_his_earlier_views(
    seeded_client,
) -> None:
    def camp_mates(query: str) -> set[str]:
        camps = seeded_client.get(f"/graph.json{query}").get_json()["camps"]
        (camp,) = [c for c in camps if "yoshua-bengio" in {m["slug"] for m in c["members"]}]
        return {m["slug"] for m in camp["members"]}

    assert "francois-chollet" in camp_mates("?as_of=2018-12-31")
    assert "elon-musk" not in camp_mates("?as_of=2018-12-31")
    assert "elon-musk" in camp_mates("") and "francois-chollet" not in camp_mates("")
    person = seeded_client.get("/people/yoshua-bengio.json").get_json()
    earlier = {st["claim"]["slug"] for st in person["earlier_stances"]}
    assert {"ai-doom-is-fantasy", "human-level-ai-far-off"} <= earlier
