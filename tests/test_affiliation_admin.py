"""The affiliation form of the records admin: saved with its dates as precise as given, the
period rule beside its field with nothing saved, editing shows the stored values."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from kb import models as m
from kb.web.database import session_scope
from tests.factories import make_person
from tests.helpers import error_beside, submit


def _person(app) -> None:
    with app.app_context(), session_scope() as s:
        make_person(s, slug="yoshua-bengio", name="Yoshua Bengio")


def test_an_affiliation_is_added_and_edited_through_its_form(app, editor_client) -> None:
    _person(app)
    data = {
        "person": "Yoshua Bengio",
        "organisation": "Université de Montréal",
        "role": "Professor",
        "started": "1993",
        "ended": "",
    }
    r = submit(editor_client, "/admin/affiliation/new", data)
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        a = s.scalars(select(m.Affiliation)).one()
        assert (a.person.slug, a.started_on, a.started_precision) == (
            "yoshua-bengio",
            dt.date(1993, 1, 1),
            "year",
        )
        assert a.ended_on is None
        record_id = a.id
    page = editor_client.get(f"/admin/affiliation/{record_id}/edit").text
    assert 'value="1993"' in page and 'value="yoshua-bengio"' in page
    r = submit(editor_client, f"/admin/affiliation/{record_id}/edit", {**data, "ended": "2020-06"})
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        assert s.get(m.Affiliation, record_id).ended_precision == "month"
    assert "Professor, Université de Montréal" in editor_client.get("/admin/affiliation/").text
    history = editor_client.get(f"/admin/affiliation/{record_id}/history")
    assert history.status_code == 200 and "2020-06" in history.text
    assert "Yoshua Bengio: Professor" in editor_client.get("/admin/changes").text
    r = submit(editor_client, f"/admin/affiliation/{record_id}/delete", {})
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        assert s.get(m.Affiliation, record_id) is None


def test_deleting_a_person_says_their_affiliations_go_too(app, editor_client) -> None:
    _person(app)
    data = {"person": "yoshua-bengio", "organisation": "Mila"}
    assert submit(editor_client, "/admin/affiliation/new", data).status_code == 302
    with app.app_context(), session_scope() as s:
        person_id = s.scalars(select(m.Person.id)).one()
    page = editor_client.get(f"/admin/person/{person_id}/delete").text
    assert "Mila" in page
    r = submit(editor_client, f"/admin/person/{person_id}/delete", {})
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.Affiliation)) == 0


def test_an_affiliation_ending_before_it_starts_is_refused(app, editor_client) -> None:
    _person(app)
    data = {"person": "yoshua-bengio", "organisation": "Mila", "started": "2010", "ended": "2009"}
    r = submit(editor_client, "/admin/affiliation/new", data)
    assert r.status_code == 422
    assert "ends before it starts" in error_beside(r.text, "ended")
    r = submit(editor_client, "/admin/affiliation/new", {**data, "person": "nobody", "ended": ""})
    assert r.status_code == 422 and "there is no person" in error_beside(r.text, "person")
    with app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.Affiliation)) == 0
