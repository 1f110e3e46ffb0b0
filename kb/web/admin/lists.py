"""The dashboard (how many records of each kind, the latest changes) and the searchable,
paginated list of each kind of record."""

from __future__ import annotations

from flask import render_template, request

from kb.queries import admin as admin_queries
from kb.store import history
from kb.web import auth
from kb.web.admin.kinds import ENTITY_ORDER, PAGE_SIZE, page_arg, pages
from kb.web.admin.revisions import revision_rows
from kb.web.database import get_session
from kb.web.present import urls


@auth.editor_required
def index() -> str:
    session = get_session()
    counts = admin_queries.record_counts(session, ENTITY_ORDER)
    changes = revision_rows(session, admin_queries.recent_revisions(session, 10))
    return render_template("admin/index.html", counts=counts, changes=changes)


@auth.editor_required
def records(entity: str) -> str:
    session = get_session()
    q = request.args.get("q", "").replace("\x00", "").strip()[:200]
    page = page_arg()
    total, objs = admin_queries.records_page(session, entity, q, page, PAGE_SIZE)
    rows = [
        {
            "id": o.id,
            "label": history.label_of(o),
            "slug": getattr(o, "slug", None),
            "updated_at": o.updated_at,
            "public": urls.public(entity, o),
        }
        for o in objs
    ]
    return render_template(
        "admin/records.html",
        entity=entity,
        rows=rows,
        q=q,
        page=page,
        pages=pages(total),
        total=total,
    )
