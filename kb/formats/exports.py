"""Every whole-knowledge-base export, as a stream, shared by /export and `kb export`.

Each writer takes `streams`, a function from an entity name to a fresh iterator of its kb/1
records (kb.queries.export provides one over a database snapshot), and yields text or bytes.
Nothing here knows HTTP or SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kb.formats import aif, bundle, jsonld, kb1

Streams = Callable[[str], Iterable[dict[str, Any]]]


def kb_json(streams: Streams) -> Iterator[str]:
    return kb1.iter_json({entity: _lazy(streams, entity) for entity in kb1.ENTITIES})


def _lazy(streams: Streams, entity: str) -> Iterator[dict[str, Any]]:
    # The query for an entity runs only when the writer reaches it.
    yield from streams(entity)


def entity_csv(entity: str, streams: Streams) -> Iterator[str]:
    return kb1.iter_entity_csv(entity, streams(entity))


def zip_members(streams: Streams) -> list[bundle.Member]:
    members: list[bundle.Member] = [
        ("README.txt", lambda: [bundle.README]),
        ("kb.json", lambda: kb_json(streams)),
        (kb1.SCHEMA_FILE, lambda: [kb1.schema_text()]),
    ]
    for entity in kb1.ENTITIES:
        members.append((f"{entity}.csv", lambda e=entity: entity_csv(e, streams)))
    return members


def kb_zip(streams: Streams) -> Iterator[bytes]:
    return bundle.iter_zip(zip_members(streams))


@dataclass(frozen=True)
class Export:
    """One downloadable export: its file name, media type and what it is."""

    filename: str
    mimetype: str
    title: str
    description: str
    write: Callable[[Streams], Iterator[Any]]


EXPORTS: dict[str, Export] = {
    "json": Export(
        "kb.json",
        "application/json",
        "The whole knowledge base (kb/1 JSON)",
        "Every person, topic, source, claim, quote, stance and claim relation in one document; "
        "kb imports it back unchanged.",
        kb_json,
    ),
    "zip": Export(
        "kb.zip",
        "application/zip",
        "Bundle (zip)",
        "Every CSV, the JSON, its schema and a README in one archive.",
        kb_zip,
    ),
    "jsonld": Export(
        "kb.jsonld",
        "application/ld+json",
        "schema.org JSON-LD",
        "Person, CreativeWork, Claim and Quotation nodes, with stances and claim relations as a "
        "documented kb: extension.",
        jsonld.iter_jsonld,
    ),
    "aif": Export(
        "kb.aif.json",
        "application/json",
        "Argument Interchange Format (AIF JSON)",
        "Claims as I-nodes, supports as RA-nodes, contradicts as CA-nodes, quotes as L-nodes "
        "with their speakers, in the JSON that AIFdb serves and OVA opens.",
        aif.iter_aif,
    ),
}
