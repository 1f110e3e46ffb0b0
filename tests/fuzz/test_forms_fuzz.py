"""Every admin form posted with Hypothesis-generated field values and a valid CSRF token.

Values: text with control characters and NULs, huge strings, odd Unicode (right-to-left marks,
combining characters, emoji, astral planes), malformed dates and numbers, lists where one value
is expected, and fields left out. The property: never a 5xx; either the save is accepted (a
redirect) or the form comes back with a message (4xx), and then nothing was written.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from kb import models as m
from kb.load.seed import seed_document
from kb.web.admin import forms
from tests.conftest import hidden_fields, make_user

from .conftest import examples, snapshot, tally

# Browsers cannot send lone surrogates (they are not encodable), so neither do these.
_chars = st.characters(codec="utf-8")
odd_text = st.one_of(
    st.text(_chars, max_size=30),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Mn"]), max_size=8),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\u202eevil\u202c",
            "e\u0301\u0301\u0301",
            "💥" * 3,
            "\U0010ffff",
            "<script>alert(1)</script>",
            "javascript:alert(1)",
            "http://",
            "https://exa mple.org",
            "//evil.example/",
            "ada-lovelace",
            "Ada--Lovelace",
            "2017",
            "2017-02",
            "2017-02-30",
            "0000-00-00",
            "99999-01-01",
            "1e308",
            "-0",
            "NaN",
            "inf",
            "12345678901234567890123",
            "0x1F",
            "1_000",
            "٣",
            "²",
            "true",
        ]
    ),
    st.integers(1, 4).map(lambda n: "x" * (5000 * n)),
    st.just("y" * 200_000),
)
field_value = st.one_of(odd_text, odd_text, st.lists(odd_text, min_size=2, max_size=3))


def form_fields(form_cls: type) -> list[str]:
    names = sorted(n for n in dir(form_cls) if isinstance(getattr(form_cls, n), UnboundField))
    return [n for n in names if n not in ("csrf_token", "version")]


# A valid submission of each form (synthetic values over the seed's records): half the
# examples spoil one or two of its fields, so saves that succeed with odd values are tried too.
_SEED = seed_document()
_STANCE = _SEED["stances"][0]
VALID: dict[str, dict[str, Any]] = {
    "person": {"name": "Synthetic Fuzz Person"},
    "topic": {"name": "Synthetic fuzz topic"},
    "claim": {"text": "Synthetic fuzz claim"},
    "source": {"title": "Synthetic fuzz source", "kind": "article", "published": "2020"},
    "quote": {
        "text": "Synthetic fuzz quote",
        "speaker": _STANCE["person"],
        "source": _SEED["sources"][0]["slug"],
        "attribution": "verbatim",
        "checked": "primary",
    },
    "stance": {
        "person": _STANCE["person"],
        "claim": _SEED["claims"][-1]["slug"],
        "position": "supports",
        "basis": "inferred",
        "new_quote_text": "Synthetic fuzz evidence",
        "new_quote_source": _SEED["sources"][0]["slug"],
        "new_quote_attribution": "verbatim",
        "new_quote_checked": "primary",
    },
    "claim_relation": {
        "from_claim": _SEED["claims"][-1]["slug"],
        "kind": "contradicts",
        "to_claim": _SEED["claims"][-2]["slug"],
    },
    "statement": {
        "title": "Synthetic fuzz statement",
        "claim": _SEED["claims"][-1]["slug"],
        "position": "supports",
    },
    "signature": {
        "person": _STANCE["person"],
        "statement": _SEED["statements"][0]["slug"],
        "seen_in": "https://example.org/synthetic-fuzz-signature",
    },
    "affiliation": {"person": _STANCE["person"], "organisation": "Synthetic fuzz organisation"},
    "reply": {
        "quote": "1",  # the seed's first quote
        "response": "disputed",
        "replied_by": "person",
        "source": _SEED["sources"][-1]["slug"],
    },
    "user": {"username": "synthetic-fuzz", "role": "editor", "password": "a long passphrase"},
}


@st.composite
def form_data(draw: st.DrawFn, names: list[str], valid: dict[str, Any] | None = None) -> dict:
    if valid is not None and draw(st.booleans()):
        data = dict(valid)
        for name in draw(st.lists(st.sampled_from(names), max_size=2)):
            data[name] = draw(field_value)
        if data.get("username") == valid.get("username"):
            data["username"] = f"u{draw(st.integers(0, 10**6))}"  # new accounts, not a clash
        return data
    data = {}
    for name in [*names, "unexpected_field"]:
        if draw(st.integers(0, 4)) == 0:
            continue  # left out
        data[name] = draw(field_value)
    return data


def post_form(client, page: str, target: str, data: dict[str, Any]):
    hidden = {k: v for k, v in hidden_fields(client.get(page).text).items() if k == "csrf_token"}
    if "version" not in data:
        version = hidden_fields(client.get(page).text).get("version")
        if version is not None:
            data = {**data, "version": version}
    return client.post(target, data={**data, **hidden})


def check(app, response, before: dict[str, int], label: str) -> None:
    tally(f"form responses: {response.status_code}")
    assert response.status_code < 500, (label, response.status_code)
    if response.status_code != 302:
        assert 400 <= response.status_code < 500, (label, response.status_code)
        assert snapshot(app) == before, label  # refused: nothing written
        if response.status_code in (400, 422) and "text/html" in response.content_type:
            assert "error" in response.text.lower() or "problem" in response.text.lower()


ENTITIES = list(forms.FORMS)


def _first_id(app, entity: str) -> int:
    model = {cls.__tablename__: cls for cls in m.EDITABLE_MODELS}[entity]
    with app.app_context():
        s = app.extensions["kb.sessionmaker"]()
        try:
            return s.scalar(select(model.id).order_by(model.id).limit(1))
        finally:
            s.close()


def _fuzz_new(app, client, entity: str) -> None:
    names = form_fields(forms.FORMS[entity])
    page = f"/admin/{entity}/new"

    @examples(25)
    @given(data=form_data(names, VALID[entity]))
    def run(data: dict[str, Any]) -> None:
        tally(f"form: new {entity}")
        before = snapshot(app)
        check(app, post_form(client, page, page, data), before, page)

    run()


def _fuzz_edit(app, client, entity: str) -> None:
    names = form_fields(forms.FORMS[entity])
    page = f"/admin/{entity}/{_first_id(app, entity)}/edit"

    @examples(15)
    @given(data=form_data(names, VALID[entity]), version=st.none() | odd_text)
    def run(data: dict[str, Any], version: str | None) -> None:
        tally(f"form: edit {entity}")
        if version is not None:
            data = {**data, "version": version}
        before = snapshot(app)
        check(app, post_form(client, page, page, data), before, page)

    run()


def _fuzz_delete(app, client, entity: str) -> None:
    page = f"/admin/{entity}/{_first_id(app, entity)}/delete"

    @examples(5)
    @given(version=odd_text)
    def run(version: str) -> None:
        tally("form: delete (bad version)")
        before = snapshot(app)
        r = post_form(client, page, page, {"version": version})
        if r.status_code == 302:  # only if the version happened to be right
            assert version.strip().isdigit()
            return
        check(app, r, before, page)

    run()


def test_record_forms(seeded_app, seeded_admin) -> None:  # noqa: F811
    """New, edit and delete forms of every kind of record (one seeded database for all)."""
    for entity in ENTITIES:
        _fuzz_new(seeded_app, seeded_admin, entity)
        _fuzz_edit(seeded_app, seeded_admin, entity)
    for entity in ENTITIES:
        _fuzz_delete(seeded_app, seeded_admin, entity)


def test_user_forms(seeded_app, seeded_admin) -> None:  # noqa: F811
    make_user(seeded_app, "target", "editor")
    with seeded_app.app_context():
        s = seeded_app.extensions["kb.sessionmaker"]()
        user_id = s.scalar(select(m.User.id).where(m.User.username == "target"))
        s.close()
    new_names = form_fields(forms.NewUserForm)
    edit_names = form_fields(forms.EditUserForm)

    @examples(30)
    @given(data=form_data(new_names, VALID["user"]))
    def new_user(data: dict[str, Any]) -> None:
        tally("form: new user")
        before = snapshot(seeded_app)
        r = post_form(seeded_admin, "/admin/users/new", "/admin/users/new", data)
        check(seeded_app, r, before, "new user")

    @examples(20)
    @given(data=form_data(edit_names))
    def edit_user(data: dict[str, Any]) -> None:
        tally("form: edit user")
        before = snapshot(seeded_app)
        page = f"/admin/users/{user_id}/edit"
        check(seeded_app, post_form(seeded_admin, page, page, data), before, "edit user")

    new_user()
    edit_user()


def test_login_form(seeded_app) -> None:
    client = seeded_app.test_client()
    names = form_fields(forms.LoginForm)

    @examples(30)
    @given(data=form_data(names))
    def run(data: dict[str, Any]) -> None:
        tally("form: login")
        before = snapshot(seeded_app)
        r = post_form(client, "/login", "/login", data)
        assert r.status_code in (400, 401, 429), r.status_code  # no such account
        assert snapshot(seeded_app) == before

    run()


def test_query_parameters_of_admin_pages(seeded_app, seeded_admin) -> None:  # noqa: F811
    paths = ["/admin/person/", "/admin/stance/new", "/admin/changes", "/admin/claim/"]

    @examples(40)
    @given(
        path=st.sampled_from(paths),
        params=st.dictionaries(
            st.sampled_from(["q", "page", "entity", "person", "claim", "next"]),
            odd_text,
            max_size=3,
        ),
    )
    def run(path: str, params: dict[str, str]) -> None:
        tally("admin page parameters")
        r = seeded_admin.get(path, query_string={k: v[:3000] for k, v in params.items()})
        assert r.status_code < 500, (path, params, r.status_code)

    run()


def test_import_apply_form(seeded_app, seeded_admin) -> None:  # noqa: F811
    """The second step of /admin/import takes a token naming a kept upload: a forged token
    (a path, another file, junk) is refused and nothing is imported."""
    token_like = st.one_of(
        odd_text,
        st.sampled_from(
            ["../../kb.sqlite3", "/etc/passwd", "0" * 32 + ".json", "0" * 32 + ".json/../x"]
        ),
        st.from_regex(r"\A[0-9a-f]{32}\.(json|zip|csv)\Z"),
    )

    @examples(40)
    @given(token=token_like, name=odd_text)
    def run(token: str, name: str) -> None:
        tally("form: import apply")
        before = snapshot(seeded_app)
        r = post_form(
            seeded_admin, "/admin/import/", "/admin/import/apply", {"token": token, "name": name}
        )
        assert r.status_code in (400, 410), r.status_code
        assert snapshot(seeded_app) == before

    run()
