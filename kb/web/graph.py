"""The graph of agreements and disagreements: /graph, /agreement, /compare and graph exports.

Each page has a JSON twin at the same path + ".json". Everything heavy (graphs, camps, layouts)
comes from kb.graph.cached, so it is built once per data version; a request renders it.
Query parameters are checked here: a malformed one is a 400 with a message, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from kb import rules
from kb.graph import analysis, cached, stream, svg
from kb.graph.agreement import Agreement
from kb.models import Person
from kb.queries import graph as q
from kb.queries import search as fts
from kb.queries import shapes as browse_q
from kb.queries import suggest
from kb.web import streams
from kb.web.api import documented
from kb.web.database import get_session
from kb.web.params import text
from kb.web.present import href, http_error, score_class, signed

bp = Blueprint("graph", __name__)

AS_OF_PARAM = ("as_of", "date", "the graph as it stood on this date (YYYY-MM-DD)")


bp.register_error_handler(HTTPException, http_error)  # as on the browse pages


# A filter lists its choices in a select only up to this many; past it, a text input.
PICKER_SELECT_MAX = 50
CAMPS_LISTED = 50  # camps named on the page (all of them are in the JSON twin)
GRAPH_NODES = 60
GRAPH_NODES_MAX = 600
AGREEMENT_PEOPLE = 40
AGREEMENT_PEOPLE_MAX = 150
# people suggested, or listed as candidates, on the /compare form: bounded at any size
CHOICES = 50
SCORE_RULE = (
    "Score = (agreements − disagreements) / shared claims, from −1 (disagree on every shared "
    "claim) to +1 (agree on every one). Agree: both support or both oppose; disagree: one "
    "supports, the other opposes; a mixed stance counts as shared but as neither."
)


# --- parameters --------------------------------------------------------------------------


def _as_of() -> dt.date | None:
    raw = request.args.get("as_of", "").strip()
    if not raw:
        return None
    try:
        return rules.parse_day(raw)  # ASCII YYYY-MM-DD, as forms and importer take it
    except rules.RuleError:
        abort(400, description=f"as_of must be a date like 2017-07-17, not {raw[:40]!r}.")


@overload
def _int_arg(name: str, default: int, low: int, high: int) -> int: ...
@overload
def _int_arg(name: str, default: None, low: int, high: int) -> int | None: ...
def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"{name} must be a whole number, not {raw!r}.")
    if not low <= value <= high:
        abort(400, description=f"{name} must be between {low} and {high}, not {value}.")
    return value


def _args(**changes: Any) -> dict[str, Any]:
    """The current query parameters with some changed (None removes one)."""
    out = {k: v for k, v in request.args.items() if v}
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def _camp_rows(camps: analysis.Camps, agreement: Agreement) -> list[dict[str, Any]]:
    return [
        {
            "number": k + 1,
            "label": analysis.camp_label(camps, k + 1, agreement.people),
            "size": len(ids),
            "colour": svg.camp_colour(k + 1),
            "members": [
                {"slug": agreement.people[p][0], "name": agreement.people[p][1]}
                for p in ids
                if p in agreement.people
            ],
        }
        for k, ids in enumerate(camps.members)
    ]


# --- /graph ------------------------------------------------------------------------------


def _topic_filter(session: Any, fmt: str) -> tuple[Any, suggest.Resolved | None]:
    """The topic the filter names (by slug or name). One it cannot tell is a 400: the JSON
    twin says so; the page shows itself unfiltered, with the message and candidates."""
    typed = request.args.get("topic", "").strip()
    if not typed:
        return None, None
    found = suggest.resolve(session, "topic", typed)
    if found.value is not None:
        return q.topic_by_slug(session, found.value), None
    if fmt == "json":
        problem = found.problem or ""  # always set when nothing was found
        abort(400, description=f"{problem[0].upper()}{problem[1:]}.")
    return None, found


def _topic_picker(session: Any) -> dict[str, Any]:
    """A select when there are few topics, else a text input with suggestions (bounded)."""
    if suggest.count(session, "topic", PICKER_SELECT_MAX + 1) <= PICKER_SELECT_MAX:
        return {"options": suggest.options(session, "topic", PICKER_SELECT_MAX)}
    return {"options": None}


def _graph(fmt: str) -> Any:
    session = get_session()
    as_of = _as_of()
    topic, unknown = _topic_filter(session, fmt)
    topic_slug = topic.slug if topic is not None else None
    agreement = cached.agreement(session, as_of)
    camps = cached.camps(session, as_of)
    camp = _int_arg("camp", None, 1, max(1, len(camps)))
    if camp is not None and camp > len(camps):
        abort(400, description="There are no camps yet.")
    limit = _int_arg("limit", GRAPH_NODES, 10, GRAPH_NODES_MAX)
    vp, pos = cached.picture(session, as_of, topic.id if topic else None, camp, limit)
    g = vp.graph
    left_out = {
        "people": vp.people_total - vp.people_shown,
        "claims": vp.claims_total - vp.claims_shown,
        "stances": vp.stances_total - vp.stances_shown,
    }
    filters = {"topic": topic_slug, "camp": camp, "as_of": as_of.isoformat() if as_of else None}
    bridges = cached.bridges(session, as_of)
    contested = cached.contested(session, 10, as_of)
    if fmt == "json":
        nodes = [
            {
                "id": f"{n[0]}:{n[1]}",
                "kind": d["kind"],
                "slug": d["slug"],
                "label": d["label"],
                "url": href(d["kind"], d["slug"]),
                **({"camp": camps.camp_of.get(n[1])} if n[0] == "person" else {}),
            }
            for n, d in sorted(g.nodes(data=True))
        ]
        edges = [
            {
                "source": f"{u[0]}:{u[1]}",
                "target": f"{v[0]}:{v[1]}",
                "kind": d["kind"],
                "position": d["position"],
                "weight": d["weight"],
            }
            for u, v, d in g.edges(data=True)
        ]
        return jsonify(
            {
                "filters": filters,
                "nodes": nodes,
                "edges": edges,
                "shown": {
                    "people": vp.people_shown,
                    "claims": vp.claims_shown,
                    "stances": vp.stances_shown,
                },
                "left_out": left_out,
                "camps": _camp_rows(camps, agreement),
                "bridges": _bridge_rows(bridges, agreement),
                "contested": [_contested_row(c) for c in contested],
            }
        )
    title = "The viewpoint graph: people, claims, stances and claim relations"
    # a taller canvas for a bigger graph, so labels keep their room
    height = svg.HEIGHT if len(g) <= 40 else min(1500, svg.HEIGHT + 12 * (len(g) - 40))
    picture = Markup(svg.render(g, pos, href, title, camps.camp_of, height=height))
    page = render_template(
        "graph/graph.html",
        picture=picture,
        vp=vp,
        left_out=left_out,
        filters=filters,
        limit=limit,
        topic_picker=_topic_picker(session),
        unknown_topic=unknown,
        camps=_camp_rows(camps, agreement),
        camps_listed=CAMPS_LISTED,
        bridges=_bridge_rows(bridges, agreement),
        contested=[_contested_row(c) for c in contested],
        legend=svg.legend_items(),
        href=href,
        json_url=url_for("graph.graph_json", **_args()),
    )
    return page, 400 if unknown is not None else 200


def _bridge_rows(bridges: list[analysis.Bridge], agreement: Agreement) -> list[dict[str, Any]]:
    return [
        {
            "slug": agreement.people[b.person][0],
            "name": agreement.people[b.person][1],
            "betweenness": round(b.betweenness, 4),
            "camps": list(b.camps),
            "articulation": b.articulation,
        }
        for b in bridges
        if b.person in agreement.people
    ]


def _contested_row(c: analysis.Contested) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "text": c.text,
        "supporters": c.supporters,
        "opponents": c.opponents,
        "mixed": c.mixed,
        "score": round(c.score, 3),
    }


@bp.get("/graph")
def graph() -> Any:
    """The whole viewpoint graph as an SVG, with filters by topic and camp."""
    return _graph("html")


@documented(
    AS_OF_PARAM,
    ("topic", "string", "slug of a topic: only claims under it"),
    ("camp", "integer", "number of a camp (from 1): only its members"),
    ("limit", "integer", f"most people shown, 10 to {GRAPH_NODES_MAX} (default {GRAPH_NODES})"),
)
@bp.get("/graph.json")
def graph_json() -> Any:
    return _graph("json")


# --- /agreement --------------------------------------------------------------------------


def _agreement(fmt: str) -> Any:
    session = get_session()
    as_of = _as_of()
    limit = _int_arg("limit", AGREEMENT_PEOPLE, 2, AGREEMENT_PEOPLE_MAX)
    agreement = cached.agreement(session, as_of)
    camps = cached.camps(session, as_of)
    # The most active people (most stances), then shown camp by camp.
    mx = cached.matrix(session, limit, as_of)
    chosen = mx.people
    index = {p: k for k, p in enumerate(chosen)}
    cells = {
        key: {
            "agreements": pc.agreements,
            "disagreements": pc.disagreements,
            "shared": pc.shared,
            "score": pc.score,
        }
        for key, pc in mx.cells.items()
    }
    people: list[dict[str, Any]] = [
        {
            "id": p,
            "slug": agreement.people[p][0],
            "name": agreement.people[p][1],
            "camp": camps.camp_of.get(p),
        }
        for p in chosen
    ]
    left_out = mx.left_out
    if fmt == "json":
        pairs = [
            {"a": agreement.people[a][0], "b": agreement.people[b][0], **c}
            for (a, b), c in sorted(cells.items())
            if index[a] < index[b]
        ]
        return jsonify(
            {
                "rule": SCORE_RULE,
                "people": [{k: v for k, v in p.items() if k != "id"} for p in people],
                "pairs": pairs,
                "camps": _camp_rows(camps, agreement),
                "left_out": left_out,
            }
        )
    rows = []
    for pa in people:
        row: list[dict[str, Any]] = []
        for pb in people:
            c = cells.get((pa["id"], pb["id"]))
            if pa["id"] == pb["id"]:
                row.append({"self": True})
            elif c is None:
                row.append({"none": True, "a": pa, "b": pb})
            else:
                row.append(
                    {
                        **c,
                        "a": pa,
                        "b": pb,
                        "text": signed(c["score"]),
                        "cls": score_class(c["score"]),
                    }
                )
        rows.append({"person": pa, "cells": row})
    return render_template(
        "graph/agreement.html",
        people=people,
        rows=rows,
        camps=_camp_rows(camps, agreement),
        left_out=left_out,
        limit=limit,
        rule=SCORE_RULE,
        as_of=as_of,
        href=href,
        json_url=url_for("graph.agreement_json", **_args()),
    )


@bp.get("/agreement")
def agreement() -> Any:
    """The people x people agreement matrix as a heat map, ordered by camp."""
    return _agreement("html")


@documented(
    AS_OF_PARAM,
    (
        "limit",
        "integer",
        f"most people shown, 2 to {AGREEMENT_PEOPLE_MAX} (default {AGREEMENT_PEOPLE})",
    ),
)
@bp.get("/agreement.json")
def agreement_json() -> Any:
    return _agreement("json")


# --- /compare ----------------------------------------------------------------------------


def _shared_json(items: list[analysis.SharedClaim]) -> list[dict[str, Any]]:
    return [
        {
            "claim": {"slug": it.claim.slug, "text": it.claim.text},
            "centrality": it.centrality,
            "a": browse_q.stance_data(it.a, shape="compare"),
            "b": browse_q.stance_data(it.b, shape="compare"),
        }
        for it in items
    ]


def _person_json(p: Person) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": p.name,
        "affiliation": p.affiliation,
        "url": href("person", p.slug),
    }


def _compare(slug_a: str, slug_b: str, fmt: str) -> Any:
    session = get_session()
    as_of = _as_of()
    a = q.person_by_slug(session, slug_a)
    b = q.person_by_slug(session, slug_b)
    missing = [s for s, p in ((slug_a, a), (slug_b, b)) if p is None]
    if missing:
        abort(404, description=f"There is no person {missing[0]!r} in kb.")
    assert a is not None and b is not None
    if a.id == b.id:
        abort(400, description="Compare two different people.")
    result = analysis.compare(session, a, b, as_of)
    camps = cached.camps(session, as_of)
    if fmt == "json":
        return jsonify(
            {
                "a": {**_person_json(a), "camp": camps.camp_of.get(a.id)},
                "b": {**_person_json(b), "camp": camps.camp_of.get(b.id)},
                "rule": SCORE_RULE,
                "shared": result.shared,
                "agreements": len(result.agreements),
                "disagreements": len(result.cruxes),
                "score": result.score,
                "agree_on": _shared_json(result.agreements),
                "cruxes": _shared_json(result.cruxes),
                "partial": _shared_json(result.partial),
                "only_a": result.only_a,
                "only_b": result.only_b,
            }
        )
    return render_template(
        "graph/compare.html",
        r=result,
        camp_a=camps.camp_of.get(a.id),
        camp_b=camps.camp_of.get(b.id),
        score_text=signed(result.score),
        score_cls=score_class(result.score),
        rule=SCORE_RULE,
        href=href,
        json_url=url_for("graph.compare_json", slug_a=a.slug, slug_b=b.slug, **_args()),
    )


def _choose(fmt: str) -> Any:
    """/compare without a pair: a plain GET form (a name or slug for each side, with a
    bounded list of suggestions). A pair that names two people leads to their page; text that
    fits several people lists them to pick from; a problem is said beside its field."""
    session = get_session()
    as_of = _as_of()
    values = {side: text(request.args, side, 200) or "" for side in ("a", "b")}
    chosen: dict[str, str] = {}
    candidates: dict[str, list[dict[str, Any]]] = {}
    problems: dict[str, str] = {}
    for side, value in values.items():
        if not value.strip():
            continue
        found = fts.find_people(session, value, CHOICES)
        candidates[side] = [
            {**_person_json(p), "pick": url_for("graph.choose", **_args(**{side: p.slug}))}
            for p in found
        ]
        if len(found) == 1:
            chosen[side] = found[0].slug
        elif not found:
            problems[side] = f"No person in kb matches {value!r}."
        else:
            problems[side] = f"Several people match {value!r}: pick one."
    if len(chosen) == 2 and chosen["a"] == chosen["b"]:
        problems["b"] = "Choose two different people."
    pair = None
    if len(chosen) == 2 and not problems:
        extra: dict[str, Any] = {"as_of": as_of.isoformat()} if as_of else {}
        pair = {
            "html": url_for("graph.compare", slug_a=chosen["a"], slug_b=chosen["b"], **extra),
            "json": url_for("graph.compare_json", slug_a=chosen["a"], slug_b=chosen["b"], **extra),
        }
    data = {
        "query": values,
        "as_of": as_of.isoformat() if as_of else None,
        "candidates": candidates,
        "problems": problems,
        "compare": pair,
        "suggestions": [
            {"slug": slug, "name": name} for slug, name in fts.suggested_people(session, CHOICES)
        ],
    }
    if fmt == "json":
        return jsonify(data)
    if pair is not None:
        return redirect(pair["html"])
    return render_template(
        "graph/compare_choose.html", data=data, json_url=url_for("graph.choose_json", **_args())
    )


@bp.get("/compare")
def choose() -> Any:
    """Choose two people to compare: a form with a name or slug for each."""
    return _choose("html")


@documented(
    ("a", "string", "the first person: a slug, a name or part of one"),
    ("b", "string", "the second person: a slug, a name or part of one"),
    AS_OF_PARAM,
)
@bp.get("/compare.json")
def choose_json() -> Any:
    """Choose two people to compare: the people each text may mean, and the pair's pages.

    `compare` holds the URLs of the pair's page and JSON once both texts name one person
    each (the HTML page redirects there); `candidates` lists who each text may mean, and
    `problems` what is wrong with each field."""
    return _choose("json")


@bp.get("/compare/<slug_a>/<slug_b>")
def compare(slug_a: str, slug_b: str) -> Any:
    """Two people side by side: the claims they agree on and the cruxes between them."""
    return _compare(slug_a, slug_b, "html")


@documented(AS_OF_PARAM)
@bp.get("/compare/<slug_a>/<slug_b>.json")
def compare_json(slug_a: str, slug_b: str) -> Any:
    return _compare(slug_a, slug_b, "json")


# --- exports -----------------------------------------------------------------------------


def _stream(chunks: Any, mimetype: str, ext: str) -> Response:
    body = stream_with_context(c.encode("utf-8") for c in chunks)
    return streams.download(body, mimetype, f"kb-graph.{ext}")


@bp.get("/export/graph.graphml")
def export_graphml() -> Response:
    """The viewpoint graph with agreement edges as GraphML (Cytoscape, yEd, networkx),
    streamed from the database (kb.graph.stream)."""
    return _stream(stream.graphml(get_session(), _as_of()), "application/graphml+xml", "graphml")


@bp.get("/export/graph.gexf")
def export_gexf() -> Response:
    """The same graph as GEXF 1.3 (Gephi), streamed."""
    return _stream(stream.gexf(get_session(), _as_of()), "application/gexf+xml", "gexf")


@documented(AS_OF_PARAM)
@bp.get("/export/graph.json")
def export_json() -> Response:
    """The same graph as networkx node-link JSON, streamed."""
    return _stream(stream.node_link(get_session(), _as_of()), "application/json", "json")
