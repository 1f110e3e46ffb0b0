"""/stand and /stand.json: where a reader stands among the named people and camps.

No account and nothing stored: the answers live in the URL (?a=slug,slug for agree, ?d= for
disagree, ?u= for unsure), so a result is a link to share. The form is a plain GET form (one
radio group per claim, named "c.<slug>"); its submission is redirected to the short ?a=&d=&u=
form of the same answers, which the page then shows as its shareable link. The scoring and the
place on the map are kb.graph.stand's; the claims offered are the opinion map's dividing claims
(kb.graph.opinion_map.dividing_claims), PAGE_CLAIMS at a time, more on request (?more=).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from kb.graph import cache, cached
from kb.graph.opinion_map import dividing_claims
from kb.graph.stand import SIGNS, Standing, stand
from kb.pagination import BadParameter
from kb.queries import stand as q
from kb.web import params
from kb.web.database import get_session
from kb.web.graph.opinion_view import draw_maps
from kb.web.present import absolute, urls
from kb.web.present import json_response as _json

bp = Blueprint("stand", __name__)

PAGE_CLAIMS = 10
MAX_MORE = 5  # offered: PAGE_CLAIMS * (1 + more), at most 60 claims
MAX_ANSWERS = 60
MAX_SLUG = 200
MAX_QUERY = 20_000
LISTED = 5  # closest and farthest people shown
DECIDING = 3  # claims shown per listed person (with their quotes)
KEYS = {"a": "agree", "d": "disagree", "u": "unsure"}
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


def read_answers(args: MultiDict[str, str]) -> dict[str, str]:
    """slug -> agree/disagree/unsure from ?a=&d=&u= (commas) and from the form's c.<slug>
    fields; a malformed, repeated-with-another-answer or excess answer is a BadParameter."""
    if len(request.query_string) > MAX_QUERY:
        raise BadParameter("query", f"must be at most {MAX_QUERY} characters long")
    out: dict[str, str] = {}

    def add(name: str, slug: str, answer: str) -> None:
        slug = slug.strip()
        if not slug:
            return
        if len(slug) > MAX_SLUG or not SLUG.match(slug):
            raise BadParameter(name, f"holds a malformed claim slug {slug[:40]!r}")
        if out.get(slug, answer) != answer:
            raise BadParameter(name, f"answers the claim {slug[:40]!r} two ways")
        out[slug] = answer
        if len(out) > MAX_ANSWERS:
            raise BadParameter(name, f"at most {MAX_ANSWERS} answers, please")

    for key, answer in KEYS.items():
        for raw in args.getlist(key):
            for slug in raw.split(","):
                add(key, slug, answer)
    for name, value in args.items(multi=True):
        if name.startswith("c.") and value:
            if value not in SIGNS:
                raise BadParameter(name, "must be agree, disagree or unsure")
            add(name, name[2:], value)
    return out


def canonical_args(answers: dict[str, str], more: int) -> dict[str, Any]:
    """The short query of these answers (?a=&d=&u=, slugs in answer order)."""
    args = {k: ",".join(s for s, a in answers.items() if a == v) for k, v in KEYS.items()}
    out = {k: v for k, v in args.items() if v}
    if more:
        out["more"] = str(more)
    return out


def offered(session: Session) -> list[int]:
    """The claims the form offers, most dividing first (built once per data version)."""
    limit = PAGE_CLAIMS * (1 + MAX_MORE)
    return cache.cached(
        session,
        "stand_offered",
        (limit,),
        lambda: [
            d.claim_id
            for d in dividing_claims(
                cached.agreement(session).latest, cached.camps(session), limit=limit
            )
        ],
    )


def _page(fmt: str) -> Any:
    session = get_session()
    answers = read_answers(request.args)
    more = params.bounded_int(request.args, "more", 0, 0, MAX_MORE)
    short = canonical_args(answers, more)
    if fmt == "html" and any(k.startswith("c.") for k in request.args):
        return redirect(url_for("stand.stand_page", **short), 303)
    known = q.claims_by_slug(session, answers)
    unknown = [s for s in answers if s not in known]
    if unknown:
        raise BadParameter("a", f"no claim has the slug {', '.join(unknown[:5])}")
    ids = {known[s][0]: SIGNS[a] for s, a in answers.items()}
    data = result(session, ids, answers, known)
    data["share"] = absolute(url_for("stand.stand_page", **short))
    data["json"] = absolute(url_for("stand.stand_json", **short))
    shown = offered(session)[: PAGE_CLAIMS * (1 + more)]
    answered_ids = [known[s][0] for s in answers]
    form_ids = answered_ids + [c for c in shown if c not in set(answered_ids)]
    text = q.claims_by_id(session, form_ids)
    data["claims"] = [
        {"slug": text[c][0], "text": text[c][1], "answer": answers.get(text[c][0])}
        for c in form_ids
        if c in text
    ]
    data["more"] = more + 1 if more < MAX_MORE and len(shown) < len(offered(session)) else None
    if fmt == "json":
        data.pop("map_svg"), data.pop("map_svg_narrow")
        return _json(data)
    return render_template("stand/stand.html", data=data, short=short)


def result(
    session: Session, ids: dict[int, int], answers: dict[str, str], known: dict[str, Any]
) -> dict[str, Any]:
    """What the page and its JSON show of the reader's standing."""
    agreement, camps = cached.agreement(session), cached.camps(session)
    found, _ = cached.opinion(session)
    standing = stand(agreement, camps, found.coords, ids)
    people = standing.people
    closest = [m for m in people if m.score > 0][:LISTED]
    farthest = sorted((m for m in people if m.score < 0), key=lambda m: (m.score, -m.shared, m.id))
    farthest = farthest[:LISTED]
    # the claims that decide it, for the closest and the farthest person: what they agree
    # (disagree) with the reader on, with the quotes behind their stances
    pairs = [(m.id, c) for m in closest[:1] for c in m.agreed[:DECIDING]]
    pairs += [(m.id, c) for m in farthest[:1] for c in m.disagreed[:DECIDING]]
    quotes = q.evidence(session, pairs)
    text = q.claims_by_id(session, {c for _, c in pairs})

    def person(m: Any, deciding: tuple[int, ...]) -> dict[str, Any]:
        slug, name = agreement.people.get(m.id, (str(m.id), str(m.id)))
        decide = [
            {
                "claim": {"slug": text[c][0], "text": text[c][1]},
                "position": quotes.get((m.id, c), {}).get("position"),
                "quotes": quotes.get((m.id, c), {}).get("quotes", []),
                "quotes_url": urls.claim(text[c][0]) + f"#person-{slug}",
            }
            for c in deciding[:DECIDING]
            if (m.id, c) in quotes and c in text
        ]
        return {**_counts(m), "slug": slug, "name": name, "deciding": decide}

    names = found.names
    camp_rows = [{**_counts(m), "number": m.id, "name": names[m.id - 1]} for m in standing.camps]
    return {
        "answers": answers,
        "answered": len(answers),
        "min_shared": standing.min_shared,
        "closest": [person(m, m.agreed) for m in closest],
        "farthest": [person(m, m.disagreed) for m in farthest],
        "camps": camp_rows,
        "ranked_people": len(people),
        "place": None if standing.xy is None else {"x": standing.xy[0], "y": standing.xy[1]},
        **_map(session, standing),
    }


def _counts(m: Any) -> dict[str, Any]:
    return {
        "score": round(m.score, 3),
        "agreements": m.agreements,
        "disagreements": m.disagreements,
        "shared": m.shared,
    }


def _map(session: Session, standing: Standing) -> dict[str, Any]:
    """The opinion map's two pictures with the reader drawn on them (kb.graph.you_mark: a
    star marked "You"), the names placed around it."""
    if standing.xy is None:
        return {"map_svg": None, "map_svg_narrow": None}
    wide, narrow = draw_maps(session, None, standing.xy)
    return {"map_svg": Markup(wide.svg), "map_svg_narrow": Markup(narrow.svg)}


@bp.get("/stand")
def stand_page() -> Any:
    """Answer some claims and see which people and camps are closest to you."""
    return _page("html")


@bp.get("/stand.json")
def stand_json() -> Any:
    return _page("json")
