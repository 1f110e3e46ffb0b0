"""/agreement and /agreement.json: the people x people agreement matrix, the most active people
shown camp by camp, each cell the pair's score by SCORE_RULE.

The page is built to stay small and readable as the debate grows: a cell is its colour, its
signed score and its counts (hidden until hovered or focused), with no per-cell title; full
names sit on the row headers (and on the column headers' titles, where rotated names may be
cut short); people come in camp groups, each under a divider that names the camp."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import jsonify, render_template, url_for
from markupsafe import Markup, escape

from kb.graph import cached
from kb.web.api import documented, integer
from kb.web.database import get_session
from kb.web.graph.blueprint import (
    AS_OF_PARAM,
    SCORE_RULE,
    args_with,
    as_of,
    bp,
    camp_rows,
    int_arg,
)
from kb.web.present import href, score_class, signed

AGREEMENT_PEOPLE = 40
AGREEMENT_PEOPLE_MAX = 150
AGREEMENT_PEOPLE_MIN = 2

Cells = dict[tuple[int, int], dict[str, Any]]


def _agreement(fmt: str) -> Any:
    session = get_session()
    day = as_of()
    limit = int_arg("limit", AGREEMENT_PEOPLE, AGREEMENT_PEOPLE_MIN, AGREEMENT_PEOPLE_MAX)
    agreement = cached.agreement(session, day)
    camps = cached.camps(session, day)
    # The most active people (most stances), then shown camp by camp.
    mx = cached.matrix(session, limit, day)
    cells: Cells = {
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
        for p in mx.people
    ]
    if fmt == "json":
        index = {p: k for k, p in enumerate(mx.people)}
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
                "camps": camp_rows(camps, agreement),
                "left_out": mx.left_out,
                "limit": {"shown": limit, "min": AGREEMENT_PEOPLE_MIN, "max": AGREEMENT_PEOPLE_MAX},
            }
        )
    extra: dict[str, Any] = {"as_of": day.isoformat()} if day else {}
    _mark_camp_starts(people)
    camp_list = camp_rows(camps, agreement)
    return render_template(
        "graph/agreement.html",
        people=people,
        groups=_camp_groups(people, _matrix_rows(people, cells, extra), camp_list),
        camps=camp_list,
        left_out=mx.left_out,
        limit=limit,
        limits=(AGREEMENT_PEOPLE_MIN, AGREEMENT_PEOPLE_MAX),
        more=min(len(people) * 2, AGREEMENT_PEOPLE_MAX),
        rule=SCORE_RULE,
        as_of=day,
        href=href,
        json_url=url_for("graph.agreement_json", **args_with()),
    )


def _mark_camp_starts(people: list[dict[str, Any]]) -> None:
    """Mark each person who opens a camp (`start`), so the column of the camp's first person
    draws the divider that the camp's first row draws across the table."""
    for k, p in enumerate(people):
        p["start"] = k > 0 and p["camp"] != people[k - 1]["camp"]


def _matrix_rows(people: list[dict[str, Any]], cells: Cells, extra: dict[str, Any]) -> list:
    """The heat map's rows, each with its cells' HTML made here in one pass (`cells_html`):
    at 150 people the table has 22,350 cells, and a cell per template loop, with a url_for and
    six escapes each, cost 0.7 s of a page. A cell is a person with themself (class "s"), a
    pair sharing no claim ("x"), or a pair's short score coloured by its class (score_class
    without its "score-" prefix; the stylesheet colours both alike) with its counts in <i>."""
    head, mid, tail = _pair_url(extra)
    slugs = [escape(quote(p["slug"], safe="")) for p in people]
    scored: dict[float, tuple[str, str, str]] = {}  # a score's class, short and full text
    rows = []
    for pa, slug_a in zip(people, slugs, strict=True):
        row: list[str] = []
        for pb, slug_b in zip(people, slugs, strict=True):
            cb = " cb" if pb["start"] else ""
            if pa["id"] == pb["id"]:
                row.append(
                    f'<td class="s{cb}"><span class="visually-hidden">same person</span></td>'
                )
                continue
            c = cells.get((pa["id"], pb["id"]))
            url = f"{head}{slug_a}{mid}{slug_b}{tail}"
            if c is None:
                row.append(f'<td class="x{cb}"><a href="{url}">–<i>no claim in common</i></a></td>')
                continue
            if c["score"] not in scored:
                scored[c["score"]] = _score_texts(c["score"])
            k, short, text = scored[c["score"]]
            counts = f"{int(c['agreements'])}✓ {int(c['disagreements'])}✗ /{int(c['shared'])}"
            row.append(
                f'<td class="{k}{cb}"><a href="{url}">{short}<i>{text}: {counts}</i></a></td>'
            )
        rows.append({"person": pa, "cells_html": Markup("".join(row))})
    return rows


def _score_texts(score: float) -> tuple[str, str, str]:
    """A cell's colour class, short score and full score, escaped."""
    k = score_class(score).removeprefix("score-")
    return str(escape(k)), str(escape(short_score(score))), str(escape(signed(score)))


def _pair_url(extra: dict[str, Any]) -> tuple[str, str, str]:
    """The escaped /compare/<a>/<b> URL around its two slugs (before, between, after): url_for
    once, with markers where the slugs go, rather than once per cell."""
    marked = url_for("graph.compare", slug_a=_SLUG_A, slug_b=_SLUG_B, **extra)
    head, rest = marked.split(quote(_SLUG_A))
    mid, tail = rest.split(quote(_SLUG_B))
    return str(escape(head)), str(escape(mid)), str(escape(tail))


_SLUG_A, _SLUG_B = "\x00a", "\x00b"  # never in a slug: where _pair_url puts each one


def short_score(score: float) -> str:
    """The score as a cell shows it, at most four characters wide so that 28 people fit a
    1280 px window: signed() without the leading zero ("+.83", "−.25"), "+1", "−1" and "0" at
    the ends and the middle. The full signed() text is in the cell's counts."""
    text = signed(score)
    if text in ("+1.00", "−1.00"):
        return text[:2]
    if text in ("+0.00", "−0.00"):
        return "0"
    return text.replace("0.", ".", 1)


def _camp_groups(
    people: list[dict[str, Any]], rows: list[dict[str, Any]], camp_list: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows in runs of one camp each (the people are in camp order), each run with its
    camp's label (analysis.camp_label, by way of camp_rows) and size."""
    by_number = {c["number"]: c for c in camp_list}
    groups: list[dict[str, Any]] = []
    for p, row in zip(people, rows, strict=True):
        if not groups or groups[-1]["camp"] != p["camp"]:
            camp = by_number.get(p["camp"], {"label": "No camp", "size": 0})
            groups.append(
                {"camp": p["camp"], "label": camp["label"], "size": camp["size"], "rows": []}
            )
        groups[-1]["rows"].append(row)
    return groups


@bp.get("/agreement")
def agreement() -> Any:
    """The people x people agreement matrix as a heat map, ordered by camp."""
    return _agreement("html")


@documented(
    AS_OF_PARAM,
    (
        "limit",
        integer(AGREEMENT_PEOPLE_MIN, AGREEMENT_PEOPLE_MAX),
        f"most people shown, {AGREEMENT_PEOPLE_MIN} to {AGREEMENT_PEOPLE_MAX} "
        f"(default {AGREEMENT_PEOPLE}); outside that range is a 400 that says so",
    ),
)
@bp.get("/agreement.json")
def agreement_json() -> Any:
    return _agreement("json")
