"""The seed loader with statements and signatures: a stance resting on a signature alone is
seeded, seeding again changes nothing, and what an editor deleted is not brought back."""

from __future__ import annotations

import copy

from kb import models as m
from kb.edits import deleting
from kb.load import seed
from kb.load.report import Report
from kb.web.database import session_scope

DOC = {
    "format": "kb/1",
    "people": [{"slug": "ada", "name": "Ada"}],
    "claims": [{"slug": "c", "text": "A claim."}],
    "statements": [{"slug": "st", "title": "St", "claim": "c", "position": "supports"}],
    "signatures": [{"person": "ada", "statement": "st", "seen_in": "https://example.org/s"}],
    "stances": [
        {"person": "ada", "claim": "c", "position": "supports", "basis": "explicit", "evidence": []}
    ],
}


def _load(app) -> Report:
    with app.app_context(), session_scope() as session:
        return seed.load_seed(session)


def test_seeding_signatures_and_the_stances_they_carry(app, monkeypatch) -> None:
    monkeypatch.setattr(seed, "seed_document", lambda: copy.deepcopy(DOC))
    first = _load(app)
    assert (first.created["signatures"], first.created["stances"]) == (1, 1)
    again = _load(app)
    assert not again.changed and again.unchanged["signatures"] == 1
    with app.app_context(), session_scope() as session:
        session.info["actor"] = "eve"
        stance = session.query(m.Stance).one()
        deleting.delete(session, stance, stance.version)
        signature = session.query(m.Signature).one()
        deleting.delete(session, signature, signature.version)
    after = _load(app)
    assert not after.changed
    assert (after.deleted["signatures"], after.deleted["stances"]) == (1, 1)
