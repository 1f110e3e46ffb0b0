"""One stance serialiser (kb.queries.shapes.stance_data) writes both published shapes: the
person page's .json and /compare/<a>/<b>.json agree on every field they share, and each keeps
its documented fields."""

from __future__ import annotations

import datetime as dt

from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance

# the compare shape as first published, and the reader note added with issue 15
COMPARE_STANCE = {"position", "basis", "as_of", "note", "reader_note", "evidence"}
COMPARE_SOURCE = {"slug", "title", "url", "published_on", "date_precision"}


def test_compare_and_person_json_shape_one_stance_alike(app, client) -> None:
    with app.app_context(), session_scope() as s:
        a, b = make_person(s), make_person(s)
        claim = make_claim(s)
        src = make_source(s, published_on=dt.date(2017, 2, 1), date_precision="month")
        make_stance(s, a, claim, "supports", evidence=[make_quote(s, a, src)], note="n")
        make_stance(s, b, claim, "opposes", as_of=dt.date(2019, 1, 2))
        slug_a, slug_b = a.slug, b.slug
    crux = client.get(f"/compare/{slug_a}/{slug_b}.json").get_json()["cruxes"][0]["a"]
    page = client.get(f"/people/{slug_a}.json").get_json()["stances"]["supports"][0]
    assert set(crux) == COMPARE_STANCE and set(page) >= COMPARE_STANCE
    assert {k: crux[k] for k in ("position", "basis", "as_of", "note")} == {
        k: page[k] for k in ("position", "basis", "as_of", "note")
    }
    (cq,), (pq,) = crux["evidence"], page["evidence"]
    assert set(cq) == {"text", "attribution", "checked", "said_on", "said_precision", "source"}
    assert set(cq["source"]) == COMPARE_SOURCE
    assert cq["source"]["published_on"] == "2017-02-01" and pq["source"]["published"] == "2017-02"
    assert {k: cq["source"][k] for k in ("slug", "title", "url")} == {
        k: pq["source"][k] for k in ("slug", "title", "url")
    }
