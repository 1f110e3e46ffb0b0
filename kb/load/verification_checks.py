"""The importer's check of a kb/1 verification record (issue 18): one entry of a quote's
verification trail. Its quote is a quote id of the document, or "q<n>" for a quote already in
the database (so a verifications.csv can be imported on its own).

A verification is matched by its whole key (quote, where, by whom, when, result): a trail only
grows, and the same check recorded twice is the same entry.
"""

from __future__ import annotations

from typing import Any

from kb import models as m
from kb.load.field_checks import FieldChecker, Rec
from kb.load.record_checks import RecordChecks


def verification_key(quote_id: Any, seen_in: Any, by: Any, on: Any, result: Any) -> tuple:
    return (quote_id, seen_in, by, on, result)


class VerificationChecks(RecordChecks):
    """`_check_verifications(checker, record)`, mixed into the Importer."""

    def _check_verifications(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        ref = rec.get("quote")
        quote_id = None
        if ref is None or ref == "":
            c.add("quote", "is required")
        elif not isinstance(ref, str):
            c.add("quote", "must be a quote id")
        else:
            found = self.quote_refs.get(ref) or self._database_quote(ref)
            if found is None:
                c.unknown("quote", "quotes", "quote", ref)
            else:
                quote_id = found[0]
        seen_in = c.text(rec, "seen_in", required=True)
        by = c.text(rec, "by", required=True)
        on, precision = c.partial_date(rec, "date")
        result = c.choice(rec, "result", m.VERIFY_RESULTS)
        values = {
            "quote_id": quote_id,
            "seen_in": seen_in,
            "checked_by": by,
            "checked_on": on,
            "checked_precision": precision,
            "result": result,
            "note": c.text(rec, "note"),
        }
        if not c.ok:
            return None
        key = verification_key(quote_id, seen_in, by, on, result)
        id_, new = self._match("verifications", key, c, "seen_in")
        if not c.ok:
            return None
        if new:
            id_ = self._register_new("verifications", key)
        return Rec(id_, new, values)
