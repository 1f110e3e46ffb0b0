"""Editors' notes as readers see them on the person and claim pages: without kb's internal ids.

Editors write notes for each other ("Q_HA_02 is co-authored text.", a relation noted as
"C02 entails C01"): the fact sheet's quote and claim ids mean nothing to a reader, and are not
even stored, so a reader cannot look them up. `for_readers` words a quote id as "one of the
quotes" (or "the quote", when the stance has one) and leaves out a note that is nothing but
ids; the JSON twins keep the note as written.
"""

from __future__ import annotations

import re

QUOTE_ID = re.compile(r"\bQ_[A-Z]{2,}_\d+\b")
CLAIM_ID = re.compile(r"\bC\d{2,}\b")
ONLY_IDS = re.compile(r"^\W*C\d{2,}\W+(\w+\W+){0,3}C\d{2,}\W*$")
"""A note that only relates two claim ids ("C02 entails C01")."""


def for_readers(note: str | None, quotes: int = 2) -> str:
    """`note` without internal ids ("" when nothing is left); `quotes` is how many quotes the
    note's stance shows, so that an id can be worded as "the quote" when there is one."""
    if not note or ONLY_IDS.match(note):
        return ""
    seen = 0

    def word(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        words = (
            "the quote" if quotes == 1 else "one of the quotes" if seen == 1 else "another quote"
        )
        before = match.string[: match.start()].rstrip()
        # an id that starts a sentence gives words that start it with a capital
        return words.capitalize() if not before or before[-1] in ".!?" else words

    text = QUOTE_ID.sub(word, note)
    return CLAIM_ID.sub("a related claim", text)
