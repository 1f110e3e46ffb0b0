"""Full-text search: ranked, highlighted, kept in sync by the database, never a syntax error."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

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
    assert fts.fts5_query('AND "risk OR') == '"AND" "risk" "OR"*'
    assert fts.fts5_query('" ( *') is None
    assert fts.fts5_query("") is None


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
                        f"WHERE {doc} @@ websearch_to_tsquery('english', 'risk')"
                    )
                ).scalars()
            )
            assert f"ix_fts_{kind}" in plan, plan


def test_a_word_in_too_many_records_ranks_only_the_newest_and_says_so(
    app, session, monkeypatch
) -> None:
    """On SQLite, past RANK_LIMIT matches only the newest are ranked (bm25 would score every
    match first); the counts stay exact and the page explains. PostgreSQL ranks them all."""
    monkeypatch.setattr(fts, "RANK_LIMIT", 4)
    claims = [make_claim(session, text=f"Commonword claim {n}.") for n in range(7)]
    make_claim(session, text="Rareword claim.")
    session.commit()
    client = app.test_client()
    data = _hits(client, "commonword", per_page=50)
    assert data["matches"] == data["counts"]["claim"] == 7
    slugs = {h["claim"]["slug"] for h in data["hits"]}
    if app.extensions["kb.engine"].dialect.name == "postgresql":
        assert data["ranked"] == 7 and slugs == {c.slug for c in claims}
        assert "only the newest" not in client.get("/search?q=commonword").get_data(as_text=True)
        return
    assert data["ranked"] == 4 and data["pagination"]["total"] == 4
    assert slugs == {c.slug for c in claims[-4:]}  # the newest four
    page = client.get("/search?q=commonword").get_data(as_text=True)
    assert "7 matches: so many that only the newest 4 are ranked" in page
    rare = _hits(client, "rareword")
    assert rare["matches"] == rare["ranked"] == 1
