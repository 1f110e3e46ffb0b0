"""The AIF and xAIF exports opened with arguebuf, the maintained AIF library (issue 17 item 4),
and checked against kb's own data (the kb/1 export of the same seeded database).

arguebuf's AIF and xAIF readers build its own model, which has atom (I) and scheme (RA, CA,
MA, PA) nodes only: they skip every L, TA and YA node by design (`UNSUPPORTED_NODE_TYPES` in
arguebuf.load._load_aif) and read neither "locutions" nor "participants", whatever the file
holds. So the tests check two things: arguebuf loads the argument layer whole, with the
timestamps kb wrote (no node silently dated today when kb knows its date), and skips nothing
else; and the dialogue layer arguebuf cannot hold (quotes, speakers, illocutions) is in the file,
complete, for AIFdb, OVA and any reader of the JSON. (The export that keeps them through
arguebuf is its own format, /export/kb.arguebuf.json: tests/test_arguebuf_export.py.)
"""

from __future__ import annotations

import json
import logging
from typing import Any

import arguebuf
import pendulum
import pytest

from kb.formats import aif
from kb.formats.aif import timestamp


@pytest.fixture
def exported(seeded_client) -> dict[str, Any]:
    def get(path: str) -> Any:
        return json.loads(seeded_client.get(path).get_data(as_text=True))

    return {
        "kb": get("/export/kb.json"),
        "aif": get("/export/kb.aif.json"),
        "xaif": get("/export/kb.xaif.json"),
    }


def _claim_first_said(kb: dict[str, Any]) -> dict[str, str]:
    """Each claim's earliest quote or signature date, computed here from kb/1 alone."""
    said = {q["id"]: q["said"] for q in kb["quotes"] if q["said"]}
    dates: dict[str, list[str]] = {}
    for s in kb["stances"]:
        dates.setdefault(s["claim"], []).extend(said[r] for r in s["evidence"] if r in said)
    statements = {st["slug"]: st for st in kb["statements"]}
    for sig in kb["signatures"]:
        st = statements[sig["statement"]]
        if st["claim"] and st["position"] and st["date"]:
            dates.setdefault(st["claim"], []).append(st["date"])
    return {c: min(timestamp(d) or "" for d in ds) for c, ds in dates.items() if ds}


def test_timestamps_start_the_period_a_partial_date_names() -> None:
    assert timestamp("2017-07-17") == "2017-07-17 00:00:00"
    assert timestamp("2017-02") == "2017-02-01 00:00:00"
    assert timestamp("2017") == "2017-01-01 00:00:00"
    assert timestamp(None) is None and timestamp("") is None and timestamp("soon") is None


@pytest.mark.parametrize("fmt", ["aif", "xaif"])
def test_arguebuf_loads_every_claim_and_relation(exported, fmt, caplog) -> None:
    kb, doc = exported["kb"], exported[fmt]
    with caplog.at_level(logging.WARNING):
        graph = arguebuf.load.aif(doc) if fmt == "aif" else arguebuf.load.xaif(doc)
    rel = kb["claim_relations"]
    assert len(graph.atom_nodes) == len(kb["claims"]) == 20
    schemes = [type(n.scheme).__name__ for n in graph.scheme_nodes.values()]
    assert schemes.count("Support") == sum(r["kind"] == "supports" for r in rel)
    assert schemes.count("Attack") == sum(r["kind"] == "contradicts" for r in rel)
    assert len(graph.edges) == 2 * len(rel)  # claim -> RA/CA -> claim, every one
    texts = {n.plain_text for n in graph.atom_nodes.values()}
    assert texts == {c["text"] for c in kb["claims"]}
    # what arguebuf skipped is exactly the dialogue layer: L and YA nodes and their edges
    aif_doc = doc if fmt == "aif" else doc["AIF"]
    kept = set(graph.nodes)
    types = {n["nodeID"]: n["type"] for n in aif_doc["nodes"]}
    assert {types[n] for n in types if n not in kept} == {"L", "YA"}
    assert all(
        {types[e["fromID"]], types[e["toID"]]} & {"L", "YA"}
        for e in aif_doc["edges"]
        if not (e["fromID"] in kept and e["toID"] in kept)
    )


def test_arguebuf_keeps_the_claims_dates(exported) -> None:
    """An I-node is dated by the earliest quote or signature bearing on its claim; arguebuf
    reads that timestamp rather than filling in the moment of loading."""
    kb, doc = exported["kb"], exported["aif"]
    first = _claim_first_said(kb)
    graph = arguebuf.load.aif(doc)
    by_text = {n.plain_text: n for n in graph.atom_nodes.values()}
    assert len(first) == len(kb["claims"])  # every seed claim rests on something dated
    for claim in kb["claims"]:
        created = by_text[claim["text"]].metadata.created
        assert created == pendulum.parse(first[claim["slug"]], tz="UTC")
        assert created.year < pendulum.now().year  # not today


def test_every_quote_is_a_locution_of_its_speaker_dated_when_said(exported) -> None:
    kb, doc = exported["kb"], exported["aif"]
    nodes = {n["nodeID"]: n for n in doc["nodes"]}
    locutions = {loc["nodeID"]: loc for loc in doc["locutions"]}
    names = {p["slug"]: p["name"] for p in kb["people"]}
    participants = {
        p["participantID"]: f"{p['firstname']} {p['surname']}".strip() for p in doc["participants"]
    }
    assert sorted(participants.values()) == sorted(names.values())
    for q in kb["quotes"]:
        nid = str(10 * int(q["id"][1:]) + 2)
        node = nodes[nid]
        assert node["type"] == "L" and node["text"] == f"{names[q['speaker']]}: {q['text']}"
        assert participants[locutions[nid]["personID"]] == names[q["speaker"]]
        assert node.get("timestamp") == timestamp(q["said"])
        assert locutions[nid].get("timestamp") == timestamp(q["said"])
        assert locutions[nid].get("start") == q["said"]
    undated = [q for q in kb["quotes"] if not q["said"]]
    assert undated and all(
        "timestamp" not in nodes[str(10 * int(q["id"][1:]) + 2)] for q in undated
    )


def test_every_piece_of_evidence_is_an_illocution_from_quote_to_claim(exported) -> None:
    kb, doc = exported["kb"], exported["aif"]
    nodes = {n["nodeID"]: n for n in doc["nodes"]}
    out: dict[str, list[str]] = {}
    for e in doc["edges"]:
        out.setdefault(e["fromID"], []).append(e["toID"])
    claim_node = {c["slug"]: str(10 * i + 1) for i, c in enumerate(kb["claims"], 1)}
    said = {q["id"]: q["said"] for q in kb["quotes"]}
    expected = []
    for s in kb["stances"]:
        for ref in s["evidence"]:
            expected.append((ref, aif.YA_TEXT[s["position"]], claim_node[s["claim"]]))
    found = []
    for ref in sorted({ref for ref, _text, _claim in expected}):
        for ya in out[str(10 * int(ref[1:]) + 2)]:
            (claim,) = out[ya]
            found.append((ref, nodes[ya]["text"], claim))
            assert nodes[ya]["type"] == "YA" and nodes[claim]["type"] == "I"
            assert nodes[ya].get("timestamp") == timestamp(said[ref])
    assert sorted(found) == sorted(expected)
    assert sum(n["type"] == "YA" for n in doc["nodes"]) == len(expected) + sum(
        1
        for _ in kb["signatures"]  # every seed statement bears on a claim
    )


def test_xaif_is_the_aif_with_ovas_layout_and_text(exported) -> None:
    doc, xaif = exported["aif"], exported["xaif"]
    assert set(xaif) == {"AIF", "OVA", "text", "dialog"}
    inner = xaif["AIF"]
    assert inner["nodes"] == doc["nodes"] and inner["locutions"] == doc["locutions"]
    assert inner["participants"] == doc["participants"]
    assert inner["edges"] == [
        {k: v for k, v in e.items() if k != "formEdgeID"} for e in doc["edges"]
    ]
    ova = xaif["OVA"]
    assert [n["nodeID"] for n in ova["nodes"]] == [n["nodeID"] for n in doc["nodes"]]
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in ova["nodes"])
    spots = {(n["x"], n["y"]) for n in ova["nodes"]}
    assert len(spots) == len(ova["nodes"])  # no two nodes drawn on top of each other
    stamps = {n["nodeID"]: n.get("timestamp", "") for n in doc["nodes"]}
    assert all(n["timestamp"] == stamps[n["nodeID"]] for n in ova["nodes"])
    assert [(e["fromID"], e["toID"]) for e in ova["edges"]] == [
        (e["fromID"], e["toID"]) for e in doc["edges"]
    ]
    pieces = xaif["text"].split("<br>")
    assert len(pieces) == sum(n["type"] == "L" for n in doc["nodes"])
    assert "<" not in "".join(pieces) and ">" not in "".join(pieces)  # escaped HTML


def test_xaif_is_offered_beside_the_aif(seeded_client, seeded_app, tmp_path) -> None:
    page = seeded_client.get("/export/").get_data(as_text=True)
    assert 'href="/export/kb.xaif.json"' in page and 'href="/export/kb.aif.json"' in page
    out = tmp_path / "kb.xaif.json"
    result = seeded_app.test_cli_runner().invoke(
        args=["export", "--format", "xaif", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    web = seeded_client.get("/export/kb.xaif.json")
    assert web.mimetype == "application/json"
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(web.data)
