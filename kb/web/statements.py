"""Pages of joint statements and open letters: /statements (with its JSON and CSV twins) and
/statements/<slug>, a statement with everyone seen signing it (JSON twin).

The views register on the browse blueprint (kb.web.browse.twin), so their endpoints are
browse.statements and browse.statement; kb.web imports this module before registering it. The
data comes from kb.queries.statements as plain dicts, so a page and its twins cannot disagree.
"""

from __future__ import annotations

from flask import abort, render_template

from kb.queries.statements import statement_list, statement_page
from kb.web import linked_data
from kb.web.browse import _csv, twin
from kb.web.database import get_session
from kb.web.present import json_response

STATEMENT_CSV_HEADER = ["slug", "title", "by", "date", "url", "claim", "position", "signatures"]


@twin("/statements", csv=True)
def statements(fmt: str):
    """Every joint statement and open letter, newest first, with how many signed it."""
    rows = statement_list(get_session())
    if fmt == "json":
        return json_response({"rows": rows})
    if fmt == "csv":
        cells = (
            [
                r["slug"],
                r["title"],
                r["by"],
                r["date"],
                r["url"],
                r["claim"]["slug"] if r["claim"] else None,
                r["position"],
                r["signatures"],
            ]
            for r in rows
        )
        return _csv("statements", STATEMENT_CSV_HEADER, cells)
    return render_template("browse/statements.html", rows=rows)


@twin("/statements/<slug>")
def statement(slug: str, fmt: str):
    """A statement: who issued it and when, its key text, the claim signing it bears on, and
    its signatories, each with the page where the signature was seen."""
    data = statement_page(get_session(), slug)
    if data is None:
        abort(404, description="There is no statement with that name in kb.")
    if fmt == "json":
        return json_response(data)
    return render_template(
        "browse/statement.html", data=data, jsonld=linked_data.statement_page(data)
    )
