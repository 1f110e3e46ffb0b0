"""/admin/import: the same import as `kb import`, by upload, with a dry-run preview first.

The upload is kept in the instance folder under a random token between the two steps, so the
apply step imports exactly the file that was previewed. Uploads above IMPORT_MAX_BYTES (default:
MAX_CONTENT_LENGTH) are refused with 413 before they are read. Everything the import checks and
reports is kb.importer's; this view only moves files and renders the report.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from kb import auth
from kb.db import get_session
from kb.errors import DataError
from kb.formats.readers import ReadError, open_input
from kb.importer import ENTITIES, import_input

bp = Blueprint("transfer_admin", __name__, url_prefix="/admin/import")

_TOKEN = re.compile(r"^[0-9a-f]{32}\.(json|zip|csv)$")
_KEEP_SECONDS = 24 * 3600


class UploadForm(FlaskForm):
    file = FileField(
        "A kb/1 JSON dump, a zip bundle, or one <entity>.csv", validators=[FileRequired()]
    )


class ApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    name = HiddenField()


def _max_bytes() -> int:
    return int(
        current_app.config.get("IMPORT_MAX_BYTES") or current_app.config["MAX_CONTENT_LENGTH"]
    )


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.iterdir():  # forget previews nobody applied
        if now - old.stat().st_mtime > _KEEP_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _suffix(filename: str) -> str | None:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext if ext in ("json", "zip", "csv") else None


def _too_large() -> tuple[str, int]:
    limit = _max_bytes()
    return (
        render_template(
            "admin/import.html",
            form=UploadForm(formdata=None),
            error=f"The file is larger than the upload limit of {limit // (1024 * 1024) or 1} MB. "
            "Use `kb import` on the server for larger imports.",
            limit=limit,
        ),
        413,
    )


def _run(path: Path, name: str, dry_run: bool) -> tuple[Any, list[Any]]:
    session = get_session()
    session.info["actor"] = session.info.get("actor") or "import"
    try:
        report = import_input(session, open_input(path, display_name=name), dry_run=dry_run)
    except ReadError as exc:
        session.rollback()
        return None, [exc.problem]
    except DataError as exc:
        return None, exc.problems
    if not dry_run:
        session.commit()
    return report, []


@bp.get("/")
@auth.editor_required
def index() -> str:
    return render_template("admin/import.html", form=UploadForm(), limit=_max_bytes())


@bp.post("/")
@auth.editor_required
def preview() -> Any:
    if (request.content_length or 0) > _max_bytes():
        return _too_large()
    request.max_content_length = _max_bytes()
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("admin/import.html", form=form, limit=_max_bytes()), 400
    upload = form.file.data
    name = Path(upload.filename or "upload").name
    suffix = _suffix(name)
    if suffix is None:
        form.file.errors = ["Upload a .json, .zip or .csv file."]
        return render_template("admin/import.html", form=form, limit=_max_bytes()), 400
    token = f"{secrets.token_hex(16)}.{suffix}"
    path = _folder() / token
    upload.save(path)
    report, problems = _run(path, name, dry_run=True)
    if problems:
        path.unlink(missing_ok=True)
        status = 422
    else:
        status = 200
    return (
        render_template(
            "admin/import.html",
            form=UploadForm(formdata=None),
            limit=_max_bytes(),
            name=name,
            report=report,
            problems=problems,
            entities=ENTITIES,
            apply_form=ApplyForm(formdata=None, token=token, name=name) if report else None,
        ),
        status,
    )


@bp.post("/apply")
@auth.editor_required
def apply() -> Any:
    form = ApplyForm()
    if not form.validate_on_submit() or not _TOKEN.match(form.token.data or ""):
        abort(400, "The import form expired or was changed; upload the file again.")
    path = _folder() / form.token.data
    if not path.exists():
        abort(410, "This upload is no longer kept; upload the file again.")
    name = Path(form.name.data or path.name).name
    try:
        report, problems = _run(path, name, dry_run=False)
    finally:
        path.unlink(missing_ok=True)
    return (
        render_template(
            "admin/import.html",
            form=UploadForm(formdata=None),
            limit=_max_bytes(),
            name=name,
            report=report,
            problems=problems,
            entities=ENTITIES,
            applied=True,
        ),
        422 if problems else 200,
    )
