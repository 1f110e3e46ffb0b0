"""A search hit's marks, made in Python, are the marks FTS5's own highlight() would make."""

from __future__ import annotations

import sqlite3

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kb.queries import search_marks as marks
from kb.queries import search_syntax as syn

WORDS = ["risk", "risky", "Risk", "deep", "learning", "François", "francois", "AI", "ai2", "x"]
GLUE = [" ", ", ", " — ", "'", "\n", " (", ") ", "-"]


def _fts5_highlight(text: str, query: syn.Query) -> str | None:
    """FTS5's highlight() of `text` for `query`, with the tokenizer of migration 0002 (None:
    the text does not match, so search would never mark it)."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'unicode61 remove_diacritics 2')")
    con.execute("INSERT INTO t (a) VALUES (?)", (text,))
    row = con.execute(
        f"SELECT highlight(t, 0, '{marks.MARK_START}', '{marks.MARK_STOP}') FROM t WHERE t MATCH ?",
        (syn.fts5(query.clauses, query.excluded),),
    ).fetchone()
    return row[0] if row else None


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
    glue = draw(st.lists(st.sampled_from(GLUE), min_size=len(words), max_size=len(words)))
    return "".join(w + g for w, g in zip(words, glue, strict=True))


@settings(max_examples=300, deadline=None)
@given(
    texts(),
    st.sampled_from(
        ["risk", '"deep learning"', "francois ai", "risk OR deep", "ris", '"risk risk"']
    ),
)
def test_marks_are_those_of_fts5s_highlight(text: str, typed: str) -> None:
    query = syn.parse(typed)
    assert query is not None
    expected = _fts5_highlight(text, query)
    assume(expected is not None)
    assert marks.highlight(text, query.positive) == expected


def test_a_long_body_is_cut_around_its_first_match_with_an_ellipsis() -> None:
    body = (
        " ".join(f"w{i}" for i in range(60)) + " alignment " + " ".join(f"z{i}" for i in range(60))
    )
    query = syn.parse("alignment")
    assert query is not None
    cut = marks.snippet(body, query.positive)
    assert cut.startswith(marks.ELLIPSIS) and cut.endswith(marks.ELLIPSIS)
    assert f"{marks.MARK_START}alignment{marks.MARK_STOP}" in cut
    assert len(cut.strip(marks.ELLIPSIS).split()) == marks.SNIPPET_TOKENS


def test_a_short_body_is_kept_whole_and_an_empty_one_stays_empty() -> None:
    query = syn.parse("risk")
    assert query is not None
    assert (
        marks.snippet("Low risk.", query.positive)
        == f"Low {marks.MARK_START}risk{marks.MARK_STOP}."
    )
    assert marks.snippet("", query.positive) == "" and marks.highlight(None, query.positive) == ""
