"""Affiliations on the pages (issue 14 item 6): the person page lists them, current first and
in plain words; /people?organisation= filters by them (HTML, JSON and CSV alike); a quote shows
its speaker's affiliation at the time where the dates allow, unless its own free text is set."""

from __future__ import annotations

import csv
import datetime as dt
import io

from kb.web.database import session_scope
from tests.factories import (
    make_affiliation,
    make_claim,
    make_person,
    make_quote,
    make_source,
    make_stance,
)

D = dt.date


def _bengio(app) -> None:
    with app.app_context(), session_scope() as s:
        bengio = make_person(s, slug="yoshua-bengio", name="Yoshua Bengio")
        other = make_person(s, slug="ada", name="Ada")
        make_person(s, slug="nobody", name="Nobody")
        make_affiliation(
            s, bengio, organisation="Mila", role="Founder", started=(D(1993, 1, 1), "year")
        )
        make_affiliation(
            s,
            bengio,
            organisation="Université de Montréal",
            role="Professor",
            started=(D(1993, 1, 1), "year"),
            ended=(D(2020, 6, 1), "month"),
        )
        make_affiliation(s, bengio, organisation="Element AI")  # no dates, no role
        make_affiliation(s, other, organisation="Université de Montréal")
        claim = make_claim(s, slug="risk")
        dated = make_source(s, published_on=D(2019, 5, 1), date_precision="month")
        later = make_source(s, published_on=D(2021, 3, 2), date_precision="day")
        undated = make_source(s)
        quotes = [
            make_quote(s, bengio, dated, text="Said in 2019."),
            make_quote(s, bengio, later, text="Said in 2021."),
            make_quote(s, bengio, undated, text="Said some day."),
            make_quote(s, bengio, dated, text="Own words.", speaker_affiliation="Free text"),
        ]
        make_stance(s, bengio, claim, evidence=quotes)


def test_the_person_page_lists_current_affiliations_first(app, client) -> None:
    _bengio(app)
    body = client.get("/people/yoshua-bengio").text
    section = body[body.index('id="affiliations-h"') :]
    founder, element, professor = (
        section.index('Founder, Mila</a> <span class="muted">(since 1993)'),
        section.index(">Element AI</a></li>"),
        section.index(
            'Professor, Université de Montréal</a> <span class="muted">(1993 to June 2020)'
        ),
    )
    assert founder < element < section.index("Earlier") < professor
    data = client.get("/people/yoshua-bengio.json").json["affiliations"]
    assert [a["text"] for a in data] == [
        "Founder, Mila (since 1993)",
        "Element AI",
        "Professor, Université de Montréal (1993 to June 2020)",
    ]
    assert [a["current"] for a in data] == [True, True, False]
    assert data[2]["from"] == "1993" and data[2]["to"] == "2020-06"


def test_people_filter_by_organisation_name_or_slug_in_every_format(app, client) -> None:
    _bengio(app)
    for value in ("Université de Montréal", "universite-de-montreal"):
        html = client.get("/people", query_string={"organisation": value}).text
        assert "Yoshua Bengio" in html and ">Ada<" in html and "Nobody" not in html
        rows = client.get("/people.json", query_string={"organisation": value}).json["rows"]
        assert sorted(r["slug"] for r in rows) == ["ada", "yoshua-bengio"]
        text = client.get("/people.csv", query_string={"organisation": value}).text
        assert sorted(r["slug"] for r in csv.DictReader(io.StringIO(text))) == [
            "ada",
            "yoshua-bengio",
        ]
    mila = client.get("/people.json?organisation=mila").json
    assert [r["slug"] for r in mila["rows"]] == ["yoshua-bengio"]
    assert mila["filters"]["organisation"] == "mila"
    facet = {f["label"]: (f["value"], f["count"]) for f in mila["facets"]["organisation"]}
    assert facet["Université de Montréal"] == ("universite-de-montreal", 2)
    assert client.get("/people.json?organisation=unknown-place").json["rows"] == []


def test_an_organisation_without_latin_letters_is_filtered_by_its_name(app, client) -> None:
    with app.app_context(), session_scope() as s:
        make_affiliation(s, make_person(s, slug="li", name="Li"), organisation="清华大学")
    facet = client.get("/people.json").json["facets"]["organisation"]
    assert [(f["value"], f["count"]) for f in facet] == [("清华大学", 1)]
    rows = client.get("/people.json", query_string={"organisation": "清华大学"}).json["rows"]
    assert [r["slug"] for r in rows] == ["li"]


def test_a_quote_shows_the_affiliation_its_date_falls_in(app, client) -> None:
    _bengio(app)
    evidence = client.get("/people/yoshua-bengio.json").json["stances"]["supports"][0]["evidence"]
    at = {q["text"]: (q["affiliation_at_time"], q["speaker_affiliation"]) for q in evidence}
    assert at["Said in 2019."] == ("Founder, Mila; Professor, Université de Montréal", None)
    assert at["Said in 2021."] == ("Founder, Mila", None)  # the professorship ended in 2020
    assert at["Said some day."] == (None, None)  # an undated source places nothing
    assert at["Own words."][1] == "Free text"
    html = client.get("/claims/risk").text
    assert "Founder, Mila; Professor, Université de Montréal" in html
    own = html[html.index("<p>Own words.</p>") :]
    assert own[: own.index("</figcaption>")].count("Founder, Mila") == 0  # the free text wins


def test_the_organisation_facet_says_how_many_and_lists_them_all_on_request(
    seeded_client, seeded_app
) -> None:
    from sqlalchemy import func, select

    from kb.models import Affiliation

    with seeded_app.app_context(), session_scope() as session:
        total = session.scalar(select(func.count(Affiliation.organisation.distinct())))
    data = seeded_client.get("/people.json").get_json()
    more = data["facet_more"]["organisation"]
    assert more["total"] == total and more["shown"] == len(data["facets"]["organisation"])
    assert more["shown"] == min(total, 30)
    everything = seeded_client.get(f"/people.json?facet_limit={total}").get_json()
    assert len(everything["facets"]["organisation"]) == total
    html = seeded_client.get("/people").get_data(as_text=True)
    assert (f"Show all {total}" in html) == (total > 30)


def test_the_organisation_facet_can_be_searched(seeded_client) -> None:
    data = seeded_client.get("/people.json?organisation_q=UNIVERSITY").get_json()
    found = [f["label"] for f in data["facets"]["organisation"]]
    assert found and all("university" in label.casefold() for label in found)
    assert data["facet_more"]["organisation"] == {**data["facet_more"]["organisation"],
                                                 "total": len(found), "query": "UNIVERSITY"}  # fmt: skip
    html = seeded_client.get("/people?organisation_q=zzzz").get_data(as_text=True)
    assert 'name="organisation_q"' in html and "No organisation (now or before) matches" in html
    # the people themselves are not filtered by the facet's search
    everyone = seeded_client.get("/people.json?organisation_q=zzzz").get_json()
    assert everyone["pagination"]["total"] == seeded_client.get("/people.json").get_json()[
        "pagination"]["total"]  # fmt: skip
