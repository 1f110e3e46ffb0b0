"""Readers' reports in kb/1 (issue 18: "everything new is in the kb/1 format"): exported with
their public fields only (never the reader's e-mail, explanation or evidence link), left out
when the record they are about is gone, imported back with every field checked, matched so that
a second import adds nothing, and a fixed report stays fixed, so no quote turns "disputed"."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from kb import models as m
from kb.errors import DataError
from kb.formats import exports
from kb.load import importer
from kb.queries import export as q
from kb.web.database import get_engine, session_scope
from tests.helpers import REPORT_EMAIL as EMAIL
from tests.helpers import REPORT_EXPLANATION as EXPLANATION
from tests.helpers import REPORT_PRIVATE as PRIVATE
from tests.helpers import reports_world


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def test_reports_are_exported_with_their_public_fields_only(app, client) -> None:
    ids = reports_world(app)
    doc = client.get("/export/kb.json").get_json()
    about = {"quote": None, "source": None, "person": None, "claim": None, "as_of": None}
    quote = {**about, "target": "quote", "quote": f"q{ids['quote']}"}
    day = _today()
    assert doc["reports"] == [
        {**quote, "kind": "wrong_date", "status": "accepted", "filed": day,
         "resolution": "Dated.", "fixed": True, "fixed_on": day},
        {**quote, "kind": "misattributed", "status": "accepted", "filed": day,
         "resolution": "Upheld.", "fixed": False, "fixed_on": None},
        {**about, "target": "stance", "person": "ada", "claim": "engines", "as_of": "1843-09-01",
         "kind": "out_of_context", "status": "rejected", "filed": day, "resolution": "It fits.",
         "fixed": False, "fixed_on": None},
        {**about, "target": "source", "source": "notes", "kind": "broken_link",
         "status": "open", "filed": day, "resolution": None, "fixed": False, "fixed_on": None},
    ]  # fmt: skip
    # the report about the deleted quote is left out, and not counted on the export page
    assert doc["quotes"][0]["disputed"] is True
    with app.app_context(), q.snapshot(get_engine()) as conn:
        assert q.counts(conn)["reports"] == 4
    rows = list(csv.reader(io.StringIO(client.get("/export/reports.csv").get_data(as_text=True))))
    assert ",".join(rows[0]) == (
        "target,quote,source,person,claim,as_of,kind,status,filed,resolution,fixed,fixed_on"
    )
    assert rows[1][6:] == ["wrong_date", "accepted", day, "Dated.", "true", day]
    assert rows[3][6:] == ["out_of_context", "rejected", day, "It fits.", "false", ""]


def test_no_export_holds_a_readers_email_explanation_or_evidence(app, runner, tmp_path) -> None:
    reports_world(app)
    blobs: dict[str, bytes] = {}
    with app.app_context(), q.snapshot(get_engine()) as conn:
        for name, export in exports.EXPORTS.items():
            chunks = export.stream(q.Reader(conn))
            blobs[name] = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
            for entity in q.ROWS:
                blobs[f"{entity}.csv"] = "".join(
                    exports.entity_csv(entity, q.Reader(conn))
                ).encode()
    bundle = zipfile.ZipFile(io.BytesIO(blobs["zip"]))
    blobs |= {f"zip:{n}": bundle.read(n) for n in bundle.namelist()}
    assert b"misattributed" in blobs["zip:reports.csv"] and b"Upheld." in blobs["json"]
    out = tmp_path / "kb.sqlite"
    result = app.test_cli_runner().invoke(
        args=["export", "--format", "sqlite", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    blobs["sqlite"] = out.read_bytes()
    for name, blob in blobs.items():
        for secret in PRIVATE:
            assert secret.encode() not in blob, (name, secret)


def test_importing_again_adds_nothing_and_keeps_each_fix(app, client) -> None:
    ids = reports_world(app)
    doc = client.get("/export/kb.json").get_json()
    with app.app_context(), session_scope() as s:
        again = importer.apply_document(s, doc)
    assert (again.created["reports"], again.updated["reports"]) == (0, 0)
    assert again.unchanged["reports"] == 4
    with app.app_context(), session_scope() as s:
        reports = s.scalars(select(m.Report).order_by(m.Report.id)).all()
        assert len(reports) == 5 and reports[0].fixed_by_id == ids["fix"]
        assert reports[0].explanation == EXPLANATION and reports[0].email == EMAIL  # kept
    # a decision changed in the file is an update; a fix named on a record the import leaves
    # alone is that record's latest revision (the state the file calls fixed)
    doc["reports"][1] |= {"fixed": True}
    doc["reports"][3] |= {"status": "rejected", "resolution": "The link works."}
    with app.app_context(), session_scope() as s:
        changed = importer.apply_document(s, doc)
    assert changed.updated["reports"] == 2
    with app.app_context(), session_scope() as s:
        reports = s.scalars(select(m.Report).order_by(m.Report.id)).all()
        assert reports[1].fixed_by_id == ids["fix"] and reports[3].status == "rejected"
    assert client.get("/export/kb.json").get_json()["quotes"][0]["disputed"] is False


def test_a_file_without_reports_still_imports(app, client) -> None:
    reports_world(app)
    doc = client.get("/export/kb.json").get_json()
    del doc["reports"]
    with app.app_context(), session_scope() as s:
        assert importer.apply_document(s, doc).created["reports"] == 0
    with app.app_context(), session_scope() as s:
        assert len(s.scalars(select(m.Report)).all()) == 5


BASE = {
    "format": "kb/1",
    "people": [{"slug": "ada", "name": "Ada"}],
    "sources": [{"slug": "notes", "title": "Notes", "kind": "book", "authors": ["ada"]}],
    "claims": [{"slug": "engines", "text": "Engines weave."}],
    "quotes": [
        {
            "id": "q1",
            "text": "Patterns.",
            "speaker": "ada",
            "source": "notes",
            "attribution": "verbatim",
            "checked": "primary",
        }
    ],  # fmt: skip
    "stances": [
        {
            "person": "ada",
            "claim": "engines",
            "position": "supports",
            "basis": "explicit",
            "as_of": "1843-09-01",
            "evidence": ["q1"],
        }
    ],  # fmt: skip
}

BAD = [
    ({"target": "quote", "quote": "q404", "kind": "other", "status": "open"},
     "quote", "unknown quote 'q404'"),
    ({"target": "quote", "quote": "q1", "source": "notes", "kind": "other", "status": "open"},
     "source", "only for a report on a source (this one is on a quote)"),
    ({"target": "record", "kind": "other", "status": "open"},
     "target", "'record' is not one of quote, stance, source"),
    ({"target": "source", "kind": "other", "status": "open"},
     "source", "is required: the slug of a source"),
    ({"target": "source", "source": "notes", "kind": "typo", "status": "open"},
     "kind", "'typo' is not one of misattributed"),
    ({"target": "source", "source": "notes", "kind": "other", "status": "closed"},
     "status", "'closed' is not one of open, accepted, rejected"),
    ({"target": "stance", "person": "ada", "claim": "engines", "kind": "other", "status": "open"},
     "claim", "there is no stance of 'ada' on 'engines', undated"),
    ({"target": "stance", "person": "ada", "claim": "engines", "as_of": "1843-9-1",
      "kind": "other", "status": "open"}, "as_of", "is not a date"),
    ({"target": "quote", "quote": "q1", "kind": "other", "status": "rejected"},
     "resolution", "is required when status is rejected"),
    ({"target": "quote", "quote": "q1", "kind": "other", "status": "rejected",
      "resolution": "No.", "fixed": True}, "fixed", "only an accepted report is fixed"),
    ({"target": "quote", "quote": "q1", "kind": "other", "status": "accepted",
      "resolution": "Yes.", "fixed": "yes"}, "fixed", "must be true or false"),
    ({"target": "quote", "quote": "q1", "kind": "other", "status": "open",
      "fixed_on": "2024-01-01"}, "fixed_on", "only with fixed true"),
    ({"target": "quote", "quote": "q1", "kind": "other", "status": "open",
      "filed": "yesterday"}, "filed", "is not a date"),
    ({"target": "quote", "quote": "q1", "kind": "other", "status": "open",
      "resolution": "x" * 5001}, "resolution", "the limit is 5000"),
    ({"target": "quote", "quote": "q1", "kind": "other", "status": "open",
      "email": EMAIL}, "email", "is not a field of reports"),
]  # fmt: skip


@pytest.mark.parametrize(("record", "field", "message"), BAD)
def test_a_bad_report_is_named_with_its_field_and_nothing_is_written(
    app, record, field, message
) -> None:
    doc = {**BASE, "reports": [record]}
    with app.app_context(), session_scope() as s, pytest.raises(DataError) as caught:
        importer.apply_document(s, doc)
    problems = [p for p in caught.value.problems if p.record.startswith("reports[0]")]
    assert [(p.field, message in p.message) for p in problems] == [(field, True)], problems
    with app.app_context(), session_scope() as s:
        assert s.scalars(select(m.Person)).all() == [] and s.scalars(select(m.Report)).all() == []


def test_the_same_report_twice_in_a_document_is_a_repeat(app) -> None:
    report = {"target": "quote", "quote": "q1", "kind": "other", "status": "open",
              "filed": "2024-05-01"}  # fmt: skip
    doc = {**BASE, "reports": [report, {**report, "resolution": "Other words."}]}
    with app.app_context(), session_scope() as s, pytest.raises(DataError) as caught:
        importer.apply_document(s, doc)
    (problem,) = caught.value.problems
    assert problem.record.startswith("reports[1]") and problem.field == "filed"
    assert "appears twice" in problem.message
    # a day apart they are two reports, and the filing day is the record's own
    doc["reports"][1]["filed"] = "2024-05-02"
    with app.app_context(), session_scope() as s:
        assert importer.apply_document(s, doc).created["reports"] == 2
    with app.app_context(), session_scope() as s:
        filed = [r.created_at for r in s.scalars(select(m.Report).order_by(m.Report.id))]
        assert [d.date() for d in filed] == [dt.date(2024, 5, 1), dt.date(2024, 5, 2)]


def test_a_fixed_report_needs_a_revision_of_its_record(app, tmp_path: Path) -> None:
    """A record with no history at all (written past kb's history, as a raw script would) has no
    revision to name as the fix: the import says so rather than inventing one."""
    with app.app_context(), session_scope() as s:
        importer.apply_document(s, BASE)
    with app.app_context(), session_scope() as s:
        s.execute(m.Revision.__table__.delete())
    report = {"target": "quote", "quote": "q1", "kind": "other", "status": "accepted",
              "resolution": "Fixed.", "fixed": True}  # fmt: skip
    with app.app_context(), session_scope() as s, pytest.raises(DataError) as caught:
        importer.apply_document(s, {"format": "kb/1", "reports": [report]})
    (problem,) = caught.value.problems
    assert problem.field == "fixed" and "no revision of the quote" in problem.message
