"""Estimates (issue 14 item 4): the rules of a probability, range or dated prediction and of the
quote giving it, the same in the importer, the stance form and the database; kb/1 JSON and CSV
carry them unchanged; the plain words on the person page; /estimates and its two twins."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kb import models as m
from kb import rules
from kb.edits.outcomes import Invalid
from kb.edits.stances import save_stance
from kb.errors import DataError
from kb.load.importer import apply_document
from kb.queries.estimates import estimate_words
from kb.web.database import session_scope
from tests.factories import (
    kb1_with_one_stance,
    make_claim,
    make_person,
    make_quote,
    make_source,
    make_stance,
)
from tests.helpers import Fresh, error_beside, kb_json, round_trip, submit

WORDS = "10–20% chance of AI leading to human extinction (time frame: the next 30 years)"


@pytest.mark.parametrize(
    ("low", "high", "quote", "fields"),
    [
        (0.1, 0.2, "q1", []),
        (0.5, None, None, []),
        (None, None, "q1", []),  # a dated prediction: no number
        (0.2, 0.2, None, []),
        (None, 0.2, None, ["probability_high"]),
        (0.3, 0.2, None, ["probability_high"]),
        (0.1, 0.2, "q9", ["estimate_quote"]),
    ],
)
def test_estimate_rules(low, high, quote, fields) -> None:
    found = rules.estimate_problems(low, high, quote, ["q1", "q2"])
    assert [field for field, _ in found] == fields


def test_estimates_in_plain_words() -> None:
    assert estimate_words(0.1, 0.2, "AI leading to human extinction", "the next 30 years") == WORDS
    assert estimate_words(0.005, None, "a war", None) == "0.5% chance of a war"
    assert (
        estimate_words(None, None, "human-level AI", "by 2029")
        == "predicts human-level AI, by 2029"
    )


def _estimate(session) -> m.Stance:
    """A synthetic person's range estimate, its quote said on 26 Dec 2024, and a dated
    prediction by another, said in a month."""
    person, claim = make_person(session, name="Ada Example"), make_claim(session, text="Risk.")
    source = make_source(session, published_on=dt.date(2024, 12, 26), date_precision="day")
    quote = make_quote(
        session, person, source=source, said_on=dt.date(2024, 12, 26), said_precision="day"
    )
    stance = make_stance(
        session,
        person,
        claim,
        evidence=[quote, make_quote(session, person)],
        probability=0.1,
        probability_high=0.2,
        horizon="the next 30 years",
        estimate_of="AI leading to human extinction",
        estimate_quote=quote,
    )
    other = make_person(session, name="Bob Example")
    dated = make_source(session, published_on=dt.date(2017, 3, 1), date_precision="month")
    said = make_quote(
        session, other, source=dated, said_on=dt.date(2017, 3, 1), said_precision="month"
    )
    make_stance(
        session,
        other,
        claim,
        evidence=[said],
        horizon="by 2029",
        estimate_of="human-level AI",
        estimate_quote=said,
    )
    make_stance(session, make_person(session, name="Cy Example"), claim, probability=0.9)
    return stance


def test_the_database_refuses_a_range_upside_down(session) -> None:
    stance = _estimate(session)
    stance.probability_high = 0.05
    with pytest.raises(IntegrityError):
        session.flush()


def test_estimates_round_trip_through_json_and_csv(app, databases, tmp_path) -> None:
    with app.app_context(), session_scope() as s:
        quote_id = _estimate(s).estimate_quote_id
    doc = kb_json(app)
    assert '"probability_high": 0.2' in doc and f'"estimate_quote": "q{quote_id}"' in doc
    fresh = Fresh(databases, tmp_path)
    try:
        round_trip(app, fresh, tmp_path)
    finally:
        fresh.close()


@pytest.mark.parametrize(
    ("stance", "field", "words"),
    [
        ({"probability_high": 0.2}, "probability_high", "needs its low end"),
        ({"probability": 0.3, "probability_high": 0.2}, "probability_high", "below its low end"),
        ({"probability_high": 1.5, "probability": 0.1}, "probability_high", "between 0 and 1"),
        ({"estimate_quote": "two"}, "estimate_quote", "evidence quotes"),
        ({"estimate_quote": "nine"}, "estimate_quote", "unknown quote"),
        ({"estimate_of": "x" * 501}, "estimate_of", "limit is 500"),
    ],
)
def test_the_importer_refuses_a_bad_estimate_and_writes_nothing(
    session, stance, field, words
) -> None:
    with pytest.raises(DataError) as info:
        apply_document(session, kb1_with_one_stance(**stance))
    (problem,) = info.value.problems
    assert problem.field == field and words in problem.message
    assert problem.record.startswith("stance")
    assert session.scalar(select(m.Stance)) is None


def test_the_importer_takes_an_estimate_and_an_old_file_alike(session) -> None:
    apply_document(
        session, kb1_with_one_stance(probability=0.1, probability_high=0.2, estimate_quote="one")
    )
    stance = session.scalars(select(m.Stance)).one()
    assert (stance.probability_high, stance.estimate_quote.text) == (0.2, "one")
    doc = kb1_with_one_stance()  # a kb/1 file from before estimates: imports unchanged
    apply_document(session, doc)
    assert session.scalars(select(m.Stance)).one().estimate_quote_id == stance.estimate_quote_id


def test_person_and_claim_pages_say_the_estimate_in_plain_words(app, client) -> None:
    with app.app_context(), session_scope() as s:
        stance = _estimate(s)
        paths = [f"/people/{stance.person.slug}", f"/claims/{stance.claim.slug}"]
    for path in paths:
        assert f"{WORDS}, said 26 December 2024" in client.get(path).text, path


def test_the_estimates_page_sorts_and_links_the_quote(app, client) -> None:
    with app.app_context(), session_scope() as s:
        stance = _estimate(s)
        person, claim, url = stance.person.slug, stance.claim.slug, stance.estimate_quote.source.url
    page = client.get("/estimates").text
    assert 'href="/estimates"' in client.get("/").text
    assert page.index("Cy Example") < page.index("Ada Example") < page.index("Bob Example")
    assert f'href="/people/{person}#claim-{claim}"' in page and f'href="{url}"' in page
    by_date = client.get("/estimates.json?sort=date").get_json()
    assert [r["said"] for r in by_date["rows"]] == ["2024-12-26", "2017-03", None]
    by_person = client.get("/estimates.json?sort=person").get_json()["rows"]
    assert [r["person"]["name"] for r in by_person] == ["Ada Example", "Bob Example", "Cy Example"]
    assert client.get("/estimates?sort=size").status_code == 400


def test_the_estimates_csv_holds_every_estimate(app, client) -> None:
    with app.app_context(), session_scope() as s:
        quote_id = _estimate(s).estimate_quote_id
    rows = list(csv.DictReader(io.StringIO(client.get("/estimates.csv").text)))
    assert [r["person_name"] for r in rows] == ["Cy Example", "Ada Example", "Bob Example"]
    assert rows[1]["words"] == WORDS and rows[1]["quote"] == str(quote_id)
    assert (rows[1]["probability"], rows[1]["probability_high"]) == ("0.1", "0.2")
    assert rows[2]["said"] == "2017-03" and rows[2]["probability"] == ""


def test_the_stance_form_edits_the_estimate(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        stance = _estimate(s)
        sid, quote_id = stance.id, stance.evidence[1].id
        names = {"person": stance.person.slug, "claim": stance.claim.slug}
        evidence = [str(q.id) for q in stance.evidence]
    data = {
        **names,
        "position": "supports",
        "basis": "explicit",
        "probability": "0.3",
        "probability_high": "0.25",
        "estimate_of": "something else",
        "estimate_quote": f"#{quote_id + 100}",
        "evidence": evidence,
    }
    page = f"/admin/stance/{sid}/edit"
    r = submit(admin_client, page, data)
    assert "below its low end" in error_beside(r.text, "probability_high")
    assert "evidence quotes" in error_beside(r.text, "estimate_quote")
    r = submit(
        admin_client, page, data | {"probability_high": "0.4", "estimate_quote": str(quote_id)}
    )
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        saved = s.get(m.Stance, sid)
        assert (saved.probability, saved.probability_high) == (0.3, 0.4)
        assert (saved.estimate_of, saved.estimate_quote_id) == ("something else", quote_id)
    assert f'value="{quote_id}"' in admin_client.get(page).text


def test_a_save_checks_the_estimate_as_the_importer_does(session) -> None:
    stance = _estimate(session)
    other = make_quote(session, make_person(session))
    data = {
        "person": stance.person.slug,
        "claim": stance.claim.slug,
        "position": "supports",
        "basis": "explicit",
        "probability_high": 0.5,
        "estimate_of": "x" * 501,
        "estimate_quote": other.id,
        "evidence": [q.id for q in stance.evidence],
    }
    with pytest.raises(Invalid) as info:
        save_stance(session, stance, data, stance.version)
    assert sorted(e.field for e in info.value.errors) == [
        "estimate_of",
        "estimate_quote",
        "probability_high",
    ]
