"""The camps, the opinion map and the bridging claims are computed once per data state for the
whole deployment (kb.store.derived, issue 16): the first worker to need one keeps it in the
database, every other worker reads it there. A worker is simulated by clearing this process's
caches, which is all another worker lacks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from kb import models as m
from kb.graph import cache, cached
from kb.queries.listing import MEMO
from kb.queries.overview import overview
from kb.store import derived
from kb.web.database import session_scope
from kb.web.home_matrix import home_matrix
from tests.factories import make_claim, make_person, make_stance
from tests.helpers import raw_sql

KEPT = ("camps", "opinion", "bridging", "bridges", "contested 10", "overview", "home matrix")


def _everything(session) -> tuple:
    MEMO.clear()  # the home page's overview is kept there
    camps = cached.camps(session)
    found, names = cached.opinion(session)
    return (
        camps.members,
        camps.camp_of,
        found.coords,
        found.names,
        found.dividing,
        found.held,
        found.closest,
        names,
        cached.bridging_claims(session),
        cached.bridges(session),
        cached.contested(session),
        overview(session),
        home_matrix(session),
    )


def _computed() -> dict[str, int]:
    return {name: derived.computed[name] for name in KEPT}


def test_a_second_worker_reads_what_the_first_computed(seeded_app, seeded_client) -> None:
    cache.clear()
    before = _computed()
    with seeded_app.app_context(), session_scope() as s:
        first = _everything(s)
    with seeded_app.app_context(), session_scope() as s:  # kept once the first was closed
        kept = dict(s.execute(select(m.DerivedValue.name, m.DerivedValue.data_version)).all())
    assert _computed() == {name: before[name] + 1 for name in KEPT}
    assert set(kept) == set(KEPT)
    pages = [seeded_client.get(url).get_data(as_text=True) for url in ("/graph", "/index.json")]
    cache.clear()  # another worker: nothing in memory
    with seeded_app.app_context(), session_scope() as s:
        assert _everything(s) == first
    assert [
        seeded_client.get(url).get_data(as_text=True) for url in ("/graph", "/index.json")
    ] == pages
    assert _computed() == {name: before[name] + 1 for name in KEPT}  # read, not computed


def test_after_an_edit_the_next_reader_computes_again(seeded_app) -> None:
    with seeded_app.app_context(), session_scope() as s:
        _everything(s)
    with seeded_app.app_context(), session_scope() as s:
        old = s.scalar(select(m.DerivedValue.data_version).where(m.DerivedValue.name == "camps"))
    before = _computed()
    with seeded_app.app_context(), session_scope() as s:
        make_stance(s, make_person(s), make_claim(s))
    cache.clear()
    with seeded_app.app_context(), session_scope() as s:
        _everything(s)
    with seeded_app.app_context(), session_scope() as s:
        new = s.scalar(select(m.DerivedValue.data_version).where(m.DerivedValue.name == "camps"))
    assert _computed() == {name: before[name] + 1 for name in KEPT}
    assert new > old


def test_a_row_that_cannot_be_read_back_is_computed_again(seeded_app, seeded_client) -> None:
    with seeded_app.app_context(), session_scope() as s:
        first = _everything(s)
    raw_sql(seeded_app, 'UPDATE derived_value SET payload = \'{"members": "not a list"}\'')
    cache.clear()
    before = _computed()
    with seeded_app.app_context(), session_scope() as s:
        assert _everything(s) == first
    assert _computed() == {name: before[name] + 1 for name in KEPT}
    assert seeded_client.get("/graph").status_code == 200


def test_a_past_date_is_computed_by_each_worker_and_not_kept(seeded_app) -> None:
    with seeded_app.app_context(), session_scope() as s:
        rows = s.scalar(select(func.count()).select_from(m.DerivedValue))
        before = _computed()
        assert len(cached.camps(s, as_of=dt.date(2020, 1, 1))) >= 0
        assert s.scalar(select(func.count()).select_from(m.DerivedValue)) == rows
    assert _computed() == before


def _refuse_writes(app) -> None:
    engine = app.extensions["kb.engine"]
    if engine.dialect.name == "sqlite":
        raw_sql(
            app,
            "CREATE TRIGGER refuse_insert BEFORE INSERT ON derived_value"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END",
            "CREATE TRIGGER refuse_update BEFORE UPDATE ON derived_value"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        return
    raw_sql(
        app,
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$"
        " LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON derived_value"
        " FOR EACH ROW EXECUTE FUNCTION refuse()",
    )


def test_a_database_that_refuses_the_write_still_serves_the_pages(seeded_app, seeded_client):
    _refuse_writes(seeded_app)
    cache.clear()
    for path in ("/", "/graph", "/claims?sort=bridging", "/stand"):
        assert seeded_client.get(path).status_code == 200, path
    with seeded_app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.DerivedValue)) == 0


def test_graph_rebuild_forgets_the_kept_values(seeded_app) -> None:
    with seeded_app.app_context(), session_scope() as s:
        _everything(s)
    result = seeded_app.test_cli_runner().invoke(args=["graph", "rebuild"])
    assert result.exit_code == 0, result.output
    with seeded_app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.DerivedValue)) == 0
