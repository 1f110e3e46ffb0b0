"""The history pages: a record's revisions, the latest changes of the database, and reverting
a revision (a dry run that shows what the revert will change, then the revert itself, or the
reason it is refused). kb.store.history records and reverts; this only shows."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kb import models as m
from kb.edits import cleaning, deleting, outcomes
from kb.errors import explain_integrity_error
from kb.queries import admin as admin_queries
from kb.store import history
from kb.web import auth, params
from kb.web.admin import forms
from kb.web.admin.kinds import PAGE_SIZE, display, model, page_arg, pages
from kb.web.database import get_session
from kb.web.present import urls

CONCURRENT_REVERT = (
    "someone changed this record at the same moment (the same revert submitted twice, or "
    "another edit): nothing was reverted; check the history and revert again if it is still "
    "needed"
)


def _fk_target(cls: m.EditableModel, name: str) -> str | None:
    column = cls.__table__.c.get(name)
    if column is None:
        return None
    fk = next(iter(column.foreign_keys), None)
    return fk.column.table.name if fk is not None else None


def _referenced(revisions: list[m.Revision]) -> dict[str, set[int]]:
    """The ids each revision's changed foreign keys name, by the table they point to."""
    wanted: dict[str, set[int]] = {}
    for rev in revisions:
        cls = history.MODELS.get(rev.entity)
        if cls is None:
            continue
        for name, pair in (rev.changes or {}).items():
            target = _fk_target(cls, name)
            if target in history.MODELS:  # (a report's fixing revision is shown as its number)
                wanted.setdefault(target, set()).update(v for v in pair if isinstance(v, int))
    return wanted


def _changes(rev: m.Revision, names: dict[tuple[str, int], str]) -> list[dict[str, str]]:
    """Each changed field of a revision, before and after, with referenced records named."""
    cls = history.MODELS.get(rev.entity)
    changes = []
    for name, (before, after) in (rev.changes or {}).items():
        target = _fk_target(cls, name) if cls else None
        target = target if target in history.MODELS else None  # a revision: its number

        def show(v: Any, target: str | None = target, quotes: bool = name == "evidence") -> str:
            if v is None or v == []:
                return ""
            if target and isinstance(v, int):
                return f"{names.get((target, v), '#' + str(v) + ' (deleted)')}"
            if quotes and isinstance(v, list):
                return ", ".join(f"quote #{i}" for i in v)
            return display(v)

        changes.append(
            {
                "field": name.removesuffix("_id").replace("_", " "),
                "before": show(before),
                "after": show(after),
            }
        )
    return changes


def revision_rows(session: Session, revisions: list[m.Revision]) -> list[dict[str, Any]]:
    """Revisions as plain rows for the templates, with referenced records named (one query
    per kind of record referenced, not per revision)."""
    names = admin_queries.slugs_by_id(session, _referenced(revisions))
    return [
        {
            "id": rev.id,
            "when": rev.created_at,
            "actor": rev.actor,
            "action": rev.action,
            "operation": history.operation(rev) if rev.entity in history.MODELS else rev.action,
            "entity": rev.entity,
            "entity_name": history.ENTITY_NAMES.get(rev.entity, rev.entity),
            "entity_id": rev.entity_id,
            "label": rev.label,
            "changes": _changes(rev, names),
            "reverts_id": rev.reverts_id,
        }
        for rev in revisions
    ]


@auth.editor_required
def record_history(entity: str, record_id: int) -> str:
    session = get_session()
    if record_id > cleaning.MAX_ID:
        abort(404, f"There is no {history.ENTITY_NAMES[entity]} #{record_id}.")
    revisions = admin_queries.record_revisions(session, entity, record_id)
    obj = session.get(model(entity), record_id)
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
        public=urls.public(entity, obj) if obj is not None else None,
        revisions=revision_rows(session, revisions),
        revert_form=forms.RevertForm(),
    )


@auth.editor_required
def changes() -> str:
    session = get_session()
    page = page_arg()
    entity = params.choice(request.args, "entity", history.MODELS)
    total = history.count(session, entity)
    revisions = admin_queries.recent_revisions(session, PAGE_SIZE, (page - 1) * PAGE_SIZE, entity)
    return render_template(
        "admin/changes.html",
        revisions=revision_rows(session, revisions),
        page=page,
        pages=pages(total),
        total=total,
        entity=entity,
        revert_form=forms.RevertForm(),
    )


@auth.editor_required
def revert(revision_id: int) -> Any:
    """GET: what the revert will change, with the form that confirms it; POST: revert."""
    session = get_session()
    rev = session.get(m.Revision, revision_id) if revision_id <= cleaning.MAX_ID else None
    if rev is None:
        abort(404, f"There is no revision {revision_id}.")
    entity, entity_id = rev.entity, rev.entity_id
    form = forms.RevertForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        new_rev = history.revert(session, revision_id, deleting.dependents)
        if request.method != "POST":
            # A dry run: the revision the revert would record says what it will change.
            preview = revision_rows(session, [new_rev])[0]
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
    except (StaleDataError, outcomes.Conflict):
        session.rollback()
        return _refused(entity, entity_id, revision_id, CONCURRENT_REVERT, [])
    flash(f"Reverted revision {revision_id} (recorded as revision {new_rev.id}).")
    return redirect(urls.history(entity, entity_id))


def _revert_confirm(rev: m.Revision, preview: dict[str, Any], form: Any) -> str:
    session = get_session()
    return render_template(
        "admin/revert_confirm.html",
        revision=revision_rows(session, [rev])[0],
        preview=preview,
        form=form,
    )


def _refused(entity: str, entity_id: int, revision_id: int, message: str, blockers: list) -> Any:
    rows = [
        {"name": history.ENTITY_NAMES.get(e, e), "label": label, "url": urls.edit(e, i)}
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
