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

from kb.graph import cached, file_style, svg, writers
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


Element = tuple[str, str, tuple[str, str, str] | None, dict[str, str]]


def _declared(root: ET.Element) -> tuple[dict[str, str], list[Element]]:
    """The GraphML's attr.type of each attribute name, and every node and edge: its tag, id,
    (source, target, id) for an edge, and the (name -> text) of the attributes it carries."""
    keys = {k.get("id"): k for k in root.iter(f"{GRAPHML}key") if k.get("attr.name")}
    types = {k.get("attr.name", ""): k.get("attr.type", "") for k in keys.values()}
    elements = []
    for tag in ("node", "edge"):
        for el in root.iter(f"{GRAPHML}{tag}"):
            data = {
                keys[d.get("key")].get("attr.name", ""): d.text or ""
                for d in el.findall(f"{GRAPHML}data")
                if d.get("key") in keys
            }
            eid = el.get("id", "")
            ends = (el.get("source", ""), el.get("target", ""), eid) if tag == "edge" else None
            elements.append((tag, eid, ends, data))
    return types, elements


def _as_declared(kind: str, value: object, text: str, ints: type | tuple[type, ...]) -> bool:
    """Whether a reader's `value` is the file's `text` as its declared `kind`; `ints` is what
    the reader gives for an int (igraph a float, networkx an int)."""
    if kind == "string":
        return isinstance(value, str) and value == text
    if kind == "boolean":
        return isinstance(value, bool) and value == (text.strip().lower() in {"true", "1"})
    if kind in ("int", "long"):
        whole = isinstance(value, ints) and not isinstance(value, bool)
        return whole and float(value).is_integer() and int(value) == int(text)  # type: ignore[arg-type]
    assert kind in ("double", "float"), kind
    return isinstance(value, float) and value == float(text)


def test_igraph_and_networkx_read_every_attribute_as_its_declared_type(graph_app, tmp_path):
    """Every <data> of every node and edge comes back as its key's attr.type: strings as str,
    booleans as bool, doubles as float, ints as int in networkx and as a whole-number float in
    igraph (it has one number type, so no int can come back as an int there). That is why the
    camp is a label ("Camp 2", "No camp"): igraph read the earlier int as 1.0."""
    data = _get(graph_app, "/export/graph.graphml")
    types, elements = _declared(ET.fromstring(data))
    assert set(types.values()) <= {"string", "int", "double", "boolean"}
    assert types["camp"] == types["label"] == "string"
    assert types["evidence"] == types["shared"] == "int" and types["score"] == "double"
    path = tmp_path / "kb.graphml"
    path.write_bytes(data)
    ig = igraph.Graph.Read_GraphML(str(path))
    nxg = nx.read_graphml(path)
    # igraph keeps the file's order, nodes and edges alike (and a node's id as "id")
    ig_items = list(ig.vs) + list(ig.es)
    assert len(ig_items) == len(elements) > 0
    assert nxg.number_of_nodes() + nxg.number_of_edges() == len(elements)
    seen: Counter[str] = Counter()
    for (tag, eid, ends, attrs), ig_item in zip(elements, ig_items, strict=True):
        if ends is None:
            assert ig_item["id"] == eid
            nx_attrs = nxg.nodes[eid]
        else:  # networkx makes a multigraph only when some pair has two edges
            assert (ig.vs[ig_item.source]["id"], ig.vs[ig_item.target]["id"]) == ends[:2]
            nx_attrs = nxg.edges[ends if nxg.is_multigraph() else ends[:2]]
        for name, text in attrs.items():
            kind = types[name]
            assert _as_declared(kind, ig_item[name], text, float), ("igraph", tag, name, text)
            assert _as_declared(kind, nx_attrs[name], text, int), ("networkx", tag, name, text)
            seen[kind] += 1
    assert seen["string"] and seen["int"] and seen["double"]
    with graph_app.app_context():
        camp_of = cached.camps(get_session()).camp_of
    people = ig.vs.select(kind_eq="person")
    assert len(people) > 0
    for v in people:
        camp = camp_of.get(int(v["id"].partition(":")[2]), 0)
        assert v["camp"] == writers.graphml_camp(camp) == nxg.nodes[v["id"]]["camp"]
        assert re.fullmatch(r"Camp [1-9]\d*|No camp", v["camp"])
    assert len({v["camp"] for v in people}) >= 2


def test_networkx_reads_both_files_back_as_the_graph_kb_exports(graph_app) -> None:
    with graph_app.app_context():
        built = cached.export(get_session())
    from_graphml = nx.read_graphml(io.BytesIO(_get(graph_app, "/export/graph.graphml")))
    from_gexf = read_gexf(_get(graph_app, "/export/graph.gexf"))
    for g in (from_graphml, from_gexf):
        assert set(g.nodes) == set(built.nodes)
        for n, data in built.nodes(data=True):
            want = dict(data)
            if g is from_graphml and "camp" in want:  # GraphML's camp is its label
                want["camp"] = writers.graphml_camp(want["camp"])
            assert {k: g.nodes[n][k] for k in data} == want
            camp = g.nodes[n].get("camp")
            assert camp is None or type(camp) is (str if g is from_graphml else int)
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
