"""The home page's stance matrix: who stands where, arranged so the split shows.

People are grouped by camp (kb.graph.cached.camps: Louvain communities of the agreement graph),
camp by camp in their numbered order, and within a camp by name in natural order
(kb.naturalsort); people with no stance yet, who belong to no camp, come last. Claims are
grouped by topic, and within a topic ordered by how they divide people
(kb.graph.analysis.contested_score over everyone's latest stances), so the rows where the camps
part are at the top of each group; topic groups follow the score of their most divisive claim.

What is shown: the people a reader picked (?people=slug,slug, at most MAX_PICKED), or by default
everyone when there are at most DEFAULT_PEOPLE, otherwise the most evidenced people (most
stances) of each camp, taken in turn so every camp is represented. The claims: the
CLAIMS_SHOWN most divisive among the CONTESTED_POOL claims with most stances, of one topic when
?topic= names one. Every person and claim is a plain dict: the JSON twin publishes the same.
No Flask here: the view in kb.web.browse reads the query string and hands over plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any, Protocol

from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from kb.graph import cached
from kb.graph.analysis import Camps, camp_label, contested_score
from kb.naturalsort import natural_key
from kb.pagination import BadParameter
from kb.queries import overview as q
from kb.queries.listing import MEMO
from kb.store import derived
from kb.vocabulary import position_data

MAX_PICKED = 60
"""The most people a reader may put on the matrix at once (?people=): beyond it a table is no
longer read at a glance, and the request stays small."""
MAX_SLUG = 200
DEFAULT_PEOPLE = 30
"""Up to this many people (the seed's 28) the default matrix shows everyone."""
CLAIMS_SHOWN = 20


class Args(Protocol):
    """The part of a query string (werkzeug's MultiDict) the picker reads."""

    def getlist(self, key: str) -> list[str]: ...


def picked(args: Args) -> tuple[tuple[str, ...] | None, str | None]:
    """The people (slugs, in the order given, each once) and topic the query string picks:
    ?people=a,b or ?people=a&people=b, and ?topic=slug. None for "not picked" (the default).
    Too many people, or an absurdly long slug, is a BadParameter (a 400)."""
    slugs: list[str] = []
    for value in args.getlist("people"):
        for part in value.split(","):
            slug = part.strip()
            if len(slug) > MAX_SLUG:
                raise BadParameter("people", f"holds a slug longer than {MAX_SLUG} characters")
            if slug and slug not in slugs:
                slugs.append(slug)
    if len(slugs) > MAX_PICKED:
        raise BadParameter("people", f"names {len(slugs)} people; at most {MAX_PICKED} fit")
    topics = [t.strip() for t in args.getlist("topic") if t.strip()]
    if len(topics) > 1:
        raise BadParameter("topic", "names more than one topic; pick one")
    if topics and len(topics[0]) > MAX_SLUG:
        raise BadParameter("topic", f"is longer than {MAX_SLUG} characters")
    return (tuple(slugs) or None), (topics[0] if topics else None)


def home_matrix(
    session: Session, people: tuple[str, ...] | None = None, topic: str | None = None
) -> dict[str, Any]:
    """The matrix for these picks (see the module docstring). The default and the per-topic
    matrices are kept until the data changes; a reader's own choice of people is built each
    time (a few small queries), so arbitrary lists cannot crowd the pages' memo."""
    if people is not None:
        return _build(session, people, topic)
    if topic is not None:
        return MEMO.get(session, ("home-matrix", topic), lambda: _build(session, None, topic))

    def kept() -> dict[str, Any]:
        # the default matrix, a worker's first home page 0.15 s (SQLite) to 3 s (PostgreSQL) at
        # the reference scale: once per deployment (kb.store.derived)
        return derived.shared(
            session, "home matrix", HomeMatrix, lambda: _build(session, None, None)
        )

    return MEMO.get(session, ("home-matrix", None), kept)


class HomeMatrix(TypedDict):
    """The matrix as _build gives it (typed, so that a kept copy that is not one is computed
    again: kb.store.derived)."""

    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    people_shown: int
    claims_shown: int
    groups: list[dict[str, Any]]
    camps: list[dict[str, Any]]
    picked: bool
    topic: dict[str, Any] | None
    claims_in_scope: int | None
    unknown: dict[str, Any]


def _build(session: Session, slugs: tuple[str, ...] | None, topic_slug: str | None) -> dict:
    camps = cached.camps(session)
    unknown: dict[str, Any] = {}
    if slugs is None:
        person_ids = default_people(camps, q.stances_per_person(session))
    else:
        found = q.people_refs(session, slugs=slugs)
        unknown["people"] = [s for s in slugs if s not in found]
        person_ids = [found[s]["id"] for s in slugs if s in found]
    topic = q.topic_named(session, topic_slug) if topic_slug else None
    if topic_slug and topic is None:
        unknown["topic"] = topic_slug
    claims, groups = _claims(session, topic)
    people = _people(session, camps, person_ids)
    rows, camp_groups = _rows(session, camps, people, claims)
    for claim in claims:
        del claim["id"]  # the twin names records by slug, as every other page does
    return {
        "columns": claims,
        "rows": rows,
        "people_shown": len(rows),
        "claims_shown": len(claims),
        "groups": groups,
        "camps": camp_groups,
        "picked": slugs is not None,
        "topic": {k: topic[k] for k in ("slug", "name")} if topic else None,
        "claims_in_scope": topic["claims"] if topic else None,
        "unknown": {k: v for k, v in unknown.items() if v},
    }


def default_people(camps: Camps, evidence: dict[int, int], limit: int = DEFAULT_PEOPLE) -> list:
    """Everyone in a camp when they fit; otherwise the most evidenced of each camp (most
    stances, then lowest id), one camp after another in turn, until `limit` are taken: each
    camp gets an equal share, and a small camp gives its unused share to the others."""
    everyone = camps.order()
    if len(everyone) <= limit:
        return everyone
    ranked = [
        sorted(members, key=lambda pid: (-evidence.get(pid, 0), pid)) for members in camps.members
    ]
    chosen: list[int] = []
    for turn in zip_longest(*ranked):
        chosen.extend(pid for pid in turn if pid is not None)
        if len(chosen) >= limit:
            break
    return chosen[:limit]


def _people(session: Session, camps: Camps, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The people's refs with their camp (None: no stance yet), camp by camp, then by name in
    natural order ("Person 2" before "Person 10")."""
    refs = q.people_refs(session, ids=ids)
    people = [{**refs[pid], "camp": camps.camp_of.get(pid)} for pid in ids if pid in refs]
    people.sort(
        key=lambda p: (p["camp"] is None, p["camp"] or 0, natural_key(p["name"]), p["slug"])
    )
    return people


def _claims(
    session: Session, topic: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The columns (claims with topic, sides and score, in group order, keyed C1, C2, ...) and
    the topic groups they fall in. A claim under several topics is grouped under the picked
    topic, else under the first of its topics by name; one under none, under "Other claims"."""
    pool = q.busiest_claim_ids(session, q.CONTESTED_POOL, topic["id"] if topic else None)
    sides = q.claim_sides(session, pool)
    empty = {"supports": 0, "opposes": 0, "mixed": 0}

    def score(cid: int) -> float:
        s = sides.get(cid, empty)
        return contested_score(s["supports"], s["opposes"])

    def people_on_sides(cid: int) -> int:
        return sum(sides.get(cid, empty).values())

    chosen = sorted(pool, key=lambda c: (-score(c), -people_on_sides(c), c))[:CLAIMS_SHOWN]
    info = q.claims_with_topics(session, chosen)
    groups: dict[str | None, dict[str, Any]] = {}
    for cid in chosen:  # most divisive first, so each group is too, and so are the groups
        claim = info[cid]
        home_topic = topic or (claim["topics"][0] if claim["topics"] else None)
        key = home_topic["slug"] if home_topic else None
        group = groups.setdefault(
            key, {"topic": _ref(home_topic) if home_topic else None, "claims": [], "rows": []}
        )
        group["rows"].append(
            {
                "id": cid,
                "slug": claim["slug"],
                "text": claim["text"],
                "summary": claim["summary"],
                "topics": claim["topics"],
                "sides": dict(sides.get(cid, empty)),
                "score": round(score(cid), 3),
            }
        )
        group["claims"].append(claim["slug"])
    ordered = sorted(groups.values(), key=lambda g: g["topic"] is None)  # "Other" last
    columns = [row for g in ordered for row in g.pop("rows")]
    for i, column in enumerate(columns, 1):
        column["key"] = f"C{i}"
    return columns, ordered


def _ref(topic: dict[str, Any]) -> dict[str, Any]:
    return {"slug": topic["slug"], "name": topic["name"]}


def _rows(
    session: Session, camps: Camps, people: list[dict[str, Any]], claims: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A row per person (the cells in column order) and the camp groups the rows fall in."""
    cells = q.latest_positions(session, [p["id"] for p in people], [c["id"] for c in claims])
    rows = [
        {
            "person": {"slug": p["slug"], "name": p["name"]},
            "camp": p["camp"],
            "cells": [
                {"claim": c["slug"], **position_data(cells.get((p["id"], c["id"])))} for c in claims
            ],
        }
        for p in people
    ]
    return rows, _camp_groups(camps, cached.agreement(session).people, rows)


def _camp_groups(
    camps: Camps, names: dict[int, tuple[str, str]], rows: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The camps the rows fall in, in row order, each with its label, its size and the slugs
    of its people shown; people in no camp are a last group with camp None."""
    groups: dict[int | None, dict[str, Any]] = {}
    for row in rows:
        number = row["camp"]
        if number not in groups:
            groups[number] = {
                "camp": number,
                "label": camp_label(camps, number, names) if number else "No stance yet",
                "size": len(camps.members[number - 1]) if number else None,
                "people": [],
            }
        groups[number]["people"].append(row["person"]["slug"])
    return list(groups.values())
