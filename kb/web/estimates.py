"""/estimates: every probability, range and dated prediction people gave, in one sortable table
with the quote that gives each one click away (the structured form of the p(doom) lists people
keep by hand), and its /estimates.json and /estimates.csv twins. Registered on the browse
blueprint, like the other reader pages; the rows come from kb.queries.estimates."""

from __future__ import annotations

from flask import render_template, request

from kb.queries.estimates import CSV_HEADER, SORTS, csv_rows, estimates
from kb.web.api import documented
from kb.web.browse import _csv, twin
from kb.web.database import get_session
from kb.web.params import choice
from kb.web.present import json_response


@documented(("sort", list(SORTS), "order of the rows (default probability, highest first)"))
@twin("/estimates", csv=True)
def estimate_list(fmt: str):
    """Every estimate: who gave it, on which claim, the number or range, what it is the
    probability of, its time frame, when it was said and the quote that gives it."""
    sort = choice(request.args, "sort", SORTS, "probability")
    rows = estimates(get_session(), sort)
    if fmt == "csv":
        return _csv("estimates", CSV_HEADER, csv_rows(rows))
    if fmt == "json":
        return json_response({"sort": sort, "rows": rows})
    return render_template("browse/estimates.html", rows=rows, sort=sort, sorts=SORTS)
