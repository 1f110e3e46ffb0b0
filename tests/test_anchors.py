"""Quote anchors (issue 18 item 4): a W3C TextQuoteSelector (exact, prefix, suffix) on a quote,
through the admin form, kb/1 JSON and CSV, and the quote's page."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from kb import models as m
from kb.errors import DataError
from kb.formats import exports
from kb.load.importer import apply_document
from kb.queries import export as q
from kb.web.database import get_engine, session_scope
from tests.factories import make_person, make_source
from tests.helpers import error_beside, submit

QUOTE = {
    "id": "Q1",
    "text": "Machines will think.",
    "speaker": "ada",
    "source": "talk",
    "attribution": "verbatim",
    "checked": "primary",
    "anchor_exact": "machines will think",
    "anchor_prefix": "I believe that ",
    "anchor_suffix": " one day",
}
DOC = {
    "format": "kb/1",
    "people": [{"slug": "ada", "name": "Ada Example"}],
    "sources": [{"slug": "talk", "title": "A talk", "kind": "talk"}],
    "quotes": [QUOTE],
}


def _json(app) -> dict:
    with app.app_context(), q.snapshot(get_engine()) as conn:
        return json.loads("".join(exports.kb_json(q.Reader(conn))))


def test_kb1_carries_the_anchor_and_refuses_a_prefix_without_exact_words(app, client) -> None:
    with app.app_context(), session_scope() as session:
        apply_document(session, DOC)
    out = _json(app)["quotes"][0]
    assert (out["anchor_exact"], out["anchor_prefix"], out["anchor_suffix"]) == (
        "machines will think",
        "I believe that ",
        " one day",
    )
    with app.app_context(), q.snapshot(get_engine()) as conn:
        header = "".join(exports.entity_csv("quotes", q.Reader(conn))).splitlines()[0]
    assert "anchor_exact,anchor_prefix,anchor_suffix" in header
    with app.app_context(), session_scope() as session:
        quote_id = session.scalar(select(m.Quote.id))
    html = client.get(f"/quotes/{quote_id}").get_data(as_text=True)
    assert "<mark>machines will think</mark>" in html and "I believe that" in html
    bad = dict(DOC, quotes=[{**QUOTE, "text": "Other.", "anchor_exact": None}])
    with pytest.raises(DataError) as err, app.app_context(), session_scope() as session:
        apply_document(session, bad)
    assert "'anchor_prefix': needs the exact words" in str(err.value)
    assert "'anchor_suffix': needs the exact words" in str(err.value)


def test_the_admin_form_saves_an_anchor_and_names_a_bad_one(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        make_person(s, slug="p")
        make_source(s, slug="s")
    data = {
        "text": "Words.",
        "speaker": "p",
        "source": "s",
        "attribution": "verbatim",
        "checked": "primary",
        "anchor_prefix": "before ",
    }
    r = submit(admin_client, "/admin/quote/new", data)
    assert r.status_code == 422
    assert "needs the exact words" in error_beside(r.text, "anchor_prefix")
    r = submit(admin_client, "/admin/quote/new", {**data, "anchor_exact": "Words"})
    assert r.status_code in (302, 303)
    with app.app_context(), session_scope() as s:
        quote = s.scalars(select(m.Quote)).one()
        assert (quote.anchor_exact, quote.anchor_prefix) == ("Words", "before")
        revision = s.scalars(select(m.Revision).where(m.Revision.entity == "quote")).one()
    assert revision.changes["anchor_exact"] == [None, "Words"]
    page = admin_client.get(f"/admin/quote/{quote.id}/edit").get_data(as_text=True)
    assert "anchor_exact" in page, page[-3000:]
    assert re.search(r"<textarea[^>]*name=\"anchor_exact\"[^>]*>\s*Words</textarea>", page)
