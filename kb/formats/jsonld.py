"""schema.org JSON-LD: the knowledge base as linked data, streamed.

People are schema:Person, sources schema:CreativeWork, claims schema:Claim, quotes
schema:Quotation (spokenByCharacter the speaker, isPartOf the source), topics schema:DefinedTerm.
schema.org has no word for "person P holds position X on claim C, on this evidence", so stances
and claim relations are a small documented extension in kb's own vocabulary (prefix `kb:`, IRI
KB_VOCAB); docs/FORMAT.md lists its terms. Every node's @id is a URN made from its slug (or
quote id), so the same record has the same @id in every export.
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


def stance_node(r: dict[str, Any]) -> dict[str, Any]:
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
    ("topics", topic_node),
    ("sources", source_node),
    ("claims", claim_node),
    ("quotes", quote_node),
    ("stances", stance_node),
    ("claim_relations", relation_node),
)


def iter_jsonld(streams: Streams) -> Iterator[str]:
    """The whole knowledge base as one JSON-LD document with an @graph, one node per line."""
    yield '{"@context": ' + json.dumps(CONTEXT) + ',\n"@graph": ['
    graph = JsonArray()
    for entity, make in NODES:
        yield from graph.items(make(record) for record in streams(entity))
    yield "\n]}\n"
