"""The JSON Schemas of the pages built from the agreement graph, for /api/openapi.json: the
overview's matrix, /graph.json, /agreement.json, /compare, and the graph and AIF downloads.

Written from the views that build them (kb.web.home_matrix, kb.web.graph.*, kb.graph.stream,
kb.formats.aif); the records inside (a person's or a claim's ref, a stance) are
kb.web.openapi_records'. The downloads' schemas name only what their formats' readers need
(networkx's node-link keys, AIF's nodes and edges), so a format that gains fields stays valid.
"""

from __future__ import annotations

from kb.web.openapi_records import (
    BOOLEAN,
    COUNT,
    INTEGER,
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

CAMP_NUMBER: Schema = {"type": ["integer", "null"], "minimum": 0}
SCORE: Schema = {"type": "number", "minimum": -1, "maximum": 1}
SIDES: Schema = obj({"supports": COUNT, "opposes": COUNT, "mixed": COUNT})


def _camp() -> Schema:
    """kb.graph's camp rows: its number, name and drawing (colour and shape), its members."""
    return obj(
        {
            "number": INTEGER,
            "name": STRING,
            "label": STRING,
            "colour": STRING,
            "shape": STRING,
            "size": COUNT,
            "members": array(ref("PersonRef")),
        }
    )


def _home() -> Schema:
    """/index.json: kb.queries.overview.overview plus kb.web.home_matrix.home_matrix."""
    claim = obj({k: kb1_field("claim", k) for k in ("slug", "text", "summary")})
    contested = obj(
        {
            "claim": claim,
            "supports": COUNT,
            "opposes": COUNT,
            "mixed": COUNT,
            "score": NUMBER,
            "evenness": NUMBER,
        }
    )
    column = obj(
        {
            "key": STRING,
            **{k: kb1_field("claim", k) for k in ("slug", "text", "summary")},
            "topics": array(ref("TopicRef")),
            "sides": SIDES,
            "score": NUMBER,
        }
    )
    cell = obj(
        {
            "claim": STRING,
            "position": nullable(POSITION),
            "symbol": TEXT_OR_NULL,
            "label": TEXT_OR_NULL,
        }
    )
    matrix = obj(
        {
            "columns": array(column),
            "rows": array(
                obj({"person": ref("PersonRef"), "camp": CAMP_NUMBER, "cells": array(cell)})
            ),
            "people_shown": COUNT,
            "claims_shown": COUNT,
            "groups": array(obj({"topic": nullable(ref("TopicRef")), "claims": array(STRING)})),
            "camps": array(
                obj({"camp": CAMP_NUMBER, "label": STRING, "size": COUNT, "people": array(STRING)})
            ),
            "picked": BOOLEAN,
            "topic": nullable(ref("TopicRef")),
            "claims_in_scope": {"type": ["integer", "null"], "minimum": 0},
            "unknown": {"type": "object"},
        }
    )
    counts = obj({k: COUNT for k in ("people", "claims", "topics", "sources", "quotes", "stances")})
    return obj(
        {
            "counts": counts,
            "contested": array(contested),
            "contested_pool": {"type": "null"},
            "matrix": matrix,
        }
    )


def _graph_page() -> Schema:
    """/graph.json (kb.web.graph.viewpoint_map): the shown graph and the map beside it."""
    node = obj(
        {"id": STRING, "kind": STRING, "slug": STRING, "label": STRING, "url": STRING},
        {"camp": CAMP_NUMBER},
    )
    edge = obj(
        {
            "source": STRING,
            "target": STRING,
            "kind": STRING,
            "position": {"type": ["string", "null"]},
            "weight": NUMBER,
        }
    )
    shown = obj({"people": COUNT, "claims": COUNT, "stances": COUNT})
    bridge = obj(
        {
            "slug": STRING,
            "name": STRING,
            "betweenness": NUMBER,
            "camps": array(INTEGER),
            "articulation": BOOLEAN,
        }
    )
    contested = obj(
        {
            "slug": STRING,
            "text": STRING,
            "supporters": COUNT,
            "opponents": COUNT,
            "mixed": COUNT,
            "score": NUMBER,
        }
    )
    return obj(
        {
            "filters": obj(
                {
                    "as_of": TEXT_OR_NULL,
                    "topic": TEXT_OR_NULL,
                    "camp": CAMP_NUMBER,
                    "view": STRING,
                }
            ),
            "nodes": array(node),
            "edges": array(edge),
            "shown": shown,
            "left_out": shown,
            "camps": array(ref("Camp")),
            "bridges": array(bridge),
            "contested": array(contested),
            "map": _opinion_map(),
        }
    )


def _opinion_map() -> Schema:
    """/graph.json's "map" (kb.web.graph.opinion_view): where each person sits, the camps'
    names and the claims that divide them."""
    placed = obj(
        {
            "slug": STRING,
            "name": STRING,
            "camp": CAMP_NUMBER,
            "x": NUMBER,
            "y": NUMBER,
            "labelled": BOOLEAN,
        },
        {"agrees_most_with": nullable(ref("PersonRef"))},
    )
    dividing = obj(
        {
            "slug": STRING,
            "text": STRING,
            "supporters": COUNT,
            "opponents": COUNT,
            "mixed": COUNT,
            "spread": NUMBER,
            "camps": array(obj({"number": INTEGER, "lean": NUMBER, "words": STRING})),
        }
    )
    map_camp = obj(
        {"number": INTEGER, "name": STRING, "colour": STRING, "shape": STRING, "size": COUNT}
    )
    return obj(
        {
            "people": array(placed),
            "camps": array(map_camp),
            "dividing": array(dividing),
            "how": STRING,
            "dividing_how": STRING,
        }
    )


def _agreement() -> Schema:
    """/agreement.json (kb.web.graph.agreement_matrix): every pair of the people shown."""
    pair = obj(
        {
            "a": STRING,
            "b": STRING,
            "agreements": COUNT,
            "disagreements": COUNT,
            "shared": COUNT,
            "score": SCORE,
        }
    )
    return obj(
        {
            "rule": STRING,
            "people": array(obj({"slug": STRING, "name": STRING, "camp": CAMP_NUMBER})),
            "pairs": array(pair),
            "camps": array(ref("Camp")),
            "left_out": COUNT,
            "limit": obj({"shown": INTEGER, "min": INTEGER, "max": INTEGER}),
        }
    )


def _compare() -> Schema:
    """/compare/<a>/<b>.json (kb.web.graph.compare): the claims two people share."""
    side = obj(
        {
            **{k: kb1_field("person", k) for k in ("slug", "name", "affiliation")},
            "url": STRING,
            "camp": CAMP_NUMBER,
        }
    )
    shared = array(
        obj(
            {
                "claim": ref("ClaimBrief"),
                "centrality": NUMBER,
                "a": ref("CompareStance"),
                "b": ref("CompareStance"),
            }
        )
    )
    return obj(
        {
            "a": side,
            "b": side,
            "rule": STRING,
            "shared": COUNT,
            "agreements": COUNT,
            "disagreements": COUNT,
            "score": SCORE,
            "agree_on": shared,
            "cruxes": shared,
            "partial": shared,
            "only_a": COUNT,
            "only_b": COUNT,
        }
    )


def _choose() -> Schema:
    """/compare.json: the form's reading of ?a= and ?b=, and the pair's URLs once it names
    two people."""
    candidate = obj(
        {
            **{k: kb1_field("person", k) for k in ("slug", "name", "affiliation")},
            "url": STRING,
            "pick": STRING,
        }
    )
    sides = {"a": STRING, "b": STRING}
    return obj(
        {
            "query": obj(sides),
            "as_of": TEXT_OR_NULL,
            "candidates": {"type": "object", "properties": {k: array(candidate) for k in sides}},
            "problems": {"type": "object", "properties": sides},
            "compare": nullable(obj({"html": STRING, "json": STRING})),
            "suggestions": array(ref("PersonRef")),
        }
    )


def _node_link() -> Schema:
    """/export/graph.json: networkx's node-link data (json_graph.node_link_data)."""
    return obj(
        {
            "directed": BOOLEAN,
            "multigraph": BOOLEAN,
            "graph": {"type": "object"},
            "nodes": array(obj({"id": STRING})),
        },
        {
            "edges": array(obj({"source": STRING, "target": STRING})),
            "links": array(obj({"source": STRING, "target": STRING})),
        },
    )


def _aif() -> Schema:
    """/export/kb.aif.json: the Argument Interchange Format's nodes, edges and locutions."""
    return obj(
        {
            "nodes": array(obj({"nodeID": STRING, "text": STRING, "type": STRING})),
            "edges": array(obj({"edgeID": STRING, "fromID": STRING, "toID": STRING})),
        },
        {"locutions": array({"type": "object"}), "participants": array({"type": "object"})},
    )


def _xaif() -> Schema:
    """/export/kb.xaif.json: xAIF, the AIF document with OVA's drawing of it and its text."""
    return obj({"AIF": _aif(), "OVA": {"type": "object"}, "text": STRING})


def _arguebuf() -> Schema:
    """/export/kb.arguebuf.json: arguebuf's own graph (arg-services' protobuf Graph as JSON),
    its members maps from ids to records."""
    record = {"type": "object"}
    maps = {"type": "object", "additionalProperties": record}
    return obj(
        {"schemaVersion": INTEGER, "nodes": maps, "edges": maps},
        {"resources": maps, "participants": maps},
    )


def graphs() -> dict[str, Schema]:
    return {
        "Camp": _camp(),
        "HomePage": _home(),
        "GraphPage": _graph_page(),
        "AgreementPage": _agreement(),
        "ComparePage": _compare(),
        "ChoosePage": _choose(),
        "NodeLink": _node_link(),
        "AIF": _aif(),
        "XAIF": _xaif(),
        "Arguebuf": _arguebuf(),
    }
