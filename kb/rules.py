"""The rules every record keeps, written once: lengths, slugs, URLs, years, dates, probability.

The admin forms (kb.web.admin.forms builds its validators from these), the saves behind them (kb.edits),
the importer (kb.load.importer, kb.formats.readers) and the kb/1 JSON Schema (kb1.schema.json, which a
test holds to these numbers) all apply the same rules, so that whatever one of them accepts the
others accept too: a record an editor saved always exports and imports again, and a value the
importer refuses cannot be typed into a form either.

Each check returns None when the value keeps the rule, else the message saying why not (the
caller names the record, line and field); parsers raise RuleError with that message. Values are
checked as they will be stored (the forms strip surrounding blanks before saving). Digits are
ASCII digits only: Python's int(), float() and `\\d` also take full-width "２０１７" or
Arabic-Indic "٢٠١٧", which no other program reads as the same number.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from kb import dates
from kb import models as m


class RuleError(ValueError):
    """A value that breaks a rule; str() is the message for the field."""


# -- lengths -----------------------------------------------------------------------------------

SLUG_MAX = m.SLUG_MAX
URL_MAX = 2000
LONG_TEXT = 20000  # free text with no column length (descriptions, notes)

# The most characters each text field of each kb/1 entity may hold (the columns' lengths where
# a column has one). The forms' fields take these by the kb/1 name of what they store.
LIMITS: dict[str, dict[str, int]] = {
    "people": {
        "slug": SLUG_MAX,
        "name": 200,
        "description": LONG_TEXT,
        "affiliation": 500,
        "url": URL_MAX,
    },
    "topics": {"slug": SLUG_MAX, "name": 200, "description": LONG_TEXT},
    "sources": {
        "slug": SLUG_MAX,
        "title": 500,
        "url": URL_MAX,
        "publisher": 500,
        "date_note": 500,
        "archived_url": URL_MAX,
        "note": LONG_TEXT,
        "reader_note": LONG_TEXT,
    },
    "claims": {"slug": SLUG_MAX, "text": 2000, "summary": LONG_TEXT},
    "quotes": {
        "text": 10000,
        "locator": 200,
        "anchor_exact": 10000,
        "anchor_prefix": 500,
        "anchor_suffix": 500,
        "speaker_affiliation": 500,
        "check_note": LONG_TEXT,
        "note": LONG_TEXT,
    },
    "stances": {
        "horizon": 200,
        "estimate_of": 500,
        "forecast_url": URL_MAX,
        "survey_url": URL_MAX,
        "note": LONG_TEXT,
        "reader_note": LONG_TEXT,
    },
    "claim_relations": {"note": LONG_TEXT, "reader_note": LONG_TEXT},
    "statements": {
        "slug": SLUG_MAX,
        "title": 500,
        "by": 500,
        "url": URL_MAX,
        "text": LONG_TEXT,
        "note": LONG_TEXT,
    },
    "signatures": {"seen_in": URL_MAX, "note": LONG_TEXT},
    "affiliations": {"organisation": 300, "role": 300, "note": LONG_TEXT},
    "replies": {"representative": 200, "note": LONG_TEXT},
    # a reader's report (issue 18): an explanation a few paragraphs long, not a dump
    "reports": {"explanation": 5000, "evidence_url": URL_MAX, "email": 320, "resolution": 5000},
    "verifications": {"seen_in": URL_MAX, "by": 200, "note": LONG_TEXT},
}


def limit(entity: str, field: str) -> int:
    """The length limit of `field` of the kb/1 `entity` (KeyError for a field without one)."""
    return LIMITS[entity][field]


def text_problem(value: str, max_len: int) -> str | None:
    """Too long, a NUL (PostgreSQL cannot store it in text) or a lone surrogate (JSON's
    "\\ud800" escapes decode to one; no database or page can store or show it)."""
    if len(value) > max_len:
        return f"is {len(value)} characters long; the limit is {max_len}"
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (\\ud800-\\udfff), which is not text"
    return None


# -- slugs -------------------------------------------------------------------------------------

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SLUG = re.compile(SLUG_PATTERN, re.ASCII)
# Words a route could take where a slug goes (/people/<slug>, /claims/<slug>, ...): reserved so
# that no record's page is ever shadowed by a page of the site. (Anything ending in .json or .csv,
# the JSON and CSV twins, is already outside the slug's characters.) A test checks the URL map.
RESERVED_SLUGS = frozenset({"new", "edit", "delete", "history", "search", "export", "index"})
SLUG_MESSAGE = "use lowercase letters, digits and single hyphens (e.g. ada-lovelace)"


def slug_problem(value: str) -> str | None:
    """One spelling per record: lower-case ASCII letters, digits and single hyphens, so that
    `Elon-Musk` beside `elon-musk`, NFC beside NFD `café`, a zero-width space or a
    right-to-left override cannot make an impostor of a record, and no slug is a path (`..`)."""
    if len(value) > SLUG_MAX:
        return f"is {len(value)} characters long; the limit is {SLUG_MAX}"
    if not _SLUG.fullmatch(value):
        return f"{_show(value)} is not a slug: {SLUG_MESSAGE}"
    if value in RESERVED_SLUGS:
        return f"{value!r} is reserved for a page of the site: choose another slug"
    return None


SLUG_FROM_TEXT_MAX = 60


def slugify(text: str, max_len: int = SLUG_FROM_TEXT_MAX) -> str:
    """Lowercase ASCII words joined by hyphens: "François Chollet" -> "francois-chollet".
    Long text is cut at a word boundary. (A name made into a slug for a form, and an
    organisation's slug in /people?organisation=.)"""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            break
        slug = candidate
    return slug or (words[0][:max_len] if words else "")


# A quote's id is local to one document (kb writes "q<id>"); it is never part of a URL.
QUOTE_ID_MAX = 200
_QUOTE_ID = re.compile(r"[^\s\x00-\x1f\x7f/]+")


def quote_id_problem(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > QUOTE_ID_MAX or not _QUOTE_ID.fullmatch(value):
        return f"must be text without spaces (at most {QUOTE_ID_MAX} characters)"
    return None


# -- URLs --------------------------------------------------------------------------------------

WEB_URL_SCHEMES = ("http", "https")
URL_MESSAGE = "must be a full http:// or https:// address"


def is_web_url(value: object) -> bool:
    """True for an absolute http(s) URL with a host and no blank, control character or
    backslash (browsers read `http://\\evil.example/` as another host than it shows). Pages
    link a URL from the data only when this holds, and forms and importer refuse any other."""
    if not isinstance(value, str) or value != value.strip() or not value:
        return False
    return _is_web_url(value)


@functools.lru_cache(maxsize=8192)
def _is_web_url(value: str) -> bool:
    """is_web_url for a stripped, non-empty string; remembered, since a page tests the same
    few source URLs once per quote and urlsplit is most of a quote box's cost."""
    if any(ord(ch) < 0x21 or ch in "\\\x7f" for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_URL_SCHEMES and bool(parts.netloc)


def url_problem(value: str) -> str | None:
    problem = text_problem(value, URL_MAX)
    if problem:
        return problem
    return None if is_web_url(value) else f"{URL_MESSAGE}, not {_show(value)}"


# -- years and dates ---------------------------------------------------------------------------

YEAR_MIN, YEAR_MAX = -9999, 9999  # a year BCE is negative (astronomical numbering, as ISO 8601)
# A whole number, also as spreadsheets and pandas write one that passed through a float
# column ("2018.0"): the fraction, when there is one, may only be zeros.
_INTEGER = re.compile(r"[+-]?[0-9]{1,6}(?:\.0+)?", re.ASCII)
DEATH_BEFORE_BIRTH = "cannot be before the birth year"


def whole_number(value: object) -> Any:
    """A float with no fraction (2018.0, as JSON written by pandas or a spreadsheet holds a
    year) as the int it stands for; any other value unchanged, for the checks to judge."""
    if type(value) is float and value.is_integer() and abs(value) < 1e6:
        return int(value)
    return value


def year_problem(value: object) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return f"must be a whole number (a year), not {_show(value)}"
    if not YEAR_MIN <= value <= YEAR_MAX:
        return f"{value} is not a year (from {YEAR_MIN} to {YEAR_MAX})"
    return None


def integer_text(text: str) -> int | None:
    """A whole number written with ASCII digits (and a sign), else None."""
    text = text.strip()
    return int(text.partition(".")[0]) if _INTEGER.fullmatch(text) else None


def parse_year(text: str) -> int:
    """A year typed or read from a CSV cell: ASCII digits with an optional sign."""
    year = integer_text(text)
    if year is None:
        raise RuleError(f"must be a whole number (a year), not {_show(text.strip())}")
    problem = year_problem(year)
    if problem:
        raise RuleError(problem)
    return year


def life_problem(born: int | None, died: int | None) -> str | None:
    """The death year's problem with the birth year, if any."""
    if born is not None and died is not None and died < born:
        return DEATH_BEFORE_BIRTH
    return None


DATE_MAX_CHARS = 40


def parse_partial(text: str) -> tuple[dt.date, str]:
    """A source's date, "YYYY", "YYYY-MM" or "YYYY-MM-DD" (see kb.dates): RuleError otherwise."""
    if len(text) > DATE_MAX_CHARS:
        raise RuleError(f"{_show(text)} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        return dates.parse_partial(text)
    except ValueError as exc:
        raise RuleError(str(exc)) from None


def parse_day(text: str) -> dt.date:
    """A stance's as-of date (and ?as_of= on pages): exactly YYYY-MM-DD, a real day."""
    try:
        return dates.parse_day(text[: DATE_MAX_CHARS + 1])
    except ValueError as exc:
        raise RuleError(str(exc)) from None


# -- a stance's evidence ----------------------------------------------------------------------

NO_EVIDENCE = (
    "a stance needs at least one quote as evidence, or the person's signature of a statement "
    "on its claim"
)


def evidence_problem(quotes: int, signatures: int) -> str | None:
    """A stance rests on the person's own words or on their signature of a joint statement on
    the claim (kb.models.Signature): with neither, nothing says the person holds it."""
    return None if quotes or signatures else NO_EVIDENCE


# -- affiliations ------------------------------------------------------------------------------

PERIOD_BACKWARDS = "ends before it starts: the end date must not be before the start date"


def period_problem(
    started_on: dt.date | None, ended_on: dt.date | None, ended_precision: str | None
) -> str | None:
    """An affiliation's end (a partial date, parse_partial's date and precision) must not come
    before its start. Periods are compared whole: "2010-06" to "2010" is fine (June is in 2010)."""
    if started_on is None or ended_on is None:
        return None
    if dates.period_end(ended_on, ended_precision) < started_on:
        return PERIOD_BACKWARDS
    return None


# -- a quote's verification trail ---------------------------------------------------------------

# How many places a quote's `checked` label needs its words found in: "widely_reported" means
# seen verbatim in two or more independent reports; each other label rests on one copy.
CHECKED_NEEDS = {"primary": 1, "reprint": 1, "widely_reported": 2, "secondary": 1}


def trail_problem(checked: str, trail: list[tuple[str, str]]) -> str | None:
    """Whether a quote's `checked` label agrees with its trail: (result, where) pairs, oldest
    first. Each place counts by its latest check that read it (found or not_found; a page that
    was unreachable or blocked says nothing about the words). An empty trail is not a
    disagreement: the quote was never verified (the dashboard lists those)."""
    if not trail:
        return None
    latest: dict[str, str] = {}
    for result, where in trail:
        if result in ("found", "not_found"):
            latest[where] = result
    found = [w for w, r in latest.items() if r == "found"]
    need = CHECKED_NEEDS.get(checked, 1)
    if len(found) >= need:
        return None
    gone = [w for w, r in latest.items() if r == "not_found"]
    lost = f"; its latest check of {_show(gone[-1], 120)} did not find them" if gone else ""
    if not found:
        return f"is labelled {checked!r} but no check in its trail finds the words{lost}"
    return (
        f"is labelled {checked!r}, which needs the words found in {need} places,"
        f" but its trail finds them in {len(found)}{lost}"
    )


# -- a quote's anchor --------------------------------------------------------------------------

ANCHOR_FIELDS = ("anchor_exact", "anchor_prefix", "anchor_suffix")
ANCHOR_WITHOUT_EXACT = "needs the exact words (anchor_exact) it comes before or after"


def anchor_problems(
    exact: str | None, prefix: str | None, suffix: str | None
) -> list[tuple[str, str]]:
    """(field, message) for a TextQuoteSelector that cannot select anything: a prefix or
    suffix is the text beside the exact words, so it needs them."""
    if exact:
        return []
    return [
        (f, ANCHOR_WITHOUT_EXACT)
        for f, v in (("anchor_prefix", prefix), ("anchor_suffix", suffix))
        if v
    ]


# -- probability -------------------------------------------------------------------------------

PROBABILITY_MESSAGE = "must be a number between 0 and 1"
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?", re.ASCII)
_NUMBER_CHARS = 60


def decimal_text(text: str) -> Decimal | None:
    """A plain decimal number (digits, a point, an exponent) as written, else None: "nan",
    "inf", "0x1F", "1_000" and full-width digits are not plain decimals."""
    text = text.strip()
    if len(text) > _NUMBER_CHARS or not _DECIMAL.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets decimals through
        return None


def probability(value: object) -> float:
    """A probability as stored: a finite number in [0, 1]. -0 is 0; a number too small to be
    told from 0 as a float (1e-400) is refused rather than silently stored as 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise RuleError(f"{PROBABILITY_MESSAGE}, not {_show(value)}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise RuleError(f"{PROBABILITY_MESSAGE}, not {_show(str(value))}")
    if not 0 <= value <= 1:
        raise RuleError(f"{PROBABILITY_MESSAGE}, not {_show(value)}")
    number = float(value)
    if not math.isfinite(number):  # pragma: no cover - within [0, 1] it is finite
        raise RuleError(PROBABILITY_MESSAGE)
    if number == 0 and value != 0:
        raise RuleError(
            f"{_show(value)} is too small to store: it would become 0 (write 0 if that is meant)"
        )
    return number + 0.0  # -0.0 + 0.0 is 0.0


def parse_probability(text: str) -> float:
    """A probability typed in a form or read from a CSV cell."""
    number = decimal_text(text)
    if number is None:
        raise RuleError(f"{PROBABILITY_MESSAGE}, written like 0.25, not {_show(text.strip())}")
    return probability(number)


# -- estimates ---------------------------------------------------------------------------------

HIGH_NEEDS_LOW = "a range needs its low end too: put it in probability"
HIGH_BELOW_LOW = "the high end of a range cannot be below its low end (the probability)"
QUOTE_NOT_EVIDENCE = "must be one of the stance's evidence quotes"


def estimate_problems(
    low: float | None, high: float | None, quote: object, evidence: Collection[object]
) -> list[tuple[str, str]]:
    """What is wrong with a stance's estimate, as (field, message) pairs; empty when nothing.

    `low` and `high` are probabilities already through `probability()` (so in [0, 1]); a range
    needs both, low first. The quote that gives the estimate (`quote`, any key: a database id
    or a kb/1 quote id) must be one of the stance's `evidence`, in the same keys: an estimate
    rests on the words the stance rests on."""
    found: list[tuple[str, str]] = []
    if high is not None and low is None:
        found.append(("probability_high", HIGH_NEEDS_LOW))
    elif high is not None and low is not None and high < low:
        found.append(("probability_high", HIGH_BELOW_LOW))
    if quote is not None and quote not in evidence:
        found.append(("estimate_quote", QUOTE_NOT_EVIDENCE))
    return found


LINK_NEEDS_ESTIMATE = (
    "links to a forecast or a survey belong to an estimate: give its probability or what it is of"
)
ESTIMATE_LINKS = ("forecast_url", "survey_url")


def estimate_link_problems(
    has_estimate: bool, links: Mapping[str, str | None]
) -> list[tuple[str, str]]:
    """What is wrong with an estimate's links (`links`: forecast_url, survey_url), as (field,
    message) pairs. Each is a full http(s) address within the URL limit; there is no list
    of allowed sites (Metaculus, Manifold, Good Judgment Open and the next one are all
    public forecasts). A link with no estimate to belong to is refused, so /estimates never
    shows a forecast next to nothing."""
    found: list[tuple[str, str]] = []
    for field in ESTIMATE_LINKS:
        value = links.get(field)
        if value is None:
            continue
        problem = url_problem(value)
        if problem:
            found.append((field, problem))
        elif not has_estimate:
            found.append((field, LINK_NEEDS_ESTIMATE))
    return found


# -- helpers -----------------------------------------------------------------------------------


def _show(value: object, limit: int = 60) -> str:
    """A value as a message quotes it: repr (so control characters and surrogates are
    visible and harmless), cut short, so a hostile megabyte never lands in a message."""
    text = str(value) if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
