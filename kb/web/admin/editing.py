"""The record forms: a new record, editing one (with every problem of a submission shown at
once, and the conflict page when someone saved the record meanwhile), and deleting one (what
the delete removes, unlinks or is blocked by). kb.edits checks and writes, kb.web.admin.forms
describes the fields; a view commits once, after everything in a submission was accepted."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from kb import models as m
from kb.dates import format_partial
from kb.edits import deleting, outcomes, savers
from kb.queries import admin as admin_queries
from kb.queries import evidence_dates
from kb.store import history
from kb.web import auth
from kb.web.admin import forms, pickers
from kb.web.admin.kinds import display, get_or_404, model
from kb.web.database import get_session
from kb.web.present import PAGES, urls


def _link(about: outcomes.RecordRef | None) -> str | None:
    """The page a message's record is shown on: the reader's, else its admin edit page."""
    if about is None:
        return None
    if about.slug and about.kind in PAGES:
        return urls.page(about.kind, about.slug)
    return urls.edit(about.kind, about.id)


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
        data["estimate_quote"] = obj.estimate_quote_id and str(obj.estimate_quote_id)
    elif isinstance(obj, m.ClaimRelation):
        data["from_claim"] = obj.from_claim.slug
        data["to_claim"] = obj.to_claim.slug
    elif isinstance(obj, m.Statement):
        data["issued"] = format_partial(obj.issued_on, obj.date_precision)
        data["claim"] = obj.claim.slug if obj.claim is not None else None
    elif isinstance(obj, m.Signature):
        data["person"] = obj.person.slug
        data["statement"] = obj.statement.slug
    elif isinstance(obj, m.Affiliation):
        data["person"] = obj.person.slug
        data["started"] = format_partial(obj.started_on, obj.started_precision)
        data["ended"] = format_partial(obj.ended_on, obj.ended_precision)
    elif isinstance(obj, m.Reply):
        data["quote"] = str(obj.quote_id)
        data["source"] = obj.source.slug
        data["replied"] = format_partial(obj.replied_on, obj.replied_precision)
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


def _errors_by_field(form: Any, errors: list[outcomes.FieldError]) -> dict[str | None, list[Any]]:
    out: dict[str | None, list[Any]] = {}
    for e in errors:
        key = e.field if e.field in form._fields else None
        out.setdefault(key, []).append(
            {"message": e.message, "link": _link(e.about), "link_text": e.link_text}
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
            public=urls.public(entity, obj) if obj is not None else None,
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
    current: Any = session.get(model(entity), obj_id) if obj_id is not None else None
    mine = _submitted(form)
    fields = []
    theirs: dict[str, Any] = _form_data(entity, current) if current is not None else {}
    for name, field in form._fields.items():
        if name in ("csrf_token", "version") or name.startswith(("new_quote_", "new_source_")):
            continue
        a, b = display(theirs.get(name)), display(mine.get(name))
        fields.append(
            {"name": name, "label": field.label.text, "current": a, "yours": b, "differs": a != b}
        )
    last = None
    if current is not None:
        for last_rev in admin_queries.record_revisions(session, entity, current.id, limit=1):
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


def _database_checks(entity: str, form: Any, obj: Any) -> dict[str | None, list[Any]]:
    """When a form already failed its own checks, still run kb.edits' checks (duplicate slug,
    unknown references...) on the fields that passed, so the editor sees every problem in
    one round. Whatever this wrote is rolled back: nothing is saved."""
    session = get_session()
    data = {k: (None if form[k].errors else v) for k, v in _submitted(form).items()}
    found: list[outcomes.FieldError] = []
    try:
        savers.save(session, entity, obj, data, form.version.data)
    except outcomes.Invalid as exc:
        found = [e for e in exc.errors if e.field and e.field in form._fields]
    except (outcomes.Conflict, SQLAlchemyError, ValueError, TypeError):
        pass
    finally:
        session.rollback()
    # A field that failed its own check keeps that one message; a blank it caused is no news.
    return _errors_by_field(form, [e for e in found if not form[e.field].errors])


def _initial(entity: str) -> dict[str, Any]:
    """A new record's form as the link that opened it fills it: ?person= and ?claim=, and for
    a stance the ?evidence= quotes chosen beforehand, the newest of which dates it."""
    initial: dict[str, Any] = {
        k: request.args.get(k) for k in ("person", "claim") if request.args.get(k)
    }
    if entity == "stance":
        chosen = evidence_dates.quote_ids(request.args.getlist("evidence"))
        as_of = evidence_dates.proposed_as_of(get_session(), chosen)
        initial |= {"evidence": chosen, "as_of": as_of} if chosen else {}
    return initial


def _save(entity: str, obj: Any) -> Any:
    session = get_session()
    form_cls = forms.FORMS[entity]
    if request.method in ("GET", "HEAD"):
        if obj is not None:
            form = form_cls(data=_form_data(entity, obj))
        else:
            form = form_cls(data=_initial(entity))
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
        saved = savers.save(session, entity, obj, _submitted(form), form.version.data)
        session.commit()
    except outcomes.Invalid as exc:
        session.rollback()
        return _render_form(entity, form, obj, _errors_by_field(form, exc.errors), status=422)
    except (outcomes.Conflict, StaleDataError):
        return _conflict(entity, record_id, form)
    name = history.ENTITY_NAMES[entity]
    flash(f"Saved the {name}: {history.label_of(saved)}")
    return redirect(urls.edit(entity, saved.id))


@auth.editor_required
def new(entity: str) -> Any:
    return _save(entity, None)


@auth.editor_required
def edit(entity: str, record_id: int) -> Any:
    return _save(entity, get_or_404(entity, record_id))


def _dep_rows(deps: list[outcomes.Dependent]) -> list[dict[str, Any]]:
    return [
        {
            "entity": d.entity,
            "name": history.ENTITY_NAMES[d.entity],
            "id": d.id,
            "label": d.label,
            "url": urls.edit(d.entity, d.id),
        }
        for d in deps
    ]


@auth.editor_required
def delete(entity: str, record_id: int) -> Any:
    session = get_session()
    obj = get_or_404(entity, record_id)
    form = forms.DeleteForm()
    status = 200
    message = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; please try again.")
        label = history.label_of(obj)
        try:
            deleting.delete(session, obj, form.version.data)
            session.commit()
        except outcomes.Blocked:
            session.rollback()
            status = 409
        except (outcomes.Conflict, StaleDataError):
            session.rollback()
            obj = session.get(model(entity), record_id)
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
    plan = deleting.delete_plan(session, obj)
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
