"""/admin/import: upload, preview (a dry run), then apply; refused cleanly when too large."""

from __future__ import annotations

import copy
import io
import json
import os
import stat
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from kb import models as m
from kb.load.seed import seed_document
from tests.conftest import csrf_token, hidden_fields, login, make_user
from tests.helpers import seed_count


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
    assert _count(app, m.Stance) == seed_count("stances")
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
    assert again.status_code == 409 and "already applied" in again.text
    assert _count(app, m.Stance) == seed_count("stances")


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


def test_the_kind_of_file_comes_from_its_content(app, editor_client) -> None:  # noqa: F811
    r = _upload(editor_client, b"\x13\x37 garbage, not a zip", "kb.zip")
    assert r.status_code == 422 and "is not a zip archive" in r.text
    assert "malformed JSON" not in r.text
    r = _upload(editor_client, _seed_bytes(), "kb.zip")
    assert r.status_code == 422 and "is not a zip archive" in r.text and "name it .json" in r.text
    r = _upload(editor_client, b"\x89PNG\r\n\x1a\n an image", "kb.json")
    assert r.status_code == 422 and "is not JSON" in r.text
    r = _upload(editor_client, b"PK\x03\x04 a zip cut short", "kb.json")
    assert r.status_code == 422 and "damaged zip archive" in r.text
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # a real zip named .json is read as the zip it is
        zf.writestr("kb.json", _seed_bytes())
    r = _upload(editor_client, buf.getvalue(), "kb.json")
    assert r.status_code == 200 and "Apply this import" in r.text
    assert _count(app, m.Person) == 0


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


# -- parked previews: private, bounded, owned --------------------------------------------------


def _parked(app) -> list:
    folder = Path(app.instance_path) / "imports"
    return sorted(p for p in folder.iterdir() if p.name != ".lock") if folder.exists() else []


def _apply(client, fields):
    return client.post(
        "/admin/import/apply", data={k: fields[k] for k in ("csrf_token", "token", "name")}
    )


def _second_editor(app):
    make_user(app, "bob", "editor")
    client = app.test_client()
    assert login(client, "bob").status_code == 302
    return client


def test_a_parked_preview_is_private_and_expires(app, editor_client) -> None:  # noqa: F811
    assert app.config["IMPORT_PREVIEW_SECONDS"] <= 3600
    preview = _upload(editor_client, _seed_bytes())
    assert preview.status_code == 200
    (path,) = _parked(app)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    old = time.time() - app.config["IMPORT_PREVIEW_SECONDS"] - 1
    os.utime(path, (old, old))
    applied = _apply(editor_client, hidden_fields(preview.text))
    assert applied.status_code == 410 and "no longer kept" in applied.text
    assert _parked(app) == [] and _count(app, m.Person) == 0


def test_an_editor_keeps_at_most_two_previews(app, editor_client) -> None:  # noqa: F811
    assert app.config["IMPORT_PREVIEWS_PER_EDITOR"] == 2
    pages = [_upload(editor_client, _seed_bytes()) for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert len(_parked(app)) == 2
    first, last = (hidden_fields(p.text) for p in (pages[0], pages[-1]))
    assert _apply(editor_client, first).status_code == 410  # pushed out by the newer ones
    assert _count(app, m.Person) == 0
    assert _apply(editor_client, last).status_code == 200
    assert _count(app, m.Stance) == seed_count("stances")


def test_previews_of_all_editors_stay_under_the_total(app, editor_client) -> None:  # noqa: F811
    body = _seed_bytes()
    app.config["IMPORT_PREVIEWS_MAX_BYTES"] = len(body) + len(body) // 2
    assert _upload(editor_client, body).status_code == 200
    bob = _second_editor(app)
    refused = _upload(bob, body)
    assert refused.status_code == 503 and "cannot be kept" in refused.text
    assert refused.headers["Retry-After"]
    assert len(_parked(app)) == 1
    # with one preview per editor, eve's next one replaces hers: the total still holds
    app.config["IMPORT_PREVIEWS_PER_EDITOR"] = 1
    assert _upload(editor_client, body).status_code == 200
    assert len(_parked(app)) == 1


def test_only_the_editor_who_previewed_can_apply(app, editor_client) -> None:  # noqa: F811
    fields = hidden_fields(_upload(editor_client, _seed_bytes()).text)
    bob = _second_editor(app)
    stolen = bob.post(
        "/admin/import/apply",
        data={"csrf_token": csrf_token(bob, "/admin/import/"), "token": fields["token"]},
    )
    assert stolen.status_code == 404
    assert _count(app, m.Person) == 0
    assert _apply(editor_client, fields).status_code == 200  # still there for its owner
    assert _count(app, m.Stance) == seed_count("stances")


def _apply_at_once(app, pairs):
    """POST each (client, fields) apply at the same moment; the responses in order."""
    start = threading.Barrier(len(pairs), timeout=30)

    def run(client, data):
        start.wait()
        return _apply(client, data)

    with ThreadPoolExecutor(len(pairs)) as pool:
        futures = [pool.submit(run, client, data) for client, data in pairs]
        return [f.result(timeout=60) for f in futures]


def test_the_same_preview_applied_twice_at_once_runs_once(app, editor_client) -> None:  # noqa: F811
    fields = hidden_fields(_upload(editor_client, _seed_bytes()).text)
    other = app.test_client()  # the same editor in a second browser
    assert login(other, "eve").status_code == 302
    other_fields = {**fields, "csrf_token": csrf_token(other, "/admin/import/")}
    responses = _apply_at_once(app, [(editor_client, fields), (other, other_fields)])
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert any("already applied" in r.text for r in responses)
    assert _count(app, m.Stance) == seed_count("stances") and _count(app, m.Person) == seed_count(
        "people"
    )


def test_two_previews_of_one_file_applied_at_once(app, editor_client) -> None:  # noqa: F811
    bob = _second_editor(app)
    pairs = [(c, hidden_fields(_upload(c, _seed_bytes()).text)) for c in (editor_client, bob)]
    responses = _apply_at_once(app, pairs)
    assert [r.status_code for r in responses] == [200, 200]
    assert sum("Nothing changed" in r.text for r in responses) == 1  # one after the other
    assert _count(app, m.Stance) == seed_count("stances") and _count(app, m.Person) == seed_count(
        "people"
    )
