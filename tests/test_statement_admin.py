"""The admin forms of statements and signatures: creating both (a stance may then rest on the
signature alone), the refusals a form shows beside its field, the change history naming them,
and deleting what a signature depends on or what rests on it being refused."""

from __future__ import annotations

from kb import models as m
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_signature, make_statement
from tests.helpers import error_beside, submit


def test_create_a_statement_and_a_signature_then_a_stance_resting_on_it(app, admin_client):
    with app.app_context(), session_scope() as session:
        person, claim = make_person(session, name="Ada"), make_claim(session)
        pslug, cslug = person.slug, claim.slug
    c = admin_client
    form = {"title": "Statement on Risk", "issued": "2023-05-30", "claim": cslug}
    r = submit(c, "/admin/statement/new", {**form, "position": "supports"})
    assert r.status_code == 302, r.text
    sig = {"person": pslug, "statement": "statement-on-risk", "seen_in": "https://example.org/l"}
    assert submit(c, "/admin/signature/new", sig).status_code == 302
    stance = {"person": pslug, "claim": cslug, "position": "supports", "basis": "explicit"}
    assert submit(c, "/admin/stance/new", stance).status_code == 302
    with app.app_context(), session_scope() as session:
        st = session.query(m.Statement).one()
        assert (st.slug, st.date_precision, st.claim.slug) == ("statement-on-risk", "day", cslug)
        assert session.query(m.Stance).one().evidence == []
        edits = [f"/admin/statement/{st.id}/edit", f"/admin/signature/{st.signatures[0].id}/edit"]
    statement_page, signature_page = (c.get(url).get_data(as_text=True) for url in edits)
    assert 'value="2023-05-30"' in statement_page and f'value="{cslug}"' in statement_page
    assert 'value="https://example.org/l"' in signature_page
    assert "signatures" in c.get("/admin/").get_data(as_text=True)
    found = c.get("/admin/signature/?q=risk").get_data(as_text=True)
    assert "signed statement-on-risk" in found
    assert "signed statement-on-risk" not in c.get("/admin/signature/?q=nobody").get_data(
        as_text=True
    )
    changes = c.get("/admin/changes").get_data(as_text=True)
    assert "Ada signed statement-on-risk" in changes and "Statement on Risk" in changes


def test_the_forms_refuse_what_the_importer_refuses(app, admin_client) -> None:
    with app.app_context(), session_scope() as session:
        pslug, cslug = make_person(session).slug, make_claim(session).slug
    c = admin_client
    r = submit(c, "/admin/statement/new", {"title": "T", "claim": cslug, "position": ""})
    assert r.status_code == 422 and "go together" in error_beside(r.text, "position")
    sig = {"person": pslug, "statement": "nope", "seen_in": "javascript:alert(1)"}
    r = submit(c, "/admin/signature/new", sig)
    assert "no statement" in error_beside(r.text, "statement")
    assert "http" in error_beside(r.text, "seen_in")
    stance = {"person": pslug, "claim": cslug, "position": "supports", "basis": "explicit"}
    r = submit(c, "/admin/stance/new", stance)
    assert "signature" in error_beside(r.text, "evidence")


def test_deleting_is_refused_while_something_rests_on_it(app, admin_client) -> None:
    with app.app_context(), session_scope() as session:
        person, claim = make_person(session), make_claim(session)
        st = make_statement(session, claim)
        sig = make_signature(session, person, st)
        session.add(m.Stance(person=person, claim=claim, position="supports", basis="explicit"))
        ids = {"person": person.id, "claim": claim.id, "statement": st.id, "signature": sig.id}
    for entity, record_id in ids.items():
        r = admin_client.get(f"/admin/{entity}/{record_id}/delete")
        assert r.status_code == 200 and "cannot be deleted" in r.get_data(as_text=True), entity
