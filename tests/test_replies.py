"""The right of reply (issue 18 item 2): the speaker of a quote, or their representative,
endorsed or disputed its attribution, with a dated source; entered in the admin, shown beside
the quote, kept in the history, in kb/1 (a file without replies still imports) and checked by
kb check."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from kb import models as m
from kb.load import importer
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import submit


def _records(app) -> dict[str, int]:
    with app.app_context(), session_scope() as s:
        p = make_person(s, slug="ada", name="Ada Lovelace")
        src = make_source(s, slug="notes", title="Notes on the engine")
        q = make_quote(s, p, src, text="The engine weaves algebraic patterns.")
        make_stance(s, p, make_claim(s, slug="engines"), evidence=[q])
        reply_src = make_source(s, slug="letter", title="A letter to the editor")
        reply_src.published_on, reply_src.date_precision = None, None
        return {"quote": q.id, "source": src.id}


def test_a_reply_is_entered_shown_beside_the_quote_and_kept_in_history(
    app, client, editor_client
) -> None:
    ids = _records(app)
    data = {
        "quote": str(ids["quote"]),
        "response": "disputed",
        "replied_by": "representative",
        "representative": "",
        "source": "letter",
        "replied": "",
    }
    r = submit(editor_client, "/admin/reply/new", data)
    assert r.status_code == 422
    assert "name who replied" in r.text and "source has no date" in r.text
    data |= {"representative": "Her publisher", "replied": "1843-09"}
    r = submit(editor_client, "/admin/reply/new", data)
    assert r.status_code == 302, r.text
    for path in ("/people/ada", "/claims/engines", "/sources/notes", f"/quotes/{ids['quote']}"):
        page = client.get(path).text
        assert "Disputed the attribution" in page and "through Her publisher" in page, path
        assert "September 1843" in page and "A letter to the editor" in page, path
    with app.app_context(), session_scope() as s:
        reply = s.scalars(select(m.Reply)).one()
        assert (reply.replied_on, reply.replied_precision) == (dt.date(1843, 9, 1), "month")
        (rev,) = s.scalars(select(m.Revision).where(m.Revision.entity == "reply")).all()
        assert rev.changes["response"] == [None, "disputed"]
        assert "Ada Lovelace disputed the attribution" in rev.label
        reply_id = reply.id
    assert "Ada Lovelace disputed the attribution" in editor_client.get("/admin/reply/").text
    assert "Ada Lovelace’s reply to the quote" in client.get("/changes").text  # the public feed
    # deleting the quote is refused while the reply rests on it
    with app.app_context(), session_scope() as s:
        page = editor_client.get(f"/admin/quote/{ids['quote']}/delete").text
    assert "disputed the attribution" in page
    r = submit(editor_client, f"/admin/reply/{reply_id}/delete", {})
    assert r.status_code == 302
    assert "Disputed the attribution" not in client.get("/people/ada").text


def test_replies_go_through_kb1_and_a_file_without_them_still_imports(app, client) -> None:
    ids = _records(app)
    with app.app_context(), session_scope() as s:
        s.add(
            m.Reply(
                quote_id=ids["quote"],
                response="endorsed",
                source=s.scalars(select(m.Source).where(m.Source.slug == "notes")).one(),
            )
        )
    doc = client.get("/export/kb.json").get_json()
    (reply,) = doc["replies"]
    assert reply == {
        "quote": f"q{ids['quote']}",
        "response": "endorsed",
        "by": "person",
        "representative": None,
        "source": "notes",
        "date": None,
        "note": None,
    }
    assert doc["quotes"][0]["disputed"] is False
    # the same document imports into an empty kb (the reply and all), and again changes nothing
    with app.app_context(), session_scope() as s:
        s.execute(m.Reply.__table__.delete())
    with app.app_context(), session_scope() as s:
        report = importer.apply_document(s, doc)
        assert report.created["replies"] == 1
    with app.app_context(), session_scope() as s:
        again = importer.apply_document(s, doc)
        assert again.created["replies"] == 0 and again.updated["replies"] == 0
    # an older file: no replies section, no disputed field
    older = {k: v for k, v in doc.items() if k != "replies"}
    older["quotes"] = [{k: v for k, v in q.items() if k != "disputed"} for q in doc["quotes"]]
    with app.app_context(), session_scope() as s:
        importer.apply_document(s, json.loads(json.dumps(older)))
        assert len(s.scalars(select(m.Reply)).all()) == 1


def test_an_import_names_a_bad_reply(app) -> None:
    _records(app)
    doc = {
        "format": "kb/1",
        "replies": [
            {"quote": "q999999", "response": "maybe", "source": "notes"},
            {"quote": "q1", "response": "endorsed", "by": "representative", "source": "notes"},
        ],
    }
    import pytest

    from kb.errors import DataError

    with app.app_context(), session_scope() as s, pytest.raises(DataError) as caught:
        importer.apply_document(s, doc)
    text = str(caught.value)
    assert "q999999" in text and "response" in text and "representative" in text


def test_kb_check_finds_an_undated_reply(app, runner) -> None:
    _records(app)
    with app.app_context(), session_scope() as s:
        letter = s.scalars(select(m.Source).where(m.Source.slug == "letter")).one()
        quote = s.scalars(select(m.Quote)).one()
        s.add(m.Reply(quote=quote, response="endorsed", source=letter))
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "has no date, nor has its source" in result.output
