"""The JSON Schema of every JSON twin's body, and which endpoint answers with which.

The records inside the pages (a person, a quote, a stance...) are kb.web.openapi_records';
this module puts them in their envelopes: a list page is rows, pagination, links, facets and
filters (kb.queries.listing.Listing with kb.web.browse's links); a detail page is the record
with its sections. `BODIES` names the component each endpoint answers 200 with; an endpoint
it leaves out is described as a bare object, which tests/test_openapi_schemas.py refuses for
any JSON twin, so a new twin gets its schema here or fails the suite.
"""

from __future__ import annotations

from typing import Any

from kb.queries import search as fts
from kb.web.openapi_records import (
    BOOLEAN,
    COUNT,
    DAY,
    INTEGER,
    KB1_DOCUMENT,
    NUMBER,
    POSITION,
    STRING,
    TEXT_OR_NULL,
    Schema,
    array,
    kb1_field,
    nullable,
    obj,
    ref,
)

NULLABLE_INT: Schema = {"type": ["integer", "null"]}
SIDES: Schema = obj({"supports": COUNT, "opposes": COUNT, "mixed": COUNT})
STANCES_BY_POSITION: Schema = obj(
    {p: array(ref("Stance")) for p in ("supports", "opposes", "mixed")}
)


def _list_page(rows: Schema, filters: dict[str, Schema], facets: tuple[str, ...] = ()) -> Schema:
    """A list page (kb.queries.listing.Listing.data plus its links)."""
    return obj(
        {
            "filters": obj(filters),
            "pagination": ref("Pagination"),
            "rows": array(rows),
            "facets": obj({name: array(ref("FacetValue")) for name in facets}),
            "facet_more": {"type": "object", "additionalProperties": ref("FacetMore")},
            "links": ref("Links"),
        }
    )


def envelopes() -> dict[str, Schema]:
    """The pieces every page shares: pagination, links, facets, sections by position."""
    return {
        "Pagination": obj(
            {
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "total": COUNT,
                "pages": {"type": "integer", "minimum": 1},
            }
        ),
        "Links": obj({"self": STRING, "html": STRING, "prev": TEXT_OR_NULL, "next": TEXT_OR_NULL}),
        "FacetValue": obj(
            {"value": STRING, "label": STRING, "count": COUNT, "selected": BOOLEAN},
            {"symbol": STRING},
        ),
        "FacetMore": obj(
            {
                "shown": COUNT,
                "total": COUNT,
                "limit": INTEGER,
                "default_limit": INTEGER,
                "all_limit": INTEGER,
            },
            {"query": TEXT_OR_NULL},
        ),
        "Section": obj(
            {
                "page": INTEGER,
                "pages": INTEGER,
                "per_page": INTEGER,
                "total": COUNT,
                "first": COUNT,
                "last": COUNT,
            }
        ),
        "Error": obj(
            {
                "error": obj(
                    {"status": INTEGER, "message": STRING},
                    {"name": STRING},
                )
            }
        ),
    }


def _sections() -> dict[str, Schema]:
    """What a person's and a claim's pages share (kb.queries.listing.Sections.data)."""
    return {
        "position": nullable(POSITION),
        "counts": obj({"supports": COUNT, "opposes": COUNT, "mixed": COUNT, "total": COUNT}),
        "by_position": obj({p: ref("Section") for p in ("supports", "opposes", "mixed")}),
        "pagination": ref("Pagination"),
    }


def _person_page() -> Schema:
    return obj(
        {
            "person": ref("Person"),
            "affiliations": array(ref("Affiliation")),
            **_sections(),
            "stances": STANCES_BY_POSITION,
            "earlier_stances": array(ref("Stance")),
            "sources": array({"allOf": [ref("Source"), obj({"quotes": COUNT})]}),
            "limits": obj({"earlier_stances": INTEGER, "sources": INTEGER}),
            "signatures": array(ref("Signature")),
        }
    )


def _claim_page() -> Schema:
    related = array(
        obj(
            {
                **{k: kb1_field("claim", k) for k in ("slug", "text", "summary")},
                "note": kb1_field("claim_relation", "note"),
            }
        )
    )
    return obj(
        {
            "claim": obj(
                {
                    **{k: kb1_field("claim", k) for k in ("slug", "text", "summary")},
                    "topics": array(ref("TopicRef")),
                }
            ),
            **_sections(),
            "sides": STANCES_BY_POSITION,
            "relations": obj(
                {k: related for k in ("supports", "contradicts", "supported_by", "contradicted_by")}
            ),
            "timeline": array(
                obj(
                    {
                        "id": INTEGER,
                        "person": ref("PersonRef"),
                        "position": POSITION,
                        "symbol": STRING,
                        "label": STRING,
                        "as_of": nullable(DAY),
                        "as_of_human": STRING,
                        "latest": BOOLEAN,
                        "evidence_dates": array(STRING),
                    }
                )
            ),
            "timeline_total": COUNT,
            "signatures": array(ref("Signature")),
        }
    )


def _source_page() -> Schema:
    evidence_for = obj(
        {"claim": ref("ClaimRef"), "position": POSITION, "symbol": STRING, "label": STRING}
    )
    return obj(
        {
            "source": {
                "allOf": [
                    ref("Source"),
                    obj({"note": kb1_field("source", "note"), "authors": array(ref("PersonRef"))}),
                ]
            },
            "quotes": array(
                {
                    "allOf": [
                        ref("Quote"),
                        obj({"speaker": ref("PersonRef"), "evidence_for": array(evidence_for)}),
                    ]
                }
            ),
        }
    )


def _search_page() -> Schema:
    hit = obj(
        {
            "kind": {"type": "string", "enum": list(fts.KINDS)},
            "rank": NUMBER,
            "title_html": STRING,
            "snippet_html": STRING,
        },
        {
            "person": {"allOf": [ref("PersonRef"), obj({"affiliation": TEXT_OR_NULL})]},
            "claim": ref("ClaimRef"),
            "quote": ref("Quote"),
            "source": ref("Source"),
        },
    )
    return obj(
        {
            "query": STRING,
            "kind": {"type": ["string", "null"], "enum": [*fts.KINDS, None]},
            "counts": obj({k: COUNT for k in fts.KINDS}),
            "matches": COUNT,
            "ranked": COUNT,
            "pagination": ref("Pagination"),
            "hits": array(hit),
            "links": ref("Links"),
        }
    )


def _lists() -> dict[str, Schema]:
    """The list pages (and a topic's, which lists its claims), with the rows they list."""
    count_rows = {"supports": COUNT, "opposes": COUNT, "mixed": COUNT}
    claim_row = obj(
        {
            **{k: kb1_field("claim", k) for k in ("slug", "text", "summary")},
            "topics": array(ref("TopicRef")),
            **count_rows,
        }
    )
    topic_row = obj(
        {**{k: kb1_field("topic", k) for k in ("slug", "name", "description")}, "claims": COUNT}
    )
    return {
        "ClaimRow": claim_row,
        "PeoplePage": _list_page(
            obj(
                {
                    **{k: kb1_field("person", k) for k in ("slug", "name", "affiliation")},
                    "claims": COUNT,
                    **count_rows,
                    "quotes": COUNT,
                }
            ),
            {"affiliation": TEXT_OR_NULL, "organisation": TEXT_OR_NULL, "sort": STRING},
            ("affiliation", "organisation"),
        ),
        "ClaimsPage": _list_page(
            ref("ClaimRow"),
            {
                "topic": nullable(ref("TopicRef")),
                "person": nullable(ref("PersonRef")),
                "position": nullable(POSITION),
                "sort": STRING,
            },
            ("topic", "person", "position"),
        ),
        "SourcesPage": _list_page(
            {"allOf": [ref("Source"), obj({"quotes": COUNT})]},
            {"kind": TEXT_OR_NULL, "year": NULLABLE_INT, "sort": STRING},
            ("kind", "year"),
        ),
        "TopicsPage": _list_page(topic_row, {"sort": STRING}),
        "TopicPage": obj(
            {
                "topic": obj({k: kb1_field("topic", k) for k in ("slug", "name", "description")}),
                "filters": obj({"sort": STRING}),
                "pagination": ref("Pagination"),
                "rows": array(ref("ClaimRow")),
                "facets": {"type": "object"},
                "facet_more": {"type": "object"},
            }
        ),
    }


def pages() -> dict[str, Schema]:
    """The body of each JSON twin (and of the other JSON downloads), by component name."""
    return {
        **_lists(),
        "PersonPage": _person_page(),
        "ClaimPage": _claim_page(),
        "SourcePage": _source_page(),
        "SearchPage": _search_page(),
        "StatementsPage": obj({"rows": array(ref("Statement"))}),
        "StatementPage": {
            "allOf": [ref("Statement"), obj({"signatories": array(ref("Signature"))})]
        },
        "EstimatesPage": obj({"sort": STRING, "rows": array(_estimate_row())}),
        "StandPage": _stand_page(),
        "ChangesPage": obj(
            {"pagination": ref("Pagination"), "rows": array(_change_row()), "since": nullable(DAY)}
        ),
        "CSL": array(_csl_item()),
        "KB1": ref(KB1_DOCUMENT),
        "JSONSchema": {"type": "object", "properties": {"$schema": STRING}},
        "OpenAPI": obj(
            {"openapi": STRING, "info": {"type": "object"}, "paths": {"type": "object"}}
        ),
    }


def _estimate_row() -> Schema:
    """kb.queries.estimates' rows of /estimates: an estimate with who gave it, on what."""
    return {
        "allOf": [
            ref("Estimate"),
            obj({"person": ref("PersonRef"), "claim": ref("ClaimBrief"), "as_of": nullable(DAY)}),
        ]
    }


def _stand_page() -> Schema:
    """/stand.json (kb.graph.stand): the reader's answers, the claims asked, the people and
    camps closest to and farthest from them, and their place on the opinion map."""
    counts = {"agreements": COUNT, "disagreements": COUNT, "shared": COUNT, "score": NUMBER}
    person = {"type": "object", "properties": counts}
    return obj(
        {
            "answered": COUNT,
            "answers": {"type": "object", "additionalProperties": STRING},
            "claims": array(obj({"slug": STRING, "text": STRING}, {"answer": nullable(STRING)})),
            "closest": array(person),
            "farthest": array(person),
            "camps": array(obj({"name": STRING, "number": INTEGER}, counts)),
            "ranked_people": COUNT,
        },
        {"place": nullable(obj({"x": NUMBER, "y": NUMBER}))},
    )


def _change_row() -> Schema:
    """kb.queries.changes' rows of /changes: one public change, in reader words."""
    page = obj({"kind": STRING, "slug": STRING})
    return obj(
        {
            "action": STRING,
            "at": STRING,
            "fields": array(STRING),
            "kind": STRING,
            "name": STRING,
            "page": nullable(page),
            "revision": INTEGER,
            "summary": STRING,
            "url": nullable(STRING),
        }
    )


def _csl_item() -> Schema:
    """A CSL-JSON item (the Citation Style Language's data schema), the fields kb writes."""
    name = {"type": "object", "properties": {"family": STRING, "given": STRING, "literal": STRING}}
    date = {
        "type": "object",
        "properties": {
            "date-parts": array(array({"type": ["integer", "string"]})),
            "literal": STRING,
        },
    }
    return obj(
        {"id": STRING, "type": STRING},
        {
            "title": STRING,
            "URL": STRING,
            "author": array(name),
            "issued": date,
            "accessed": date,
            "container-title": STRING,
            "publisher": STRING,
            "note": STRING,
            "abstract": STRING,
        },
    )


# 200 body of each endpoint (its Flask endpoint name) -> component name
BODIES = {
    "browse.home": "HomePage",
    "browse.people": "PeoplePage",
    "browse.person": "PersonPage",
    "browse.claims": "ClaimsPage",
    "browse.claim": "ClaimPage",
    "browse.sources": "SourcesPage",
    "browse.source": "SourcePage",
    "browse.topics": "TopicsPage",
    "browse.topic": "TopicPage",
    "browse.search": "SearchPage",
    "browse.statements": "StatementsPage",
    "browse.statement": "StatementPage",
    "browse.estimate_list": "EstimatesPage",
    "follow.changes": "ChangesPage",
    "stand.stand_json": "StandPage",
    "cite.person_csl": "CSL",
    "cite.claim_csl": "CSL",
    "cite.source_csl": "CSL",
    "cite.quote_csl": "CSL",
    "export.kb_json": "KB1",
    "export.schema": "JSONSchema",
    "export.kb_aif": "AIF",
    "export.kb_xaif": "XAIF",
    "export.kb_arguebuf": "Arguebuf",
    "graph.graph_json": "GraphPage",
    "graph.export_json": "NodeLink",
    "graph.agreement_json": "AgreementPage",
    "graph.compare_json": "ComparePage",
    "graph.choose_json": "ChoosePage",
    "api.openapi": "OpenAPI",
}


def body_schema(endpoint: str) -> dict[str, Any]:
    """The 200 body of `endpoint`: its component, or any object when it has none."""
    name = BODIES.get(endpoint)
    return ref(name) if name else {"type": "object"}
