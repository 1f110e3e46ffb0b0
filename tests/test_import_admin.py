"""/admin/import: upload, preview (a dry run), then apply; refused cleanly when too large."""

from __future__ import annotations

import copy
import io
import json

from sqlalchemy import func, select

from kb import models as m
from kb.seed import seed_document
from tests.test_admin_support import csrf_token, editor_client, hidden_fields  # noqa: F401


def _count(app, model) -> int:
    with app.app_context():
        s = app.extensions["kb.sessionmaker"]()
        try:
            return s.scalar(select(func.count()).select_from(model))
        finally:
            s.close()


def _upload(client, body: bytes, name: str = "kb.json"):
    token = csrf_token(client, "/admin/import/")
    return client.post(
        "/admin/import/",
        data={"csrf_token": token, "file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def _seed_bytes(doc=None) -> bytes:
    return json.dumps(doc or seed_document(), ensure_ascii=False).encode("utf-8")


def test_anonymous_visitors_are_refused(client) -> None:
    assert client.get("/admin/import/").status_code == 302
    assert client.post("/admin/import/apply").status_code in (400, 401)


def test_preview_then_apply(app, editor_client) -> None:  # noqa: F811
    page = editor_client.get("/admin/import/")
    assert page.status_code == 200 and 'type="file"' in page.text
    preview = _upload(editor_client, _seed_bytes())
    assert preview.status_code == 200, preview.text
    assert "Preview of kb.json" in preview.text and "Apply this import" in preview.text
    assert _count(app, m.Person) == 0  # the preview wrote nothing
    fields = hidden_fields(preview.text)
    applied = editor_client.post(
        "/admin/import/apply",
        data={k: fields[k] for k in ("csrf_token", "token", "name")},
    )
    assert applied.status_code == 200, applied.text
    assert "Imported kb.json" in applied.text
    assert _count(app, m.Stance) == 32
    with app.app_context():
        s = app.extensions["kb.sessionmaker"]()
        actors = set(s.scalars(select(m.Revision.actor)))
        s.close()
    assert actors == {"eve"}
    # the same token cannot be applied twice
    again = editor_client.post(
        "/admin/import/apply",
        data={k: fields[k] for k in ("csrf_token", "token", "name")},
    )
    assert again.status_code == 410


def test_problems_are_listed_with_lines_and_nothing_is_written(app, editor_client) -> None:  # noqa: F811
    doc = copy.deepcopy(seed_document())
    doc["stances"][3]["position"] = "agrees"
    doc["people"][2]["birth_year"] = "long ago"
    body = json.dumps(doc, indent=1).encode()
    r = _upload(editor_client, body)
    assert r.status_code == 422
    assert "2 problems in kb.json" in r.text
    assert "stances[3]" in r.text and "&#39;agrees&#39; is not one of" in r.text
    assert "people[2]" in r.text and "must be a whole number" in r.text
    assert "Apply this import" not in r.text
    assert _count(app, m.Person) == 0


def test_malformed_upload_is_a_problem_not_a_500(app, editor_client) -> None:  # noqa: F811
    r = _upload(editor_client, b'{"format": "kb/1", "people": [}')
    assert r.status_code == 422 and "malformed JSON" in r.text
    r = _upload(editor_client, b"\xff\xfe garbage", "people.csv")
    assert r.status_code == 422 and "not UTF-8" in r.text
    r = _upload(editor_client, b"hello", "notes.txt")
    assert r.status_code == 400 and "Upload a .json, .zip or .csv file." in r.text


def test_upload_over_the_limit_is_refused_cleanly(app, editor_client) -> None:  # noqa: F811
    app.config["IMPORT_MAX_BYTES"] = 1000
    r = _upload(editor_client, _seed_bytes())
    assert r.status_code == 413
    assert "larger than the upload limit" in r.text
    assert _count(app, m.Person) == 0


def test_post_without_csrf_token_is_refused(app, editor_client) -> None:  # noqa: F811
    r = editor_client.post(
        "/admin/import/",
        data={"file": (io.BytesIO(_seed_bytes()), "kb.json")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert _count(app, m.Person) == 0


def test_forged_token_is_refused(editor_client) -> None:  # noqa: F811
    token = csrf_token(editor_client, "/admin/import/")
    r = editor_client.post(
        "/admin/import/apply", data={"csrf_token": token, "token": "../../secret_key", "name": "x"}
    )
    assert r.status_code == 400


def test_the_admin_menu_links_to_the_import(editor_client) -> None:  # noqa: F811
    page = editor_client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/import/"' in page
