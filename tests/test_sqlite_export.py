"""`kb export --format sqlite` (issue 17 item 7): a SQLite copy that can be published as it is,
for Datasette and sqlite-utils.

The copy holds the records readers see and nothing of kb's own bookkeeping (accounts, login
attempts, revisions, version counters); its tables point at each other with declared foreign
keys and each searchable table has its own FTS5 index, so Datasette shows names for ids and a
search box on people, claims, quotes and sources. Run with KB_TEST_DATABASE set, the same tests
export from PostgreSQL.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils
from flask import Flask
from sqlalchemy import func, select

from kb import models as m
from kb.formats import sqlite_copy
from kb.web.database import session_scope
from tests.conftest import make_user
from tests.helpers import free_port, seed_count

TABLES = {t.name for t in sqlite_copy.TABLES}
SEARCHABLE = ("people", "claims", "quotes", "sources", "topics", "statements")
# Words kb keeps about its own work, which no published table or column may carry.
PRIVATE = re.compile(r"password|hash|user|account|login|revision|actor|version|created|updated")


def export(app: Flask, out: Path, *args: str):
    return app.test_cli_runner().invoke(
        args=["export", "--format", "sqlite", "--output", str(out), *args]
    )


@pytest.fixture
def copy(seeded_app: Flask, tmp_path: Path) -> Path:
    """The seed, exported as a SQLite copy with a licence named."""
    out = tmp_path / "kb.sqlite"
    result = export(seeded_app, out, "--licence", "CC-BY-4.0")
    assert result.exit_code == 0, result.output
    return out


def rows(path: Path, sql: str, *params: object) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn, conn:
        return conn.execute(sql, params).fetchall()


def columns(path: Path, table: str) -> list[str]:
    return [r[1] for r in rows(path, f'PRAGMA table_info("{table}")')]


def test_every_record_of_the_seed_is_in_its_table(copy: Path) -> None:
    for table, entity in [
        ("people", "people"),
        ("topics", "topics"),
        ("sources", "sources"),
        ("claims", "claims"),
        ("quotes", "quotes"),
        ("stances", "stances"),
        ("claim_relations", "claim_relations"),
        ("statements", "statements"),
        ("signatures", "signatures"),
        ("affiliations", "affiliations"),
    ]:
        assert rows(copy, f"SELECT count(*) FROM {table}") == [(seed_count(entity),)], table
    evidence = sum(len(s["evidence"]) for s in _seed()["stances"])
    assert rows(copy, "SELECT count(*) FROM stance_evidence") == [(evidence,)]
    assert rows(copy, "SELECT name FROM people WHERE slug = 'francois-chollet'") == [
        ("François Chollet",)
    ]
    # partial dates as kb/1 writes them
    assert rows(copy, "SELECT published FROM sources WHERE slug = 'chollet-limits'") == [
        ("2017-07-17",)
    ]
    organisations = {a["organisation"] for a in _seed()["affiliations"]}
    assert {r[0] for r in rows(copy, "SELECT name FROM organisations")} <= organisations


def _seed() -> dict:
    from kb.load.seed import seed_document

    return seed_document()


def test_no_accounts_logins_revisions_or_bookkeeping(seeded_app: Flask, tmp_path: Path) -> None:
    make_user(seeded_app, "ada", "admin")
    with seeded_app.app_context(), session_scope() as s:
        password_hash = s.scalar(select(m.User.password_hash))
        assert s.scalar(select(func.count()).select_from(m.Revision)), "the seed writes history"
    out = tmp_path / "kb.sqlite"
    assert export(seeded_app, out).exit_code == 0

    names = {
        r[0] for r in rows(out, "SELECT name FROM sqlite_master WHERE type IN ('table','view')")
    }
    published = {n for n in names if not n.startswith(("sqlite_", *(f"{t}_fts" for t in TABLES)))}
    assert published == TABLES | set(sqlite_copy.VIEWS)
    for table in published:
        private = [c for c in columns(out, table) if PRIVATE.search(c)]
        assert not private, f"{table} has {private}"
    data = out.read_bytes()
    assert password_hash and password_hash.encode() not in data
    assert b"$argon2" not in data
    assert b"user_account" not in data and b"login_attempt" not in data


def test_foreign_keys_are_declared_and_hold(copy: Path) -> None:
    declared = {
        (table, r[3], r[2])
        for table in TABLES
        for r in rows(copy, f'PRAGMA foreign_key_list("{table}")')
    }
    assert {
        ("quotes", "speaker_id", "people"),
        ("quotes", "source_id", "sources"),
        ("stances", "person_id", "people"),
        ("stances", "claim_id", "claims"),
        ("stances", "estimate_quote_id", "quotes"),
        ("stance_evidence", "quote_id", "quotes"),
        ("claim_relations", "to_claim_id", "claims"),
        ("affiliations", "organisation_id", "organisations"),
        ("signatures", "statement_id", "statements"),
        ("source_authors", "person_id", "people"),
        ("claim_topics", "topic_id", "topics"),
    } <= declared
    assert rows(copy, "PRAGMA foreign_key_check") == []
    # the ids link the records kb/1 links by slug
    first = _seed()["quotes"][0]
    linked = rows(
        copy,
        "SELECT p.slug, s.slug FROM quotes q JOIN people p ON p.id = q.speaker_id"
        " JOIN sources s ON s.id = q.source_id WHERE q.text = ?",
        first["text"],
    )
    assert linked == [(first["speaker"], first["source"])]


@pytest.mark.parametrize(
    ("table", "words", "column", "expected"),
    [
        ("people", "francois", "name", "François Chollet"),  # accents folded
        ("claims", "existential humanity", "slug", "ai-existential-risk"),
        ("quotes", "algorithmic", "speaker_id", None),
        ("sources", "limitations", "slug", "chollet-limits"),
        ("topics", "superintelligence", "name", "Superintelligence"),
        ("statements", "extinction pandemics", "slug", "cais-2023"),
    ],
)
def test_each_table_has_its_own_search_index(copy, table, words, column, expected) -> None:
    hits = rows(
        copy,
        f"SELECT t.{column} FROM {table}_fts JOIN {table} t ON t.rowid = {table}_fts.rowid"
        f" WHERE {table}_fts MATCH ?",
        words,
    )
    if expected is None:  # the quote: found, and by its speaker
        chollet = rows(copy, "SELECT id FROM people WHERE slug = 'francois-chollet'")[0][0]
        assert (chollet,) in hits
    else:
        assert (expected,) in hits


def test_sqlite_utils_opens_it_and_finds_search_and_keys(copy: Path) -> None:
    db = sqlite_utils.Database(copy)
    for table in SEARCHABLE:
        assert db.table(table).detect_fts() == f"{table}_fts"
    found = list(db.table("people").search("chollet", columns=["slug"]))
    assert found == [{"slug": "francois-chollet"}]
    keys = {(fk.column, fk.other_table) for fk in db.table("quotes").foreign_keys}
    assert keys == {("speaker_id", "people"), ("source_id", "sources")}
    assert db.table("people").pks == ["id"]
    db.close()


def test_metadata_titles_describes_and_labels_every_table(copy: Path) -> None:
    meta = json.loads((copy.parent / "kb.metadata.json").read_text(encoding="utf-8"))
    assert meta["title"] and meta["description"] and meta["license"] == "CC-BY-4.0"
    assert meta["source"] == "kb"
    tables = meta["databases"]["kb"]["tables"]
    assert set(tables) == TABLES | set(sqlite_copy.VIEWS)
    assert all(t["title"] and t["description"] for t in tables.values())
    assert tables["people"]["label_column"] == "name"
    assert tables["claims"]["label_column"] == "text"
    assert tables["sources"]["label_column"] == "title"
    for name, entry in tables.items():
        if "label_column" in entry:
            assert entry["label_column"] in columns(copy, name)


def test_metadata_path_title_and_source_url_can_be_given(seeded_app, tmp_path) -> None:
    seeded_app.config["BASE_URL"] = "https://kb.example.org"
    meta_path = tmp_path / "meta" / "datasette.json"
    meta_path.parent.mkdir()
    result = export(seeded_app, tmp_path / "ai.db", "--metadata", str(meta_path), "--title", "T")
    assert result.exit_code == 0, result.output
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["title"] == "T" and meta["source_url"] == "https://kb.example.org"
    assert "license" not in meta  # kb names no licence the publisher did not give
    assert "names no licence" in result.output
    assert set(meta["databases"]) == {"ai"}  # Datasette names a database by its file
    assert not (tmp_path / "ai.metadata.json").exists()


def test_an_existing_file_is_kept_unless_forced(seeded_app, tmp_path) -> None:
    out = tmp_path / "kb.sqlite"
    out.write_bytes(b"precious")
    refused = export(seeded_app, out)
    assert refused.exit_code == 2
    assert "exists" in refused.output and "--force" in refused.output
    assert "Traceback" not in refused.output
    assert out.read_bytes() == b"precious"
    forced = export(seeded_app, out, "--force")
    assert forced.exit_code == 0, forced.output
    assert rows(out, "SELECT count(*) FROM people") == [(seed_count("people"),)]
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    ("output", "extra", "message"),
    [
        ("missing/kb.sqlite", (), "does not exist"),
        ("-", (), "writes a file"),
        (".", (), "is a folder"),
    ],
)
def test_unwritable_outputs_get_one_line(seeded_app, tmp_path, output, extra, message) -> None:
    target = output if output == "-" else str(tmp_path / output)
    result = export(seeded_app, Path(target), *extra)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_publishing_options_belong_to_sqlite_only(seeded_app, tmp_path) -> None:
    result = seeded_app.test_cli_runner().invoke(
        args=["export", "--format", "json", "-o", str(tmp_path / "a.json"), "--licence", "x"]
    )
    assert result.exit_code == 2 and "--licence applies to --format sqlite only" in result.output


def test_progress_names_each_table_with_its_rows(copy: Path, seeded_app, tmp_path) -> None:
    result = export(seeded_app, tmp_path / "again.sqlite")
    assert f"writing people ({seed_count('people')} rows)" in result.output
    assert "writing stance_evidence" in result.output
    assert "datasette" in result.output  # how to serve it


def test_help_describes_the_sqlite_copy(seeded_app) -> None:
    result = seeded_app.test_cli_runner().invoke(args=["export", "--help"])
    assert "sqlite" in result.output and "--licence" in result.output
    assert "--force" in result.output and "--metadata" in result.output


# -- Datasette, a real server over the copy --------------------------------------------------


@pytest.fixture
def datasette(copy: Path) -> Iterator[str]:
    """Datasette serving the copy with its metadata, on a free local port."""
    port = free_port()
    command = [sys.executable, "-m", "datasette", "serve", str(copy)]
    command += ["-m", str(copy.parent / "kb.metadata.json")]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log = copy.parent / "datasette.log"  # a file, not a pipe: a full pipe would stall it
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text(errors="replace")) from None
                time.sleep(0.1)  # polling until it listens, not waiting a fixed time
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def test_datasette_searches_a_table_and_shows_the_metadata(datasette: str) -> None:
    page = get(datasette + "/kb/people?" + urllib.parse.urlencode({"_search": "francois"}))
    assert "François Chollet" in page
    assert "Geoffrey Hinton" not in page  # the search filtered the table
    assert 'name="_search"' in page  # the table's search box
    assert "Everyone whose views kb records" in page  # its description from the metadata
    assert "CC-BY-4.0" in page

    index = get(datasette + "/")
    assert "kb: who claims what about AI risk" in index

    # a quote's speaker is shown by name (the label column), found through the quote's search
    data = json.loads(
        get(datasette + "/kb/quotes.json?_search=algorithmic&_labels=on&_shape=objects")
    )
    speakers = {r["speaker_id"]["label"] for r in data["rows"]}
    assert "François Chollet" in speakers


def test_every_table_of_the_copy_has_its_read() -> None:
    from kb.queries import publish

    assert list(publish.TABLES) == [t.name for t in sqlite_copy.TABLES]


def test_datasette_offers_the_enumerations_as_facets(datasette: str) -> None:
    data = json.loads(get(datasette + "/kb/stances.json?_size=1"))
    facets = data["facet_results"]
    assert {"position", "basis", "latest"} <= set(facets)
    positions = {r["value"] for r in facets["position"]["results"]}
    assert positions <= {"supports", "opposes", "mixed"} and positions


def test_required_fields_are_not_null_and_slugs_unique(copy: Path) -> None:
    notnull = {r[1] for r in rows(copy, "PRAGMA table_info(quotes)") if r[3]}
    assert {"id", "text", "speaker_id", "source_id", "attribution", "checked"} == notnull
    with pytest.raises(sqlite3.IntegrityError):
        rows(copy, "INSERT INTO people (slug, name) SELECT slug, name FROM people LIMIT 1")


def test_an_empty_knowledge_base_exports_empty_tables(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "empty.sqlite"
    result = export(app, out)
    assert result.exit_code == 0, result.output
    assert rows(out, "SELECT count(*) FROM people") == [(0,)]
    assert rows(out, "SELECT count(*) FROM people_fts WHERE people_fts MATCH 'x'") == [(0,)]
