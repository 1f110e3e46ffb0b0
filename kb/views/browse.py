"""Pages for readers: everything here is read-only and needs no login."""

from __future__ import annotations

from flask import Blueprint, render_template

from kb import queries
from kb.db import get_session

bp = Blueprint("browse", __name__)


@bp.get("/")
def home() -> str:
    session = get_session()
    return render_template(
        "browse/home.html",
        people=list(session.scalars(queries.people())),
        claims=queries.claims_with_sides(session),
    )
