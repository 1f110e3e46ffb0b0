"""Helper functions shared by several test modules (no tests here; fixtures and the account
helpers live in conftest.py): posting forms as a browser does, free ports and the `kb`
executable for tests that start `kb serve`, reading a form's field errors, and every URL of
the app for tests that walk the whole URL map, and the kb/1 round trip (export, import into a
fresh database, export again)."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import socket
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from kb import migrate
from kb import models as m
from kb.formats import exports, kb1
from kb.formats.readers import open_input
from kb.load.importer import import_input
from kb.load.seed import load_seed, seed_document
from kb.queries import export as q
from kb.web import auth
from kb.web.database import get_engine, session_scope
from tests.conftest import PASSWORD, hidden_fields, make_app
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance


def seed_count(entity: str) -> int:
    """How many records of a kb/1 entity the seed holds (tests follow the seed, not a number;
    an optional entity the seed has none of, such as replies, counts 0)."""
    return len(seed_document().get(entity, []))


def submit(client: FlaskClient, path: str, data: dict[str, Any], page: str | None = None):
    """GET the form page, then POST `data` with the page's hidden fields (CSRF token and
    version) filled in, as a browser would."""
    html = client.get(page or path).text
    fields = {k: v for k, v in hidden_fields(html).items() if k in ("csrf_token", "version")}
    return client.post(path, data={**fields, **data})


def error_beside(page: str, field: str) -> str:
    """The error text rendered for a field, which the input points to with aria-describedby."""
    m_ = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert m_, f"no error shown beside {field}"
    assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error', page) or re.search(
        rf'aria-describedby="[^"]*{field}-error[^"]*"[^>]*id="{field}"', page
    ), f"{field} does not point at its error"
    return html.unescape(re.sub(r"<[^>]+>", "", m_.group(1))).strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kb_executable() -> str:
    candidate = Path(sys.executable).with_name("kb")
    return str(candidate) if candidate.exists() else "kb"


def every_url(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every rule of the app with concrete URLs for it (each value of an `any` converter,
    an existing id for integers), and the methods it accepts."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        choices = []
        for name in rule.arguments:
            converter = rule._converters.get(name)
            if rule.defaults and name in rule.defaults:
                choices.append([(name, rule.defaults[name])])
                continue
            if isinstance(converter, AnyConverter):
                choices.append([(name, v) for v in sorted(converter.items)])
            elif isinstance(converter, IntegerConverter):
                choices.append([(name, 1)])
            else:
                choices.append([(name, "x")])
        for combo in itertools.product(*choices):
            built = rule.build(dict(combo), append_unknown=False)
            assert built is not None, rule.rule
            yield rule, built[1]


def seeded_sqlite_file(tmp_path: Path, *editors: str) -> Path:
    """A migrated, seeded SQLite file in tmp_path whatever the suite's database (for what is
    SQLite's own: file permissions, page damage), with these editor accounts."""
    path = tmp_path / "kb.sqlite3"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    app = make_app(url, tmp_path / "instance")
    with app.app_context(), session_scope() as session:
        load_seed(session)
        for name in editors:
            auth.create_user(session, name, "editor", PASSWORD)
    app.extensions["kb.engine"].dispose()
    return path


# -- the kb/1 round trip ----------------------------------------------------------------------


def kb_json(app) -> str:
    with app.app_context(), q.snapshot(get_engine()) as conn:
        return "".join(exports.kb_json(q.Reader(conn)))


def csvs(app) -> dict[str, str]:
    with app.app_context(), q.snapshot(get_engine()) as conn:
        return {e: "".join(exports.entity_csv(e, q.Reader(conn))) for e in kb1.ENTITIES}


def import_path(app, path: Path) -> None:
    with app.app_context(), session_scope() as session:
        import_input(session, open_input(path))


class Fresh:
    """Apps over fresh empty databases, dropped at the end."""

    def __init__(self, databases, tmp_path: Path):
        self.databases = databases
        self.tmp_path = tmp_path
        self.made: list[tuple[object, str]] = []

    def __call__(self):
        url = self.databases.migrated()
        app = make_app(url, self.tmp_path / f"instance{len(self.made)}")
        self.made.append((app, url))
        return app

    def close(self) -> None:
        for app, url in self.made:
            app.extensions["kb.engine"].dispose()
            self.databases.drop(url)
        self.made.clear()


def round_trip(first, fresh: Fresh, tmp_path: Path) -> None:
    """first -> JSON -> second -> JSON must match; first -> CSVs -> third -> CSVs must match."""
    json_a = kb_json(first)
    path = tmp_path / "a.json"
    path.write_text(json_a, encoding="utf-8")
    second = fresh()
    import_path(second, path)
    assert kb_json(second) == json_a

    csv_a = csvs(first)
    folder = tmp_path / "csv"
    folder.mkdir(exist_ok=True)
    for entity, text in csv_a.items():
        (folder / f"{entity}.csv").write_bytes(text.encode("utf-8"))
    third = fresh()
    import_path(third, folder)
    assert csvs(third) == csv_a
    assert kb_json(third) == json_a


# `kb check` as the CLI runs it, and damage written past kb's guards (tests of kb check)
def check_statuses(app) -> tuple[int, str, dict[str, str]]:
    """Exit code, output, and each check's status by name."""
    result = app.test_cli_runner().invoke(args=["check"])
    statuses = {}
    for line in result.output.splitlines():
        words = line.split()
        if len(words) >= 3 and words[0] in ("ok", "problem", "skipped"):
            statuses[words[1]] = words[0]
    return result.exit_code, result.output, statuses


def problems(statuses: dict[str, str]) -> set[str]:
    return {name for name, status in statuses.items() if status == "problem"}


def raw_sql(app, *statements: str) -> None:
    """Run SQL with the database's guards off, as a careless script would."""
    engine = app.extensions["kb.engine"]
    if engine.dialect.name == "sqlite":
        conn = sqlite3.connect(engine.url.database)  # a plain connection: foreign keys off
        conn.execute("PRAGMA ignore_check_constraints = ON")
        for sql in statements:
            conn.execute(sql)
        conn.commit()
        conn.close()
        return
    with engine.connect() as conn:
        # Superuser only: foreign-key triggers do not fire for a replica's session.
        conn.exec_driver_sql("SET session_replication_role = replica")
        for sql in statements:
            conn.exec_driver_sql(sql)
        conn.exec_driver_sql("SET session_replication_role = DEFAULT")
        conn.commit()


# -- readers' reports in kb/1 (tests/test_reports_kb1.py, tests/test_roundtrip.py) -------------

# What a reader gave the editors alone: none of it may reach any export.
REPORT_EMAIL = "private-reader@mail.invalid"
REPORT_EXPLANATION = 'PRIVATE-EXPLANATION =HYPERLINK("https://evil.invalid") for editors only'
REPORT_EVIDENCE = "https://private-evidence.invalid/only-for-editors"
REPORT_PRIVATE = (
    REPORT_EMAIL,
    REPORT_EXPLANATION,
    REPORT_EVIDENCE,
    "PRIVATE-EXPLANATION",
    "private-evidence.invalid",
)


def _report(target: str, target_id: int, kind: str, status: str, **kw) -> m.Report:
    return m.Report(
        target=target,
        target_id=target_id,
        kind=kind,
        status=status,
        explanation=REPORT_EXPLANATION,
        evidence_url=REPORT_EVIDENCE,
        email=REPORT_EMAIL,
        **kw,
    )


def reports_world(app) -> dict[str, int]:
    """A quote, a dated stance and a source, and a report of each target and status: one on the
    quote accepted and fixed by the revision that corrected it, one accepted and awaiting its
    fix (the quote is disputed), one on the stance rejected, one on the source open, and one
    about a quote deleted since."""
    with app.app_context(), session_scope() as s:
        ada = make_person(s, slug="ada", name="Ada Lovelace")
        notes = make_source(s, slug="notes", title="Notes on the engine")
        quote = make_quote(s, ada, notes, text="The engine weaves algebraic patterns.")
        stance = make_stance(
            s, ada, make_claim(s, slug="engines"), evidence=[quote], as_of=dt.date(1843, 9, 1)
        )
    with app.app_context(), session_scope() as s:
        s.get(m.Quote, quote.id).locator = "Note A"  # the correction
    with app.app_context(), session_scope() as s:
        fix = s.scalar(
            select(m.Revision.id).where(m.Revision.entity == "quote").order_by(m.Revision.id.desc())
        )
        s.add_all(
            [
                _report(
                    "quote",
                    quote.id,
                    "wrong_date",
                    "accepted",
                    resolution="Dated.",
                    fixed_by_id=fix,
                ),
                _report("quote", quote.id, "misattributed", "accepted", resolution="Upheld."),
                _report("stance", stance.id, "out_of_context", "rejected", resolution="It fits."),
                _report("source", notes.id, "broken_link", "open"),
                _report("quote", 999_999, "other", "accepted", resolution="Gone."),
            ]
        )
    return {"quote": quote.id, "stance": stance.id, "source": notes.id, "fix": fix}
