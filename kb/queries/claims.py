"""Reads of claims: the claim list (its filters, orderings, facets and CSV rows); a claim's
own page is kb.queries.claim_page.

A claim's counts are of latest stances (kb.queries.is_latest): a person who changed their mind
counts once, on the side they hold now. Orderings by a count and the facet counts are kept in
the pages' memos (kb.queries.listing) until the data changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from kb.models import (
    POSITIONS,
    SIDE_COLUMNS,
    AgreementClaim,
    Claim,
    Person,
    Stance,
    Topic,
    claim_topic,
)
from kb.pagination import Page, PageRequest
from kb.queries import is_latest
from kb.queries.contested import contested_order, side_count_rows
from kb.queries.listing import (
    FACET_LIMIT,
    FACETS,
    MEMO,
    Listing,
    by_slug,
    facet_more,
    page_ids,
    rows_by_ids,
    rows_in_order,
)
from kb.queries.shapes import (
    claim_ref,
    person_ref,
    topic_ref,
)
from kb.store import agreement_tables
from kb.vocabulary import positions

CLAIM_SORTS = ("text", "stances", "contested", "recent", "bridging")
COMPUTED_ORDERS: dict[str, Callable[[Session], list[int]]] = {}
"""Orders only a layer above can compute (bridging needs kb.graph's camps): that layer registers
a function giving claim ids in order (kb.web.bridging registers "bridging"); claims it leaves
out follow by id. Unregistered, such a sort falls back to the text order."""


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


SIDES = {position: getattr(AgreementClaim, column) for position, column in SIDE_COLUMNS.items()}
"""Each position's column among the claim sides the agreement store keeps."""


def stored_sides(session: Session) -> bool:
    """Whether the claim sides the agreement store keeps are those of the data now: then a
    count of the claims someone holds a position on reads one row a claim (kb.models.
    AgreementClaim) instead of probing the stances of every claim (0.3 s of a filtered list's
    first visit at the reference scale)."""
    return agreement_tables.in_step(session.connection())


def _claim_conditions(
    topic: Topic | None, person: Person | None, position: str | None, stored: bool = False
) -> dict[str, Any]:
    """The conditions on Claim of these filters; with `stored` (stored_sides), a position
    without a person is read from the stored claim sides."""
    conds: dict[str, Any] = {}
    if topic is not None:
        conds["topic"] = Claim.id.in_(
            select(claim_topic.c.claim_id).where(claim_topic.c.topic_id == topic.id)
        )
    if person is None and position is not None and stored:
        held = AgreementClaim.claim_id == Claim.id
        conds["stance"] = exists().where(held, SIDES[position] > 0)
    elif person is not None or position is not None:
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
    stored: bool = False,
) -> Select[Any]:
    """Claims with their counts of supporters, opponents and mixed (latest stances), filtered
    (with `stored`, from the stored claim sides: _claim_conditions) and in a stable order
    (every sort ends with the id)."""
    sides = _claim_side_counts()
    stmt = select(Claim, *sides.values()).where(
        *_claim_conditions(topic, person, position, stored).values()
    )
    total = sides["supports"] + sides["opposes"] + sides["mixed"]
    if sort == "stances":
        return stmt.order_by(total.desc(), Claim.sort_key, Claim.id)
    if sort == "contested":
        # SQL cannot rank by the contest score (kb.queries.contested): claim_order() does, and
        # this order (most people first) only stands in where the whole select is streamed
        return stmt.order_by(total.desc(), Claim.sort_key, Claim.id)
    if sort == "recent":
        return stmt.order_by(Claim.id.desc())
    return stmt.order_by(Claim.sort_key, Claim.id)


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
    facet_limit: int = FACET_LIMIT,
    person_q: str | None = None,
) -> Listing:
    """A page of claims, filtered by topic and by person and position, with facet counts.

    Each facet counts the claims that match every other filter (so choosing a topic still shows
    how many claims the other topics have under the person filter, as faceted search does).
    The topic and person facets list their `facet_limit` largest values and say how many there
    are in all (Listing.facet_more); `person_q` keeps the people whose name contains it."""
    topic = by_slug(session, Topic, topic_slug, "topic")
    person = by_slug(session, Person, person_slug, "person")
    stored = stored_sides(session)
    page = claims_page(session, req, topic, person, position, sort, stored)
    filters = {
        "topic": topic_ref(topic) if topic else None,
        "person": person_ref(person) if person else None,
        "position": position,
        "sort": sort,
    }
    listing = Listing(page, {}, filters)
    if facets:
        asked = FacetAsk(facet_limit, person_q, stored)
        listing.facets, listing.facet_more = _claim_facets(session, topic, person, position, asked)
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
    stored: bool | None = None,
) -> Page[dict[str, Any]]:
    """One page of claim rows. Orderings by a count (stances, contested) need every matching
    claim's counts, so their order is computed once per data version and kept; the rows of
    the page are then read by id. Other orderings run in SQL with LIMIT/OFFSET. `stored`:
    whether the stored claim sides may be read (stored_sides; asked here when not given)."""
    if stored is None:
        stored = stored_sides(session)
    conds = _claim_conditions(topic, person, position, stored).values()
    total = session.scalar(select(func.count()).select_from(Claim).where(*conds)) or 0
    stmt = claims_select(topic, person, position, sort).options(selectinload(Claim.topics))
    if sort in ORDERED_IN_PYTHON or sort in COMPUTED_ORDERS:
        ids = claim_order(session, topic, person, position, sort)[
            req.offset : req.offset + req.per_page
        ]
    else:
        listed = claims_select(topic, person, position, sort, stored)
        ids = page_ids(session, listed, Claim.id, req)
    rows = rows_by_ids(session, stmt, Claim.id, ids)
    return Page([claim_row(*r) for r in rows], req.page, req.per_page, total)


ORDERED_IN_PYTHON = ("stances", "contested")
"""Sorts computed once per data version and filters (claim_order), then read by id: by a count
and by the contest score. By text, natural order ("Claim 2" before "Claim 10") is the stored
sort key's order (kb.naturalsort.sort_key), so SQL pages it with an index."""


def claim_order(
    session: Session, topic: Topic | None, person: Person | None, position: str | None, sort: str
) -> list[int]:
    """Every matching claim's id in an order by a count ("stances", or "contested" as
    kb.queries.contested ranks it), computed once per data version and filters, and kept."""
    conds = list(_claim_conditions(topic, person, position).values())
    key = ("claim-order", topic.id if topic else None, person.id if person else None, position)

    def build() -> list[int]:
        if sort == "contested":
            return contested_order(side_count_rows(session, *conds))
        if sort in COMPUTED_ORDERS:
            wanted = set(session.scalars(select(Claim.id).where(*conds)))
            first = [c for c in COMPUTED_ORDERS[sort](session) if c in wanted]
            return first + sorted(wanted.difference(first))
        return list(
            session.scalars(
                claims_select(topic, person, position, sort).with_only_columns(Claim.id)
            )
        )

    return MEMO.get(session, (*key, sort), build)


def claim_csv_rows(
    session: Session, topic: Topic | None, person: Person | None, position: str | None, sort: str
) -> Iterator[list[Any]]:
    """The CSV rows of a claim list, in the order of its pages (sorted by contest, they are
    read in the order kb.queries.contested gives, which SQL alone cannot)."""
    if sort == "contested" or sort in COMPUTED_ORDERS:
        return iter_claim_rows_in_order(
            session, claim_order(session, topic, person, position, sort)
        )
    return iter_claim_rows(session, claims_select(topic, person, position, sort))


def iter_claim_rows_in_order(session: Session, ids: list[int]) -> Iterator[list[Any]]:
    """The CSV cells of the claims `ids`, in that order, read 500 at a time."""
    stmt = claims_select().options(selectinload(Claim.topics))
    for c, sup, opp, mix in rows_in_order(session, stmt, Claim.id, ids):
        yield [c.slug, c.text, c.summary, ";".join(t.slug for t in c.topics), sup, opp, mix]


@dataclass(frozen=True)
class FacetAsk:
    """How much of the long facets a reader asked for: how many values, and for the person
    facet, a piece of the name."""

    limit: int = FACET_LIMIT
    person_q: str | None = None
    stored: bool = False  # the stored claim sides may be read (stored_sides)


def _claim_facets(
    session: Session,
    topic: Topic | None,
    person: Person | None,
    position: str | None,
    asked: FacetAsk,
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, Any]]]:
    """The three facets of the claim list, and for the two long ones how many values they
    have in all. Each leaves out its own filter, so each is kept under the other two alone:
    the topic counts under "opposes" are the same whichever topic is chosen, and a reader
    stepping through topics reuses them instead of rescanning."""
    t_id, p_id = (topic.id if topic else None), (person.id if person else None)
    topics, n_topics = FACETS.get(
        session,
        ("claim-topics", p_id, position, asked.limit),
        lambda: _topic_counts(session, person, position, asked),
    )
    people, n_people = FACETS.get(
        session,
        ("claim-people", t_id, position, asked.limit, asked.person_q),
        lambda: _person_counts(session, topic, position, asked),
    )
    more = {
        "topic": facet_more(len(topics), n_topics, asked.limit),
        "person": facet_more(len(people), n_people, asked.limit, query=asked.person_q),
    }
    by_position = FACETS.get(
        session,
        ("claim-positions", t_id, p_id),
        lambda: _position_counts(session, topic, person, asked.stored),
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
    }, more


def _in_claims(
    column: Any,
    topic: Topic | None,
    person: Person | None,
    position: str | None,
    stored: bool = False,
) -> list[Any]:
    """`column` IN the claims that pass these filters (none at all: no condition, so an
    unfiltered count reads straight from the index)."""
    conds = _claim_conditions(topic, person, position, stored)
    return [column.in_(select(Claim.id).where(*conds.values()))] if conds else []


def _topic_counts(
    session: Session, person: Person | None, position: str | None, asked: FacetAsk
) -> tuple[list[tuple[int, str, str, int]], int]:
    """The `limit` topics with most matching claims, and how many topics have any: one pass
    over the matching claims gives both (topics are few)."""
    n = func.count(claim_topic.c.claim_id)
    where = _in_claims(claim_topic.c.claim_id, None, person, position, asked.stored)
    rows = session.execute(
        select(Topic.id, Topic.slug, Topic.name, n)
        .join(claim_topic, claim_topic.c.topic_id == Topic.id)
        .where(*where)
        .group_by(Topic.id)
        .order_by(n.desc(), Topic.name, Topic.id)
    ).all()
    top = rows[: asked.limit]
    return [(tid, slug, name, count) for tid, slug, name, count in top], len(rows)


def _position_counts(
    session: Session, topic: Topic | None, person: Person | None, stored: bool
) -> dict[str, int]:
    """Per position, the claims on which someone (the chosen person, if any) holds it: from
    the stored claim sides when they may be read and no person is chosen, else an EXISTS per
    claim, which stops at the first such stance instead of counting them all."""
    if stored and person is None:
        where = _in_claims(AgreementClaim.claim_id, topic, None, None)
        held = [func.coalesce(func.sum(case((SIDES[p] > 0, 1), else_=0)), 0) for p in POSITIONS]
        return dict(zip(POSITIONS, session.execute(select(*held).where(*where)).one(), strict=True))
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
    session: Session, topic: Topic | None, position: str | None, asked: FacetAsk
) -> tuple[list[tuple[int, str, str, int]], int]:
    """The `limit` people with most matching claims (those whose name contains `person_q`, if
    given), and how many such people there are. One pass over the matching stances counts
    every person (the stance index covers it); only the top people's names are then read."""
    limit, name_q = asked.limit, asked.person_q
    st2 = aliased(Stance)
    where = _in_claims(st2.claim_id, topic, None, None)  # the position is the stance's own
    if position is not None:
        where += [st2.position == position, is_latest(st2)]
    if name_q:
        named = select(Person.id).where(
            func.lower(Person.name).contains(name_q.lower(), autoescape=True)
        )
        where.append(st2.person_id.in_(named))
    counts = dict(
        session.execute(
            select(st2.person_id, func.count(st2.claim_id.distinct()))
            .where(*where)
            .group_by(st2.person_id)
        ).all()
    )
    if not counts:
        return [], 0
    # everyone tied with the last of the top `limit`, so that names break the tie as they would
    floor = sorted(counts.values(), reverse=True)[: max(limit, 1)][-1]
    top = [pid for pid, n in counts.items() if n >= floor]
    people = sorted(
        session.execute(
            select(Person.id, Person.slug, Person.name, Person.sort_key).where(Person.id.in_(top))
        ).all(),
        key=lambda r: (-counts[r[0]], r[3] or "", r[0]),
    )
    return [(pid, slug, name, counts[pid]) for pid, slug, name, _k in people[:limit]], len(counts)


def iter_claim_rows(session: Session, stmt: Select[Any]) -> Iterator[list[Any]]:
    """Every row of a claims select as CSV cells, read in batches (a few queries per 500)."""
    result = session.execute(
        stmt.options(selectinload(Claim.topics)).execution_options(yield_per=500)
    )
    for c, sup, opp, mix in result:
        yield [c.slug, c.text, c.summary, ";".join(t.slug for t in c.topics), sup, opp, mix]


CLAIM_CSV_HEADER = ["slug", "text", "summary", "topics", "supports", "opposes", "mixed"]
