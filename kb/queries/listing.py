"""What every list page shares: a Listing (a page of rows, the facets beside it, the filters as
understood), reading one page by id, the filter parameter that names a record, and the two
memos that keep costly results (orderings by a count, facet counts) until the data changes.

MEMO and FACETS are the only memos of the public pages' reads: the overview, the claim, people
and source lists all keep their results in them, so one clear() forgets them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kb.models import POSITIONS, Stance
from kb.pagination import BadParameter, Page, PageRequest
from kb.store.memo import StateCache

FACET_LIMIT = 30
"""How many values a facet lists before its "more" link."""
FACET_MAX = 1000
"""The most values a facet lists when a reader asks for more (?facet_limit=)."""
SECTION_PREVIEW = 10
"""Stances per position on a person's or claim's page when no single position is chosen."""
HISTORY_LIMIT = 100
"""The most earlier stances, sources or timeline entries a detail page lists."""
HISTORY_PREVIEW = 10
"""Earlier stances (and tensions) a person's page shows until the reader asks for all of them:
each comes with its quotes, so a long history is most of a page's weight and cost."""

MEMO = StateCache(size=64)
"""Results that cost a scan of the stances (the overview, orderings by count), kept until the
data changes. Values must be plain data, never ORM objects (their session is gone next time).
The largest, an ordering of every claim, is a list of ids, about 0.4 MB at 50,000 claims."""
FACETS = StateCache(size=512)
"""Facet counts: small (at most FACET_LIMIT rows each) and many (one per combination of the
other filters), so they get a bigger memo of their own and never evict an ordering."""


def facet_more(shown: int, total: int, limit: int, **extra: Any) -> dict[str, Any]:
    """What a long facet tells beside its values (Listing.facet_more): how many it shows and
    has, the limit asked for, the default one and the limit that lists them all."""
    return {
        "shown": shown,
        "total": total,
        "limit": limit,
        "default_limit": FACET_LIMIT,
        "all_limit": min(total, FACET_MAX),
        **extra,
    }


@dataclass
class Listing:
    """A page of rows of a list, the facets beside it and the filters as they were understood."""

    page: Page[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    filters: dict[str, Any] = field(default_factory=dict)
    facet_more: dict[str, dict[str, Any]] = field(default_factory=dict)
    """For a facet that may list only its largest values: how many it shows ("shown"), how
    many it has in all ("total"), the limit asked for and, if any, the text searched."""

    def data(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "pagination": self.page.meta(),
            "rows": list(self.page.items),
            "facets": self.facets,
            "facet_more": self.facet_more,
        }


def page_ids(session: Session, stmt: Select[Any], id_col: Any, req: PageRequest) -> list[int]:
    """The ids of one page, in the statement's order. Selecting only the id lets the database
    sort without computing the row's count columns for every row it sorts past."""
    return list(
        session.scalars(stmt.with_only_columns(id_col).limit(req.per_page).offset(req.offset))
    )


def rows_by_ids(session: Session, stmt: Select[Any], id_col: Any, ids: list[int]) -> list[Any]:
    """The full rows (with counts) of the given ids, in the order of `ids`."""
    found = {r[0].id: r for r in session.execute(stmt.order_by(None).where(id_col.in_(ids)))}
    return [found[i] for i in ids if i in found]


def rows_in_order(
    session: Session, stmt: Select[Any], id_col: Any, ids: list[int], chunk: int = 500
) -> Iterator[Any]:
    """rows_by_ids over a long list of ids, `chunk` at a time: a CSV twin in the order of its
    pages when that order was computed in Python (kb.queries.contested, natural names)."""
    for start in range(0, len(ids), chunk):
        yield from rows_by_ids(session, stmt, id_col, ids[start : start + chunk])


def by_slug(session: Session, model: Any, slug: str | None, param: str) -> Any:
    """The record a filter parameter names, None when the parameter is absent; an unknown slug
    is the client's mistake (400), not an empty list."""
    if slug is None:
        return None
    found = session.scalar(select(model).where(model.slug == slug))
    if found is None:
        raise BadParameter(param, f"names no known {model.__tablename__}: {slug!r}")
    return found


@dataclass
class Sections:
    """A detail page's latest stances split by position, each position paged on its own: how
    many there are of each (all of them, not the page), the ids of the page shown of each, and
    each one's pagination. With `position` set only that position is read."""

    counts: dict[str, int]
    ids: dict[str, list[int]]
    pages: dict[str, dict[str, Any]]
    position: str | None
    per_page: int
    page: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def all_ids(self) -> list[int]:
        return [i for p in POSITIONS for i in self.ids[p]]

    def meta(self) -> dict[str, Any]:
        """The page's pagination: of the chosen position, or with none chosen, of the whole
        (page N shows page N of every position, so `pages` is the longest position's)."""
        if self.position is not None:
            return {k: self.pages[self.position][k] for k in ("page", "per_page", "total", "pages")}
        pages = max([m["pages"] for m in self.pages.values()] or [1])
        return {"page": self.page, "per_page": self.per_page, "total": self.total, "pages": pages}

    def data(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "counts": {**self.counts, "total": self.total},
            "by_position": self.pages,
        }


def position_sections(
    session: Session,
    where: list[Any],
    order_join: tuple[Any, Any],
    order: list[Any],
    position: str | None,
    req: PageRequest,
    explicit_size: bool,
) -> Sections:
    """Latest stances matching `where`, split by position, in two queries whatever the
    numbers: a grouped count for every position, then the ids of the page of each position
    shown (joined to `order_join` = (model, on), sorted by `order`, numbered within their
    position). With no position chosen each shows SECTION_PREVIEW rows unless the reader
    asked for a page size."""
    counted = dict(
        session.execute(
            select(Stance.position, func.count()).where(*where).group_by(Stance.position)
        ).all()
    )
    counts = {p: int(counted.get(p, 0)) for p in POSITIONS}
    size = req.per_page if (position is not None or explicit_size) else SECTION_PREVIEW
    model, on = order_join
    shown = [] if position is None else [Stance.position == position]
    # one query for every position's page: each stance numbered within its position
    numbered = (
        select(
            Stance.id,
            Stance.position,
            func.row_number()
            .over(partition_by=Stance.position, order_by=[*order, Stance.id])
            .label("rn"),
        )
        .join(model, on)
        .where(*where, *shown)
        .subquery()
    )
    first = (req.page - 1) * size
    ids: dict[str, list[int]] = {p: [] for p in POSITIONS}
    for sid, pos in session.execute(
        select(numbered.c.id, numbered.c.position)
        .where(numbered.c.rn > first, numbered.c.rn <= first + size)
        .order_by(numbered.c.position, numbered.c.rn)
    ):
        ids[pos].append(sid)
    pages: dict[str, dict[str, Any]] = {}
    for p in POSITIONS:
        page = Page(ids[p], req.page, size, counts[p])
        pages[p] = {**page.meta(), "first": page.first_index, "last": page.last_index}
    return Sections(counts, ids, pages, position, size, req.page)
