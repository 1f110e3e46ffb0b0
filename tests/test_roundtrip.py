"""Round trip: export, import into an empty database, export again gives the same bytes, for the
JSON dump and the CSV bundle; on the seed, on random knowledge bases (hypothesis) and on readers'
reports of every target and status, a fixed one staying fixed."""

from __future__ import annotations

import datetime as dt
import io
import urllib.parse
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kb import models as m
from kb import rules
from kb.formats import kb1
from kb.load.importer import apply_document
from kb.load.report_checks import IMPORTED_EXPLANATION
from kb.web.database import session_scope
from tests.helpers import Fresh, csvs, import_path, kb_json, reports_world, round_trip


def test_seed_round_trips_through_json_and_csv(seeded_app, databases, tmp_path) -> None:
    fresh = Fresh(databases, tmp_path)
    try:
        round_trip(seeded_app, fresh, tmp_path)
    finally:
        fresh.close()


def test_the_seed_round_trip_covers_quotes_dated_apart_from_their_source(seeded_app) -> None:
    """So the round trips above show a quote's own date surviving JSON and CSV: the seed has
    quotes dated apart from their source (and one undated), and dates in each precision."""
    import json

    doc = json.loads(kb_json(seeded_app))
    published = {s["slug"]: s["published"] for s in doc["sources"]}
    apart = [q["said"] for q in doc["quotes"] if q["said"] != published[q["source"]]]
    assert None in apart and any(apart)
    assert {len(q["said"]) for q in doc["quotes"] if q["said"]} == {4, 7, 10}
    assert "said" in csvs(seeded_app)["quotes"].split("\r\n", 1)[0].split(",")


def test_seed_round_trips_through_the_zip_bundle(seeded_app, databases, tmp_path) -> None:
    fresh = Fresh(databases, tmp_path)
    try:
        body = seeded_app.test_client().get("/export/kb.zip").get_data()
        path = tmp_path / "kb.zip"
        path.write_bytes(body)
        other = fresh()
        import_path(other, path)
        again = zipfile.ZipFile(io.BytesIO(other.test_client().get("/export/kb.zip").get_data()))
        original = zipfile.ZipFile(io.BytesIO(body))
        for name in original.namelist():
            assert again.read(name) == original.read(name), name
    finally:
        fresh.close()


# -- random knowledge bases -------------------------------------------------------------------

TRICKY = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\tleading tab",
    "\rcarriage",
    "'=quoted",
    'say "hi", then leave',
    "two\nlines",
    "crlf\r\ninside",
    "日本語のテキスト",
    "Ελληνικά",
    "עברית",
    "emoji 🙂",
    "  spaces around  ",
]
_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
text = st.one_of(st.sampled_from(TRICKY), st.text(_chars, min_size=1, max_size=20)).filter(
    lambda s: s.strip() != ""
)
optional = st.one_of(st.none(), text)
# web addresses only: kb refuses anything else (javascript:, relative paths) on import
web_url = st.builds(
    lambda scheme, path: f"{scheme}://example.org/synthetic/{urllib.parse.quote(path)}",
    st.sampled_from(["http", "https"]),
    st.text(_chars, max_size=20),
)
optional_url = st.one_of(st.none(), web_url)
# slugs by kb.rules' slug rule (lower-case ASCII letters, digits, single hyphens; not reserved)
slug = st.from_regex(r"\A[a-z0-9]{1,6}(-[a-z0-9]{1,5})?\Z").filter(
    lambda s: rules.slug_problem(s) is None
)


@st.composite
def partial_dates(draw) -> str | None:
    """None, or a date in one of its three forms: "2003", "2017-02", "2017-07-17"."""
    day = draw(st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2030, 1, 1))))
    if day is None:
        return None
    form = draw(st.sampled_from(["%Y", "%Y-%m", "%Y-%m-%d"]))
    return day.strftime(form)


@st.composite
def knowledge_bases(draw) -> dict:
    def slugs(n_min: int, n_max: int) -> list[str]:
        return draw(st.lists(slug, min_size=n_min, max_size=n_max, unique=True))

    people = []
    for s in slugs(1, 4):
        years = sorted(draw(st.lists(st.integers(1000, 2030), max_size=2)))
        people.append(
            {
                "slug": s,
                "name": draw(text),
                "description": draw(optional),
                "affiliation": draw(optional),
                "birth_year": years[0] if years else None,
                "death_year": years[1] if len(years) > 1 else None,
                "url": draw(optional_url),
            }
        )
    person_slugs = [p["slug"] for p in people]
    topics = [{"slug": s, "name": draw(text), "description": draw(optional)} for s in slugs(0, 3)]
    sources = []
    for s in slugs(1, 3):
        sources.append(
            {
                "slug": s,
                "title": draw(text),
                "kind": draw(st.sampled_from(["article", "talk", "book", "social_post"])),
                "url": draw(optional_url),
                "publisher": draw(optional),
                "published": draw(partial_dates()),
                "date_note": draw(optional),
                "archived_url": draw(optional_url),
                "note": draw(optional),
                "reader_note": draw(optional),
                "authors": draw(st.lists(st.sampled_from(person_slugs), unique=True, max_size=2)),
            }
        )
    claims = [
        {
            "slug": s,
            "text": draw(text),
            "summary": draw(optional),
            "topics": draw(
                st.lists(st.sampled_from([t["slug"] for t in topics]), unique=True, max_size=2)
            )
            if topics
            else [],
        }
        for s in slugs(2, 4)
    ]
    quotes = []
    for i in range(draw(st.integers(1, 6))):
        quotes.append(
            {
                "id": f"x{i}",
                "text": draw(text) + f" ({i})",
                "speaker": draw(st.sampled_from(person_slugs)),
                "source": draw(st.sampled_from([s["slug"] for s in sources])),
                "said": draw(partial_dates()),
                "locator": draw(optional),
                "speaker_affiliation": draw(optional),
                "attribution": draw(st.sampled_from(["verbatim", "paraphrase", "translation"])),
                "checked": draw(st.sampled_from(["primary", "reprint", "secondary"])),
                "check_note": draw(optional),
                "note": draw(optional),
            }
        )
    stances = []
    for p in person_slugs:
        own = [q["id"] for q in quotes if q["speaker"] == p]
        if not own:
            continue
        for c in draw(st.lists(st.sampled_from([c["slug"] for c in claims]), unique=True)):
            dates = draw(
                st.lists(
                    st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1))),
                    unique=True,
                    min_size=1,
                    max_size=2,
                )
            )
            for as_of in dates:
                stances.append(
                    {
                        "person": p,
                        "claim": c,
                        "position": draw(st.sampled_from(["supports", "opposes", "mixed"])),
                        "basis": draw(st.sampled_from(["explicit", "inferred"])),
                        "probability": draw(st.one_of(st.none(), st.floats(0, 1))),
                        "horizon": draw(optional),
                        "as_of": as_of.isoformat() if as_of else None,
                        "note": draw(optional),
                        "reader_note": draw(optional),
                        "evidence": draw(st.lists(st.sampled_from(own), unique=True, min_size=1)),
                    }
                )
    claim_slugs = [c["slug"] for c in claims]
    pairs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(claim_slugs),
                st.sampled_from(claim_slugs),
                st.sampled_from(["supports", "contradicts"]),
            ).filter(lambda t: t[0] != t[1]),
            unique=True,
            max_size=4,
        )
    )
    relations = [
        {"from": a, "to": b, "kind": k, "note": draw(optional), "reader_note": draw(optional)}
        for a, b, k in pairs
    ]
    return {
        "format": "kb/1",
        "people": people,
        "topics": topics,
        "sources": sources,
        "claims": claims,
        "quotes": quotes,
        "stances": stances,
        "claim_relations": relations,
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=knowledge_bases())
def test_random_knowledge_basesround_trip(databases, tmp_path, doc) -> None:
    fresh = Fresh(databases, tmp_path)
    try:
        first = fresh()
        with first.app_context(), session_scope() as session:
            apply_document(session, doc)
        exported = kb_json(first)
        # the data itself survives: what was put in is what comes out (ids aside)
        import json

        def unordered(records: list[dict], entity: str) -> list[dict]:
            # A many-to-many list has no order of its own: kb writes it in id order.
            listed = kb1.LIST_FIELDS.get(entity)
            return [{**r, listed: sorted(r[listed])} if listed else r for r in records]

        out = json.loads(exported)
        for entity in ("people", "topics", "sources", "claims", "claim_relations"):
            assert unordered(out[entity], entity) == unordered(doc[entity], entity), entity
        assert [q["text"] for q in out["quotes"]] == [q["text"] for q in doc["quotes"]]
        round_trip(first, fresh, tmp_path)
    finally:
        fresh.close()


def test_reports_round_trip_and_a_fixed_report_stays_fixed(app, databases, tmp_path) -> None:
    ids = reports_world(app)
    fresh = Fresh(databases, tmp_path)
    try:
        round_trip(app, fresh, tmp_path)  # JSON and CSV: the same bytes again
        second = fresh.made[0][0]
        assert _disputed(second) == _disputed(app) == {f"q{ids['quote']}": True}
        with second.app_context(), session_scope() as s:
            reports = s.scalars(select(m.Report).order_by(m.Report.id)).all()
            assert [r.target for r in reports] == ["quote", "quote", "stance", "source"]
            assert {(r.explanation, r.email, r.evidence_url) for r in reports} == {
                (IMPORTED_EXPLANATION, None, None)
            }
            fixed = reports[0].fixed_by
            # the fix is the revision the import itself wrote for the quote
            assert (fixed.entity, fixed.entity_id, fixed.action) == (
                "quote",
                ids["quote"],
                "create",
            )
            assert [r.fixed_by_id for r in reports[1:]] == [None, None, None]
            created = s.scalars(select(m.Revision).where(m.Revision.entity == "report")).all()
            assert len(created) == 4 and all(r.action == "create" for r in created)
            assert "created_at" not in created[0].changes
            assert created[0].label == f"Report on quote #{ids['quote']}: wrong date"
    finally:
        fresh.close()


def _disputed(app) -> dict[str, bool]:
    import json

    return {q_["id"]: q_["disputed"] for q_ in json.loads(kb_json(app))["quotes"]}
