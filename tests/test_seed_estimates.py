"""tools/seed_estimates.py against the fact sheet: every estimate the sheet holds, word for word,
on the stance it belongs to, and nothing the sheet does not hold."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "seed_estimates", ROOT / "tools" / "seed_estimates.py"
)
assert _spec is not None and _spec.loader is not None
seed_estimates = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed_estimates)

FACTS = json.loads((ROOT / "tools" / "seed_facts.json").read_text(encoding="utf-8"))
PEOPLE = {p["id"]: f"slug-of-{p['id']}" for p in FACTS["people"]}
QUOTES = {q["id"]: n for n, q in enumerate(FACTS["quotes"], start=1)}


def test_every_estimate_of_the_sheet_and_nothing_else() -> None:
    assert "stances[].estimate" in FACTS["meta"]["normalised_fields"]
    records = seed_estimates.build(FACTS, PEOPLE, QUOTES)
    given = [s for s in FACTS["stances"] if s.get("estimate")]
    assert len(records) == len(given) > 0
    for record, stance in zip(records, given, strict=True):
        e = stance["estimate"]
        assert record == {
            "person": PEOPLE[stance["person"]],
            "claim": stance["claim"],
            "position": stance["position"],
            "probability": e["probability"],
            "probability_high": e.get("probability_high"),
            "horizon": e["horizon"],
            "estimate_of": e["of"],
            "estimate_quote": QUOTES[e["quote"]],
            "as_of": stance.get("as_of"),
        }
        assert e["quote"] in stance["quote_ids"]


def test_the_sheets_range_and_dated_prediction() -> None:
    records = seed_estimates.build(FACTS, PEOPLE, QUOTES)
    by_person = {r["person"]: r for r in records}
    hinton = by_person["slug-of-hinton"]
    assert (hinton["claim"], hinton["probability"], hinton["probability_high"]) == ("C01", 0.1, 0.2)
    assert hinton["horizon"] == "the next 30 years" and hinton["as_of"] == "2024-12-26"
    kurzweil = by_person["slug-of-kurzweil"]
    assert kurzweil["probability"] is None and kurzweil["horizon"] == "by 2029"


def _sheet_with(change) -> dict:
    facts = copy.deepcopy(FACTS)
    stance = next(s for s in facts["stances"] if s.get("estimate"))
    change(stance)
    return facts


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda s: s["estimate"].update(quote="Q_NOT_THERE"), "not a loaded quote"),
        (lambda s: s.update(quote_ids=s["quote_ids"][1:] or ["Q_CH_01"]), "evidence quotes"),
        (lambda s: s["estimate"].update(probability_high=0.01), "below its low end"),
        (lambda s: s["estimate"].update(probability=1.5), "between 0 and 1"),
    ],
)
def test_a_sheet_that_contradicts_itself_is_refused(change, words) -> None:
    with pytest.raises(ValueError, match=words):
        seed_estimates.build(_sheet_with(change), PEOPLE, QUOTES)
