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


def test_a_quote_shows_its_own_date_and_its_source_page_shows_both(app, client) -> None:
    with app.app_context(), session_scope() as s:
        a, b = make_person(s), make_person(s)
        claim = make_claim(s)
        book = make_source(s, published_on=dt.date(2004, 9, 19), date_precision="day")
        said = {"said_on": dt.date(2003, 1, 1), "said_precision": "year"}
        quote = make_quote(s, a, book, **said)
        make_stance(s, a, claim, "supports", evidence=[quote])
        make_stance(s, b, claim, "opposes")
        pages = [f"/people/{a.slug}", f"/claims/{claim.slug}", f"/sources/{book.slug}"]
        compare = f"/compare/{a.slug}/{b.slug}"
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert 'said <time datetime="2003">2003</time>' in html, path
    assert "19 September 2004" in client.get(pages[2]).get_data(as_text=True)
    search = client.get("/search?q=words&kind=quote").get_data(as_text=True)
    assert 'said <time datetime="2003">2003</time>' in search
    assert "said 2003 ·" in client.get(compare).get_data(as_text=True)


def test_a_stances_as_of_from_its_evidence_is_the_end_of_the_newest_quotes_period() -> None:
    from kb.dates import as_of_from_evidence

    july, june = (dt.date(2023, 7, 1), "month"), (dt.date(2023, 6, 2), "day")
    assert as_of_from_evidence([june, july]) == dt.date(2023, 7, 31)
    assert as_of_from_evidence([(dt.date(2024, 1, 1), "year"), july]) == dt.date(2024, 12, 31)
    assert as_of_from_evidence([(dt.date(2024, 2, 1), "month")]) == dt.date(2024, 2, 29)
    assert as_of_from_evidence([(None, None)]) is None and as_of_from_evidence([]) is None
