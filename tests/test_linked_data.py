"""Linked data done properly (issue 17 item 3), on the seed: one IRI scheme for every record on
pages and in dumps alike, named stances and relations, schema.org within its domains and kb's
own terms in the vocabulary at /ns, URLs as IRIs, JSON-LD that two processors (rdflib and pyld)
read with the network refused, Turtle and N-Triples with the same triples, and the
rel=canonical / rel=alternate links of every public page."""

from __future__ import annotations

import contextlib
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from pyld import jsonld as pyld
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.compare import isomorphic

from kb.formats.iris import DEFAULT_BASE_URL, FOLDERS, IRIs
from kb.formats.vocab import TERMS
from kb.load.seed import seed_document
from tests.factories import make_person
from tests.helpers import seed_count

HOST = "http://localhost"  # the test client's address
# Without KB_BASE_URL a page names records relative to its own address, the dumps under
# DEFAULT_BASE_URL: read as if fetched from there, a page's IRIs are the dump's.
DUMP_HOST = DEFAULT_BASE_URL
IRI = IRIs(DEFAULT_BASE_URL)
KB = rdflib.Namespace(IRI.vocab)
SCHEMA = rdflib.Namespace("https://schema.org/")
RECORD_PAGES = (
    "/people/elon-musk",
    "/claims/ai-existential-risk",
    "/sources/chollet-limits",
    "/topics/ai-risk",
    "/statements/cais-2023",
)
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _refuse(*_args, **_kwargs):
    raise AssertionError("a JSON-LD reader tried to use the network")


@contextlib.contextmanager
def offline() -> Iterator[None]:
    """No socket may connect while a document is read (the Flask test client uses none)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", _refuse)
        mp.setattr(socket, "create_connection", _refuse)
        yield


def _no_loader(url: str, _options: dict) -> dict:
    raise AssertionError(f"pyld was asked to fetch {url}")


def _parse(data: str | bytes, fmt: str, base: str | None = None) -> rdflib.Graph:
    with offline():
        return rdflib.Graph().parse(data=data, format=fmt, publicID=base)


def _pyld(doc: dict, base: str) -> list:
    with offline():
        return pyld.expand(doc, {"base": base, "documentLoader": _no_loader})


def _embedded(client, path: str) -> dict:
    html = client.get(path).get_data(as_text=True)
    (block,) = SCRIPT.findall(html)
    return json.loads(block)


def _page_graph(client, path: str, host: str = DUMP_HOST) -> rdflib.Graph:
    return _parse(json.dumps(_embedded(client, path)), "json-ld", host + path)


@pytest.fixture
def dump(seeded_client) -> rdflib.Graph:
    return _parse(seeded_client.get("/export/kb.jsonld").data, "json-ld")


def _blank(g: rdflib.Graph) -> list:
    return [t for t in g if isinstance(t[0], BNode) or isinstance(t[2], BNode)]


def test_every_record_kind_is_named_under_one_base() -> None:
    iris = IRIs("https://kb.example.org")
    assert iris.person("ada") == "https://kb.example.org/people/ada"
    assert iris.quote("q12") == iris.quote(12) == "https://kb.example.org/quotes/12"
    assert iris.stance("ada", "c1", None).endswith("/stances/ada/c1/undated")
    assert iris.relation("c1", "supports", "c2").endswith("/claim-relations/c1/supports/c2")
    assert iris.organisation("Lab / Co").endswith("/organisations/Lab%20%2F%20Co")
    assert iris.vocab == "https://kb.example.org/ns#"
    assert IRIs("").person("ada") == "/people/ada"
    assert IRIs("").vocab == DEFAULT_BASE_URL + "/ns#"  # a prefix must be absolute
    assert IRIs("/kb").vocab == DEFAULT_BASE_URL + "/kb/ns#"  # mounted under /kb
    assert set(FOLDERS) >= {"person", "claim", "quote", "source", "stance", "relation", "topic"}


def test_record_iris_are_the_reader_pages(seeded_app) -> None:
    from kb.web.present import urls

    with seeded_app.test_request_context():
        for kind in ("person", "claim", "source", "topic", "statement"):
            assert IRIs("").record(kind, "x-1") == urls.page(kind, "x-1")


def test_page_jsonld_has_an_inline_context_and_reads_offline(seeded_client) -> None:
    for path in RECORD_PAGES:
        doc = _embedded(seeded_client, path)
        assert isinstance(doc["@context"], dict), path  # never the remote "https://schema.org"
        assert doc["@context"]["@vocab"] == "https://schema.org/"
        g = _page_graph(seeded_client, path, HOST)
        expanded = _pyld(doc, HOST + path)
        assert len(g) > 5 and expanded, path
        # relative to the page: the record is named by the address the page was fetched from
        assert (URIRef(HOST + path), RDF.type, None) in g, path
        assert expanded[0]["@id"] == HOST + path, path
        assert not _blank(g), path


def test_the_dump_reads_offline_with_pyld_too(seeded_client) -> None:
    doc = json.loads(seeded_client.get("/export/kb.jsonld").data)
    expanded = _pyld(doc, HOST + "/export/kb.jsonld")
    ids = {n["@id"] for n in expanded}
    assert IRI.person("elon-musk") in ids and len(ids) > seed_count("people")


def test_pages_and_the_dump_name_the_same_records_alike(seeded_client, dump) -> None:
    dump_subjects = set(dump.subjects())
    for path in RECORD_PAGES:
        page = _page_graph(seeded_client, path)
        for kind in (SCHEMA.Person, SCHEMA.Claim, SCHEMA.CreativeWork, SCHEMA.Quotation,
                     KB.Stance, KB.ClaimRelation, SCHEMA.DefinedTerm):  # fmt: skip
            named = set(page.subjects(RDF.type, kind))
            assert named <= set(dump.subjects(RDF.type, kind)), (path, kind)
        assert set(page.subjects()) <= dump_subjects, path
    stances = set(_page_graph(seeded_client, "/people/elon-musk").subjects(RDF.type, KB.Stance))
    assert stances and all(str(s).startswith(IRI.base + "/stances/elon-musk/") for s in stances)
    claim = _page_graph(seeded_client, "/claims/ai-existential-risk")
    assert set(claim.subjects(RDF.type, KB.ClaimRelation))


def test_topic_and_statement_pages_state_only_what_the_dump_states(seeded_client, dump) -> None:
    """A topic's page: the DefinedTerm and the claims of the page about it; a statement's: the
    dump's node for it, its claim and every signature, with the signer's name. Read by rdflib
    and pyld offline, every triple is one the dump has too."""
    topic = _page_graph(seeded_client, "/topics/ai-risk")
    me = URIRef(IRI.topic("ai-risk"))
    assert (me, RDF.type, SCHEMA.DefinedTerm) in topic
    rows = seeded_client.get("/topics/ai-risk.json").get_json()["rows"]
    about = {str(c) for c in topic.subjects(SCHEMA.about, me)}
    assert about == {IRI.claim(r["slug"]) for r in rows} and about
    statement = _page_graph(seeded_client, "/statements/cais-2023")
    st = URIRef(IRI.statement("cais-2023"))
    assert (st, SCHEMA.additionalType, KB.Statement) in statement
    data = seeded_client.get("/statements/cais-2023.json").get_json()
    signed = {str(s) for s in statement.subjects(KB.statement, st)}
    wanted = {IRI.signature("cais-2023", sg["person"]["slug"]) for sg in data["signatories"]}
    assert signed == wanted and signed
    for sig in signed:
        (agent,) = statement.objects(URIRef(sig), KB.agent)
        assert (agent, SCHEMA.name, None) in statement and (
            URIRef(sig),
            KB.seenIn,
            None,
        ) in statement
    for path, g in (("/topics/ai-risk", topic), ("/statements/cais-2023", statement)):
        assert set(g) - set(dump) == set(), path
        expanded = _pyld(_embedded(seeded_client, path), DUMP_HOST + path)
        assert expanded[0]["@id"] == DUMP_HOST + path


def test_stances_and_relations_are_named_so_reloading_adds_nothing(seeded_client, dump) -> None:
    assert not _blank(dump)
    assert len(set(dump.subjects(RDF.type, KB.Stance))) == seed_count("stances")
    assert len(set(dump.subjects(RDF.type, KB.ClaimRelation))) == seed_count("claim_relations")
    again = _parse(seeded_client.get("/export/kb.jsonld").data, "json-ld")
    merged = dump + again
    assert len(merged) == len(dump)


def test_turtle_and_ntriples_hold_the_jsonld_triples(seeded_client, dump) -> None:
    ttl = seeded_client.get("/export/kb.ttl")
    assert ttl.mimetype == "text/turtle" and "attachment" in ttl.headers["Content-Disposition"]
    from_ttl = _parse(ttl.data, "turtle")  # read to the end before the next request
    nt = seeded_client.get("/export/kb.nt")
    assert nt.mimetype == "application/n-triples"
    from_nt = _parse(nt.data, "nt")
    assert len(dump) > 900
    assert isomorphic(dump, from_ttl) and isomorphic(dump, from_nt)
    # and rdflib's own round trip of the JSON-LD graph gives the same triples back
    for fmt in ("turtle", "nt"):
        assert isomorphic(dump, _parse(dump.serialize(format=fmt), fmt))


def test_schema_org_is_used_in_one_namespace_and_within_its_domains(dump) -> None:
    iris = {str(x) for t in dump for x in t if isinstance(x, URIRef)}
    assert not [i for i in iris if i.startswith("http://schema.org")]
    assert not list(dump.triples((None, SCHEMA.comment, None)))  # a Comment, not text
    assert list(dump.triples((None, KB.note, None)))
    for prop in (SCHEMA.url, SCHEMA.sameAs, SCHEMA.archivedAt, KB.seenIn):
        values = list(dump.objects(None, prop))
        assert all(isinstance(v, URIRef) for v in values), prop
        assert values or prop == SCHEMA.archivedAt, prop  # the seed archives nothing
    for prop in (SCHEMA.publisher, SCHEMA.author, SCHEMA.affiliation):
        for org in dump.objects(None, prop):
            assert isinstance(org, URIRef), prop


def test_every_kb_term_is_defined_in_the_published_vocabulary(seeded_client, dump) -> None:
    vocab = _parse(seeded_client.get("/ns.ttl").data, "turtle")
    as_jsonld = seeded_client.get("/ns.jsonld")
    assert as_jsonld.mimetype == "application/ld+json"
    assert isomorphic(vocab, _parse(as_jsonld.data, "json-ld"))
    used = {p for p in dump.predicates() if str(p).startswith(str(KB))}
    used |= {o for o in dump.objects(None, RDF.type) if str(o).startswith(str(KB))}
    assert KB.Stance in used and KB.agent in used
    for term in used:
        assert (term, RDFS.label, None) in vocab, term
        assert (term, RDFS.comment, None) in vocab, term
        if (term, RDF.type, RDF.Property) in vocab:
            assert (term, RDFS.range, None) in vocab, term
            assert (term, SCHEMA.domainIncludes, None) in vocab, term
    page = seeded_client.get("/ns").get_data(as_text=True)
    for term in TERMS:
        assert f'id="{term.name}"' in page and f"kb:{term.name}" in page


PUBLIC_PAGES = {
    "/": (True, False),
    "/people": (True, True),
    "/people/elon-musk": (True, False),
    "/claims?page=1": (True, True),
    "/claims/ai-existential-risk": (True, False),
    "/sources": (True, True),
    "/sources/chollet-limits": (True, False),
    "/topics": (True, True),
    "/topics/ai-risk": (True, True),
    "/statements": (True, True),
    "/statements/cais-2023": (True, False),
    "/estimates": (True, True),
    "/search?q=risk": (True, True),
    "/graph": (True, False),
    "/agreement": (True, False),
    "/export/": (False, False),
    "/ns": (False, False),
}


def _links(html: str, rel: str) -> list[dict[str, str]]:
    tags = re.findall(rf'<link rel="{rel}"([^>]*)>', html)
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in tags]


def test_every_public_page_links_its_canonical_address_and_its_twins(seeded_client) -> None:
    for path, (has_json, has_csv) in PUBLIC_PAGES.items():
        html = seeded_client.get(path).get_data(as_text=True)
        (canonical,) = _links(html, "canonical")
        assert canonical["href"] == path.replace("?page=1", ""), path
        alternates = {a["type"]: a["href"] for a in _links(html, "alternate")}
        for kind, wanted in (("application/json", has_json), ("text/csv", has_csv)):
            assert (kind in alternates) == wanted, (path, kind)
            if wanted:
                twin = seeded_client.get(alternates[kind])
                assert twin.status_code == 200 and twin.mimetype == kind, (path, kind)
    assert 'rel="canonical"' not in seeded_client.get("/login").get_data(as_text=True)
    assert 'rel="canonical"' not in seeded_client.get("/people/nobody").get_data(as_text=True)


def test_a_configured_base_url_names_records_on_pages_and_in_dumps(database_url, tmp_path) -> None:
    from tests.conftest import make_app

    base = "https://kb.example.org"
    app = make_app(database_url, tmp_path / "instance", BASE_URL=base)
    client = app.test_client()
    make = app.test_cli_runner()
    with app.app_context():
        from kb.web.database import session_scope

        with session_scope() as session:
            make_person(session, slug="ada-example", name="Ada Example")
    doc = _embedded(client, "/people/ada-example")
    assert doc["@id"] == base + "/people/ada-example"
    assert doc["@context"]["kb"] == base + "/ns#"
    (canonical,) = _links(client.get("/people").get_data(as_text=True), "canonical")
    assert canonical["href"] == base + "/people"
    dumped = _parse(client.get("/export/kb.nt").data, "nt")
    assert set(_page_graph(client, "/people/ada-example", HOST).subjects()) <= set(
        dumped.subjects()
    )
    assert (URIRef(base + "/people/ada-example"), SCHEMA.name, Literal("Ada Example")) in dumped
    out = tmp_path / "kb.nt"
    result = make.invoke(args=["export", "--format", "nt", "-o", str(out),
                               "--base-url", "https://other.example"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "<https://other.example/people/ada-example>" in Path(out).read_text()
    bad = make.invoke(args=["export", "--format", "nt", "-o", "-", "--base-url", "kb.example"])
    assert bad.exit_code != 0 and "KB_BASE_URL" in bad.output
    app.extensions["kb.engine"].dispose()


def test_script_breakout_stays_escaped_and_the_text_survives(session, app) -> None:
    evil = "</script><script>alert(1)</script><!--"
    make_person(session, slug="evil", name=evil, description=evil)
    session.commit()
    html = app.test_client().get("/people/evil").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<!--" not in SCRIPT.search(html).group(1)
    g = _page_graph(app.test_client(), "/people/evil")
    assert (URIRef(IRI.person("evil")), SCHEMA.name, Literal(evil)) in g


def test_the_seed_statements_keep_their_joint_statement_type(dump) -> None:
    statements = set(dump.subjects(SCHEMA.additionalType, KB.Statement))
    assert {IRI.statement(s["slug"]) for s in seed_document()["statements"]} == {
        str(s) for s in statements
    }


def test_the_export_page_offers_the_rdf_files_and_the_vocabulary(seeded_client) -> None:
    html = seeded_client.get("/export/").get_data(as_text=True)
    for href in ('href="/export/kb.ttl"', 'href="/export/kb.nt"', 'href="/ns"'):
        assert href in html


def test_kb_export_writes_turtle_to_stdout(seeded_app) -> None:
    result = seeded_app.test_cli_runner().invoke(args=["export", "--format", "ttl", "-o", "-"])
    assert result.exit_code == 0, result.output
    g = _parse(result.stdout_bytes, "turtle")
    assert (URIRef(IRI.person("elon-musk")), RDF.type, SCHEMA.Person) in g
