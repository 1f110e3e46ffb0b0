"""Affiliations as dated records (issue 14 item 6): the period rule, kb/1 import and export in
JSON and CSV, and what the importer refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kb import models as m
from kb import rules
from kb.errors import DataError
from kb.formats import exports, kb1
from kb.formats.readers import open_input
from kb.load.importer import apply_document, import_input
from kb.queries import export as q
from kb.web.database import get_engine, session_scope
from tests.conftest import make_app

PEOPLE = [{"slug": "yoshua-bengio", "name": "Yoshua Bengio"}]
AFFILIATIONS = [
    {
        "person": "yoshua-bengio",
        "organisation": "Université de Montréal",
        "role": "Professor",
        "from": "1993",
        "to": None,
        "note": None,
    },
    {
        "person": "yoshua-bengio",
        "organisation": "Mila",
        "role": None,
        "from": "2017-02",
        "to": "2024-06-30",
        "note": "=not a formula",
    },
]
DOC = {"format": "kb/1", "people": PEOPLE, "affiliations": AFFILIATIONS}


def _json(app) -> dict:
    with app.app_context(), q.snapshot(get_engine()) as conn:
        return json.loads("".join(exports.kb_json(q.Reader(conn))))


def _csvs(app) -> dict[str, str]:
    with app.app_context(), q.snapshot(get_engine()) as conn:
        return {e: "".join(exports.entity_csv(e, q.Reader(conn))) for e in kb1.ENTITIES}


def _import(app, doc: dict) -> None:
    with app.app_context(), session_scope() as session:
        apply_document(session, doc)


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ("2010", "2009-12", False),
        ("2010-06", "2010", True),  # June 2010 is within 2010
        ("2010-06-15", "2010-06", True),
        ("2010-06-15", "2010-06-14", False),
        ("2010", "2010", True),
    ],
)
def test_an_affiliation_may_not_end_before_it_starts(start, end, ok) -> None:
    started, _ = rules.parse_partial(start)
    ended, precision = rules.parse_partial(end)
    assert (rules.period_problem(started, ended, precision) is None) is ok
    assert rules.period_problem(None, ended, precision) is None


def test_affiliations_export_as_imported(app) -> None:
    _import(app, DOC)
    assert _json(app)["affiliations"] == AFFILIATIONS
    _import(app, DOC)  # matched by (person, organisation, role, from): nothing doubles
    with app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.Affiliation)) == 2


def test_affiliations_round_trip_through_json_and_csv(app, databases, tmp_path: Path) -> None:
    _import(app, DOC)
    exported, csvs = _json(app), _csvs(app)
    assert csvs["affiliations"].splitlines()[0] == ",".join(kb1.FIELDS["affiliations"])
    (tmp_path / "kb.json").write_text(json.dumps(exported), encoding="utf-8")
    folder = tmp_path / "csv"
    folder.mkdir()
    for entity, text in csvs.items():
        (folder / f"{entity}.csv").write_bytes(text.encode("utf-8"))
    for i, path in enumerate((tmp_path / "kb.json", folder)):
        url = databases.migrated()
        other = make_app(url, tmp_path / f"instance{i}")
        try:
            with other.app_context(), session_scope() as session:
                import_input(session, open_input(path))
            assert _json(other) == exported
            assert _csvs(other) == csvs
        finally:
            other.extensions["kb.engine"].dispose()
            databases.drop(url)


def test_an_old_kb1_file_without_affiliations_still_imports(app) -> None:
    _import(app, {"format": "kb/1", "people": PEOPLE})
    assert _json(app)["affiliations"] == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"to": "1992"}, "to", "ends before it starts"),
        ({"from": "1993-13"}, "from", "not a real date"),
        ({"organisation": ""}, "organisation", "is required"),
        ({"role": "x" * 301}, "role", "the limit is 300"),
        ({"person": "nobody"}, "person", "unknown person"),
    ],
)
def test_a_bad_affiliation_is_refused_naming_its_field(app, change, field, words) -> None:
    bad = {**AFFILIATIONS[0], **change}
    with pytest.raises(DataError) as caught:
        _import(app, {**DOC, "affiliations": [bad]})
    problem = caught.value.problems[0]
    assert problem.field == field and words in problem.message
    assert "affiliations[0]" in problem.record
    with app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.Person)) == 0


def test_deleting_a_person_deletes_their_affiliations_in_the_history(app) -> None:
    _import(app, DOC)
    with app.app_context(), session_scope() as s:
        s.info["actor"] = "test"
        s.delete(s.scalars(select(m.Person)).one())
    with app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.Affiliation)) == 0
        deleted = s.scalars(
            select(m.Revision.label).where(
                m.Revision.entity == "affiliation", m.Revision.action == "delete"
            )
        ).all()
        assert sorted(deleted) == [
            "Yoshua Bengio: Mila",
            "Yoshua Bengio: Professor, Université de Montréal",
        ]
