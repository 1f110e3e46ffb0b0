"""/admin/import: the same import as `kb import`, by upload, with a dry-run preview first.

The upload is parked in the instance folder under a random token between the two steps, so the
apply step imports exactly the file that was previewed. Uploads above IMPORT_MAX_BYTES (default:
MAX_CONTENT_LENGTH) are refused with 413 before they are read. Everything the import checks and
reports is kb.load.importer's; this view only moves files and renders the report.

Parked previews are bounded, because each is up to an upload's size on disk: at most
IMPORT_PREVIEWS_PER_EDITOR per editor (a new one pushes out that editor's oldest), at most
IMPORT_PREVIEWS_MAX_BYTES in all (a preview that would pass it is refused with 503), each kept
IMPORT_PREVIEW_SECONDS, created mode 0600 in a 0700 folder. A preview belongs to the editor who
made it: the owner's user id is part of the file's name (`u<id>.<token>.<ext>`), and apply looks
only among the current editor's own, so another editor's token finds nothing (404). Apply claims
the file by renaming it first, so the same preview applied twice at once runs once; the second
request is told it was already applied, and so is a later one (an empty `.applied` marker stays
until the preview would have expired).
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from kb.errors import DataError
from kb.formats.readers import open_input
from kb.formats.reading import ReadError
from kb.load.importer import ENTITIES, import_input
from kb.web import auth
from kb.web.database import get_session

bp = Blueprint("transfer_admin", __name__, url_prefix="/admin/import")

_TOKEN = re.compile(r"^[0-9a-f]{32}\.(json|zip|csv)$")
# A parked preview, claimed by a running apply, or the marker of an applied one.
_PARKED = re.compile(r"^u(\d+)\.([0-9a-f]{32}\.(?:json|zip|csv))(\.applying|\.applied)?$")
_APPLYING, _APPLIED = ".applying", ".applied"


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


def _keep_seconds() -> int:
    return int(current_app.config["IMPORT_PREVIEW_SECONDS"])


def _folder() -> Path:
    """The parking folder (0700), with every preview older than the expiry removed."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    now = time.time()
    for old in folder.iterdir():  # forget previews nobody applied
        stat = _stat(old)
        if old.name != ".lock" and stat is not None and now - stat.st_mtime > _keep_seconds():
            old.unlink(missing_ok=True)
    return folder


def _stat(path: Path) -> os.stat_result | None:
    """A parked file's stat, or None when another request removed it meanwhile."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One request at a time counts and changes the parked previews (across workers and
    threads), so two uploads at once cannot both slip under a quota."""
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _owned(path: Path, user_id: int) -> str | None:
    """The token of `path` when it is a preview parked by `user_id` (not a marker)."""
    match = _PARKED.match(path.name)
    if match and int(match.group(1)) == user_id and not match.group(3):
        return match.group(2)
    return None


def _upload_size(upload: Any) -> int:
    stream = upload.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _park(upload: Any, suffix: str) -> tuple[Path | None, str]:
    """Keep `upload` as a new preview of the current editor: (its path, "") or (None, why
    not). The editor's oldest previews make room for the new one; the total is never passed."""
    folder = _folder()
    config = current_app.config
    size = _upload_size(upload)
    with _locked(folder):
        parked = {p: st for p in folder.iterdir() if _PARKED.match(p.name) and (st := _stat(p))}
        mine = sorted(
            (p for p in parked if _owned(p, current_user.id)), key=lambda p: parked[p].st_mtime
        )
        drop = mine[: max(len(mine) - int(config["IMPORT_PREVIEWS_PER_EDITOR"]) + 1, 0)]
        used = sum(st.st_size for p, st in parked.items() if p not in drop)
        limit = int(config["IMPORT_PREVIEWS_MAX_BYTES"])
        if used + size > limit:
            return None, (
                f"Imports waiting to be applied already take {used // (1024 * 1024)} MB of the "
                f"{limit // (1024 * 1024) or 1} MB kept for them, so this file cannot be kept "
                f"too. Try again later: previews are forgotten after {_keep_seconds() // 60} "
                "minutes, or as soon as they are applied."
            )
        for old in drop:
            old.unlink(missing_ok=True)
        path = folder / f"u{current_user.id}.{secrets.token_hex(16)}.{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            upload.save(fh)
    return path, ""


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
    path, refusal = _park(upload, suffix)
    if path is None:
        page = render_template(
            "admin/import.html", form=UploadForm(formdata=None), limit=_max_bytes(), error=refusal
        )
        return page, 503, {"Retry-After": "60"}
    token = path.name.split(".", 1)[1]
    report, problems = _run(path, name, dry_run=True)
    if problems:
        path.unlink(missing_ok=True)
        status = 422
    else:
        status = 200
    return (
        _report_page(
            name,
            report,
            problems,
            apply_form=ApplyForm(formdata=None, token=token, name=name) if report else None,
            keep_minutes=_keep_seconds() // 60,
        ),
        status,
    )


def _report_page(name: str, report: Any, problems: Any, **context: Any) -> str:
    """The import page with a file's report (of a preview, or of applying it)."""
    return render_template(
        "admin/import.html",
        form=UploadForm(formdata=None),
        limit=_max_bytes(),
        name=name,
        report=report,
        problems=problems,
        entities=ENTITIES,
        **context,
    )


def _claim(token: str) -> Path:
    """Take the current editor's preview `token` for applying, by renaming it: of two
    requests at once only one succeeds. Aborts with why the other (or anyone else) cannot."""
    folder = _folder()
    own = folder / f"u{current_user.id}.{token}"
    claimed = own.with_name(own.name + _APPLYING)
    try:
        os.rename(own, claimed)
        os.utime(claimed)  # its expiry counts from now, so no purge takes it while it is read
    except FileNotFoundError:
        if claimed.exists() or own.with_name(own.name + _APPLIED).exists():
            abort(
                409,
                "This import was already applied (or is being applied right now); "
                "nothing was imported twice.",
            )
        # Nothing of this editor's: expired, pushed out by newer previews, or another
        # editor's token (which is kept from this editor, 404).
        if any(_PARKED.match(p.name) for p in folder.glob(f"u*.{token}")):
            abort(404)
        abort(410, "This upload is no longer kept; upload the file again.")
    return claimed


@bp.post("/apply")
@auth.editor_required
def apply() -> Any:
    form = ApplyForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or not _TOKEN.match(token):
        abort(400, "The import form expired or was changed; upload the file again.")
    path = _claim(token)
    name = Path(form.name.data or token).name
    try:
        report, problems = _run(path, name, dry_run=False)
    except BaseException:
        # The database refused (busy, read-only...): the preview stays, to be applied again
        # (unless it expired meanwhile).
        with suppress(FileNotFoundError):
            os.rename(path, path.with_name(path.name.removesuffix(_APPLYING)))
        raise
    if report is not None:
        marker = path.with_name(path.name.removesuffix(_APPLYING) + _APPLIED)
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT, 0o600))
    path.unlink(missing_ok=True)
    return _report_page(name, report, problems, applied=True), 422 if problems else 200
