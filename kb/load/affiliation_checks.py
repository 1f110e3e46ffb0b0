"""The importer's check of a kb/1 affiliation record (issue 14): a person's role at an
organisation, from one partial date to another.

Kept apart from kb.load.record_checks so that each record kind's checks stay in their own
block. An affiliation is matched by (person, organisation, role, from); the period rule is
kb.rules.period_problem, the one the admin form applies too.
"""

from __future__ import annotations

from typing import Any

from kb import rules
from kb.load.field_checks import FieldChecker, Rec
from kb.load.state import ImportState, affiliation_key


class AffiliationChecks(ImportState):
    """`_check_affiliations(checker, record)`, mixed into the Importer."""

    def _check_affiliations(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        person = c.ref(rec, "person", "people", "person")
        organisation = c.text(rec, "organisation", required=True)
        role = c.text(rec, "role")
        started, started_precision = c.partial_date(rec, "from")
        ended, ended_precision = c.partial_date(rec, "to")
        problem = rules.period_problem(started, ended, ended_precision)
        if problem:
            c.add("to", problem)
        values = {
            "person_id": person,
            "organisation": organisation,
            "role": role,
            "started_on": started,
            "started_precision": started_precision,
            "ended_on": ended,
            "ended_precision": ended_precision,
            "note": c.text(rec, "note"),
        }
        if not c.ok:
            return None
        key = affiliation_key(person, organisation, role, started)
        id_, new = self._match("affiliations", key, c, "organisation")
        if not c.ok:
            return None
        if new:
            id_ = self._register_new("affiliations", key)
        return Rec(id_, new, values)
