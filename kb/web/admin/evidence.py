"""The editors' side of issue 18: the queue of readers' reports at /admin/reports (open,
accepted, rejected; a public resolution note; the revision that fixed the record) and the
evidence dashboard at /admin/evidence, whose counts link to their lists. Editors only, like
every admin page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from kb import models as m
from kb.edits import evidence as edits
from kb.edits.cleaning import MAX_ID
from kb.edits.outcomes import Conflict, Invalid
from kb.queries import evidence as queries
from kb.web import auth, params
from kb.web.admin import revisions
from kb.web.admin.kinds import PAGE_SIZE, page_arg, pages
from kb.web.database import get_session

bp = Blueprint("evidence_admin", __name__, url_prefix="/admin")


class TriageForm(FlaskForm):
    version = HiddenField()
    status = SelectField("Decision", choices={s: s for s in m.REPORT_STATUSES})
    resolution = TextAreaField(
        "Resolution (public)",
        description="Shown to readers on the quote's page: what was decided and why.",
    )
    fixed_by = StringField(
        "Fixed by revision",
        description="For an accepted report: the number of the revision that corrected the "
        "record (see its History). Until it is named, the quote is marked disputed.",
    )


def _subject(report: m.Report) -> dict[str, Any] | None:
    record = edits.report_target(get_session(), report.target, report.target_id)
    return queries.report_subject(get_session(), record) if record is not None else None


@auth.editor_required
def reports() -> str:
    status = params.choice(request.args, "status", (*m.REPORT_STATUSES, "all"), "open")
    page = page_arg()
    session = get_session()
    wanted = None if status == "all" else status
    total, rows = queries.reports_page(session, wanted, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template(
        "admin/reports.html",
        rows=[(r, _subject(r)) for r in rows],
        status=status,
        counts=queries.status_counts(session),
        page=page,
        pages=pages(total),
        total=total,
    )


@auth.editor_required
def report(report_id: int) -> Any:
    session = get_session()
    found = session.get(m.Report, report_id) if report_id <= MAX_ID else None
    if found is None:
        abort(404, f"There is no report #{report_id}.")
    form = TriageForm(
        data={
            "version": found.version,
            "status": found.status,
            "resolution": found.resolution,
            "fixed_by": found.fixed_by_id or "",
        }
    )
    problems: dict[str | None, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        data = {"status": form.status.data, "resolution": form.resolution.data}
        data["fixed_by"] = form.fixed_by.data
        try:
            edits.triage_report(session, found, data, form.version.data)
            session.commit()
        except Invalid as exc:
            session.rollback()
            problems = {e.field: e.message for e in exc.errors}
        except Conflict:
            session.rollback()
            problems = {None: "Someone else changed this report meanwhile: reload it."}
        else:
            flash(f"Report #{report_id} is now {found.status}.")
            return redirect(url_for("evidence_admin.reports", status=found.status), 303)
    status = 422 if problems else 200
    page = render_template(
        "admin/report.html", report=found, about=_subject(found), form=form, problems=problems
    )
    return page, status


def report_history(report_id: int) -> str:
    """A report's revisions, on the page every record's history has (editors only there)."""
    return revisions.record_history("report", report_id)


@auth.editor_required
def dashboard() -> str:
    return render_template("admin/evidence.html", data=queries.dashboard(get_session()))


@auth.editor_required
def evidence_quotes() -> str:
    listed = params.choice(request.args, "list", tuple(queries.QUOTE_LISTS), None)
    checked = params.choice(request.args, "checked", m.CHECKED_HOW, None)
    page = page_arg()
    query = queries.quote_list(listed, checked)
    total, rows = _page(query, page)
    title = queries.QUOTE_LISTS[listed][0] if listed else "Quotes"
    if checked:
        title += f" checked “{checked.replace('_', ' ')}”"
    return render_template(
        "admin/evidence_list.html",
        title=title,
        kind="quote",
        rows=rows,
        total=total,
        page=page,
        pages=pages(total),
        args={k: v for k, v in (("list", listed), ("checked", checked)) if v},
    )


@auth.editor_required
def evidence_sources() -> str:
    page = page_arg()
    total, rows = _page(queries.sources_without_archive(), page)
    return render_template(
        "admin/evidence_list.html",
        title="Sources without an archived copy",
        kind="source",
        rows=rows,
        total=total,
        page=page,
        pages=pages(total),
        args={},
    )


def _page(query: Any, page: int) -> tuple[int, list[Any]]:
    return queries.page_of(get_session(), query, PAGE_SIZE, (page - 1) * PAGE_SIZE)


GET, GET_POST = ["GET"], ["GET", "POST"]
bp.add_url_rule("/reports", view_func=reports, methods=GET)
bp.add_url_rule("/reports/<int:report_id>", view_func=report, methods=GET_POST)
bp.add_url_rule("/report/<int:report_id>/history", view_func=report_history, methods=GET)
bp.add_url_rule("/evidence", view_func=dashboard, methods=GET)
bp.add_url_rule("/evidence/quotes", view_func=evidence_quotes, methods=GET)
bp.add_url_rule("/evidence/sources", view_func=evidence_sources, methods=GET)
