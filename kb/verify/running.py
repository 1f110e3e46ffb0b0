"""`kb verify`'s walk over the sources: each source's page and archived copy fetched once, each
of its quotes looked for in each, and one verification entry per quote and page written through
the ORM (so each is a revision in the history). The caller owns the transaction.

Also the Wayback Machine's availability API, asked for a snapshot of a source that has no
archived copy (https://archive.org/wayback/available?url=...; its base URL is a parameter so
tests point it at a local server).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb import models as m
from kb import rules
from kb.verify.fetching import BLOCKED, OK, Fetched, Fetcher
from kb.verify.matching import find, page_text

WAYBACK_API = "https://archive.org/wayback/available"


@dataclass
class Outcome:
    """What one run found: entries written by result, and a line per source and page."""

    results: Counter[str] = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)


def sources_to_verify(session: Session, slugs: Iterable[str] | None) -> list[m.Source]:
    """The sources named (all of them when `slugs` is None) that have quotes, in slug order;
    a slug that names no source is a LookupError naming it."""
    stmt = select(m.Source).options(selectinload(m.Source.quotes)).order_by(m.Source.slug)
    if slugs is not None:
        wanted = list(dict.fromkeys(slugs))
        found = session.scalars(stmt.where(m.Source.slug.in_(wanted))).all()
        missing = sorted(set(wanted) - {s.slug for s in found})
        if missing:
            raise LookupError(f"no source with the slug {', '.join(map(repr, missing))}")
        return list(found)
    return [s for s in session.scalars(stmt) if s.quotes]


def pages_of(source: m.Source) -> list[str]:
    """The places a source's words can be read: its URL and its archived copy."""
    return [u for u in dict.fromkeys((source.url, source.archived_url)) if u]


def verify_source(
    session: Session, source: m.Source, fetcher: Fetcher, today: dt.date, outcome: Outcome
) -> None:
    """Fetch each page of `source`, then add an entry to each quote's trail for each page.
    Nothing is written while fetching, so a caller that commits after each source never holds
    the database's write lock across a request."""
    if not pages_of(source):
        outcome.lines.append(f"{source.slug}: no URL and no archived copy, nothing to fetch")
        return
    fetched = [fetcher.get(url) for url in pages_of(source)]
    for got in fetched:
        text = page_text(got.text, got.content_type) if got.status == OK else ""
        results = []
        for quote in source.quotes:
            result, note = _judge(got, text, quote)
            quote.verifications.append(
                m.Verification(
                    seen_in=got.url,
                    checked_by=m.VERIFY_ACTOR,
                    checked_on=today,
                    checked_precision="day",
                    result=result,
                    note=note,
                )
            )
            results.append(result)
        outcome.results.update(results)
        summary = (
            f"{results.count('found')} of {len(results)} quote(s) found"
            if got.status == OK
            else f"{got.status}: {got.detail}"
        )
        outcome.lines.append(f"{source.slug}: {got.url}: {summary}")
    session.flush()


def _judge(got: Fetched, text: str, quote: m.Quote) -> tuple[str, str]:
    if got.status == BLOCKED:
        return "blocked", got.detail
    if got.status != OK:
        return "unreachable", got.detail
    match = find(text, quote.text, quote.anchor_exact, quote.anchor_prefix, quote.anchor_suffix)
    moved = (
        f" (redirected to {got.final_url})" if got.final_url and got.final_url != got.url else ""
    )
    return ("found" if match.found else "not_found"), match.note + moved


# -- archived copies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    source: m.Source
    archived_url: str | None
    detail: str


def propose_archives(
    session: Session, fetcher: Fetcher, slugs: Iterable[str] | None, api: str = WAYBACK_API
) -> Iterator[Proposal]:
    """For each source (of `slugs`, or all) with a URL and no archived copy, the Wayback
    Machine's closest snapshot, or why there is none."""
    stmt = select(m.Source).where(m.Source.url.is_not(None), m.Source.archived_url.is_(None))
    if slugs is not None:
        stmt = stmt.where(m.Source.slug.in_(list(slugs)))
    for source in session.scalars(stmt.order_by(m.Source.slug)):
        assert source.url is not None  # selected so
        got = fetcher.get(f"{api}?{urlencode({'url': source.url})}", robots=False, any_type=True)
        if got.status != OK:
            yield Proposal(source, None, f"the availability API did not answer: {got.detail}")
            continue
        yield _proposal(source, got.text)


def _proposal(source: m.Source, body: str) -> Proposal:
    try:
        closest = json.loads(body)["archived_snapshots"].get("closest") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return Proposal(source, None, "the availability API's answer is not what it documents")
    url = closest.get("url") if isinstance(closest, dict) else None
    if not closest.get("available") or not isinstance(url, str) or rules.url_problem(url):
        return Proposal(source, None, "the Wayback Machine has no snapshot of it")
    when = str(closest.get("timestamp") or "")
    return Proposal(source, url, f"snapshot of {when[:8] or 'unknown date'}")
