"""Reads of sources: the source list (filtered by kind and year, with those two facets and its
CSV rows) and a source's page (its bibliographic data and every quote taken from it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Select, extract, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from kb.dates import format_partial
from kb.models import SOURCE_KINDS, Person, Quote, Reply, Source, Stance
from kb.pagination import Page, PageRequest
from kb.queries.listing import FACET_LIMIT, MEMO, Listing, page_ids, rows_by_ids
from kb.queries.shapes import KIND_LABELS, claim_ref, person_ref, quote_data, source_ref
from kb.vocabulary import position_data

SOURCE_SORTS = ("date", "oldest", "title")


def sources_select(
    kind: str | None = None, year: int | None = None, sort: str = "date"
) -> Select[Any]:
    q = aliased(Quote)
    n_quotes = (
        select(func.count()).where(q.source_id == Source.id).correlate(Source).scalar_subquery()
    ).label("quotes")
    stmt = select(Source, n_quotes).where(*_kind_cond(kind), *_year_cond(year))
    if sort == "title":
        return stmt.order_by(Source.sort_key, Source.id)
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
    ids = page_ids(session, stmt, Source.id, req)
    rows = rows_by_ids(session, stmt, Source.id, ids)
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


def source_csv_rows(
    session: Session, kind: str | None, year: int | None, sort: str
) -> Iterator[list[Any]]:
    """The CSV rows of a source list, in the order of its pages. A generator, as the response
    streams it: nothing is read before the first row is asked for."""
    stmt = sources_select(kind, year, sort)
    yield from _source_rows(session.execute(stmt.execution_options(yield_per=500)))


def _source_rows(rows: Iterable[Any]) -> Iterator[list[Any]]:
    for s, n_quotes in rows:
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
                selectinload(Quote.speaker).selectinload(Person.affiliations),
                selectinload(Quote.stances).selectinload(Stance.claim),
                selectinload(Quote.disputes),
                selectinload(Quote.replies).selectinload(Reply.source),
            )
            .order_by(Quote.id)
        )
    )
    return {
        "source": {
            **source_ref(source),
            "id": source.id,
            "note": source.note,
            "reader_note": source.reader_note,
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
