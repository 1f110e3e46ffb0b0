"""/changes?since=YYYY-MM-DD (issue 19 item 3): every public change since a day, newest first,
paged, in readers' words, with its /changes.json twin holding the same rows; a day that is
not one is a 400 that says what to write instead, on the page and in the twin alike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from kb import models as m
from kb.web.database import session_scope
from tests.factories import make_person


def _people(app, n: int) -> None:
    with app.app_context(), session_scope() as s:
        s.info["actor"] = "alice-the-editor"
        for i in range(n):
            make_person(s, name=f"Reader Person {i}")


def _age_first(app, days: int) -> None:
    """Make the oldest revision `days` old, as if made then."""
    with app.app_context(), session_scope() as s:
        first = min(r.id for r in s.query(m.Revision))
        when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        s.execute(update(m.Revision).where(m.Revision.id == first).values(created_at=when))


def test_a_bad_day_is_a_clear_400_on_the_page_and_its_twin(client) -> None:
    for bad in ("2024-13-01", "yesterday", "2024-02-30", "٢٠٢٤-٠١-٠١"):
        page = client.get("/changes", query_string={"since": bad})
        assert page.status_code == 400 and "must be a date like 2017-07-17" in page.text, bad
        twin = client.get("/changes.json", query_string={"since": bad})
        assert twin.status_code == 400
        assert "must be a date like" in twin.get_json()["error"]["message"]


def test_since_leaves_out_what_changed_before_that_day(app, client) -> None:
    _people(app, 3)
    _age_first(app, 10)
    everything = client.get("/changes.json").get_json()
    assert everything["since"] is None and everything["pagination"]["total"] == 3
    today = dt.datetime.now(dt.UTC).date()
    recent = client.get(f"/changes.json?since={today - dt.timedelta(days=2)}").get_json()
    assert recent["since"] == str(today - dt.timedelta(days=2))
    assert [r["summary"] for r in recent["rows"]] == [
        "Added the person Reader Person 2",
        "Added the person Reader Person 1",
    ]
    html = client.get(f"/changes?since={today - dt.timedelta(days=2)}").text
    assert "Reader Person 2" in html and "Reader Person 0" not in html
    assert "Showing 1–2 of 2 changes" in html


def test_the_list_is_paged_and_the_twin_matches_the_page(app, client) -> None:
    _people(app, 5)
    first = client.get("/changes.json?per_page=2").get_json()
    assert first["pagination"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3}
    last = client.get("/changes.json?per_page=2&page=3").get_json()
    assert [r["summary"] for r in last["rows"]] == ["Added the person Reader Person 0"]
    html = client.get("/changes?per_page=2").text
    for row in first["rows"]:
        assert f'<a href="{row["url"]}">{row["summary"]}</a>' in html
    assert 'rel="next"' in html and "Page 1 of 3" in html


def test_rows_say_what_changed_not_who_nor_any_value(app, client) -> None:
    _people(app, 1)
    with app.app_context(), session_scope() as s:
        person = s.query(m.Person).one()
        person.description = "A private-looking note about them"
    body = client.get("/changes.json").text
    row = client.get("/changes.json").get_json()["rows"][0]
    assert row["summary"] == "Changed the person Reader Person 0: its description"
    assert row["fields"] == ["description"] and row["page"]["kind"] == "person"
    assert "alice" not in body and "private-looking" not in body
    assert "user" not in row and "actor" not in row


def test_a_removed_record_is_told_by_its_old_name_without_a_dead_link(app, client) -> None:
    _people(app, 1)
    with app.app_context(), session_scope() as s:
        s.delete(s.query(m.Person).one())
    row = client.get("/changes.json").get_json()["rows"][0]
    assert row["summary"] == "Removed the person Reader Person 0"
    assert row["page"] is None and row["url"] == "/changes"


def test_the_page_offers_the_day_form_and_the_feed(client) -> None:
    html = client.get("/changes").text
    assert '<input id="since" name="since" type="date"' in html
    assert 'href="/changes.atom"' in html
