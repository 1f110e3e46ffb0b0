"""One date formatter (kb.dates.humanize_partial, the `partial_date` Jinja filter): a source's
date and a stance's as-of date read the same on a person's page and on the compare page."""

from __future__ import annotations

import datetime as dt

from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance


def test_the_compare_page_writes_dates_as_the_person_page_does(app, client) -> None:
    with app.app_context(), session_scope() as s:
        a, b = make_person(s), make_person(s)
        claim = make_claim(s)
        day = make_source(s, published_on=dt.date(2017, 7, 17), date_precision="day")
        month = make_source(s, published_on=dt.date(2017, 2, 1), date_precision="month")
        quotes = [make_quote(s, a, day), make_quote(s, a, month)]
        make_stance(s, a, claim, "supports", evidence=quotes, as_of=dt.date(2018, 3, 9))
        make_stance(s, b, claim, "opposes")
        slug_a, slug_b = a.slug, b.slug
    person = client.get(f"/people/{slug_a}").get_data(as_text=True)
    compare = client.get(f"/compare/{slug_a}/{slug_b}").get_data(as_text=True)
    for shown in ("17 July 2017", "February 2017", "9 March 2018"):
        assert shown in person and shown in compare, shown
    assert "2017-07-17 ·" not in compare and "as of 2018-03-09" not in compare
