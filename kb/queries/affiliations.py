"""Reads of affiliations (issue 14): a person's dated roles in plain words, the organisation
facet and filter of the people list, and a quote's affiliation at the time.

An affiliation's dates are partial (kb.dates) and both optional. A quote's affiliation at the
time is worked out only where the dates allow it: the quote's date (its source's) lies wholly
within a known start and the end (none: still held). An unknown start never places a quote.
The free-text Person.affiliation and Quote.speaker_affiliation stay what they are and win where
they are set (kb/1 compatibility).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from kb.dates import format_partial, humanize_partial, period_end
from kb.models import Affiliation, Person, Quote, affiliation_title
from kb.queries.listing import FACET_LIMIT, MEMO
from kb.rules import slugify


def period_words(a: Affiliation) -> str | None:
    """ "since 1993", "1993 to 2003", "until 2003", or None when no date is known."""
    start = humanize_partial(a.started_on, a.started_precision) if a.started_on else None
    end = humanize_partial(a.ended_on, a.ended_precision) if a.ended_on else None
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"since {start}"
    if end:
        return f"until {end}"
    return None


def describe(a: Affiliation) -> str:
    """ "Professor, Université de Montréal (since 1993)"; the dates only where they are known."""
    words = period_words(a)
    title = affiliation_title(a.role, a.organisation)
    return f"{title} ({words})" if words else title


def is_current(a: Affiliation, today: dt.date) -> bool:
    """Held today, as far as kb knows: no end date, or an end not yet past."""
    return a.ended_on is None or period_end(a.ended_on, a.ended_precision) >= today


def affiliation_data(a: Affiliation, today: dt.date) -> dict[str, Any]:
    return {
        "id": a.id,
        "organisation": a.organisation,
        "organisation_slug": slugify(a.organisation),
        "role": a.role,
        "from": format_partial(a.started_on, a.started_precision),
        "to": format_partial(a.ended_on, a.ended_precision),
        "note": a.note,
        "current": is_current(a, today),
        "title": affiliation_title(a.role, a.organisation),
        "period": period_words(a),
        "text": describe(a),
    }


def person_affiliations(session: Session, person_id: int) -> list[dict[str, Any]]:
    """A person's affiliations for their page: the current ones first (latest start first),
    then the past ones (latest end first)."""
    today = dt.date.today()
    rows = session.scalars(select(Affiliation).where(Affiliation.person_id == person_id)).all()
    current = sorted(
        (a for a in rows if is_current(a, today)),
        key=lambda a: (a.started_on is None, -(a.started_on or dt.date.min).toordinal(), a.id),
    )
    past = sorted(
        (a for a in rows if not is_current(a, today)),
        key=lambda a: (-(a.ended_on or dt.date.min).toordinal(), a.id),
    )
    return [affiliation_data(a, today) for a in current + past]


# -- the people list's organisation facet and filter -------------------------------------------


def _organisations(session: Session) -> list[tuple[str, int]]:
    """Every organisation with how many people it has (most first), once per data version."""
    n = func.count(Affiliation.person_id.distinct())
    return MEMO.get(
        session,
        ("people-organisations",),
        lambda: [
            (str(name), int(count))
            for name, count in session.execute(
                select(Affiliation.organisation, n)
                .group_by(Affiliation.organisation)
                .order_by(n.desc(), Affiliation.organisation)
            )
        ],
    )


def organisation_names(session: Session, value: str) -> list[str]:
    """The organisations `value` names: its exact name, or its slug ("universite-de-montreal");
    empty when it names none."""
    names = [name for name, _ in _organisations(session)]
    if value in names:
        return [value]
    return [name for name in names if slugify(name) == value]


def organisation_condition(names: Iterable[str]) -> Any:
    """People with an affiliation (past or current) at one of `names`."""
    return Person.id.in_(
        select(Affiliation.person_id).where(Affiliation.organisation.in_(list(names)))
    )


def _matching(session: Session, query: str | None) -> list[tuple[str, int]]:
    if not query:
        return _organisations(session)
    folded = query.casefold()
    return [(name, n) for name, n in _organisations(session) if folded in name.casefold()]


def organisation_count(session: Session, query: str | None = None) -> int:
    """How many organisations (whose name holds `query`, if given) people have been
    affiliated with: the facet's "of N"."""
    return len(_matching(session, query))


def organisation_facet(
    session: Session, selected: list[str], limit: int = FACET_LIMIT, query: str | None = None
) -> list[dict[str, Any]]:
    """The `limit` organisations with most people (only those whose name holds `query`, if
    given), the selected ones among them marked."""
    return [
        {
            # a name with no letters a-z or digits (say, in another script) goes by itself
            "value": slugify(name) or name,
            "label": name,
            "count": count,
            "selected": name in selected,
        }
        for name, count in _matching(session, query)[:limit]
    ]


# -- a quote's affiliation at the time ---------------------------------------------------------


def held_when(
    affiliations: Iterable[Affiliation], on: dt.date, precision: str | None
) -> list[Affiliation]:
    """The affiliations whose known period holds the whole of the date `on` (with its
    precision): a start known and not after it, and no end or an end not before it."""
    last = period_end(on, precision)
    return [
        a
        for a in affiliations
        if a.started_on is not None
        and a.started_on <= on
        and (a.ended_on is None or last <= period_end(a.ended_on, a.ended_precision))
    ]


def at_time(q: Quote) -> str | None:
    """The speaker's affiliation when the quote's source was published, in plain words; None
    when the dates do not tell, or when the speaker's affiliations were not loaded with the
    quote (kb.queries.shapes.EVIDENCE loads them: never a query per quote)."""
    if "speaker" in inspect(q).unloaded or "source" in inspect(q).unloaded:
        return None
    if "affiliations" in inspect(q.speaker).unloaded or q.source.published_on is None:
        return None
    held = held_when(q.speaker.affiliations, q.source.published_on, q.source.date_precision)
    return "; ".join(affiliation_title(a.role, a.organisation) for a in held) or None
