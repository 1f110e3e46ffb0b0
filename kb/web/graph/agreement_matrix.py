"""/agreement and /agreement.json: the people x people agreement matrix, the most active people
shown camp by camp, each cell the pair's score by SCORE_RULE."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, url_for

from kb.graph import cached
from kb.web.api import documented
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

Cells = dict[tuple[int, int], dict[str, Any]]


def _agreement(fmt: str) -> Any:
    session = get_session()
    day = as_of()
    limit = int_arg("limit", AGREEMENT_PEOPLE, 2, AGREEMENT_PEOPLE_MAX)
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
            }
        )
    return render_template(
        "graph/agreement.html",
        people=people,
        rows=_matrix_rows(people, cells),
        camps=camp_rows(camps, agreement),
        left_out=mx.left_out,
        limit=limit,
        rule=SCORE_RULE,
        as_of=day,
        href=href,
        json_url=url_for("graph.agreement_json", **args_with()),
    )


def _matrix_rows(people: list[dict[str, Any]], cells: Cells) -> list[dict[str, Any]]:
    """The heat map's rows: a cell per pair, marked when it is a person with themself or a pair
    sharing no claim, else with its signed score and colour class."""
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
    return rows


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
