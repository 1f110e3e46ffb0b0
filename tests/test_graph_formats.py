"""The graph files open cleanly in the tools their users already use (issue 17 items 1 and 2):
GraphML valid against the GraphML 1.0 XSD with typed attributes igraph and networkx read as
their types, a yEd variant with yFiles graphics, and GEXF 1.3 with kb's colours, the opinion
map's layout, sizes by degree, undirected agreement edges and one meaning of `weight`.

Each check runs on the seed and on the seed plus a small synthetic knowledge base."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections import Counter

import igraph
import networkx as nx
import pytest

from kb.graph import cached, file_style, svg
from kb.web.database import get_session, session_scope
from tests.graph_files import GEXF, GRAPHML, VIZ, YFILES, read_gexf, validate_graphml
from tests.synthetic import generate

NMTOKEN = re.compile(r"^[\w.:-]+$")


@pytest.fixture(params=["seed", "synthetic"])
def graph_app(request, seeded_app):
    """The seeded app, and the same with 40 synthetic people and 60 claims added."""
    if request.param == "synthetic":
        with seeded_app.app_context(), session_scope() as session:
            generate(session, people=40, claims=60, sources=40, quotes=150, stances=700)
    return seeded_app


def _get(app, url: str) -> bytes:
    response = app.test_client().get(url)
    assert response.status_code == 200, url
    return response.data


def test_graphml_is_valid_against_the_graphml_xsd(graph_app) -> None:
    data = _get(graph_app, "/export/graph.graphml")
    validate_graphml(data)
    root = ET.fromstring(data)
    ids = [e.get("id", "") for e in root.iter(f"{GRAPHML}edge")]
    ids += [n.get("id", "") for n in root.iter(f"{GRAPHML}node")]
    assert ids and all(NMTOKEN.match(i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_edge_ids_follow_one_readable_scheme_and_stay_the_same(seeded_app) -> None:
    first = _get(seeded_app, "/export/graph.graphml")
    root = ET.fromstring(first)
    for edge in root.iter(f"{GRAPHML}edge"):
        source, target = edge.get("source", ""), edge.get("target", "")
        prefix = f"e-{source.replace(':', '-')}-{target.replace(':', '-')}-"
        assert edge.get("id", "").startswith(prefix)
    assert {n.get("id", "")[:6] for n in root.iter(f"{GRAPHML}node")} == {"person", "claim:"}
    assert _get(seeded_app, "/export/graph.graphml") == first
    gexf_ids = {
        e.get("id")
        for e in ET.fromstring(_get(seeded_app, "/export/graph.gexf")).iter(f"{GEXF}edge")
    }
    assert gexf_ids == {e.get("id") for e in root.iter(f"{GRAPHML}edge")}


def test_igraph_reads_every_attribute_as_its_kind(graph_app, tmp_path) -> None:
    """igraph keeps one kind of number (a double) whatever the key's attr.type says, so what a
    file can do is declare int and write whole numbers: igraph reads `camp` as 1.0, never as a
    string, and networkx (next test) reads it as int."""
    data = _get(graph_app, "/export/graph.graphml")
    root = ET.fromstring(data)
    types = {k.get("attr.name"): k.get("attr.type") for k in root.iter(f"{GRAPHML}key")}
    assert types["camp"] == types["evidence"] == types["shared"] == "int"
    assert types["score"] == types["weight"] == "double" and types["label"] == "string"
    path = tmp_path / "kb.graphml"
    path.write_bytes(data)
    g = igraph.Graph.Read_GraphML(str(path))
    people = g.vs.select(kind_eq="person")
    assert len(people) > 0
    for v in people:
        assert isinstance(v["camp"], float) and v["camp"].is_integer() and v["camp"] >= 0
    stances = g.es.select(kind_eq="stance")
    assert len(stances) > 0 and all(float(e["evidence"]).is_integer() for e in stances)
    agreements = g.es.select(kind_eq="agreement")
    assert all(-1.0 <= e["score"] <= 1.0 and e["shared"] >= 1 for e in agreements)
    assert all(isinstance(v["label"], str) and v["label"] for v in g.vs)
    assert all(isinstance(e["as_of"], str) for e in stances)


def test_networkx_reads_both_files_back_as_the_graph_kb_exports(graph_app) -> None:
    with graph_app.app_context():
        built = cached.export(get_session())
    from_graphml = nx.read_graphml(io.BytesIO(_get(graph_app, "/export/graph.graphml")))
    from_gexf = read_gexf(_get(graph_app, "/export/graph.gexf"))
    for g in (from_graphml, from_gexf):
        assert set(g.nodes) == set(built.nodes)
        for n, data in built.nodes(data=True):
            assert {k: g.nodes[n][k] for k in data} == data
            assert type(g.nodes[n].get("camp", 0)) is int
    kinds = Counter(d["kind"] for *_e, d in built.edges(data=True))
    for g in (from_graphml, from_gexf):
        assert Counter(d["kind"] for *_e, d in g.edges(data=True)) == kinds
    # GraphML keeps `weight` as it was; GEXF gives it one meaning and keeps the rest apart
    expected = sorted(
        (u, v, d["kind"], d.get("evidence"), d.get("score")) for u, v, d in built.edges(data=True)
    )
    assert (
        sorted(
            (u, v, d["kind"], d.get("evidence"), d.get("score"))
            for u, v, d in from_graphml.edges(data=True)
        )
        == expected
    )
    assert (
        sorted(
            (u, v, d["kind"], d.get("evidence"), d.get("score"))
            for u, v, d in from_gexf.edges(data=True)
        )
        == expected
    )


def test_gexf_agreement_edges_are_undirected_and_weights_mean_one_thing(graph_app) -> None:
    root = ET.fromstring(_get(graph_app, "/export/graph.gexf"))
    assert root.get("version") == "1.3"
    (graph,) = root.iter(f"{GEXF}graph")
    assert graph.get("defaultedgetype") == "directed"
    (edge_class,) = [a for a in graph.iter(f"{GEXF}attributes") if a.get("class") == "edge"]
    titles = {a.get("id"): a.get("title") for a in edge_class.iter(f"{GEXF}attribute")}
    edges = list(root.iter(f"{GEXF}edge"))
    assert edges
    for edge in edges:
        values = {titles.get(v.get("for")): v.get("value") for v in edge.iter(f"{GEXF}attvalue")}
        weight = float(edge.get("weight", "nan"))
        assert 0.0 <= weight <= 1.0, edge.get("id")
        if values["kind"] == "agreement":
            assert edge.get("type") == "undirected"
            assert weight == pytest.approx((float(values["score"]) + 1) / 2)
        else:
            assert edge.get("type") is None and weight == 1.0
            if values["kind"] == "stance":
                assert int(values["evidence"]) >= 0
    assert {"evidence", "score", "shared"} <= set(titles.values())
    assert "weight" not in titles.values()


def test_gexf_draws_nodes_as_kb_does(graph_app) -> None:
    data = _get(graph_app, "/export/graph.gexf")
    root = ET.fromstring(data)
    with graph_app.app_context():
        session = get_session()
        camp_of = cached.camps(session).camp_of
        coords = cached.opinion(session)[0].coords
    ends = Counter()
    for edge in root.iter(f"{GEXF}edge"):
        ends[edge.get("source")] += 1
        ends[edge.get("target")] += 1
    placed = 0
    for node in root.iter(f"{GEXF}node"):
        nid = node.get("id", "")
        color = node.find(f"{VIZ}color")
        size = node.find(f"{VIZ}size")
        assert color is not None and size is not None, nid
        rgb = tuple(int(color.get(c, "-1")) for c in "rgb")
        assert all(0 <= c <= 255 for c in rgb)
        kind, _, raw = nid.partition(":")
        want = (
            file_style.CLAIM_COLOUR
            if kind == "claim"
            else svg.camp_colour(camp_of.get(int(raw), 0))
        )
        assert color.get("hex") == want and "#" + bytes(rgb).hex() == want.lower(), nid
        assert float(size.get("value", "-1")) == file_style.size_of(ends[nid])
        shape = node.find(f"{VIZ}shape")
        assert shape is not None and shape.get("value") in {"disc", "square", "triangle", "diamond"}
        position = node.find(f"{VIZ}position")
        if kind == "person" and int(raw) in coords:
            x, y = coords[int(raw)]
            assert position is not None
            assert float(position.get("x", "nan")) == pytest.approx(x * file_style.SCALE, abs=0.01)
            assert float(position.get("y", "nan")) == pytest.approx(-y * file_style.SCALE, abs=0.01)
            placed += 1
        else:
            assert position is None
    assert placed >= 20
    # several camps, so several colours
    assert len({c.get("hex") for c in root.iter(f"{VIZ}color")}) >= 3


def test_yed_file_is_the_graphml_plus_yfiles_graphics(graph_app) -> None:
    plain = _get(graph_app, "/export/graph.graphml").decode()
    yed = _get(graph_app, "/export/graph.yed.graphml").decode()
    root = ET.fromstring(yed)
    keys = [k for k in root.iter(f"{GRAPHML}key") if k.get("yfiles.type") == "nodegraphics"]
    assert len(keys) == 1 and keys[0].get("for") == "node"
    for node in root.iter(f"{GRAPHML}node"):
        shape = node.find(f"{GRAPHML}data/{YFILES}ShapeNode")
        assert shape is not None, node.get("id")
        label = shape.find(f"{YFILES}NodeLabel")
        fill = shape.find(f"{YFILES}Fill")
        assert label is not None and label.text and fill is not None
        assert re.fullmatch(r"#[0-9A-F]{6}", fill.get("color", ""))
    # take the graphics away and what is left is the plain, XSD-valid file, byte for byte
    stripped = re.sub(r'<data key="ng">.*?</data>', "", yed)
    stripped = stripped.replace(' xmlns:y="http://www.yworks.com/xml/graphml"', "")
    stripped = stripped.replace('  <key id="ng" for="node" yfiles.type="nodegraphics" />\n', "")
    assert stripped == plain
    # networkx reads yEd's graphics too: the label and the map's place
    g = nx.read_graphml(io.StringIO(yed))
    people = [d for _n, d in g.nodes(data=True) if d["kind"] == "person"]
    assert all(d["label"] == d["name"] for d in people)
    assert sum(1 for d in people if d.get("x") is not None) >= 20


def test_cli_writes_the_yed_file(seeded_app, tmp_path) -> None:
    out = tmp_path / "g.graphml"
    result = seeded_app.test_cli_runner().invoke(args=["export", "--format", "yed", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == _get(seeded_app, "/export/graph.yed.graphml")


def test_an_empty_knowledge_base_exports_valid_empty_files(app) -> None:
    validate_graphml(_get(app, "/export/graph.graphml"))
    assert (
        nx.read_graphml(io.BytesIO(_get(app, "/export/graph.yed.graphml"))).number_of_nodes() == 0
    )
    assert read_gexf(_get(app, "/export/graph.gexf")).number_of_nodes() == 0
