"""The JSON Schemas of the records kb's JSON twins publish, for /api/openapi.json.

A record's fields are written once: a field that kb/1 has too (a person's name, a quote's
attribution, a source's kind) takes its schema from kb/1's JSON Schema
(kb/formats/kb1.schema.json, through `kb1_field`), so the export and the API cannot disagree
on what a field may hold. What only pages publish (the readers' labels, counts, dates in words)
is written here, beside the kb/1 fields, following kb.queries.shapes, which builds the dicts.

Every schema is an object whose `required` lists the keys kb always sends (a value may still be
null where the record allows it) and which does not forbid keys: pages may gain fields
(interfaces are extended, never renamed), and a client must not break when they do.
"""

from __future__ import annotations

import copy
from typing import Any

from kb.formats import kb1
from kb.models import POSITIONS
from kb.queries.shapes import ATTRIBUTIONS, BASES, CHECKED, KIND_LABELS

Schema = dict[str, Any]

KB1_PREFIX = "kb1_"
"""kb/1's $defs appear among the OpenAPI components as kb1_<name> (kb1_slug, kb1_person...)."""
KB1_DOCUMENT = "kb1_document"

STRING: Schema = {"type": "string"}
TEXT_OR_NULL: Schema = {"type": ["string", "null"]}
INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
POSITION: Schema = {"type": "string", "enum": list(POSITIONS)}
DAY: Schema = {"type": "string", "format": "date"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(properties: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with `properties` always present and `optional` ones sometimes."""
    return {
        "type": "object",
        "properties": {**properties, **(optional or {})},
        "required": list(properties),
    }


def _rewrite(node: Any) -> Any:
    """kb/1's schema with its "#/$defs/x" references pointing at the OpenAPI components."""
    if isinstance(node, dict):
        out = {k: _rewrite(v) for k, v in node.items()}
        target = out.get("$ref")
        if isinstance(target, str) and target.startswith("#/$defs/"):
            out["$ref"] = "#/components/schemas/" + KB1_PREFIX + target.removeprefix("#/$defs/")
        return out
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    return node


def kb1_components() -> dict[str, Schema]:
    """Every definition of kb/1 (kb1_person, kb1_slug...) and the whole document
    (kb1_document: what /export/kb.json answers), as OpenAPI components."""
    schema = _rewrite(kb1.schema())
    defs = schema.pop("$defs")
    for key in ("$schema", "$id", "title"):  # a title would name the generated model
        schema.pop(key, None)
    return {KB1_PREFIX + name: body for name, body in defs.items()} | {KB1_DOCUMENT: schema}


_KB1_DEFS: dict[str, Schema] = kb1.schema()["$defs"]


def kb1_field(entity: str, name: str, **extra: Any) -> Schema:
    """The schema of a field that kb/1 has as well: `entity` is its $defs name ("person")."""
    return {**_rewrite(copy.deepcopy(_KB1_DEFS[entity]["properties"][name])), **extra}


def _fields(entity: str, *names: str) -> dict[str, Schema]:
    return {name: kb1_field(entity, name) for name in names}


def _labels(values: Any) -> Schema:
    return {"type": "string", "enum": sorted(set(values))}


def records() -> dict[str, Schema]:
    """The records every page shares (kb.queries.shapes and its neighbours), by name."""
    return {
        "PersonRef": obj(_fields("person", "slug", "name")),
        "Person": obj(_fields("person", *kb1.FIELDS["people"])),  # a person page's record
        "ClaimRef": obj(_fields("claim", "slug", "text", "summary")),
        "ClaimBrief": obj(_fields("claim", "slug", "text")),
        "TopicRef": obj(_fields("topic", "slug", "name")),
        "Source": _source(),
        "Quote": _quote(),
        "Estimate": _estimate(),
        "Stance": _stance(),
        "Affiliation": _affiliation(),
        "Statement": _statement(),
        "Signature": _signature(),
        "CompareStance": _compare_stance(),
    }


def _source() -> Schema:
    """kb.queries.shapes.source_ref, the "page" shape."""
    return obj(
        {
            **_fields("source", "slug", "title", "url", "kind"),
            "kind_label": _labels(KIND_LABELS.values()),
            **_fields("source", "archived_url", "publisher", "published"),
            "published_human": STRING,
            **_fields("source", "date_note"),
        }
    )


def _quote() -> Schema:
    """kb.queries.shapes.quote_data, the "page" shape; the speaker and the source are left
    out where the page names them already."""
    return obj(
        {
            **_fields("quote", "text", "attribution", "checked"),
            "id": INTEGER,
            "attribution_label": _labels(ATTRIBUTIONS.values()),
            "checked_label": _labels(label for label, _ in CHECKED.values()),
            "checked_explanation": _labels(words for _, words in CHECKED.values()),
            **_fields("quote", "check_note", "said"),
            "said_human": STRING,
            **_fields("quote", "locator", "speaker_affiliation"),
            "affiliation_at_time": TEXT_OR_NULL,
            **_fields("quote", "note"),
            # issue 18: an accepted report awaits its fix; the speaker's replies
            "disputed": BOOLEAN,
            "replies": array(_reply()),
        },
        {"speaker": ref("PersonRef"), "source": ref("Source")},
    )


def _reply() -> Schema:
    """kb.queries.shapes.reply_data: the speaker endorsed or disputed the attribution."""
    return obj(
        {
            "response": kb1_field("reply", "response"),
            "response_label": STRING,
            "replied_by": {"enum": ["person", "representative"]},
            "representative": kb1_field("reply", "representative"),
            "replied": kb1_field("reply", "date"),
            "replied_human": STRING,
            "source": ref("Source"),
        }
    )


def _estimate() -> Schema:
    """kb.queries.estimates.estimate_data."""
    return obj(
        {
            **_fields("stance", "probability", "probability_high"),
            "of": kb1_field("stance", "estimate_of"),
            **_fields("stance", "horizon"),
            "words": STRING,
            "said": kb1_field("quote", "said"),
            "said_human": TEXT_OR_NULL,
            "quote": nullable(
                obj(
                    {
                        "id": INTEGER,
                        "text": kb1_field("quote", "text"),
                        "source_title": kb1_field("source", "title"),
                        "source_url": kb1_field("source", "url"),
                    }
                )
            ),
        }
    )


def _stance() -> Schema:
    """kb.queries.shapes.stance_data, the "page" shape: the person or the claim is left out
    on the page of that person or claim."""
    return obj(
        {
            **_fields("stance", "position", "basis"),
            "as_of": nullable(DAY),
            **_fields("stance", "note"),
            "evidence": array(ref("Quote")),
            "id": INTEGER,
            "symbol": STRING,
            "label": STRING,
            "basis_explanation": _labels(BASES.values()),
            **_fields("stance", "probability", "horizon"),
            "estimate": nullable(ref("Estimate")),
            "as_of_human": STRING,
            "latest": BOOLEAN,
        },
        {"person": ref("PersonRef"), "claim": ref("ClaimRef")},
    )


def _compare_stance() -> Schema:
    """kb.queries.shapes.stance_data, the "compare" shape (/compare/<a>/<b>.json)."""
    source = obj(
        {
            **_fields("source", "slug", "title", "url"),
            "published_on": nullable(DAY),
            "date_precision": TEXT_OR_NULL,
        }
    )
    quote = obj(
        {
            **_fields("quote", "text", "attribution", "checked"),
            "said_on": nullable(DAY),
            "said_precision": TEXT_OR_NULL,
            "source": source,
        }
    )
    return obj(
        {
            **_fields("stance", "position", "basis"),
            "as_of": nullable(DAY),
            **_fields("stance", "note"),
            "evidence": array(quote),
        }
    )


def _affiliation() -> Schema:
    """kb.queries.affiliations.affiliation_data."""
    return obj(
        {
            "id": INTEGER,
            **_fields("affiliation", "organisation"),
            "organisation_slug": STRING,
            **_fields("affiliation", "role", "from", "to", "note"),
            "current": BOOLEAN,
            "title": STRING,
            "period": TEXT_OR_NULL,
            "text": STRING,
        }
    )


def _statement() -> Schema:
    """kb.queries.statements.statement_data (`signatures`: how many, on the list)."""
    return obj(
        {
            **_fields("statement", "slug", "title", "by", "date"),
            "date_shown": TEXT_OR_NULL,
            **_fields("statement", "url", "text"),
            "claim": nullable(ref("ClaimBrief")),
            **_fields("statement", "position", "note"),
        },
        {"signatures": COUNT},
    )


def _signature() -> Schema:
    """kb.queries.statements.signature_data: on a person's page without the person."""
    statement = obj(
        {
            **_fields("statement", "slug", "title"),
            "date_shown": TEXT_OR_NULL,
            "claim": kb1_field("statement", "claim"),
            **_fields("statement", "position"),
        }
    )
    return obj(
        {**_fields("signature", "seen_in", "note"), "statement": statement},
        {"person": ref("PersonRef")},
    )
