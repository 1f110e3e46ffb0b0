"""The seed's joint statements and signatures, from the fact sheet alone (issue 14 item 5).

`build(facts, people, quotes)` returns the kb/1 records of the sheet's `statements` and
`signatures`, and the stances that signing implies: the sheet gives each statement the claim
signing it supports and with which position ("signing it is taken as explicit support of C18").
Such a stance rests on the signature alone (no quote: kb/1 lets a stance's evidence be empty
when its person signed a statement on its claim), and is added only where the sheet holds no
stance of that person on that claim (then the signature stands beside that stance's quotes).

Editorial choices, all from the sheet's own fields:
- a statement's slug is its sheet id without "ST_" ("ST_CAIS_2023" -> "cais-2023"), a claim's
  is its `short` (as tools/build_seed.py makes it) unless `claims` maps the ids itself;
- a statement's note is the sheet's notes, then what it was checked against, word for word;
- a signature's note is the sheet's notes for it;
- an implied stance is dated as its statement when the statement has a full date (signing is
  dated by the statement), undated otherwise; its basis is "explicit" (the sheet's words).
`quotes` is taken for the builder's common call and not needed: signatures cite pages, not quotes.
"""

from __future__ import annotations

import re
from typing import Any

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _slug(ident: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")


def statement_slug(ident: str) -> str:
    return _slug(ident.removeprefix("ST_"))


def _note(*parts: str | None) -> str | None:
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return text or None


def build(
    facts: dict[str, Any],
    people: dict[str, str],
    quotes: dict[str, int],
    claims: dict[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """{"statements": [...], "signatures": [...], "stances": [...]}, each list of kb/1 records
    in kb.formats.kb1.FIELDS order."""
    del quotes  # signatures cite the page they were seen on, never a quote
    claim_slugs = claims or {c["id"]: _slug(c["short"]) for c in facts["claims"]}
    by_id = {s["id"]: s for s in facts["statements"]}
    statements = [_statement(s, claim_slugs) for s in facts["statements"]]
    signatures = [
        {
            "person": people[sig["person"]],
            "statement": statement_slug(sig["statement"]),
            "seen_in": sig["seen_in"],
            "note": _note(sig.get("notes")),
        }
        for sig in facts["signatures"]
    ]
    held = {(st["person"], st["claim"]) for st in facts["stances"]}
    stances = [
        _signed_stance(people[sig["person"]], by_id[sig["statement"]], claim_slugs)
        for sig in facts["signatures"]
        if by_id[sig["statement"]].get("claim")
        and by_id[sig["statement"]].get("position")
        and (sig["person"], by_id[sig["statement"]]["claim"]) not in held
    ]
    return {"statements": statements, "signatures": signatures, "stances": stances}


def _statement(s: dict[str, Any], claim_slugs: dict[str, str]) -> dict[str, Any]:
    checked = s.get("checked_against") or []
    return {
        "slug": statement_slug(s["id"]),
        "title": s["title"],
        "by": s.get("by"),
        "date": s.get("date"),
        "url": s.get("url"),
        "text": s.get("text"),
        "claim": claim_slugs[s["claim"]] if s.get("claim") else None,
        "position": s.get("position") if s.get("claim") else None,
        "note": _note(
            s.get("notes"), f"Checked against: {'; '.join(checked)}." if checked else None
        ),
    }


def _signed_stance(person: str, s: dict[str, Any], claim_slugs: dict[str, str]) -> dict[str, Any]:
    date = s.get("date") or ""
    return {
        "person": person,
        "claim": claim_slugs[s["claim"]],
        "position": s["position"],
        "basis": "explicit",
        "probability": None,
        "horizon": None,
        "as_of": date if _DAY.match(date) else None,
        "note": f"Signed “{s['title']}”.",
        "evidence": [],
    }
