"""Joint statements, signatures and affiliations in the linked-data exports (issue 14): the
JSON-LD export, the AIF export and the JSON-LD the pages embed, on the seed."""

from __future__ import annotations

import json
import re

from kb.formats import aif
from kb.formats.iris import DEFAULT_BASE_URL, IRIs
from kb.load.seed import seed_document
from tests.helpers import seed_count

IRI = IRIs(
    DEFAULT_BASE_URL
)  # the dump's names when KB_BASE_URL is unset (tests/test_linked_data.py)


def _graph(client) -> list[dict]:
    return json.loads(client.get("/export/kb.jsonld").get_data(as_text=True))["@graph"]


def _of_type(graph: list[dict], kind: str) -> list[dict]:
    if kind == "kb:Statement":
        return [n for n in graph if n.get("additionalType") == IRI.vocab + "Statement"]
    return [n for n in graph if n.get("@type") == kind]


def test_jsonld_has_every_seed_statement_as_a_creative_work(seeded_client) -> None:
    graph = _graph(seeded_client)
    statements = _of_type(graph, "kb:Statement")
    assert len(statements) == seed_count("statements") == 3
    seed = {s["slug"]: s for s in seed_document()["statements"]}
    for node in statements:
        record = seed[node["identifier"]]
        assert node["@type"] == "CreativeWork"
        assert node["@id"] == IRI.statement(record["slug"])
        assert node["name"] == record["title"]
        assert node["author"] == {
            "@id": IRI.organisation(record["by"]),  # named, so every statement by it is one
            "@type": "Organization",
            "name": record["by"],
        }
        assert node["datePublished"] == record["date"]
        assert node.get("url") == record.get("url")  # left out when the seed has none
        assert node.get("text") == record.get("text")
        assert node["kb:claim"] == IRI.claim(record["claim"])


def test_jsonld_signatures_are_evidence_of_their_stances(seeded_client) -> None:
    graph = _graph(seeded_client)
    signatures = _of_type(graph, "kb:Signature")
    assert len(signatures) == seed_count("signatures") == 16
    ids = {n["@id"] for n in signatures}
    assert len(ids) == 16
    people = {n["@id"] for n in _of_type(graph, "Person")}
    statements = {n["@id"]: n for n in _of_type(graph, "kb:Statement")}
    for sig in signatures:
        assert sig["kb:agent"] in people and sig["kb:statement"] in statements
        assert sig["kb:seenIn"]
    linked = {
        (st["kb:agent"], st["kb:claim"], sig)
        for st in _of_type(graph, "kb:Stance")
        for sig in st.get("kb:signature", [])
    }
    # every link from a stance names a signature by that person of a statement on that claim
    by_id = {n["@id"]: n for n in signatures}
    for agent, claim, sig in linked:
        assert by_id[sig]["kb:agent"] == agent
        assert statements[by_id[sig]["kb:statement"]]["kb:claim"] == claim
    # and every signature of a statement on a claim the signer has a stance on is linked
    stances = {(st["kb:agent"], st["kb:claim"]) for st in _of_type(graph, "kb:Stance")}
    expected = {
        n["@id"]
        for n in signatures
        if (n["kb:agent"], statements[n["kb:statement"]].get("kb:claim")) in stances
    }
    assert {sig for _, _, sig in linked} == expected and expected


def test_jsonld_affiliations_are_organization_roles(seeded_client) -> None:
    graph = _graph(seeded_client)
    roles = [n for n in graph if isinstance(n.get("affiliation"), dict)
             and n["affiliation"].get("@type") == "OrganizationRole"]  # fmt: skip
    assert len(roles) == seed_count("affiliations") == 60
    seed = seed_document()["affiliations"]
    for node, record in zip(roles, seed, strict=True):
        role = node["affiliation"]
        assert node["@id"] == IRI.person(record["person"])
        assert role["affiliation"] == {
            "@id": IRI.organisation(record["organisation"]),
            "@type": "Organization",
            "name": record["organisation"],
        }
        assert role["@id"].startswith(IRI.base + "/affiliations/" + record["person"] + "/")
        assert role.get("roleName") == record.get("role")
        assert role.get("startDate") == record.get("from")
        assert role.get("endDate") == record.get("to")
    assert any("startDate" in n["affiliation"] for n in roles)
    # the person node each role restates is in the graph
    people = {n["@id"] for n in _of_type(graph, "Person")}
    assert {n["@id"] for n in roles} <= people


def test_jsonld_keeps_the_keys_it_had_and_quotes_carry_their_date(seeded_client) -> None:
    doc = json.loads(seeded_client.get("/export/kb.jsonld").get_data(as_text=True))
    for key in ("kb:agent", "kb:claim", "kb:evidence", "kb:from", "kb:to", "kb:asOf"):
        assert key in doc["@context"]
    quotes = _of_type(doc["@graph"], "Quotation")
    assert len(quotes) == seed_count("quotes")
    said = {q["id"]: q.get("said") for q in seed_document()["quotes"]}
    dated = [q for q in quotes if "dateCreated" in q]
    assert dated and all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", q["dateCreated"]) for q in dated)
    assert len(dated) == sum(1 for v in said.values() if v)
    stance = _of_type(doc["@graph"], "kb:Stance")[0]
    assert {"kb:agent", "kb:claim", "kb:position", "kb:basis"} <= stance.keys()


def test_jsonld_parses_as_rdf(seeded_client) -> None:
    import rdflib

    g = rdflib.Graph().parse(data=seeded_client.get("/export/kb.jsonld").data, format="json-ld")
    kb = rdflib.Namespace(IRI.vocab)
    assert len(set(g.subjects(rdflib.RDF.type, kb.Signature))) == 16


def _aif(client) -> dict:
    return json.loads(client.get("/export/kb.aif.json").get_data(as_text=True))


def test_aif_signatures_are_locutions_supporting_their_claims(seeded_client) -> None:
    doc = _aif(seeded_client)
    nodes = {n["nodeID"]: n for n in doc["nodes"]}
    assert len(nodes) == len(doc["nodes"])  # ids unique
    assert len({e["edgeID"] for e in doc["edges"]}) == len(doc["edges"])
    signed = [n for n in doc["nodes"] if n["type"] == "L" and ": signed “" in n["text"]]
    assert len(signed) == seed_count("signatures") == 16
    names = {p["name"] for p in seed_document()["people"]}
    titles = {s["title"] for s in seed_document()["statements"]}
    for n in signed:
        signer, _, title = n["text"].partition(": signed “")
        assert signer in names and title.rstrip("”") in titles
    locutions = {loc["nodeID"]: loc for loc in doc["locutions"]}
    participants = {p["participantID"] for p in doc["participants"]}
    for n in signed:
        assert locutions[n["nodeID"]]["personID"] in participants
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", locutions[n["nodeID"]]["start"])
    # L -> YA -> I, with the statement's position, for every seed statement has a claim
    out = {}
    for e in doc["edges"]:
        out.setdefault(e["fromID"], []).append(e["toID"])
    for n in signed:
        (ya,) = out[n["nodeID"]]
        assert nodes[ya]["type"] == "YA" and nodes[ya]["text"] == aif.YA_TEXT["supports"]
        (claim,) = out[ya]
        assert nodes[claim]["type"] == "I"


def test_aif_keeps_its_quotes_and_stances(seeded_client) -> None:
    doc = _aif(seeded_client)
    quotes = [n for n in doc["nodes"] if n["type"] == "L" and ": signed “" not in n["text"]]
    assert len(quotes) == seed_count("quotes")
    assert set(doc) == {"participants", "nodes", "edges", "locutions", "schemefulfillments"}


def test_pages_embed_affiliations_and_statements(seeded_client) -> None:
    def embedded(path: str) -> dict:
        html = seeded_client.get(path).get_data(as_text=True)
        m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert m
        return json.loads(m.group(1))

    person = embedded("/people/yoshua-bengio")
    roles = person["affiliation"]
    data = seeded_client.get("/people/yoshua-bengio.json").get_json()
    assert len(roles) == len(data["affiliations"]) > 0
    assert all(r["@type"] == "OrganizationRole" for r in roles)
    assert person["jobTitle"]  # the key it had stays
    claim = embedded("/claims/extinction-risk-global-priority")
    works = [c for c in claim["citation"] if c["@type"] == "CreativeWork"]
    assert [w["name"] for w in works] == ["Statement on AI Risk"]
