"""The seed's estimates, from the fact sheet alone (issue 14 item 4).

The sheet gives an estimate on a stance only where the person gave a number or a dated
prediction (meta.normalised_fields["stances[].estimate"]): `probability` (null for a dated
prediction), `probability_high` for a range, `horizon`, `of` (what it is the probability of) and
`quote` (the quote that gives it). `build()` returns, for each such stance, the stance as the
sheet names it (person slug, the sheet's claim id such as "C01", position, as_of as the sheet
writes it) and the kb/1 estimate fields to set on it; tools/build_seed.py joins them to the
stances it builds. Nothing is completed or guessed: a field the sheet leaves out stays None.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kb import rules

# The kb/1 stance fields an estimate sets, in kb/1 FIELDS order, and the sheet's names for them.
ESTIMATE_FIELDS = {
    "probability": "probability",
    "probability_high": "probability_high",
    "horizon": "horizon",
    "estimate_of": "of",
}


def _unverified_quotes(facts: Mapping[str, Any]) -> set[str]:
    """Quote ids the sheet lists as not verified (never loaded), where its entries name one."""
    return {u["quote"] for u in facts.get("unverified", []) if isinstance(u.get("quote"), str)}


def build(
    facts: Mapping[str, Any], people: Mapping[str, str], quotes: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """One record per stance with an estimate: person, claim, position, as_of, the estimate's
    fields (kb/1 names) and estimate_quote (the kb/1 id of the quote giving it, from `quotes`).
    Raises ValueError when the sheet contradicts itself: an estimate quote that is not among
    the stance's own quotes, that is unverified, or that `quotes` does not hold."""
    unverified = _unverified_quotes(facts)
    records = []
    for stance in facts["stances"]:
        estimate = stance.get("estimate")
        if not estimate:
            continue
        where = f"stance {stance['person']} on {stance['claim']} ({stance.get('as_of')})"
        quote = estimate.get("quote")
        if quote in unverified or quote not in quotes:
            raise ValueError(f"{where}: its estimate's quote {quote!r} is not a loaded quote")
        values = {kb: estimate.get(sheet) for kb, sheet in ESTIMATE_FIELDS.items()}
        _check(where, values, quote, stance.get("quote_ids", []))
        records.append(
            {
                "person": people[stance["person"]],
                "claim": stance["claim"],
                "position": stance["position"],
                **values,
                "estimate_quote": quotes[quote],
                "as_of": stance.get("as_of"),
            }
        )
    return records


def _check(where: str, values: Mapping[str, Any], quote: str, evidence: list[str]) -> None:
    """The estimate keeps kb.rules, as the importer will check it when the seed loads."""
    low, high = values["probability"], values["probability_high"]
    try:
        for number in (low, high):
            if number is not None:
                rules.probability(number)
    except rules.RuleError as exc:
        raise ValueError(f"{where}: {exc}") from None
    for field, message in rules.estimate_problems(low, high, quote, evidence):
        raise ValueError(f"{where}: {field} {message}")
    for field in ("horizon", "estimate_of"):
        if values[field] is not None:
            problem = rules.text_problem(values[field], rules.limit("stances", field))
            if problem:
                raise ValueError(f"{where}: {field} {problem}")
