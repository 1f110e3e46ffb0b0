"""Data entry for editors and account management for admins, under /admin; /login and /logout.

Every view here is guarded by kb.web.auth's decorators: anonymous visitors are sent to the login page
(or refused with 401 when they POST), editors may enter data, only admins manage accounts. The
views stay thin: kb.edits checks and writes, kb.store.history records and reverts, kb.web.admin.forms describes
the fields. A view commits once, after everything in a submission was accepted.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as cookie_session,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from kb import edits
from kb import models as m
from kb.dates import format_partial
from kb.errors import explain_integrity_error
from kb.queries import evidence_dates
from kb.store import history
from kb.web import auth, security
from kb.web.admin import forms, pickers
from kb.web.database import get_session

bp = Blueprint("admin", __name__, url_prefix="/admin")
auth_bp = Blueprint("auth", __name__)

PAGE_SIZE = 50
ENTITY_RULE = "<any(person,source,quote,topic,claim,stance,claim_relation):entity>"
TITLES = {
    "person": ("Person", "People"),
    "source": ("Source", "Sources"),
    "quote": ("Quote", "Quotes"),
    "topic": ("Topic", "Topics"),
    "claim": ("Claim", "Claims"),
    "stance": ("Stance", "Stances"),
    "claim_relation": ("Claim relation", "Claim relations"),
}
ENTITY_ORDER = tuple(TITLES)


def _model(entity: str) -> m.EditableModel:
    return history.MODELS[entity]


def _get_or_404(entity: str, record_id: int) -> Any:
    obj = get_session().get(_model(entity), record_id) if record_id <= edits.MAX_ID else None
    if obj is None:
        abort(404, f"There is no {history.ENTITY_NAMES[entity]} #{record_id}.")
    return obj


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    try:
        page = int(raw)
    except ValueError:
        abort(400, f"page must be a whole number, not {raw!r}")
    if not 1 <= page <= 1_000_000:
        abort(400, "page must be between 1 and 1000000")
    return page


def public_url(entity: str, obj: Any) -> str | None:
    """The reader's page of a record, if it has one."""
    path = edits.PUBLIC_PATHS.get(entity)
    if path and getattr(obj, "slug", None):
        return request.script_root + path.format(obj.slug)
    return None


def _link(path: str | None) -> str | None:
    return request.script_root + path if path and path.startswith("/") else path


# -- login and logout --------------------------------------------------------------------------


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never //host or a scheme, so login cannot redirect away."""
    return security.safe_next(target)


@auth_bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = forms.LoginForm()
    if request.method in ("GET", "HEAD"):
        form.next.data = _safe_next(request.args.get("next")) or ""
    status = 200
    if form.validate_on_submit():
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
        username = (form.username.data or "").strip()  # required: never None here
        address = request.remote_addr or "unknown"
        session = get_session()
        # Counted (and committed) before the password is checked, so simultaneous guesses
        # each take a place in the limit and those beyond it are never evaluated.
        if not security.login_attempt_allowed(app, session, username, address):
            form.password.errors = [
                "Too many login attempts for this account from this address, or from this "
                "address. Wait a few minutes and try again."
            ]
            status = 429
        else:
            user = auth.authenticate(session, username, form.password.data or "")
            if user is None:
                form.password.errors = ["Wrong username or password (or the account is disabled)."]
                status = 401
            else:
                security.forgive_login_attempt(app, session, username, address)
                session.commit()  # keeps an upgraded password hash
                cookie_session.clear()  # a fresh session: no fixation of an old one
                login_user(auth.AccountUser.of(user))
                return redirect(_safe_next(form.next.data) or url_for("admin.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@auth_bp.post("/logout")
@auth.login_required
def logout() -> Response:
    form = forms.LogoutForm()
    if not form.validate_on_submit():
        abort(400, "The logout form expired; please try again.")
    # The cookie may have been copied: end the account's sessions in the database too, so a
    # captured cookie is refused after logout (kb.web.auth.end_sessions).
    session = get_session()
    try:
        auth.end_sessions(session, current_user.id)
        session.commit()
    except StaleDataError:
        session.rollback()  # someone else wrote the account just now: its version moved anyway
    logout_user()
    cookie_session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@bp.app_context_processor
def _admin_context() -> dict[str, Any]:
    return {"logout_form": forms.LogoutForm, "admin_entities": ENTITY_ORDER, "titles": TITLES}


# -- dashboard, lists --------------------------------------------------------------------------


@bp.get("/")
@auth.editor_required
def index() -> str:
    session = get_session()
    counts = {
        entity: session.scalar(select(func.count()).select_from(_model(entity))) or 0
        for entity in ENTITY_ORDER
    }
    changes = _revision_rows(session, list(session.scalars(history.recent(10))))
    return render_template("admin/index.html", counts=counts, changes=changes)


def _search_columns(entity: str) -> list[Any]:
    model = _model(entity)
    return {
        "person": [m.Person.name, m.Person.slug],
        "source": [m.Source.title, m.Source.slug],
        "quote": [m.Quote.text],
        "topic": [m.Topic.name, m.Topic.slug],
        "claim": [m.Claim.text, m.Claim.slug],
        "stance": [],
        "claim_relation": [],
    }.get(entity, [model.id])


def _list_query(entity: str, q: str) -> Any:
    model = _model(entity)
    query: Select[Any] = select(model)
    options = {
        "quote": [selectinload(m.Quote.speaker), selectinload(m.Quote.source)],
        "stance": [selectinload(m.Stance.person), selectinload(m.Stance.claim)],
        "claim_relation": [
            selectinload(m.ClaimRelation.from_claim),
            selectinload(m.ClaimRelation.to_claim),
        ],
    }.get(entity, [])
    if q:
        cols = _search_columns(entity)
        if entity == "stance":
            query = query.join(m.Person, m.Stance.person_id == m.Person.id).join(
                m.Claim, m.Stance.claim_id == m.Claim.id
            )
            cols = [m.Person.name, m.Person.slug, m.Claim.slug, m.Claim.text]
        elif entity == "claim_relation":
            query = query.join(m.Claim, m.ClaimRelation.from_claim_id == m.Claim.id)
            cols = [m.Claim.slug, m.Claim.text]
        query = query.where(
            or_(*(func.lower(c).contains(q.lower(), autoescape=True) for c in cols))
        )
    return query.options(*options)


@bp.get(f"/{ENTITY_RULE}/")
@auth.editor_required
def records(entity: str) -> str:
    session = get_session()
    q = request.args.get("q", "").replace("\x00", "").strip()[:200]
    page = _page_arg()
    model = _model(entity)
    query = _list_query(entity, q)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    objs = session.scalars(
        query.order_by(model.updated_at.desc(), model.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    rows = [
        {
            "id": o.id,
            "label": history.label_of(o),
            "slug": getattr(o, "slug", None),
            "updated_at": o.updated_at,
            "public": public_url(entity, o),
        }
        for o in objs
    ]
    return render_template(
        "admin/records.html",
        entity=entity,
        rows=rows,
        q=q,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
    )


# -- forms -------------------------------------------------------------------------------------


def _form_data(entity: str, obj: Any) -> dict[str, Any]:
    """A record's current values in the shape of its form."""
    names = forms.FORMS[entity](formdata=None, meta={"csrf": False})._fields
    data: dict[str, Any] = {
        n: getattr(obj, n) for n in names if n in m.Base.metadata.tables[entity].c
    }
    data["version"] = obj.version
    if isinstance(obj, m.Source):
        data["published"] = format_partial(obj.published_on, obj.date_precision)
        data["authors"] = ", ".join(a.slug for a in obj.authors)
    elif isinstance(obj, m.Quote):
        data["said"] = format_partial(obj.said_on, obj.said_precision)
        data["speaker"] = obj.speaker.slug
        data["source"] = obj.source.slug
    elif isinstance(obj, m.Claim):
        data["topics"] = [t.slug for t in obj.topics]
    elif isinstance(obj, m.Stance):
        data["person"] = obj.person.slug
        data["claim"] = obj.claim.slug
        data["evidence"] = [q.id for q in obj.evidence]
    elif isinstance(obj, m.ClaimRelation):
        data["from_claim"] = obj.from_claim.slug
        data["to_claim"] = obj.to_claim.slug
    return data


def _pickers(entity: str, form: Any, obj: Any) -> dict[str, Any]:
    """What a form's pickers show: only the stance form has a list (its evidence), bounded;
    every other picker is a text input that lists nothing (kb.web.admin.fields)."""
    return pickers.stance_evidence(form) if entity == "stance" else {}


def _submitted(form: Any) -> dict[str, Any]:
    return {
        name: field.data
        for name, field in form._fields.items()
        if name not in ("csrf_token", "version")
    }


def _errors_by_field(form: Any, errors: list[edits.FieldError]) -> dict[str | None, list[Any]]:
    out: dict[str | None, list[Any]] = {}
    for e in errors:
        key = e.field if e.field in form._fields else None
        out.setdefault(key, []).append(
            {"message": e.message, "link": _link(e.link), "link_text": e.link_text}
        )
    return out


def _render_form(entity: str, form: Any, obj: Any, extra: dict | None = None, status: int = 200):
    template = "admin/stance_form.html" if entity == "stance" else "admin/form.html"
    extra = extra or {}
    problem_count = sum(len(f.errors) for f in form) + sum(len(v) for v in extra.values())
    return (
        render_template(
            template,
            entity=entity,
            form=form,
            obj=obj,
            label=history.label_of(obj) if obj is not None else None,
            public=public_url(entity, obj) if obj is not None else None,
            extra=extra,
            problem_count=problem_count,
            pick=_pickers(entity, form, obj),
        ),
        status,
    )


def _conflict(entity: str, obj_id: int | None, form: Any, status: int = 409):
    """Someone saved the record after this editor loaded it: show both, save nothing."""
    session = get_session()
    session.rollback()
    current: Any = session.get(_model(entity), obj_id) if obj_id is not None else None
    mine = _submitted(form)
    fields = []
    theirs: dict[str, Any] = _form_data(entity, current) if current is not None else {}
    for name, field in form._fields.items():
        if name in ("csrf_token", "version") or name.startswith(("new_quote_", "new_source_")):
            continue
        a, b = _display(theirs.get(name)), _display(mine.get(name))
        fields.append(
            {"name": name, "label": field.label.text, "current": a, "yours": b, "differs": a != b}
        )
    last = None
    if current is not None:
        last_rev = session.scalars(history.of_record(entity, current.id).limit(1)).first()
        if last_rev is not None:
            last = {"actor": last_rev.actor, "when": last_rev.created_at}
    your_version = form.version.data
    # The editor's values stay in the form, now over the current version (or, when the record
    # was deleted, for a new one): saving them again is one click, nothing to retype.
    form.version.data = str(current.version) if current is not None else ""
    _pickers(entity, form, current)
    return (
        render_template(
            "admin/conflict.html",
            entity=entity,
            current=current,
            current_version=current.version if current is not None else None,
            your_version=your_version,
            label=history.label_of(current) if current is not None else None,
            fields=fields,
            last=last,
            form=form,
        ),
        status,
    )


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _database_checks(entity: str, form: Any, obj: Any) -> dict[str | None, list[Any]]:
    """When a form already failed its own checks, still run kb.edits' checks (duplicate slug,
    unknown references...) on the fields that passed, so the editor sees every problem in
    one round. Whatever this wrote is rolled back: nothing is saved."""
    session = get_session()
    data = {k: (None if form[k].errors else v) for k, v in _submitted(form).items()}
    found: list[edits.FieldError] = []
    try:
        edits.save(session, entity, obj, data, form.version.data)
    except edits.Invalid as exc:
        found = [e for e in exc.errors if e.field and e.field in form._fields]
    except (edits.Conflict, SQLAlchemyError, ValueError, TypeError):
        pass
    finally:
        session.rollback()
    # A field that failed its own check keeps that one message; a blank it caused is no news.
    return _errors_by_field(form, [e for e in found if not form[e.field].errors])


def _save(entity: str, obj: Any) -> Any:
    session = get_session()
    form_cls = forms.FORMS[entity]
    if request.method in ("GET", "HEAD"):
        if obj is not None:
            form = form_cls(data=_form_data(entity, obj))
        else:
            initial: dict[str, Any] = {
                k: request.args.get(k) for k in ("person", "claim") if request.args.get(k)
            }
            if entity == "stance":  # quotes chosen beforehand: the newest one dates the stance
                chosen = evidence_dates.quote_ids(request.args.getlist("evidence"))
                as_of = evidence_dates.proposed_as_of(session, chosen)
                initial |= {"evidence": chosen, "as_of": as_of} if chosen else {}
            form = form_cls(data=initial)
        return _render_form(entity, form, obj)
    form = form_cls()
    valid = form.validate_on_submit()
    if form.is_submitted() and "csrf_token" not in form.errors:  # names to slugs, or candidates
        valid = pickers.resolve(form) and valid
    if not valid:
        if not form.errors:
            return _render_form(entity, form, obj, status=400)
        return _render_form(entity, form, obj, _database_checks(entity, form, obj), status=422)
    record_id = obj.id if obj is not None else None
    try:
        saved = edits.save(session, entity, obj, _submitted(form), form.version.data)
        session.commit()
    except edits.Invalid as exc:
        session.rollback()
        return _render_form(entity, form, obj, _errors_by_field(form, exc.errors), status=422)
    except (edits.Conflict, StaleDataError):
        return _conflict(entity, record_id, form)
    name = history.ENTITY_NAMES[entity]
    flash(f"Saved the {name}: {history.label_of(saved)}")
    return redirect(url_for("admin.edit", entity=entity, record_id=saved.id))


@bp.route(f"/{ENTITY_RULE}/new", methods=["GET", "POST"])
@auth.editor_required
def new(entity: str) -> Any:
    return _save(entity, None)


@bp.route(f"/{ENTITY_RULE}/<int:record_id>/edit", methods=["GET", "POST"])
@auth.editor_required
def edit(entity: str, record_id: int) -> Any:
    return _save(entity, _get_or_404(entity, record_id))


# -- delete ------------------------------------------------------------------------------------


def _dep_rows(deps: list[edits.Dependent]) -> list[dict[str, Any]]:
    return [
        {
            "entity": d.entity,
            "name": history.ENTITY_NAMES[d.entity],
            "id": d.id,
            "label": d.label,
            "url": url_for("admin.edit", entity=d.entity, record_id=d.id),
        }
        for d in deps
    ]


@bp.route(f"/{ENTITY_RULE}/<int:record_id>/delete", methods=["GET", "POST"])
@auth.editor_required
def delete(entity: str, record_id: int) -> Any:
    session = get_session()
    obj = _get_or_404(entity, record_id)
    form = forms.DeleteForm()
    status = 200
    message = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; please try again.")
        label = history.label_of(obj)
        try:
            edits.delete(session, obj, form.version.data)
            session.commit()
        except edits.Blocked:
            session.rollback()
            status = 409
        except (edits.Conflict, StaleDataError):
            session.rollback()
            obj = session.get(_model(entity), record_id)
            if obj is None:
                flash(f"The {history.ENTITY_NAMES[entity]} was already deleted.")
                return redirect(url_for("admin.records", entity=entity))
            message = (
                "Someone changed this record after you opened this page. Nothing was deleted: "
                "check it below and confirm again."
            )
            status = 409
        else:
            flash(f"Deleted the {history.ENTITY_NAMES[entity]}: {label}")
            return redirect(url_for("admin.records", entity=entity))
    plan = edits.delete_plan(session, obj)
    form.version.data = obj.version
    return (
        render_template(
            "admin/delete.html",
            entity=entity,
            obj_id=obj.id,
            label=history.label_of(obj),
            form=form,
            blockers=_dep_rows(plan.blockers),
            deleted=_dep_rows(plan.deleted),
            unlinked=_dep_rows(plan.unlinked),
            message=message,
        ),
        status,
    )


# -- history -----------------------------------------------------------------------------------


def _revision_rows(session: Any, revisions: list[m.Revision]) -> list[dict[str, Any]]:
    """Revisions as plain rows for the templates, with referenced records named (one query
    per kind of record referenced, not per revision)."""
    wanted: dict[str, set[int]] = {}
    for rev in revisions:
        cls = history.MODELS.get(rev.entity)
        if cls is None:
            continue
        for name, pair in (rev.changes or {}).items():
            target = _fk_target(cls, name)
            if target:
                wanted.setdefault(target, set()).update(v for v in pair if isinstance(v, int))
    names: dict[tuple[str, int], str] = {}
    for table, ids in wanted.items():
        model = history.MODELS[table]
        for obj in session.scalars(select(model).where(model.id.in_(ids))):
            names[(table, obj.id)] = obj.slug if hasattr(obj, "slug") else f"#{obj.id}"
    rows = []
    for rev in revisions:
        cls = history.MODELS.get(rev.entity)
        changes = []
        for name, (before, after) in (rev.changes or {}).items():
            target = _fk_target(cls, name) if cls else None

            def show(v: Any, target: str | None = target, quotes: bool = name == "evidence") -> str:
                if v is None or v == []:
                    return ""
                if target and isinstance(v, int):
                    return f"{names.get((target, v), '#' + str(v) + ' (deleted)')}"
                if quotes and isinstance(v, list):
                    return ", ".join(f"quote #{i}" for i in v)
                return _display(v)

            changes.append(
                {
                    "field": name.removesuffix("_id").replace("_", " "),
                    "before": show(before),
                    "after": show(after),
                }
            )
        rows.append(
            {
                "id": rev.id,
                "when": rev.created_at,
                "actor": rev.actor,
                "action": rev.action,
                "operation": history.operation(rev) if cls else rev.action,
                "entity": rev.entity,
                "entity_name": history.ENTITY_NAMES.get(rev.entity, rev.entity),
                "entity_id": rev.entity_id,
                "label": rev.label,
                "changes": changes,
                "reverts_id": rev.reverts_id,
            }
        )
    return rows


def _fk_target(cls: m.EditableModel, name: str) -> str | None:
    column = cls.__table__.c.get(name)
    if column is None:
        return None
    fk = next(iter(column.foreign_keys), None)
    return fk.column.table.name if fk is not None else None


@bp.get(f"/{ENTITY_RULE}/<int:record_id>/history")
@auth.editor_required
def record_history(entity: str, record_id: int) -> str:
    session = get_session()
    if record_id > edits.MAX_ID:
        abort(404, f"There is no {history.ENTITY_NAMES[entity]} #{record_id}.")
    revisions = list(session.scalars(history.of_record(entity, record_id).limit(500)))
    obj = session.get(_model(entity), record_id)
    if obj is None and not revisions:
        abort(404, f"There is no {history.ENTITY_NAMES[entity]} #{record_id}.")
    return render_template(
        "admin/history.html",
        entity=entity,
        record_id=record_id,
        exists=obj is not None,
        label=history.label_of(obj)
        if obj is not None
        else (revisions[0].label if revisions else ""),
        public=public_url(entity, obj) if obj is not None else None,
        revisions=_revision_rows(session, revisions),
        revert_form=forms.RevertForm(),
    )


@bp.get("/changes")
@auth.editor_required
def changes() -> str:
    session = get_session()
    page = _page_arg()
    entity = request.args.get("entity") or None
    if entity is not None and entity not in history.MODELS:
        abort(400, f"entity must be one of {', '.join(history.MODELS)}")
    total = history.count(session, entity)
    revisions = list(session.scalars(history.recent(PAGE_SIZE, (page - 1) * PAGE_SIZE, entity)))
    return render_template(
        "admin/changes.html",
        revisions=_revision_rows(session, revisions),
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
        entity=entity,
        revert_form=forms.RevertForm(),
    )


CONCURRENT_REVERT = (
    "someone changed this record at the same moment (the same revert submitted twice, or "
    "another edit): nothing was reverted; check the history and revert again if it is still "
    "needed"
)


@bp.route("/revisions/<int:revision_id>/revert", methods=["GET", "POST"])
@auth.editor_required
def revert(revision_id: int) -> Any:
    """GET: what the revert will change, with the form that confirms it; POST: revert."""
    session = get_session()
    rev = session.get(m.Revision, revision_id) if revision_id <= edits.MAX_ID else None
    if rev is None:
        abort(404, f"There is no revision {revision_id}.")
    entity, entity_id = rev.entity, rev.entity_id
    form = forms.RevertForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        new_rev = history.revert(session, revision_id, edits.dependents)
        if request.method != "POST":
            # A dry run: the revision the revert would record says what it will change.
            preview = _revision_rows(session, [new_rev])[0]
            session.rollback()
            return _revert_confirm(rev, preview, form)
        session.commit()
    except history.RevertRefused as exc:
        session.rollback()
        return _refused(entity, entity_id, revision_id, exc.message, exc.blockers)
    except IntegrityError as exc:
        session.rollback()
        problem = explain_integrity_error(exc, history.ENTITY_NAMES.get(entity, entity))
        return _refused(
            entity, entity_id, revision_id, f"{problem.field or 'record'}: {problem.message}", []
        )
    except (StaleDataError, edits.Conflict):
        session.rollback()
        return _refused(entity, entity_id, revision_id, CONCURRENT_REVERT, [])
    flash(f"Reverted revision {revision_id} (recorded as revision {new_rev.id}).")
    return redirect(url_for("admin.record_history", entity=entity, record_id=entity_id))


def _revert_confirm(rev: m.Revision, preview: dict[str, Any], form: Any) -> str:
    session = get_session()
    return render_template(
        "admin/revert_confirm.html",
        revision=_revision_rows(session, [rev])[0],
        preview=preview,
        form=form,
    )


def _refused(entity: str, entity_id: int, revision_id: int, message: str, blockers: list) -> Any:
    rows = [
        {
            "name": history.ENTITY_NAMES.get(e, e),
            "label": label,
            "url": url_for("admin.edit", entity=e, record_id=i),
        }
        for e, i, label in blockers
    ]
    return (
        render_template(
            "admin/revert_refused.html",
            entity=entity,
            entity_id=entity_id,
            revision_id=revision_id,
            message=message,
            blockers=rows,
        ),
        409,
    )


# -- accounts (admins only) --------------------------------------------------------------------


@bp.get("/users/")
@auth.admin_required
def users() -> str:
    rows = get_session().scalars(select(m.User).order_by(func.lower(m.User.username))).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@auth.admin_required
def user_new() -> Any:
    session = get_session()
    form = forms.NewUserForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                user = auth.create_user(  # the form requires each field: never None here
                    session, form.username.data or "", form.role.data, form.password.data or ""
                )
                session.commit()
            except auth.AccountError as exc:
                session.rollback()
                field, _, message = str(exc).partition(": ")
                getattr(form, field, form.username).errors = [message]
            else:
                flash(f"Created the account {user.username} ({user.role}).")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@auth.admin_required
def user_edit(user_id: int) -> Any:
    session = get_session()
    user = session.get(m.User, user_id) if user_id <= edits.MAX_ID else None
    if user is None:
        abort(404, f"There is no account #{user_id}.")
    if request.method in ("GET", "HEAD"):
        form = forms.EditUserForm(
            data={"role": user.role, "active": user.active, "version": user.version}
        )
        return render_template("admin/user_form.html", form=form, user=user)
    form = forms.EditUserForm()
    if not form.validate_on_submit():
        return render_template("admin/user_form.html", form=form, user=user), 422
    if str(user.version) != (form.version.data or ""):
        form.role.errors = [
            "Someone changed this account since you opened the page; nothing was saved. Reload and try again."
        ]
        return render_template("admin/user_form.html", form=form, user=user), 409
    try:
        auth.change_account(session, user, role=form.role.data, active=bool(form.active.data))
        if form.password.data:
            auth.set_password(user, form.password.data)
    except auth.AccountError as exc:
        session.rollback()
        field, _, message = str(exc).partition(": ")
        getattr(form, field, form.role).errors = [message]
        return render_template("admin/user_form.html", form=form, user=user), 422
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        abort(409, "Someone changed this account at the same moment; nothing was saved.")
    flash(f"Saved the account {user.username}.")
    return redirect(url_for("admin.users"))
