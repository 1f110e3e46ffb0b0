"""Every whole-knowledge-base export, as a stream, shared by /export and `kb export`.

Each writer takes a `Reader`: `records(entity)` gives a fresh iterator of the entity's kb/1
records as dicts, `rows(entity)` the same as tuples in kb1.FIELDS order (cheaper, for CSV).
kb.queries.export.Reader reads them from a database snapshot. Each writer yields text or bytes.
Nothing here knows HTTP or SQL.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kb.formats import aif, arguebuf_json, bundle, jsonld, kb1, rdf, xaif
from kb.formats.iris import DEFAULT_BASE_URL


class Reader(Protocol):
    def records(self, entity: str) -> Iterable[dict[str, Any]]: ...

    def rows(self, entity: str) -> Iterable[Sequence[Any]]: ...


def kb_json(reader: Reader) -> Iterator[str]:
    return kb1.iter_json({entity: _lazy(reader, entity) for entity in kb1.ENTITIES})


def _lazy(reader: Reader, entity: str) -> Iterator[dict[str, Any]]:
    # The query for an entity runs only when the writer reaches it.
    yield from reader.records(entity)


def entity_csv(entity: str, reader: Reader, dialect: str = "standard") -> Iterator[str]:
    return kb1.iter_entity_csv(entity, reader.rows(entity), dialect)


def jsonld_doc(reader: Reader, base: str = DEFAULT_BASE_URL) -> Iterator[str]:
    return jsonld.iter_jsonld(reader.records, base)


def turtle_doc(reader: Reader, base: str = DEFAULT_BASE_URL) -> Iterator[str]:
    return rdf.iter_turtle(reader.records, base)


def ntriples_doc(reader: Reader, base: str = DEFAULT_BASE_URL) -> Iterator[str]:
    return rdf.iter_ntriples(reader.records, base)


def aif_doc(reader: Reader) -> Iterator[str]:
    return aif.iter_aif(reader.records)


def xaif_doc(reader: Reader) -> Iterator[str]:
    return xaif.iter_xaif(reader.records)


def arguebuf_doc(reader: Reader) -> Iterator[str]:
    return arguebuf_json.iter_arguebuf(reader.records)


def zip_members(reader: Reader) -> list[bundle.Member]:
    members: list[bundle.Member] = [
        ("README.txt", lambda: [bundle.README]),
        ("kb.json", lambda: kb_json(reader)),
        (kb1.SCHEMA_FILE, lambda: [kb1.schema_text()]),
    ]
    for entity in kb1.ENTITIES:
        members.append((f"{entity}.csv", functools.partial(entity_csv, entity, reader)))
    return members


def kb_zip(reader: Reader) -> Iterator[bytes]:
    return bundle.iter_zip(zip_members(reader))


@dataclass(frozen=True)
class Export:
    """One downloadable export: its file name, media type and what it is. A `linked` export
    (linked data) names its records under a base URL (kb.formats.iris), which `stream` passes
    on; the others take the reader alone."""

    filename: str
    mimetype: str
    title: str
    description: str
    write: Callable[..., Iterator[Any]]
    linked: bool = False

    def stream(self, reader: Reader, base: str = DEFAULT_BASE_URL) -> Iterator[Any]:
        return self.write(reader, base) if self.linked else self.write(reader)


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
        jsonld_doc,
        linked=True,
    ),
    "ttl": Export(
        "kb.ttl",
        "text/turtle",
        "RDF Turtle",
        "The triples of the JSON-LD file as Turtle, for triple stores and SPARQL tools.",
        turtle_doc,
        linked=True,
    ),
    "nt": Export(
        "kb.nt",
        "application/n-triples",
        "RDF N-Triples",
        "The same triples one a line, for bulk loaders and line tools (grep, sort, diff).",
        ntriples_doc,
        linked=True,
    ),
    "aif": Export(
        "kb.aif.json",
        "application/json",
        "Argument Interchange Format (AIF JSON)",
        "Claims as I-nodes, supports as RA-nodes, contradicts as CA-nodes, quotes as L-nodes "
        "with their speakers, in the JSON that AIFdb serves and OVA opens.",
        aif_doc,
    ),
    "xaif": Export(
        "kb.xaif.json",
        "application/json",
        "xAIF for OVA (AIF+ JSON)",
        "The same argument graph in the xAIF JSON that OVA3 saves, with a starting layout and "
        "the quotes as its text; quotes, speakers and their dates kept.",
        xaif_doc,
    ),
    "arguebuf": Export(
        "kb.arguebuf.json",
        "application/json",
        "arguebuf graph (arg-services JSON)",
        "The argument graph in arguebuf's own format: claims and quotes as atom nodes, each "
        "quote with its speaker as participant and its source as resource, stances and claim "
        "relations as support and attack schemes; arguebuf.load.file reads it whole.",
        arguebuf_doc,
    ),
}
