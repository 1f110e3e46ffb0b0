"""`kb check`: a sound database passes every check; each kind of damage, written past kb's own
guards with raw SQL (foreign keys off, CHECK constraints off or dropped) or into the file's
bytes, makes it exit 1 and name the check that found it."""

from __future__ import annotations

import shutil
import socket
import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from kb import migrate
from kb import models as m
from kb.edits import deleting
from kb.store import history
from kb.web.database import session_scope
from tests.conftest import make_app
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import check_statuses as _check
from tests.helpers import problems as _problems
from tests.helpers import raw_sql as _raw
from tests.helpers import seeded_sqlite_file


def _one(app, sql: str) -> int:
    with app.extensions["kb.engine"].connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_sound_database_passes_every_check(seeded_app) -> None:
    code, output, statuses = _check(seeded_app)
    assert code == 0, output
    assert "kb check: all" in output
    names = {
        "schema",
        "data-version",
        "orphans",
        "evidence-speaker",
        "stance-evidence",
        "relation-self",
        "source-dates",
        "quote-dates",
        "revision-entities",
        "revision-vanished",
    }
    assert names <= set(statuses) and all(statuses[n] == "ok" for n in names)
    sqlite_checks = {statuses["sqlite-integrity"], statuses["sqlite-foreign-keys"]}
    if seeded_app.extensions["kb.engine"].dialect.name == "sqlite":
        assert sqlite_checks == {"ok"}
    else:
        assert sqlite_checks == {"skipped"}
        assert "pg_amcheck" in output and "PostgreSQL enforces foreign keys" in output


def test_deletes_and_reverts_through_kb_keep_the_history_consistent(app) -> None:
    """A record removed by kb itself (a delete, a revert of its creation) leaves a revision
    that says so: revision-vanished must not mistake it for damage."""
    with app.app_context(), session_scope() as session:
        session.add_all(
            [
                m.Person(slug="synthetic-deleted", name="Synthetic deleted"),
                m.Person(slug="synthetic-reverted", name="Synthetic reverted"),
            ]
        )
    with app.app_context(), session_scope() as session:
        gone = session.scalar(select(m.Person).where(m.Person.slug == "synthetic-deleted"))
        session.delete(gone)
    with app.app_context(), session_scope() as session:
        created = session.scalar(
            select(m.Revision.id)
            .join(m.Person, m.Person.id == m.Revision.entity_id)
            .where(m.Revision.entity == "person", m.Person.slug == "synthetic-reverted")
        )
        history.revert(session, created, deleting.dependents)
    assert _one(app, "SELECT count(*) FROM person") == 0
    assert _one(app, "SELECT count(*) FROM revision") == 4
    code, output, _statuses = _check(app)
    assert code == 0, output


def test_deleting_through_the_editor_with_dependents_stays_consistent(app) -> None:
    """deleting.delete takes a claim's stances and relations, and a source's quotes, with it:
    each gets its own delete revision, so nothing has vanished behind the history."""
    with app.app_context(), session_scope() as session:
        person = make_person(session)
        doomed, kept = make_claim(session), make_claim(session)
        stance = make_stance(session, person, doomed)
        session.add(m.ClaimRelation(from_claim=kept, to_claim=doomed, kind="supports"))
        source = make_source(session)
        make_quote(session, person, source)
        ids = doomed.id, source.id
        stance_quote_source = stance.evidence[0].source_id
    with app.app_context(), session_scope() as session:
        claim = session.get(m.Claim, ids[0])
        deleting.delete(session, claim, claim.version)
    with app.app_context(), session_scope() as session:
        for source_id in (ids[1], stance_quote_source):
            source = session.get(m.Source, source_id)
            deleting.delete(session, source, source.version)
    assert _one(app, "SELECT count(*) FROM claim_relation") == 0
    assert _one(app, "SELECT count(*) FROM quote") == 0
    code, output, _statuses = _check(app)
    assert code == 0, output


def _ids(app) -> dict[str, int]:
    """Ids of seed records the damage is done to."""
    with app.extensions["kb.engine"].connect() as conn:
        stance, person = conn.execute(
            text("SELECT id, person_id FROM stance ORDER BY id LIMIT 1")
        ).one()
        foreign_quote = conn.execute(
            text("SELECT min(id) FROM quote WHERE speaker_id <> :p"), {"p": person}
        ).scalar_one()
        return {
            "stance": stance,
            "foreign_quote": foreign_quote,
            "source": conn.execute(text("SELECT min(id) FROM source")).scalar_one(),
            "claim": conn.execute(text("SELECT min(id) FROM claim")).scalar_one(),
        }


DAMAGE = {
    "orphans": (
        "INSERT INTO quote (text, speaker_id, source_id, attribution, checked, version) "
        "VALUES ('Synthetic orphan words.', 987654, {source}, 'verbatim', 'primary', 1)",
    ),
    "evidence-speaker": (
        "INSERT INTO stance_evidence (stance_id, quote_id) VALUES ({stance}, {foreign_quote})",
    ),
    "stance-evidence": ("DELETE FROM stance_evidence WHERE stance_id = {stance}",),
    "stance-latest": ("UPDATE stance SET latest = NOT latest WHERE id = {stance}",),
    "relation-self": (
        "INSERT INTO claim_relation (from_claim_id, to_claim_id, kind, version) "
        "VALUES ({claim}, {claim}, 'supports', 1)",
    ),
    "source-dates": (
        "UPDATE source SET published_on = '2003-05-17', date_precision = 'year' "
        "WHERE id = {source}",
    ),
    "quote-dates": (
        "UPDATE quote SET said_on = '2003-05-17', said_precision = 'month' "
        "WHERE id = {foreign_quote}",
    ),
    "data-version": ("DELETE FROM kb_state",),
    # the trail says the words are no longer where they were seen: the label rests on nothing
    "checked-labels": (
        "UPDATE verification SET result = 'not_found' WHERE quote_id = {foreign_quote}",
    ),
    "revision-entities": (
        "INSERT INTO revision (actor, action, entity, entity_id, changes) "
        "VALUES ('synthetic', 'create', 'gizmo', 1, '{{}}')",
    ),
    "schema": ("UPDATE alembic_version SET version_num = '{previous}'",),
}


@pytest.mark.parametrize("check", sorted(DAMAGE))
def test_damage_makes_kb_check_fail_naming_the_check(seeded_app, database_url, check) -> None:
    ids = _ids(seeded_app)
    scripts = ScriptDirectory.from_config(migrate.alembic_config(database_url))
    ids["previous"] = scripts.get_revision(scripts.get_current_head()).down_revision
    sqlite = seeded_app.extensions["kb.engine"].dialect.name == "sqlite"
    if check == "relation-self" and not sqlite:
        # PostgreSQL always enforces CHECK: drop the constraint, as a hand migration might.
        _raw(seeded_app, "ALTER TABLE claim_relation DROP CONSTRAINT ck_claim_relation_not_self")
    _raw(seeded_app, *(sql.format(**ids) for sql in DAMAGE[check]))

    code, output, statuses = _check(seeded_app)
    assert code == 1, output
    expected = {check}
    if sqlite and check == "orphans":
        expected.add("sqlite-foreign-keys")  # SQLite's own check sees it too
    if sqlite and check == "relation-self":
        expected.add("sqlite-integrity")  # integrity_check verifies CHECK constraints
    assert _problems(statuses) == expected, output
    assert f"checks found problems: {', '.join(sorted(expected, key=list(statuses).index))}" in (
        output
    )


def test_orphan_output_names_the_relation_and_the_missing_id(seeded_app) -> None:
    _raw(seeded_app, DAMAGE["orphans"][0].format(**_ids(seeded_app)))
    code, output, _statuses = _check(seeded_app)
    assert code == 1
    assert "quote.speaker_id -> person: 1 row(s) name missing person 987654" in output


def test_record_deleted_behind_the_history_is_found(app) -> None:
    with app.app_context(), session_scope() as session:
        session.add(m.Person(slug="synthetic-vanishing", name="Synthetic vanishing"))
    _raw(app, "DELETE FROM person WHERE slug = 'synthetic-vanishing'")
    code, output, statuses = _check(app)
    assert code == 1
    assert _problems(statuses) == {"revision-vanished"}, output
    assert "is gone, but its last revision" in output


@pytest.fixture
def sqlite_seeded(tmp_path: Path) -> Path:
    """A seeded SQLite file whatever the test backend: page damage is SQLite's."""
    path = seeded_sqlite_file(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")  # everything in the one file
    conn.close()
    return path


def test_corrupt_bytes_in_the_file_fail_the_integrity_check(sqlite_seeded, tmp_path) -> None:
    conn = sqlite3.connect(sqlite_seeded)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_quote_speaker_id'"
    ).fetchone()[0]
    conn.close()
    with open(sqlite_seeded, "r+b") as fh:  # scribble over the index page's cells
        fh.seek(root * page_size - 200)
        fh.write(b"\xff" * 200)
    app = make_app(f"sqlite:///{sqlite_seeded}", tmp_path / "instance")
    code, output, statuses = _check(app)
    app.extensions["kb.engine"].dispose()
    assert code == 1
    assert statuses["sqlite-integrity"] == "problem"
    assert "malformed" in output


def test_index_out_of_step_with_its_table_is_found(sqlite_seeded, tmp_path) -> None:
    # Tell SQLite the index holds another column than the one it was built from: every entry
    # now disagrees with its row, as after a torn write.
    conn = sqlite3.connect(sqlite_seeded)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_quote_speaker_id ON quote (source_id)' "
        "WHERE name = 'ix_quote_speaker_id'"
    )
    conn.commit()
    conn.close()
    app = make_app(f"sqlite:///{sqlite_seeded}", tmp_path / "instance")
    code, output, statuses = _check(app)
    app.extensions["kb.engine"].dispose()
    assert code == 1
    assert _problems(statuses) == {"sqlite-integrity"}, output
    assert "missing from index ix_quote_speaker_id" in output


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_database_fails_with_connect(tmp_path: Path) -> None:
    for url in (
        f"sqlite:///{tmp_path / 'no' / 'such' / 'kb.sqlite3'}",
        f"postgresql+psycopg://kb@127.0.0.1:{_closed_port()}/kb?connect_timeout=5",
    ):
        app = make_app(url, tmp_path / "instance")
        code, output, statuses = _check(app)
        app.extensions["kb.engine"].dispose()
        assert code == 1, output
        assert statuses == {"connect": "problem"}, output
        assert "Traceback" not in output


def test_a_copy_made_by_kb_backup_passes(sqlite_seeded, tmp_path) -> None:
    app = make_app(f"sqlite:///{sqlite_seeded}", tmp_path / "instance")
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.sqlite3")]).exit_code == 0
    app.extensions["kb.engine"].dispose()
    shutil.copyfile(tmp_path / "b.sqlite3", tmp_path / "restored.sqlite3")
    restored = make_app(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "i2")
    code, output, _statuses = _check(restored)
    restored.extensions["kb.engine"].dispose()
    assert code == 0, output


def test_two_schema_versions_at_once_is_a_schema_problem(app) -> None:
    _raw(app, "INSERT INTO alembic_version (version_num) VALUES ('f00dfeedbeef')")
    code, output, statuses = _check(app)
    assert code == 1
    assert _problems(statuses) == {"schema"}, output
    assert "the check failed" in output and "Traceback" not in output


def test_data_loaded_through_the_bulk_path_passes(app) -> None:
    """kb synth writes through kb.load.bulk (the path of `kb import`), past the ORM's guards: the
    rules must hold there too."""
    args = ["synth", "--people", "20", "--claims", "40", "--sources", "60"]
    args += ["--quotes", "300", "--stances", "200", "--relations", "40"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert _one(app, "SELECT count(*) FROM stance") == 200
    code, output, statuses = _check(app)
    assert code == 0, output
    assert statuses["evidence-speaker"] == statuses["stance-evidence"] == "ok"
