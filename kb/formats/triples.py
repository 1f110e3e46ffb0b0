"""The dump's triples written straight from its nodes: N-Triples and Turtle without rdflib.

kb.formats.jsonld makes one JSON-LD node per record, under one inline context. Reading that
context is simple, because kb's nodes use only a small part of JSON-LD: a key is a schema.org
term (under `@vocab`) or a `kb:` term; `@type` names a class the same way; a value is a
string, a number, a boolean, a nested node (a dict with an `@id`) or a list of those; and the
context types a few keys `@id` (the value is an IRI) or `xsd:date`. `Triples` expands the
nodes as a JSON-LD processor does (rdflib's parser gives the same set of triples, which the
tests check): strings are plain literals, ints xsd:integer, floats xsd:double, booleans
xsd:boolean; a nested node is linked by its IRI and its own triples follow, once per file for
an organisation named many times. Every node has an IRI (kb.formats.iris), so there are no
blank nodes.

Parsing the JSON-LD with rdflib and serializing it took over a minute for N-Triples on a
300-person database; this writes the same triples from the rows as they stream past, so the
first bytes leave at once and memory stays flat (the nested nodes already written are
remembered by IRI: organisations and affiliations, a few per person).

Escaping follows the N-Triples and Turtle grammars, which share it: in a literal `"`, `\\`,
line feed and carriage return are escaped (`\\"`, `\\\\`, `\\n`, `\\r`) and every other control
character as `\\uXXXX`; in an IRI every character IRIREF forbids (controls, space, `<>"{}|^``
and `\\`) is written `\\uXXXX`, which readers decode back to the character, so the IRI is the
one the JSON-LD names. Other characters are written as UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from kb.formats.iris import SCHEMA, IRIs
from kb.formats.jsonld import Node, context
from kb.formats.vocab import XSD

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = RDF_NS + "type"
INTEGER, DOUBLE, BOOLEAN = XSD + "integer", XSD + "double", XSD + "boolean"

_LITERAL = {ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r"}
_LITERAL |= {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F] if c not in _LITERAL}
_IRI = {c: f"\\u{c:04X}" for c in [*range(0x21), 0x7F, *map(ord, '<>"{}|^`\\')]}

Obj = tuple[str, str | None]
"""An object: (IRI, None) for a resource, (lexical form, datatype IRI or "") for a literal."""
Triple = tuple[str, str, str, str | None]


def iri(value: str) -> str:
    """An IRI as N-Triples and Turtle write it: `<...>`, escaped."""
    return "<" + value.translate(_IRI) + ">"


def literal(lexical: str, datatype: str | None) -> str:
    """A literal as N-Triples writes it: `"..."` (escaped) and `^^<datatype>` when it has one."""
    text = '"' + lexical.translate(_LITERAL) + '"'
    return text + "^^" + iri(datatype) if datatype else text


class Triples:
    """The triples of kb's JSON-LD nodes, expanded by the dump's context under `iris`."""

    def __init__(self, iris: IRIs) -> None:
        self.vocab = iris.vocab
        ctx = context(iris)
        self.links: set[str] = set()
        self.typed: dict[str, str] = {}
        for key, spec in ctx.items():
            if isinstance(spec, dict):
                if spec["@type"] == "@id":
                    self.links.add(key)
                else:
                    self.typed[key] = self.expand(spec["@type"])
        self.written: set[str] = set()

    def expand(self, term: str) -> str:
        """A key or class name as an IRI: `kb:` and `xsd:` by their prefix, the rest under
        schema.org (the @vocab)."""
        prefix, colon, name = term.partition(":")
        if colon and prefix == "kb":
            return self.vocab + name
        if colon and prefix == "xsd":
            return XSD + name
        return SCHEMA + term

    def _object(self, key: str, value: Any) -> Obj:
        if isinstance(value, str):
            if key in self.links:
                return value, None
            return value, self.typed.get(key, "")
        if isinstance(value, bool):
            return ("true" if value else "false"), BOOLEAN
        if isinstance(value, int):
            return str(value), INTEGER
        if isinstance(value, float):
            return repr(value), DOUBLE
        raise TypeError(f"kb's JSON-LD has no {type(value).__name__} values (key {key})")

    def of(self, node: Node) -> Iterator[Triple]:
        """Every triple of `node` and of the nodes nested in it (each of those once)."""
        me = node["@id"]
        types = node.get("@type", [])
        for kind in [types] if isinstance(types, str) else types:
            yield me, RDF_TYPE, self.expand(kind), None
        for key, values in node.items():
            if key.startswith("@"):
                continue
            prop = self.expand(key)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, dict):
                    yield me, prop, value["@id"], None
                    if len(value) > 1 and value["@id"] not in self.written:
                        self.written.add(value["@id"])
                        yield from self.of(value)
                else:
                    yield (me, prop, *self._object(key, value))


def _chunks(lines: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    buf: list[str] = []
    n = 0
    for line in lines:
        buf.append(line)
        n += len(line)
        if n >= size:
            yield "".join(buf)
            buf, n = [], 0
    if buf:
        yield "".join(buf)


def ntriples(nodes: Iterable[Node], iris: IRIs) -> Iterator[str]:
    """The nodes' triples as N-Triples, one a line, in chunks."""
    triples = Triples(iris)

    def lines() -> Iterator[str]:
        for node in nodes:
            for s, p, o, datatype in triples.of(node):
                obj = iri(o) if datatype is None else literal(o, datatype)
                yield f"{iri(s)} {iri(p)} {obj} .\n"

    return _chunks(lines())


def prefixes(iris: IRIs) -> dict[str, str]:
    """The Turtle prefixes of the dump and of the vocabulary."""
    return {"kb": iris.vocab, "rdf": RDF_NS, "rdfs": RDFS_NS, "schema": SCHEMA, "xsd": XSD}


class _Names:
    """IRIs as Turtle writes them: a prefixed name where the local part is a plain word (every
    term kb uses), else `<...>`; remembered, since the same few recur on every line."""

    def __init__(self, spaces: dict[str, str]) -> None:
        self.spaces = sorted(spaces.items(), key=lambda kv: -len(kv[1]))
        self.known: dict[str, str] = {RDF_TYPE: "a"}

    def __call__(self, value: str) -> str:
        name = self.known.get(value)
        if name is None:
            name = iri(value)
            for prefix, ns in self.spaces:
                local = value[len(ns) :]
                if value.startswith(ns) and local.isascii() and local.isalnum():
                    name = f"{prefix}:{local}"
                    break
            self.known[value] = name
        return name


def turtle(nodes: Iterable[Node], iris: IRIs) -> Iterator[str]:
    """The nodes' triples as Turtle: the prefixes, then one block per subject (a record, and
    after it each node nested in it), the predicates by their prefixed names."""
    spaces = prefixes(iris)
    triples = Triples(iris)
    name = _Names(spaces)

    def blocks() -> Iterator[str]:
        yield "".join(f"@prefix {p}: {iri(ns)} .\n" for p, ns in sorted(spaces.items())) + "\n"
        for node in nodes:
            by_subject: dict[str, list[str]] = {}
            for s, p, o, datatype in triples.of(node):
                if datatype is None:
                    obj = name(o) if p == RDF_TYPE else iri(o)
                else:
                    obj = '"' + o.translate(_LITERAL) + '"'
                    obj += "^^" + name(datatype) if datatype else ""
                by_subject.setdefault(s, []).append(f"{name(p)} {obj}")
            for s, pairs in by_subject.items():
                yield iri(s) + " " + " ;\n    ".join(pairs) + " .\n\n"

    return _chunks(blocks())
