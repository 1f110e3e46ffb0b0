"""The seed's verification trails, read from the fact sheet (issue 18 item 3).

`build(facts, quotes)` returns the kb/1 "verifications" records (dicts in kb.formats.kb1.FIELDS
order) for the quotes the seed loads (`quotes`: the sheet's quote ids). Everything comes from
the sheet; the choices made (every one):
- Each entry of a source's `checked_against` is one entry of the trail of every quote of that
  source, result "found": the sheet says "every quote was compared word for word with the copy
  named in its source's checked_against". `seen_in` is the sheet's text as written (a URL, or a
  repository file at a commit, or a description of the copy).
- Its date is the month the sheet gives for its compilation ("2026-11 (the first four people)
  and 2026-12 (24 more)"): the first four people of the sheet are the November ones. No day is
  given, so none is written.
- `by` is "seed fact sheet": the sheet does not name its checkers.
- A quote's `second_check` (result "confirmed", with its page and day) is one more entry, result
  "found", by "seed fact sheet (second check)", with the sheet's note on it kept as the note.
"""

from __future__ import annotations

from typing import Any

BY = "seed fact sheet"
BY_SECOND = "seed fact sheet (second check)"
NOTE = "Compared word for word with this copy when the fact sheet was compiled."


def _months(facts: dict[str, Any]) -> dict[str, str]:
    """person id -> the month their records were compiled in."""
    return {p["id"]: "2026-11" if i < 4 else "2026-12" for i, p in enumerate(facts["people"])}


def build(facts: dict[str, Any], quotes: set[str]) -> list[dict[str, Any]]:
    months = _months(facts)
    sources = {s["id"]: s for s in facts["sources"]}
    records = []
    for q in facts["quotes"]:
        if q["id"] not in quotes:
            continue
        for seen_in in sources[q["source"]].get("checked_against") or []:
            records.append(
                {
                    "quote": q["id"],
                    "seen_in": seen_in,
                    "by": BY,
                    "date": months[q["person"]],
                    "result": "found",
                    "note": NOTE,
                }
            )
        second = q.get("second_check")
        if second and second["result"] == "confirmed":
            records.append(
                {
                    "quote": q["id"],
                    "seen_in": second["seen_in"],
                    "by": BY_SECOND,
                    "date": second["on"],
                    "result": "found",
                    "note": second.get("note") or None,
                }
            )
    return records
