"""What changed, for readers: the public records' revisions (kb.store.history) as sentences,
newest first, for /changes and the Atom feeds (kb.web.feeds).

What is public here, and so what these rows may say:
- only revisions of the records every reader sees (PUBLIC_ENTITIES): never accounts, login
  counters or anything kb may keep later for editors alone, whatever the revision table holds;
- which fields changed, in readers' words, never the values before and after (a note an
  editor typed and took back stays taken back);
- no editor identity at all, not even "import" or "seed": who edits kb is not published, so a
  change is the site's, as on the pages themselves;
- no database ids: a record is named by its name, text or title, and found by its slug.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from kb import models as m
from kb.models import Revision
from kb.pagination import Page, PageRequest
from kb.store import history

# The records readers see, so the only ones whose changes are told.
PUBLIC_ENTITIES = (
    "person",
    "source",
    "quote",
    "topic",
    "claim",
    "stance",
    "claim_relation",
    "statement",
    "signature",
    "affiliation",
    "reply",  # readers' reports are not told: they are the editors' queue
)
# A feed holds the newest changes only: enough to catch up, small enough to fetch often.
FEED_LIMIT = 50
ACTION_WORDS = {"create": "Added", "update": "Changed", "delete": "Removed"}
# Field names as readers would say them; any other loses its underscores.
FIELD_WORDS = {
    "url": "web page",
    "archived_url": "archived copy",
    "person_id": "person",
    "claim_id": "claim",
    "speaker_id": "speaker",
    "source_id": "source",
    "from_claim_id": "claim",
    "to_claim_id": "related claim",
    "statement_id": "statement",
    "estimate_quote_id": "quote giving the estimate",
    "as_of": "date",
    "said_on": "date said",
    "published_on": "date published",
    "issued_on": "date issued",
    "evidence": "evidence quotes",
    "estimate_of": "what the estimate is of",
    "probability_high": "high end of the estimate",
    "forecast_url": "forecast question",
    "survey_url": "survey",
}
# Precision columns change with their date and say nothing a reader would miss.
_QUIET_FIELDS = frozenset(
    {"date_precision", "said_precision", "started_precision", "ended_precision", "slug"}
)


def short(text: str | None, n: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def field_words(changes: dict[str, Any] | None) -> list[str]:
    """The fields a revision changed, in readers' words and column order, each once."""
    words: list[str] = []
    for name in changes or {}:
        if name in _QUIET_FIELDS:
            continue
        word = FIELD_WORDS.get(name, name.removesuffix("_id").replace("_", " "))
        if word not in words:
            words.append(word)
    return words


def _named(obj: Any) -> tuple[str, tuple[str, str] | None]:
    """A live record in readers' words ("Nick Bostrom's stance on “…”") and the (kind, slug)
    of the page it is seen on."""
    if isinstance(obj, m.Person | m.Topic):
        return f"the {history.entity_of(obj)} {obj.name}", (history.entity_of(obj), obj.slug)
    if isinstance(obj, m.Claim):
        return f"the claim “{short(obj.text)}”", ("claim", obj.slug)
    if isinstance(obj, m.Source | m.Statement):
        kind = history.entity_of(obj)
        return f"the {kind} “{short(obj.title)}”", (kind, obj.slug)
    if isinstance(obj, m.Quote):
        return (
            f"a quote by {obj.speaker.name}: “{short(obj.text, 70)}”",
            ("person", obj.speaker.slug),
        )
    if isinstance(obj, m.Stance):
        return (
            f"{obj.person.name}’s stance on “{short(obj.claim.text, 70)}”",
            ("person", obj.person.slug),
        )
    if isinstance(obj, m.ClaimRelation):
        a, b = short(obj.from_claim.text, 60), short(obj.to_claim.text, 60)
        return f"that “{a}” {obj.kind} “{b}”", ("claim", obj.from_claim.slug)
    if isinstance(obj, m.Signature):
        return (
            f"{obj.person.name}’s signature on “{short(obj.statement.title, 70)}”",
            ("statement", obj.statement.slug),
        )
    if isinstance(obj, m.Affiliation):
        title = m.affiliation_title(obj.role, obj.organisation)
        return f"{obj.person.name}’s role: {short(title)}", ("person", obj.person.slug)
    if isinstance(obj, m.Reply):
        speaker = obj.quote.speaker
        return (
            f"{speaker.name}’s reply to the quote “{short(obj.quote.text, 60)}”",
            ("person", speaker.slug),
        )
    return history.label_of(obj), None


def describe(session: Session, rev: Revision) -> dict[str, Any]:
    """One revision as readers see it: when, what was done to which record (by name), the
    fields changed, the page it is seen on (None once the record is gone) and a sentence."""
    op = history.operation(rev)
    cls = history.MODELS[rev.entity]
    obj = session.get(cls, rev.entity_id) if op != "delete" else None
    kind = history.ENTITY_NAMES.get(rev.entity, rev.entity)
    if obj is not None:
        name, page = _named(obj)
    else:  # gone: the name it had, kept on the revision
        name, page = f"the {kind} {rev.label or ''}".strip(), None
    fields = field_words(rev.changes) if op == "update" else []
    sentence = f"{ACTION_WORDS[op]} {name}"
    if fields:
        sentence += ": its " + _listed(fields)
    if rev.action == "revert":
        sentence += " (undoing an earlier change)"
    return {
        "revision": rev.id,
        "at": _utc(rev.created_at).isoformat(),
        "action": op,
        "kind": kind,
        "name": name,
        "fields": fields,
        "summary": sentence,
        "page": {"kind": page[0], "slug": page[1]} if page else None,
    }


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _utc(value: dt.datetime) -> dt.datetime:
    """Stored times are UTC; SQLite gives them back naive."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _of(entity: str, ids: Any) -> ColumnElement[bool]:
    return and_(Revision.entity == entity, Revision.entity_id.in_(ids))


def scope(kind: str, record: Any) -> ColumnElement[bool]:
    """The revisions about one person, claim or topic: of the record itself, of the records
    seen on its page (a person's stances, quotes, affiliations and signatures; a claim's
    stances, relations and statements; a topic's claims) as they are now, and of those that
    have left the page since (`_left`: deleted, or moved to another record), so a reader
    following a page learns that a stance on it was removed."""
    rid = record.id
    own = and_(Revision.entity == kind, Revision.entity_id == rid)
    if kind == "person":
        return or_(
            own,
            _of("stance", select(m.Stance.id).where(m.Stance.person_id == rid)),
            _of("quote", select(m.Quote.id).where(m.Quote.speaker_id == rid)),
            _of("affiliation", select(m.Affiliation.id).where(m.Affiliation.person_id == rid)),
            _of("signature", select(m.Signature.id).where(m.Signature.person_id == rid)),
            *(_left(e, key, rid) for e, key in _PERSON_KEYS),
        )
    if kind == "claim":
        relation = m.ClaimRelation
        return or_(
            own,
            _of("stance", select(m.Stance.id).where(m.Stance.claim_id == rid)),
            _of(
                "claim_relation",
                select(relation.id).where(
                    or_(relation.from_claim_id == rid, relation.to_claim_id == rid)
                ),
            ),
            _of("statement", select(m.Statement.id).where(m.Statement.claim_id == rid)),
            *(_left(e, key, rid) for e, key in _CLAIM_KEYS),
        )
    if kind == "topic":
        topic_claims = m.claim_topic
        return or_(
            own,
            _of("claim", select(topic_claims.c.claim_id).where(topic_claims.c.topic_id == rid)),
            _left_topic(record.slug),
        )
    return false()


# The column that puts a record on a person's or a claim's page.
_PERSON_KEYS = (
    ("stance", "person_id"),
    ("quote", "speaker_id"),
    ("affiliation", "person_id"),
    ("signature", "person_id"),
)
_CLAIM_KEYS = (
    ("stance", "claim_id"),
    ("claim_relation", "from_claim_id"),
    ("claim_relation", "to_claim_id"),
    ("statement", "claim_id"),
)


def _left(entity: str, key: str, rid: int) -> ColumnElement[bool]:
    """The revisions by which a record of `entity` left the page of record `rid`: its `key`
    was `rid` before and is not after (a delete stores every field as [before, null]; an
    update that moves it, [rid, other]). Read from the revision's JSON, the same path on
    SQLite (json_extract) and PostgreSQL (#>>)."""
    before = Revision.changes[(key, 0)].as_integer()
    after = Revision.changes[(key, 1)].as_integer()
    return and_(Revision.entity == entity, before == rid, or_(after.is_(None), after != rid))


def _left_topic(slug: str) -> ColumnElement[bool]:
    """The revisions by which a claim left a topic: removed from it, or deleted while in it
    (a claim's topics are kept as lists of slugs, compared as quoted JSON strings)."""
    element = f'"{slug}"'
    before = Revision.changes[("topics", 0)].as_string()
    after = Revision.changes[("topics", 1)].as_string()
    return and_(
        Revision.entity == "claim",
        before.contains(element, autoescape=True),
        or_(after.is_(None), ~after.contains(element, autoescape=True)),
    )


def _where(since: dt.date | None, about: ColumnElement[bool] | None) -> list[Any]:
    conditions: list[Any] = [Revision.entity.in_(PUBLIC_ENTITIES)]
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        conditions.append(Revision.created_at >= start)
    if about is not None:
        conditions.append(about)
    return conditions


def _described(session: Session, revisions: Iterable[Revision]) -> list[dict[str, Any]]:
    return [describe(session, rev) for rev in revisions]


def recent(
    session: Session, about: ColumnElement[bool] | None = None, limit: int = FEED_LIMIT
) -> list[dict[str, Any]]:
    """The newest public changes (about one record's page, with `scope`), at most `limit`."""
    query = select(Revision).where(*_where(None, about)).order_by(Revision.id.desc()).limit(limit)
    return _described(session, session.scalars(query))


def since(session: Session, day: dt.date | None, req: PageRequest) -> Page[dict[str, Any]]:
    """One page of the public changes made on or after `day` (UTC; every change when None),
    newest first, counted in full."""
    conditions = _where(day, None)
    total = session.scalar(select(func.count(Revision.id)).where(*conditions)) or 0
    query = (
        select(Revision)
        .where(*conditions)
        .order_by(Revision.id.desc())
        .limit(req.per_page)
        .offset(req.offset)
    )
    return Page(_described(session, session.scalars(query)), req.page, req.per_page, total)
