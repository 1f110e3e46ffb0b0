"""Full-text search over people, claims, quotes and sources, ranked, with highlighted snippets.

SQLite: the FTS5 table `search_fts` (migration 0002), which triggers keep in step with the data;
its rowid is id * 4 + kind code, so one MATCH ranks all four kinds together with bm25.
PostgreSQL: to_tsvector / ts_rank / ts_headline over the expressions the GIN indexes of
migration 0002 were built on (PG_DOCUMENTS must stay word for word the same).

The query language (words, "phrases", OR, -exclusion) is kb.queries.search_syntax, parsed once
and written out for each database, so user text never reaches FTS5's MATCH or a tsquery parser
as typed. A quote is found by its speaker's name too: the index holds no name for it, so the
name is matched on the person and that person's quotes are searched for the rest of the query
(SQLite), or the name joins the quote's document for the candidates the indexes find
(PostgreSQL). Neither path scans a table with LIKE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select, text
from sqlalchemy.orm import Session, raiseload, selectinload

from kb.models import Claim, Person, Quote, Reply, Source
from kb.queries import search_marks as marks
from kb.queries import search_syntax as syn

KINDS = ("person", "claim", "quote", "source")
KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
# Matches ranked at most: past it, only the newest are (see _sqlite_hits and _pg_hits).
RANK_LIMIT = 5000

_START, _STOP = marks.MARK_START, marks.MARK_STOP
_MARKED = re.compile(f"{_START}(.*?){_STOP}", re.S)
# People whose name may match one clause, for finding their quotes (see _sqlite_parts).
NAME_PEOPLE = 50

# Word for word the expressions indexed in migrations/versions/0013_accent_insensitive_search.py
# (syn.PG_CONFIG is kb_english).
PG_DOCUMENTS = {
    "person": (
        "name",
        "coalesce(affiliation, '') || ' ' || coalesce(description, '')",
        "setweight(to_tsvector('kb_english', coalesce(name, '')), 'A') || "
        "setweight(to_tsvector('kb_english', coalesce(affiliation, '') || ' ' || "
        "coalesce(description, '')), 'B')",
    ),
    "claim": (
        "text",
        "coalesce(summary, '')",
        "setweight(to_tsvector('kb_english', coalesce(text, '')), 'A') || "
        "setweight(to_tsvector('kb_english', coalesce(summary, '')), 'B')",
    ),
    "quote": (
        "text",
        "coalesce(speaker_affiliation, '') || ' ' || coalesce(locator, '')",
        "setweight(to_tsvector('kb_english', coalesce(text, '')), 'A') || "
        "setweight(to_tsvector('kb_english', coalesce(speaker_affiliation, '') || ' ' || "
        "coalesce(locator, '')), 'B')",
    ),
    "source": (
        "title",
        "coalesce(publisher, '') || ' ' || coalesce(note, '')",
        "setweight(to_tsvector('kb_english', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('kb_english', coalesce(publisher, '') || ' ' || "
        "coalesce(note, '')), 'B')",
    ),
}


def fts5_query(query: str) -> str | None:
    """The FTS5 MATCH expression for a user's query (kb.queries.search_syntax), or None when
    nothing searchable is left. It can never be a syntax error: every word is quoted."""
    parsed = syn.parse(query)
    return None if parsed is None else syn.fts5(parsed.clauses, parsed.excluded)


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


@dataclass
class _Part:
    """One SELECT of the SQLite search: FTS5 rows matching `match` (None: the rows `where`
    picks by rowid, unranked), filtered by `where` (SQL over rowid, with `params`)."""

    match: str | None
    where: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    quotes_only: bool = False
    atoms: list[syn.Atom] = field(default_factory=list)  # what `match` finds, for the marks


def _of_speakers(ids: set[int] | list[int], seek: bool = False) -> str:
    """SQL: the row is a quote of one of these people (ids from the database, never user
    text). Beside a MATCH, a filter on what FTS5 found; with `seek` (no MATCH), rowid IN so
    that FTS5 reads just those rows (beside a MATCH, that would rerun it for every row)."""
    listed = ", ".join(str(int(i)) for i in sorted(ids))
    if seek:
        return f"rowid IN (SELECT id * 4 + 2 FROM quote WHERE speaker_id IN ({listed}))"
    return f"rowid % 4 = 2 AND rowid / 4 IN (SELECT id FROM quote WHERE speaker_id IN ({listed}))"


def _named(session: Session, expression: str) -> set[int]:
    """Ids of the people (at most NAME_PEOPLE) whose name matches an FTS5 expression."""
    rows = session.execute(
        text(
            # no ranking: bm25 would score every text with the word, not only names
            "SELECT rowid / 4 FROM search_fts WHERE search_fts MATCH :q AND rowid % 4 = 0 LIMIT :n"
        ),
        {"q": f"title : {expression}", "n": NAME_PEOPLE},
    ).scalars()
    return set(rows)


def _sqlite_parts(session: Session, query: syn.Query) -> list[_Part]:
    """The query as SELECTs over search_fts whose union is every match, each row once.

    A quote's text in the index lacks its speaker's name (migration 0002), so the quotes of
    people whose name satisfies some clauses are searched apart: they need only the other
    clauses (all of that person's quotes when none is left), and none is found when the name
    holds an excluded word. Every other row is found by the whole query, as before. At most
    NAME_PEOPLE people per clause are looked up by name, so the statement stays bounded."""
    satisfied: dict[int, set[int]] = {}
    for i, clause in enumerate(query.clauses):
        for pid in _named(session, syn.fts5_clause(clause)):
            satisfied.setdefault(pid, set()).add(i)
    banned = _named(session, syn.fts5_clause(query.excluded)) if query.excluded else set()
    groups: dict[frozenset[int], list[int]] = {}
    for pid, found in satisfied.items():
        if pid not in banned:
            groups.setdefault(frozenset(found), []).append(pid)
    apart = banned | set(satisfied)
    main = _Part(syn.fts5(query.clauses, query.excluded), atoms=query.positive)
    if apart:
        main.where = f"NOT ({_of_speakers(apart)})"
    parts = [main]
    for n, (met, ids) in enumerate(sorted(groups.items(), key=lambda g: sorted(g[0]))):
        rest = [c for i, c in enumerate(query.clauses) if i not in met]
        if rest:
            atoms = [a for clause in rest for a in clause]
            parts.append(_Part(syn.fts5(rest, query.excluded), _of_speakers(ids), {}, True, atoms))
            continue
        every = _Part(None, _of_speakers(ids, seek=True))
        every.quotes_only = True
        if query.excluded:
            every.where += (
                f" AND rowid NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :x{n})"
            )
            every.params[f"x{n}"] = syn.fts5_clause(query.excluded)
        parts.append(every)
    return parts


def _conditions(part: _Part, n: int, kind: str | None, floor: int | None) -> list[str]:
    conditions = [f"search_fts MATCH :m{n}"] if part.match else []
    if part.where:
        conditions.append(part.where)
    if kind:
        conditions.append(f"rowid % 4 = {KIND_CODES[kind]}")
    if floor is not None:
        conditions.append(f"rowid >= {int(floor)}")
    return conditions


def _union(
    parts: list[_Part], columns: str, kind: str | None, floor: int | None = None
) -> tuple[str, dict[str, Any]]:
    """The UNION ALL of the parts: each gives its rows' rowid as `rid`, and with columns
    "rank" its bm25 (0.0 for quotes found by their speaker's name alone, ranked after every
    text match) and its number `part`; with "newest", only its RANK_LIMIT newest rows."""
    selects: list[str] = []
    params: dict[str, Any] = {}
    for n, part in enumerate(parts):
        if part.quotes_only and kind not in (None, "quote"):
            continue
        if part.match:
            params[f"m{n}"] = part.match
        params.update(part.params)
        cols = "rowid AS rid"
        if columns == "rank":
            rank = "bm25(search_fts, 2.0, 1.0)" if part.match else "0.0"
            cols += f", {rank} AS rank, {n} AS part"
        select = (
            f"SELECT {cols} FROM search_fts WHERE {' AND '.join(_conditions(part, n, kind, floor))}"
        )
        if columns == "newest":  # FTS5 walks rowids backwards, so this reads RANK_LIMIT rows
            select = f"SELECT rid FROM ({select} ORDER BY rowid DESC LIMIT {int(RANK_LIMIT)})"
        selects.append(select)
    return " UNION ALL ".join(selects), params


def _marked(session: Session, part: _Part, rids: list[int]) -> dict[int, tuple[str, str]]:
    """Title and snippet, with match markers, of a few rows of one part: read by rowid and
    marked in Python (kb.queries.search_marks), since FTS5's highlight() and snippet() would
    run the part's MATCH over every matching row again."""
    listed = ", ".join(str(int(r)) for r in rids)
    rows = session.execute(
        text(f"SELECT rowid, title, body FROM search_fts WHERE rowid IN ({listed})")
    ).all()
    return {
        rid: (marks.highlight(t, part.atoms), marks.snippet(b, part.atoms)) for rid, t, b in rows
    }


def _sqlite_hits(
    session: Session, query: syn.Query, kind: str | None, limit: int, offset: int
) -> tuple[list[tuple[str, int, float, str, str]], dict[str, int], int | None]:
    """The page of hits, the number of matches per kind, and how many matches were ranked.

    bm25 has to score every match before LIMIT applies: 0.4 s for a phrase in a tenth of a
    million quotes. Beyond RANK_LIMIT matches only the newest RANK_LIMIT (highest rowid) are
    ranked, which keeps a common word as fast as a rare one; the page says so."""
    parts = _sqlite_parts(session, query)
    every, params = _union(parts, "rid", None)
    counts = {k: 0 for k in KINDS}
    for code, n in session.execute(
        text(f"SELECT rid % 4, count(*) FROM ({every}) GROUP BY 1"), params
    ).all():
        counts[KINDS[code]] = n
    matches = counts[kind] if kind else sum(counts.values())
    floor = None
    if matches > RANK_LIMIT:
        newest, params = _union(parts, "newest", kind)
        floor = session.scalar(
            text(f"SELECT min(rid) FROM (SELECT rid FROM ({newest}) ORDER BY rid DESC LIMIT :cap)"),
            {**params, "cap": RANK_LIMIT},
        )
    ranked, params = _union(parts, "rank", kind, floor)
    rows = session.execute(
        text(
            f"SELECT rid, rank, part FROM ({ranked}) ORDER BY rank, rid LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": limit, "offset": offset},
    ).all()
    marked: dict[int, tuple[str, str]] = {}
    for n in sorted({part for _rid, _rank, part in rows}):
        marked |= _marked(session, parts[n], [rid for rid, _r, p in rows if p == n])
    # bm25 is lower for better matches; turn it round so that higher is better everywhere.
    hits = [(KINDS[rid % 4], rid // 4, -rank, *marked[rid]) for rid, rank, _p in rows]
    return hits, counts, (RANK_LIMIT if floor is not None else None)


def _pg_kind(kind: str, tsq: str, orq: str) -> tuple[str, list[str]]:
    """A kind's document and its matches for PostgreSQL, as disjoint `FROM table WHERE ...`
    parts. A quote's document adds its speaker's name (weight C). Its matches are those its
    own text's GIN index finds for the whole query (exact: nothing is computed per row) but
    for the quotes of the people whose name has any of the query's words (`orq`, excluded
    words too), whose document with the name decides: the per-row document is computed for
    those few speakers' quotes, not for each of the 100,000 quotes a common word is in (2.4 s
    at the reference scale)."""
    doc = PG_DOCUMENTS[kind][2]
    if kind != "quote":
        return doc, [f"{kind} WHERE {doc} @@ {tsq}"]
    person_doc = PG_DOCUMENTS["person"][2]
    named = (
        f"SELECT id FROM person WHERE {person_doc} @@ {orq} "
        f"AND to_tsvector('{syn.PG_CONFIG}', name) @@ {orq}"
    )
    full = (
        f"({doc} || setweight(to_tsvector('{syn.PG_CONFIG}', coalesce((SELECT name FROM person "
        "WHERE person.id = quote.speaker_id), '')), 'C'))"
    )
    own = f"{doc} @@ {tsq} AND speaker_id NOT IN ({named})"
    return full, [f"quote WHERE {own}", f"quote WHERE speaker_id IN ({named}) AND {full} @@ {tsq}"]


def _pg_hits(
    session: Session, query: syn.Query, kind: str | None, limit: int, offset: int
) -> tuple[list[tuple[str, int, float, str, str]], dict[str, int], int | None]:
    """The page of hits, the number of matches per kind, and how many matches were ranked:
    as on SQLite (_sqlite_hits), past RANK_LIMIT matches only the newest RANK_LIMIT (by id *
    4 + kind code, SQLite's rowid) are ranked, since ts_rank reads every match's document."""
    pg = syn.PgQuery()
    tsq = pg.query(query)
    orq = pg.any(query.positive + query.excluded)
    kinds = {k: _pg_kind(k, tsq, orq) for k in KINDS}
    wanted = [k for k in KINDS if not kind or k == kind]
    counts, floor = _pg_counts(session, pg, kinds, wanted)
    rows = _pg_page(session, pg, tsq, {k: kinds[k] for k in wanted}, floor, limit, offset)
    return rows, counts, (RANK_LIMIT if floor is not None else None)


def _pg_counts(
    session: Session, pg: syn.PgQuery, kinds: dict[str, tuple[str, list[str]]], wanted: list[str]
) -> tuple[dict[str, int], int | None]:
    """The matches per kind and, past RANK_LIMIT matches of the `wanted` kinds, the lowest
    rid (id * 4 + kind code) of the newest RANK_LIMIT: one statement, so that the matches of
    a common word are found once (a materialized CTE), not once to count and again to cut."""
    every = " UNION ALL ".join(
        f"SELECT id * 4 + {KIND_CODES[k]} AS rid FROM {part}"
        for k, (_doc, parts) in kinds.items()
        for part in parts
    )
    of_wanted = " OR ".join(f"rid % 4 = {KIND_CODES[k]}" for k in wanted)
    per_kind = ", ".join(f"count(*) FILTER (WHERE rid % 4 = {KIND_CODES[k]}) AS {k}" for k in KINDS)
    row = session.execute(
        text(
            f"WITH m AS MATERIALIZED ({every}) "
            f"SELECT {per_kind}, (SELECT min(rid) FROM (SELECT rid FROM m WHERE {of_wanted} "
            "ORDER BY rid DESC LIMIT :cap) AS newest) AS floor FROM m"
        ),
        {**pg.params, "cap": RANK_LIMIT},
    ).one()
    counts = {k: int(row._mapping[k]) for k in KINDS}
    ranked_all = sum(counts[k] for k in wanted) <= RANK_LIMIT
    return counts, (None if ranked_all else int(row.floor))


def _pg_page(
    session: Session,
    pg: syn.PgQuery,
    tsq: str,
    kinds: dict[str, tuple[str, list[str]]],
    floor: int | None,
    limit: int,
    offset: int,
) -> list[tuple[str, int, float, str, str]]:
    """One page of ranked hits over `kinds` (document, matches: _pg_kind), above `floor` if
    any."""
    parts = []
    for k, (doc, matches) in kinds.items():
        title, body, _doc = PG_DOCUMENTS[k]
        newest = f" AND id * 4 + {KIND_CODES[k]} >= :floor" if floor is not None else ""
        parts += [
            f"SELECT '{k}' AS kind, id, ts_rank({doc}, {tsq}) AS rank, "
            f"{title} AS title, {body} AS body FROM {part}{newest}"
            for part in matches
        ]
    options = f"StartSel={_START}, StopSel={_STOP}"
    # Headlines are costly, so they are made only for the page of hits, after the LIMIT.
    rows = session.execute(
        text(
            "SELECT kind, id, rank, "
            f"ts_headline('{syn.PG_CONFIG}', title, {tsq}, :hl_all), "
            f"ts_headline('{syn.PG_CONFIG}', body, {tsq}, :hl_some) "
            f"FROM ({' UNION ALL '.join(parts)}) AS hits "
            "ORDER BY rank DESC, kind, id LIMIT :limit OFFSET :offset"
        ),
        {
            **pg.params,
            "floor": floor,
            "limit": limit,
            "offset": offset,
            "hl_all": options + ", HighlightAll=true",
            "hl_some": options + ", MaxWords=35, MinWords=12, ShortWord=2, MaxFragments=2",
        },
    ).all()
    return [(k, i, float(r), t, s) for k, i, r, t, s in rows]


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
        .options(
            selectinload(Quote.speaker),
            selectinload(Quote.source),
            selectinload(Quote.disputes),  # issue 18: a hit shows a disputed quote as one
            selectinload(Quote.replies).selectinload(Reply.source),
            raiseload("*"),
        )
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
    parsed = syn.parse(query)
    if parsed is None:
        return SearchResult(query, [], 0, counts)
    hits_of = _pg_hits if session.get_bind().dialect.name == "postgresql" else _sqlite_hits
    raw, counts, ranked = hits_of(session, parsed, kind, limit, offset)
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
        select(Person.slug, Person.name).order_by(Person.sort_key, Person.slug).limit(limit)
    ).all()
    return [(slug, name) for slug, name in rows]
