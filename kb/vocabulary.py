"""The words and symbols readers see for a stance's position, written once.

Every page, the JSON twins (symbol and label), the graph legend (kb.graph.svg) and the
templates (through the `positions` Jinja global, registered in kb.web) read them from here,
so a position is never spelled two ways. No Flask: the graph layer uses it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kb.models import POSITIONS


@dataclass(frozen=True)
class PositionWords:
    """How one position (None: no stance) reads: "✓", "Supports", "supporters", "supporting"."""

    position: str | None
    symbol: str
    label: str  # what someone's stance is: "Supports"
    holders: str  # the people who hold it, as a claim page heads them: "supporters"
    adjective: str  # after a count, for screen readers: "3 supporting"

    def data(self) -> dict[str, Any]:
        """The fields the JSON twins of the pages publish (part of their documented shape)."""
        return {"position": self.position, "symbol": self.symbol, "label": self.label}


_WORDS = {
    "supports": PositionWords("supports", "✓", "Supports", "supporters", "supporting"),
    "opposes": PositionWords("opposes", "✗", "Opposes", "opponents", "opposing"),
    "mixed": PositionWords("mixed", "~", "Mixed", "mixed", "mixed"),
    None: PositionWords(None, "–", "No stance", "no stance", "without a stance"),
}


class Positions:
    """`positions(p)`: the words for p; iterating: the three positions in their usual order;
    `positions.none`: the words for no stance. The one object templates get."""

    none = _WORDS[None]

    def __call__(self, position: str | None) -> PositionWords:
        return _WORDS[position]

    def __iter__(self) -> Iterator[PositionWords]:
        return (_WORDS[p] for p in POSITIONS)


positions = Positions()


def position_data(position: str | None) -> dict[str, Any]:
    """{"position", "symbol", "label"}: a position as the JSON twins and templates take it."""
    return _WORDS[position].data()
