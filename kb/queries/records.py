"""One record found by its slug: the lookup a page needs before it streams what belongs to it
(the topic CSV), kept here so that views hold no SQL."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import models as m

T = TypeVar("T", m.Person, m.Claim, m.Source, m.Topic)


def by_slug(session: Session, model: type[T], slug: str) -> T | None:
    return session.scalar(select(model).where(model.slug == slug))
