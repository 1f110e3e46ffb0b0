"""One set of record rules (kb.rules) for the admin forms and the importer.

The property: whatever the forms accept exports to kb/1 and imports again into a fresh database
without a problem; and the values the importer refuses (too long, bad URLs, slugs with another
spelling, non-ASCII digits, impossible dates, probabilities out of range or too small to store)
are refused by the forms too, with a message on the field, saving nothing.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kb import models as m
from kb import rules
from kb.errors import DataError
from kb.formats.readers import open_input
from kb.load.importer import apply_document, import_input
from kb.web.database import session_scope
from tests.conftest import login, make_app, make_user
from tests.helpers import error_beside, submit

_n = itertools.count(1)
_chars = st.characters(codec="utf-8", exclude_characters="\x00")


def _sized(max_len: int) -> st.SearchStrategy[str]:
    """Text well inside the limit, or right at it, or one over (which must be refused)."""
    short = st.text(_chars, max_size=12)
    edge = st.builds(
        lambda n, c: c * n,
        st.sampled_from([max_len - 1, max_len, max_len + 1]),
        st.sampled_from(["a", "é", "日", "🙂"]),
    )
    return st.one_of(short, short, edge)


web_url = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["http", "https", "HTTP"]),
    st.sampled_from(["example.org", "\\evil.example", "ex ample.org", "", "xn--caf-dma.example"]),
    st.text(_chars, max_size=10),
)
year = st.one_of(
    st.integers(rules.YEAR_MIN - 1, rules.YEAR_MAX + 1).map(str),
    st.sampled_from(["１９５０", "1_950", "+1950", "0042", " 1950 "]),
)
probability = st.one_of(
    st.floats(0, 1).map(repr),
    st.sampled_from(["-0", "-0.0", "1e-400", "1e-05", "0.5e0", "０.５", "1.0000001", ".25"]),
)
day = st.one_of(
    st.dates().map(lambda d: d.isoformat()), st.sampled_from(["２０２０-01-01", "2021-02-29"])
)
partial = st.one_of(
    st.dates().map(lambda d: d.isoformat()[: 4 + 3 * (d.day % 3)]),
    st.sampled_from(["２０１７", "2017-13", "2017-7"]),
)


@st.composite
def submissions(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    """One of each record, through the forms, with values drawn for every stored field."""
    n = next(_n)
    p, t, s, c, c2 = (f"{k}-{n}" for k in ("p", "t", "s", "c", "d"))
    L = rules.limit
    return [
        (
            "person",
            {
                "name": f"P{n} " + draw(st.text(_chars, max_size=20)),
                "slug": p,
                "description": draw(_sized(L("people", "description"))),
                "affiliation": draw(_sized(L("people", "affiliation"))),
                "birth_year": draw(year),
                "url": draw(web_url),
            },
        ),
        (
            "topic",
            {"name": f"T{n}", "slug": t, "description": draw(_sized(L("topics", "description")))},
        ),
        (
            "source",
            {
                "title": f"S{n} " + draw(_sized(L("sources", "title") - 8)),
                "slug": s,
                "kind": "article",
                "url": draw(web_url),
                "archived_url": draw(web_url),
                "published": draw(partial),
                "date_note": draw(_sized(L("sources", "date_note"))),
                "note": draw(_sized(L("sources", "note"))),
                "authors": p,
            },
        ),
        (
            "claim",
            {"text": f"C{n} " + draw(_sized(L("claims", "text") - 8)), "slug": c, "topics": t},
        ),
        ("claim", {"text": f"D{n}", "slug": c2, "summary": draw(_sized(L("claims", "summary")))}),
        (
            "stance",
            {
                "person": p,
                "claim": c,
                "position": "supports",
                "basis": "explicit",
                "probability": draw(probability),
                "as_of": draw(day),
                "horizon": draw(_sized(L("stances", "horizon"))),
                "note": draw(_sized(L("stances", "note"))),
                "new_quote_text": f"Q{n} " + draw(_sized(L("quotes", "text") - 8)),
                "new_quote_source": s,
                "new_quote_locator": draw(_sized(L("quotes", "locator"))),
                "new_quote_attribution": "verbatim",
                "new_quote_checked": "primary",
                "new_quote_check_note": draw(_sized(L("quotes", "check_note"))),
            },
        ),
        ("claim_relation", {"from_claim": c, "kind": "supports", "to_claim": c2}),
    ]


@pytest.fixture
def editor(app):
    make_user(app, "eve", "editor")
    client = app.test_client()
    assert login(client, "eve").status_code == 302
    return client


def test_what_the_forms_accept_exports_and_imports_again(app, editor, databases, tmp_path):
    fresh_url = databases.migrated()
    fresh = make_app(fresh_url, tmp_path / "fresh")
    saved = []

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(plan=submissions())
    def run(plan: list[tuple[str, dict[str, Any]]]) -> None:
        for entity, data in plan:
            r = submit(editor, f"/admin/{entity}/new", data)
            assert r.status_code in (302, 422), (entity, r.status_code)
            saved.append(r.status_code == 302)
        path = tmp_path / "kb.json"
        path.write_bytes(editor.get("/export/kb.json").get_data())
        with fresh.app_context(), session_scope() as session:
            try:
                import_input(session, open_input(path))
            except DataError as exc:  # pragma: no cover - the failure this test is about
                pytest.fail(f"the export of what the forms saved does not import:\n{exc}")
            finally:
                session.rollback()  # the fresh database stays empty for the next example

    try:
        run()
    finally:
        fresh.extensions["kb.engine"].dispose()
        databases.drop(fresh_url)
    assert any(saved) and not all(saved)  # both kinds of example were really tried


# -- values the importer refuses, the forms refuse ---------------------------------------------

BASE = {
    "person": {"name": "Some Person"},
    "source": {"title": "Some source", "kind": "article"},
    "topic": {"name": "Some topic"},
}
ENTITY = {"person": "people", "source": "sources", "topic": "topics"}
BAD_SLUGS = [
    "Elon-Musk",
    "cafe\u0301",
    "caf\u00e9",
    "elon\u200b-musk",
    "\u202eevil",
    "..",
    "x.json",
    "x.csv",
    "-x",
    "x-",
    "a--b",
    "a_b",
    "new",
    "edit",
    "x" * 101,
]
BAD = [
    ("topic", "slug", "Elon-Musk"),
    ("source", "slug", "x.json"),
    ("person", "description", "x" * (rules.LONG_TEXT + 1)),
    ("topic", "description", "x" * 1_000_000),
    ("source", "note", "x" * (rules.LONG_TEXT + 1)),
    ("person", "url", "http://\\evil.example/"),
    ("person", "url", "javascript:alert(1)"),
    ("source", "archived_url", "https://exa mple.org/"),
    ("source", "published", "２０１７"),
    ("source", "published", "2017-02-30"),
    ("person", "birth_year", "１９５０"),
    ("person", "birth_year", "10000"),
]


def _import_problems(app, entity: str, field: str, value: Any) -> list[str]:
    record = {**BASE[entity], "slug": "ok-slug", field: value}
    if field == "birth_year":
        record[field] = int(value) if value.isascii() else value
    doc = {"format": "kb/1", ENTITY[entity]: [record]}
    with app.app_context(), session_scope() as session:
        try:
            apply_document(session, doc)
        except DataError as exc:
            return [str(p) for p in exc.problems]
    return []


def _count(app, model: type) -> int:
    with app.app_context(), session_scope() as s:
        return s.scalar(select(func.count()).select_from(model))


def _refused_by_both(app, editor, entity: str, field: str, value: str) -> None:
    problems = _import_problems(app, entity, field, value)
    assert len(problems) == 1, (value, problems)
    assert f"{ENTITY[entity]}[0]" in problems[0] and f"field {field!r}" in problems[0], problems
    model = {"person": m.Person, "source": m.Source, "topic": m.Topic}[entity]
    r = submit(editor, f"/admin/{entity}/new", {**BASE[entity], "slug": "ok-slug", field: value})
    assert r.status_code in (400, 422), (value, r.status_code)
    assert error_beside(r.text, field), value
    assert _count(app, model) == 0, value


def test_bad_slugs_are_refused_by_importer_and_form(app, editor) -> None:
    for slug in BAD_SLUGS:
        _refused_by_both(app, editor, "person", "slug", slug)


def test_what_the_importer_refuses_the_forms_refuse(app, editor) -> None:
    for entity, field, value in BAD:
        _refused_by_both(app, editor, entity, field, value)


def test_the_importer_names_record_line_and_field_of_a_bad_slug(app, tmp_path: Path) -> None:
    p = tmp_path / "people.csv"
    p.write_text("slug,name\r\nelon-musk,Elon Musk\r\nElon-Musk,Impostor\r\n", encoding="utf-8")
    with app.app_context(), session_scope() as session, pytest.raises(DataError) as caught:
        import_input(session, open_input(p))
    (problem,) = caught.value.problems
    assert str(problem).startswith("people.csv, line 3, people[1] (Elon-Musk), field 'slug': ")
    assert "lowercase letters, digits and single hyphens" in problem.message
    assert _count(app, m.Person) == 0


STANCE_BAD = [
    ("probability", "1e-400", "too small"),
    ("probability", "-0.5", "between 0 and 1"),
    ("probability", "０.５", "between 0 and 1"),
    ("probability", "nan", "between 0 and 1"),
    ("as_of", "２０２０-01-01", "YYYY-MM-DD"),
    ("as_of", "2021-02-29", "not a real date"),
    ("as_of", "20210228", "YYYY-MM-DD"),
]


def _stance_doc(field: str, value: Any) -> dict[str, Any]:
    return {
        "format": "kb/1",
        "people": [{"slug": "p", "name": "P"}],
        "sources": [{"slug": "s", "title": "S", "kind": "article"}],
        "claims": [{"slug": "c", "text": "C"}],
        "quotes": [
            {
                "id": "q1",
                "text": "Words.",
                "speaker": "p",
                "source": "s",
                "attribution": "verbatim",
                "checked": "primary",
            }
        ],
        "stances": [
            {
                "person": "p",
                "claim": "c",
                "position": "supports",
                "basis": "explicit",
                "evidence": ["q1"],
                field: value,
            }
        ],
    }


def test_bad_probabilities_and_dates_are_refused_by_importer_and_form(
    app, editor, tmp_path
) -> None:
    with app.app_context(), session_scope() as session:
        apply_document(session, {**_stance_doc("note", None), "stances": []})
    for field, value, reason in STANCE_BAD:
        _stance_refused(app, editor, tmp_path, field, value, reason)


def _stance_refused(app, editor, tmp_path: Path, field: str, value: str, reason: str) -> None:
    # JSON (a number where one is meant, parsed exactly) and CSV (text) alike.
    number = field == "probability" and value.isascii() and value != "nan"
    raw = json.dumps(_stance_doc(field, "@@"))
    raw = raw.replace('"@@"', value if number else json.dumps(value))
    path = tmp_path / "doc.json"
    path.write_text(raw, encoding="utf-8")
    with app.app_context(), session_scope() as session, pytest.raises(DataError) as caught:
        import_input(session, open_input(path))
    (problem,) = caught.value.problems
    assert problem.field == field and reason in problem.message, str(problem)
    assert _count(app, m.Stance) == 0
    r = submit(
        editor,
        "/admin/stance/new",
        {
            "person": "p",
            "claim": "c",
            "position": "supports",
            "basis": "explicit",
            "evidence": "1",
            field: value,
        },
    )
    assert r.status_code in (400, 422), r.status_code
    assert reason in error_beside(r.text, field)
    assert _count(app, m.Stance) == 0


def test_minus_zero_is_zero(app, editor) -> None:
    with app.app_context(), session_scope() as session:
        apply_document(session, _stance_doc("probability", -0.0))
        stance = session.scalars(select(m.Stance)).one()
        assert stance.probability == 0 and str(stance.probability) == "0.0"
    assert rules.parse_probability("-0") == 0.0 and str(rules.parse_probability("-0")) == "0.0"


def test_as_of_on_pages_takes_only_ascii_dates(client) -> None:
    assert client.get("/graph?as_of=2020-01-01").status_code == 200
    for bad in ("２０２０-01-01", "20200101", "2020-W01-1", "2020-02-30"):
        r = client.get("/graph", query_string={"as_of": bad})
        assert r.status_code == 400, bad


def test_no_route_shadows_a_slug(app) -> None:
    """Every fixed word a route puts where a record's slug goes is a reserved slug, and no
    slug can end like a route's twin (x.json beside x)."""
    prefixes = ("/people/", "/claims/", "/sources/", "/topics/")
    checked = 0
    for rule in app.url_map.iter_rules():
        path = str(rule)
        for prefix in filter(path.startswith, prefixes):
            segment = path[len(prefix) :].split("/")[0]
            word = segment if "<" not in segment else segment.rpartition(">")[2]
            if word:
                assert rules.slug_problem(f"x{word}" if "<" in segment else word), path
                checked += 1
    assert checked >= len(prefixes)  # at least each JSON twin


def test_source_authors_by_name_or_slug(app, editor) -> None:
    with app.app_context(), session_scope() as session:
        apply_document(
            session,
            {
                "format": "kb/1",
                "people": [
                    {"slug": "ada-lovelace", "name": "Ada Lovelace"},
                    {"slug": "alan-turing", "name": "Alan Turing"},
                ],
            },
        )
    data = {"title": "Notes", "kind": "article", "authors": "ada lovelace, alan-turing"}
    r = submit(editor, "/admin/source/new", data)
    assert r.status_code == 302, r.status_code
    with app.app_context(), session_scope() as s:
        source = s.scalars(select(m.Source)).one()
        assert sorted(a.slug for a in source.authors) == ["ada-lovelace", "alan-turing"]
    r = submit(editor, "/admin/source/new", {**data, "title": "Other", "authors": "Nobody"})
    assert r.status_code == 422 and "there is no person" in r.text
    assert _count(app, m.Source) == 1


def test_the_json_schema_states_the_same_rules() -> None:
    from kb.formats import kb1

    defs = kb1.schema()["$defs"]
    names = {"people": "person", "topics": "topic", "sources": "source", "claims": "claim"}
    names.update(quotes="quote", stances="stance", claim_relations="claim_relation")
    names.update(statements="statement", signatures="signature")
    names.update(affiliations="affiliation", verifications="verification", replies="reply")
    names.update(reports="report")
    for entity, limits in rules.LIMITS.items():
        props = defs[names[entity]]["properties"]
        for field, max_len in limits.items():
            if field not in kb1.FIELDS[entity]:  # a report's private fields: never in kb/1
                assert entity == "reports" and field not in props, (entity, field)
                continue
            schema = defs["slug"] if field == "slug" else props[field]
            assert schema["maxLength"] == max_len, (entity, field)
    assert defs["slug"]["pattern"] == f"^{rules.SLUG_PATTERN}$"
    assert set(defs["slug"]["not"]["enum"]) == rules.RESERVED_SLUGS
    assert (defs["year"]["minimum"], defs["year"]["maximum"]) == (rules.YEAR_MIN, rules.YEAR_MAX)


def test_csv_numbers_take_only_plain_ascii_decimals(app, tmp_path: Path) -> None:
    with app.app_context(), session_scope() as session:
        apply_document(session, {**_stance_doc("note", None), "stances": []})
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "people.csv").write_text("slug,name,birth_year\r\nq,Q,１９５０\r\n", encoding="utf-8")
    (folder / "stances.csv").write_text(
        "person,claim,position,basis,probability,as_of,evidence\r\n"
        "p,c,supports,explicit,1e-400,2020-01-01,q1\r\n"
        "p,c,opposes,explicit,０.５,2020-01-02,q1\r\n"
        "p,c,mixed,explicit,-0,2020-01-03,q1\r\n",
        encoding="utf-8",
    )
    with app.app_context(), session_scope() as session, pytest.raises(DataError) as caught:
        import_input(session, open_input(folder))
    found = [(p.file, p.line, p.record.split(" ")[0], p.field) for p in caught.value.problems]
    assert found == [
        ("people.csv", 2, "people[0]", "birth_year"),
        ("stances.csv", 2, "stances[0]", "probability"),
        ("stances.csv", 3, "stances[1]", "probability"),
    ]
    assert _count(app, m.Stance) == 0 and _count(app, m.Person) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1947", 1947),
        (" 1947.0 ", 1947),
        ("-300.00", -300),
        ("1947.5", None),
        ("1947.", None),
        ("1e3", None),
        ("１９５０", None),
    ],
)
def test_a_year_may_be_written_as_a_whole_number_float(text, expected) -> None:
    """As pandas and spreadsheets write a year that passed through a float column."""
    assert rules.integer_text(text) == expected


def test_a_whole_number_float_in_json_is_a_year(app, tmp_path) -> None:
    with app.app_context(), session_scope() as session:
        apply_document(
            session,
            {"format": "kb/1", "people": [{"slug": "a", "name": "A", "birth_year": 1950.0}]},
        )
    with app.app_context(), session_scope() as session:
        assert session.scalars(select(m.Person.birth_year)).one() == 1950
        with pytest.raises(DataError) as caught:
            apply_document(
                session,
                {"format": "kb/1", "people": [{"slug": "b", "name": "B", "birth_year": 1950.5}]},
            )
    assert [p.field for p in caught.value.problems] == ["birth_year"]
