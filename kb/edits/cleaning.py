"""Form values made ready to save: stripped text (blank is None), slugs made from names, lists
of slugs, partial dates, and the bound on ids. The rules a value must meet are kb.rules'; this
only shapes what a form sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kb import rules
from kb.edits.outcomes import Errors
from kb.rules import SLUG_FROM_TEXT_MAX, slugify  # noqa: F401 (part of this module's interface)

# The largest id an INTEGER column holds on PostgreSQL; a bigger one in a URL or form is simply
# not found (instead of an "integer out of range" error from the driver).
MAX_ID = 2**31 - 1


def clean(value: Any) -> Any:
    """Text stripped, and None when nothing is left; other values as they are."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def slug_list(value: Any) -> list[str]:
    """The slugs of a comma-separated text (or a list), blanks dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [s.strip() for s in value if s and s.strip()]


def published(errors: Errors, value: Any, fieldname: str) -> tuple[dt.date | None, str | None]:
    """A partial date (2023, 2023-05, 2023-05-02) and its precision; a bad one is refused on
    `fieldname`."""
    value = clean(value)
    if not value:
        return None, None
    try:
        return rules.parse_partial(str(value))
    except rules.RuleError as exc:
        errors.add(fieldname, str(exc))
        return None, None
