"""`kb check`'s look at the verification trails (issue 18): a quote's `checked` label must agree
with the trail of its checks (kb.rules.trail_problem), not be typed freely. Kept apart from
kb.store.checks, which registers it."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import Connection, select

from kb import models as m
from kb import rules

EXAMPLES = 5


def checked_labels(conn: Connection) -> tuple[int, list[str]]:
    """Quotes whose label the trail does not back, read in one pass ordered by quote."""
    q, v = m.Quote.__table__, m.Verification.__table__
    rows = conn.execute(
        select(q.c.id, q.c.checked, v.c.result, v.c.seen_in)
        .join(v, v.c.quote_id == q.c.id)
        .order_by(q.c.id, v.c.checked_on.is_not(None), v.c.checked_on, v.c.id)
        .execution_options(yield_per=5000)
    )
    count, examples = 0, list[str]()
    for (quote_id, checked), entries in groupby(rows, key=lambda r: (r[0], r[1])):
        problem = rules.trail_problem(checked, [(r[2], r[3]) for r in entries])
        if problem:
            count += 1
            if len(examples) < EXAMPLES:
                examples.append(f"quote {quote_id} {problem}")
    return count, examples
