"""The seed's affiliations (tools/seed_affiliations.py) hold only what the fact sheet's people
records say: each record's note quotes a segment of the person's role_at_time word for word, its
role and organisation are words of that segment, and each date is written in the person's
role_at_time or fact_sources; every person of the sheet is decided; the records import."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from sqlalchemy import func, select

import kb.load.seed as seed_module
from kb import models as m
from kb.formats import kb1
from kb.load.importer import apply_document
from kb.load.seed import load_seed
from kb.rules import slugify
from kb.web.database import session_scope

ROOT = Path(__file__).resolve().parent.parent
MONTHS = "January February March April May June July August September October November December"


def _built() -> tuple[dict, dict[str, str], list[dict]]:
    spec = importlib.util.spec_from_file_location(
        "seed_affiliations", ROOT / "tools" / "seed_affiliations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    facts = json.loads((ROOT / "tools" / "seed_facts.json").read_text(encoding="utf-8"))
    people = {p["id"]: slugify(p["full_name"]) for p in facts["people"]}
    return facts, people, module.build(facts, people, {})


def _written(date: str, text: str) -> bool:
    """The partial date as the sheet writes it: "2013", or "May 2023" / "Nov 2025"."""
    if len(date) == 4:
        return date in text
    year, month = date[:4], MONTHS.split()[int(date[5:7]) - 1]
    return f"{month} {year}" in text or f"{month[:3]} {year}" in text


def test_every_affiliation_is_in_the_person_record_word_for_word() -> None:
    facts, people, records = _built()
    by_slug = {people[p["id"]]: p for p in facts["people"]}
    for r in records:
        assert list(r) == list(kb1.FIELDS["affiliations"])
        sheet = by_slug[r["person"]]
        segment = r["note"].removeprefix("Fact sheet: “").removesuffix("”")
        assert segment in sheet["role_at_time"], r
        assert r["organisation"] in segment and (r["role"] or "") in segment, r
        said = " ".join([sheet["role_at_time"], *sheet["fact_sources"]])
        for date in (r["from"], r["to"]):
            assert date is None or _written(date, said), (r, date)


def test_every_person_of_the_sheet_has_their_affiliations() -> None:
    facts, people, records = _built()
    assert {r["person"] for r in records} == set(people.values())
    hinton = [r for r in records if r["person"] == people["hinton"]]
    assert (hinton[0]["organisation"], hinton[0]["from"], hinton[0]["to"]) == (
        "Google",
        "2013",
        "2023-05",
    )
    assert all(r["from"] is None and r["to"] is None for r in records if "(2014" in r["note"])


def test_the_seed_affiliations_import(app) -> None:
    facts, people, records = _built()
    doc = {
        "format": "kb/1",
        "people": [{"slug": people[p["id"]], "name": p["full_name"]} for p in facts["people"]],
        "affiliations": records,
    }
    with app.app_context(), session_scope() as s:
        apply_document(s, doc)
    with app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.Affiliation)) == len(records)


def test_seeding_affiliations_twice_keeps_an_editors_changes(session, monkeypatch) -> None:
    doc = seed_module.seed_document()
    doc["affiliations"] = [
        {
            "person": "francois-chollet",
            "organisation": "Google",
            "role": "Engineer",
            "from": "2015",
        },
        {"person": "elon-musk", "organisation": "Tesla", "role": "CEO"},
    ]
    monkeypatch.setattr(seed_module, "seed_document", lambda: json.loads(json.dumps(doc)))
    load_seed(session)
    session.commit()
    google, tesla = session.scalars(select(m.Affiliation).order_by(m.Affiliation.id)).all()
    google.started_precision, google.started_on = "month", google.started_on.replace(month=3)
    session.delete(tesla)
    session.commit()
    again = load_seed(session)
    session.commit()
    assert not again.changed
    rows = session.scalars(select(m.Affiliation)).all()
    assert [(a.organisation, a.started_on.month) for a in rows] == [("Google", 3)]
