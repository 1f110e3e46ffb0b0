"""schema.org JSON-LD: the knowledge base as linked data, streamed.

People are schema:Person, sources schema:CreativeWork, claims schema:Claim, quotes
schema:Quotation (spokenByCharacter the speaker, isPartOf the source, dateCreated when the words
were said), topics schema:DefinedTerm, joint statements schema:CreativeWork (name, author the
issuer, datePublished, url, text). A dated affiliation is schema.org's Role pattern: the person
node is stated again (same @id, which JSON-LD merges) with an `affiliation` that is an
OrganizationRole (roleName, startDate, endDate) around the Organization; streamed, so no
person's affiliations need be held in memory.
schema.org has no word for "person P holds position X on claim C, on this evidence", so stances,
signatures and claim relations are a small documented extension in kb's own vocabulary (prefix
`kb:`, IRI KB_VOCAB); docs/FORMAT.md lists its terms. A statement's additionalType is the IRI
of kb:Statement. A signature is a kb:Signature (kb:agent the signer, kb:statement, kb:seenIn);
a stance lists the signatures that are its evidence in `kb:signature`, beside its quotes in
`kb:evidence`: every signature by its person of a statement on its claim, as the pages show. Every node's @id is a URN made from its slug (or quote id;
a signature's from its statement's and signer's slugs), so the same record has the same @id in
every export.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote as urlquote

from kb.formats.json_array import JsonArray

KB_VOCAB = "urn:kb:vocab:"

CONTEXT: dict[str, Any] = {
    "@vocab": "https://schema.org/",
    "kb": KB_VOCAB,
    "kb:agent": {"@type": "@id"},
    "kb:claim": {"@type": "@id"},
    "kb:evidence": {"@type": "@id"},
    "kb:signature": {"@type": "@id"},
    "kb:statement": {"@type": "@id"},
    "kb:from": {"@type": "@id"},
    "kb:to": {"@type": "@id"},
    "kb:asOf": {"@type": "http://www.w3.org/2001/XMLSchema#date"},
}

Streams = Callable[[str], Iterable[dict[str, Any]]]


def node_id(kind: str, key: str) -> str:
    return f"urn:kb:{kind}:{urlquote(key, safe='-._~')}"


def _ref(kind: str, key: str) -> dict[str, str]:
    return {"@id": node_id(kind, key)}


def _clean(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if v is not None and v != []}


def person_node(r: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "@id": node_id("person", r["slug"]),
            "@type": "Person",
            "identifier": r["slug"],
            "name": r["name"],
            "description": r["description"],
            "affiliation": {"@type": "Organization", "name": r["affiliation"]}
            if r["affiliation"]
            else None,
            "birthDate": str(r["birth_year"]) if r["birth_year"] is not None else None,
            "deathDate": str(r["death_year"]) if r["death_year"] is not None else None,
            "sameAs": r["url"],
        }
    )


def topic_node(r: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "@id": node_id("topic", r["slug"]),
            "@type": "DefinedTerm",
            "identifier": r["slug"],
            "name": r["name"],
            "description": r["description"],
        }
    )


def source_node(r: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "@id": node_id("source", r["slug"]),
            "@type": "CreativeWork",
            "identifier": r["slug"],
            "name": r["title"],
            "genre": r["kind"],
            "url": r["url"],
            "publisher": {"@type": "Organization", "name": r["publisher"]}
            if r["publisher"]
            else None,
            # ISO 8601 allows a year or a year and month alone: the precision is kept.
            "datePublished": r["published"],
            "kb:dateNote": r["date_note"],
            "archivedAt": r["archived_url"],
            "comment": r["note"],
            "author": [_ref("person", a) for a in r["authors"]],
        }
    )


def claim_node(r: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "@id": node_id("claim", r["slug"]),
            "@type": "Claim",
            "identifier": r["slug"],
            "text": r["text"],
            "abstract": r["summary"],
            "about": [_ref("topic", t) for t in r["topics"]],
        }
    )


def quote_node(r: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "@id": node_id("quote", r["id"]),
            "@type": "Quotation",
            "identifier": r["id"],
            "text": r["text"],
            "spokenByCharacter": _ref("person", r["speaker"]),
            "isPartOf": _ref("source", r["source"]),
            "dateCreated": r["said"],
            "kb:locator": r["locator"],
            "kb:speakerAffiliation": r["speaker_affiliation"],
            "kb:attribution": r["attribution"],
            "kb:checked": r["checked"],
            "kb:checkNote": r["check_note"],
            "comment": r["note"],
        }
    )


def affiliation_node(r: dict[str, Any]) -> dict[str, Any]:
    """The person again, with one dated affiliation as an OrganizationRole."""
    role = _clean(
        {
            "@type": "OrganizationRole",
            "affiliation": {"@type": "Organization", "name": r["organisation"]},
            "roleName": r["role"],
            "startDate": r["from"],
            "endDate": r["to"],
            "description": r["note"],
        }
    )
    return {"@id": node_id("person", r["person"]), "@type": "Person", "affiliation": role}


def statement_node(r: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "@id": node_id("statement", r["slug"]),
            "@type": "CreativeWork",
            "additionalType": KB_VOCAB + "Statement",
            "identifier": r["slug"],
            "name": r["title"],
            "author": {"@type": "Organization", "name": r["by"]} if r["by"] else None,
            "datePublished": r["date"],
            "url": r["url"],
            "text": r["text"],
            "kb:claim": node_id("claim", r["claim"]) if r["claim"] else None,
            "kb:position": r["position"],
            "comment": r["note"],
        }
    )


def signature_id(statement: str, person: str) -> str:
    return node_id("signature", f"{statement}/{person}")


def signature_node(r: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "@id": signature_id(r["statement"], r["person"]),
            "@type": "kb:Signature",
            "kb:agent": node_id("person", r["person"]),
            "kb:statement": node_id("statement", r["statement"]),
            "kb:seenIn": r["seen_in"],
            "comment": r["note"],
        }
    )


def stance_node(r: dict[str, Any], signatures: Iterable[str] = ()) -> dict[str, Any]:
    """A stance; `signatures` are the @ids of the signatures that are evidence for it."""
    return _clean(
        {
            "@type": "kb:Stance",
            "kb:agent": node_id("person", r["person"]),
            "kb:claim": node_id("claim", r["claim"]),
            "kb:position": r["position"],
            "kb:basis": r["basis"],
            "kb:probability": r["probability"],
            "kb:horizon": r["horizon"],
            "kb:asOf": r["as_of"],
            "comment": r["note"],
            "kb:evidence": [node_id("quote", q) for q in r["evidence"]],
            "kb:signature": list(signatures),
        }
    )


def relation_node(r: dict[str, Any]) -> dict[str, Any]:
    return _clean(
        {
            "@type": "kb:ClaimRelation",
            "kb:from": node_id("claim", r["from"]),
            "kb:to": node_id("claim", r["to"]),
            "kb:relation": r["kind"],
            "comment": r["note"],
        }
    )


NODES = (
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
    """Which signatures are evidence for which stance: (signer, claim) -> signature @ids, filled
    as the statements and signatures stream past (before the stances), one entry a signature."""

    def __init__(self) -> None:
        self.claims: dict[str, str] = {}
        self.by: dict[tuple[str, str], list[str]] = {}

    def see(self, entity: str, r: dict[str, Any]) -> None:
        if entity == "statements" and r["claim"]:
            self.claims[r["slug"]] = r["claim"]
        elif entity == "signatures" and r["statement"] in self.claims:
            key = (r["person"], self.claims[r["statement"]])
            self.by.setdefault(key, []).append(signature_id(r["statement"], r["person"]))

    def node(self, entity: str, make: Callable[..., dict[str, Any]], r: dict[str, Any]) -> dict:
        self.see(entity, r)
        if entity == "stances":
            return stance_node(r, self.by.get((r["person"], r["claim"]), ()))
        return make(r)


def iter_jsonld(streams: Streams) -> Iterator[str]:
    """The whole knowledge base as one JSON-LD document with an @graph, one node per line."""
    yield '{"@context": ' + json.dumps(CONTEXT) + ',\n"@graph": ['
    graph = JsonArray()
    signed = _Signed()
    for entity, make in NODES:
        yield from graph.items(signed.node(entity, make, record) for record in streams(entity))
    yield "\n]}\n"
