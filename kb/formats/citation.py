"""Citations of kb's pages and of the sources they quote: APA, MLA, Chicago, BibTeX, CSL-JSON,
and the one plain line in the order Wikipedia readers know (speaker, title, publisher, date,
archived copy, locator) that pages show for an original source.

Rows in, text out, as the rest of kb.formats: a `Work` is built from the plain dicts the pages
already have (kb.queries.shapes), so the box on a page and its CSL-JSON download cannot disagree.
No field is ever made up: a missing author, date, publisher or URL is left out of every style,
never written as "Anonymous" or guessed (APA's "n.d." is the style's own word for "no date").

Citing a kb page means citing kb's page itself, as Wikipedia's "Cite this page" does: its title,
"kb", its URL and a date, the moment kb's data last changed (`updated`) when kb knows it, else
the day the reader looked (`accessed`, and labelled so).

The four styles are written plainly rather than through a CSL processor (citeproc-py would add
lxml and a styles package for four short templates). Where a style has no place for something
kb has, the style leaves it out and BibTeX and CSL-JSON keep it in `note`: APA's reference list
has no locator (APA puts it in the in-text citation), and none of the three has a standard place
for an archived copy without the archiving date, which kb does not record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from kb.dates import MONTHS, partial_parts

SITE = "kb"

# The styles a "cite this" box offers, in the order it shows them.
STYLES: tuple[tuple[str, str], ...] = (
    ("apa", "APA"),
    ("mla", "MLA"),
    ("chicago", "Chicago"),
    ("bibtex", "BibTeX"),
)

# kb's source kinds as CSL item types (CSL 1.0.2's list); a kb page is a "webpage".
CSL_TYPES = {
    "article": "article",
    "blog_post": "post-weblog",
    "interview": "interview",
    "talk": "speech",
    "book": "book",
    "paper": "article",
    "social_post": "post",
    "other": "document",
}

# MLA abbreviates all months but the four short ones (MLA Handbook, 9th ed., appendix 1).
_MLA_MONTHS = tuple(
    ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
)
_BIBTEX_MONTHS = tuple(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
)


@dataclass(frozen=True)
class Work:
    """What a citation can say about one work. Only `key` and `title` are required; every
    other field is None (or empty) when kb does not have it, and is then left out."""

    key: str  # the BibTeX key and CSL id: letters, digits, "-", ":" and "_" only
    title: str
    kind: str = "webpage"  # a CSL item type
    authors: tuple[str, ...] = ()  # names as kb writes them ("Sam Altman")
    container: str | None = None  # the site a page is part of ("kb")
    publisher: str | None = None
    issued: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    accessed: str | None = None  # YYYY-MM-DD: when a page was read, if it has no `issued`
    url: str | None = None
    archived_url: str | None = None
    locator: str | None = None  # where in the work (a page, a timestamp)
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


class Part(NamedTuple):
    """One piece of the Wikipedia-order line: what it is, its text, and the address it may
    link to (the title links to the original, the archived copy to the archive)."""

    role: str
    text: str
    href: str | None = None


# ------------------------------------------------------------------ building works from page data


def kb_page(key: str, title: str, url: str, updated: str | None, today: str) -> Work:
    """kb's own page: `updated` (YYYY-MM-DD) is when kb's data last changed, if kb knows it;
    without it the citation says the page was accessed `today`."""
    if updated:
        return Work(key=key, title=title, container=SITE, issued=updated, url=url)
    return Work(key=key, title=title, container=SITE, accessed=today, url=url)


def source_work(source: dict[str, Any], authors: Sequence[str] = ()) -> Work:
    """The original of a kb source (a source dict as kb.queries.shapes.source_ref gives it)."""
    return Work(
        key=_key("source", source["slug"]),
        title=source["title"],
        kind=CSL_TYPES.get(source.get("kind") or "", "document"),
        authors=tuple(authors),
        publisher=source.get("publisher") or None,
        issued=source.get("published") or None,
        url=source.get("url") or None,
        archived_url=source.get("archived_url") or None,
    )


def quote_work(quote: dict[str, Any], source: dict[str, Any]) -> Work:
    """The original a quote was taken from, with its speaker first and its locator: what a
    reader cites when they cite the quote (kb.queries.shapes.quote_data's dict)."""
    speaker = quote.get("speaker") or {}
    base = source_work(source, [speaker["name"]] if speaker.get("name") else [])
    return replace(
        base,
        key=_key("quote", str(quote["id"])),
        locator=quote.get("locator") or None,
        issued=base.issued or quote.get("said") or None,
    )


def _key(kind: str, slug: str) -> str:
    return f"kb-{kind}-" + re.sub(r"[^A-Za-z0-9_:-]", "-", slug)


def page_key(kind: str, slug: str) -> str:
    """The BibTeX key and CSL id of kb's page of a record ("kb-page-person-sam-altman")."""
    return _key(f"page-{kind}", slug)


# ------------------------------------------------------------------ dates and names


def _long_date(parts: list[int]) -> str:
    """ "December 5, 2024", "December 2024", "2024" (APA and Chicago)."""
    if len(parts) == 3:
        return f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0]) if parts else ""


def _day_first(parts: list[int], months: Sequence[str] = MONTHS) -> str:
    """ "5 December 2024" (Wikipedia), "5 Dec. 2024" (MLA with its months)."""
    words = [str(parts[2])] if len(parts) == 3 else []
    if len(parts) >= 2:
        words.append(months[parts[1] - 1])
    return " ".join([*words, str(parts[0])]) if parts else ""


def split_name(name: str) -> tuple[str, str]:
    """(given, family): the last word is the family name, as kb writes names given-name first.
    A one-word name has no given part."""
    given, _, family = name.strip().rpartition(" ")
    return given.strip(), family


def _inverted(name: str) -> str:
    given, family = split_name(name)
    return f"{family}, {given}" if given else family


def _initials(given: str) -> str:
    """ "Sam" -> "S.", "Fei-Fei" -> "F.-F.", "John Paul" -> "J. P." """
    words = []
    for word in given.split():
        words.append("-".join(p[0] + "." for p in word.split("-") if p))
    return " ".join(words)


def _apa_name(name: str) -> str:
    given, family = split_name(name)
    return f"{family}, {_initials(given)}" if given else family


def _and_list(names: Sequence[str], comma: bool = False) -> str:
    """ "A and B", "A, B, and C"; `comma` for a list that starts with an inverted name
    ("Last, First, and First Last"), where MLA and Chicago put a comma before "and"."""
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return names[0] + (", and " if comma else " and ") + names[1]
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _sentence(text: str) -> str:
    """`text` ending with one full stop (not doubled after "Jr." or "?")."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


# ------------------------------------------------------------------ the styles


def _apa_date(parts: list[int]) -> str:
    """ "2024, December 5", "2024, December", "2024" (APA puts the year first)."""
    if not parts:
        return ""
    rest = [MONTHS[parts[1] - 1], *map(str, parts[2:])] if len(parts) > 1 else []
    return f"{parts[0]}, {' '.join(rest)}" if rest else str(parts[0])


def apa(w: Work) -> str:
    """APA 7: Author, A. (Date). Title. Site or publisher. URL. A page cited by the day it was
    read says "Retrieved <date>, from <URL>", as APA asks of pages that change."""
    when = f"({_apa_date(partial_parts(w.issued)) or 'n.d.'})."
    names = [_apa_name(a) for a in w.authors]
    who = ", ".join(names[:-1]) + (", & " if len(names) > 1 else "") + names[-1] if names else ""
    parts = [_sentence(who), when, _sentence(w.title)] if who else [_sentence(w.title), when]
    if w.container:
        parts.append(f"In {w.container}.")
    if w.publisher:
        parts.append(_sentence(w.publisher))
    if w.url and w.accessed:
        parts.append(f"Retrieved {_long_date(partial_parts(w.accessed))}, from {w.url}")
    elif w.url:
        parts.append(w.url)
    return " ".join(parts)


def mla(w: Work) -> str:
    """MLA 9: Author. "Title." Container, Publisher, Date, URL. Location. Accessed date."""
    names = list(w.authors)
    if len(names) >= 3:
        who = _inverted(names[0]) + ", et al."
    elif names:
        who = _and_list([_inverted(names[0]), *names[1:]], comma=True)
    else:
        who = ""
    title = f"“{_sentence(w.title)}”"
    elements = [e for e in (w.container, w.publisher) if e]
    date = _day_first(partial_parts(w.issued), _MLA_MONTHS)
    elements += [e for e in (date, w.url) if e]
    text = " ".join(p for p in (_sentence(who) if who else "", title) if p)
    if elements:
        text += " " + _sentence(", ".join(elements))
    if w.locator:
        text += " " + _sentence(w.locator)
    if w.accessed:
        text += f" Accessed {_day_first(partial_parts(w.accessed), _MLA_MONTHS)}."
    return text


def chicago(w: Work) -> str:
    """Chicago 17, bibliography: Author. "Title." Site. Publisher. Date. URL. A kb page says
    "Last modified" or "Accessed" before its date, as Chicago asks of web pages."""
    names = list(w.authors)
    who = _and_list([_inverted(names[0]), *names[1:]], comma=True) if names else ""
    parts = [_sentence(who)] if who else []
    parts.append(f"“{_sentence(w.title)}”")
    parts += [_sentence(p) for p in (w.container, w.publisher) if p]
    date = _long_date(partial_parts(w.issued))
    if date:
        parts.append(f"Last modified {date}." if w.container else _sentence(date))
    if w.accessed:
        parts.append(f"Accessed {_long_date(partial_parts(w.accessed))}.")
    if w.locator:
        parts.append(_sentence(w.locator))
    if w.url:
        parts.append(_sentence(w.url))
    return " ".join(parts)


# ------------------------------------------------------------------ BibTeX

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))


def bibtex_escape(text: str) -> str:
    """`text` as literal BibTeX/LaTeX: every character TeX treats specially is escaped, so a
    brace cannot end the field and a backslash cannot start a command."""
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group(0)], " ".join(text.split()))


def bibtex_url(url: str) -> str:
    """A URL for BibTeX's url field, which is read verbatim: the characters that would end the
    field or start a command (braces, backslashes) and whitespace are percent-encoded, as a
    browser would send them; everything else, "%" escapes included, stays as it is."""
    codes = {"\\": "%5C", "{": "%7B", "}": "%7D"}
    url = "".join(codes.get(c, "%20" if c.isspace() else c) for c in url.strip())
    return url


def _bibtex_author(name: str) -> str:
    # "Family, Given"; a name containing the word "and" is braced so BibTeX keeps it whole.
    inverted = bibtex_escape(_inverted(name))
    return "{" + inverted + "}" if re.search(r"\band\b", name, re.IGNORECASE) else inverted


def bibtex(w: Work) -> str:
    """One @misc (or @book) entry. Titles are double-braced so BibTeX keeps their capitals."""
    fields: list[tuple[str, str]] = [("title", "{{" + bibtex_escape(w.title) + "}}")]
    if w.authors:
        fields.append(("author", "{" + " and ".join(_bibtex_author(a) for a in w.authors) + "}"))
    if w.container:
        fields.append(("howpublished", "{" + bibtex_escape(w.container) + "}"))
    if w.publisher:
        fields.append(("publisher", "{" + bibtex_escape(w.publisher) + "}"))
    parts = partial_parts(w.issued)
    if parts:
        fields.append(("year", "{" + str(parts[0]) + "}"))
    if len(parts) > 1:
        fields.append(("month", _BIBTEX_MONTHS[parts[1] - 1]))
    if w.issued and len(parts) == 3:
        fields.append(("date", "{" + w.issued + "}"))
    if w.url:
        fields.append(("url", "{" + bibtex_url(w.url) + "}"))
    if w.accessed:
        fields.append(("urldate", "{" + w.accessed + "}"))
    notes = _notes(w)
    if notes:
        fields.append(("note", "{" + bibtex_escape(notes) + "}"))
    entry = "book" if w.kind == "book" else "misc"
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{entry}{{{w.key},\n{body}\n}}"


def _notes(w: Work) -> str:
    """What a style has no field for: the locator, the archived copy, kb's own note."""
    notes = []
    if w.locator:
        notes.append(f"At {w.locator}")
    if w.archived_url:
        notes.append(f"Archived copy: {w.archived_url}")
    if w.note:
        notes.append(w.note)
    return "; ".join(notes)


# ------------------------------------------------------------------ CSL-JSON


def csl(w: Work) -> dict[str, Any]:
    """The work as one CSL-JSON item (citeproc-js, Zotero, Pandoc read it)."""
    item: dict[str, Any] = {"id": w.key, "type": w.kind, "title": w.title}
    authors = []
    for name in w.authors:
        given, family = split_name(name)
        authors.append({"family": family, "given": given} if given else {"literal": family})
    if authors:
        item["author"] = authors
    if w.container:
        item["container-title"] = w.container
    if w.publisher:
        item["publisher"] = w.publisher
    for key, value in (("issued", w.issued), ("accessed", w.accessed)):
        parts = partial_parts(value)
        if parts:
            item[key] = {"date-parts": [parts]}
    if w.url:
        item["URL"] = w.url
    notes = _notes(w)
    if notes:
        item["note"] = notes
    return item


def csl_json(works: Iterable[Work]) -> str:
    """A CSL-JSON document: an array of items, one per work."""
    return json.dumps([csl(w) for w in works], ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------ the line pages show


def original_parts(w: Work) -> list[Part]:
    """The original source in Wikipedia's order: speaker (or authors), title, publisher, date,
    archived copy, locator. Issue 15 asks for this one order wherever a page cites a source."""
    parts = []
    if w.authors:
        parts.append(Part("author", _and_list(list(w.authors))))
    parts.append(Part("title", f"“{w.title}”", w.url))
    if w.publisher:
        parts.append(Part("publisher", w.publisher))
    date = _day_first(partial_parts(w.issued))
    if date:
        parts.append(Part("date", date))
    if w.archived_url:
        parts.append(Part("archived", "Archived copy", w.archived_url))
    if w.locator:
        parts.append(Part("locator", f"At {w.locator}"))
    return parts


def original(w: Work) -> str:
    """`original_parts` as one line of plain text, each part a sentence; the links written out
    (the original's after the title, the archive's after "Archived copy")."""
    texts = []
    for p in original_parts(w):
        if p.href and p.role == "title":
            text = f"{p.text} {p.href}"
        elif p.href:
            text = f"{p.text}: {p.href}"
        else:
            text = p.text
        texts.append(_sentence(text))
    return " ".join(texts)


def styles(w: Work) -> dict[str, str]:
    """Every style's text for `w`, keyed as STYLES names them."""
    return {"apa": apa(w), "mla": mla(w), "chicago": chicago(w), "bibtex": bibtex(w)}
