"""Reads for the public pages: each function returns plain data (dicts and lists) that the HTML
page and its JSON twin both render, so the two can never disagree.

Every function runs a fixed number of queries whatever the size of the data: relationships are
loaded with selectinload, counts come from correlated subqueries or GROUP BY, never row by row.
Where a person holds several stances on one claim, the latest counts (kb.queries.is_latest).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import (
    Float,
    Select,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased, selectinload

from kb.dates import format_partial, humanize_partial
from kb.models import (
    POSITIONS,
    SOURCE_KINDS,
    Claim,
    ClaimRelation,
    Person,
    Quote,
    Source,
    Stance,
    Topic,
    claim_topic,
    source_author,
)
from kb.pagination import BadParameter, Page, PageRequest
from kb.queries import is_latest
from kb.store.memo import StateCache
from kb.vocabulary import position_data, positions

CHECKED = {
    "primary": ("Primary", "seen in the original"),
    "reprint": ("Reprint", "seen in a faithful copy of the original"),
    "widely_reported": ("Widely reported", "the same words in several independent reports"),
    "secondary": ("Secondary", "seen only as quoted by one report"),
}
ATTRIBUTIONS = {
    "verbatim": "Verbatim",
    "paraphrase": "Paraphrase",
    "translation": "Translation",
}
BASES = {
    "explicit": "the quotes state it",
    "inferred": "an editor's reading of the quotes",
}
KIND_LABELS = {
    "article": "Article",
    "blog_post": "Blog post",
    "interview": "Interview",
    "talk": "Talk",
    "book": "Book",
    "paper": "Paper",
    "social_post": "Social media post",
    "other": "Other",
}

CLAIM_SORTS = ("text", "stances", "contested", "recent")
PEOPLE_SORTS = ("name", "stances", "recent")
SOURCE_SORTS = ("date", "oldest", "title")
TOPIC_SORTS = ("name", "claims")
FACET_LIMIT = 30


MEMO = StateCache(size=64)
"""Results that cost a scan of the stances (the overview, orderings by count), kept until the
data changes. Values must be plain data, never ORM objects (their session is gone next time).
The largest, an ordering of every claim, is a list of ids, about 0.4 MB at 50,000 claims."""
FACETS = StateCache(size=512)
"""Facet counts: small (at most FACET_LIMIT rows each) and many (one per combination of the
other filters), so they get a bigger memo of their own and never evict an ordering."""


# ---------------------------------------------------------------- records as plain data


def person_ref(p: Person) -> dict[str, Any]:
    return {"slug": p.slug, "name": p.name}


def person_data(p: Person) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": p.name,
        "description": p.description,
        "affiliation": p.affiliation,
        "birth_year": p.birth_year,
        "death_year": p.death_year,
        "url": p.url,
    }


def claim_ref(c: Claim) -> dict[str, Any]:
    return {"slug": c.slug, "text": c.text, "summary": c.summary}


def topic_ref(t: Topic) -> dict[str, Any]:
    return {"slug": t.slug, "name": t.name}


StanceShape = Literal["page", "compare"]
"""The two published shapes of a stance, both parts of a documented JSON contract: "page" (the
person and claim pages and their .json twins: every field, with the readers' labels) and
"compare" (/compare/<a>/<b>.json since it first appeared: position, basis, as_of, note and
each quote's text, attribution, checked, said_on (ISO date) and said_precision, and source
slug, title, url, published_on (ISO date) and date_precision). One serialiser writes both, so the fields they share are shaped once."""


def source_ref(s: Source, shape: StanceShape = "page") -> dict[str, Any]:
    data: dict[str, Any] = {"slug": s.slug, "title": s.title, "url": s.url}
    if shape == "compare":
        published = s.published_on.isoformat() if s.published_on else None
        return {**data, "published_on": published, "date_precision": s.date_precision}
    return {
        **data,
        "kind": s.kind,
        "kind_label": KIND_LABELS[s.kind],
        "archived_url": s.archived_url,
        "publisher": s.publisher,
        "published": format_partial(s.published_on, s.date_precision),
        "published_human": humanize_partial(s.published_on, s.date_precision),
        "date_note": s.date_note,
    }


def quote_data(
    q: Quote, speaker: bool = True, source: bool = True, shape: StanceShape = "page"
) -> dict[str, Any]:
    data: dict[str, Any] = {"text": q.text, "attribution": q.attribution, "checked": q.checked}
    if shape == "compare":
        said = q.said_on.isoformat() if q.said_on else None
        data |= {"said_on": said, "said_precision": q.said_precision}
    if shape == "page":
        label, explanation = CHECKED[q.checked]
        data |= {
            "id": q.id,
            "attribution_label": ATTRIBUTIONS[q.attribution],
            "checked_label": label,
            "checked_explanation": explanation,
            "check_note": q.check_note,
            "said": format_partial(q.said_on, q.said_precision),
            "said_human": humanize_partial(q.said_on, q.said_precision),
            "locator": q.locator,
            "speaker_affiliation": q.speaker_affiliation,
            "note": q.note,
        }
    if speaker:
        data["speaker"] = person_ref(q.speaker)
    if source:
        data["source"] = source_ref(q.source, shape)
    return data


def stance_data(
    st: Stance,
    latest: bool = True,
    person: bool = True,
    claim: bool = True,
    shape: StanceShape = "page",
) -> dict[str, Any]:
    """A stance as plain data, in one of the two published shapes (see StanceShape); the
    "compare" shape has no person, claim or latest flag (its caller names the pair)."""
    data: dict[str, Any] = {
        "position": st.position,
        "basis": st.basis,
        "as_of": st.as_of.isoformat() if st.as_of else None,
        "note": st.note,
        "evidence": [quote_data(q, speaker=False, shape=shape) for q in st.evidence],
    }
    if shape == "compare":
        return data
    data |= {
        "id": st.id,
        **position_data(st.position),
        "basis_explanation": BASES[st.basis],
        "probability": st.probability,
        "horizon": st.horizon,
        "as_of_human": humanize_partial(st.as_of, "day") if st.as_of else "undated",
        "latest": latest,
    }
    if person:
        data["person"] = person_ref(st.person)
    if claim:
        data["claim"] = claim_ref(st.claim)
    return data


def _by_position(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {p: [] for p in POSITIONS}
    for item in items:
        grouped[item["position"]].append(item)
    return grouped


def _date_key(st: Stance) -> tuple[int, dt.date]:
    # Undated stances first in a timeline: they are known to exist, not when.
    return (0, dt.date.min) if st.as_of is None else (1, st.as_of)


def _evidence_dates(st: Stance) -> list[str]:
    """The dates of a stance's quotes (when the words were said), oldest first, each once
    (undated last)."""
    dated = sorted(
        ((q.said_on, q.said_precision) for q in st.evidence),
        key=lambda d: (d[0] is None, d[0] or dt.date.min),
    )
    seen: dict[str, None] = {}
    for said_on, precision in dated:
        seen.setdefault(humanize_partial(said_on, precision), None)
    return list(seen)


_EVIDENCE = selectinload(Stance.evidence).selectinload(Quote.source)


# ---------------------------------------------------------------- the overview


def _position_count(position: str, st: Any = Stance) -> Any:
    return func.sum(case((st.position == position, 1), else_=0))


CONTESTED_POOL = 200


def _busiest_claims(limit: int) -> Any:
    """The ids of the claims with most stances and their counts, as a subquery: an aggregate
    over the stance table's claim_id index alone, so it stays cheap on a large base."""
    n = func.count().label("n")
    return (
        select(Stance.claim_id, n)
        .group_by(Stance.claim_id)
        .order_by(n.desc(), Stance.claim_id)
        .limit(limit)
        .subquery()
    )


def contested_claims(
    session: Session, limit: int = 10, pool: int = CONTESTED_POOL
) -> list[dict[str, Any]]:
    """The most contested claims. Among the `pool` claims with most stances (on the seed that is
    every claim; on a large base it keeps the cost fixed and leaves out claims few people have
    taken a side on), those with at least one supporter and one opponent, counting each
    person's latest stance, ranked by how evenly split they are: evenness =
    min(supporters, opponents) / max(supporters, opponents), so 3 against 3 (1.0) ranks above
    5 against 2 (0.4). Ties go to the claim with more people on the two sides, then by slug.
    "Mixed" stances are shown but count for neither side."""
    busiest = _busiest_claims(pool)
    sup = _position_count("supports").label("supports")
    opp = _position_count("opposes").label("opposes")
    mix = _position_count("mixed").label("mixed")
    counts = (
        select(Stance.claim_id, sup, opp, mix)
        .where(is_latest(), Stance.claim_id.in_(select(busiest.c.claim_id)))
        .group_by(Stance.claim_id)
        .having(and_(sup > 0, opp > 0))
        .subquery()
    )
    s = cast(counts.c.supports, Float)
    o = cast(counts.c.opposes, Float)
    evenness = case((s < o, s / o), else_=o / s)
    rows = session.execute(
        select(Claim, counts.c.supports, counts.c.opposes, counts.c.mixed, evenness)
        .join(counts, counts.c.claim_id == Claim.id)
        .order_by(evenness.desc(), (counts.c.supports + counts.c.opposes).desc(), Claim.slug)
        .limit(limit)
    ).all()
    return [
        {
            "claim": claim_ref(c),
            "supports": int(n_sup),
            "opposes": int(n_opp),
            "mixed": int(n_mix),
            "evenness": round(float(even), 3),
        }
        for c, n_sup, n_opp, n_mix, even in rows
    ]


def counts(session: Session) -> dict[str, int]:
    """How many of each record, in one query."""
    tables = {
        "people": Person,
        "claims": Claim,
        "sources": Source,
        "quotes": Quote,
        "stances": Stance,
        "topics": Topic,
    }
    row = session.execute(
        select(
            *(
                select(func.count()).select_from(model).scalar_subquery().label(name)
                for name, model in tables.items()
            )
        )
    ).one()
    return dict(row._mapping)


def overview(session: Session, max_people: int = 20, max_claims: int = 16) -> dict[str, Any]:
    """The home page's data (see _overview), kept until the data changes."""
    return MEMO.get(
        session,
        ("overview", max_people, max_claims),
        lambda: _overview(session, max_people, max_claims),
    )


def _overview(session: Session, max_people: int, max_claims: int) -> dict[str, Any]:
    """Counts, the stance matrix and the most contested claims, for the home page.

    The matrix has the people with most stances as rows (ordered by name) and the claims with
    most stances as columns, at most max_people x max_claims, so it stays readable and its cost
    stays bounded on a large knowledge base; it says how many it left out."""
    totals = counts(session)
    n = func.count().label("n")
    top_people = (
        select(Stance.person_id, n)
        .group_by(Stance.person_id)
        .order_by(n.desc(), Stance.person_id)
        .limit(max_people)
        .subquery()
    )
    people_rows = session.execute(
        select(Person, top_people.c.n).join(top_people, top_people.c.person_id == Person.id)
    ).all()
    busiest = _busiest_claims(max_claims)
    claim_rows = session.execute(
        select(Claim, busiest.c.n)
        .join(busiest, busiest.c.claim_id == Claim.id)
        .order_by(busiest.c.n.desc(), Claim.id)
    ).all()
    people = sorted((p for p, _ in people_rows), key=lambda p: (p.name, p.id))
    claims = [c for c, _ in claim_rows]
    cells = session.execute(
        select(Stance.person_id, Stance.claim_id, Stance.position).where(
            Stance.person_id.in_([p.id for p in people]),
            Stance.claim_id.in_([c.id for c in claims]),
            is_latest(),
        )
    ).all()
    position_of = {(pid, cid): pos for pid, cid, pos in cells}
    columns = [{"key": f"C{i}", **claim_ref(c)} for i, c in enumerate(claims, 1)]
    rows = [
        {
            "person": person_ref(p),
            "cells": [
                {"claim": c.slug, **position_data(position_of.get((p.id, c.id)))} for c in claims
            ],
        }
        for p in people
    ]
    return {
        "counts": totals,
        "matrix": {
            "columns": columns,
            "rows": rows,
            "people_shown": len(people),
            "claims_shown": len(claims),
        },
        "contested": contested_claims(session),
        "contested_pool": CONTESTED_POOL,
    }


# ---------------------------------------------------------------- lists


@dataclass
class Listing:
    """A page of rows of a list, the facets beside it and the filters as they were understood."""

    page: Page[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    filters: dict[str, Any] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "pagination": self.page.meta(),
            "rows": list(self.page.items),
            "facets": self.facets,
        }


def _page_ids(session: Session, stmt: Select[Any], id_col: Any, req: PageRequest) -> list[int]:
    """The ids of one page, in the statement's order. Selecting only the id lets the database
    sort without computing the row's count columns for every row it sorts past."""
    return list(
        session.scalars(stmt.with_only_columns(id_col).limit(req.per_page).offset(req.offset))
    )


def _rows_by_ids(session: Session, stmt: Select[Any], id_col: Any, ids: list[int]) -> list[Any]:
    """The full rows (with counts) of the given ids, in the order of `ids`."""
    found = {r[0].id: r for r in session.execute(stmt.order_by(None).where(id_col.in_(ids)))}
    return [found[i] for i in ids if i in found]


def by_slug(session: Session, model: Any, slug: str | None, param: str) -> Any:
    """The record a filter parameter names, None when the parameter is absent; an unknown slug
    is the client's mistake (400), not an empty list."""
    if slug is None:
        return None
    found = session.scalar(select(model).where(model.slug == slug))
    if found is None:
        raise BadParameter(param, f"names no known {model.__tablename__}: {slug!r}")
    return found


# claims ------------------------------------------------------------------


def _claim_side_counts() -> dict[str, Any]:
    st = aliased(Stance)
    return {
        position: select(func.count())
        .where(st.claim_id == Claim.id, st.position == position, is_latest(st))
        .correlate(Claim)
        .scalar_subquery()
        .label(position)
        for position in POSITIONS
    }


def _claim_conditions(
    topic: Topic | None, person: Person | None, position: str | None
) -> dict[str, Any]:
    conds: dict[str, Any] = {}
    if topic is not None:
        conds["topic"] = Claim.id.in_(
            select(claim_topic.c.claim_id).where(claim_topic.c.topic_id == topic.id)
        )
    if person is not None or position is not None:
        st = aliased(Stance)
        # whoever holds any stance on a claim holds a latest one: only a position needs the rule
        where = [st.claim_id == Claim.id]
        if position is not None:
            where.append(is_latest(st))
        if person is not None:
            where.append(st.person_id == person.id)
        if position is not None:
            where.append(st.position == position)
        conds["stance"] = exists().where(*where)
    return conds


def claims_select(
    topic: Topic | None = None,
    person: Person | None = None,
    position: str | None = None,
    sort: str = "text",
) -> Select[Any]:
    """Claims with their counts of supporters, opponents and mixed (latest stances), filtered
    and in a stable order (every sort ends with the id)."""
    sides = _claim_side_counts()
    stmt = select(Claim, *sides.values()).where(
        *_claim_conditions(topic, person, position).values()
    )
    total = sides["supports"] + sides["opposes"] + sides["mixed"]
    if sort == "stances":
        return stmt.order_by(total.desc(), Claim.text, Claim.id)
    if sort == "contested":
        smaller = case(
            (sides["supports"] < sides["opposes"], sides["supports"]), else_=sides["opposes"]
        )
        return stmt.order_by(smaller.desc(), total.desc(), Claim.text, Claim.id)
    if sort == "recent":
        return stmt.order_by(Claim.id.desc())
    return stmt.order_by(Claim.text, Claim.id)


def claim_row(c: Claim, supports: int, opposes: int, mixed: int) -> dict[str, Any]:
    return {
        **claim_ref(c),
        "topics": [topic_ref(t) for t in c.topics],
        "supports": supports,
        "opposes": opposes,
        "mixed": mixed,
    }


def claims_listing(
    session: Session,
    req: PageRequest,
    topic_slug: str | None = None,
    person_slug: str | None = None,
    position: str | None = None,
    sort: str = "text",
    facets: bool = True,
) -> Listing:
    """A page of claims, filtered by topic and by person and position, with facet counts.

    Each facet counts the claims that match every other filter (so choosing a topic still shows
    how many claims the other topics have under the person filter, as faceted search does)."""
    topic = by_slug(session, Topic, topic_slug, "topic")
    person = by_slug(session, Person, person_slug, "person")
    page = claims_page(session, req, topic, person, position, sort)
    filters = {
        "topic": topic_ref(topic) if topic else None,
        "person": person_ref(person) if person else None,
        "position": position,
        "sort": sort,
    }
    listing = Listing(page, {}, filters)
    if facets:
        listing.facets = _claim_facets(session, topic, person, position)
        people = listing.facets["person"]
        if person is not None and not any(f["selected"] for f in people):
            # the chosen person is outside the top of the facet: still show (and count) them
            listing.facets = {
                **listing.facets,
                "person": [
                    *people,
                    {
                        "value": person.slug,
                        "label": person.name,
                        "count": page.total,
                        "selected": True,
                    },
                ],
            }
    return listing


def claims_page(
    session: Session,
    req: PageRequest,
    topic: Topic | None,
    person: Person | None,
    position: str | None,
    sort: str,
) -> Page[dict[str, Any]]:
    """One page of claim rows. Orderings by a count (stances, contested) need every matching
    claim's counts, so their order is computed once per data version and kept; the rows of
    the page are then read by id. Other orderings run in SQL with LIMIT/OFFSET."""
    conds = _claim_conditions(topic, person, position).values()
    total = session.scalar(select(func.count()).select_from(Claim).where(*conds)) or 0
    stmt = claims_select(topic, person, position, sort).options(selectinload(Claim.topics))
    if sort in ("stances", "contested"):
        key = (
            "claim-order",
            topic.id if topic else None,
            person.id if person else None,
            position,
            sort,
        )
        order = MEMO.get(
            session,
            key,
            lambda: list(
                session.scalars(
                    claims_select(topic, person, position, sort).with_only_columns(Claim.id)
                )
            ),
        )
        ids = order[req.offset : req.offset + req.per_page]
    else:
        ids = _page_ids(session, claims_select(topic, person, position, sort), Claim.id, req)
    rows = _rows_by_ids(session, stmt, Claim.id, ids)
    return Page([claim_row(*r) for r in rows], req.page, req.per_page, total)


def _claim_facets(
    session: Session, topic: Topic | None, person: Person | None, position: str | None
) -> dict[str, list[dict[str, Any]]]:
    """The three facets of the claim list. Each leaves out its own filter, so each is kept
    under the other two alone: the topic counts under "opposes" are the same whichever topic
    is chosen, and a reader stepping through topics reuses them instead of rescanning."""
    t_id, p_id = (topic.id if topic else None), (person.id if person else None)
    topics = FACETS.get(
        session, ("claim-topics", p_id, position), lambda: _topic_counts(session, person, position)
    )
    people = FACETS.get(
        session, ("claim-people", t_id, position), lambda: _person_counts(session, topic, position)
    )
    by_position = FACETS.get(
        session, ("claim-positions", t_id, p_id), lambda: _position_counts(session, topic, person)
    )
    return {
        "topic": [
            {"value": slug, "label": name, "count": n, "selected": t_id == tid}
            for tid, slug, name, n in topics
        ],
        "person": [
            {"value": slug, "label": name, "count": n, "selected": p_id == pid}
            for pid, slug, name, n in people
        ],
        "position": [
            {
                "value": w.position,
                "label": w.label,
                "symbol": w.symbol,
                "count": by_position.get(w.position or "", 0),  # iterating gives the three
                "selected": w.position == position,
            }
            for w in positions
        ],
    }


def _in_claims(
    column: Any, topic: Topic | None, person: Person | None, position: str | None
) -> list[Any]:
    """`column` IN the claims that pass these filters (none at all: no condition, so an
    unfiltered count reads straight from the index)."""
    conds = _claim_conditions(topic, person, position)
    return [column.in_(select(Claim.id).where(*conds.values()))] if conds else []


def _topic_counts(
    session: Session, person: Person | None, position: str | None
) -> list[tuple[int, str, str, int]]:
    n = func.count(claim_topic.c.claim_id)
    rows = session.execute(
        select(Topic.id, Topic.slug, Topic.name, n)
        .join(claim_topic, claim_topic.c.topic_id == Topic.id)
        .where(*_in_claims(claim_topic.c.claim_id, None, person, position))
        .group_by(Topic.id)
        .order_by(n.desc(), Topic.name, Topic.id)
        .limit(FACET_LIMIT)
    )
    return [(tid, slug, name, count) for tid, slug, name, count in rows]


def _position_counts(
    session: Session, topic: Topic | None, person: Person | None
) -> dict[str, int]:
    """Per position, the claims on which someone (the chosen person, if any) holds it: an
    EXISTS per claim stops at the first such stance instead of counting them all."""
    counts = session.execute(
        select(
            *(
                select(func.count())
                .select_from(Claim)
                .where(*_claim_conditions(topic, person, p).values())
                .scalar_subquery()
                for p in POSITIONS
            )
        )
    ).one()
    return dict(zip(POSITIONS, counts, strict=True))


def _person_counts(
    session: Session, topic: Topic | None, position: str | None
) -> list[tuple[int, str, str, int]]:
    st2 = aliased(Stance)
    where = _in_claims(st2.claim_id, topic, None, position)
    if position is not None:
        where += [st2.position == position, is_latest(st2)]
    n2 = func.count(st2.claim_id.distinct())
    # count per person id first (the stance index covers it), then read the top people
    top = (
        select(st2.person_id, n2.label("n"))
        .where(*where)
        .group_by(st2.person_id)
        .order_by(n2.desc(), st2.person_id)
        .limit(FACET_LIMIT)
        .subquery()
    )
    rows = session.execute(
        select(Person.id, Person.slug, Person.name, top.c.n)
        .join(top, top.c.person_id == Person.id)
        .order_by(top.c.n.desc(), Person.name, Person.id)
    )
    return [tuple(r) for r in rows]


def iter_claim_rows(session: Session, stmt: Select[Any]) -> Iterator[list[Any]]:
    """Every row of a claims select as CSV cells, read in batches (a few queries per 500)."""
    result = session.execute(
        stmt.options(selectinload(Claim.topics)).execution_options(yield_per=500)
    )
    for c, sup, opp, mix in result:
        yield [c.slug, c.text, c.summary, ";".join(t.slug for t in c.topics), sup, opp, mix]


CLAIM_CSV_HEADER = ["slug", "text", "summary", "topics", "supports", "opposes", "mixed"]


# people ------------------------------------------------------------------


def people_select(affiliation: str | None = None, sort: str = "name") -> Select[Any]:
    st = aliased(Stance)
    n_claims = (
        select(func.count(st.claim_id.distinct()))
        .where(st.person_id == Person.id)
        .correlate(Person)
        .scalar_subquery()
        .label("claims")
    )
    q = aliased(Quote)
    n_quotes = (
        select(func.count()).where(q.speaker_id == Person.id).correlate(Person).scalar_subquery()
    ).label("quotes")
    stmt = select(Person, n_claims, n_quotes)
    if affiliation is not None:
        stmt = stmt.where(Person.affiliation == affiliation)
    if sort == "stances":
        return stmt.order_by(n_claims.desc(), Person.name, Person.id)
    if sort == "recent":
        return stmt.order_by(Person.id.desc())
    return stmt.order_by(Person.name, Person.id)


def person_row(p: Person, n_claims: int, n_quotes: int) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": p.name,
        "affiliation": p.affiliation,
        "claims": n_claims,
        "quotes": n_quotes,
    }


PEOPLE_CSV_HEADER = ["slug", "name", "affiliation", "claims", "quotes"]


def people_listing(
    session: Session,
    req: PageRequest,
    affiliation: str | None = None,
    sort: str = "name",
    facets: bool = True,
) -> Listing:
    stmt = people_select(affiliation, sort)
    cond = [] if affiliation is None else [Person.affiliation == affiliation]
    total = session.scalar(select(func.count()).select_from(Person).where(*cond)) or 0
    if sort == "stances":
        # ordering by a count reads every person's stances: computed once per data version
        order = MEMO.get(
            session,
            ("people-order", affiliation, sort),
            lambda: list(session.scalars(stmt.with_only_columns(Person.id))),
        )
        ids = order[req.offset : req.offset + req.per_page]
    else:
        ids = _page_ids(session, stmt, Person.id, req)
    rows = _rows_by_ids(session, stmt, Person.id, ids)
    listing = Listing(
        Page([person_row(*r) for r in rows], req.page, req.per_page, total),
        {},
        {"affiliation": affiliation, "sort": sort},
    )
    if facets:
        n = func.count(Person.id)
        aff_rows = MEMO.get(
            session,
            ("people-facets",),
            lambda: [
                tuple(r)
                for r in session.execute(
                    select(Person.affiliation, n)
                    .where(Person.affiliation.is_not(None))
                    .group_by(Person.affiliation)
                    .order_by(n.desc(), Person.affiliation)
                    .limit(FACET_LIMIT)
                )
            ],
        )
        listing.facets = {
            "affiliation": [
                {"value": a, "label": a, "count": c, "selected": a == affiliation}
                for a, c in aff_rows
            ]
        }
    return listing


def iter_people_rows(session: Session, stmt: Select[Any]) -> Iterator[list[Any]]:
    for p, n_claims, n_quotes in session.execute(stmt.execution_options(yield_per=500)):
        yield list(person_row(p, n_claims, n_quotes).values())


# sources -----------------------------------------------------------------


def sources_select(
    kind: str | None = None, year: int | None = None, sort: str = "date"
) -> Select[Any]:
    q = aliased(Quote)
    n_quotes = (
        select(func.count()).where(q.source_id == Source.id).correlate(Source).scalar_subquery()
    ).label("quotes")
    stmt = select(Source, n_quotes).where(*_kind_cond(kind), *_year_cond(year))
    if sort == "title":
        return stmt.order_by(Source.title, Source.id)
    if sort == "oldest":
        return stmt.order_by(Source.published_on.is_(None), Source.published_on, Source.id)
    # newest first, undated last (NULL sorts differently on SQLite and PostgreSQL: be explicit)
    return stmt.order_by(Source.published_on.is_(None), Source.published_on.desc(), Source.id)


def source_row(s: Source, n_quotes: int) -> dict[str, Any]:
    return {**source_ref(s), "quotes": n_quotes}


SOURCE_CSV_HEADER = [
    "slug",
    "title",
    "kind",
    "published",
    "date_note",
    "publisher",
    "url",
    "archived_url",
    "quotes",
]


def sources_listing(
    session: Session,
    req: PageRequest,
    kind: str | None = None,
    year: int | None = None,
    sort: str = "date",
    facets: bool = True,
) -> Listing:
    stmt = sources_select(kind, year, sort)
    total = (
        session.scalar(
            select(func.count()).select_from(Source).where(*_kind_cond(kind), *_year_cond(year))
        )
        or 0
    )
    rows = _rows_by_ids(session, stmt, Source.id, _page_ids(session, stmt, Source.id, req))
    listing = Listing(
        Page([source_row(*r) for r in rows], req.page, req.per_page, total),
        {},
        {"kind": kind, "year": year, "sort": sort},
    )
    if facets:
        kind_rows, year_rows = MEMO.get(
            session,
            ("source-facets", kind, year),
            lambda: _source_facet_counts(session, kind, year),
        )
        listing.facets = {
            "kind": [
                {
                    "value": k,
                    "label": KIND_LABELS[k],
                    "count": kind_rows.get(k, 0),
                    "selected": k == kind,
                }
                for k in SOURCE_KINDS
                if kind_rows.get(k, 0) or k == kind
            ],
            "year": [
                {
                    "value": str(int(yr)),
                    "label": str(int(yr)),
                    "count": c,
                    "selected": int(yr) == year,
                }
                for yr, c in year_rows
            ],
        }
    return listing


def _source_facet_counts(
    session: Session, kind: str | None, year: int | None
) -> tuple[dict[str, int], list[tuple[int, int]]]:
    n = func.count(Source.id)
    kind_rows = dict(
        session.execute(select(Source.kind, n).where(*_year_cond(year)).group_by(Source.kind)).all()
    )
    y = extract("year", Source.published_on)
    year_rows = session.execute(
        select(y, n)
        .where(Source.published_on.is_not(None), *_kind_cond(kind))
        .group_by(y)
        .order_by(y.desc())
        .limit(FACET_LIMIT * 2)
    ).all()
    return kind_rows, [(int(yr), c) for yr, c in year_rows]


def _year_cond(year: int | None) -> list[Any]:
    if year is None:
        return []
    return [
        Source.published_on >= dt.date(year, 1, 1),
        Source.published_on <= dt.date(year, 12, 31),
    ]


def _kind_cond(kind: str | None) -> list[Any]:
    return [] if kind is None else [Source.kind == kind]


def iter_source_rows(session: Session, stmt: Select[Any]) -> Iterator[list[Any]]:
    for s, n_quotes in session.execute(stmt.execution_options(yield_per=500)):
        yield [
            s.slug,
            s.title,
            s.kind,
            format_partial(s.published_on, s.date_precision),
            s.date_note,
            s.publisher,
            s.url,
            s.archived_url,
            n_quotes,
        ]


# topics ------------------------------------------------------------------


def topics_select(sort: str = "name") -> Select[Any]:
    n_claims = (
        select(func.count())
        .where(claim_topic.c.topic_id == Topic.id)
        .correlate(Topic)
        .scalar_subquery()
        .label("claims")
    )
    stmt = select(Topic, n_claims)
    if sort == "claims":
        return stmt.order_by(n_claims.desc(), Topic.name, Topic.id)
    return stmt.order_by(Topic.name, Topic.id)


def topic_row(t: Topic, n_claims: int) -> dict[str, Any]:
    return {"slug": t.slug, "name": t.name, "description": t.description, "claims": n_claims}


TOPIC_CSV_HEADER = ["slug", "name", "description", "claims"]


def topics_listing(session: Session, req: PageRequest, sort: str = "name") -> Listing:
    stmt = topics_select(sort)
    total = session.scalar(select(func.count()).select_from(Topic)) or 0
    rows = session.execute(stmt.limit(req.per_page).offset(req.offset)).all()
    return Listing(
        Page([topic_row(*r) for r in rows], req.page, req.per_page, total), {}, {"sort": sort}
    )


def iter_topic_rows(session: Session, stmt: Select[Any]) -> Iterator[list[Any]]:
    for t, n in session.execute(stmt.execution_options(yield_per=500)):
        yield list(topic_row(t, n).values())


# ---------------------------------------------------------------- detail pages


HISTORY_LIMIT = 100


def _position_order(st: Any = Stance) -> Any:
    return case((st.position == "supports", 0), (st.position == "opposes", 1), else_=2)


def _load_stances(session: Session, ids: list[int], *loads: Any) -> list[Stance]:
    """Stances by id, in the order of `ids`, with their evidence and sources loaded."""
    found = {
        st.id: st
        for st in session.scalars(
            select(Stance).where(Stance.id.in_(ids)).options(*loads, _EVIDENCE)
        )
    }
    return [found[i] for i in ids if i in found]


def person_detail(
    session: Session, slug: str, req: PageRequest
) -> tuple[Person, dict[str, Any]] | None:
    """A person, a page of their stances grouped by position (the latest stance on each claim,
    supporters' side first, then by claim), each with its quotes and sources; their earlier
    stances, as history; and the sources they are quoted in or wrote. Pages and limits keep a
    prolific person's page as fast as anyone's."""
    person = session.scalar(select(Person).where(Person.slug == slug))
    if person is None:
        return None
    mine = [Stance.person_id == person.id]
    total = session.scalar(select(func.count()).select_from(Stance).where(*mine, is_latest())) or 0
    ids = list(
        session.scalars(
            select(Stance.id)
            .join(Claim, Claim.id == Stance.claim_id)
            .where(*mine, is_latest())
            .order_by(_position_order(), Claim.text, Stance.id)
            .limit(req.per_page)
            .offset(req.offset)
        )
    )
    current = _load_stances(session, ids, selectinload(Stance.claim))
    earlier_ids = list(
        session.scalars(
            select(Stance.id)
            .where(*mine, ~is_latest())
            .order_by(Stance.as_of.desc(), Stance.id)
            .limit(HISTORY_LIMIT)
        )
    )
    earlier = sorted(
        _load_stances(session, earlier_ids, selectinload(Stance.claim)),
        key=lambda st: (_date_key(st), st.id),
    )
    q = aliased(Quote)
    n_quotes = func.count(q.id.distinct())
    sources = session.execute(
        select(Source, n_quotes)
        .outerjoin(q, and_(q.source_id == Source.id, q.speaker_id == person.id))
        .where(
            Source.id.in_(select(Quote.source_id).where(Quote.speaker_id == person.id))
            | Source.id.in_(
                select(source_author.c.source_id).where(source_author.c.person_id == person.id)
            )
        )
        .group_by(Source.id)
        .order_by(Source.published_on.is_(None), Source.published_on.desc(), Source.id)
        .limit(HISTORY_LIMIT)
    ).all()
    # the same person appears on every stance: leave it out of each one
    return person, {
        "person": person_data(person),
        "pagination": Page(ids, req.page, req.per_page, total).meta(),
        "stances": _by_position([stance_data(st, True, person=False) for st in current]),
        "earlier_stances": [stance_data(st, False, person=False) for st in earlier],
        "sources": [{**source_ref(s), "quotes": n} for s, n in sources],
        "limits": {"earlier_stances": HISTORY_LIMIT, "sources": HISTORY_LIMIT},
    }


def claim_detail(
    session: Session, slug: str, req: PageRequest
) -> tuple[Claim, dict[str, Any]] | None:
    """A claim, a page of the people on each side (latest stances, by name) with their quotes,
    the claims it supports or contradicts and those that support or contradict it, and a
    timeline of the stances taken on it (undated first, then by date; the first
    HISTORY_LIMIT)."""
    claim = session.scalar(
        select(Claim)
        .where(Claim.slug == slug)
        .options(
            selectinload(Claim.topics),
            selectinload(Claim.relations_out).selectinload(ClaimRelation.to_claim),
            selectinload(Claim.relations_in).selectinload(ClaimRelation.from_claim),
        )
    )
    if claim is None:
        return None
    on_claim = [Stance.claim_id == claim.id]
    total = (
        session.scalar(select(func.count()).select_from(Stance).where(*on_claim, is_latest())) or 0
    )
    ids = list(
        session.scalars(
            select(Stance.id)
            .join(Person, Person.id == Stance.person_id)
            .where(*on_claim, is_latest())
            .order_by(Person.name, Stance.id)
            .limit(req.per_page)
            .offset(req.offset)
        )
    )
    current = _load_stances(session, ids, selectinload(Stance.person))
    n_all = session.scalar(select(func.count()).select_from(Stance).where(*on_claim)) or 0
    timeline_ids = list(
        session.scalars(
            select(Stance.id)
            .join(Person, Person.id == Stance.person_id)
            .where(*on_claim)
            .order_by(Stance.as_of.is_not(None), Stance.as_of, Person.name, Stance.id)
            .limit(HISTORY_LIMIT)
        )
    )
    timeline = _load_stances(session, timeline_ids, selectinload(Stance.person))
    latest_in_timeline = set(
        session.scalars(select(Stance.id).where(Stance.id.in_(timeline_ids), is_latest()))
    )

    def rel(r: ClaimRelation, other: Claim) -> dict[str, Any]:
        return {**claim_ref(other), "note": r.note}

    out = sorted(claim.relations_out, key=lambda r: (r.to_claim.text, r.id))
    inc = sorted(claim.relations_in, key=lambda r: (r.from_claim.text, r.id))
    return claim, {
        "claim": {**claim_ref(claim), "topics": [topic_ref(t) for t in claim.topics]},
        "pagination": Page(ids, req.page, req.per_page, total).meta(),
        "sides": _by_position([stance_data(st, True, claim=False) for st in current]),
        "relations": {
            "supports": [rel(r, r.to_claim) for r in out if r.kind == "supports"],
            "contradicts": [rel(r, r.to_claim) for r in out if r.kind == "contradicts"],
            "supported_by": [rel(r, r.from_claim) for r in inc if r.kind == "supports"],
            "contradicted_by": [rel(r, r.from_claim) for r in inc if r.kind == "contradicts"],
        },
        "timeline": [
            {
                "id": st.id,
                "person": person_ref(st.person),
                **position_data(st.position),
                "as_of": st.as_of.isoformat() if st.as_of else None,
                "as_of_human": humanize_partial(st.as_of, "day") if st.as_of else "undated",
                "latest": st.id in latest_in_timeline,
                "evidence_dates": _evidence_dates(st),
            }
            for st in timeline
        ],
        "timeline_total": n_all,
    }


def source_detail(session: Session, slug: str) -> dict[str, Any] | None:
    """A source's bibliographic data and every quote taken from it, with the speaker and the
    stances each quote is evidence for."""
    source = session.scalar(
        select(Source).where(Source.slug == slug).options(selectinload(Source.authors))
    )
    if source is None:
        return None
    quotes = list(
        session.scalars(
            select(Quote)
            .where(Quote.source_id == source.id)
            .options(
                selectinload(Quote.speaker),
                selectinload(Quote.stances).selectinload(Stance.claim),
            )
            .order_by(Quote.id)
        )
    )
    return {
        "source": {
            **source_ref(source),
            "note": source.note,
            "authors": [person_ref(a) for a in source.authors],
        },
        "quotes": [
            {
                **quote_data(q, source=False),
                "evidence_for": [
                    {"claim": claim_ref(st.claim), **position_data(st.position)}
                    for st in sorted(q.stances, key=lambda st: (st.claim.text, st.id))
                ],
            }
            for q in quotes
        ],
    }


def topic_detail(
    session: Session, slug: str, req: PageRequest, sort: str = "text"
) -> dict[str, Any] | None:
    topic = session.scalar(select(Topic).where(Topic.slug == slug))
    if topic is None:
        return None
    page = claims_page(session, req, topic, None, None, sort)
    listing = Listing(page, {}, {"sort": sort})
    return {
        "topic": {"slug": topic.slug, "name": topic.name, "description": topic.description},
        **listing.data(),
    }
