"""The seed dataset: built from the checked fact sheet alone, complete, and idempotent."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from kb import datastate
from kb import models as m
from kb.seed import load_seed, seed_document

ROOT = Path(__file__).resolve().parent.parent


def test_seed_file_is_exactly_what_the_fact_sheet_builds() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_seed", ROOT / "tools" / "build_seed.py")
    build_seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_seed)
    facts = json.loads((ROOT / "tools" / "seed_facts.json").read_text(encoding="utf-8"))
    assert build_seed.build(facts) == seed_document()


def test_every_quote_date_and_url_comes_from_the_fact_sheet() -> None:
    facts = json.loads((ROOT / "tools" / "seed_facts.json").read_text(encoding="utf-8"))
    doc = seed_document()
    assert {q["text"] for q in doc["quotes"]} == {q["text"] for q in facts["quotes"]}
    assert {s["url"] for s in doc["sources"]} == {s["url"] for s in facts["sources"]}
    fact_dates = {s["date"] for s in facts["sources"]}
    for s in doc["sources"]:
        assert any(
            d.startswith(s["published"]) or d.removeprefix("c. ").startswith(s["published"])
            for d in fact_dates
        ), s


def test_seed_loads_the_four_people_and_their_evidence(session) -> None:
    load_seed(session)
    session.commit()
    slugs = set(session.scalars(select(m.Person.slug)))
    assert slugs == {"francois-chollet", "elon-musk", "stephen-hawking", "martin-rees"}
    stances = session.scalars(select(m.Stance)).all()
    assert len(stances) == len(seed_document()["stances"])
    for stance in stances:
        assert stance.evidence, f"stance {stance} has no quote"
        for quote in stance.evidence:
            assert quote.source.url, f"quote {quote.id} has a source without a URL"
            assert quote.speaker_id == stance.person_id
    for quote in session.scalars(select(m.Quote)):
        assert quote.source.url.startswith(("http://", "https://"))


def test_seed_keeps_dates_with_their_precision(session) -> None:
    load_seed(session)
    rees_book = session.scalar(select(m.Source).where(m.Source.slug == "rees-ofh-2003"))
    assert (rees_book.published_on.year, rees_book.date_precision) == (2003, "year")
    tweet = session.scalar(select(m.Source).where(m.Source.slug == "chollet-tweet-2017-07"))
    assert tweet.date_precision == "month" and "exact date not seen" in tweet.date_note


def test_seeding_twice_changes_nothing(session) -> None:
    first = load_seed(session)
    session.commit()
    version = datastate.current(session)
    counts = {t: session.scalar(select(func.count()).select_from(t)) for t in (m.Quote, m.Stance)}
    second = load_seed(session)
    session.commit()
    assert first.changed and not second.changed
    assert datastate.current(session) == version
    assert counts == {
        t: session.scalar(select(func.count()).select_from(t)) for t in (m.Quote, m.Stance)
    }


def test_seed_cli_is_idempotent(runner) -> None:
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "32 created" in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
