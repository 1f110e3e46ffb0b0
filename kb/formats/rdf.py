"""Turtle and N-Triples of the dump (kb.formats.triples writes them from the JSON-LD nodes of
kb.formats.jsonld, without rdflib: the same triples, streamed), and kb's vocabulary as an
rdflib graph (kb.formats.vocab, small), which /ns.ttl and /ns.jsonld serialize.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import NamespaceManager

from kb.formats import triples
from kb.formats.iris import DEFAULT_BASE_URL, SCHEMA, IRIs
from kb.formats.jsonld import Streams, iter_nodes
from kb.formats.vocab import TERMS, Term


def _graph(iris: IRIs) -> Graph:
    """An empty graph with kb's prefixes alone."""
    g = Graph(bind_namespaces="none")
    g.namespace_manager = NamespaceManager(g, bind_namespaces="none")
    for prefix, ns in triples.prefixes(iris).items():
        g.bind(prefix, ns)
    return g


def iter_ntriples(streams: Streams, base: str = DEFAULT_BASE_URL) -> Iterator[str]:
    """The dump's triples as N-Triples, streamed."""
    iris = IRIs(base or DEFAULT_BASE_URL)
    return triples.ntriples(iter_nodes(streams, iris), iris)


def iter_turtle(streams: Streams, base: str = DEFAULT_BASE_URL) -> Iterator[str]:
    """The dump's triples as Turtle: the prefixes once, then a block per subject, streamed."""
    iris = IRIs(base or DEFAULT_BASE_URL)
    return triples.turtle(iter_nodes(streams, iris), iris)


def _curie(iris: IRIs, curie: str) -> URIRef:
    prefix, _, name = curie.partition(":")
    spaces = triples.prefixes(iris)
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
