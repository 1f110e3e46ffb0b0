"""Turtle and N-Triples written from the rows (kb.formats.triples), not by rdflib from the
JSON-LD: the same set of triples as rdflib reads from /export/kb.jsonld, on the seed and on
hostile text (quotes, backslashes, line breaks, control characters, unicode in names and
literals; `<>"`, blanks and line breaks in URLs, which every format names by one valid IRI),
every line of the N-Triples one triple, and the Turtle one block per subject."""

from __future__ import annotations

import json
import re

import rdflib
from pyld import jsonld as pyld
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from kb.formats import triples
from kb.formats.iris import DEFAULT_BASE_URL, IRIs
from tests.factories import (
    make_claim,
    make_person,
    make_signature,
    make_source,
    make_stance,
    make_statement,
)

IRI = IRIs(DEFAULT_BASE_URL)
SCHEMA = rdflib.Namespace("https://schema.org/")
KB = rdflib.Namespace(IRI.vocab)
EVIL = 'say "no" \\ back\\slash\nnew line\r\ttab \x01 é 中文 😀 </script> <x> & \\u0041'
# is_web_url lets `<>"{}|^`` through; the blank, line break and lone "%" come in by other ways
EVIL_URL = 'https://example.org/a>b"c{d}|^`é?q=<x> y\nz%zz%41'
# the same URL as a valid IRI: those percent-encoded, the letter é and "%41" kept
EVIL_IRI = "https://example.org/a%3Eb%22c%7Bd%7D%7C%5E%60é?q=%3Cx%3E%20y%0Az%25zz%41"
# one triple a line: subject and predicate IRIs, then an IRI or a literal, nothing unescaped
IRIREF = r'<(?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-F]{4})*>'
NT_LINE = re.compile(rf'{IRIREF} {IRIREF} (?:{IRIREF}|"(?:[^"\\\n\r]|\\.)*"(?:\^\^{IRIREF})?) \.')


def _graphs(client) -> dict[str, rdflib.Graph]:
    out = {}
    for fmt, path in (("json-ld", "kb.jsonld"), ("nt", "kb.nt"), ("turtle", "kb.ttl")):
        response = client.get("/export/" + path)
        assert response.status_code == 200, path
        out[fmt] = rdflib.Graph().parse(data=response.get_data(), format=fmt)
    return out


def _same(graphs: dict[str, rdflib.Graph]) -> None:
    """Equal sets of triples, which for graphs without blank nodes is isomorphism (and on a
    failure names the triples that differ)."""
    dump = graphs["json-ld"]
    assert not [t for t in dump if any(isinstance(x, rdflib.BNode) for x in t)]
    for fmt in ("nt", "turtle"):
        assert set(graphs[fmt]) == set(dump), (fmt, set(dump) ^ set(graphs[fmt]))


def test_the_seed_has_the_same_triples_in_every_rdf_format(seeded_client) -> None:
    graphs = _graphs(seeded_client)
    assert len(graphs["json-ld"]) > 900
    _same(graphs)
    assert isomorphic(graphs["nt"], graphs["json-ld"])
    assert isomorphic(graphs["turtle"], graphs["json-ld"])
    text = seeded_client.get("/export/kb.nt").get_data(as_text=True)
    lines = text.splitlines()
    assert len(lines) >= len(graphs["nt"]) and all(NT_LINE.fullmatch(line) for line in lines)


def test_turtle_states_the_prefixes_once_and_a_block_per_subject(seeded_client) -> None:
    text = seeded_client.get("/export/kb.ttl").get_data(as_text=True)
    head, _, body = text.partition("\n\n")
    assert head.splitlines() == [
        f"@prefix {p}: <{ns}> ." for p, ns in sorted(triples.prefixes(IRI).items())
    ]
    assert "@prefix" not in body
    blocks = body.strip().split("\n\n")
    assert all(b.startswith("<") and b.endswith(" .") for b in blocks)
    first = blocks[0].splitlines()
    assert first[0].startswith(f"<{IRI.person('')}") and " a schema:Person ;" in first[0]
    assert all(line.startswith("    ") for line in first[1:])


def _hostile(session) -> None:
    person = make_person(
        session, slug="evil", name=EVIL, description=EVIL, url=EVIL_URL, affiliation=EVIL
    )
    claim = make_claim(session, slug="c-evil", text=EVIL)
    make_source(session, slug="s-evil", title=EVIL, url=EVIL_URL, publisher=EVIL)
    make_source(session, slug="s-relative", url="example.org/no scheme", archived_url="/x")
    make_stance(session, person, claim, "supports", probability=0.1 + 0.2, note=EVIL)
    statement = make_statement(session, claim, slug="st-evil", title=EVIL, url=EVIL_URL)
    make_signature(session, person, statement, seen_in=EVIL_URL)
    session.commit()


def test_hostile_text_is_escaped_and_reads_back_as_it_was(app, session) -> None:
    _hostile(session)
    client = app.test_client()
    graphs = _graphs(client)
    _same(graphs)
    assert isomorphic(graphs["nt"], graphs["json-ld"])
    me, url = URIRef(IRI.person("evil")), URIRef(EVIL_IRI)
    for g in graphs.values():
        assert (me, SCHEMA.name, Literal(EVIL)) in g
        assert (me, SCHEMA.sameAs, url) in g
        assert (URIRef(IRI.source("s-evil")), SCHEMA.url, url) in g
        assert (URIRef(IRI.statement("st-evil")), SCHEMA.url, url) in g
        assert (URIRef(IRI.signature("st-evil", "evil")), KB.seenIn, url) in g
        # a name in an IRI is percent-encoded, UTF-8 included: nothing there needs escaping
        org = URIRef(IRI.organisation(EVIL))
        assert (me, SCHEMA.affiliation, org) in g and (org, SCHEMA.name, Literal(EVIL)) in g
        assert "%22no%22" in org and "%0Anew%20line" in org and "%C3%A9" in org
        # a URL without a scheme would be resolved against wherever each reader is: left out
        relative = URIRef(IRI.source("s-relative"))
        assert (relative, SCHEMA.name, None) in g and (relative, SCHEMA.url, None) not in g
        assert (relative, SCHEMA.archivedAt, None) not in g
    text = client.get("/export/kb.nt").get_data(as_text=True)
    assert all(NT_LINE.fullmatch(line) for line in text.splitlines())
    assert f"<{EVIL_IRI}>" in text
    assert '"say \\"no\\" \\\\ back\\\\slash\\nnew line\\r\\u0009tab \\u0001 é 中文 😀' in text
    assert '"0.30000000000000004"^^<http://www.w3.org/2001/XMLSchema#double>' in text


def test_a_url_is_one_iri_for_every_reader(app, session) -> None:
    """pyld (a JSON-LD processor to the letter, which drops a triple whose IRI is not valid)
    and the person's page name the URL as the dumps do."""
    _hostile(session)
    client = app.test_client()
    doc = json.loads(client.get("/export/kb.jsonld").get_data())
    quads = pyld.to_rdf(doc, {"format": "application/n-quads"})
    me = IRI.person("evil")
    assert f"<{me}> <https://schema.org/sameAs> <{EVIL_IRI}> ." in quads.splitlines()
    html = client.get("/people/evil").get_data(as_text=True)
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(block)["sameAs"] == EVIL_IRI


def test_literals_and_iris_are_written_as_the_grammar_asks() -> None:
    assert triples.literal('a"b\\c\nd', "") == '"a\\"b\\\\c\\nd"'
    assert triples.literal("2024-01-02", triples.XSD + "date") == (
        '"2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date>'
    )
    assert triples.iri("https://x.example/a b>c") == "<https://x.example/a\\u0020b\\u003Ec>"
    node = {
        "@id": "https://x.example/p",
        "@type": "Person",
        "name": "P",
        "kb:checked": True,
        "kb:probability": 0.5,
        "birthDate": "1970",
        "affiliation": {"@id": "https://x.example/o", "@type": "Organization", "name": "O"},
        "author": [{"@id": "https://x.example/q"}],
    }
    written = triples.Triples(IRI)
    got = set(written.of(node))
    assert ("https://x.example/p", triples.RDF_TYPE, "https://schema.org/Person", None) in got
    assert ("https://x.example/p", IRI.vocab + "checked", "true", triples.BOOLEAN) in got
    assert ("https://x.example/p", IRI.vocab + "probability", "0.5", triples.DOUBLE) in got
    assert ("https://x.example/o", "https://schema.org/name", "O", "") in got
    assert ("https://x.example/p", "https://schema.org/author", "https://x.example/q", None) in got
    assert len(got) == 9
    # an organisation named again is linked, its own triples not repeated
    again = set(written.of({**node, "@id": "https://x.example/p2"}))
    assert not [t for t in again if t[0] == "https://x.example/o"]


def test_kb_export_writes_the_same_graph_in_ttl_nt_and_jsonld(seeded_app, tmp_path) -> None:
    runner = seeded_app.test_cli_runner()
    client = seeded_app.test_client()
    graphs = {}
    for fmt, rdf_format, path in (
        ("jsonld", "json-ld", "kb.jsonld"),
        ("nt", "nt", "kb.nt"),
        ("ttl", "turtle", "kb.ttl"),
    ):
        out = tmp_path / path
        result = runner.invoke(args=["export", "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == client.get("/export/" + path).get_data()  # what the web serves
        graphs[rdf_format] = rdflib.Graph().parse(out, format=rdf_format)
    _same(graphs)
    assert isomorphic(graphs["nt"], graphs["json-ld"])
