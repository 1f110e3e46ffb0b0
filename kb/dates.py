"""Dates with a precision: a year alone ("2003"), a month ("2017-02") or a day ("2017-07-17").

Stored as the first day of the period plus its precision, written back in the same short form,
so a year never turns into a made-up first of January on a page or in an export.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable

# ASCII digits only ([0-9], not \d, which also takes full-width "２０１７" and other scripts'
# digits): one spelling per date, the one every other program reads.
_FORMS = {
    "year": re.compile(r"([0-9]{4})", re.ASCII),
    "month": re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII),
    "day": re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII),
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def parse_partial(text: str) -> tuple[dt.date, str]:
    """Parse "YYYY", "YYYY-MM" or "YYYY-MM-DD" into (date, precision); ValueError otherwise."""
    text = text.strip()
    for precision, pattern in _FORMS.items():
        m = pattern.fullmatch(text)
        if m:
            parts = [int(p) for p in m.groups()] + [1] * (3 - len(m.groups()))
            try:
                return dt.date(*parts), precision
            except ValueError:
                raise ValueError(f"{text!r} is not a real date") from None
    raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")


def partial_parts(text: str | None) -> list[int]:
    """[year], [year, month] or [year, month, day] of a "YYYY", "YYYY-MM" or "YYYY-MM-DD" text
    (what format_partial writes); [] for anything else, so that a caller leaves it out."""
    try:
        day, precision = parse_partial(text or "")
    except ValueError:
        return []
    return [day.year, day.month, day.day][: ("year", "month", "day").index(precision) + 1]


def parse_day(text: str) -> dt.date:
    """Parse exactly "YYYY-MM-DD" (a stance's as-of date); ValueError otherwise. Unlike
    date.fromisoformat, "20170717" and "2017-W29-1" are refused: one spelling per day."""
    text = text.strip()
    m = _FORMS["day"].fullmatch(text)
    if not m:
        raise ValueError(f"{text[:40]!r} is not a date: use YYYY-MM-DD")
    try:
        return dt.date(*(int(p) for p in m.groups()))
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def format_partial(value: dt.date | None, precision: str | None) -> str | None:
    """The short machine form: "2003", "2017-02", "2017-07-17"."""
    if value is None:
        return None
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def humanize_partial(value: dt.date | None, precision: str | None) -> str:
    """The reader's form: "2003", "February 2017", "17 July 2017"."""
    if value is None:
        return "undated"
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def period_end(value: dt.date, precision: str | None) -> dt.date:
    """The last day of the period a date with its precision names: a year's 31 December, a
    month's last day, a day itself."""
    if precision == "year":
        return dt.date(value.year, 12, 31)
    if precision == "month":
        return dt.date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


def as_of_from_evidence(said: Iterable[tuple[dt.date | None, str | None]]) -> dt.date | None:
    """A stance's as-of day from the dates of the quotes it rests on: the end of the newest
    quote's period (a view is dated when its words had certainly been said, so ?as_of= never
    shows it before its evidence); None when no quote is dated. The seed builder and the
    stance form's proposal both use it."""
    ends = [period_end(value, precision) for value, precision in said if value is not None]
    return max(ends) if ends else None


_DAY_IN_TEXT = re.compile(r"\b([0-9]{4})-([0-9]{2})-([0-9]{2})(?:/([0-9]{2}))?\b", re.ASCII)
_MONTH_IN_TEXT = re.compile(r"\b([0-9]{4})-([0-9]{2})\b(?![-/][0-9])", re.ASCII)


def dates_in_words(text: str | None) -> str:
    """`text` with its machine dates in the reader's form, so that a date as the evidence gave
    it ("c. 2017-07-16", "2014-08-02/03") reads like every other date on the page ("c. 16 July
    2017", "2–3 August 2014"). Anything that is not a real date is left as written."""

    def day(match: re.Match[str]) -> str:
        year, month, first, last = match.groups()
        try:
            start = dt.date(int(year), int(month), int(first))
            if last is not None and int(last) > start.day:
                end = dt.date(start.year, start.month, int(last))
                return f"{start.day}–{end.day} {MONTHS[start.month - 1]} {start.year}"
        except ValueError:
            return match.group(0)
        return humanize_partial(start, "day")

    def month(match: re.Match[str]) -> str:
        year, number = int(match.group(1)), int(match.group(2))
        return f"{MONTHS[number - 1]} {year}" if 1 <= number <= 12 else match.group(0)

    return _MONTH_IN_TEXT.sub(month, _DAY_IN_TEXT.sub(day, text or ""))


def utc_day(moment: dt.datetime) -> dt.date:
    """The UTC day of a stored timestamp (a report's filing, a revision): PostgreSQL hands an
    aware one back in the session's time zone, SQLite a naive one that is already UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


def utc_start(day: dt.date) -> dt.datetime:
    """The first moment of a UTC day: the timestamp of a record known only by its day."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
