"""Estimates meet forecasts (issue 19 item 4): an estimate may link a public forecast question
(forecast_url) and the survey it was given in (survey_url). One rule (kb.rules): each a full
http(s) address within the URL limit, and only on an estimate. The stance form, the importer
(kb/1 JSON and the CSV bundle) and /estimates carry them; a kb/1 file without them still
imports; migration 0012 adds them and takes them away again."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import inspect, select

from kb import migrate, rules
from kb import models as m
from kb.db import make_engine
from kb.errors import DataError
from kb.formats import kb1
from kb.load.importer import apply_document
from kb.web.database import session_scope
from tests.factories import kb1_with_one_stance, make_claim, make_person, make_stance
from tests.helpers import Fresh, csvs, error_beside, kb_json, round_trip, submit

FORECAST = "https://www.metaculus.com/questions/578/human-extinction-by-2100/"
SURVEY = "https://aiimpacts.org/2023-expert-survey-on-progress-in-ai/"


@pytest.mark.parametrize(
    ("has_estimate", "links", "fields"),
    [
        (True, {"forecast_url": FORECAST, "survey_url": SURVEY}, []),
        (True, {"forecast_url": None, "survey_url": None}, []),
        (False, {}, []),
        (True, {"forecast_url": "javascript:alert(1)"}, ["forecast_url"]),
        (True, {"survey_url": "metaculus.com/questions/1"}, ["survey_url"]),
        (True, {"forecast_url": "https://x.example/" + "a" * rules.URL_MAX}, ["forecast_url"]),
        (False, {"forecast_url": FORECAST}, ["forecast_url"]),
    ],
)
def test_the_rule_of_an_estimates_links(has_estimate, links, fields) -> None:
    found = rules.estimate_link_problems(has_estimate, links)
    assert [field for field, _ in found] == fields


def test_the_importer_takes_the_links_and_an_old_file_alike(session) -> None:
    apply_document(
        session, kb1_with_one_stance(probability=0.1, forecast_url=FORECAST, survey_url=SURVEY)
    )
    stance = session.scalars(select(m.Stance)).one()
    assert (stance.forecast_url, stance.survey_url) == (FORECAST, SURVEY)
    apply_document(session, kb1_with_one_stance(probability=0.1))  # no links: they are left alone
    assert session.scalars(select(m.Stance)).one().forecast_url == FORECAST


@pytest.mark.parametrize(
    ("stance", "field", "words"),
    [
        ({"probability": 0.1, "forecast_url": "ftp://x.example/q"}, "forecast_url", "http"),
        ({"probability": 0.1, "survey_url": 12}, "survey_url", "must be text"),
        ({"forecast_url": FORECAST}, "forecast_url", "belong to an estimate"),
    ],
)
def test_the_importer_refuses_a_bad_link_and_writes_nothing(session, stance, field, words) -> None:
    with pytest.raises(DataError) as info:
        apply_document(session, kb1_with_one_stance(**stance))
    (problem,) = info.value.problems
    assert problem.field == field and words in problem.message
    assert session.scalar(select(m.Stance)) is None


def _linked(session) -> m.Stance:
    person, claim = make_person(session, name="Ada Example"), make_claim(session)
    return make_stance(
        session,
        person,
        claim,
        probability=0.1,
        estimate_of="AI leading to human extinction",
        forecast_url=FORECAST,
        survey_url=SURVEY,
    )


def test_the_links_round_trip_through_kb1_json_and_the_csv_bundle(app, databases, tmp_path):
    with app.app_context(), session_scope() as s:
        _linked(s)
    doc = kb_json(app)
    assert f'"forecast_url": "{FORECAST}"' in doc and f'"survey_url": "{SURVEY}"' in doc
    row = next(csv.DictReader(io.StringIO(csvs(app)["stances"])))
    assert (row["forecast_url"], row["survey_url"]) == (FORECAST, SURVEY)
    fresh = Fresh(databases, tmp_path)
    try:
        round_trip(app, fresh, tmp_path)
    finally:
        fresh.close()


def test_the_schema_describes_the_links() -> None:
    fields = kb1.schema()["$defs"]["stance"]["properties"]
    assert fields["forecast_url"]["maxLength"] == fields["survey_url"]["maxLength"] == 2000


def test_the_stance_form_edits_the_links(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        stance = _linked(s)
        sid = stance.id
        data = {
            "person": stance.person.slug,
            "claim": stance.claim.slug,
            "position": "supports",
            "basis": "explicit",
            "probability": "0.1",
            "evidence": [str(e.id) for e in stance.evidence],
        }
    page = f"/admin/stance/{sid}/edit"
    form = admin_client.get(page).text
    assert f'value="{FORECAST}"' in form and f'value="{SURVEY}"' in form
    r = submit(admin_client, page, data | {"forecast_url": "javascript:alert(1)"})
    assert "http" in error_beside(r.text, "forecast_url")
    other = "https://manifold.markets/someone/will-ai-x"
    r = submit(admin_client, page, data | {"forecast_url": other, "survey_url": ""})
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        saved = s.get(m.Stance, sid)
        assert (saved.forecast_url, saved.survey_url) == (other, None)


def test_the_estimates_page_links_the_forecast_and_the_survey(app, client) -> None:
    with app.app_context(), session_scope() as s:
        _linked(s)
    page = client.get("/estimates").text
    assert f'<a href="{FORECAST}" rel="nofollow">the forecast question</a>' in page
    assert f'<a href="{SURVEY}" rel="nofollow">the survey</a>' in page
    (row,) = client.get("/estimates.json").get_json()["rows"]
    assert (row["forecast_url"], row["survey_url"]) == (FORECAST, SURVEY)
    (line,) = csv.DictReader(io.StringIO(client.get("/estimates.csv").text))
    assert (line["forecast_url"], line["survey_url"]) == (FORECAST, SURVEY)


def test_no_seed_estimate_has_an_invented_link(seeded_app) -> None:
    with seeded_app.app_context(), session_scope() as s:
        linked = s.scalars(
            select(m.Stance).where(
                (m.Stance.forecast_url.is_not(None)) | (m.Stance.survey_url.is_not(None))
            )
        ).all()
    assert linked == []


def test_migration_0012_adds_the_columns_and_takes_them_away(databases) -> None:
    url = databases.empty()
    try:
        migrate.upgrade(url, "0012")
        engine = make_engine(url)
        try:
            names = {c["name"] for c in inspect(engine).get_columns("stance")}
            assert {"forecast_url", "survey_url"} <= names
            migrate.downgrade(url, "0009")
            engine.dispose()
            names = {c["name"] for c in inspect(engine).get_columns("stance")}
            assert not {"forecast_url", "survey_url"} & names
        finally:
            engine.dispose()
    finally:
        databases.drop(url)
