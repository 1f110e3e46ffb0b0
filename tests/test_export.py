"""The /export area and `kb export`: every file, streamed, safe in a spreadsheet, valid."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import jsonschema
import pytest

from kb import models as m
from kb.formats import aif, exports, kb1
from kb.formats.csvsafe import neutralise, unneutralise
from kb.load.seed import seed_document
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import seed_count


def test_export_page_lists_every_file_with_counts(seeded_client) -> None:
    page = seeded_client.get("/export/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in (
        "kb.json",
        "kb.zip",
        "kb.jsonld",
        "kb.aif.json",
        "kb.arguebuf.json",
        "schema.json",
    ):
        assert name in html
    for entity in kb1.ENTITIES:
        assert f"/export/{entity}.csv" in html
    assert f">{seed_count('stances')}<" in html  # the seed's stances


def test_schema_is_served_and_valid(client) -> None:
    r = client.get("/export/schema.json")
    assert r.status_code == 200
    schema = r.get_json(force=True)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["format"] == {"const": "kb/1"}


def test_json_export_validates_and_has_every_seed_record(seeded_client) -> None:
    from kb.load.seed import seed_document

    r = seeded_client.get("/export/kb.json")
    assert r.status_code == 200 and r.is_streamed
    assert r.mimetype == "application/json"
    doc = json.loads(r.get_data(as_text=True))
    jsonschema.validate(doc, kb1.schema())
    seed = seed_document()
    for entity in kb1.ENTITIES:
        assert len(doc[entity]) == len(seed.get(entity, [])), entity
    assert {p["slug"] for p in doc["people"]} == {p["slug"] for p in seed["people"]}
    # quotes have stable ids, and the stances' evidence points at them
    ids = {q["id"] for q in doc["quotes"]}
    assert all(i.startswith("q") for i in ids)
    assert all(set(s["evidence"]) <= ids for s in doc["stances"])
    rees = next(s for s in doc["sources"] if s["slug"] == "rees-ofh-2003")
    assert rees["published"] == "2003"


@pytest.mark.parametrize("entity", kb1.ENTITIES)
def test_each_entity_csv_has_the_documented_columns(seeded_client, entity) -> None:
    r = seeded_client.get(f"/export/{entity}.csv")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert f'filename="{entity}.csv"' in r.headers["Content-Disposition"]
    body = r.get_data(as_text=True)
    assert "\r\n" in body
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0] == list(kb1.FIELDS[entity])
    from kb.load.seed import seed_document

    assert len(rows) - 1 == len(seed_document().get(entity, []))


def test_unknown_entity_csv_is_404(client) -> None:
    assert client.get("/export/users.csv").status_code == 404


def test_csv_neutralises_formulas_and_json_keeps_exact_text(app, client) -> None:
    from kb.web.database import session_scope

    with app.app_context(), session_scope() as s:
        make_person(s, slug="evil", name='=HYPERLINK("http://x")', affiliation="@SUM(A1)")
        make_person(s, slug="tab", name="\tleading tab", affiliation="-2+3")
        make_person(s, slug="quoted", name="'=already quoted")
    rows = list(
        csv.DictReader(io.StringIO(client.get("/export/people.csv").get_data(as_text=True)))
    )
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["evil"]["name"] == '\'=HYPERLINK("http://x")'
    assert by_slug["evil"]["affiliation"] == "'@SUM(A1)"
    assert by_slug["tab"]["name"] == "'\tleading tab"
    assert by_slug["tab"]["affiliation"] == "'-2+3"
    assert by_slug["quoted"]["name"] == "''=already quoted"
    doc = json.loads(client.get("/export/kb.json").get_data(as_text=True))
    names = {p["slug"]: p["name"] for p in doc["people"]}
    assert names["evil"] == '=HYPERLINK("http://x")'
    assert names["tab"] == "\tleading tab"


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'=x", "''+x", "'plain", "plain", ""]
)
def test_neutralise_round_trips(text) -> None:
    assert unneutralise(neutralise(text)) == text
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_zip_bundle_holds_every_csv_json_schema_and_readme(seeded_client) -> None:
    r = seeded_client.get("/export/kb.zip")
    assert r.status_code == 200 and r.is_streamed
    zf = zipfile.ZipFile(io.BytesIO(r.get_data()))
    assert zf.testzip() is None
    names = set(zf.namelist())
    assert names == {"README.txt", "kb.json", kb1.SCHEMA_FILE} | {f"{e}.csv" for e in kb1.ENTITIES}
    doc = json.loads(zf.read("kb.json"))
    jsonschema.validate(doc, json.loads(zf.read(kb1.SCHEMA_FILE)))
    assert zf.read("stances.csv").decode().count("\r\n") == seed_count("stances") + 1


def test_exports_stream_header_before_any_query() -> None:
    opened: list[str] = []

    class Reader:
        def records(self, entity):
            opened.append(entity)
            yield from ()

        def rows(self, entity):  # pragma: no cover - not used by the JSON writer
            return []

    chunks = exports.kb_json(Reader())
    assert next(chunks).startswith('{"format": "kb/1"')
    assert opened == []
    rest = "".join(chunks)
    assert opened == list(kb1.ENTITIES)
    assert json.loads('{"format": "kb/1"' + rest) == {
        "format": "kb/1",
        **{e: [] for e in kb1.ENTITIES},
    }


def test_http_export_sends_first_bytes_before_reading_rows(seeded_client) -> None:
    r = seeded_client.get("/export/stances.csv", buffered=False)
    first = next(iter(r.response))
    assert first.startswith(b"person,claim,position")
    r.close()


def test_jsonld_uses_schema_org_types_and_the_stance_extension(seeded_client) -> None:
    r = seeded_client.get("/export/kb.jsonld")
    assert r.mimetype == "application/ld+json"
    doc = json.loads(r.get_data(as_text=True))
    assert doc["@context"]["@vocab"] == "https://schema.org/"
    types = {}
    for node in doc["@graph"]:
        types.setdefault(node["@type"], []).append(node)
    assert {"Person", "CreativeWork", "Claim", "Quotation", "DefinedTerm", "kb:Stance"} <= set(
        types
    )
    assert len(types["kb:Stance"]) == seed_count("stances")
    ids = {n["@id"] for n in doc["@graph"] if "@id" in n}
    for stance in types["kb:Stance"]:
        assert stance["kb:agent"] in ids and stance["kb:claim"] in ids
        assert set(stance.get("kb:evidence", [])) <= ids  # none: it rests on a signature
    quote = types["Quotation"][0]
    assert quote["spokenByCharacter"]["@id"] in ids and quote["isPartOf"]["@id"] in ids
    # a quote's own date, apart from its source's datePublished
    said = {q["text"]: q["said"] for q in seed_document()["quotes"]}
    assert all(q.get("dateCreated") == said[q["text"]] for q in types["Quotation"])


def test_aif_has_the_shape_aifdb_reads(seeded_client) -> None:
    doc = json.loads(seeded_client.get("/export/kb.aif.json").get_data(as_text=True))
    assert set(doc) >= {"nodes", "edges", "locutions", "participants"}
    nodes = {n["nodeID"]: n for n in doc["nodes"]}
    assert len(nodes) == len(doc["nodes"])
    assert all(
        n["nodeID"].isdigit() and n["type"] in {"I", "L", "RA", "CA", "YA"} for n in doc["nodes"]
    )
    kinds = [n["type"] for n in doc["nodes"]]
    # L-nodes: the quotes and the signatures of joint statements (both are locutions)
    said_or_signed = seed_count("quotes") + seed_count("signatures")
    assert kinds.count("I") == seed_count("claims") and kinds.count("L") == said_or_signed
    from kb.load.seed import seed_document

    rel = seed_document()["claim_relations"]
    assert kinds.count("RA") == sum(r["kind"] == "supports" for r in rel)
    assert kinds.count("CA") == sum(r["kind"] == "contradicts" for r in rel)
    for e in doc["edges"]:
        assert e["fromID"] in nodes and e["toID"] in nodes
    # every RA/CA node sits between two I-nodes
    for n in doc["nodes"]:
        if n["type"] in ("RA", "CA"):
            ins = [e["fromID"] for e in doc["edges"] if e["toID"] == n["nodeID"]]
            outs = [e["toID"] for e in doc["edges"] if e["fromID"] == n["nodeID"]]
            assert [nodes[i]["type"] for i in ins + outs] == ["I", "I"]
    people = {p["participantID"] for p in doc["participants"]}
    assert len(doc["locutions"]) == said_or_signed
    for loc in doc["locutions"]:
        assert nodes[loc["nodeID"]]["type"] == "L" and loc["personID"] in people
    said = [q["said"] for q in seed_document()["quotes"] if q["said"]]
    dates = {st["slug"]: st["date"] for st in seed_document()["statements"]}
    said = sorted(said + [dates[sg["statement"]] for sg in seed_document()["signatures"]])
    assert sorted(loc["start"] for loc in doc["locutions"] if "start" in loc) == said
    musk = next(p for p in doc["participants"] if p["surname"] == "Musk")
    assert musk["firstname"] == "Elon"


def test_aif_ya_text_follows_the_position(app) -> None:
    from kb.web.database import session_scope

    with app.app_context(), session_scope() as s:
        p = make_person(s, name="Ada Lovelace")
        c = make_claim(s, text="Machines can only do what we order them to.")
        src = make_source(s)
        make_stance(s, p, c, "opposes", evidence=[make_quote(s, p, src, text="No, they can't.")])
    doc = json.loads(app.test_client().get("/export/kb.aif.json").get_data(as_text=True))
    ya = [n for n in doc["nodes"] if n["type"] == "YA"]
    assert [n["text"] for n in ya] == [aif.YA_TEXT["opposes"]]
    l_node = next(n for n in doc["nodes"] if n["type"] == "L")
    assert l_node["text"] == "Ada Lovelace: No, they can't."


def test_cli_export_every_format(seeded_app, tmp_path) -> None:
    runner = seeded_app.test_cli_runner()
    for fmt, name in [
        ("json", "kb.json"),
        ("zip", "kb.zip"),
        ("jsonld", "kb.jsonld"),
        ("aif", "kb.aif.json"),
    ]:
        result = runner.invoke(args=["export", "--format", fmt, "--output", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 1000
    result = runner.invoke(args=["export", "--format", "csv", "--output", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == sorted(
        f"{e}.csv" for e in kb1.ENTITIES
    )
    # the CLI writes what the web serves
    web = seeded_app.test_client().get("/export/kb.json").get_data()
    assert (tmp_path / "kb.json").read_bytes() == web
    assert "exporting" not in result.output  # no progress bar when not on a terminal


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_cli_export_graph_formats(seeded_app, tmp_path, fmt) -> None:
    import networkx as nx

    from tests.graph_files import read_gexf

    out = tmp_path / f"g.{fmt}"
    result = seeded_app.test_cli_runner().invoke(args=["export", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == seeded_app.test_client().get(f"/export/graph.{fmt}").get_data()
    # kb's GEXF is a mixed graph, which nx.read_gexf alone refuses (tests/graph_files.py)
    g = nx.read_graphml(out) if fmt == "graphml" else read_gexf(out.read_bytes())
    kinds = {d.get("kind") for _n, d in g.nodes(data=True)}
    assert {"person", "claim"} <= kinds


def test_optional_empty_text_exports_as_null(app, client) -> None:
    from kb.web.database import session_scope

    with app.app_context(), session_scope() as s:
        make_person(s, slug="blank", description="", url="")
    doc = json.loads(client.get("/export/kb.json").get_data(as_text=True))
    person = doc["people"][0]
    assert person["description"] is None and person["url"] is None
    assert m.Person  # the model is what was exported


def test_cli_export_progress_bar_only_on_a_terminal(seeded_app, tmp_path, monkeypatch) -> None:
    from kb.cli import transfer

    runner = seeded_app.test_cli_runner()
    quiet = runner.invoke(args=["export", "--format", "json", "-o", str(tmp_path / "a.json")])
    assert quiet.exit_code == 0 and "exporting" not in quiet.output
    monkeypatch.setattr(transfer, "_progress_wanted", lambda: True)
    shown = runner.invoke(args=["export", "--format", "json", "-o", str(tmp_path / "b.json")])
    assert shown.exit_code == 0, shown.output
    assert "exporting" in shown.output
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


class _ManyStances:
    """A Reader that makes `n` stances on the fly, as a database cursor would hand them out."""

    def __init__(self, n: int):
        self.n = n

    def records(self, entity):
        for row in self.rows(entity):
            yield dict(zip(kb1.FIELDS[entity], row, strict=True))

    def rows(self, entity):
        if entity != "stances":
            return
        for i in range(self.n):
            yield (
                f"p{i % 97}",
                f"c{i}",
                "supports",
                "explicit",
                0.5,
                0.75,
                None,
                "of something",
                f"q{i}",
                None,  # forecast_url
                None,  # survey_url
                "2020-01-01",
                '=note, with "quotes"\nand a line',
                "for readers",
                [f"q{i}", f"q{i + 1}"],
            )


@pytest.mark.parametrize("writer", ["json", "csv", "zip"])
def test_export_memory_stays_flat_however_many_records(writer) -> None:
    import tracemalloc

    def run(n: int) -> tuple[int, int]:
        reader = _ManyStances(n)
        chunks = {
            "json": lambda: exports.kb_json(reader),
            "csv": lambda: exports.entity_csv("stances", reader),
            "zip": lambda: exports.kb_zip(reader),
        }[writer]()
        tracemalloc.start()
        size = 0
        for chunk in chunks:
            size += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size, peak

    small_size, small_peak = run(1_000)
    big_size, big_peak = run(20_000)
    assert big_size > 15 * small_size
    # twenty times the records, and the peak memory does not grow with them
    assert big_peak < small_peak * 2 + 1_000_000, (small_peak, big_peak)


def test_an_export_reads_one_snapshot_while_others_commit(seeded_app) -> None:
    """Every query of an export sees the state of its first read: a commit made meanwhile (an
    import finishing) is in the next export, never half in this one."""
    from sqlalchemy import func, select

    from kb.queries import export as q
    from kb.web.database import session_scope

    engine = seeded_app.extensions["kb.engine"]
    count = select(func.count()).select_from(m.Person)
    with q.snapshot(engine) as conn:
        before = conn.scalar(count)
        with seeded_app.app_context(), session_scope() as session:
            make_person(session, slug="committed-meanwhile")
        assert conn.scalar(count) == before
        assert "committed-meanwhile" not in set(conn.scalars(select(m.Person.slug)))
    with q.snapshot(engine) as conn:
        assert conn.scalar(count) == before + 1
