"""Reads of people: the people list (with its affiliation facet and CSV rows) and a person's
page (their latest stances by position, their earlier ones, the sources they are in).

A person's page is paged and its history capped (kb.queries.listing.HISTORY_LIMIT), so a
prolific person's page costs what anyone's does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Row, Select, and_, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from kb.models import POSITIONS, Claim, Person, Quote, Source, Stance, source_author
from kb.pagination import Page, PageRequest
from kb.queries import is_latest
from kb.queries.affiliations import (
    organisation_condition,
    organisation_count,
    organisation_facet,
    organisation_names,
    person_affiliations,
)
from kb.queries.listing import (
    FACET_LIMIT,
    HISTORY_LIMIT,
    HISTORY_PREVIEW,
    MEMO,
    Listing,
    facet_more,
    page_ids,
    position_sections,
    rows_by_ids,
    rows_in_order,
)
from kb.queries.shapes import (
    by_position,
    load_stances,
    person_data,
    source_ref,
    stance_data,
)

PEOPLE_SORTS = ("name", "stances", "recent")


def people_select(
    affiliation: str | None = None, sort: str = "name", organisations: list[str] | None = None
) -> Select[Any]:
    """The people list's rows; `organisations` (names, see organisations_named) keeps only
    people affiliated with one of them."""
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
    sides = [
        select(func.count())
        .where(st.person_id == Person.id, st.position == position, is_latest(st))
        .correlate(Person)
        .scalar_subquery()
        .label(position)
        for position in POSITIONS
    ]
    stmt = select(Person, n_claims, n_quotes, *sides)
    if affiliation is not None:
        stmt = stmt.where(Person.affiliation == affiliation)
    if organisations is not None:
        stmt = stmt.where(organisation_condition(organisations))
    if sort == "stances":
        return stmt.order_by(n_claims.desc(), Person.sort_key, Person.id)
    if sort == "recent":
        return stmt.order_by(Person.id.desc())
    return stmt.order_by(Person.sort_key, Person.id)


# An order SQL cannot give cheaply: by a count (reads every person's stances). Computed once
# per data version and filters, and kept; the rows of a page are then read by id. By name,
# natural order ("Person 2" before "Person 10") is the stored sort key's (kb.naturalsort).
ORDERED_IN_PYTHON = ("stances",)


def people_order(session: Session, stmt: Select[Any], key: tuple[Any, ...]) -> list[int]:
    """The ids of `stmt`'s people in the list's order (its sort is key[1])."""

    def build() -> list[int]:
        return list(session.scalars(stmt.with_only_columns(Person.id)))

    return MEMO.get(session, ("people-order", *key), build)


def person_row(
    p: Person, n_claims: int, n_quotes: int, supports: int = 0, opposes: int = 0, mixed: int = 0
) -> dict[str, Any]:
    """A row of the people list: with the split of the person's latest stances by position."""
    return {
        "slug": p.slug,
        "name": p.name,
        "affiliation": p.affiliation,
        "claims": n_claims,
        "quotes": n_quotes,
        "supports": supports,
        "opposes": opposes,
        "mixed": mixed,
    }


PEOPLE_CSV_HEADER = ["slug", "name", "affiliation", "claims", "quotes"]


def organisations_named(session: Session, organisation: str | None) -> list[str] | None:
    """The organisation names ?organisation= (a name or its slug) stands for; None without it."""
    return None if organisation is None else organisation_names(session, organisation)


def people_listing(
    session: Session,
    req: PageRequest,
    affiliation: str | None = None,
    sort: str = "name",
    facets: bool = True,
    organisation: str | None = None,
    facet_limit: int = FACET_LIMIT,
    organisation_q: str | None = None,
) -> Listing:
    """A page of people, filtered by affiliation (the free text) and organisation, with the
    facets beside it: the affiliations two or more people share (most often the text is one
    person's own, which filters nothing) and the organisations (`organisation_q`: only those
    whose name holds it)."""
    names = organisations_named(session, organisation)
    stmt = people_select(affiliation, sort, names)
    cond = [] if affiliation is None else [Person.affiliation == affiliation]
    if names is not None:
        cond.append(organisation_condition(names))
    total = session.scalar(select(func.count()).select_from(Person).where(*cond)) or 0
    if sort in ORDERED_IN_PYTHON:
        order = people_order(session, stmt, (affiliation, sort, organisation))
        ids = order[req.offset : req.offset + req.per_page]
    else:
        ids = page_ids(session, stmt, Person.id, req)
    rows = rows_by_ids(session, stmt, Person.id, ids)
    listing = Listing(
        Page([person_row(*r) for r in rows], req.page, req.per_page, total),
        {},
        {"affiliation": affiliation, "organisation": organisation, "sort": sort},
    )
    if facets:
        shared, n_shared = MEMO.get(
            session,
            ("people-facets", facet_limit),
            lambda: _shared_affiliations(session, facet_limit),
        )
        listing.facets = {
            "affiliation": [
                {"value": a, "label": a, "count": c, "selected": a == affiliation}
                for a, c in shared
            ],
            "organisation": organisation_facet(session, names or [], facet_limit, organisation_q),
        }
        listing.facet_more = {
            "affiliation": facet_more(len(shared), n_shared, facet_limit),
            "organisation": facet_more(
                len(listing.facets["organisation"]),
                organisation_count(session, organisation_q),
                facet_limit,
                query=organisation_q,
            ),
        }
    return listing


def _shared_affiliations(session: Session, limit: int) -> tuple[list[tuple[str, int]], int]:
    """The `limit` affiliation texts held by most people, among those two or more share, and
    how many such texts there are."""
    n = func.count(Person.id)
    shared = (
        select(Person.affiliation, n.label("n"))
        .where(Person.affiliation.is_not(None))
        .group_by(Person.affiliation)
        .having(n > 1)
    )
    rows = session.execute(shared.order_by(n.desc(), Person.affiliation).limit(limit))
    total = session.scalar(select(func.count()).select_from(shared.subquery()))
    return [(str(a), int(c)) for a, c in rows], int(total or 0)


def iter_people_rows(
    session: Session, stmt: Select[Any], key: tuple[Any, ...] | None = None
) -> Iterator[list[Any]]:
    """The CSV cells of `stmt`'s people; given the list's `key` (affiliation, sort,
    organisation), in the order of its pages, read 500 at a time."""
    if key is not None and key[1] in ORDERED_IN_PYTHON:
        rows = rows_in_order(session, stmt, Person.id, people_order(session, stmt, key))
    else:
        rows = session.execute(stmt.execution_options(yield_per=500))
    for p, n_claims, n_quotes, *_sides in rows:
        row = person_row(p, n_claims, n_quotes)
        yield [row[k] for k in PEOPLE_CSV_HEADER]


def person_detail(
    session: Session,
    slug: str,
    req: PageRequest,
    position: str | None = None,
    explicit_size: bool = False,
    preview: bool = False,
) -> tuple[Person, dict[str, Any]] | None:
    """A person, their latest stances by position (kb.queries.listing.position_sections: each
    position counted in full and paged on its own, claims by text), each with its quotes and
    sources; their earlier stances, as history (the most recent HISTORY_LIMIT, or only
    HISTORY_PREVIEW in a `preview`, and how many there are); and the sources they are quoted
    in or wrote. Pages and limits keep a prolific
    person's page as fast as anyone's."""
    person = session.scalar(select(Person).where(Person.slug == slug))
    if person is None:
        return None
    sections = position_sections(
        session,
        [Stance.person_id == person.id, is_latest()],
        (Claim, Claim.id == Stance.claim_id),
        [Claim.sort_key],
        position,
        req,
        explicit_size,
    )
    earlier_limit = HISTORY_PREVIEW if preview else HISTORY_LIMIT
    current, earlier = _stances(session, sections.all_ids(), person, earlier_limit)
    sources = _person_sources(session, person, earlier_limit)
    # the same person appears on every stance: leave it out of each one
    return person, {
        "person": person_data(person),
        "affiliations": person_affiliations(session, person.id),
        "pagination": sections.meta(),
        **sections.data(),
        "stances": by_position([stance_data(st, True, person=False) for st in current]),
        "earlier_stances": [stance_data(st, False, person=False) for st in earlier],
        "earlier_total": (
            _earlier_count(session, person) if len(earlier) >= earlier_limit else len(earlier)
        ),
        "sources": [{**source_ref(s), "quotes": n} for s, n in sources],
        "limits": {"earlier_stances": earlier_limit, "sources": earlier_limit},
    }


def _stances(
    session: Session, current_ids: list[int], person: Person, limit: int
) -> tuple[list[Stance], list[Stance]]:
    """The page's latest stances (in the order of `current_ids`) and the person's stances that
    are no longer their latest (at most `limit`, picked by date, newest first; shown in date
    order, undated first), loaded together: one pass of the evidence queries, not two."""
    earlier_ids = list(
        session.scalars(
            select(Stance.id)
            .where(Stance.person_id == person.id, ~is_latest())
            .order_by(Stance.as_of.desc(), Stance.id)
            .limit(limit)
        )
    )
    ids = current_ids + earlier_ids
    loaded = {st.id: st for st in load_stances(session, ids, selectinload(Stance.claim))}
    current = [loaded[i] for i in current_ids if i in loaded]
    earlier = [loaded[i] for i in earlier_ids if i in loaded]
    return current, sorted(earlier, key=lambda st: (_date_key(st), st.id))


def _earlier_count(session: Session, person: Person) -> int:
    """How many of the person's stances are no longer their latest."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Stance)
            .where(Stance.person_id == person.id, ~is_latest())
        )
        or 0
    )


def _date_key(st: Stance) -> tuple[int, dt.date]:
    # Undated stances first in a timeline: they are known to exist, not when.
    return (0, dt.date.min) if st.as_of is None else (1, st.as_of)


def _person_sources(session: Session, person: Person, limit: int) -> Sequence[Row[Source, int]]:
    """The sources a person is quoted in or wrote (newest first, undated last; the first
    `limit`), each with how many of their quotes it holds."""
    q = aliased(Quote)
    n_quotes = func.count(q.id.distinct())
    return session.execute(
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
        .limit(limit)
    ).all()
