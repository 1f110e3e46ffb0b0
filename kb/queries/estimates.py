"""Estimates: the probabilities (or ranges, or dated predictions) people give, read off their
stances, in the plain words every page shows them in, and the list behind /estimates.

A stance holds an estimate when it has a probability or says what one is of (a dated
prediction has no number: "by 2029"). Its date is the date the quote giving it was said,
which `said()` alone decides, so that a quote's own date can replace its source's in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kb.dates import format_partial, humanize_partial
from kb.models import Claim, Person, Quote, Source, Stance

SORTS = ("probability", "person", "date")
CSV_HEADER = [
    "person",
    "person_name",
    "claim",
    "probability",
    "probability_high",
    "estimate_of",
    "horizon",
    "said",
    "words",
    "quote",
    "quote_text",
    "source_url",
    "forecast_url",
    "survey_url",
]


def said(quote: Quote | None) -> tuple[dt.date | None, str | None]:
    """When the quote giving an estimate was said, with the date's precision (the quote's own
    date, which migration 0006 filled from its source's where it had none)."""
    if quote is None:
        return None, None
    return quote.said_on, quote.said_precision


def _percent(p: float) -> str:
    """0.1 as "10", 0.005 as "0.5": whole percentages plainly, finer ones as given."""
    text = f"{p * 100:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def estimate_words(
    low: float | None, high: float | None, of: str | None, horizon: str | None
) -> str:
    """An estimate as a sentence: "10–20% chance of AI leading to human extinction (time frame:
    the next 30 years)"; a prediction with no number: "predicts <of>, by 2029"."""
    if low is None:
        words = f"predicts {of}" if of else "predicts"
        return f"{words}, {horizon}" if horizon else words
    number = f"{_percent(low)}–{_percent(high)}%" if high is not None else f"{_percent(low)}%"
    words = f"{number} chance of {of}" if of else f"{number} chance"
    return f"{words} (time frame: {horizon})" if horizon else words


def has_estimate(st: Stance) -> bool:
    return st.probability is not None or st.estimate_of is not None


def estimate_data(st: Stance) -> dict[str, Any] | None:
    """A stance's estimate as plain data (None when it gives none), with its sentence and the
    date it was said (`said`)."""
    if not has_estimate(st):
        return None
    q = st.estimate_quote
    day, precision = said(q)
    quote = None if q is None else (q.id, q.text, q.source.title, q.source.url)
    return _data(st, day, precision, quote)


def _data(
    st: Any, day: dt.date | None, precision: str | None, quote: tuple[Any, ...] | None
) -> dict[str, Any]:
    """The estimate of a stance or of a row with the same column names; `quote` is the quote's
    (id, text, source title, source url) or None."""
    return {
        "probability": st.probability,
        "probability_high": st.probability_high,
        "of": st.estimate_of,
        "horizon": st.horizon,
        "words": estimate_words(st.probability, st.probability_high, st.estimate_of, st.horizon),
        "said": format_partial(day, precision),
        "said_human": humanize_partial(day, precision) if day else None,
        # the public forecast on the same event and the survey the number was given in
        "forecast_url": st.forecast_url,
        "survey_url": st.survey_url,
        "quote": None
        if quote is None
        else dict(zip(("id", "text", "source_title", "source_url"), quote, strict=True)),
    }


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """By person's name; by date said, newest first (undated last); or by probability, highest
    first (a range by its high end), predictions with no number last."""
    by_name = sorted(rows, key=lambda r: (r["person"]["name"].casefold(), r["claim"]["slug"]))
    if sort == "person":
        return by_name
    if sort == "date":
        return sorted(by_name, key=lambda r: r["said"] or "", reverse=True)
    return sorted(
        by_name,
        key=lambda r: (r["probability"] is None, -(r["probability_high"] or r["probability"] or 0)),
    )


def estimates(session: Session, sort: str = "probability") -> list[dict[str, Any]]:
    """Every stance that gives an estimate, sorted by `sort` (one of SORTS). Estimates are few
    (people seldom give numbers), so they are read whole and sorted here: in one query of
    the columns shown, not as Stance, Person, Claim, Quote and Source objects (loading those
    for 4,000 estimates took most of the page's time)."""
    stmt = (
        select(
            Stance.probability,
            Stance.probability_high,
            Stance.estimate_of,
            Stance.horizon,
            Stance.forecast_url,
            Stance.survey_url,
            Stance.as_of,
            Person.slug.label("person_slug"),
            Person.name.label("person_name"),
            Claim.slug.label("claim_slug"),
            Claim.text.label("claim_text"),
            Quote.id.label("quote_id"),
            Quote.text.label("quote_text"),
            Quote.said_on,
            Quote.said_precision,
            Source.title.label("source_title"),
            Source.url.label("source_url"),
        )
        .join(Person, Person.id == Stance.person_id)
        .join(Claim, Claim.id == Stance.claim_id)
        .outerjoin(Quote, Quote.id == Stance.estimate_quote_id)
        .outerjoin(Source, Source.id == Quote.source_id)
        .where(or_(Stance.probability.is_not(None), Stance.estimate_of.is_not(None)))
    )
    rows = []
    for r in session.execute(stmt):
        quote = None
        if r.quote_id is not None:
            quote = (r.quote_id, r.quote_text, r.source_title, r.source_url)
        rows.append(
            {
                "person": {"slug": r.person_slug, "name": r.person_name},
                "claim": {"slug": r.claim_slug, "text": r.claim_text},
                "as_of": r.as_of.isoformat() if r.as_of else None,
                **_data(r, r.said_on, r.said_precision, quote),
            }
        )
    return _sorted(rows, sort)


def csv_rows(rows: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """The rows of estimates.csv, in CSV_HEADER order."""
    for r in rows:
        q = r["quote"] or {}
        yield [
            r["person"]["slug"],
            r["person"]["name"],
            r["claim"]["slug"],
            r["probability"],
            r["probability_high"],
            r["of"],
            r["horizon"],
            r["said"],
            r["words"],
            q.get("id"),
            q.get("text"),
            q.get("source_url"),
            r["forecast_url"],
            r["survey_url"],
        ]
