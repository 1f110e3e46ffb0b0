"""The position vocabulary (kb.vocabulary): one entry per position the schema allows, and the
pages, the graph legend and the JSON twins all read their symbols from it."""

from __future__ import annotations

from kb import models, vocabulary
from kb.graph import svg


def test_every_position_has_its_words_in_the_schema_order() -> None:
    assert tuple(w.position for w in vocabulary.positions) == models.POSITIONS
    assert vocabulary.positions.none.position is None
    symbols = [w.symbol for w in (*vocabulary.positions, vocabulary.positions.none)]
    assert len(set(symbols)) == len(symbols)


def test_the_graph_legend_and_the_json_take_the_same_symbol() -> None:
    for w in vocabulary.positions:
        assert svg.EDGE_STYLE[w.position]["label"].startswith(w.symbol + " ")
        assert vocabulary.position_data(w.position) == {
            "position": w.position,
            "symbol": w.symbol,
            "label": w.label,
        }
