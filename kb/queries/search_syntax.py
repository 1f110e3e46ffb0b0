"""The search box's small query language, parsed once and written out for each database.

    climate risk          every word must match (in any order)
    "deep learning"       the words as a phrase, in this order
    chollet OR lecun      either word (OR in capitals, between two words or phrases)
    hawking -musk         "-" before a word or phrase leaves out what contains it
    intellig              the last word may be the start of a word

The user's text never reaches FTS5's MATCH or PostgreSQL's tsquery parser as written: it is cut
into words of letters and digits only, and kb writes the operators itself (`fts5`, `pg`). So
`NEAR(`, `*`, `:`, `^`, brackets or a stray quote are searched as text or dropped, never parsed,
and both databases answer the same query the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_TERMS = 12  # words and phrases kept from one query
MAX_PHRASE = 12  # words kept in one phrase
_TOKEN = re.compile(r'(-?)"([^"]*)(?:"|$)|([^\s"]+)')
_PIECE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Atom:
    """A word, or a phrase of several, that a record must contain; `prefix`: the last word
    may be the start of a longer one."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass
class Query:
    """All `clauses` must match (a clause: any one of its atoms), none of `excluded` may."""

    clauses: list[list[Atom]] = field(default_factory=list)
    excluded: list[Atom] = field(default_factory=list)

    @property
    def positive(self) -> list[Atom]:
        return [a for clause in self.clauses for a in clause]


def parse(text: str) -> Query | None:
    """The query in `text`, or None when nothing is left to find (no word of letters or
    digits, or only excluded ones: a search for everything but X is not one kb runs)."""
    query = Query()
    pending_or = False
    count = 0
    matches = list(_TOKEN.finditer(text))
    for n, m in enumerate(matches):
        minus, phrase, bare = m.group(1), m.group(2), m.group(3)
        if bare in ("OR", "AND"):
            pending_or = bare == "OR" and bool(query.clauses)
            continue
        negated = bool(minus) or (bare is not None and bare.startswith("-"))
        words = tuple(_PIECE.findall(phrase if bare is None else bare))[:MAX_PHRASE]
        if not words or count >= MAX_TERMS:
            continue
        count += 1
        last_word = n == len(matches) - 1 and bare is not None and len(words) == 1
        atom = Atom(words, prefix=last_word and not negated)
        if negated:
            query.excluded.append(atom)
        elif pending_or:
            query.clauses[-1].append(atom)
        else:
            query.clauses.append([atom])
        pending_or = False
    return query if query.clauses else None


# ---------------------------------------------------------------------------- SQLite FTS5


def _fts5_atom(atom: Atom) -> str:
    # letters and digits only inside the quotes, so the string is always one FTS5 phrase
    return '"' + " ".join(atom.words) + '"' + ("*" if atom.prefix else "")


def fts5_clause(clause: list[Atom]) -> str:
    if len(clause) == 1:
        return _fts5_atom(clause[0])
    return "(" + " OR ".join(_fts5_atom(a) for a in clause) + ")"


def fts5(clauses: list[list[Atom]], excluded: list[Atom]) -> str:
    """An FTS5 MATCH expression for these clauses (at least one) less the excluded atoms."""
    positive = " AND ".join(fts5_clause(c) for c in clauses)
    if not excluded:
        return positive
    return f"({positive}) NOT ({' OR '.join(_fts5_atom(a) for a in excluded)})"


# ---------------------------------------------------------------------------- PostgreSQL


PG_CONFIG = "kb_english"
"""PostgreSQL's text search configuration for kb (migration 0013): 'english' with accents
folded first, so that "Francois" finds "François" as it does on SQLite."""


class PgQuery:
    """A tsquery as an SQL expression over bound parameters: each atom goes through
    phraseto_tsquery (or, for a prefix, to_tsquery of letters and digits and `:*`), and kb
    combines them with the tsquery operators ||, && and !!. Parameters are named
    `{prefix}0`, `{prefix}1`... so that several expressions can share one statement."""

    def __init__(self, prefix: str = "w") -> None:
        self.prefix = prefix
        self.params: dict[str, str] = {}

    def _atom(self, atom: Atom) -> str:
        name = f"{self.prefix}{len(self.params)}"
        if atom.prefix:
            # a quoted lexeme: whatever letters it holds, never a tsquery syntax error
            self.params[name] = f"'{atom.words[0]}':*"
            return f"to_tsquery('{PG_CONFIG}', :{name})"
        self.params[name] = " ".join(atom.words)
        return f"phraseto_tsquery('{PG_CONFIG}', :{name})"

    def any(self, atoms: list[Atom]) -> str:
        return "(" + " || ".join(self._atom(a) for a in atoms) + ")"

    def query(self, query: Query) -> str:
        expr = " && ".join(self.any(c) for c in query.clauses)
        if query.excluded:
            expr = f"({expr}) && !!{self.any(query.excluded)}"
        return f"({expr})"
