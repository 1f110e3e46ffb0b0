"""Verification trails (issue 18 item 3): the seed's first entries from the fact sheet, kb/1
JSON and CSV with old files still importing, the history, `kb check`'s label rule and the
quote's page."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kb import models as m
from kb import rules
from kb.errors import DataError
from kb.formats import exports, kb1
from kb.load.importer import apply_document
from kb.queries import export as q
from kb.web.database import get_engine, session_scope
from tests.factories import make_person, make_quote
from tests.helpers import check_statuses, problems

DOC = {
    "format": "kb/1",
    "people": [{"slug": "ada", "name": "Ada Example"}],
    "sources": [
        {"slug": "talk", "title": "A talk", "kind": "talk", "url": "https://example.org/talk"}
    ],
    "quotes": [
        {
            "id": "Q1",
            "text": "Machines will think.",
            "speaker": "ada",
            "source": "talk",
            "attribution": "verbatim",
            "checked": "widely_reported",
        }
    ],
    "verifications": [
        {
            "quote": "Q1",
            "seen_in": "https://example.org/report-1",
            "by": "an editor",
            "date": "2026-12-01",
            "result": "found",
            "note": None,
        },
        {
            "quote": "Q1",
            "seen_in": "https://example.org/report-2",
            "by": "kb verify",
            "date": "2026-12",
            "result": "found",
            "note": "=not a formula",
        },
    ],
}


def _json(app) -> dict:
    with app.app_context(), q.snapshot(get_engine()) as conn:
        return json.loads("".join(exports.kb_json(q.Reader(conn))))


def _import(app, doc: dict) -> None:
    with app.app_context(), session_scope() as session:
        apply_document(session, doc)


@pytest.mark.parametrize(
    ("checked", "trail", "says"),
    [
        ("primary", [], None),
        ("primary", [("found", "a")], None),
        ("primary", [("unreachable", "a")], "no check in its trail finds"),
        ("primary", [("found", "a"), ("not_found", "a")], "latest check of 'a' did not"),
        ("primary", [("found", "a"), ("not_found", "b")], None),
        ("primary", [("not_found", "a"), ("found", "a")], None),
        ("primary", [("found", "a"), ("unreachable", "a"), ("blocked", "a")], None),
        ("widely_reported", [("found", "a"), ("found", "a")], "found in 2 places"),
        ("widely_reported", [("found", "a"), ("found", "b")], None),
    ],
)
def test_the_label_rule(checked, trail, says) -> None:
    problem = rules.trail_problem(checked, trail)
    assert (problem is None) == (says is None)
    if says:
        assert says in problem


def test_the_seed_trails_come_from_the_fact_sheet_and_back_every_label(seeded_app) -> None:
    doc = _json(seeded_app)
    trail = doc["verifications"]
    quotes = {r["id"] for r in doc["quotes"]}
    assert {v["quote"] for v in trail} == quotes  # every seed quote has a trail
    first = next(v for v in trail if v["by"] == "seed fact sheet")
    assert first["result"] == "found" and first["date"] in ("2026-11", "2026-12")
    code, output, statuses = check_statuses(seeded_app)
    assert statuses["checked-labels"] == "ok", output


def test_json_and_csv_round_trip_and_old_files_still_import(app) -> None:
    _import(app, DOC)
    out = _json(app)
    assert [(v["seen_in"], v["by"], v["date"]) for v in out["verifications"]] == [
        ("https://example.org/report-1", "an editor", "2026-12-01"),
        ("https://example.org/report-2", "kb verify", "2026-12"),
    ]
    assert out["verifications"][0]["quote"] == out["quotes"][0]["id"]
    with app.app_context(), q.snapshot(get_engine()) as conn:
        csv = "".join(exports.entity_csv("verifications", q.Reader(conn)))
    assert csv.splitlines()[0] == ",".join(kb1.FIELDS["verifications"])
    assert "'=not a formula" in csv
    _import(app, DOC)  # the same entries again: matched, not added twice
    old = {k: v for k, v in DOC.items() if k != "verifications"}
    _import(app, old)  # a kb/1 file from before verifications
    with app.app_context(), session_scope() as session:
        assert session.scalar(select(func.count()).select_from(m.Verification)) == 2
        revisions = session.scalars(
            select(m.Revision.label).where(m.Revision.entity == "verification")
        ).all()
    assert sorted(revisions) == [
        "found in https://example.org/report-1",
        "found in https://example.org/report-2",
    ]


def test_the_importer_names_a_bad_entry(app) -> None:
    bad = dict(DOC, verifications=[{"quote": "Q9", "seen_in": "", "by": "x", "result": "maybe"}])
    with pytest.raises(DataError) as err, app.app_context(), session_scope() as session:
        apply_document(session, bad)
    text = str(err.value)
    assert "verifications[0]" in text and "'quote'" in text and "Q9" in text
    assert "'seen_in': is required" in text and "'result'" in text


def test_an_edit_of_the_trail_is_a_revision_and_kb_check_names_a_label_it_does_not_back(
    app,
) -> None:
    with app.app_context(), session_scope() as session:
        quote = make_quote(session, make_person(session))
        quote.verifications.append(
            m.Verification(seen_in="https://example.org/p", checked_by="ed", result="found")
        )
        quote_id = quote.id
    assert check_statuses(app)[2]["checked-labels"] == "ok"
    with app.app_context(), session_scope() as session:
        entry = session.scalars(select(m.Verification)).one()
        entry.result = "not_found"
    code, output, statuses = check_statuses(app)
    assert code == 1 and problems(statuses) == {"checked-labels"}
    assert f"quote {quote_id} is labelled 'primary' but no check in its trail finds" in output
    with app.app_context(), session_scope() as session:
        changes = session.scalars(
            select(m.Revision.changes).where(m.Revision.entity == "verification")
        ).all()
    assert changes[-1]["result"] == ["found", "not_found"]


def test_the_quote_page_shows_the_trail(app, client) -> None:
    _import(app, DOC)
    with app.app_context(), session_scope() as session:
        quote_id = session.scalar(select(m.Quote.id))
    page = client.get(f"/quotes/{quote_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Machines will think." in html and "How it was verified" in html
    assert 'href="https://example.org/report-2"' in html and "kb verify" in html
    assert "does not agree" not in html
    assert "How these words were checked" in client.get("/sources/talk").get_data(as_text=True)
    missing = client.get("/quotes/999999")
    assert missing.status_code == 404 and "no quote with that number" in missing.get_data(
        as_text=True
    )


def test_a_check_has_a_history_for_editors_only(app, client, editor_client) -> None:
    _import(app, DOC)
    with app.app_context(), session_scope() as session:
        check_id = session.scalar(select(m.Verification.id))
    url = f"/admin/verification/{check_id}/history"
    assert client.get(url).status_code == 302  # to the login page
    page = editor_client.get(url)
    assert page.status_code == 200 and ">Edit</a>" not in page.get_data(as_text=True)
    dashboard = editor_client.get("/admin/").get_data(as_text=True)
    assert f'href="{url}"' in dashboard  # the recent changes name it, and lead to it
    assert editor_client.get("/admin/verification/999999/history").status_code == 404
