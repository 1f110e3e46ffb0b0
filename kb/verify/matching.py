"""Finding a quote's words in a fetched page.

A page's text is read from its HTML with the markup stripped (a quote split by <em> or a link
still matches; <script> and <style> are skipped, block elements end a run of text), entities
decoded, then both the page and the words are normalised alike: Unicode compatibility forms
(NFKC), curly quotes as straight ones, every dash and minus as "-", the ellipsis as "...",
soft hyphens and zero-width characters dropped, and every run of whitespace as one space.
Case is kept: a verbatim quote's words are its words. A quote's elisions ("..." or "…") and
its editor's [bracketed] words are gaps: the pieces between them are looked for in order, each
within MAX_GAP characters of the one before.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

_QUOTES = dict.fromkeys(map(ord, "‘’‚‛′`´"), "'") | dict.fromkeys(map(ord, "“”„‟″«»"), '"')
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−﹘﹣－"), "-")
_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_TABLE = _QUOTES | _DASHES | _DROP | {ord("…"): "..."}
_SPACE = re.compile(r"\s+")
# Punctuation a quote may start or end with that the page may not have at that place ("... it."
# quoted from "... it, and").
_EDGES = " \"'.,;:!?-()[]"
# An elision or an editor's insertion ("[they]", "[...]"), in a normalised quote.
_GAPS = re.compile(r"\[[^\]]*\]|\.\.\.")
MAX_GAP = 2000  # characters the page may have where a quote elides some

_BLOCK = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption"}
    | {"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"}
    | {"nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"}
)
_SKIP = frozenset({"script", "style", "noscript", "template", "head"})


def normalise(text: str) -> str:
    """The text as compared: see the module's docstring."""
    text = unicodedata.normalize("NFKC", text).translate(_TABLE)
    return _SPACE.sub(" ", text).strip()


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def page_text(body: str, content_type: str = "text/html") -> str:
    """The normalised text of a page: HTML read as a browser shows it, plain text as it is."""
    if "html" not in content_type:
        return normalise(body)
    parser = _TextOf()
    parser.feed(body)
    parser.close()
    return normalise("".join(parser.parts))


@dataclass(frozen=True)
class Match:
    found: bool
    note: str


def find(
    text: str,
    words: str,
    exact: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
) -> Match:
    """Whether the quote's `words` (the anchor's `exact` text where there is one, between its
    prefix and suffix where it has them) are in the page's normalised `text`, and a note saying
    how they were looked for."""
    if not exact:
        return _find_pieces(text, _pieces(words))
    needle = normalise(exact)  # an anchor's exact text is what the page has
    at = text.find(needle) if needle else -1
    if at < 0:
        return Match(False, "the anchor's exact words are not in the page's text")
    if not (prefix or suffix):
        return Match(True, "the anchor's exact words are in the page's text")
    before, after = normalise(prefix or ""), normalise(suffix or "")
    while at >= 0:
        head = text[:at].rstrip()
        tail = text[at + len(needle) :].lstrip()
        if head.endswith(before.strip()) and tail.startswith(after.strip()):
            return Match(
                True, "the anchor's exact words are in the page, with its prefix and suffix"
            )
        at = text.find(needle, at + 1)
    return Match(
        True, "the anchor's exact words are in the page, but not between its prefix and suffix"
    )


def _pieces(words: str) -> list[str]:
    """The quote's words between its elisions and [insertions], each without the punctuation
    at its ends (a quote may end where the page goes on: "... it." quoted from "... it, and")."""
    return [p for p in (p.strip(_EDGES) for p in _GAPS.split(normalise(words))) if p]


def _find_pieces(text: str, pieces: list[str]) -> Match:
    if not pieces:
        return Match(False, "the quote's words are empty once normalised")
    first, rest = pieces[0], pieces[1:]
    at = text.find(first)
    while at >= 0:
        end = at + len(first)
        for piece in rest:
            nxt = text.find(piece, end, end + MAX_GAP + len(piece))
            if nxt < 0:
                break
            end = nxt + len(piece)
        else:
            how = f", in {len(pieces)} pieces in order (its elisions skipped)" if rest else ""
            return Match(True, f"the quote's words are in the page's text{how}")
        at = text.find(first, at + 1)
    return Match(False, "the quote's words are not in the page's text")
