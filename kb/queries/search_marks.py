"""Where a search's words are in a hit's title and body, marked in Python (SQLite only).

FTS5's highlight() and snippet() cost far more than its ranking: beside `rowid IN (...)` they
run the whole MATCH again over every row that matches, so marking the 20 hits of a page for a
word in a tenth of the records took 35 ms, most of a search's time. The page's titles and
bodies are read by rowid instead (a fraction of a millisecond) and marked here, the way FTS5's
tokenizer (`unicode61 remove_diacritics 2`, migration 0002) cuts and folds them: a token is a
run of letters and digits, compared without case or accents; a phrase marks its words where
they stand in a row; the last word of a prefix atom may be the start of a token.

The marks are control characters, turned into <mark> after escaping (kb.queries.search).
PostgreSQL keeps ts_headline: its stemmer decides what matched, and only it can say.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from kb.queries.search_syntax import Atom

# Control characters that cannot occur in a search term; kb.queries.search.highlight swaps them
# for <mark> after escaping.
MARK_START, MARK_STOP = "\x02", "\x03"
SNIPPET_TOKENS = 24  # as FTS5's snippet(..., 24): at most this many tokens of the body
ELLIPSIS = "…"
# a letter or digit, with any combining accents that follow it (text stored decomposed)
_TOKEN = re.compile(r"(?:[^\W_][\u0300-\u036f]*)+")


def fold(word: str) -> str:
    """A token as FTS5 compares it: accents dropped, case folded."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _spans(text: str, atoms: Sequence[Atom]) -> tuple[list[tuple[int, int]], list[list[int]]]:
    """The text's tokens as (start, end), and for each token the atoms' matches that start
    there, each as the index of its last token."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    folded = [fold(text[a:b]) for a, b in tokens]
    starts: list[list[int]] = [[] for _ in tokens]
    for atom in atoms:
        words = [fold(w) for w in atom.words]
        for i in range(len(tokens) - len(words) + 1):
            if _matches(folded[i : i + len(words)], words, atom.prefix):
                starts[i].append(i + len(words) - 1)
    return tokens, starts


def _matches(found: list[str], words: list[str], prefix: bool) -> bool:
    *whole, last = words
    if found[: len(whole)] != whole:
        return False
    return found[-1].startswith(last) if prefix else found[-1] == last


def _marked(
    text: str, tokens: list[tuple[int, int]], starts: list[list[int]], lo: int, hi: int
) -> str:
    """Tokens lo..hi-1 of the text (and what lies between them), each match wrapped in the
    markers; overlapping or touching matches make one mark, as FTS5's highlight() does."""
    out: list[str] = []
    pos = tokens[lo][0]
    i = lo
    while i < hi:
        if not starts[i]:
            i += 1
            continue
        end = min(max(starts[i]), hi - 1)
        j = i
        while j <= end:  # a match starting inside this one extends it
            if starts[j]:
                end = min(max(end, *starts[j]), hi - 1)
            j += 1
        out += [
            text[pos : tokens[i][0]],
            MARK_START,
            text[tokens[i][0] : tokens[end][1]],
            MARK_STOP,
        ]
        pos, i = tokens[end][1], end + 1
    out.append(text[pos : tokens[hi - 1][1]])
    return "".join(out)


def highlight(text: str | None, atoms: Sequence[Atom]) -> str:
    """The whole text with its matches marked (FTS5's highlight())."""
    if not text:
        return ""
    tokens, starts = _spans(text, atoms)
    if not tokens:
        return text
    return (
        text[: tokens[0][0]] + _marked(text, tokens, starts, 0, len(tokens)) + text[tokens[-1][1] :]
    )


def snippet(text: str | None, atoms: Sequence[Atom], size: int = SNIPPET_TOKENS) -> str:
    """At most `size` tokens of the text around its first match, marked, with an ellipsis
    where it was cut (FTS5's snippet()): a short text whole."""
    if not text:
        return ""
    tokens, starts = _spans(text, atoms)
    if len(tokens) <= size:
        return highlight(text, atoms)
    first = next((i for i, s in enumerate(starts) if s), 0)
    lo = max(0, min(first - size // 4, len(tokens) - size))
    hi = lo + size
    head = text[: tokens[0][0]] if lo == 0 else ELLIPSIS
    tail = text[tokens[-1][1] :] if hi == len(tokens) else ELLIPSIS
    return head + _marked(text, tokens, starts, lo, hi) + tail
