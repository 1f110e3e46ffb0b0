"""What every list page shares: a Listing (a page of rows, the facets beside it, the filters as
understood), reading one page by id, the filter parameter that names a record, and the two
memos that keep costly results (orderings by a count, facet counts) until the data changes.

MEMO and FACETS are the only memos of the public pages' reads: the overview, the claim, people
and source lists all keep their results in them, so one clear() forgets them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kb.pagination import BadParameter, Page, PageRequest
from kb.store.memo import StateCache

FACET_LIMIT = 30
HISTORY_LIMIT = 100
"""The most earlier stances, sources or timeline entries a detail page lists."""

MEMO = StateCache(size=64)
"""Results that cost a scan of the stances (the overview, orderings by count), kept until the
data changes. Values must be plain data, never ORM objects (their session is gone next time).
The largest, an ordering of every claim, is a list of ids, about 0.4 MB at 50,000 claims."""
FACETS = StateCache(size=512)
"""Facet counts: small (at most FACET_LIMIT rows each) and many (one per combination of the
other filters), so they get a bigger memo of their own and never evict an ordering."""


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


def by_slug(session: Session, model: Any, slug: str | None, param: str) -> Any:
    """The record a filter parameter names, None when the parameter is absent; an unknown slug
    is the client's mistake (400), not an empty list."""
    if slug is None:
        return None
    found = session.scalar(select(model).where(model.slug == slug))
    if found is None:
        raise BadParameter(param, f"names no known {model.__tablename__}: {slug!r}")
    return found
