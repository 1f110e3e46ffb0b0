"""/graph and /graph.json: the viewpoint map (people, claims, stances and claim relations as one
SVG), filtered by topic and camp, with the camps, the bridges between them and the most
contested claims beside it."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, request, url_for
from markupsafe import Markup

from kb.graph import analysis, cached, svg
from kb.graph.agreement import Agreement
from kb.graph.viewpoint import Viewpoint
from kb.queries import graph as q
from kb.queries import suggest
from kb.web import params
from kb.web.api import documented, integer
from kb.web.database import get_session
from kb.web.graph.blueprint import AS_OF_PARAM, args_with, as_of, bp, camp_rows, int_arg
from kb.web.graph.opinion_view import opinion_context
from kb.web.present import href

# A filter lists its choices in a select only up to this many; past it, a text input.
PICKER_SELECT_MAX = 50
CAMPS_LISTED = 50  # camps named on the page (all of them are in the JSON twin)
GRAPH_NODES = 60
GRAPH_NODES_MAX = 600
VIEWS = ("map", "stances")


def _view(filtered: bool) -> str:
    """?view=map or ?view=stances; without it the opinion map, unless a topic or camp filter
    narrows the page to a few nodes, which the stance graph (people and claims) shows best."""
    chosen = request.args.get("view", "")
    if chosen and chosen not in VIEWS:
        abort(400, description="view must be map or stances.")
    return chosen or ("stances" if filtered else "map")


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
    """The map as the page or its JSON twin: the filters are read and checked first, then
    everything shown comes from kb.graph.cached."""
    session = get_session()
    day = as_of()
    topic, unknown = _topic_filter(session, fmt)
    agreement = cached.agreement(session, day)
    camps = cached.camps(session, day)
    camp = params.bounded_int(request.args, "camp", None, 1, max(1, len(camps)))
    if camp is not None and camp > len(camps):
        abort(400, description="There are no camps yet.")
    limit = int_arg("limit", GRAPH_NODES, 10, GRAPH_NODES_MAX)
    view = _view(topic is not None or camp is not None)
    wanted = (day, topic.id if topic else None, camp, limit)
    vp = cached.viewpoint_graph(session, *wanted)
    shown = {
        "filters": {
            "topic": topic.slug if topic is not None else None,
            "camp": camp,
            "as_of": day.isoformat() if day else None,
            "view": view,
        },
        "left_out": {
            "people": vp.people_total - vp.people_shown,
            "claims": vp.claims_total - vp.claims_shown,
            "stances": vp.stances_total - vp.stances_shown,
        },
        "camps": camp_rows(camps, agreement),
        "bridges": _bridge_rows(cached.bridges(session, day), agreement),
        "contested": [_contested_row(c) for c in cached.contested(session, 10, day)],
    }
    opinion = opinion_context(session, day)
    if fmt == "json":
        return jsonify({**_graph_data(vp, camps, shown), "map": _map_data(opinion)})
    page = render_template(
        "graph/graph.html",
        picture=_stance_picture(session, wanted, camps) if view == "stances" else None,
        view=view,
        **opinion,
        vp=vp,
        left_out=shown["left_out"],
        filters=shown["filters"],
        limit=limit,
        topic_picker=_topic_picker(session),
        unknown_topic=unknown,
        camps=shown["camps"],
        camps_listed=CAMPS_LISTED,
        bridges=shown["bridges"],
        contested=shown["contested"],
        legend=svg.legend_items(),
        href=href,
        json_url=url_for("graph.graph_json", **args_with()),
    )
    return page, 400 if unknown is not None else 200


def _stance_picture(session: Any, wanted: tuple[Any, ...], camps: analysis.Camps) -> Markup:
    """The stance graph (people, claims and the lines between them) as an SVG."""
    vp, pos = cached.picture(session, *wanted)
    g = vp.graph
    title = "The viewpoint graph: people, claims, stances and claim relations"
    # a taller canvas for a bigger graph, so labels keep their room
    height = svg.HEIGHT if len(g) <= 40 else min(1500, svg.HEIGHT + 12 * (len(g) - 40))
    return Markup(svg.render(g, pos, href, title, camps.camp_of, height=height))


def _graph_data(vp: Viewpoint, camps: analysis.Camps, shown: dict[str, Any]) -> dict[str, Any]:
    """/graph.json: the shown graph's nodes and edges, with what the page shows beside it."""
    g = vp.graph
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
    return {
        "filters": shown["filters"],
        "nodes": nodes,
        "edges": edges,
        "shown": {
            "people": vp.people_shown,
            "claims": vp.claims_shown,
            "stances": vp.stances_shown,
        },
        "left_out": shown["left_out"],
        "camps": shown["camps"],
        "bridges": shown["bridges"],
        "contested": shown["contested"],
    }


def _map_data(opinion: dict[str, Any]) -> dict[str, Any]:
    """/graph.json's "map": where each person sits (x, y in [-1, 1]; labelled: whether the
    wide picture draws their name), the camps' names, the dividing claims, and the method."""
    return {
        "people": opinion["map_people"],
        "camps": opinion["map_camps"],
        "dividing": opinion["dividing"],
        "how": opinion["map_how"],
        "dividing_how": opinion["dividing_how"],
        "bridging": opinion["bridging"],
    }


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
    (
        "limit",
        integer(10, GRAPH_NODES_MAX),
        f"most people shown, 10 to {GRAPH_NODES_MAX} (default {GRAPH_NODES})",
    ),
    (
        "view",
        list(VIEWS),
        "map (the opinion map) or stances (people and claims); the JSON has both",
    ),
)
@bp.get("/graph.json")
def graph_json() -> Any:
    return _graph("json")
