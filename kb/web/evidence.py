"""Readers and the evidence (issue 18): a quote's own page (/quotes/<id>, with its speaker's
replies, its anchor in the source, its verification trail and the public outcome of readers'
reports) and the "Report a problem" form of every
quote, stance and source (/report/<kind>/<id>), for anyone, without an account or JavaScript.

The form is a page of its own rather than part of the record's page: a page with a CSRF token
cannot be shared by a cache, and the record pages are. A report goes through, in order: the
CSRF token (app-wide, kb.web.security), a size limit on the whole body, the honeypot field
(a person leaves it empty; a form-filling robot does not), the limit per address, then each
field's checks (kb.edits.evidence)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Optional

from kb.edits import evidence as edits
from kb.edits.cleaning import MAX_ID
from kb.edits.outcomes import Invalid
from kb.queries import evidence as queries
from kb.web import security
from kb.web.database import get_session

bp = Blueprint("evidence", __name__)

MAX_REPORT_BYTES = 32 * 1024
"""A report's whole body: the explanation's 5000 characters, even all four bytes long, fit."""

KIND_LABELS = {
    "misattributed": "Misattributed: someone else said it",
    "not_verbatim": "Not verbatim: the words are not the speaker's exact words",
    "wrong_date": "Wrong date",
    "out_of_context": "Out of context: it meant something else where it was said",
    "broken_link": "Broken link: the source or its archived copy does not open",
    "other": "Something else",
}
TARGET_NAMES = {"quote": "quote", "stance": "stance", "source": "source"}


class ReportForm(FlaskForm):
    kind = RadioField("What is wrong?", choices=KIND_LABELS, validators=[Optional()])
    explanation = TextAreaField(
        "Explain the problem", description="Up to 5000 characters. Shown only to kb's editors."
    )
    evidence_url = StringField(
        "A link to better evidence (optional)", description="The page that shows it, if any."
    )
    email = StringField(
        "Your e-mail (optional)",
        description="Only if you want an answer. Kept private: never shown or exported.",
    )
    # The trap: hidden from people (CSS and aria-hidden), filled by robots that fill every field.
    website = StringField("Leave this field empty")


def _target_or_404(target: str, target_id: int) -> Any:
    record = edits.report_target(get_session(), target, target_id) if target_id <= MAX_ID else None
    if record is None:
        abort(404, description=f"There is no {TARGET_NAMES[target]} #{target_id} in kb.")
    return record


def report(target: str, target_id: int) -> Any:
    session = get_session()
    about = queries.report_subject(session, _target_or_404(target, target_id))
    form = ReportForm()
    if request.method == "GET":
        return render_template("evidence/report.html", form=form, about=about, problems={})
    if (request.content_length or 0) > MAX_REPORT_BYTES:
        abort(413, description=f"A report is at most {MAX_REPORT_BYTES // 1024} KB.")
    if form.website.data:
        abort(400, description="The report was not sent: a field meant to stay empty was filled.")
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    if not security.report_allowed(app, session, request.remote_addr or "unknown"):
        abort(429, description="Too many reports from your address for now: try again later.")
    session.info["actor"] = "reader"  # the history's name for an anonymous reader
    try:
        edits.submit_report(session, target, target_id, _fields(form))
    except Invalid as exc:
        session.rollback()
        problems = {e.field: e.message for e in exc.errors}
        page = render_template("evidence/report.html", form=form, about=about, problems=problems)
        return page, 422
    session.commit()
    return redirect(url_for("evidence.report_sent", target=target, target_id=target_id), 303)


def _fields(form: ReportForm) -> dict[str, Any]:
    return {name: form[name].data for name in ("kind", "explanation", "evidence_url", "email")}


def report_sent(target: str, target_id: int) -> str:
    about = queries.report_subject(get_session(), _target_or_404(target, target_id))
    return render_template("evidence/report_sent.html", about=about)


def quote_page(quote_id: int) -> str:
    data = queries.quote_page(get_session(), quote_id) if 0 < quote_id <= MAX_ID else None
    if data is None:
        abort(404, description="There is no quote with that number in kb.")
    return render_template("evidence/quote.html", data=data, trail=data["trail"])


_TARGET_RULE = "/report/<any(quote,stance,source):target>/<int:target_id>"
bp.add_url_rule(_TARGET_RULE, view_func=report, methods=["GET", "POST"])
bp.add_url_rule(f"{_TARGET_RULE}/sent", view_func=report_sent, methods=["GET"])
bp.add_url_rule("/quotes/<int:quote_id>", view_func=quote_page, methods=["GET"])
