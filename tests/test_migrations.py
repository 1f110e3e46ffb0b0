"""Migrations own the schema: upgrading an empty database gives exactly the models' schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, update

from kb import migrate
from kb import models as m
from kb.db import make_engine
from kb.formats import exports
from kb.load.seed import load_seed
from kb.migrate import include_name, include_object
from kb.models import Base
from kb.queries import export as export_queries
from kb.web.auth import create_user
from kb.web.database import session_scope
from tests.conftest import make_app
from tests.factories import (
    make_affiliation,
    make_claim,
    make_person,
    make_quote,
    make_signature,
    make_stance,
    make_statement,
)


def test_upgrade_from_empty_matches_the_models_exactly(databases) -> None:
    url = databases.empty()
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": include_name,
                    "include_object": include_object,
                },
            )
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
        assert migrate.current_revision(engine) == migrate.head_revision(url)
    finally:
        engine.dispose()
        databases.drop(url)


def test_downgrade_to_base_removes_every_table(databases) -> None:
    url = databases.empty()
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert migrate.current_revision(engine) is None
        migrate.upgrade(url)  # and back up again
        assert inspect(engine).has_table("stance")
    finally:
        engine.dispose()
        databases.drop(url)


# -- every migration goes down and back up without losing a row ---------------------------------


def _populate(url: str, instance) -> None:
    """The seed plus one of everything the seed lacks: a topic, a relation, a stance with two
    evidence quotes, an account, and the revisions all of that writes."""
    app = make_app(url, instance)
    try:
        with app.app_context(), session_scope() as session:
            session.info["actor"] = "test"
            load_seed(session)
            user = create_user(session, "migrator", "editor", "a long enough password")
            person, claim, other = make_person(session), make_claim(session), make_claim(session)
            topic = m.Topic(slug="round-trip", name="Round trip")
            claim.topics.append(topic)
            session.add(m.ClaimRelation(from_claim=claim, to_claim=other, kind="supports"))
            # one quote dated though its source is not: migration 0006 must keep that date
            undated = m.Source(slug="undated-source", title="Undated", kind="other")
            said = {"said_on": dt.date(2020, 5, 1), "said_precision": "month"}
            quotes = [make_quote(session, person), make_quote(session, person, undated, **said)]
            make_stance(session, person, claim, "opposes", evidence=quotes, probability=0.25)
            make_signature(session, person, make_statement(session, claim))
            make_affiliation(
                session, person, role="Professor", started=(dt.date(1993, 1, 1), "year")
            )
            # issue 18: a reader's report, fixed by a revision, and a reply to the quote
            session.flush()
            fix = session.scalar(select(m.Revision.id).order_by(m.Revision.id.desc()).limit(1))
            report = {"target": "quote", "target_id": quotes[0].id, "kind": "wrong_date"}
            session.add(
                m.Report(
                    **report,
                    explanation="The talk was a year later.",
                    email="reader@example.org",
                    status="accepted",
                    resolution="Corrected.",
                    fixed_by_id=fix,
                )
            )
            day = {"replied_on": dt.date(2021, 3, 1), "replied_precision": "month"}
            session.add(m.Reply(quote=quotes[0], response="endorsed", source=undated, **day))
            user.active = False
            session.add(m.DerivedValue(name="camps", data_version=0, payload="{}", seconds=0.1))
            session.add(m.AgreementSnapshot(id=1, generation=1, data_version=0, arrays=b"npz"))
            session.add(m.LoginAttempt(key="address:127.0.0.1", window_ends=2**40, hits=1))
            # The seed's estimates keep their probability and horizon (older than 0007) but
            # not what 0007 added, which its downgrade drops by design
            # (DROPPED_BY; tests/test_estimate_migration.py covers them filled).
            session.execute(
                update(m.Stance).values(
                    probability_high=None, estimate_of=None, estimate_quote_id=None
                )
            )
    finally:
        app.extensions["kb.engine"].dispose()


# Tables whose rows expire by themselves and that a downgrade may drop (its migration says so):
# login_attempt holds counters of failed logins per window (0005), not records.
TRANSIENT_TABLES = {"login_attempt"}
# Tables derived from the others that a migration computes again on the way up (0010: the
# agreement store, whose rows carry the version they changed in and a random generation);
# tests/test_agreement_commands.py checks that the counts come back equal.
TRANSIENT_TABLES |= {"agreement_pair", "agreement_claim", "agreement_state"}
# The agreement, camps and opinion map kept for every worker (0017), computed again by a reader.
TRANSIENT_TABLES |= {"derived_value", "agreement_snapshot"}
# Tables (and their kb/1 entity) a migration that declares downgrade_loses_data creates, so that
# the steps below it can still be tested on every other table.
DROPPED_BY: dict[str, dict[str, str]] = {
    # reader notes: its upgrade derives them again from the editors' notes, which gives the
    # seed's own (tests/test_reader_notes.py checks one written by hand is what a downgrade loses)
    "0015": {"report": "reports", "reply": "replies"},  # issue 18
    "0016": {"verification": "verifications"},
    "0011": {},
    "0012": {},  # only columns _populate leaves empty (the estimates' forecast links)
    "0009": {"affiliation": "affiliations"},
    "0008": {"statement": "statements", "signature": "signatures"},
    "0007": {},  # only columns _populate leaves empty
}


def _everything(url: str) -> tuple[str, dict[str, list[tuple]]]:
    """The kb/1 export, and every row of every table the models describe."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            export = "".join(exports.kb_json(export_queries.Reader(conn)))
            tables = {
                table.name: sorted(
                    (tuple(map(repr, row)) for row in conn.execute(select(table))), key=repr
                )
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()
    return export, tables


def test_every_downgrade_and_upgrade_keeps_every_row(databases, tmp_path) -> None:
    url = databases.empty()
    try:
        migrate.upgrade(url)
        _populate(url, tmp_path / "instance")
        before = _everything(url)
        assert before[1]["stance_evidence"] and before[1]["revision"]
        empty = [name for name, rows in before[1].items() if not rows]
        assert empty == [], "extend _populate: every table needs a row for this test to cover it"
        script = ScriptDirectory.from_config(migrate.alembic_config(url))
        targets = []  # each earlier revision, down to the first (0001), in turn, with the
        dropped: dict[str, str] = {}  # tables (-> entities) lost on the way down by design
        for rev in script.walk_revisions():  # from head down
            lossy = getattr(rev.module, "downgrade_loses_data", None)
            if (lossy and rev.revision not in DROPPED_BY) or not rev.down_revision:
                break  # past it data is lost by design (kb db downgrade asks first)
            dropped = {**dropped, **DROPPED_BY.get(rev.revision, {})}
            targets.append((rev.down_revision, dropped))
        assert targets, "no step down to test"
        for target, lost in targets:
            migrate.downgrade(url, target)
            migrate.upgrade(url)
            after = _everything(url)
            changed = [
                name
                for name, rows in before[1].items()
                if after[1][name] != rows and name not in TRANSIENT_TABLES | lost.keys()
            ]
            assert changed == [], f"down to {target} and back up changed these tables"
            kept = [
                {k: v for k, v in json.loads(e[0]).items() if k not in lost.values()}
                for e in (before, after)
            ]
            assert kept[1] == kept[0], f"down to {target} and back up changed the export"
    finally:
        databases.drop(url)


STATEMENT_TABLES = {"statement", "signature"}


def test_statements_go_down_and_up_losing_only_themselves(databases, tmp_path) -> None:
    """0008 adds statements and signatures: down to 0005 drops them (and, on the way, 0009's
    affiliations; every other row stays), back up gives empty tables that take a signature
    again."""
    url = databases.empty()
    try:
        migrate.upgrade(url)
        _populate(url, tmp_path / "instance")
        before = _everything(url)[1]
        assert before["statement"] and before["signature"]
        migrate.downgrade(url, "0005")
        engine = make_engine(url)
        try:
            assert not STATEMENT_TABLES & set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        migrate.upgrade(url)
        after = _everything(url)[1]
        assert after["statement"] == after["signature"] == []
        # 0009, 0015 and 0016, above 0008, drop affiliations, reports, replies and trails
        gone = STATEMENT_TABLES | {"affiliation", "report", "reply", "verification"}
        kept = {name: rows for name, rows in before.items() if name not in gone | TRANSIENT_TABLES}
        assert {name: after[name] for name in kept} == kept
        app = make_app(url, tmp_path / "again")
        try:  # the tables take records again
            with app.app_context(), session_scope() as session:
                person = session.scalars(select(m.Person)).first()
                make_signature(session, person, make_statement(session))
        finally:
            app.extensions["kb.engine"].dispose()
        assert len(_everything(url)[1]["signature"]) == 1
    finally:
        databases.drop(url)


def test_a_migration_that_leaves_broken_foreign_keys_changes_nothing(tmp_path) -> None:
    # SQLite only (PostgreSQL enforces foreign keys while the migration runs): migrations run
    # with foreign keys off, so a row pointing at nothing must stop the run before its commit.
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.exec_driver_sql("INSERT INTO stance_evidence VALUES (404, 404)")
        with pytest.raises(migrate.MigrationError, match="stance_evidence"):
            migrate.downgrade(url, "-1")
        assert migrate.current_revision(engine) == migrate.head_revision(url)
        assert "latest" in {c["name"] for c in inspect(engine).get_columns("stance")}
    finally:
        engine.dispose()


def _quote_triggers(conn) -> set[str]:
    """The triggers on the quote table (the full-text index's, from 0002)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'quote'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'quote'::regclass AND NOT tgisinternal"
    return {r[0] for r in conn.exec_driver_sql(sql)}


def test_0006_dates_each_existing_quote_by_its_source_and_keeps_it_on_the_way_down(
    databases,
) -> None:
    url = databases.empty()
    migrate.upgrade(url, "0005")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO person (id, slug, name) VALUES (1, 'p', 'P')")
            conn.exec_driver_sql(
                "INSERT INTO source (id, slug, title, kind, published_on, date_precision) "
                "VALUES (1, 'dated', 'Dated', 'talk', '2017-07-01', 'month'), "
                "(2, 'undated', 'Undated', 'talk', NULL, NULL)"
            )
            conn.exec_driver_sql(
                "INSERT INTO quote (id, text, speaker_id, source_id, attribution, checked, note)"
                " VALUES (1, 'a', 1, 1, 'verbatim', 'primary', NULL),"
                " (2, 'b', 1, 2, 'verbatim', 'primary', 'kept')"
            )
        with engine.connect() as conn:
            triggers = _quote_triggers(conn)
        assert triggers or engine.dialect.name != "sqlite"  # SQLite's full-text index's
        migrate.upgrade(url)
        said = "SELECT id, said_on, said_precision, note FROM quote ORDER BY id"
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.exec_driver_sql(said)]
        assert [(r[0], str(r[1]), r[2]) for r in rows] == [
            (1, "2017-07-01", "month"),
            (2, "None", None),
        ]
        with engine.begin() as conn:  # a talk reported later: the words are older
            conn.exec_driver_sql(
                "UPDATE quote SET said_on = '2016-03-04', said_precision = 'day' WHERE id = 1"
            )
            conn.exec_driver_sql(
                "UPDATE quote SET said_on = '2001-01-01', said_precision = 'year' WHERE id = 2"
            )
            before = [tuple(r) for r in conn.exec_driver_sql(said)]
        migrate.downgrade(url, "0005")
        with engine.connect() as conn:
            notes = [r[0] for r in conn.exec_driver_sql("SELECT note FROM quote ORDER BY id")]
        assert "2016-03-04" in notes[0] and notes[1].startswith("kept") and "2001" in notes[1]
        migrate.upgrade(url)
        with engine.connect() as conn:
            assert [tuple(r) for r in conn.exec_driver_sql(said)] == before
            assert _quote_triggers(conn) == triggers
    finally:
        engine.dispose()


def test_affiliations_go_down_and_come_back_empty(databases, tmp_path) -> None:
    url = databases.empty()
    try:
        migrate.upgrade(url)
        _populate(url, tmp_path / "instance")
        tables = _everything(url)[1]
        assert tables["affiliation"]  # the seed's and one more
        engine = make_engine(url)
        try:
            losses = migrate.downgrade_losses(url, engine, "0008")
            assert losses[-1] == "0009: drops the affiliation table: every dated affiliation record"
            migrate.downgrade(url, "0008")
            assert not inspect(engine).has_table("affiliation")
            assert inspect(engine).has_table("person")
        finally:
            engine.dispose()
        migrate.upgrade(url)
        after = _everything(url)[1]
        assert after["affiliation"] == [] and after["person"] == tables["person"]
    finally:
        databases.drop(url)


def test_reports_and_replies_go_down_and_come_back_empty(databases, tmp_path) -> None:
    url = databases.empty()
    try:
        migrate.upgrade(url)
        _populate(url, tmp_path / "instance")
        tables = _everything(url)[1]
        assert tables["report"] and tables["reply"]
        engine = make_engine(url)
        try:
            losses = migrate.downgrade_losses(url, engine, "0014")
            assert losses[-1].startswith("0015: drops the report and reply tables")
            migrate.downgrade(url, "0014")
            assert not inspect(engine).has_table("report")
            assert not inspect(engine).has_table("reply")
            assert inspect(engine).has_table("quote")
        finally:
            engine.dispose()
        migrate.upgrade(url)
        after = _everything(url)[1]
        assert after["report"] == [] and after["reply"] == []
        assert after["quote"] == tables["quote"]
    finally:
        databases.drop(url)
