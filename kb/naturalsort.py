"""Natural order for names a reader scans: "Person 2" before "Person 10", "ada" beside "Ada".

Plain string order puts "Person 10" before "Person 2" because it compares digits one by one;
people sort runs of digits by their value. No Flask and no database: the bottom layer, so any
layer may sort with it.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"(\d+)")

NaturalKey = tuple[tuple[str | int, ...], str]


def natural_key(text: str) -> NaturalKey:
    """A sort key for `text`: runs of digits compare as numbers, the rest case- and
    accent-insensitively ("Émile" sorts with "Emile"), and the text itself breaks ties so the
    order is total and stable across runs.

    re.split with a capturing group always alternates text, digits, text, ..., starting and
    ending with text (possibly empty), so two keys always hold a str where the other holds a
    str and an int where the other holds an int: they never compare a number with a word."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    parts: list[str | int] = [
        int(part) if i % 2 else part for i, part in enumerate(_DIGITS.split(folded))
    ]
    return tuple(parts), text
