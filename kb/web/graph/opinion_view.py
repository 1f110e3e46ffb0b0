"""The opinion map part of /graph and /graph.json: the two pictures (wide and phone), the
camps' names, the claims that divide the camps, and the plain table of who is where.

The projection, the names and the ranking are kb.graph's (cached.opinion); this module only
turns them into what the template and the JSON twin show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from kb.graph import analysis, cache, cached, map_svg, svg
from kb.graph.agreement import Agreement
from kb.web import bridging
from kb.web.present import href

# the phone's picture: drawn at about the size it is shown, so its text stays readable; fewer
# names (the table and the lists below carry the rest)
NARROW_WIDTH, NARROW_HEIGHT, NARROW_LABELS = 380, 440, 5
TIP_CLAIMS = 2
SIGN_WORD = {1: "supports", -1: "opposes", 0: "mixed on"}
HOW = (
    "Each dot is a person. Two people sit close together when they agree on the claims they "
    "both take a stance on, far apart when they disagree: the map is a two-dimensional "
    "projection (classical multidimensional scaling) of everyone's agreement scores, where a "
    "score resting on few shared claims counts for less. Camps are groups of people linked by "
    "agreement (Louvain community detection, fixed seed); a camp keeps its number and colour "
    "as data is added, because camps are numbered by their earliest-entered member."
)
DIVIDING_HOW = (
    "For each claim: how far apart the camps' average positions are (all support = +1, all "
    "oppose = −1), weighted by how many in each camp hold a stance, times log₂(1 + holders)."
)


def _lean_words(lean: float | None) -> str:
    if lean is None:
        return "no stance"
    if lean >= 0.5:
        return "mostly support"
    if lean <= -0.5:
        return "mostly oppose"
    return "split"


def _tip(
    name: str, camp: int | None, held: list[tuple[int, int]], claims: dict[int, tuple[str, str]]
) -> str:
    """A mark's <title>: who, which camp, and their sides on the first dividing claims."""
    where = f"camp {camp}" if camp else "in no camp"
    parts = [f"{SIGN_WORD[s]} “{_short(claims[c][1], 60)}”" for c, s in held[:TIP_CLAIMS]]
    return f"{name}, {where}." + (f" On the dividing claims: {'; '.join(parts)}." if parts else "")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def opinion_context(session: Session, day: dt.date | None) -> dict[str, Any]:
    """Everything the map view and the JSON twin's "map" key show, built once per data
    version and date like the analyses it draws (drawing 2,000 marks twice takes a while)."""
    return cache.cached(session, "opinion_page", (day,), lambda: _build(session, day))


def _inputs(session: Session, day: dt.date | None) -> dict[str, Any]:
    """What the pictures are drawn from: the people, the camps and whom to label first."""
    agreement = cached.agreement(session, day)
    camps = cached.camps(session, day)
    found, claims = cached.opinion(session, day)
    return {
        "people": _people(agreement, camps, found, claims),
        "camps": [map_svg.MapCamp(k + 1, n) for k, n in enumerate(found.names)],
        "priority": found.priority,
    }


def _cached_inputs(session: Session, day: dt.date | None) -> dict[str, Any]:
    return cache.cached(session, "opinion_inputs", (day,), lambda: _inputs(session, day))


def draw_maps(
    session: Session, day: dt.date | None, reader: tuple[float, float] | None = None
) -> tuple[map_svg.Drawn, map_svg.Drawn]:
    """The wide and the phone picture, with the reader's mark when `reader` is their place
    (/stand: the names are then placed around it)."""
    got = _cached_inputs(session, day)
    people, camp_list, priority = got["people"], got["camps"], got["priority"]
    title = "Opinion map: people placed by whom they agree with, grouped in camps"
    wide = map_svg.render_map(people, camp_list, priority, title, reader=reader)
    narrow = map_svg.render_map(
        people,
        camp_list,
        priority,
        title,
        width=NARROW_WIDTH,
        height=NARROW_HEIGHT,
        labels=NARROW_LABELS,
        camp_names=False,
        css_class="opinion-map narrow",
        brief=True,
        reader=reader,
    )
    return wide, narrow


def _build(session: Session, day: dt.date | None) -> dict[str, Any]:
    agreement = cached.agreement(session, day)
    camps = cached.camps(session, day)
    found, claims = cached.opinion(session, day)
    wide, narrow = draw_maps(session, day)
    got = _cached_inputs(session, day)
    people, camp_list = got["people"], got["camps"]
    dividing = _dividing_rows(found, claims, camps)
    rows = [
        {
            "slug": agreement.people[p.id][0],
            "name": p.name,
            "camp": p.camp,
            "x": round(p.x, 4),
            "y": round(p.y, 4),
            "labelled": p.id in wide.labelled,
            "agrees_most_with": _person_ref(agreement, found.closest.get(p.id)),
        }
        for p in people
    ]
    return {
        "map_svg": Markup(wide.svg),
        "map_svg_narrow": Markup(narrow.svg),
        "map_people": rows,
        "map_camps": [
            {
                "number": c.number,
                "name": c.name,
                "size": len(camps.members[c.number - 1]),
                "colour": svg.camp_colour(c.number),
                "shape": svg.camp_shape(c.number),
            }
            for c in camp_list
        ],
        "dividing": dividing,
        "map_how": HOW,
        "dividing_how": DIVIDING_HOW,
        "bridging": bridging.rows(session, bridging.MAP_LIMIT, day),
    }


def _dividing_rows(
    found: Any, claims: dict[int, tuple[str, str]], camps: analysis.Camps
) -> list[dict[str, Any]]:
    """The dividing claims as the side list and the JSON show them, with each camp's lean."""
    return [
        {
            "slug": claims[d.claim_id][0],
            "text": claims[d.claim_id][1],
            "supporters": d.supporters,
            "opponents": d.opponents,
            "mixed": d.mixed,
            "spread": d.spread,
            "camps": [
                {
                    "number": k + 1,
                    "lean": None if v is None else round(v, 3),
                    "words": _lean_words(v),
                }
                for k, v in enumerate(d.lean)
                if len(camps.members[k]) >= 2
            ],
        }
        for d in found.dividing
    ]


def _person_ref(agreement: Agreement, pid: int | None) -> dict[str, str] | None:
    if pid is None or pid not in agreement.people:
        return None
    slug, name = agreement.people[pid]
    return {"slug": slug, "name": name}


def _people(
    agreement: Agreement,
    camps: analysis.Camps,
    found: Any,
    claims: dict[int, tuple[str, str]],
) -> list[map_svg.MapPerson]:
    """Everyone on the map, in camp order (then by name) so the table reads camp by camp."""
    out = []
    for pid in agreement.person_ids.tolist():
        if pid not in agreement.people:
            continue
        slug, name = agreement.people[pid]
        camp = camps.camp_of.get(pid)
        x, y = found.coords[pid]
        tip = _tip(name, camp, found.held.get(pid, []), claims)
        brief = f"{name}, camp {camp}" if camp else name
        out.append(map_svg.MapPerson(pid, name, href("person", slug), camp, x, y, tip, brief))
    out.sort(key=lambda p: (p.camp or 10**9, p.name, p.id))
    return out
