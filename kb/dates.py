"""Dates with a precision: a year alone ("2003"), a month ("2017-02") or a day ("2017-07-17").

Stored as the first day of the period plus its precision, written back in the same short form,
so a year never turns into a made-up first of January on a page or in an export.
"""

from __future__ import annotations

import datetime as dt
import re

# ASCII digits only ([0-9], not \d, which also takes full-width "２０１７" and other scripts'
# digits): one spelling per date, the one every other program reads.
_FORMS = {
    "year": re.compile(r"([0-9]{4})", re.ASCII),
    "month": re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII),
    "day": re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII),
}
_MONTHS = [
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
]


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
        return f"{_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def period_end(value: dt.date, precision: str | None) -> dt.date:
    """The last day of the period a partial date names: 2003 -> 2003-12-31, 2017-02 ->
    2017-02-28. An affiliation "to 2003" lasts until the end of 2003, not its first day."""
    if precision == "year":
        return dt.date(value.year, 12, 31)
    if precision == "month":
        following = dt.date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return value
