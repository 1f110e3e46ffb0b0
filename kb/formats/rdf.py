"""Turtle and N-Triples made with rdflib: the dump's triples (kb.formats.jsonld) and kb's
vocabulary (kb.formats.vocab).

The dump is written in batches: BATCH nodes at a time become one small JSON-LD document (the
same nodes and the same inline context as /export/kb.jsonld), which rdflib's own JSON-LD parser
turns into triples and its serializer writes out. So the triples are the JSON-LD dump's by
construction, and memory is bounded by a batch, not by the knowledge base. N-Triples is one
triple a line, so batches simply follow one another; Turtle gets its @prefix lines once, at the
top, and each batch's body after them. Every node is named (kb.formats.iris), so no blank node
label can clash between batches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import NamespaceManager

from kb.formats.iris import DEFAULT_BASE_URL, SCHEMA, IRIs
from kb.formats.jsonld import Streams, context, iter_nodes
from kb.formats.vocab import TERMS, XSD, Term

BATCH = 500


def _bind(g: Graph, iris: IRIs) -> Graph:
    """`g` with kb's prefixes alone (the JSON-LD parser binds "" to the @vocab, which Turtle
    would then write as `:name`)."""
    g.namespace_manager = NamespaceManager(g, bind_namespaces="none")
    g.bind("schema", SCHEMA)
    g.bind("kb", iris.vocab)
    g.bind("xsd", XSD)
    g.bind("rdf", str(RDF))
    g.bind("rdfs", str(RDFS))
    return g


def _graph(iris: IRIs) -> Graph:
    return _bind(Graph(bind_namespaces="none"), iris)


def _batches(nodes: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    it = iter(nodes)
    while batch := list(islice(it, BATCH)):
        yield batch


def _graphs(streams: Streams, base: str) -> Iterator[Graph]:
    iris = IRIs(base or DEFAULT_BASE_URL)
    ctx = context(iris)
    for batch in _batches(iter_nodes(streams, iris)):
        g = Graph().parse(data=json.dumps({"@context": ctx, "@graph": batch}), format="json-ld")
        yield _bind(g, iris)


def iter_ntriples(streams: Streams, base: str = DEFAULT_BASE_URL) -> Iterator[str]:
    """The dump's triples as N-Triples, a batch at a time."""
    for g in _graphs(streams, base):
        yield g.serialize(format="nt")


def _prefixes(g: Graph) -> list[str]:
    return [f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(g.namespaces())]


def iter_turtle(streams: Streams, base: str = DEFAULT_BASE_URL) -> Iterator[str]:
    """The dump's triples as Turtle: the prefixes once, then each batch's statements."""
    header = _prefixes(_graph(IRIs(base or DEFAULT_BASE_URL)))
    yield "".join(header) + "\n"
    known = set(header)
    for g in _graphs(streams, base):
        text = g.serialize(format="turtle")
        # A prefix the header already declares is dropped; any other stays (Turtle allows
        # @prefix anywhere), so a batch never loses a declaration it uses.
        yield "".join(line for line in text.splitlines(keepends=True) if line not in known)


def _curie(iris: IRIs, curie: str) -> URIRef:
    prefix, _, name = curie.partition(":")
    spaces = {"kb": iris.vocab, "schema": SCHEMA, "xsd": XSD, "rdfs": str(RDFS)}
    return URIRef(spaces[prefix] + name)


def _describe(g: Graph, iris: IRIs, term: Term) -> None:
    me = URIRef(iris.vocab + term.name)
    schema = Namespace(SCHEMA)
    g.add((me, RDF.type, RDFS.Class if term.is_class else RDF.Property))
    g.add((me, RDFS.label, Literal(term.label, lang="en")))
    g.add((me, RDFS.comment, Literal(term.comment, lang="en")))
    g.add((me, RDFS.isDefinedBy, URIRef(iris.vocab.rstrip("#"))))
    if term.range:
        g.add((me, RDFS.range, _curie(iris, term.range)))
        g.add((me, schema.rangeIncludes, _curie(iris, term.range)))
    # rdfs:domain with several classes would mean "all of them at once": a term used on
    # several kinds of record names them with schema.org's domainIncludes instead.
    if len(term.domain) == 1:
        g.add((me, RDFS.domain, _curie(iris, term.domain[0])))
    for domain in term.domain:
        g.add((me, schema.domainIncludes, _curie(iris, domain)))
    if term.name == "Statement":
        g.add((me, RDFS.subClassOf, schema.CreativeWork))


def vocabulary(base: str = DEFAULT_BASE_URL) -> Graph:
    """kb's vocabulary as an RDF graph: every kb: term with its label, comment, domain and
    range."""
    iris = IRIs(base or DEFAULT_BASE_URL)
    g = _graph(iris)
    g.add((URIRef(iris.vocab.rstrip("#")), RDFS.label, Literal("kb vocabulary", lang="en")))
    for term in TERMS:
        _describe(g, iris, term)
    return g
