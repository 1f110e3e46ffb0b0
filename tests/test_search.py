"""Full-text search: ranked, highlighted, kept in sync by the database, never a syntax error."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from kb.queries import search as fts
from tests.factories import make_claim, make_person, make_quote, make_source


def _hits(client, q: str, **params) -> dict:
    response = client.get("/search.json", query_string={"q": q, **params})
    assert response.status_code == 200
    return response.get_json()


def test_search_finds_every_kind_with_highlighted_snippets(seeded_client) -> None:
    data = _hits(seeded_client, "intelligence")
    kinds = {h["kind"] for h in data["hits"]}
    assert {"claim", "quote", "source"} <= kinds
    assert data["counts"]["quote"] >= 1
    assert all("<mark>" in h["title_html"] or "<mark>" in h["snippet_html"] for h in data["hits"])
    quote = next(h for h in data["hits"] if h["kind"] == "quote")["quote"]
    assert quote["speaker"]["name"] and quote["source"]["url"]
    person = _hits(seeded_client, "Musk")
    assert person["hits"][0]["kind"] == "person"
    assert person["hits"][0]["person"]["slug"] == "elon-musk"


def test_results_are_ranked_and_paginated(seeded_client) -> None:
    data = _hits(seeded_client, "intelligence", per_page=3)
    ranks = [h["rank"] for h in data["hits"]]
    assert ranks == sorted(ranks, reverse=True)
    assert len(data["hits"]) == 3 and data["pagination"]["total"] > 3
    page2 = _hits(seeded_client, "intelligence", per_page=3, page=2)
    first = {(h["kind"], h["title_html"]) for h in data["hits"]}
    assert first.isdisjoint({(h["kind"], h["title_html"]) for h in page2["hits"]})
    quotes = _hits(seeded_client, "intelligence", kind="quote")
    assert quotes["hits"] and all(h["kind"] == "quote" for h in quotes["hits"])
    assert quotes["pagination"]["total"] == data["counts"]["quote"]


def test_diacritics_and_word_forms(seeded_client) -> None:
    # "Francois" finds "François" on SQLite (unicode61 remove_diacritics); PostgreSQL's english
    # configuration keeps accents but stems, so each backend is asked what it promises.
    assert _hits(seeded_client, "Chollet")["counts"]["person"] == 1
    assert _hits(seeded_client, "existential risk")["counts"]["claim"] >= 1


@pytest.mark.parametrize(
    "q", ['"', "AND", "OR NOT", "a*", "NEAR(", "(", ":", "^", "-", "\\", "'", "%", "*"]
)
def test_query_syntax_never_errors(seeded_client, q) -> None:
    assert seeded_client.get("/search", query_string={"q": q}).status_code == 200
    assert seeded_client.get("/search.json", query_string={"q": q}).status_code == 200


def test_fts5_query_quotes_every_word() -> None:
    # nothing the user types reaches MATCH unquoted: only kb's own AND, OR, NOT and brackets
    assert fts.fts5_query('NEAR( "risk OR') == '"NEAR" AND "risk OR"'
    assert fts.fts5_query('a OR "b c" -d* x:y') == '(("a" OR "b c") AND "x y") NOT ("d")'
    assert fts.fts5_query("risk OR safe") == '("risk" OR "safe"*)'
    assert fts.fts5_query('( * OR - AND "') is None
    assert fts.fts5_query("-only -excluded") is None
    assert fts.fts5_query("") is None


def _quote_texts(client, q: str) -> set[str]:
    return {h["quote"]["text"] for h in _hits(client, q, kind="quote", per_page=50)["hits"]}


def test_quotes_match_by_their_speakers_name(session, app) -> None:
    ada = make_person(session, slug="ada-quux", name="Ada Quux")
    bob = make_person(session, slug="bob-zed", name="Bob Zed")
    make_quote(session, ada, text="Machines will never tire.")
    make_quote(session, ada, text="Gardens need patience.")
    make_quote(session, bob, text="Quux is wrong about machines.")
    session.commit()
    client = app.test_client()
    everything = {"Machines will never tire.", "Gardens need patience."}
    assert _quote_texts(client, "quux") == everything | {"Quux is wrong about machines."}
    assert _hits(client, "quux")["counts"] == {"person": 1, "claim": 0, "quote": 3, "source": 0}
    assert _quote_texts(client, "ada machines") == {"Machines will never tire."}
    assert _quote_texts(client, "quux -machines") == {"Gardens need patience."}
    assert _quote_texts(client, "machines -quux") == set()  # the speaker's name counts too
    assert _quote_texts(client, '"ada quux" OR zed') == everything | {
        "Quux is wrong about machines."
    }


def test_searching_a_name_finds_that_persons_quotes(seeded_client) -> None:
    rows = seeded_client.get("/people.json").get_json()["rows"]
    quoted = next(r["quotes"] for r in rows if r["slug"] == "francois-chollet")
    data = _hits(seeded_client, "chollet", kind="quote", per_page=200)
    speakers = {h["quote"]["speaker"]["slug"] for h in data["hits"]}
    assert speakers == {"francois-chollet"} and data["matches"] == quoted > 0


def test_query_syntax_phrases_or_and_exclusion(session, app) -> None:
    for slug, words in [
        ("c1", "Hawking warned about machines."),
        ("c2", "Musk and Hawking signed the letter."),
        ("c3", "Musk builds rockets."),
        ("c4", "Warned machines about Hawking."),
    ]:
        make_claim(session, slug=slug, text=words)
    session.commit()
    client = app.test_client()

    def slugs(q: str) -> set[str]:
        return {h["claim"]["slug"] for h in _hits(client, q, kind="claim")["hits"]}

    assert slugs("hawking") == {"c1", "c2", "c4"}
    assert slugs("hawking -musk") == {"c1", "c4"}
    assert slugs('hawking -"signed the letter"') == {"c1", "c4"}
    assert slugs("rockets OR letter") == {"c2", "c3"}
    assert slugs("musk rockets OR letter") == {"c2", "c3"}
    assert slugs('"hawking warned"') == {"c1"}
    assert slugs("machines hawking") == {"c1", "c4"}
    assert slugs("-musk") == set()  # nothing but exclusions finds nothing
    assert slugs("rock") == {"c3"}  # the last word may be the start of one
    page = client.get("/search").get_data(as_text=True)
    assert "<code>chollet OR lecun</code>" in page and "<code>-word</code>" in page
    assert '<code>"quoted phrase"</code>' in page


def test_snippets_escape_the_data(session, app) -> None:
    person = make_person(session, name="Mallory <script>alert(1)</script> Searchable")
    make_quote(session, person, text="<img src=x onerror=alert(1)> searchable words")
    session.commit()
    client = app.test_client()
    html = client.get("/search?q=searchable").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "<mark>" in html
    assert fts.highlight("a\x02<b>\x03c\x02") == "a<mark>&lt;b&gt;</mark>c"


def test_the_index_follows_inserts_updates_and_deletes(session, app) -> None:
    client = app.test_client()
    claim = make_claim(session, slug="zebra-claim", text="Zebras will audit the algorithms.")
    session.commit()
    assert _hits(client, "zebras")["counts"]["claim"] == 1
    claim.text = "Giraffes will audit the algorithms."
    session.commit()
    assert _hits(client, "zebras")["counts"]["claim"] == 0
    assert _hits(client, "giraffes")["counts"]["claim"] == 1
    session.delete(claim)
    session.commit()
    assert _hits(client, "giraffes")["counts"]["claim"] == 0
    source = make_source(session, title="The Okapi Papers")
    session.commit()
    assert _hits(client, "okapi")["hits"][0]["source"]["slug"] == source.slug


def test_search_uses_the_index_not_a_like_scan(seeded_app) -> None:
    engine = seeded_app.extensions["kb.engine"]
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        seeded_app.test_client().get("/search?q=intelligence")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    searching = [s for s in statements if "MATCH" in s or "@@" in s]
    assert searching
    assert not any(" LIKE " in s.upper() for s in statements)


def test_postgresql_expression_indexes_serve_the_query(app) -> None:
    engine = app.extensions["kb.engine"]
    if engine.dialect.name != "postgresql":
        with engine.connect() as conn:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE name LIKE 'search_fts%'")
            ).scalars()
            assert "search_fts" in set(names)
        return
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        for kind, (_title, _body, doc) in fts.PG_DOCUMENTS.items():
            plan = "\n".join(
                conn.execute(
                    text(
                        f"EXPLAIN SELECT id FROM {kind} "
                        f"WHERE {doc} @@ websearch_to_tsquery('kb_english', 'risk')"
                    )
                ).scalars()
            )
            assert f"ix_fts_{kind}" in plan, plan


def test_a_word_in_too_many_records_ranks_only_the_newest_and_says_so(
    app, session, monkeypatch
) -> None:
    """Past RANK_LIMIT matches only the newest are ranked (bm25 and ts_rank would score every
    match first), on SQLite and PostgreSQL alike; the counts stay exact and the page explains."""
    monkeypatch.setattr(fts, "RANK_LIMIT", 4)
    claims = [make_claim(session, text=f"Commonword claim {n}.") for n in range(7)]
    make_claim(session, text="Rareword claim.")
    session.commit()
    client = app.test_client()
    data = _hits(client, "commonword", per_page=50)
    assert data["matches"] == data["counts"]["claim"] == 7
    slugs = {h["claim"]["slug"] for h in data["hits"]}
    assert data["ranked"] == 4 and data["pagination"]["total"] == 4
    assert slugs == {c.slug for c in claims[-4:]}  # the newest four
    page = client.get("/search?q=commonword").get_data(as_text=True)
    assert "7 matches: so many that only the newest 4 are ranked" in page
    rare = _hits(client, "rareword")
    assert rare["matches"] == rare["ranked"] == 1


def test_postgresql_search_statements_use_the_indexes(app) -> None:
    """The statements search runs (quotes found through their speaker's name included) are
    served by the GIN indexes, not by computing every row's document."""
    engine = app.extensions["kb.engine"]
    if engine.dialect.name != "postgresql":
        return  # SQLite: test_search_uses_the_index_not_a_like_scan
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, params, *_args) -> None:
        statements.append((statement, params))

    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        event.listen(conn, "before_cursor_execute", record)
        fts.search(Session(bind=conn), 'quux OR "deep learning" -zed')
        event.remove(conn, "before_cursor_execute", record)
        searching = [(st, p) for st, p in statements if "@@" in st]
        assert len(searching) == 2  # the page of hits, and the counts
        for statement, params in searching:
            plan = "\n".join(conn.exec_driver_sql("EXPLAIN " + statement, params).scalars())
            for kind in fts.KINDS:
                assert f"ix_fts_{kind}" in plan, plan


@pytest.mark.parametrize(
    ("query", "found"),
    [("francois", "François Quidam"), ("FRANÇOIS", "François Quidam"), ("naive", "Naïve")],
)
def test_search_ignores_accents_on_both_databases(session, client, query, found) -> None:
    """ "Francois" finds "François" (SQLite: unicode61 folds diacritics; PostgreSQL: the
    kb_english configuration of migration 0013 runs unaccent before the stemmer)."""
    make_person(session, name="François Quidam", slug="francois-quidam")
    make_claim(session, text="Naïve forecasts of takeoff fail.", slug="naive-forecasts")
    session.commit()
    data = _hits(client, query)
    names = [(h.get("person") or h.get("claim") or {}) for h in data["hits"]]
    assert any(found in (n.get("name") or n.get("text") or "") for n in names), data["hits"]
