"""Readers see the notes written for them; the editors' notes stay on the admin side (issue 15).

Sources, stances and claim relations carry two notes: `note`, how the record was made (for
editors), and `reader_note`, shown on the public pages.
"""

from __future__ import annotations

import json

from sqlalchemy import select, text

from kb import migrate
from kb import models as m
from kb.db import make_engine
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import submit

EDITORS = "Seen only in a mirror; the sheet's as_of said 2023-04."
READERS = "Said in a radio interview, in reply to a caller."


def _records(app) -> dict[str, str]:
    with app.app_context(), session_scope() as s:
        person = make_person(s, name="Ada Example")
        claim, other = make_claim(s), make_claim(s)
        source = make_source(s, note=EDITORS, reader_note=READERS)
        quote = make_quote(s, person, source)
        make_stance(s, person, claim, evidence=[quote], note=EDITORS, reader_note=READERS)
        s.add(
            m.ClaimRelation(
                from_claim=other,
                to_claim=claim,
                kind="supports",
                note=EDITORS,
                reader_note=READERS,
            )
        )
        return {"person": person.slug, "claim": claim.slug, "source": source.slug}


def test_public_pages_show_the_reader_note_and_never_the_editors(app, client) -> None:
    slugs = _records(app)
    for path in (
        f"/people/{slugs['person']}",
        f"/claims/{slugs['claim']}",
        f"/sources/{slugs['source']}",
    ):
        page = client.get(path).get_data(as_text=True)
        assert READERS in page, path
        assert "Seen only in a mirror" not in page, path


def test_the_json_twins_carry_both_notes_by_name(app, client) -> None:
    slugs = _records(app)
    claim = client.get(f"/claims/{slugs['claim']}.json").get_json()
    (stance,) = claim["sides"]["supports"]
    assert (stance["note"], stance["reader_note"]) == (EDITORS, READERS)
    (relation,) = claim["relations"]["supported_by"]
    assert (relation["note"], relation["reader_note"]) == (EDITORS, READERS)
    source = client.get(f"/sources/{slugs['source']}.json").get_json()["source"]
    assert (source["note"], source["reader_note"]) == (EDITORS, READERS)


def test_editors_write_both_notes_in_the_admin_forms(app, admin_client) -> None:
    form = admin_client.get("/admin/source/new").get_data(as_text=True)
    assert "Note for readers" in form and "Editors&#39; note" in form
    r = submit(
        admin_client,
        "/admin/source/new",
        {"title": "A talk", "kind": "talk", "note": EDITORS, "reader_note": READERS},
    )
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        source = s.scalars(select(m.Source).where(m.Source.title == "A talk")).one()
        assert (source.note, source.reader_note) == (EDITORS, READERS)


def test_kb1_round_trips_reader_notes_and_a_file_without_them_still_imports(
    app, runner, tmp_path
) -> None:
    _records(app)
    out = tmp_path / "kb.json"
    assert runner.invoke(args=["export", "--format", "json", "--output", str(out)]).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert READERS in [s["reader_note"] for s in data["sources"]]
    assert READERS in [s["reader_note"] for s in data["stances"]]
    assert READERS in [r["reader_note"] for r in data["claim_relations"]]
    for entity in ("sources", "stances", "claim_relations"):
        for record in data[entity]:
            del record["reader_note"]
    older = tmp_path / "older.json"
    older.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["import", str(older), "--dry-run"])
    assert result.exit_code == 0, result.output


def test_the_upgrade_gives_readers_the_editors_note_less_kbs_own_sentences(databases) -> None:
    """Readers keep what they saw before 0011, less what the seed builder appended."""
    url = databases.empty()
    try:
        migrate.upgrade(url, "0009")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO claim (id, slug, text, version) VALUES (1, 'a', 'A', 1)")
            )
            conn.execute(
                text("INSERT INTO claim (id, slug, text, version) VALUES (2, 'b', 'B', 1)")
            )
            conn.execute(
                text(
                    "INSERT INTO claim_relation (id, from_claim_id, to_claim_id, kind, note,"
                    " version) VALUES (1, 1, 2, 'supports', 'C02 entails C01', 1),"
                    " (2, 2, 1, 'contradicts', 'as argued in 2017', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO source (id, slug, title, kind, note, version) VALUES"
                    " (1, 's', 'S', 'talk', :note, 1)"
                ),
                {"note": "Original not seen. Checked against: web page: https://example.org/x."},
            )
        migrate.upgrade(url)
        with engine.connect() as conn:
            relations = conn.execute(
                text("SELECT id, reader_note FROM claim_relation ORDER BY id")
            ).all()
            source = conn.execute(text("SELECT note, reader_note FROM source")).one()
        assert [tuple(r) for r in relations] == [(1, None), (2, "as argued in 2017")]
        assert source.reader_note == "Original not seen."
        assert source.note.endswith("https://example.org/x.")  # the editors' note is kept whole
        losses = migrate.downgrade_losses(url, engine, "0009")
        assert any(loss.startswith("0011: drops reader_note") for loss in losses)
        engine.dispose()
    finally:
        databases.drop(url)


def test_the_seed_keeps_its_sheet_notes_for_readers_and_its_trail_for_editors(
    seeded_app,
) -> None:
    with seeded_app.app_context(), session_scope() as s:
        notes = s.execute(select(m.Stance.note, m.Stance.reader_note)).all()
        sources = s.execute(select(m.Source.note, m.Source.reader_note)).all()
    assert any(n and "As of in the fact sheet" in n for n, _ in notes)
    assert not any(r and "fact sheet" in r for _, r in notes)
    assert not any(r and ("Label convention" in r or "Checked against" in r) for _, r in sources)
    assert sum(1 for _, r in notes if r) > 100


def test_dates_in_notes_read_as_every_other_date_on_the_page(app, client) -> None:
    with app.app_context(), session_scope() as s:
        source = make_source(
            s,
            date_note="c. 2017-07-16 (exact date not seen)",
            reader_note="Reported 2014-08-02/03.",
        )
        slug = source.slug
    page = client.get(f"/sources/{slug}").get_data(as_text=True)
    assert "c. 16 July 2017 (exact date not seen)" in page
    assert "Reported 2–3 August 2014." in page
    assert "2017-07-16" not in page.split("<main", 1)[1].split("application/ld+json")[0]


def test_person_pages_show_no_editors_notes_on_affiliations(seeded_client) -> None:
    page = seeded_client.get("/people/elon-musk").get_data(as_text=True)
    assert "CEO, SpaceX" in page or "SpaceX" in page
    assert "Fact sheet" not in page and "fact sheet" not in page
