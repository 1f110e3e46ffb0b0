"""Statement pages (/statements, /statements/<slug> and their twins), signing shown beside the
signer's stance on the person and claim pages, and a stance resting on a signature counted in
the agreement scores like any other."""

from __future__ import annotations

import csv
import datetime as dt
import io

from kb import graph
from kb import models as m
from kb.load.importer import apply_document
from kb.store import checks
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_signature, make_statement


def _signed(app) -> dict[str, str]:
    """Ada signed a dated statement on a claim, and holds the stance that signing implies."""
    with app.app_context(), session_scope() as session:
        ada, bo = make_person(session, name="Ada"), make_person(session, name="Bo")
        claim = make_claim(session)
        st = make_statement(
            session,
            claim,
            title="Statement on Risk",
            issued_by="A Centre",
            issued_on=dt.date(2023, 5, 30),
            date_precision="day",
            text="Mitigating the risk should be a priority.",
        )
        make_signature(session, ada, st, seen_in="https://example.org/list", note="In the list.")
        make_signature(session, bo, make_statement(session, title="Older letter"))
        session.add(m.Stance(person=ada, claim=claim, position="supports", basis="explicit"))
        return {"statement": st.slug, "person": ada.slug, "claim": claim.slug}


def test_a_statement_page_lists_its_signatories(app, client) -> None:
    slugs = _signed(app)
    html = client.get(f"/statements/{slugs['statement']}").get_data(as_text=True)
    assert "Statement on Risk" in html and "Mitigating the risk should be a priority." in html
    assert f'href="/people/{slugs["person"]}">Ada</a>' in html
    assert 'href="https://example.org/list"' in html and "30 May 2023" in html
    assert "Bo" not in html  # he signed the other letter
    data = client.get(f"/statements/{slugs['statement']}.json").get_json()
    assert data["date"] == "2023-05-30" and data["claim"]["slug"] == slugs["claim"]
    assert [(s["person"]["name"], s["seen_in"]) for s in data["signatories"]] == [
        ("Ada", "https://example.org/list")
    ]
    assert client.get("/statements/no-such-statement").status_code == 404


def test_the_statement_list_and_its_twins(app, client) -> None:
    slugs = _signed(app)
    html = client.get("/statements").get_data(as_text=True)
    assert html.index("Statement on Risk") < html.index("Older letter")  # dated first
    rows = client.get("/statements.json").get_json()["rows"]
    assert [(r["title"], r["signatures"]) for r in rows] == [
        ("Statement on Risk", 1),
        ("Older letter", 1),
    ]
    table = list(csv.reader(io.StringIO(client.get("/statements.csv").get_data(as_text=True))))
    assert table[0][:2] == ["slug", "title"] and table[1][0] == slugs["statement"]
    assert table[1][5:] == [slugs["claim"], "supports", "1"]


def test_signing_is_shown_on_the_signers_stance(app, client) -> None:
    slugs = _signed(app)
    link = f'<a href="/statements/{slugs["statement"]}">Statement on Risk</a>, 30 May 2023'
    for page in (f"/people/{slugs['person']}", f"/claims/{slugs['claim']}"):
        html = client.get(page).get_data(as_text=True)
        assert "Signed " + link in html, page
    person = client.get(f"/people/{slugs['person']}.json").get_json()
    assert [s["statement"]["slug"] for s in person["signatures"]] == [slugs["statement"]]
    claim = client.get(f"/claims/{slugs['claim']}.json").get_json()
    assert [s["person"]["name"] for s in claim["signatures"]] == ["Ada"]


def test_a_stance_resting_on_a_signature_counts_in_agreement(app, session) -> None:
    doc = {
        "format": "kb/1",
        "people": [{"slug": s, "name": s} for s in ("ada", "bo", "cy")],
        "claims": [{"slug": "c", "text": "A claim."}],
        "sources": [{"slug": "s", "title": "S", "kind": "article"}],
        "quotes": [{"id": "q1", "text": "No.", "speaker": "cy", "source": "s"}],
        "statements": [{"slug": "st", "title": "St", "claim": "c", "position": "supports"}],
        "signatures": [
            {"person": p, "statement": "st", "seen_in": "https://example.org/x"}
            for p in ("ada", "bo")
        ],
        "stances": [
            {"person": "ada", "claim": "c", "position": "supports", "basis": "explicit"},
            {"person": "bo", "claim": "c", "position": "supports", "basis": "explicit"},
            {"person": "cy", "claim": "c", "position": "opposes", "basis": "explicit"},
        ],
    }
    doc["quotes"][0].update(attribution="verbatim", checked="primary")
    doc["stances"][2]["evidence"] = ["q1"]
    with session_scope() as s:
        apply_document(s, doc)
    ids = {p.slug: p.id for p in session.query(m.Person)}
    agreement = graph.build_agreement(session)
    together = agreement.pair(ids["ada"], ids["bo"])
    apart = agreement.pair(ids["ada"], ids["cy"])
    assert (together.agreements, together.shared) == (1, 1)
    assert (apart.disagreements, apart.shared) == (1, 1)


def test_kb_check_takes_a_signature_as_a_stances_evidence(app, database_url) -> None:
    _signed(app)
    engine = app.extensions["kb.engine"]

    def stance_evidence() -> checks.CheckResult:
        return next(
            r for r in checks.run_checks(engine, database_url) if r.name == "stance-evidence"
        )

    assert stance_evidence().count == 0
    with app.app_context(), session_scope() as session:
        session.query(m.Signature).delete()
    found = stance_evidence()
    assert found.count == 1 and "no evidence quote and no signature" in found.examples[0]
