"""Readers' reports (issue 18 item 1): the form on every quote, stance and source, its
defences (CSRF, honeypot, size, the limit per address), the editors' queue and triage with the
revision that fixed the record, and the "disputed" mark on pages and in exports."""

from __future__ import annotations

import json

from sqlalchemy import select

from kb import models as m
from kb.web.database import session_scope
from tests.conftest import hidden_fields
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import submit

GOOD = {
    "kind": "misattributed",
    "explanation": "The interview transcript gives these words to the host.",
    "evidence_url": "https://example.org/transcript",
    "email": "reader@example.org",
}


def _records(app) -> dict[str, int]:
    with app.app_context(), session_scope() as s:
        p = make_person(s, slug="ada", name="Ada Lovelace")
        src = make_source(s, slug="notes", title="Notes on the engine")
        q = make_quote(s, p, src, text="The engine weaves algebraic patterns.")
        st = make_stance(s, p, make_claim(s, slug="engines"), evidence=[q])
        return {"quote": q.id, "stance": st.id, "source": src.id, "person": p.id}


def _reports(app) -> list[m.Report]:
    with app.app_context(), session_scope() as s:
        rows = list(s.scalars(select(m.Report).order_by(m.Report.id)))
        s.expunge_all()
        return rows


def test_every_quote_stance_and_source_links_its_report_form(app, client) -> None:
    ids = _records(app)
    person = client.get("/people/ada").text
    assert f'href="/report/quote/{ids["quote"]}"' in person
    assert f'href="/report/stance/{ids["stance"]}"' in person
    assert f'href="/report/source/{ids["source"]}"' in client.get("/sources/notes").text
    assert f'href="/report/quote/{ids["quote"]}"' in client.get(f"/quotes/{ids['quote']}").text
    for target in ("quote", "stance", "source"):
        page = client.get(f"/report/{target}/{ids[target]}")
        assert page.status_code == 200
        assert 'name="csrf_token"' in page.text and 'name="website"' in page.text
    assert client.get("/report/quote/999999").status_code == 404
    assert client.get("/report/person/1").status_code == 404


def test_a_quote_links_its_own_page_everywhere_but_on_it(app, client) -> None:
    ids = _records(app)
    link = f'<a href="/quotes/{ids["quote"]}">Quote page</a>'
    assert link in client.get("/people/ada").text
    assert link in client.get("/sources/notes").text
    own = client.get(f"/quotes/{ids['quote']}").text
    assert "Quote page</a>" not in own and "Report a problem" in own


def test_a_report_is_sent_without_an_account_and_kept_private(app, client) -> None:
    ids = _records(app)
    r = submit(client, f"/report/quote/{ids['quote']}", GOOD)
    assert r.status_code == 303, r.text
    assert client.get(r.headers["Location"]).status_code == 200
    (report,) = _reports(app)
    assert (report.target, report.target_id, report.kind, report.status) == (
        "quote",
        ids["quote"],
        "misattributed",
        "open",
    )
    assert report.email == "reader@example.org"
    with app.app_context(), session_scope() as s:
        rev = s.scalars(select(m.Revision).where(m.Revision.entity == "report")).one()
        assert rev.actor == "reader" and "email" not in rev.changes
        assert "reader@example.org" not in json.dumps(rev.changes)
    # never on a public page, nor in an export
    assert "reader@example.org" not in client.get(f"/quotes/{ids['quote']}").text
    assert "reader@example.org" not in client.get("/export/kb.json").text


def test_a_report_without_the_csrf_token_is_refused(app, client) -> None:
    ids = _records(app)
    r = client.post(f"/report/quote/{ids['quote']}", data=GOOD)
    assert r.status_code == 400
    assert _reports(app) == []


def test_the_honeypot_field_refuses_a_robot(app, client) -> None:
    ids = _records(app)
    r = submit(client, f"/report/quote/{ids['quote']}", {**GOOD, "website": "http://spam.example"})
    assert r.status_code == 400 and "not sent" in r.text
    assert _reports(app) == []


def test_an_oversized_report_is_refused(app, client) -> None:
    ids = _records(app)
    r = submit(client, f"/report/quote/{ids['quote']}", {**GOOD, "explanation": "x" * 5001})
    assert r.status_code == 422 and "5000" in r.text
    r = submit(client, f"/report/quote/{ids['quote']}", {**GOOD, "explanation": "x" * 40000})
    assert r.status_code == 413
    assert _reports(app) == []


def test_a_report_names_each_problem_beside_its_field(app, client) -> None:
    ids = _records(app)
    bad = {"kind": "", "explanation": " ", "evidence_url": "ftp://x", "email": "nobody"}
    r = submit(client, f"/report/source/{ids['source']}", bad)
    assert r.status_code == 422
    for words in ("choose what is wrong", "is required", "e-mail address", "was not sent"):
        assert words in r.text
    assert _reports(app) == []


def test_the_limit_per_address_is_hit(app, client) -> None:
    ids = _records(app)
    app.config["REPORT_LIMIT_PER_ADDRESS"] = "2 per hour"
    for _ in range(2):
        assert submit(client, f"/report/source/{ids['source']}", GOOD).status_code == 303
    r = submit(client, f"/report/source/{ids['source']}", GOOD)
    assert r.status_code == 429 and "Too many reports" in r.text
    assert len(_reports(app)) == 2


def test_the_queue_is_for_editors_only(app, client, editor_client) -> None:
    ids = _records(app)
    submit(client, f"/report/quote/{ids['quote']}", GOOD)
    (report,) = _reports(app)
    for path in ("/admin/reports", f"/admin/reports/{report.id}", "/admin/evidence"):
        r = client.get(path)
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.post(f"/admin/reports/{report.id}", data={}).status_code in (400, 401)
    queue = editor_client.get("/admin/reports")
    assert queue.status_code == 200 and "#1 misattributed" in queue.text
    one = editor_client.get(f"/admin/reports/{report.id}").text
    assert "reader@example.org" in one and GOOD["explanation"] in one


def _triage(editor_client, report_id: int, **data: str):
    return submit(editor_client, f"/admin/reports/{report_id}", data)


def test_triage_marks_the_quote_disputed_until_a_revision_fixes_it(
    app, client, editor_client
) -> None:
    ids = _records(app)
    submit(client, f"/report/quote/{ids['quote']}", GOOD)
    (report,) = _reports(app)
    r = _triage(editor_client, report.id, status="accepted", resolution="")
    assert r.status_code == 422 and "readers see it" in r.text
    r = _triage(editor_client, report.id, status="accepted", resolution="The host said it.")
    assert r.status_code == 303, r.text
    for path in ("/people/ada", "/claims/engines", "/sources/notes", f"/quotes/{ids['quote']}"):
        assert "Disputed" in client.get(path).text, path
    assert "The host said it." in client.get(f"/quotes/{ids['quote']}").text
    assert _exported_quote(client)["disputed"] is True
    assert "true" in _csv_quote(client)["disputed"]
    # the editor corrects the quote; its revision resolves the report
    with app.app_context(), session_scope() as s:
        s.get(m.Quote, ids["quote"]).attribution = "paraphrase"
    with app.app_context(), session_scope() as s:
        fix = s.scalars(select(m.Revision.id).where(m.Revision.entity == "quote")).all()[-1]
    r = _triage(editor_client, report.id, status="accepted", resolution="Fixed.", fixed_by="999")
    assert r.status_code == 422 and "no revision #999" in r.text
    r = _triage(editor_client, report.id, status="accepted", resolution="Fixed.", fixed_by=str(fix))
    assert r.status_code == 303, r.text
    page = client.get(f"/quotes/{ids['quote']}").text
    assert "Disputed" not in page and f"revision #{fix}" in page and "Fixed." in page
    assert _exported_quote(client)["disputed"] is False
    with app.app_context(), session_scope() as s:
        revs = s.scalars(
            select(m.Revision).where(m.Revision.entity == "report").order_by(m.Revision.id)
        ).all()
        assert [r.action for r in revs] == ["create", "update", "update"]
        assert revs[-1].changes["fixed_by_id"] == [None, fix]


def test_a_rejected_report_marks_nothing(app, client, editor_client) -> None:
    ids = _records(app)
    submit(client, f"/report/quote/{ids['quote']}", GOOD)
    (report,) = _reports(app)
    r = _triage(editor_client, report.id, status="rejected", resolution="The tape says so.")
    assert r.status_code == 303
    page = client.get(f"/quotes/{ids['quote']}").text
    assert "Disputed" not in page and "not upheld" in page and "The tape says so." in page


def _exported_quote(client) -> dict:
    (quote,) = client.get("/export/kb.json").get_json()["quotes"]
    return quote


def _csv_quote(client) -> dict:
    import csv
    import io
    import zipfile

    bundle = zipfile.ZipFile(io.BytesIO(client.get("/export/kb.zip").data))
    (row,) = csv.DictReader(io.StringIO(bundle.read("quotes.csv").decode()))
    return row


def test_hidden_fields_helper_sees_the_report_token(app, client) -> None:
    ids = _records(app)
    assert "csrf_token" in hidden_fields(client.get(f"/report/quote/{ids['quote']}").text)


def test_junk_in_the_report_form_is_refused_without_a_500(app, client) -> None:
    ids = _records(app)
    for junk in ("\x00", "<script>alert(1)</script>\x00", "x\u202e"):
        data = {"kind": junk, "explanation": junk, "evidence_url": junk, "email": junk}
        r = submit(client, f"/report/quote/{ids['quote']}", data)
        assert r.status_code == 422, (junk, r.status_code)
        assert "<script>alert(1)</script>" not in r.text
    assert _reports(app) == []


def test_a_reports_revisions_are_listed_and_revert_like_any_record(
    app, client, editor_client
) -> None:
    ids = _records(app)
    submit(client, f"/report/quote/{ids['quote']}", GOOD)
    (report,) = _reports(app)
    with app.app_context(), session_scope() as s:
        fix = s.scalars(select(m.Revision.id).order_by(m.Revision.id)).first()
    r = _triage(editor_client, report.id, status="accepted", resolution="Done.", fixed_by=str(fix))
    assert r.status_code == 303
    changes = editor_client.get("/admin/changes")
    assert changes.status_code == 200 and f"/admin/report/{report.id}/history" in changes.text
    assert editor_client.get("/admin/").status_code == 200
    page = editor_client.get(f"/admin/report/{report.id}/history")
    assert page.status_code == 200 and f"/admin/reports/{report.id}" in page.text
    assert "reader@example.org" not in page.text
    with app.app_context(), session_scope() as s:
        last = s.scalars(
            select(m.Revision.id).where(m.Revision.entity == "report").order_by(m.Revision.id)
        ).all()[-1]
    revert = f"/admin/revisions/{last}/revert"
    r = submit(editor_client, revert, {})
    assert r.status_code in (302, 303), r.text
    (undone,) = _reports(app)
    assert (undone.status, undone.fixed_by_id) == ("open", None)
