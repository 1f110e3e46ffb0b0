"""What a stance's evidence says about its date: the as-of day a new stance form proposes.

A stance is dated by its newest quote (kb.dates.as_of_from_evidence), so an editor who opens the
stance form on chosen quotes is offered that day rather than typing it from the quotes' pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.dates import as_of_from_evidence
from kb.models import Quote


def quote_ids(raw: Iterable[str], limit: int = 100) -> list[int]:
    """The quote numbers among `raw` (e.g. repeated ?evidence= arguments), in order, once each;
    anything that is not a plain positive number is left out."""
    out: list[int] = []
    for value in raw:
        text = value.strip().lstrip("#")
        if text.isascii() and text.isdigit() and 0 < int(text) < 2**63 and int(text) not in out:
            out.append(int(text))
    return out[:limit]


def proposed_as_of(session: Session, ids: list[int]) -> dt.date | None:
    """The as-of day the quotes `ids` give a stance resting on them (None: none is dated)."""
    if not ids:
        return None
    rows = session.execute(
        select(Quote.said_on, Quote.said_precision).where(Quote.id.in_(ids))
    ).all()
    return as_of_from_evidence((said, precision) for said, precision in rows)
