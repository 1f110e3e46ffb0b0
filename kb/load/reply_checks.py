"""The importer's check of a kb/1 reply record (issue 18): the speaker of a quote, or their
representative, endorsed or disputed its attribution, as a dated source shows. Matched by
(quote, source); a file without replies imports as before."""

from __future__ import annotations

from typing import Any

from kb import models as m
from kb.formats.reading import show
from kb.load.field_checks import FieldChecker, Rec
from kb.load.state import ImportState


class ReplyChecks(ImportState):
    """`_check_replies(checker, record)`, mixed into the Importer."""

    _database_quote: Any  # kb.load.record_checks.RecordChecks, beside it in the Importer

    def _check_replies(self, c: FieldChecker, rec: dict[str, Any]) -> Rec | None:
        ref = rec.get("quote")
        quote = None
        if not isinstance(ref, str) or not ref:
            c.add("quote", "is required: the id of the quote replied to")
        else:
            found = self.quote_refs.get(ref) or self._database_quote(ref)
            if found is None:
                c.unknown("quote", "quotes", "quote", ref)
            else:
                quote = found[0]
        source = c.ref(rec, "source", "sources", "source")
        by = c.choice(rec, "by", m.REPLY_BY) if rec.get("by") else "person"
        representative = c.text(rec, "representative")
        if by == "representative" and representative is None:
            c.add("representative", f"names who replied for the speaker (by is {show(by)})")
        replied_on, precision = c.partial_date(rec, "date")
        values = {
            "quote_id": quote,
            "response": c.choice(rec, "response", m.REPLY_RESPONSES),
            "replied_by": by,
            "representative": representative if by == "representative" else None,
            "source_id": source,
            "replied_on": replied_on,
            "replied_precision": precision,
            "note": c.text(rec, "note"),
        }
        if not c.ok:
            return None
        key = (quote, source)
        id_, new = self._match("replies", key, c, "source")
        if not c.ok:
            return None
        if new:
            id_ = self._register_new("replies", key)
        return Rec(id_, new, values)
