"""A quote's own date in the admin forms, and the as-of day a new stance form proposes from the
quotes chosen for it (kb.dates.as_of_from_evidence)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from kb import models as m
from kb.web.database import session_scope
from tests.factories import make_person, make_quote, make_source
from tests.helpers import error_beside, submit


def _quote_form(speaker: str, source: str, said: str) -> dict[str, str]:
    return {"text": "Dated words.", "speaker": speaker, "source": source, "said": said}


def test_a_quote_is_saved_with_its_own_date_and_a_bad_one_is_named(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        make_person(s, slug="p")
        make_source(s, slug="s", published_on=dt.date(2004, 9, 19), date_precision="day")
    data = {**_quote_form("p", "s", "2003-13"), "attribution": "verbatim", "checked": "primary"}
    r = submit(admin_client, "/admin/quote/new", data)
    assert r.status_code == 422 and "not a real date" in error_beside(r.text, "said")
    r = submit(admin_client, "/admin/quote/new", {**data, "said": "2003"})
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        quote = s.scalars(select(m.Quote)).one()
        assert (quote.said_on, quote.said_precision) == (dt.date(2003, 1, 1), "year")
        quote_id = quote.id
    page = admin_client.get(f"/admin/quote/{quote_id}/edit").text
    assert re.search(r'id="said"[^>]*value="2003"', page) or 'value="2003" id="said"' in page


def test_a_new_stance_on_chosen_quotes_proposes_the_newest_quotes_date(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        person = make_person(s, slug="p")
        june = make_quote(s, person, said_on=dt.date(2023, 6, 2), said_precision="day")
        july = make_quote(s, person, said_on=dt.date(2023, 7, 1), said_precision="month")
        undated = make_quote(s, person)
        ids = [june.id, july.id, undated.id]
    page = admin_client.get(
        "/admin/stance/new?person=p&" + "&".join(f"evidence={i}" for i in ids)
    ).text
    as_of = re.search(r'<input[^>]*name="as_of"[^>]*>', page)
    assert as_of and 'value="2023-07-31"' in as_of.group(0)
    for i in ids:
        assert re.search(rf'<option selected value="{i}"|<option value="{i}" selected', page), i
    assert "said July 2023" in page  # the evidence list shows each quote's date
    plain = admin_client.get(f"/admin/stance/new?person=p&evidence={undated.id}").text
    assert 'value="2023' not in re.search(r'<input[^>]*name="as_of"[^>]*>', plain).group(0)
