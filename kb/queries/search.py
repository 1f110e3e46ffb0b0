"""Full-text search over people, claims, quotes and sources, ranked, with highlighted snippets.

SQLite: the FTS5 table `search_fts` (migration 0002), which triggers keep in step with the data;
its rowid is id * 4 + kind code, so one MATCH ranks all four kinds together with bm25.
PostgreSQL: to_tsvector / websearch_to_tsquery / ts_rank / ts_headline over the expressions the
GIN indexes of migration 0002 were built on (PG_DOCUMENTS must stay word for word the same).

Neither path scans a table with LIKE. User input never reaches FTS5's query syntax raw: it is
cut into words and each word is quoted, so `"`, `AND` or `*` are searched as text, not parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select, text
from sqlalchemy.orm import Session, raiseload, selectinload

from kb.models import Claim, Person, Quote, Source

KINDS = ("person", "claim", "quote", "source")
KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
# Matches ranked at most, on SQLite: past it, only the newest are (see _sqlite_hits).
RANK_LIMIT = 5000

# Control characters that cannot occur in a search term; swapped for <mark> after escaping.
_START, _STOP = "\x02", "\x03"
_MARKED = re.compile(f"{_START}(.*?){_STOP}", re.S)
_WORD = re.compile(r"\w", re.UNICODE)
MAX_TERMS = 12

# Word for word the expressions indexed in migrations/versions/0002_full_text_search.py.
PG_DOCUMENTS = {
    "person": (
        "name",
        "coalesce(affiliation, '') || ' ' || coalesce(description, '')",
        "setweight(to_tsvector('english', coalesce(name, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(affiliation, '') || ' ' || "
        "coalesce(description, '')), 'B')",
    ),
    "claim": (
        "text",
        "coalesce(summary, '')",
        "setweight(to_tsvector('english', coalesce(text, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(summary, '')), 'B')",
    ),
    "quote": (
        "text",
        "coalesce(speaker_affiliation, '') || ' ' || coalesce(locator, '')",
        "setweight(to_tsvector('english', coalesce(text, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(speaker_affiliation, '') || ' ' || "
        "coalesce(locator, '')), 'B')",
    ),
    "source": (
        "title",
        "coalesce(publisher, '') || ' ' || coalesce(note, '')",
        "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(publisher, '') || ' ' || "
        "coalesce(note, '')), 'B')",
    ),
}


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic filter: leave the search index objects out of the model comparison, since the
    models do not (and should not) describe FTS5 shadow tables or expression indexes."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    return not (type_ == "index" and name and name.startswith("ix_fts_"))


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic filter applied before reflection: FTS5's virtual table is never reflected."""
    return not (type_ == "table" and name and name.startswith("search_fts"))


def terms(query: str) -> list[str]:
    """The words of a user's query: split on white space, quotes dropped, words with no letter
    or digit dropped (FTS5 would find nothing for them), at most MAX_TERMS."""
    words = [w.replace('"', "") for w in query.split()]
    return [w for w in words if _WORD.search(w)][:MAX_TERMS]


def fts5_query(query: str) -> str | None:
    """An FTS5 MATCH expression that can never be a syntax error: every word quoted (so AND,
    OR, NOT, NEAR, `*`, `:` and `^` are plain text), all required, the last one a prefix so a
    half-typed word still finds something. None when nothing searchable is left."""
    words = terms(query)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def highlight(marked: str | None) -> Markup:
    """Escape a snippet from the database, then turn its markers into <mark> elements. The
    escaping happens first, so the only markup in the result is kb's own."""
    if not marked:
        return Markup("")
    parts: list[str] = []
    pos = 0
    for m in _MARKED.finditer(marked):
        parts.append(str(escape(marked[pos : m.start()].replace(_START, "").replace(_STOP, ""))))
        parts.append(f"<mark>{escape(m.group(1))}</mark>")
        pos = m.end()
    parts.append(str(escape(marked[pos:].replace(_START, "").replace(_STOP, ""))))
    return Markup("".join(parts))


@dataclass
class Hit:
    kind: str
    id: int
    rank: float
    title: Markup
    snippet: Markup
    record: Any = None


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    total: int
    counts: dict[str, int]
    ranked: int | None = None
    """How many of the `total` matches were ranked: all of them (None), or the newest
    RANK_LIMIT when a common word matches more (see `_sqlite_hits`)."""


def _sqlite_hits(
    session: Session, match: str, kind: str | None, limit: int, offset: int
) -> tuple[list[tuple[str, int, float, str, str]], dict[str, int], int | None]:
    """The page of hits, the number of matches per kind, and how many matches were ranked.

    bm25 has to score every match before LIMIT applies: 0.4 s for a phrase in a tenth of a
    million quotes. Beyond RANK_LIMIT matches only the newest RANK_LIMIT (highest rowid) are
    ranked, which keeps a common word as fast as a rare one; the page says so."""
    counted = session.execute(
        text("SELECT rowid % 4, count(*) FROM search_fts WHERE search_fts MATCH :q GROUP BY 1"),
        {"q": match},
    ).all()
    counts = {k: 0 for k in KINDS}
    for code, n in counted:
        counts[KINDS[code]] = n
    kind_filter = "AND rowid % 4 = :code" if kind else ""
    params: dict[str, Any] = {"q": match, "limit": limit, "offset": offset}
    if kind:
        params["code"] = KIND_CODES[kind]
    matches = counts[kind] if kind else sum(counts.values())
    newest = ""
    if matches > RANK_LIMIT:
        newest = (
            "AND rowid >= (SELECT min(rowid) FROM (SELECT rowid FROM search_fts "
            f"WHERE search_fts MATCH :q {kind_filter} ORDER BY rowid DESC LIMIT :cap))"
        )
        params["cap"] = RANK_LIMIT
    rows = session.execute(
        text(
            "SELECT rowid, bm25(search_fts, 2.0, 1.0) AS rank, "
            f"highlight(search_fts, 0, '{_START}', '{_STOP}'), "
            f"snippet(search_fts, 1, '{_START}', '{_STOP}', '…', 24) "
            f"FROM search_fts WHERE search_fts MATCH :q {kind_filter} {newest} "
            "ORDER BY rank, rowid LIMIT :limit OFFSET :offset"
        ),
        params,
    ).all()
    # bm25 is lower for better matches; turn it round so that higher is better everywhere.
    hits = [(KINDS[rowid % 4], rowid // 4, -rank, t, s) for rowid, rank, t, s in rows]
    return hits, counts, (RANK_LIMIT if newest else None)


def _pg_hits(
    session: Session, query: str, kind: str | None, limit: int, offset: int
) -> tuple[list[tuple[str, int, float, str, str]], dict[str, int]]:
    tsquery = "websearch_to_tsquery('english', :q)"
    parts = []
    for k, (title, body, doc) in PG_DOCUMENTS.items():
        if kind and k != kind:
            continue
        parts.append(
            f"SELECT '{k}' AS kind, id, ts_rank({doc}, {tsquery}) AS rank, "
            f"{title} AS title, {body} AS body FROM {k} WHERE {doc} @@ {tsquery}"
        )
    options = f"StartSel={_START}, StopSel={_STOP}"
    # Headlines are costly, so they are made only for the page of hits, after the LIMIT.
    rows = session.execute(
        text(
            "SELECT kind, id, rank, "
            f"ts_headline('english', title, {tsquery}, :hl_all), "
            f"ts_headline('english', body, {tsquery}, :hl_some) "
            f"FROM ({' UNION ALL '.join(parts)}) AS hits "
            "ORDER BY rank DESC, kind, id LIMIT :limit OFFSET :offset"
        ),
        {
            "q": query,
            "limit": limit,
            "offset": offset,
            "hl_all": options + ", HighlightAll=true",
            "hl_some": options + ", MaxWords=35, MinWords=12, ShortWord=2, MaxFragments=2",
        },
    ).all()
    count_sql = " UNION ALL ".join(
        f"SELECT '{k}', count(*) FROM {k} WHERE {doc} @@ {tsquery}"
        for k, (_t, _b, doc) in PG_DOCUMENTS.items()
    )
    counts = {k: 0 for k in KINDS}
    for k, n in session.execute(text(count_sql), {"q": query}).all():
        counts[k] = n
    return [(k, i, float(r), t, s) for k, i, r, t, s in rows], counts


def _records(session: Session, ids: dict[str, list[int]]) -> dict[tuple[str, int], Any]:
    """The hits' records, one query per kind whatever the number of hits."""
    found: dict[tuple[str, int], Any] = {}
    for p in session.scalars(
        select(Person).where(Person.id.in_(ids["person"])).options(raiseload("*"))
    ):
        found["person", p.id] = p
    for c in session.scalars(
        select(Claim).where(Claim.id.in_(ids["claim"])).options(raiseload("*"))
    ):
        found["claim", c.id] = c
    for q in session.scalars(
        select(Quote)
        .where(Quote.id.in_(ids["quote"]))
        .options(selectinload(Quote.speaker), selectinload(Quote.source), raiseload("*"))
    ):
        found["quote", q.id] = q
    for s in session.scalars(
        select(Source).where(Source.id.in_(ids["source"])).options(raiseload("*"))
    ):
        found["source", s.id] = s
    return found


def search(
    session: Session, query: str, kind: str | None = None, limit: int = 20, offset: int = 0
) -> SearchResult:
    """Ranked hits for `query` (optionally of one kind) with highlighted title and snippet,
    the number of hits per kind, and each hit's record (a Person, Claim, Quote with speaker and
    source, or Source). A query with no searchable word finds nothing and runs no SQL."""
    counts = {k: 0 for k in KINDS}
    if session.get_bind().dialect.name == "postgresql":
        words = terms(query)
        if not words:
            return SearchResult(query, [], 0, counts)
        raw, counts = _pg_hits(session, " ".join(words), kind, limit, offset)
        ranked = None
    else:
        match = fts5_query(query)
        if match is None:
            return SearchResult(query, [], 0, counts)
        raw, counts, ranked = _sqlite_hits(session, match, kind, limit, offset)
    ids: dict[str, list[int]] = {k: [] for k in KINDS}
    for k, i, *_ in raw:
        ids[k].append(i)
    records = _records(session, ids)
    hits = [
        Hit(k, i, rank, highlight(t), highlight(s), records[k, i])
        for k, i, rank, t, s in raw
        if (k, i) in records
    ]
    total = counts[kind] if kind else sum(counts.values())
    return SearchResult(query, hits, total, counts, ranked)


def find_people(session: Session, value: str, limit: int = 10) -> list[Person]:
    """The people a reader may mean by `value` (a picker's text: a slug, a name or part of
    one): the person with that slug, else the one whose name it is (any case), else the
    person hits of a search for it, best first. Bounded by `limit` at any size of kb."""
    exact = session.scalar(select(Person).where(Person.slug == value.strip()))
    if exact is not None:
        return [exact]
    people = [h.record for h in search(session, value, kind="person", limit=limit).hits]
    named = [p for p in people if p.name.casefold() == value.strip().casefold()]
    return named[:1] or people


def suggested_people(session: Session, limit: int = 50) -> list[tuple[str, str]]:
    """(slug, name) of the first `limit` people by name, for a picker's suggestions: bounded
    whatever the number of people, and cheap (no count over the quotes), so a page that
    offers them stays small; anyone else is found by typing (find_people)."""
    rows = session.execute(
        select(Person.slug, Person.name).order_by(Person.name, Person.slug).limit(limit)
    ).all()
    return [(slug, name) for slug, name in rows]
