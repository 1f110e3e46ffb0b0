"""Data entry through the admin forms: every kind of record, validation beside each field with
nothing saved on any error, edit conflicts, and deletes with their dependents."""

from __future__ import annotations

import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from kb import models as m
from kb.edits import cleaning, outcomes, records
from kb.web.database import session_scope
from tests.conftest import hidden_fields, login
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import error_beside, submit


def count(app, model) -> int:
    with app.app_context(), session_scope() as s:
        return s.scalar(select(func.count()).select_from(model))


def one(app, model, **where):
    with app.app_context(), session_scope() as s:
        return s.scalars(select(model).filter_by(**where)).one_or_none()


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("François Chollet", "francois-chollet"),
        ("  Élan & Ünïcode -- test  ", "elan-unicode-test"),
        ("AI 2027: what's next?", "ai-2027-what-s-next"),
    ],
)
def test_slugify(text, slug) -> None:
    assert cleaning.slugify(text) == slug


def test_long_text_slug_is_cut_at_a_word() -> None:
    slug = cleaning.slugify(
        "Advanced artificial intelligence could pose an existential risk to humanity within decades"
    )
    assert len(slug) <= cleaning.SLUG_FROM_TEXT_MAX and not slug.endswith("-")
    assert slug.startswith("advanced-artificial-intelligence")


# -- creating every kind of record -------------------------------------------------------------


def test_create_every_kind_of_record(app, admin_client) -> None:
    c = admin_client
    r = submit(
        c, "/admin/person/new", {"name": "François Chollet", "url": "https://fchollet.example/"}
    )
    assert r.status_code == 302
    person = one(app, m.Person, slug="francois-chollet")
    assert person.name == "François Chollet" and person.version == 1
    assert r.headers["Location"].endswith(f"/admin/person/{person.id}/edit")

    assert submit(c, "/admin/topic/new", {"name": "Generalization"}).status_code == 302
    topic = one(app, m.Topic, slug="generalization")

    r = submit(
        c,
        "/admin/source/new",
        {
            "title": "On the Measure of Intelligence",
            "kind": "paper",
            "url": "https://example.org/measure",
            "published": "2019-11",
            "authors": "francois-chollet",
        },
    )
    assert r.status_code == 302, r.text
    source = one(app, m.Source, slug="on-the-measure-of-intelligence")
    assert (source.published_on.isoformat(), source.date_precision) == ("2019-11-01", "month")

    r = submit(
        c,
        "/admin/quote/new",
        {
            "text": "Synthetic words for a test.",
            "speaker": "francois-chollet",
            "source": source.slug,
            "attribution": "verbatim",
            "checked": "primary",
            "locator": "p. 3",
        },
    )
    assert r.status_code == 302, r.text
    quote = one(app, m.Quote, locator="p. 3")

    r = submit(
        c,
        "/admin/claim/new",
        {"text": "Skill is not intelligence.", "topics": [topic.slug]},
    )
    assert r.status_code == 302, r.text
    claim = one(app, m.Claim, slug="skill-is-not-intelligence")
    assert submit(c, "/admin/claim/new", {"text": "Benchmarks measure skill."}).status_code == 302

    r = submit(
        c,
        "/admin/stance/new",
        {
            "person": "francois-chollet",
            "claim": claim.slug,
            "position": "supports",
            "basis": "explicit",
            "as_of": "2019-11-05",
            "evidence": [str(quote.id)],
        },
    )
    assert r.status_code == 302, r.text
    r = submit(
        c,
        "/admin/claim_relation/new",
        {"from_claim": "benchmarks-measure-skill", "kind": "supports", "to_claim": claim.slug},
    )
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        stance = s.scalars(select(m.Stance)).one()
        assert [q.id for q in stance.evidence] == [quote.id]
        assert stance.as_of.isoformat() == "2019-11-05"
        assert [t.slug for t in s.get(m.Claim, claim.id).topics] == ["generalization"]
        assert [a.slug for a in s.get(m.Source, source.id).authors] == ["francois-chollet"]
        assert s.scalars(select(m.ClaimRelation)).one().kind == "supports"


def test_slug_given_by_the_editor_wins_and_edit_keeps_it(app, admin_client) -> None:
    submit(admin_client, "/admin/person/new", {"name": "Ada Lovelace", "slug": "ada"})
    person = one(app, m.Person, slug="ada")
    r = submit(
        admin_client,
        f"/admin/person/{person.id}/edit",
        {"name": "Augusta Ada King", "slug": "ada"},
    )
    assert r.status_code == 302
    updated = one(app, m.Person, id=person.id)
    assert (updated.name, updated.slug, updated.version) == ("Augusta Ada King", "ada", 2)


def test_stance_with_a_new_quote_and_a_new_source_in_one_submission(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        make_person(s, slug="rees", name="Martin Rees")
        make_claim(s, slug="risk", text="Risk is real.")
    r = submit(
        admin_client,
        "/admin/stance/new",
        {
            "person": "Martin Rees",  # an exact name works as well as a slug
            "claim": "risk",
            "position": "mixed",
            "basis": "inferred",
            "probability": "0.5",
            "horizon": "this century",
            "new_quote_text": "Synthetic test quote, not real words.",
            "new_quote_attribution": "verbatim",
            "new_quote_checked": "secondary",
            "new_source_title": "A synthetic test source",
            "new_source_kind": "talk",
            "new_source_published": "2003",
            "new_source_url": "https://example.org/talk",
        },
    )
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        stance = s.scalars(select(m.Stance)).one()
        (quote,) = stance.evidence
        assert quote.speaker.slug == "rees" and quote.checked == "secondary"
        assert quote.source.slug == "a-synthetic-test-source"
        assert quote.source.date_precision == "year"
        assert stance.probability == 0.5


def test_stance_with_a_new_quote_from_an_existing_source(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        make_person(s, slug="p")
        make_claim(s, slug="c")
        make_source(s, slug="existing-source")
    r = submit(
        admin_client,
        "/admin/stance/new",
        {
            "person": "p",
            "claim": "c",
            "position": "opposes",
            "basis": "explicit",
            "new_quote_text": "Synthetic.",
            "new_quote_attribution": "paraphrase",
            "new_quote_checked": "primary",
            "new_quote_source": "existing-source",
            "new_quote_said": "2016-03",
        },
    )
    assert r.status_code == 302, r.text
    quote = one(app, m.Quote, text="Synthetic.")
    assert quote.source_id == one(app, m.Source, slug="existing-source").id
    assert (quote.said_on.isoformat(), quote.said_precision) == ("2016-03-01", "month")


# -- validation --------------------------------------------------------------------------------


def test_required_lengths_urls_and_years_are_shown_beside_their_fields(app, admin_client) -> None:
    r = submit(
        admin_client,
        "/admin/person/new",
        {"name": "", "url": "javascript:alert(1)", "birth_year": "nineteen", "slug": "Bad Slug"},
    )
    assert r.status_code == 422
    assert "nothing was saved" in r.text
    assert "required" in error_beside(r.text, "name")
    assert "http" in error_beside(r.text, "url")
    assert error_beside(r.text, "birth_year")
    assert "lowercase" in error_beside(r.text, "slug")
    r = submit(admin_client, "/admin/person/new", {"name": "x" * 201})
    assert "200" in error_beside(r.text, "name")
    r = submit(
        admin_client,
        "/admin/person/new",
        {"name": "Someone", "birth_year": "1950", "death_year": "1940"},
    )
    assert "before the birth year" in error_beside(r.text, "death_year")
    assert count(app, m.Person) == 0


def test_dates_and_their_precision(app, admin_client) -> None:
    for bad in ("2017-13", "17 July 2017", "2017-02-30"):
        r = submit(
            admin_client, "/admin/source/new", {"title": "T", "kind": "article", "published": bad}
        )
        assert r.status_code == 422
        assert error_beside(r.text, "published")
    assert count(app, m.Source) == 0
    for given, precision in (("2003", "year"), ("2017-02", "month"), ("2017-07-17", "day")):
        assert (
            submit(
                admin_client,
                "/admin/source/new",
                {"title": f"T {given}", "kind": "article", "published": given},
            ).status_code
            == 302
        )
        assert one(app, m.Source, slug=f"t-{given}").date_precision == precision


def test_enumerations_are_enforced(app, admin_client) -> None:
    r = submit(admin_client, "/admin/source/new", {"title": "T", "kind": "rumour"})
    assert r.status_code == 422 and error_beside(r.text, "kind")
    with app.app_context(), session_scope() as s:
        p = make_person(s, slug="p")
        make_source(s, slug="s")
    r = submit(
        admin_client,
        "/admin/quote/new",
        {
            "text": "Words.",
            "speaker": "p",
            "source": "s",
            "attribution": "made-up",
            "checked": "vibes",
        },
    )
    assert r.status_code == 422
    assert error_beside(r.text, "attribution") and error_beside(r.text, "checked")
    assert count(app, m.Quote) == 0 and p


def test_duplicate_slug_links_to_the_record_that_has_it(app, seeded_admin) -> None:
    before = count(app, m.Person)
    r = submit(seeded_admin, "/admin/person/new", {"name": "François Chollet"})
    assert r.status_code == 422
    message = error_beside(r.text, "slug")
    assert "already has the slug 'francois-chollet'" in message
    assert 'href="/people/francois-chollet"' in r.text
    assert count(app, m.Person) == before
    topic = one(app, m.Topic, id=1)
    r = submit(seeded_admin, "/admin/topic/new", {"name": "Anything", "slug": topic.slug})
    assert f'href="/topics/{topic.slug}"' in r.text


def test_unknown_references_are_named(app, admin_client) -> None:
    r = submit(
        admin_client,
        "/admin/quote/new",
        {
            "text": "W.",
            "speaker": "nobody-here",
            "source": "no-source",
            "attribution": "verbatim",
            "checked": "primary",
        },
    )
    assert "nobody-here" in error_beside(r.text, "speaker")
    assert "no-source" in error_beside(r.text, "source")
    r = submit(
        admin_client, "/admin/source/new", {"title": "T", "kind": "article", "authors": "ghost"}
    )
    assert "ghost" in error_beside(r.text, "authors")
    assert count(app, m.Source) == 0


def test_a_claim_cannot_relate_to_itself(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        make_claim(s, slug="a")
    r = submit(
        admin_client,
        "/admin/claim_relation/new",
        {"from_claim": "a", "kind": "supports", "to_claim": "a"},
    )
    assert r.status_code == 422
    assert "itself" in error_beside(r.text, "to_claim")
    assert count(app, m.ClaimRelation) == 0


def test_duplicate_relation_links_to_the_existing_one(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        a, b = make_claim(s, slug="a"), make_claim(s, slug="b")
        s.add(m.ClaimRelation(from_claim=a, to_claim=b, kind="contradicts"))
    r = submit(
        admin_client,
        "/admin/claim_relation/new",
        {"from_claim": "a", "kind": "contradicts", "to_claim": "b"},
    )
    assert "already exists" in error_beside(r.text, "to_claim")
    assert re.search(r'href="/admin/claim_relation/\d+/edit"', r.text)


def test_duplicate_stance_is_refused_dated_or_not(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        p, c = make_person(s, slug="p", name="Pat"), make_claim(s, slug="c")
        q = make_quote(s, p)
        make_stance(s, p, c, evidence=[q])
        make_stance(s, p, c, as_of=__import__("datetime").date(2020, 1, 2), evidence=[q])
        quote_id = q.id
    base = {
        "person": "p",
        "claim": "c",
        "position": "opposes",
        "basis": "explicit",
        "evidence": [str(quote_id)],
    }
    r = submit(admin_client, "/admin/stance/new", base)
    assert r.status_code == 422
    assert "already has a stance on this claim without a date" in error_beside(r.text, "as_of")
    r = submit(admin_client, "/admin/stance/new", {**base, "as_of": "2020-01-02"})
    assert "as of 2020-01-02" in error_beside(r.text, "as_of")
    assert (
        submit(admin_client, "/admin/stance/new", {**base, "as_of": "2021-05-06"}).status_code
        == 302
    )
    assert count(app, m.Stance) == 3


def test_stance_needs_evidence_by_the_person_and_saves_nothing_on_any_error(
    app, admin_client
) -> None:
    with app.app_context(), session_scope() as s:
        make_person(s, slug="p")
        other = make_person(s, slug="other", name="Other")
        make_claim(s, slug="c")
        make_source(s, slug="taken")
        foreign = make_quote(s, other).id
    base = {"person": "p", "claim": "c", "position": "supports", "basis": "explicit"}
    r = submit(admin_client, "/admin/stance/new", base)
    assert "at least one quote" in error_beside(r.text, "evidence")
    r = submit(admin_client, "/admin/stance/new", {**base, "evidence": [str(foreign)]})
    assert "not by" in error_beside(r.text, "evidence")
    quotes, sources = count(app, m.Quote), count(app, m.Source)
    # A new quote and a new source whose slug is taken: the whole submission is refused.
    r = submit(
        admin_client,
        "/admin/stance/new",
        {
            **base,
            "probability": "1.5",
            "new_quote_text": "Synthetic.",
            "new_quote_attribution": "verbatim",
            "new_quote_checked": "primary",
            "new_source_title": "Taken",
            "new_source_kind": "article",
        },
    )
    assert r.status_code == 422
    assert "between 0 and 1" in error_beside(r.text, "probability")
    r = submit(
        admin_client,
        "/admin/stance/new",
        {
            **base,
            "new_quote_text": "Synthetic.",
            "new_quote_attribution": "verbatim",
            "new_quote_checked": "primary",
            "new_source_title": "Taken",
            "new_source_kind": "article",
        },
    )
    assert r.status_code == 422
    assert "already has the slug 'taken'" in error_beside(r.text, "new_source_slug")
    assert (count(app, m.Stance), count(app, m.Quote), count(app, m.Source)) == (0, quotes, sources)


# -- conflicts ---------------------------------------------------------------------------------


def test_saving_over_a_newer_version_shows_both_and_saves_nothing(
    app, admin_client, editor_client
) -> None:
    with app.app_context(), session_scope() as s:
        person_id = make_person(s, slug="p", name="Original", affiliation="Lab").id
    path = f"/admin/person/{person_id}/edit"
    mine = hidden_fields(admin_client.get(path).text)
    theirs = hidden_fields(editor_client.get(path).text)
    assert mine["version"] == theirs["version"] == "1"
    r = editor_client.post(
        path, data={**theirs, "name": "Theirs", "slug": "p", "affiliation": "Lab"}
    )
    assert r.status_code == 302
    r = admin_client.post(
        path, data={**mine, "name": "Mine", "slug": "p", "affiliation": "Other lab"}
    )
    assert r.status_code == 409
    assert "nothing was saved" in r.text.lower()
    assert "eve" in r.text  # who saved in between
    differing = re.findall(r'<tr class="differs">\s*<th scope="row">([^<]+)', r.text)
    assert [d.strip() for d in differing] == ["Name", "Affiliation or role"]
    assert "Theirs" in r.text and "Mine" in r.text
    saved = one(app, m.Person, id=person_id)
    assert (saved.name, saved.affiliation, saved.version) == ("Theirs", "Lab", 2)


def test_the_conflict_page_keeps_the_editors_values_to_save_over_the_newer_version(
    app, admin_client, editor_client
) -> None:
    with app.app_context(), session_scope() as s:
        stance = make_stance(s, make_person(s), make_claim(s), note="first note")
        stance_id, claim_slug = stance.id, stance.claim.slug
    path = f"/admin/stance/{stance_id}/edit"
    mine = admin_client.get(path).text
    values = {k: v for k, v in _stance_values(mine).items() if k not in ("csrf_token", "version")}
    theirs = submit(editor_client, path, {**values, "note": "their note"})
    assert theirs.status_code == 302
    r = admin_client.post(path, data={**_stance_values(mine), "note": "my long note"})
    assert r.status_code == 409
    form = r.text[r.text.index('<h2 id="yours">') :]
    assert f'action="{path}"' in form
    assert hidden_fields(form)["version"] == "2"  # the current version, not the one I had
    assert re.search(r'name="note">\s*my long note</textarea>', form)
    assert f'value="{claim_slug}"' in form
    again = admin_client.post(path, data=_stance_values(form))  # re-submitted as the page has it
    assert again.status_code == 302
    saved = one(app, m.Stance, id=stance_id)
    assert (saved.note, saved.version) == ("my long note", 3)


def _stance_values(page: str) -> dict[str, object]:
    """What a browser submits from the first stance form on `page`: every input, textarea and
    select with its current value (selected options for selects)."""
    form = page[page.index('<form method="post" class="form"') :]
    form = form[: form.index("</form>")]
    values: dict[str, object] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        checkbox = 'type="checkbox"' in tag
        if name and (not checkbox or " checked" in tag):
            values[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        values[name] = html.unescape(text).lstrip("\n")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body
        )
        values[name] = [a or b for a, b in chosen]
    return values


def test_a_lost_update_between_check_and_write_is_a_conflict(app) -> None:
    """The version check at flush (SQLAlchemy's version counter) catches a write that lands
    after the form's version was compared."""
    with app.app_context(), session_scope() as s:
        person_id = make_person(s, slug="p", name="A").id
    with app.app_context():
        maker = app.extensions["kb.sessionmaker"]
        first, second = maker(), maker()
        try:
            mine = first.get(m.Person, person_id)
            theirs = second.get(m.Person, person_id)
            theirs.name = "B"
            second.commit()
            with pytest.raises(outcomes.Conflict):
                records.save_person(first, mine, {"name": "C", "slug": "p"}, version=mine.version)
            first.rollback()
        finally:
            first.close()
            second.close()
    assert one(app, m.Person, id=person_id).name == "B"


def test_saving_a_record_deleted_meanwhile_is_not_found(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        topic = m.Topic(slug="t", name="T")
        s.add(topic)
        s.flush()
        topic_id = topic.id
    path = f"/admin/topic/{topic_id}/edit"
    fields = hidden_fields(admin_client.get(path).text)
    with app.app_context(), session_scope() as s:
        s.delete(s.get(m.Topic, topic_id))
    r = admin_client.post(path, data={**fields, "name": "T2"})
    assert r.status_code == 404


# -- deleting ----------------------------------------------------------------------------------


def test_deleting_a_claim_lists_what_goes_with_it_then_deletes_all(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        p = make_person(s, slug="p", name="Pat")
        c, other = make_claim(s, slug="c"), make_claim(s, slug="other")
        q = make_quote(s, p)
        make_stance(s, p, c, evidence=[q])
        s.add(m.ClaimRelation(from_claim=other, to_claim=c, kind="supports"))
        claim_id, quote_id = c.id, q.id
    path = f"/admin/claim/{claim_id}/delete"
    page = admin_client.get(path)
    assert page.status_code == 200
    assert "These go with it" in page.text
    assert "Pat supports c" in page.text and "other supports c" in page.text
    assert count(app, m.Claim) == 2  # the confirmation page deleted nothing
    r = submit(admin_client, path, {})
    assert r.status_code == 302
    assert one(app, m.Claim, id=claim_id) is None
    assert (count(app, m.Stance), count(app, m.ClaimRelation)) == (0, 0)
    assert one(app, m.Quote, id=quote_id) is not None  # quotes stay


def test_deleting_a_record_others_depend_on_is_refused_with_the_list(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        p = make_person(s, slug="p", name="Pat")
        src = make_source(s, slug="src", title="The Source")
        q = make_quote(s, p, src)
        make_stance(s, p, make_claim(s, slug="c"), evidence=[q])
        ids = {"person": p.id, "source": src.id, "quote": q.id}
    for entity, record_id in ids.items():
        page = admin_client.get(f"/admin/{entity}/{record_id}/delete")
        assert "cannot be deleted" in page.text, entity
        assert "Pat supports c" in page.text, entity
        assert 'type="submit" class="danger"' not in page.text
        r = submit(admin_client, f"/admin/{entity}/{record_id}/delete", {})
        assert r.status_code == 409, entity
    assert (count(app, m.Person), count(app, m.Source), count(app, m.Quote)) == (1, 1, 1)


def test_a_source_goes_with_its_unused_quotes(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        p = make_person(s)
        src = make_source(s, slug="src")
        make_quote(s, p, src, text="Unused synthetic words.")
        src_id = src.id
    page = admin_client.get(f"/admin/source/{src_id}/delete")
    assert "Unused synthetic words." in page.text
    assert submit(admin_client, f"/admin/source/{src_id}/delete", {}).status_code == 302
    assert (count(app, m.Source), count(app, m.Quote)) == (0, 0)


def test_delete_over_a_newer_version_deletes_nothing(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        topic = m.Topic(slug="t", name="T")
        s.add(topic)
        s.flush()
        topic_id = topic.id
    path = f"/admin/topic/{topic_id}/delete"
    fields = hidden_fields(admin_client.get(path).text)
    with app.app_context(), session_scope() as s:
        s.get(m.Topic, topic_id).name = "Renamed"
    r = admin_client.post(path, data=fields)
    assert r.status_code == 409
    assert "changed this record" in r.text
    assert one(app, m.Topic, id=topic_id).name == "Renamed"


def test_quotes_used_as_evidence_are_protected_by_the_database(app) -> None:
    with app.app_context(), session_scope() as s:
        p = make_person(s)
        q = make_quote(s, p)
        make_stance(s, p, make_claim(s), evidence=[q])
        quote_id = q.id
    with app.app_context(), session_scope() as s, pytest.raises(IntegrityError):
        s.execute(delete(m.Quote).where(m.Quote.id == quote_id))
    assert one(app, m.Quote, id=quote_id) is not None


# -- pages -------------------------------------------------------------------------------------


def test_lists_filter_and_page(app, seeded_admin) -> None:
    r = seeded_admin.get("/admin/person/?q=chollet")
    assert r.status_code == 200 and "François Chollet" in r.text and "Elon Musk" not in r.text
    assert seeded_admin.get("/admin/stance/?q=musk").status_code == 200
    assert seeded_admin.get("/admin/person/?page=zero").status_code == 400
    assert seeded_admin.get("/admin/person/?page=0").status_code == 400
    assert seeded_admin.get("/admin/nothing/").status_code == 404
    assert seeded_admin.get("/admin/person/99999/edit").status_code == 404


def test_edit_forms_are_filled_with_the_record(app, seeded_admin) -> None:
    with app.app_context(), session_scope() as s:
        stance = s.scalars(select(m.Stance)).first()
        source = s.scalars(select(m.Source).where(m.Source.date_precision == "year")).first()
        ids = (
            stance.id,
            stance.person.slug,
            [q.id for q in stance.evidence],
            source.id,
            source.published_on.year,
        )
    page = seeded_admin.get(f"/admin/stance/{ids[0]}/edit").text
    assert f'value="{ids[1]}"' in page
    for qid in ids[2]:
        assert re.search(rf'<option selected value="{qid}"|<option value="{qid}" selected', page)
    page = seeded_admin.get(f"/admin/source/{ids[3]}/edit").text
    assert f'value="{ids[4]}"' in page


def test_the_last_active_admin_cannot_lock_everyone_out(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        ada_id = s.scalars(select(m.User.id)).one()
    r = submit(admin_client, f"/admin/users/{ada_id}/edit", {"role": "editor", "active": "y"})
    assert r.status_code == 422 and "only active admin" in r.text
    assert one(app, m.User, id=ada_id).role == "admin"


def test_admins_edit_accounts_in_the_ui(app, admin_client, editor_client) -> None:
    with app.app_context(), session_scope() as s:
        eve_id = s.scalars(select(m.User.id).where(m.User.username == "eve")).one()
    assert editor_client.get("/admin/").status_code == 200
    path = f"/admin/users/{eve_id}/edit"
    r = submit(admin_client, path, {"role": "editor", "password": "short"})
    assert r.status_code == 422 and "10 to 1000 characters" in r.text
    r = submit(
        admin_client, path, {"role": "admin", "active": "y", "password": "a brand new password"}
    )
    assert r.status_code == 302
    assert one(app, m.User, id=eve_id).role == "admin"
    # The change ended eve's open session; the new password works.
    assert editor_client.get("/admin/").status_code == 302
    assert login(app.test_client(), "eve", "a brand new password").status_code == 302
    r = submit(admin_client, path, {"role": "admin"})  # unticked "active": disabled
    assert r.status_code == 302
    assert one(app, m.User, id=eve_id).active is False
    assert login(app.test_client(), "eve", "a brand new password").status_code == 401
    # A stale form (the account changed since it was opened) saves nothing.
    stale = hidden_fields(admin_client.get(path).text)
    submit(admin_client, path, {"role": "editor", "active": "y"})
    r = admin_client.post(path, data={**stale, "role": "admin", "active": "y"})
    assert r.status_code == 409
    assert one(app, m.User, id=eve_id).role == "editor"


# -- revert: confirmation and a double submission ----------------------------------------------


def _renamed_person(app, admin_client) -> tuple[int, int]:
    """A person renamed Old -> New through the form: (person id, the update's revision id)."""
    with app.app_context(), session_scope() as s:
        person_id = make_person(s, slug="p", name="Old").id
    r = submit(admin_client, f"/admin/person/{person_id}/edit", {"name": "New", "slug": "p"})
    assert r.status_code == 302
    with app.app_context(), session_scope() as s:
        rev_id = s.scalar(select(func.max(m.Revision.id)))
    return person_id, rev_id


def test_revert_shows_what_it_will_change_and_needs_a_confirmation(app, admin_client) -> None:
    person_id, rev_id = _renamed_person(app, admin_client)
    history_page = admin_client.get(f"/admin/person/{person_id}/history").text
    assert f'href="/admin/revisions/{rev_id}/revert"' in history_page
    page = admin_client.get(f"/admin/revisions/{rev_id}/revert")
    assert page.status_code == 200
    row = re.search(
        r'<th scope="row">name</th>\s*<td class="before">(.*?)</td>\s*'
        r'<td class="after">(.*?)</td>',
        page.text,
    )
    assert row and row.groups() == ("New", "Old")
    revisions = count(app, m.Revision)
    assert one(app, m.Person, id=person_id).name == "New"  # the preview changed nothing
    assert admin_client.post(f"/admin/revisions/{rev_id}/revert").status_code == 400
    token = hidden_fields(page.text)["csrf_token"]
    r = admin_client.post(f"/admin/revisions/{rev_id}/revert", data={"csrf_token": token})
    assert r.status_code == 302
    assert one(app, m.Person, id=person_id).name == "Old"
    assert count(app, m.Revision) == revisions + 1


def test_the_same_revert_submitted_twice_at_once_is_done_once(
    app, admin_client, editor_client
) -> None:
    """Both submissions load the record before either commits (a real race, five rounds):
    one reverts, the other is told why nothing happened; never a 500, never two reverts."""
    person_id, _rev = _renamed_person(app, admin_client)
    clients = [admin_client, editor_client]
    start = threading.Barrier(2)
    for name in ("Second", "Third", "Fourth", "Fifth", "Sixth"):
        r = submit(admin_client, f"/admin/person/{person_id}/edit", {"name": name, "slug": "p"})
        assert r.status_code == 302
        with app.app_context(), session_scope() as s:
            rev_id = s.scalar(select(func.max(m.Revision.id)))
        path = f"/admin/revisions/{rev_id}/revert"
        tokens = [hidden_fields(c.get(path).text)["csrf_token"] for c in clients]

        def post(i: int, path: str = path, tokens: list[str] = tokens) -> int:
            start.wait(timeout=30)
            return clients[i].post(path, data={"csrf_token": tokens[i]}).status_code

        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(pool.map(post, [0, 1]))
        assert statuses == [302, 409]
        with app.app_context(), session_scope() as s:
            reverts = s.scalars(select(m.Revision).where(m.Revision.reverts_id == rev_id)).all()
        assert len(reverts) == 1
