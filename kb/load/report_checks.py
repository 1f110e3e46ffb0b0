"""The importer's check of a kb/1 report record (issue 18): a reader's report of a problem with a
quote, a stance or a source, and what the editors decided. Matched by (target, the record, kind,
filed day); a file without reports imports as before.

kb/1 holds a report's public fields only, so an imported report has no reader's e-mail or
evidence link, and its explanation, which the database requires, is IMPORTED_EXPLANATION.

A report exported as `fixed` must stay fixed, or its quote would suddenly be "disputed" again.
The revision that fixed it in the other database is not in the file, so the import names the
reported record's latest revision: the one the import itself wrote for the record when it
created or changed it (the record's table is locked for the whole import), or else the record's
last revision here, which left it as the file has it. An existing report keeps its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from kb import models as m
from kb import rules
from kb.dates import utc_start
from kb.formats.reading import show
from kb.load.field_checks import FieldChecker, Rec
from kb.load.state import MODELS, ImportState

IMPORTED_EXPLANATION = (
    "Not in kb/1: a reader's explanation is for kb's editors only; "
    "this report was imported from a kb/1 file."
)
# The fields naming what each kind of report is about, and the kb/1 entity of that record.
_REFS = {"quote": ("quote",), "source": ("source",), "stance": ("person", "claim", "as_of")}
_ENTITY = {"quote": "quotes", "source": "sources", "stance": "stances"}
# An existing report keeps these: its real filing time and its reader's explanation.
_KEPT = frozenset({"created_at", "explanation"})


class ReportChecks(ImportState):
    """`_check_reports(checker, record)`, mixed into the Importer."""

    _database_quote: Any  # kb.load.record_checks.RecordChecks, beside it in the Importer

    def _check_reports(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        target = c.choice(rec, "target", m.REPORT_TARGETS)
        target_id = self._reported(c, rec, target) if target is not None else None
        kind = c.choice(rec, "kind", m.REPORT_KINDS)
        status = c.choice(rec, "status", m.REPORT_STATUSES)
        filed = _day(c, rec, "filed") or dt.datetime.now(dt.UTC).date()
        resolution = c.text(rec, "resolution")
        if status in ("accepted", "rejected") and resolution is None:
            c.add("resolution", f"is required when status is {status}: what was decided, and why")
        fixed = rec.get("fixed")
        if fixed is not None and not isinstance(fixed, bool):
            c.add("fixed", f"must be true or false, not {show(fixed)}")
        elif fixed and status not in (None, "accepted"):
            c.add("fixed", f"only an accepted report is fixed (its status is {status})")
        if _day(c, rec, "fixed_on") is not None and fixed is not True:
            c.add("fixed_on", "is the day of the fix: only with fixed true")
        if not c.ok or target is None or target_id is None:
            return None
        key = (target, target_id, kind, filed)
        id_, new = self._match("reports", key, c, "filed")
        if not c.ok:
            return None
        if new:
            id_ = self._register_new("reports", key)
        fixed_by = self._fixed_by(c, target, target_id, None if new else id_) if fixed else None
        values = {
            "target": target,
            "target_id": target_id,
            "kind": kind,
            "explanation": IMPORTED_EXPLANATION,
            "status": status,
            "resolution": resolution,
            "fixed_by_id": fixed_by,
            "created_at": utc_start(filed),
        }
        return Rec(id_, new, values, keep=set(_KEPT)) if c.ok else None

    def _reported(self, c: FieldChecker, rec: dict[str, Any], target: str) -> int | None:
        """The id of the record a report is about, from the one reference its target names;
        a reference to another kind of record is a mistake, not a hint."""
        for other, names in _REFS.items():
            for name in names if other != target else ():
                if rec.get(name) not in (None, ""):
                    c.add(name, f"is only for a report on a {other} (this one is on a {target})")
        if target == "source":
            return c.ref(rec, "source", "sources", "source")
        if target == "quote":
            ref = rec.get("quote")
            if not isinstance(ref, str) or not ref:
                c.add("quote", "is required: the id of the quote reported")
                return None
            found = self.quote_refs.get(ref) or self._database_quote(ref)
            if found is None:
                c.unknown("quote", "quotes", "quote", ref)
            return found[0] if found else None
        person = c.ref(rec, "person", "people", "person")
        claim = c.ref(rec, "claim", "claims", "claim")
        as_of = _day(c, rec, "as_of")
        if person is None or claim is None or not c.ok:
            return None
        found = self.keys["stances"].get((person, claim, as_of))
        if found is None and "stances" in self.unreadable:
            c.ok = False  # its file could not be read: already reported
        elif found is None:
            when = f"as of {as_of.isoformat()}" if as_of else "undated (as_of null)"
            who = f"{show(rec.get('person'))} on {show(rec.get('claim'))}"
            c.add("claim", f"there is no stance of {who}, {when}, in the file or in kb")
        return found

    def _fixed_by(
        self, c: FieldChecker, target: str, target_id: int, report_id: int | None
    ) -> int | None:
        """The revision that fixed an accepted report (see the module's docstring)."""
        if report_id is not None and self.report_fixes.get(report_id) is not None:
            return self.report_fixes[report_id]
        entity = _ENTITY[target]
        if target_id < 0 or (target_id > self._existing_max[entity] and not self.writing):
            return None  # new here and not written (a dry run): its "create" revision will be
        table = MODELS[entity].__tablename__
        latest = self.s.scalar(
            select(func.max(m.Revision.id)).where(
                m.Revision.entity == table, m.Revision.entity_id == target_id
            )
        )
        if latest is None:
            c.add("fixed", f"kb's history has no revision of the {target} to name as the fix")
        return latest


def _day(c: FieldChecker, rec: dict[str, Any], name: str) -> dt.date | None:
    """A YYYY-MM-DD field, or None (empty, or wrong and reported)."""
    raw = rec.get(name)
    if raw is None or raw == "":
        return None
    try:
        if not isinstance(raw, str):
            raise rules.RuleError(f"{show(raw)} is not a date (YYYY-MM-DD)")
        return rules.parse_day(raw)
    except rules.RuleError as exc:
        c.add(name, str(exc))
        return None
