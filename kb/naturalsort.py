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

SORT_KEY_LENGTH = 500
"""How long a stored sort key may grow (kb.models: person, source and claim `sort_key`); two
texts alike for longer than this tie and fall back to their ids."""

# Below every character a text holds (tab is U+0009), so that a shorter text sorts first and a
# run of digits sorts before any word that could follow the same beginning.
_END, _NUMBER = "\x01", "\x02"


def natural_key(text: str) -> NaturalKey:
    """A sort key for `text`: runs of digits compare as numbers, the rest case- and
    accent-insensitively ("Émile" sorts with "Emile"), and the text itself breaks ties so the
    order is total and stable across runs.

    re.split with a capturing group always alternates text, digits, text, ..., starting and
    ending with text (possibly empty), so two keys always hold a str where the other holds a
    str and an int where the other holds an int: they never compare a number with a word."""
    parts: list[str | int] = [
        int(part) if i % 2 else part for i, part in enumerate(_DIGITS.split(_fold(text)))
    ]
    return tuple(parts), text


def sort_key(text: str) -> str:
    """natural_key as one string whose plain code-point order (SQLite's BINARY collation,
    PostgreSQL's "C") is the same order, so that the database can sort and page by it with an
    index instead of every page sorting every matching row in Python: kept in a column beside
    the text (kb.models) and written wherever the text is.

    Each run of digits becomes a marker, the length of the number and the number without
    leading zeros, so that longer numbers sort after shorter ones; the text itself follows the
    folded text after an end mark, as natural_key breaks ties."""
    numbered = _DIGITS.sub(_number, _fold(text))
    return (numbered + _END + text)[:SORT_KEY_LENGTH]


def _number(match: re.Match[str]) -> str:
    digits = match.group().lstrip("0") or "0"
    return _NUMBER + chr(0x40 + min(len(digits), 0xFFFF)) + digits


def _fold(text: str) -> str:
    """Case and accents aside: "Émile" as "emile". ASCII text (most names and claims) has no
    accents to take off, and skipping that step is most of the cost."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))
