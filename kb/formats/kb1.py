"""The kb/1 interchange format: field names, CSV columns, and the streaming JSON writer.

A kb/1 document is one JSON object: `{"format": "kb/1", "people": [...], "affiliations": [...],
"topics": [...], "sources": [...], "claims": [...], "quotes": [...], "statements": [...],
"verifications": [...], "signatures": [...], "stances": [...], "claim_relations": [...],
"replies": [...], "reports": [...]}` (affiliations, verifications, statements, signatures, replies and
reports are optional: a file from before them still imports).
Records refer to each other by slug (people, topics, sources, claims) or, for quotes, by a
document-local `id` (kb's exports write "q<database id>", which stays the same from one export to
the next). docs/FORMAT.md is the full description; kb1.schema.json is its JSON Schema.

The same records, flattened, are the CSV bundle: one file per entity with the columns below;
many-to-many fields (a source's authors, a claim's topics, a stance's evidence) are one cell of
space-separated slugs or quote ids (slugs and quote ids never contain whitespace).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from typing import Any

from kb.formats.csvsafe import iter_csv
from kb.formats.json_array import JsonArray

FORMAT = "kb/1"

# Dependency order: every entity refers only to entities before it.
ENTITIES: tuple[str, ...] = (
    "people",
    "affiliations",
    "topics",
    "sources",
    "claims",
    "quotes",
    "verifications",
    "statements",
    "signatures",
    "stances",
    "claim_relations",
    "replies",
    # readers' reports (issue 18) refer to quotes, stances and sources: last
    "reports",
)

# The fields of each record, in the order they are written (JSON keys and CSV columns alike).
FIELDS: dict[str, tuple[str, ...]] = {
    "people": (
        "slug",
        "name",
        "description",
        "affiliation",
        "birth_year",
        "death_year",
        "url",
    ),
    "affiliations": ("person", "organisation", "role", "from", "to", "note"),
    "topics": ("slug", "name", "description"),
    "sources": (
        "slug",
        "title",
        "kind",
        "url",
        "publisher",
        "published",
        "date_note",
        "archived_url",
        "note",
        "reader_note",
        "authors",
    ),
    "claims": ("slug", "text", "summary", "topics"),
    "quotes": (
        "id",
        "text",
        "speaker",
        "source",
        "said",
        "locator",
        "anchor_exact",
        "anchor_prefix",
        "anchor_suffix",
        "speaker_affiliation",
        "attribution",
        "checked",
        "check_note",
        "note",
        # derived (issue 18): true while an accepted report awaits its fix; imports ignore it
        "disputed",
    ),
    "stances": (
        "person",
        "claim",
        "position",
        "basis",
        "probability",
        "probability_high",
        "horizon",
        "estimate_of",
        "estimate_quote",
        "forecast_url",
        "survey_url",
        "as_of",
        "note",
        "reader_note",
        "evidence",
    ),
    "claim_relations": ("from", "to", "kind", "note", "reader_note"),
    "statements": (
        "slug",
        "title",
        "by",
        "date",
        "url",
        "text",
        "claim",
        "position",
        "note",
    ),
    "signatures": ("person", "statement", "seen_in", "note"),
    # the right of reply (issue 18): the quote's speaker endorsed or disputed its attribution
    "replies": ("quote", "response", "by", "representative", "source", "date", "note"),
    "verifications": ("quote", "seen_in", "by", "date", "result", "note"),
    # A reader's report (issue 18), public fields only: never the reader's e-mail, explanation
    # or evidence URL, which the form promises to kb's editors alone. What it is about is one of
    # `quote`, `source` or the stance's natural key (`person`, `claim`, `as_of`), as `target`
    # says; `fixed` and `fixed_on` say whether (and when) a revision fixed an accepted report.
    "reports": (
        "target",
        "quote",
        "source",
        "person",
        "claim",
        "as_of",
        "kind",
        "status",
        "filed",
        "resolution",
        "fixed",
        "fixed_on",
    ),
}

# Fields holding a list of slugs or quote ids; in CSV one cell, space-separated.
LIST_FIELDS: dict[str, str] = {"sources": "authors", "claims": "topics", "stances": "evidence"}

# Fields that must be present (and non-empty) in every record.
REQUIRED: dict[str, tuple[str, ...]] = {
    "people": ("slug", "name"),
    "affiliations": ("person", "organisation"),
    "topics": ("slug", "name"),
    "sources": ("slug", "title", "kind"),
    "claims": ("slug", "text"),
    "quotes": ("text", "speaker", "source", "attribution", "checked"),
    # evidence may be empty when the person signed a statement on the claim (see signatures)
    "stances": ("person", "claim", "position", "basis"),
    "claim_relations": ("from", "to", "kind"),
    "statements": ("slug", "title"),
    "signatures": ("person", "statement", "seen_in"),
    "replies": ("quote", "response", "source"),
    "verifications": ("quote", "seen_in", "by", "result"),
    "reports": ("target", "kind", "status"),
}

LIST_SEPARATOR = " "
SCHEMA_FILE = "kb1.schema.json"


def quote_ref(quote_id: int) -> str:
    """The stable id kb writes for a quote: "q" and its database id."""
    return f"q{quote_id}"


def schema_text() -> str:
    """The JSON Schema of kb/1, as shipped in the package."""
    return resources.files("kb.formats").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    return json.loads(schema_text())


def iter_json(sections: Mapping[str, Iterable[Mapping[str, Any]]]) -> Iterator[str]:
    """Write a kb/1 document piece by piece: the header at once, then one record per line.

    `sections` maps each entity to an iterable of records (dicts in FIELDS order); the iterables
    are consumed lazily, in ENTITIES order, so memory stays flat whatever the size and the first
    bytes go out before the first query has even run."""
    yield f'{{"format": "{FORMAT}"'
    for entity in ENTITIES:
        yield f',\n"{entity}": ['
        records = JsonArray()
        yield from records.items(sections.get(entity, ()))
        yield "]" if records.empty else "\n]"
    yield "\n}\n"


def csv_cells(entity: str, record: Mapping[str, Any]) -> list[Any]:
    """One kb/1 record (a dict) as a CSV row, list fields joined."""
    listed = LIST_FIELDS.get(entity)
    return [
        LIST_SEPARATOR.join(record.get(name) or ()) if name == listed else record.get(name)
        for name in FIELDS[entity]
    ]


def iter_entity_csv(
    entity: str, rows: Iterable[Sequence[Any]], dialect: str = "standard"
) -> Iterator[str]:
    """One entity's rows (tuples in FIELDS order, a list field as a list) as a
    spreadsheet-safe CSV document in a kb.formats.csvsafe dialect, streamed."""
    listed = LIST_FIELDS.get(entity)
    if listed is None:
        return iter_csv(list(FIELDS[entity]), rows, dialect)
    at = FIELDS[entity].index(listed)
    joined = ((*row[:at], LIST_SEPARATOR.join(row[at]), *row[at + 1 :]) for row in rows)
    return iter_csv(list(FIELDS[entity]), joined, dialect)
