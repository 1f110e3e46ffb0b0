"""The arguebuf export (/export/kb.arguebuf.json, `kb export --format arguebuf`) opened with
arguebuf itself, and checked against kb's own data: the kb/1 export of the same database.

Unlike the AIF file (tests/test_aif_arguebuf.py), whose L and YA nodes and participants
arguebuf's AIF reader skips, this file keeps the quotes through arguebuf: each is an atom with
its speaker as participant and its words as a reference into its source's resource.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import arguebuf
import pendulum
import pytest
from arguebuf.model.node import AtomNode, SchemeNode

from kb.formats.arguebuf_json import rfc3339
from kb.queries import export as export_queries
from kb.web.database import get_engine
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import seed_count

SCHEME = {"supports": "Support", "contradicts": "Attack", "opposes": "Attack", "mixed": "None"}
EPOCH = pendulum.datetime(1970, 1, 1, tz="UTC")


def _download(client, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """kb/1, the arguebuf file as JSON, and the graph arguebuf loads from the file on disk."""
    kb = json.loads(client.get("/export/kb.json").data)
    response = client.get("/export/kb.arguebuf.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    path = tmp_path / "kb.arguebuf.json"
    path.write_bytes(response.data)
    return kb, json.loads(response.data), arguebuf.load.file(path)


@pytest.fixture
def seeded(seeded_client, tmp_path):
    return _download(seeded_client, tmp_path)


def _kind(node: SchemeNode) -> str:
    return type(node.scheme).__name__ if node.scheme is not None else "None"


def _created(stamp: str | None) -> pendulum.DateTime:
    return pendulum.parse(stamp) if stamp else EPOCH  # type: ignore[return-value]


def test_timestamps_start_the_period_a_partial_date_names() -> None:
    assert rfc3339("2017-07-17") == "2017-07-17T00:00:00Z"
    assert rfc3339("2017-02") == "2017-02-01T00:00:00Z"
    assert rfc3339("2017") == "2017-01-01T00:00:00Z"
    assert rfc3339(None) is None and rfc3339("") is None and rfc3339("soon") is None


def test_arguebuf_loads_every_record_the_database_holds(seeded, seeded_app) -> None:
    kb, _doc, graph = seeded
    with seeded_app.app_context(), export_queries.snapshot(get_engine()) as conn:
        held = export_queries.counts(conn)  # what the database holds, counted in SQL
    assert {e: len(kb[e]) for e in held} == held
    assert held["quotes"] == seed_count("quotes") and held["people"] == seed_count("people")
    evidence = sum(len(s["evidence"]) for s in kb["stances"])
    signed = sum(
        1
        for sig in kb["signatures"]
        for st in kb["statements"]
        if st["slug"] == sig["statement"] and st["claim"] and st["position"]
    )
    assert len(graph.atom_nodes) == len(kb["claims"]) + len(kb["quotes"]) + len(kb["signatures"])
    assert len(graph.scheme_nodes) == len(kb["claim_relations"]) + evidence + signed
    assert len(graph.edges) == 2 * len(graph.scheme_nodes)
    assert len(graph.participants) == len(kb["people"])
    assert len(graph.resources) == len(kb["sources"]) + len(kb["statements"])
    assert evidence > 100 and len(kb["quotes"]) > 50  # the seed, not an empty graph
    # arguebuf's own writer keeps what it read: participants, references, resources
    again = arguebuf.load.dict(arguebuf.dump.dict(graph))
    assert set(again.nodes) == set(graph.nodes) and set(again.participants) == set(
        graph.participants
    )
    for nid, node in again.atom_nodes.items():
        old = graph.atom_nodes[nid]
        assert node.plain_text == old.plain_text
        assert (node.participant and node.participant.id) == (
            old.participant and old.participant.id
        )
        assert (node.reference and node.reference.plain_text) == (
            old.reference and old.reference.plain_text
        )


def test_every_quote_keeps_its_words_speaker_source_and_date(seeded) -> None:
    kb, doc, graph = seeded
    people = {p["slug"]: p for p in kb["people"]}
    sources = {s["slug"]: s for s in kb["sources"]}
    speakers = {q["speaker"] for q in kb["quotes"]}
    assert {f"person:{slug}" for slug in speakers} <= set(graph.participants)
    for q in kb["quotes"]:
        node = graph.atom_nodes[f"quote:{q['id']}"]
        assert node.plain_text == q["text"] and node.reference.plain_text == q["text"]
        assert node.participant.id == f"person:{q['speaker']}"
        assert node.participant.name == people[q["speaker"]]["name"]
        resource, source = node.reference.resource, sources[q["source"]]
        assert resource.id == f"source:{q['source']}" and resource.title == source["title"]
        assert resource.source == source["url"]
        assert resource.timestamp == (
            pendulum.parse(rfc3339(source["published"])) if source["published"] else EPOCH
        )
        assert node.metadata.created == _created(rfc3339(q["said"]))
        assert node.userdata["kb"]["id"] == q["id"]
    undated = [q for q in kb["quotes"] if not q["said"]]
    assert undated, "the seed has undated quotes"
    for q in undated:  # no date is invented: the file says nothing, arguebuf reads its zero
        assert "metadata" not in doc["nodes"][f"quote:{q['id']}"]
        assert graph.atom_nodes[f"quote:{q['id']}"].metadata.created == EPOCH


def test_schemes_link_each_quote_to_its_claim_and_claims_to_claims(seeded) -> None:
    kb, _doc, graph = seeded
    said = {q["id"]: q["said"] for q in kb["quotes"]}
    expected = Counter(
        (f"quote:{ref}", SCHEME[s["position"]], f"claim:{s['claim']}", rfc3339(said[ref]))
        for s in kb["stances"]
        for ref in s["evidence"]
    )
    expected.update(
        (f"claim:{r['from']}", SCHEME[r["kind"]], f"claim:{r['to']}", None)
        for r in kb["claim_relations"]
    )
    statements = {st["slug"]: st for st in kb["statements"]}
    for k, sig in enumerate(kb["signatures"], 1):
        st = statements[sig["statement"]]
        if st["claim"] and st["position"]:
            link = (f"signature:{k}", SCHEME[st["position"]], f"claim:{st['claim']}")
            expected[(*link, rfc3339(st["date"]))] += 1
    found: Counter[tuple[str, str, str, str | None]] = Counter()
    for node in graph.scheme_nodes.values():
        (source,) = graph.incoming_nodes(node)
        (target,) = graph.outgoing_nodes(node)
        assert isinstance(source, AtomNode) and isinstance(target, AtomNode)
        stamp = node.metadata.created
        when = None if stamp == EPOCH else stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        found[(source.id, _kind(node), target.id, when)] += 1
    assert found == expected
    assert {"Support", "Attack", "None"} <= {kind for _s, kind, _t, _w in found}


def test_claims_are_dated_by_their_earliest_evidence(seeded) -> None:
    _kb, _doc, graph = seeded
    for nid, claim in graph.atom_nodes.items():
        if not nid.startswith("claim:"):
            continue
        dates = [
            graph.incoming_atom_nodes(scheme).pop().metadata.created
            for scheme in graph.incoming_nodes(claim)
            if not next(iter(graph.incoming_nodes(scheme))).id.startswith("claim:")
        ]
        dated = [d for d in dates if d != EPOCH]
        assert claim.metadata.created == (min(dated) if dated else EPOCH), nid
        assert claim.metadata.created.year < pendulum.now().year  # never today


def test_signatures_are_the_signers_words_in_the_statement(seeded) -> None:
    kb, _doc, graph = seeded
    statements = {st["slug"]: st for st in kb["statements"]}
    assert kb["signatures"]
    for k, sig in enumerate(kb["signatures"], 1):
        st, node = statements[sig["statement"]], graph.atom_nodes[f"signature:{k}"]
        assert node.participant.id == f"person:{sig['person']}"
        assert node.plain_text == (st["text"] or st["title"])
        assert node.reference.resource.id == f"statement:{st['slug']}"
        assert node.reference.resource.title == st["title"]
        assert node.reference.resource.source == (st["url"] or "")  # arguebuf reads none as ""


HOSTILE = 'Evil "Q" {B} \\x </script><b>&amp; 50% \u2028 \t\n Zoë 😀 {"nodes": {}}'


def test_hostile_text_round_trips(app, session, tmp_path) -> None:
    person = make_person(session, slug="evil", name=HOSTILE, description=HOSTILE)
    source = make_source(session, slug="evil-src", title=HOSTILE, url='https://e.x/a"b?c=<d>')
    claim = make_claim(session, slug="evil-claim", text=HOSTILE)
    quote = make_quote(session, person, source, text=HOSTILE, locator=HOSTILE)
    make_stance(session, person, claim, position="mixed", evidence=[quote])
    session.commit()
    _kb, doc, graph = _download(app.test_client(), tmp_path)
    node = graph.atom_nodes[f"quote:q{quote.id}"]
    assert node.plain_text == HOSTILE and node.reference.plain_text == HOSTILE
    assert node.participant.name == HOSTILE and node.participant.description == HOSTILE
    assert node.reference.resource.title == HOSTILE
    assert node.reference.resource.source == 'https://e.x/a"b?c=<d>'
    assert graph.atom_nodes["claim:evil-claim"].plain_text == HOSTILE
    assert node.userdata["kb"]["locator"] == HOSTILE
    (scheme,) = graph.scheme_nodes.values()
    assert scheme.scheme is None and scheme.userdata["kb"]["position"] == "mixed"
    assert set(doc) == {"schemaVersion", "resources", "participants", "nodes", "edges"}


def test_offered_on_the_export_page_and_by_kb_export(seeded_client, seeded_app, tmp_path):
    page = seeded_client.get("/export/").get_data(as_text=True)
    assert 'href="/export/kb.arguebuf.json"' in page
    out = tmp_path / "kb.arguebuf.json"
    result = seeded_app.test_cli_runner().invoke(
        args=["export", "--format", "arguebuf", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == seeded_client.get("/export/kb.arguebuf.json").data
    assert len(arguebuf.load.file(out).atom_nodes) > 0
