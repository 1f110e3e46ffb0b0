"""/compare: choosing two people (a plain GET form, with suggestions), and /compare/a/b: the two
side by side, with the claims they agree on and the cruxes between them."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, redirect, render_template, request, url_for

from kb.graph import analysis, cached
from kb.models import Person
from kb.queries import graph as q
from kb.queries import search as fts
from kb.queries import shapes
from kb.web.api import documented
from kb.web.database import get_session
from kb.web.graph.blueprint import AS_OF_PARAM, SCORE_RULE, args_with, as_of, bp
from kb.web.params import text
from kb.web.present import href, score_class, signed

# people suggested, or listed as candidates, on the /compare form: bounded at any size
CHOICES = 50
# claims shown open in each group of /compare/a/b (cruxes, agreements, mixed); the rest of a
# long group waits in a closed <details> that says how many it holds
SHOWN = 10


def _shared_json(items: list[analysis.SharedClaim]) -> list[dict[str, Any]]:
    return [
        {
            "claim": {"slug": it.claim.slug, "text": it.claim.text},
            "centrality": it.centrality,
            "a": shapes.stance_data(it.a, shape="compare"),
            "b": shapes.stance_data(it.b, shape="compare"),
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
    day = as_of()
    a = q.person_by_slug(session, slug_a)
    b = q.person_by_slug(session, slug_b)
    missing = [s for s, p in ((slug_a, a), (slug_b, b)) if p is None]
    if missing:
        abort(404, description=f"There is no person {missing[0]!r} in kb.")
    assert a is not None and b is not None
    if a.id == b.id:
        abort(400, description="Compare two different people.")
    result = analysis.compare(session, a, b, day)
    camps = cached.camps(session, day)
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
        shown=SHOWN,
        href=href,
        json_url=url_for("graph.compare_json", slug_a=a.slug, slug_b=b.slug, **args_with()),
    )


def _choose(fmt: str) -> Any:
    """/compare without a pair: a plain GET form (a name or slug for each side, with a
    bounded list of suggestions). A pair that names two people leads to their page; text that
    fits several people lists them to pick from; a problem is said beside its field."""
    session = get_session()
    day = as_of()
    values = {side: text(request.args, side, 200) or "" for side in ("a", "b")}
    chosen: dict[str, str] = {}
    candidates: dict[str, list[dict[str, Any]]] = {}
    problems: dict[str, str] = {}
    for side, value in values.items():
        if not value.strip():
            continue
        found = fts.find_people(session, value, CHOICES)
        candidates[side] = [
            {**_person_json(p), "pick": url_for("graph.choose", **args_with(**{side: p.slug}))}
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
        extra: dict[str, Any] = {"as_of": day.isoformat()} if day else {}
        pair = {
            "html": url_for("graph.compare", slug_a=chosen["a"], slug_b=chosen["b"], **extra),
            "json": url_for("graph.compare_json", slug_a=chosen["a"], slug_b=chosen["b"], **extra),
        }
    data = {
        "query": values,
        "as_of": day.isoformat() if day else None,
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
        "graph/compare_choose.html", data=data, json_url=url_for("graph.choose_json", **args_with())
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
