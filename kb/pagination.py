"""Pages of rows, and the error a list parameter raises when kb cannot use its value.

Both sit below the queries, which page their results and refuse a slug that names nothing;
reading the parameters from a request is kb.web.params'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Far past any real list, and small enough that page x per_page fits the database's integers.
MAX_PAGE = 1_000_000_000


class BadParameter(ValueError):
    """A query parameter with a value kb cannot use; the message names it and says why.

    Not an HTTP error, so that queries can raise it without knowing about the web: the web
    layer (kb.web.error_pages) answers it as a 400 Bad Request with this message."""

    def __init__(self, name: str, message: str):
        self.description = f"The parameter {name!r} {message}."
        super().__init__(self.description)


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class Page(Generic[T]):
    """One page of rows and where it sits in the whole list."""

    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)

    def meta(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "pages": self.pages,
        }
