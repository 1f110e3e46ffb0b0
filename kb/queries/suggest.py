"""Suggestions and look-ups for pickers: the fields where an editor or a reader names a record.

A picker never lists every record (a million topics would make a 48 MB page): it is a text
field that takes a slug or a name, with at most a handful of suggestions. This module is the
one place that knows how a typed value finds its record:

- `suggest`: what to offer while someone types (exact slug first, then names that start with
  the text, then names that contain it), never more than MAX_LIMIT;
- `resolve`: what a submitted value means: a record (by slug, else by its one exact name), or a
  clear problem with a bounded list of candidates (several records share the name, or none
  matches).

Each query stops at its LIMIT, so a short or common text costs a bounded scan, not a sort of
every match.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from kb.models import Claim, Person, Quote, SluggedModel, Source, Topic

DEFAULT_LIMIT = 10
MAX_LIMIT = 20
MAX_QUERY = 200
LABEL_MAX = 120
# Kinds anyone may ask about (their records have public pages); the rest need an editor.
PUBLIC_KINDS = ("person", "claim", "topic", "source")
KINDS = (*PUBLIC_KINDS, "quote")
NOUNS = {"person": "person", "claim": "claim", "topic": "topic", "source": "source"}
PLURALS = {"person": "people", "claim": "claims", "topic": "topics", "source": "sources"}
_MODELS: dict[str, tuple[SluggedModel, Any]] = {
    "person": (Person, Person.name),
    "claim": (Claim, Claim.text),
    "topic": (Topic, Topic.name),
    "source": (Source, Source.title),
}


@dataclass(frozen=True)
class Suggestion:
    value: str  # what the field takes: a slug, or a quote's number
    label: str  # what a person recognises: a name, a title, a claim's words

    def as_json(self) -> dict[str, str]:
        return {"value": self.value, "label": self.label}


@dataclass
class Resolved:
    """A submitted value: `value` is the record's slug when found, else `problem` says why not
    and `candidates` (at most MAX_LIMIT) are the records it may have meant."""

    value: str | None
    problem: str | None = None
    candidates: list[Suggestion] = field(default_factory=list)


def short(text: str | None, n: int = LABEL_MAX) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def clean(q: str | None) -> str:
    """The text to search for: no NUL (PostgreSQL cannot compare one), no outer blanks, and
    at most MAX_QUERY characters."""
    return (q or "").replace("\x00", "").strip()[:MAX_QUERY]


def _quote_rows(session: Session, where: Any, limit: int) -> list[Suggestion]:
    rows = session.scalars(
        select(Quote)
        .where(where)
        .options(selectinload(Quote.speaker))
        .order_by(Quote.id.desc())
        .limit(limit)
    )
    return [
        Suggestion(str(qt.id), short(f"#{qt.id} {qt.speaker.name}: “{short(qt.text, 80)}”"))
        for qt in rows
    ]


def suggest_quotes(
    session: Session, q: str, limit: int = DEFAULT_LIMIT, speaker: str | None = None
) -> list[Suggestion]:
    """Quotes by number (`#12` or `12`) or by words they contain, newest first; only those
    of `speaker` (a person's slug) when given."""
    q, limit = clean(q), max(1, min(limit, MAX_LIMIT))
    if not q:
        return []
    conds = [Quote.speaker.has(Person.slug == clean(speaker))] if clean(speaker) else []
    number = q.lstrip("#")
    if number.isascii() and number.isdigit() and len(number) <= 12:
        found = _quote_rows(session, and_(Quote.id == int(number), *conds), 1)
        if found:
            return found
    words = func.lower(Quote.text).contains(q.lower(), autoescape=True)
    return _quote_rows(session, and_(words, *conds), limit)


def _rows(session: Session, kind: str, where: Any, limit: int) -> list[Suggestion]:
    model, label = _MODELS[kind]
    stmt = select(model.slug, label).where(where).limit(limit)
    return [Suggestion(slug, short(text)) for slug, text in session.execute(stmt)]


def suggest(session: Session, kind: str, q: str, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
    """At most `limit` (capped at MAX_LIMIT) records of `kind` for the text `q`: the one whose
    slug it is, then those whose slug or name starts with it, then those that contain it."""
    q, limit = clean(q), max(1, min(limit, MAX_LIMIT))
    if not q:
        return []
    model, label = _MODELS[kind]
    low = q.lower()
    steps = [
        model.slug == low,
        or_(
            model.slug.startswith(low, autoescape=True),
            func.lower(label).startswith(low, autoescape=True),
        ),
        or_(
            model.slug.contains(low, autoescape=True),
            func.lower(label).contains(low, autoescape=True),
        ),
    ]
    out: dict[str, Suggestion] = {}
    for where in steps:
        if len(out) >= limit:
            break
        # Ask for `limit` more than we hold: the earlier steps' rows come back again.
        for s in _rows(session, kind, where, limit + len(out)):
            out.setdefault(s.value, s)
    return list(out.values())[:limit]


def resolve(session: Session, kind: str, value: str | None) -> Resolved:
    """What a typed value names: the record with that slug, else the one record with exactly
    that name (any case). Several with that name, or none: a problem and candidates."""
    typed = clean(value)
    if not typed:
        return Resolved(None)
    model, label = _MODELS[kind]
    slug = session.scalar(select(model.slug).where(model.slug.in_({typed, typed.lower()})))
    if slug is not None:  # slugs are lower-case: "Ada-Lovelace" means ada-lovelace
        return Resolved(slug)
    named = _rows(session, kind, func.lower(label) == typed.lower(), MAX_LIMIT)
    if len(named) == 1:
        return Resolved(named[0].value)
    noun = NOUNS[kind]
    if named:
        more = "at least " if len(named) >= MAX_LIMIT else ""
        return Resolved(
            None,
            f"{more}{len(named)} {PLURALS[kind]} are called {typed!r}: choose one (by its slug)",
            named,
        )
    found = suggest(session, kind, typed, DEFAULT_LIMIT)
    hint = ": did you mean one of these?" if found else ""
    return Resolved(None, f"there is no {noun} {typed!r}{hint}", found)


def count(session: Session, kind: str, cap: int) -> int:
    """How many records of `kind` there are, counted no further than `cap` (so a page can ask
    "are there few enough for a select?" without counting a million rows)."""
    model, _ = _MODELS[kind]
    inner = select(model.id).limit(cap).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def options(session: Session, kind: str, limit: int) -> list[Suggestion]:
    """The first `limit` records of `kind` by name, for a select that is known to be small;
    names two records share get their slugs, so no two options read the same."""
    model, label = _MODELS[kind]
    stmt = select(model.slug, label).order_by(label, model.slug).limit(limit)
    rows = [(slug, short(text)) for slug, text in session.execute(stmt)]
    seen = Counter(text for _, text in rows)
    return [Suggestion(slug, f"{t} ({slug})" if seen[t] > 1 else t) for slug, t in rows]
