"""Joint statements and signatures in kb/1: the rules the importer applies (a stance may rest on
a signature instead of quotes), and the JSON and CSV round trips of the new records."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import models as m
from kb import rules
from kb.errors import DataError
from kb.formats import kb1
from kb.load.importer import apply_document
from kb.web.database import session_scope
from tests.helpers import Fresh, csvs, kb_json, round_trip

PEOPLE = [{"slug": "ada", "name": "Ada"}]
CLAIMS = [{"slug": "c", "text": "A claim."}]
STATEMENT = {
    "slug": "st",
    "title": "A statement",
    "by": "A centre",
    "date": "2023-05",
    "url": "https://example.org/st",
    "text": "Some words.",
    "claim": "c",
    "position": "supports",
    "note": "A note.",
}
SIGNATURE = {"person": "ada", "statement": "st", "seen_in": "https://example.org/seen"}
SIGNED_STANCE = {"person": "ada", "claim": "c", "position": "supports", "basis": "explicit"}


def _doc(**entities) -> dict:
    return {"format": "kb/1", "people": PEOPLE, "claims": CLAIMS, **entities}


def _problems(app, doc) -> list[str]:
    with app.app_context(), session_scope() as session, pytest.raises(DataError) as err:
        apply_document(session, doc)
    return [str(p) for p in err.value.problems]


def test_a_stance_needs_quotes_or_a_signature_on_its_claim() -> None:
    assert rules.evidence_problem(0, 0) == rules.NO_EVIDENCE
    assert rules.evidence_problem(1, 0) is None
    assert rules.evidence_problem(0, 1) is None


def test_a_stance_without_quotes_rests_on_the_signature(app) -> None:
    doc = _doc(statements=[STATEMENT], signatures=[SIGNATURE], stances=[SIGNED_STANCE])
    with app.app_context(), session_scope() as session:
        report = apply_document(session, doc)
    assert report.created["signatures"] == 1 and report.created["stances"] == 1
    with app.app_context(), session_scope() as session:
        stance = session.query(m.Stance).one()
        assert stance.evidence == [] and stance.position == "supports"
        st = session.query(m.Statement).one()
        assert (st.issued_on.isoformat(), st.date_precision, st.claim.slug) == (
            "2023-05-01",
            "month",
            "c",
        )


def test_without_a_signature_a_stance_without_quotes_is_refused(app) -> None:
    problems = _problems(app, _doc(statements=[STATEMENT], stances=[SIGNED_STANCE]))
    assert len(problems) == 1 and "evidence" in problems[0] and "signature" in problems[0]
    with app.app_context(), session_scope() as session:
        assert session.query(m.Statement).count() == 0  # nothing written


def test_a_signature_on_another_claim_does_not_count(app) -> None:
    other = {**SIGNED_STANCE, "claim": "d"}
    doc = _doc(statements=[STATEMENT], signatures=[SIGNATURE], stances=[other])
    doc["claims"] = [*CLAIMS, {"slug": "d", "text": "Another."}]
    assert len(_problems(app, doc)) == 1


@pytest.mark.parametrize(
    ("entity", "record", "field"),
    [
        ("signatures", {**SIGNATURE, "seen_in": None}, "seen_in"),
        ("signatures", {**SIGNATURE, "seen_in": "javascript:alert(1)"}, "seen_in"),
        ("signatures", {**SIGNATURE, "statement": "nope"}, "statement"),
        ("statements", {**STATEMENT, "date": "30 May 2023"}, "date"),
        ("statements", {**STATEMENT, "position": "maybe"}, "position"),
        ("statements", {**STATEMENT, "claim": None}, "claim"),
    ],
)
def test_bad_statements_and_signatures_are_named(app, entity, record, field) -> None:
    doc = _doc(statements=[STATEMENT], signatures=[SIGNATURE])
    doc[entity] = [record]
    problems = _problems(app, doc)
    assert any(f"{entity}[0]" in p and field in p for p in problems), problems


def test_signing_twice_is_one_problem(app) -> None:
    doc = _doc(statements=[STATEMENT], signatures=[SIGNATURE, SIGNATURE])
    problems = _problems(app, doc)
    assert len(problems) == 1 and "signatures[1]" in problems[0] and "twice" in problems[0]


def test_statements_and_signatures_round_trip_in_json_and_csv(app, databases, tmp_path: Path):
    undated = {"slug": "bare", "title": "Bare letter"}
    doc = _doc(
        statements=[STATEMENT, undated],
        signatures=[SIGNATURE, {**SIGNATURE, "statement": "bare", "note": "Seen once."}],
        stances=[SIGNED_STANCE],
    )
    with app.app_context(), session_scope() as session:
        apply_document(session, doc)
    exported = kb_json(app)
    assert '"statements": [' in exported and '"date": "2023-05"' in exported
    assert "Seen once." in csvs(app)["signatures"]
    # no estimate, date, note or quotes: empty text cells (kb.formats.csvsafe quotes text)
    blanks = ',""' * (len(kb1.FIELDS["stances"]) - 4)
    assert f'"ada","c","supports","explicit"{blanks}\r\n' in csvs(app)["stances"]
    fresh = Fresh(databases, tmp_path)
    try:
        round_trip(app, fresh, tmp_path)
    finally:
        fresh.close()
