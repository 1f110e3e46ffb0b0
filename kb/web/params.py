"""Reading list parameters (?page=, ?per_page=, ?sort=, filters) strictly.

Every list in kb takes the same parameters, checked the same way: a malformed value is a
BadParameter (a 400 with a message that names the parameter), never a silent default and never
a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import overload

from kb import rules
from kb.formats.csvsafe import DIALECTS
from kb.pagination import MAX_PAGE, BadParameter, PageRequest


def positive_int(
    args: Mapping[str, str], name: str, default: int, maximum: int | None = None
) -> int:
    """An integer >= 1 from the query string; `maximum` caps it (a bigger value is refused,
    so a client never silently gets fewer rows than it asked for without knowing)."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"must be a whole number, not {raw!r}") from None
    if value < 1:
        raise BadParameter(name, f"must be 1 or more, not {value}")
    if maximum is not None and value > maximum:
        raise BadParameter(name, f"must be at most {maximum}, not {value}")
    return value


@overload
def choice(args: Mapping[str, str], name: str, allowed: Iterable[str], default: str) -> str: ...
@overload
def choice(
    args: Mapping[str, str], name: str, allowed: Iterable[str], default: None = None
) -> str | None: ...
def choice(
    args: Mapping[str, str], name: str, allowed: Iterable[str], default: str | None = None
) -> str | None:
    """The value of `name` if it is one of `allowed`, `default` when absent or empty; anything
    else is a BadParameter naming it."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    allowed = list(allowed)
    if raw not in allowed:
        raise BadParameter(name, f"must be one of {', '.join(allowed)}, not {raw!r}")
    return raw


def year(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) != 4:
        raise BadParameter(name, f"must be a four-digit year, not {raw!r}")
    return int(raw)


def text(args: Mapping[str, str], name: str, max_length: int = 500) -> str | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    if len(raw) > max_length:
        raise BadParameter(name, f"must be at most {max_length} characters long")
    if "\x00" in raw:
        raise BadParameter(name, "must not contain a NUL character")
    return raw


def page_request(args: Mapping[str, str], default_size: int, max_size: int) -> PageRequest:
    return PageRequest(
        positive_int(args, "page", 1, maximum=MAX_PAGE),
        positive_int(args, "per_page", default_size, maximum=max_size),
    )


@overload
def bounded_int(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int: ...
@overload
def bounded_int(
    args: Mapping[str, str], name: str, default: None, low: int, high: int
) -> int | None: ...
def bounded_int(
    args: Mapping[str, str], name: str, default: int | None, low: int, high: int
) -> int | None:
    """A whole number in [low, high], `default` when absent or empty."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"must be between {low} and {high}, not {value}")
    return value


def day(args: Mapping[str, str], name: str) -> dt.date | None:
    """A day written YYYY-MM-DD in ASCII digits (as forms and the importer take it), None when
    absent or empty."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return rules.parse_day(raw)
    except rules.RuleError:
        raise BadParameter(name, f"must be a date like 2017-07-17, not {raw[:40]!r}") from None


def csv_dialect(args: Mapping[str, str]) -> str:
    """The ?dialect= of a CSV download (kb.formats.csvsafe.DIALECTS), standard by default."""
    return choice(args, "dialect", DIALECTS, "standard")
