"""tools/seed_statements.py against the fact sheet: every statement and signature the sheet
holds, word for word, nothing it does not hold, the stances signing implies, and all of it
accepted by the importer."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from kb import models as m
from kb.formats import kb1
from kb.load.importer import apply_document
from kb.web.database import session_scope

ROOT = Path(__file__).resolve().parent.parent
FACTS = json.loads((ROOT / "tools" / "seed_facts.json").read_text(encoding="utf-8"))


def _module():
    spec = importlib.util.spec_from_file_location(
        "seed_statements", ROOT / "tools" / "seed_statements.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# the builder maps the sheet's ids to kb slugs; any one-to-one map shows the mapping is used
PEOPLE = {p["id"]: f"{p['id']}-person" for p in FACTS["people"]}
BUILT = _module().build(FACTS, PEOPLE, {})


def test_every_statement_word_for_word_in_kb1_order() -> None:
    assert [list(r) for r in BUILT["statements"]] == [list(kb1.FIELDS["statements"])] * 3
    got = {(r["title"], r["by"], r["date"], r["url"], r["text"]) for r in BUILT["statements"]}
    sheet = {(s["title"], s["by"], s["date"], s["url"], s["text"]) for s in FACTS["statements"]}
    assert got == sheet and len(BUILT["statements"]) == len(FACTS["statements"])
    cais = next(r for r in BUILT["statements"] if r["slug"] == "cais-2023")
    assert (cais["claim"], cais["position"]) == ("extinction-risk-global-priority", "supports")
    assert cais["note"].startswith(FACTS["statements"][0]["notes"])


def test_every_signature_with_the_page_it_was_seen_on() -> None:
    slugs = {
        s["id"]: r["slug"] for s, r in zip(FACTS["statements"], BUILT["statements"], strict=True)
    }
    want = [
        (PEOPLE[s["person"]], slugs[s["statement"]], s["seen_in"], s["notes"])
        for s in FACTS["signatures"]
    ]
    got = [(r["person"], r["statement"], r["seen_in"], r["note"]) for r in BUILT["signatures"]]
    assert got == want and len(got) == 16
    assert all(list(r) == list(kb1.FIELDS["signatures"]) for r in BUILT["signatures"])


def test_signing_implies_a_stance_where_the_sheet_has_none() -> None:
    claim_of = {s["id"]: s["claim"] for s in FACTS["statements"]}
    held = {(s["person"], s["claim"]) for s in FACTS["stances"]}
    implied = {(s["person"], claim_of[s["statement"]]) for s in FACTS["signatures"]} - held
    got = {(r["person"], r["claim"], r["position"], r["as_of"]) for r in BUILT["stances"]}
    assert len(got) == len(implied) == len(BUILT["stances"]) == 15
    assert ("hinton-person", "extinction-risk-global-priority", "supports", "2023-05-30") in got
    assert not any(r["person"] == "lecun-person" for r in BUILT["stances"])  # he has a stance
    assert all(r["evidence"] == [] and r["basis"] == "explicit" for r in BUILT["stances"])


def test_the_importer_takes_them(app) -> None:
    people = [{"slug": s, "name": s} for s in PEOPLE.values()]
    claims = [{"slug": _slug(c["short"]), "text": c["text"]} for c in FACTS["claims"]]
    doc = {"format": "kb/1", "people": people, "claims": claims, **BUILT}
    with app.app_context(), session_scope() as session:
        report = apply_document(session, doc)
    assert (report.created["statements"], report.created["signatures"]) == (3, 16)
    with app.app_context(), session_scope() as session:
        assert session.query(m.Stance).count() == 15
