"""Every page runs a bounded number of SQL statements: the same on the four-person seed as on
a knowledge base a hundred times larger (no query per row)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event

from kb.store import agreement_store, derived
from kb.web.database import session_scope
from tests.synthetic import generate

PATHS = [
    "/",
    "/index.json",
    "/people",
    "/people.json?sort=stances",
    "/people.csv",
    "/people/elon-musk",
    "/people/elon-musk.json",
    "/claims",
    "/claims?topic=ai-risk&person=elon-musk&position=supports",
    "/claims.json?sort=contested&page=2&per_page=5",
    "/claims.csv",
    "/claims/ai-existential-risk",
    "/claims/ai-existential-risk.json",
    "/sources",
    "/sources?kind=talk&year=2014",
    "/sources.csv",
    "/sources/chollet-limits",
    "/sources/chollet-limits.json",
    "/topics",
    "/topics.csv",
    "/topics/ai-risk",
    "/search?q=intelligence",
    "/search.json?q=intelligence&kind=quote",
]


def _count_statements(app: Flask, paths: list[str]) -> dict[str, int]:
    engine = app.extensions["kb.engine"]
    counts: dict[str, int] = {}
    current: list[int] = [0]

    def count(*_args) -> None:
        current[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        client = app.test_client()
        for path in paths:
            current[0] = 0
            response = client.get(path)
            response.get_data()  # a streamed CSV runs its queries while being sent
            assert response.status_code == 200, path
            counts[path] = current[0]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts


@pytest.fixture
def big_app(seeded_app: Flask) -> Flask:
    with seeded_app.app_context(), session_scope() as session:
        made = generate(session)
    assert made["stances"] >= 3000
    return seeded_app


def test_query_counts_do_not_grow_with_the_data(databases, tmp_path) -> None:
    from kb.load.seed import load_seed
    from tests.conftest import make_app

    url_small, url_big = databases.migrated(), databases.migrated()
    small = make_app(url_small, tmp_path / "small")
    big = make_app(url_big, tmp_path / "big")
    try:
        for app, grow in ((small, False), (big, True)):
            with app.app_context(), session_scope() as session:
                load_seed(session)
            if grow:
                with app.app_context(), session_scope() as session:
                    generate(session)
        for app in (small, big):  # both stores in step, nothing kept for every worker yet
            with app.app_context(), session_scope() as session:
                agreement_store.rebuild(session)
                derived.forget(session)
        on_seed = _count_statements(small, PATHS)
        on_big = _count_statements(big, PATHS)
        assert on_seed == on_big
        # and the numbers themselves stay small (person and claim pages include the graph
        # layer's panels, a count per position and the cite box; the home page, first to
        # find nothing kept, looks for each value kept for every worker before computing it:
        # hence the headroom)
        assert max(on_seed.values()) <= 50, on_seed
    finally:
        for app, url in ((small, url_small), (big, url_big)):
            app.extensions["kb.engine"].dispose()
            databases.drop(url)


def test_the_large_dataset_renders_and_paginates(big_app: Flask) -> None:
    client = big_app.test_client()
    home = client.get("/index.json").get_json()
    assert home["counts"]["stances"] >= 3000
    # the matrix stays a fixed size however large the base: kb.web.home_matrix's defaults
    assert home["matrix"]["people_shown"] == 30 and home["matrix"]["claims_shown"] == 20
    n_claims, n_people = home["counts"]["claims"], home["counts"]["people"]
    assert n_claims > 100 and n_people > 60  # the seed's and the synthetic ones
    claims = client.get("/claims.json?per_page=200&page=1").get_json()
    assert claims["pagination"]["total"] == n_claims and len(claims["rows"]) == n_claims
    pages = -(-n_people // 10)
    people = client.get(f"/people.json?per_page=10&page={pages}").get_json()
    assert people["pagination"]["pages"] == pages
    assert len(people["rows"]) == n_people - 10 * (pages - 1)
    csv_lines = client.get("/claims.csv").get_data(as_text=True).strip().split("\r\n")
    assert len(csv_lines) == 1 + n_claims
    hits = client.get("/search.json?q=synthetic&kind=person").get_json()
    assert hits["pagination"]["total"] == 60


def test_person_and_claim_pages_page_through_their_stances(big_app: Flask) -> None:
    """Each position is paged on its own (?position=...&page=...); without a position, every
    position shows its first page, so both sides are on the first screen."""
    client = big_app.test_client()
    url = "/people/synthetic-person-1.json?position={}&per_page=5&page={}"

    def claims_on(position: str, page: int) -> list[str]:
        data = client.get(url.format(position, page)).get_json()
        assert data["pagination"]["total"] == data["counts"][position] > 10
        assert not any(data["stances"][p] for p in data["stances"] if p != position)
        return [st["claim"]["slug"] for st in data["stances"][position]]

    busiest = max(("supports", "opposes"), key=lambda p: len(claims_on(p, 1)))
    first, second = claims_on(busiest, 1), claims_on(busiest, 2)
    assert len(first) == len(second) == 5 and not set(first) & set(second)
    everything = client.get("/people/synthetic-person-1.json?per_page=5").get_json()
    assert all(len(g) == min(5, everything["counts"][p]) for p, g in everything["stances"].items())
    data = client.get("/claims/synthetic-claim-1.json?per_page=3").get_json()
    assert all(len(g) == min(3, data["counts"][p]) for p, g in data["sides"].items())
    assert data["pagination"]["total"] == data["counts"]["total"] >= 3
    html = client.get("/claims/synthetic-claim-1?position=supports&per_page=1").get_data(
        as_text=True
    )
    assert 'rel="next"' in html
