"""schema.org JSON-LD: the knowledge base as linked data, streamed.

People are schema:Person, sources schema:CreativeWork, claims schema:Claim, quotes
schema:Quotation (spokenByCharacter the speaker, isPartOf the source, dateCreated when the words
were said), topics schema:DefinedTerm, joint statements schema:CreativeWork with additionalType
kb:Statement, organisations schema:Organization. A dated affiliation is schema.org's Role
pattern: the person node is stated again (same @id, which JSON-LD merges) with an `affiliation`
that is an OrganizationRole (roleName, startDate, endDate) around the Organization; streamed, so
no person's affiliations need be held in memory.

What schema.org has no words for (stances, signatures, claim relations, a few fields of quotes
and sources, an editor's note) is in kb's own vocabulary (kb.formats.vocab, published at /ns).
Every node, stances and relations included, is named by kb.formats.iris, the scheme the pages
use too, so the same record has the same IRI in every export and on its page, and loading the
dump twice adds nothing. The context is inline (`context`): no reader needs the network. A URL
from the data is a valid IRI (kb.formats.iris.web_iri), so every reader takes the same one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kb.formats.iris import DEFAULT_BASE_URL, SCHEMA, IRIs, web_iri
from kb.formats.json_array import JsonArray
from kb.formats.vocab import TERMS, XSD

Streams = Callable[[str], Iterable[dict[str, Any]]]
Node = dict[str, Any]

# schema.org properties whose values are addresses: IRIs, not strings.
_SCHEMA_LINKS = ("url", "sameAs", "archivedAt", "additionalType")


def context(iris: IRIs) -> dict[str, Any]:
    """The inline @context of every kb JSON-LD document: schema.org as the vocabulary, `kb:`
    for kb's own terms, and which properties take an IRI (or a typed date) as their value."""
    ctx: dict[str, Any] = {"@vocab": SCHEMA, "kb": iris.vocab, "xsd": XSD}
    for key in _SCHEMA_LINKS:
        ctx[key] = {"@type": "@id"}
    for term in TERMS:
        if term.is_class:
            continue
        if term.links:
            ctx["kb:" + term.name] = {"@type": "@id"}
        elif term.range == "xsd:date":
            ctx["kb:" + term.name] = {"@type": term.range}
    return ctx


def clean(node: Node) -> Node:
    """The node without its empty values (None, [] or ""), which would be empty triples."""
    return {k: v for k, v in node.items() if v is not None and v != [] and v != ""}


def organisation(iris: IRIs, name: str | None) -> Node | None:
    """An organisation, named by its name (kb keeps no other key for one)."""
    if not name:
        return None
    return {"@id": iris.organisation(name), "@type": "Organization", "name": name}


def year(value: int | None) -> str | None:
    return str(value) if value is not None else None


def person_node(iris: IRIs, r: dict[str, Any]) -> Node:
    return clean(
        {
            "@id": iris.person(r["slug"]),
            "@type": "Person",
            "identifier": r["slug"],
            "name": r["name"],
            "description": r["description"],
            "affiliation": organisation(iris, r["affiliation"]),
            "birthDate": year(r["birth_year"]),
            "deathDate": year(r["death_year"]),
            "sameAs": web_iri(r["url"]),
        }
    )


def topic_node(iris: IRIs, r: dict[str, Any]) -> Node:
    return clean(
        {
            "@id": iris.topic(r["slug"]),
            "@type": "DefinedTerm",
            "identifier": r["slug"],
            "name": r["name"],
            "description": r["description"],
        }
    )


def source_node(iris: IRIs, r: dict[str, Any]) -> Node:
    return clean(
        {
            "@id": iris.source(r["slug"]),
            "@type": "CreativeWork",
            "identifier": r["slug"],
            "name": r["title"],
            "genre": r["kind"],
            "url": web_iri(r["url"]),
            "publisher": organisation(iris, r["publisher"]),
            # ISO 8601 allows a year or a year and month alone: the precision is kept.
            "datePublished": r["published"],
            "kb:dateNote": r["date_note"],
            "archivedAt": web_iri(r["archived_url"]),
            "kb:note": r["note"],
            "kb:readerNote": r.get("reader_note"),
            "author": [{"@id": iris.person(a)} for a in r["authors"]],
        }
    )


def claim_node(iris: IRIs, r: dict[str, Any]) -> Node:
    return clean(
        {
            "@id": iris.claim(r["slug"]),
            "@type": "Claim",
            "identifier": r["slug"],
            "text": r["text"],
            "abstract": r["summary"],
            "about": [{"@id": iris.topic(t)} for t in r["topics"]],
        }
    )


def quote_node(iris: IRIs, r: dict[str, Any]) -> Node:
    return clean(
        {
            "@id": iris.quote(r["id"]),
            "@type": "Quotation",
            "identifier": r["id"],
            "text": r["text"],
            "spokenByCharacter": {"@id": iris.person(r["speaker"])},
            "isPartOf": {"@id": iris.source(r["source"])},
            "dateCreated": r["said"],
            "kb:locator": r["locator"],
            "kb:speakerAffiliation": r["speaker_affiliation"],
            "kb:attribution": r["attribution"],
            "kb:checked": r["checked"],
            "kb:checkNote": r["check_note"],
            "kb:note": r["note"],
        }
    )


def role_node(iris: IRIs, person: str, r: dict[str, Any]) -> Node:
    """One dated affiliation (keys organisation, role, from, to, note) as an OrganizationRole,
    named by the importer's key for it."""
    return clean(
        {
            "@id": iris.affiliation(person, r["organisation"], r.get("role"), r.get("from")),
            "@type": "OrganizationRole",
            "affiliation": organisation(iris, r["organisation"]),
            "roleName": r.get("role"),
            "startDate": r.get("from"),
            "endDate": r.get("to"),
            "kb:note": r.get("note"),
        }
    )


def affiliation_node(iris: IRIs, r: dict[str, Any]) -> Node:
    """The person again, with one dated affiliation as an OrganizationRole."""
    role = role_node(iris, r["person"], r)
    return {"@id": iris.person(r["person"]), "@type": "Person", "affiliation": role}


def statement_node(iris: IRIs, r: dict[str, Any]) -> Node:
    return clean(
        {
            "@id": iris.statement(r["slug"]),
            "@type": "CreativeWork",
            "additionalType": iris.vocab + "Statement",
            "identifier": r["slug"],
            "name": r["title"],
            "author": organisation(iris, r["by"]),
            "datePublished": r["date"],
            "url": web_iri(r["url"]),
            "text": r["text"],
            "kb:claim": iris.claim(r["claim"]) if r["claim"] else None,
            "kb:position": r["position"],
            "kb:note": r["note"],
        }
    )


def signature_node(iris: IRIs, r: dict[str, Any]) -> Node:
    return clean(
        {
            "@id": iris.signature(r["statement"], r["person"]),
            "@type": "kb:Signature",
            "kb:agent": iris.person(r["person"]),
            "kb:statement": iris.statement(r["statement"]),
            "kb:seenIn": web_iri(r["seen_in"]),
            "kb:note": r["note"],
        }
    )


def stance_node(iris: IRIs, r: dict[str, Any], signatures: Iterable[str] = ()) -> Node:
    """A stance; `signatures` are the IRIs of the signatures that are evidence for it."""
    estimate = r.get("estimate_quote")
    return clean(
        {
            "@id": iris.stance(r["person"], r["claim"], r["as_of"]),
            "@type": "kb:Stance",
            "kb:agent": iris.person(r["person"]),
            "kb:claim": iris.claim(r["claim"]),
            "kb:position": r["position"],
            "kb:basis": r["basis"],
            "kb:probability": r["probability"],
            "kb:probabilityHigh": r.get("probability_high"),
            "kb:horizon": r["horizon"],
            "kb:estimateOf": r.get("estimate_of"),
            "kb:estimateQuote": iris.quote(estimate) if estimate else None,
            "kb:asOf": r["as_of"],
            "kb:note": r["note"],
            "kb:readerNote": r.get("reader_note"),
            "kb:evidence": [iris.quote(q) for q in r["evidence"]],
            "kb:signature": list(signatures),
        }
    )


def relation_node(iris: IRIs, r: dict[str, Any]) -> Node:
    return clean(
        {
            "@id": iris.relation(r["from"], r["kind"], r["to"]),
            "@type": "kb:ClaimRelation",
            "kb:from": iris.claim(r["from"]),
            "kb:to": iris.claim(r["to"]),
            "kb:relation": r["kind"],
            "kb:note": r.get("note"),
            "kb:readerNote": r.get("reader_note"),
        }
    )


NODES: tuple[tuple[str, Callable[[IRIs, dict[str, Any]], Node]], ...] = (
    ("people", person_node),
    ("affiliations", affiliation_node),
    ("topics", topic_node),
    ("sources", source_node),
    ("claims", claim_node),
    ("quotes", quote_node),
    ("statements", statement_node),
    ("signatures", signature_node),
    ("stances", stance_node),
    ("claim_relations", relation_node),
)


class _Signed:
    """Which signatures are evidence for which stance: (signer, claim) -> signature IRIs, filled
    as the statements and signatures stream past (before the stances), one entry a signature."""

    def __init__(self, iris: IRIs) -> None:
        self.iris = iris
        self.claims: dict[str, str] = {}
        self.by: dict[tuple[str, str], list[str]] = {}

    def see(self, entity: str, r: dict[str, Any]) -> None:
        if entity == "statements" and r["claim"]:
            self.claims[r["slug"]] = r["claim"]
        elif entity == "signatures" and r["statement"] in self.claims:
            key = (r["person"], self.claims[r["statement"]])
            self.by.setdefault(key, []).append(self.iris.signature(r["statement"], r["person"]))

    def node(self, entity: str, make: Callable[[IRIs, dict[str, Any]], Node], r: dict) -> Node:
        self.see(entity, r)
        if entity == "stances":
            return stance_node(self.iris, r, self.by.get((r["person"], r["claim"]), ()))
        return make(self.iris, r)


def iter_nodes(streams: Streams, iris: IRIs) -> Iterator[Node]:
    """Every node of the knowledge base, in kb/1's entity order, one record at a time."""
    signed = _Signed(iris)
    for entity, make in NODES:
        for record in streams(entity):
            yield signed.node(entity, make, record)


def iter_jsonld(streams: Streams, base: str = DEFAULT_BASE_URL) -> Iterator[str]:
    """The whole knowledge base as one JSON-LD document with an @graph, one node per line."""
    iris = IRIs(base or DEFAULT_BASE_URL)
    yield '{"@context": ' + json.dumps(context(iris)) + ',\n"@graph": ['
    yield from JsonArray().items(iter_nodes(streams, iris))
    yield "\n]}\n"
