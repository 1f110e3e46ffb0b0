"""`kb graph rebuild`, the agreement-store finding of `kb check`, and migration 0010 on a seeded
database: up fills the store as a rebuild would, down drops it and nothing else."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from kb import migrate
from kb import models as m
from kb.db import make_engine
from kb.store import agreement_tables as tables
from kb.web.database import session_scope
from tests.helpers import check_statuses as _check
from tests.helpers import problems as _problems
from tests.helpers import raw_sql as _raw

AGREEMENT_TABLES = {"agreement_pair", "agreement_claim", "agreement_state"}


def _store(url: str) -> tuple[list[tuple], list[tuple], tuple[int, int]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return (
                tables.stored_pairs(conn).tolist(),
                tables.stored_sides(conn).tolist(),
                (tables.state(conn).kept, tables.state(conn).data),
            )
    finally:
        engine.dispose()


def _out_of_step(app) -> None:
    _raw(app, "UPDATE agreement_state SET data_version = -1")


def test_graph_rebuild_builds_a_store_kb_check_accepts(seeded_app) -> None:
    _out_of_step(seeded_app)
    code, output, statuses = _check(seeded_app)
    assert code == 0 and statuses["agreement-store"] == "ok", output
    assert "not in use: it reflects data version -1" in output
    result = seeded_app.test_cli_runner().invoke(args=["graph", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rebuilt the agreement store:" in result.output
    assert "counting pairs among" in result.output  # progress, on stderr
    with seeded_app.app_context(), session_scope() as session:
        conn = session.connection()
        assert tables.in_step(conn)
        pairs = tables.stored_pairs(conn)
        assert pairs.shape[0] > 0 and (pairs[:, 0] < pairs[:, 1]).all()
    code, output, statuses = _check(seeded_app)
    assert code == 0 and statuses["agreement-store"] == "ok", output
    assert "not in use" not in output


def test_graph_commands_explain_themselves(seeded_app) -> None:
    runner = seeded_app.test_cli_runner()
    assert "rebuild" in runner.invoke(args=["graph", "--help"]).output
    assert "from the latest stances" in runner.invoke(args=["graph", "rebuild", "--help"]).output


def test_kb_check_names_the_pair_a_damaged_row_got_wrong(seeded_app) -> None:
    seeded_app.test_cli_runner().invoke(args=["graph", "rebuild"])
    with seeded_app.app_context(), session_scope() as session:
        a, b, agree = session.execute(
            select(m.AgreementPair.person_a, m.AgreementPair.person_b, m.AgreementPair.agreements)
            .order_by(m.AgreementPair.person_a, m.AgreementPair.person_b)
            .limit(1)
        ).one()
        slugs = dict(session.execute(select(m.Person.id, m.Person.slug)).all())
    _raw(
        seeded_app,
        f"UPDATE agreement_pair SET agreements = agreements + 1"
        f" WHERE person_a = {a} AND person_b = {b}",
        "DELETE FROM agreement_claim WHERE claim_id = (SELECT min(claim_id) FROM agreement_claim)",
    )
    code, output, statuses = _check(seeded_app)
    assert code == 1
    assert _problems(statuses) == {"agreement-store"}, output
    assert f"pair {slugs[a]} / {slugs[b]}: kept {agree + 1}/" in output
    assert "computed none (supporters/opponents/mixed)" not in output
    assert "kept none, computed" in output  # the deleted claim row
    seeded_app.test_cli_runner().invoke(args=["graph", "rebuild"])
    assert _check(seeded_app)[0] == 0


def test_upgrade_fills_the_store_as_a_rebuild_and_downgrade_drops_only_it(
    seeded_app, database_url
) -> None:
    with seeded_app.app_context(), session_scope() as session:
        tables.rebuild(session.connection())
    rebuilt = _store(database_url)
    assert rebuilt[0] and rebuilt[1] and rebuilt[2][0] == rebuilt[2][1]
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            stances = conn.execute(text("SELECT * FROM stance ORDER BY id")).all()
        migrate.downgrade(database_url, "0009")
        assert not AGREEMENT_TABLES & set(inspect(engine).get_table_names())
        migrate.upgrade(database_url)
        assert migrate.current_revision(engine) == migrate.head_revision(database_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT * FROM stance ORDER BY id")).all() == stances
    finally:
        engine.dispose()
    assert _store(database_url) == rebuilt


def test_an_empty_database_starts_with_the_store_in_step(app) -> None:
    with app.app_context(), session_scope() as session:
        state = tables.state(session.connection())
        assert (state.kept, state.data) == (0, 0)
