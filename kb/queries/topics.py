"""Reads of topics: the topic list (with each topic's count of claims, and its CSV rows) and a
topic's page, which is a page of the claim list filtered by the topic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kb.models import Topic, claim_topic
from kb.pagination import Page, PageRequest
from kb.queries.claims import claims_page
from kb.queries.listing import Listing

TOPIC_SORTS = ("name", "claims")


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
