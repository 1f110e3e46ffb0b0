"""The seed dataset: built from the checked fact sheet alone, complete, and idempotent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import func, select

from kb import models as m
from kb.load.seed import load_seed, seed_document
from kb.store import datastate

ROOT = Path(__file__).resolve().parent.parent


def _builder():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_seed", ROOT / "tools" / "build_seed.py")
    build_seed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_seed)
    return build_seed


def _facts() -> dict:
    return json.loads((ROOT / "tools" / "seed_facts.json").read_text(encoding="utf-8"))


def test_seed_file_is_exactly_what_the_fact_sheet_builds() -> None:
    assert _builder().build(_facts()) == seed_document()


def test_every_quote_date_and_url_comes_from_the_fact_sheet() -> None:
    facts = _facts()
    doc = seed_document()
    assert {q["text"] for q in doc["quotes"]} <= {q["text"] for q in facts["quotes"]}
    assert {s["url"] for s in doc["sources"]} == {s["url"] for s in facts["sources"]}
    fact_dates = {s["date"] for s in facts["sources"]}
    for s in doc["sources"]:
        if s["published"] is None:
            assert s["date_note"], s
            continue
        assert any(
            d.startswith(s["published"]) or d.removeprefix("c. ").startswith(s["published"])
            for d in fact_dates
        ), s


def _sheet_date_holds(sheet: str, said: str | None) -> bool:
    """`said` is the certain leading part of the sheet's date text (or nothing)."""
    return said is None or sheet.removeprefix("c. ").startswith(said)


def test_every_quote_is_the_sheets_word_for_word_with_its_date_source_and_label() -> None:
    builder, facts = _builder(), _facts()
    by_id = {q["id"]: q for q in seed_document()["quotes"]}
    refused = builder.unverified_ids(facts)
    assert refused and not refused & by_id.keys()  # the sheet's unverified list stays out
    sources = {s["id"]: s for s in facts["sources"]}
    for q in facts["quotes"]:
        confirmed = (q.get("second_check") or {}).get("result", "confirmed") == "confirmed"
        assert (q["id"] in by_id) == confirmed, q["id"]
        if not confirmed:
            continue
        got = by_id[q["id"]]
        assert got["text"] == q["text"]
        assert _sheet_date_holds(q["date"], got["said"]), q["id"]
        if got["said"] is None:  # no part of the sheet's date is certain: it is in the note
            assert f"Date in the fact sheet: {q['date']}." in got["note"]
        assert got["source"] == builder.source_slug(q["source"]) and q["source"] in sources
        assert (got["checked"], got["attribution"]) == (q["checked"], q["attribution"])
        if q.get("second_check"):
            assert q["second_check"]["seen_in"] in got["check_note"], q["id"]


def test_a_quote_keeps_its_own_date_where_it_differs_from_its_sources() -> None:
    doc = seed_document()
    published = {s["slug"]: s["published"] for s in doc["sources"]}
    differ = [q for q in doc["quotes"] if q["said"] != published[q["source"]]]
    assert differ  # the sheet has quotes dated apart from their source (a talk reported later)
    facts = {q["id"]: q["date"] for q in _facts()["quotes"]}
    for q in differ:
        assert _sheet_date_holds(facts[q["id"]], q["said"]), q


def test_every_stance_is_the_sheets_dated_by_its_newest_quote() -> None:
    builder, facts = _builder(), _facts()
    said = {q["id"]: q["said"] for q in seed_document()["quotes"]}
    claims = {c["id"]: builder.slug_from_id(c["short"]) for c in facts["claims"]}
    quoted = [s for s in seed_document()["stances"] if s["evidence"]]  # the rest: signing
    stances = {(s["person"], s["claim"], s["as_of"]): s for s in quoted}
    assert len(stances) == len(quoted) == len(facts["stances"])
    for st in facts["stances"]:
        dates = [said[i] for i in st["quote_ids"] if said[i]]
        as_of = builder.as_of(dates)
        got = stances[(builder.PEOPLE[st["person"]][0], claims[st["claim"]], as_of)]
        assert (got["position"], got["basis"]) == (st["position"], st["basis"])
        assert got["evidence"] == st["quote_ids"]
        assert all(as_of >= d for d in dates)  # never before the words it rests on


def test_seed_loads_the_sheets_people_and_their_evidence(session) -> None:
    load_seed(session)
    session.commit()
    slugs = set(session.scalars(select(m.Person.slug)))
    assert slugs == {p["slug"] for p in seed_document()["people"]}
    assert len(slugs) == len(_facts()["people"])
    stances = session.scalars(select(m.Stance)).all()
    assert len(stances) == len(seed_document()["stances"])
    signed = {
        (sig.person_id, sig.statement.claim_id) for sig in session.scalars(select(m.Signature))
    }
    for stance in stances:
        assert stance.evidence or (stance.person_id, stance.claim_id) in signed, stance
        for quote in stance.evidence:
            assert quote.source.url, f"quote {quote.id} has a source without a URL"
            assert quote.speaker_id == stance.person_id
    for quote in session.scalars(select(m.Quote)):
        assert quote.source.url.startswith(("http://", "https://"))


def test_seeded_views_change_over_time(session) -> None:
    """The sheet's changed views (Bengio on two claims, Altman, Zuckerberg) are two dated
    stances each, of which the newer one is the person's latest."""
    load_seed(session)
    session.commit()
    changed = 0
    for person, claim in session.execute(
        select(m.Stance.person_id, m.Stance.claim_id)
        .group_by(m.Stance.person_id, m.Stance.claim_id)
        .having(func.count() > 1)
    ):
        rows = session.scalars(
            select(m.Stance).where(m.Stance.person_id == person, m.Stance.claim_id == claim)
        ).all()
        assert all(r.as_of for r in rows)
        newest = max(rows, key=lambda r: r.as_of)
        assert [r.latest for r in rows] == [r is newest for r in rows]
        changed += len({r.position for r in rows}) > 1
    assert changed >= 4


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
    n = len(seed_document()["stances"])
    assert f"stances: {n} created, 0 skipped" in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert f"stances: 0 created, {n} skipped" in second.output
    assert "nothing changed" in second.output


def _edit_seed_records(app) -> None:
    """An editor's corrections to a seeded person (through the admin form), quote and stance
    (through kb.edits, which the forms call)."""
    from kb.edits import records, stances
    from kb.web.database import session_scope
    from tests.conftest import login, make_user
    from tests.helpers import submit

    make_user(app, "eve", "editor")
    client = app.test_client()
    assert login(client, "eve").status_code == 302
    with app.app_context(), session_scope() as s:
        musk = s.scalar(select(m.Person).where(m.Person.slug == "elon-musk"))
        musk_id, musk_name = musk.id, musk.name
    r = submit(
        client,
        f"/admin/person/{musk_id}/edit",
        {"name": musk_name, "slug": "elon-musk", "affiliation": "Corrected by an editor"},
    )
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        s.info["actor"] = "eve"
        quote = s.scalar(select(m.Quote).order_by(m.Quote.id).limit(1))
        records.save_quote(
            s,
            quote,
            {
                "text": quote.text,
                "speaker": quote.speaker.slug,
                "source": quote.source.slug,
                "locator": "p. 1 (editor's locator)",
                "attribution": quote.attribution,
                "checked": quote.checked,
            },
            version=quote.version,
        )
        stance = s.scalar(select(m.Stance).order_by(m.Stance.id).limit(1))
        stances.save_stance(
            s,
            stance,
            {
                "person": stance.person.slug,
                "claim": stance.claim.slug,
                "position": stance.position,
                "basis": stance.basis,
                "as_of": stance.as_of,
                "note": "An editor's note.",
                "evidence": [q.id for q in stance.evidence],
            },
            version=stance.version,
        )


def test_seed_never_overwrites_an_editors_corrections(app, runner) -> None:
    assert runner.invoke(args=["seed"]).exit_code == 0
    _edit_seed_records(app)
    with app.app_context(), session_scope_of(app) as s:
        version = datastate.current(s)
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    with app.app_context(), session_scope_of(app) as s:
        musk = s.scalar(select(m.Person).where(m.Person.slug == "elon-musk"))
        assert musk.affiliation == "Corrected by an editor"
        quote = s.scalar(select(m.Quote).order_by(m.Quote.id).limit(1))
        assert quote.locator == "p. 1 (editor's locator)"
        stance = s.scalar(select(m.Stance).order_by(m.Stance.id).limit(1))
        assert stance.note == "An editor's note."
        assert datastate.current(s) == version  # nothing was written at all
    out = result.output
    n = len(seed_document()["people"])
    assert (
        f"people: 0 created, {n} skipped (already there: 1 kept as edited, {n - 1} unchanged)"
        in out
    )
    assert "quotes: 0 created" in out and "stances: 0 created" in out
    assert "kept as edited, not overwritten: people elon-musk" in out
    doc = seed_document()  # ids follow the document's order, so the first of each was edited
    assert f"kept as edited, not overwritten: quotes {doc['quotes'][0]['id']}" in out
    first = doc["stances"][0]
    assert f"not overwritten: stances {first['person']} on {first['claim']}" in out
    assert out.count("kept as edited, not overwritten") == 3
    assert "nothing changed" in out


def session_scope_of(app):
    from kb.web.database import session_scope

    return session_scope(app)


def _counts(app) -> dict:
    with app.app_context(), session_scope_of(app) as s:
        return {
            t.__tablename__: s.scalar(select(func.count()).select_from(t))
            for t in (m.Person, m.Topic, m.Source, m.Claim, m.Quote, m.Stance, m.ClaimRelation)
        }


def test_seed_follows_records_whose_slug_or_key_an_editor_changed(app, runner) -> None:
    from kb.edits import records, stances

    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context(), session_scope_of(app) as s:
        s.info["actor"] = "eve"
        musk = s.scalar(select(m.Person).where(m.Person.slug == "elon-musk"))
        records.save_person(s, musk, {"name": musk.name, "slug": "elon-r-musk"}, musk.version)
        quote = s.scalar(select(m.Quote).order_by(m.Quote.id).limit(1))
        data = {"speaker": quote.speaker.slug, "source": quote.source.slug}
        data |= {"attribution": quote.attribution, "checked": quote.checked}
        records.save_quote(s, quote, {**data, "text": "Corrected words."}, quote.version)
        stance = s.scalar(select(m.Stance).order_by(m.Stance.id).limit(1))
        stances.save_stance(
            s,
            stance,
            {
                "person": stance.person.slug,
                "claim": stance.claim.slug,
                "position": stance.position,
                "basis": stance.basis,
                "as_of": dt.date(2001, 2, 3),
                "evidence": [q.id for q in stance.evidence],
            },
            stance.version,
        )
    before = _counts(app)
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert _counts(app) == before  # no old version added back beside the corrected one
    n = len(seed_document()["people"])
    assert f"people: 0 created, {n} skipped (already there: 1 kept as edited" in result.output
    assert "kept as edited, not overwritten: people elon-r-musk" in result.output
    with app.app_context(), session_scope_of(app) as s:
        assert s.scalar(select(m.Person).where(m.Person.slug == "elon-musk")) is None
        assert s.scalar(select(m.Quote).order_by(m.Quote.id).limit(1)).text == "Corrected words."
    assert "nothing changed" in result.output


def test_seed_does_not_bring_back_what_an_editor_deleted(app, runner) -> None:
    from kb.edits import deleting

    assert runner.invoke(args=["seed"]).exit_code == 0
    doc = seed_document()
    claim_slug = doc["claim_relations"][0]["from"]
    topic_slug = doc["topics"][0]["slug"]
    with app.app_context(), session_scope_of(app) as s:
        s.info["actor"] = "eve"
        claim = s.scalar(select(m.Claim).where(m.Claim.slug == claim_slug))
        plan = deleting.delete(s, claim, claim.version)  # its stances and relations go with it
        gone = len(plan.deleted)
        topic = s.scalar(select(m.Topic).where(m.Topic.slug == topic_slug))
        deleting.delete(s, topic, topic.version)
    before = _counts(app)
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert _counts(app) == before
    out = result.output
    assert f"deleted by an editor, not added again: claims {claim_slug}" in out
    assert f"deleted by an editor, not added again: topics {topic_slug}" in out
    assert out.count("deleted by an editor, not added again") == gone + 2
    assert "nothing changed" in out
