"""Admin pages run a bounded number of SQL statements: the same count over the seed as over a
database with many more records (no query per row)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, select

from kb import models as m
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance


@contextmanager
def counting(app):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = app.extensions["kb.engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _pages(app) -> list[str]:
    with app.app_context(), session_scope() as s:
        claim = s.scalars(select(m.Claim).order_by(m.Claim.id)).first()
        stance = s.scalars(select(m.Stance).where(m.Stance.claim_id == claim.id)).first()
        person = s.get(m.Person, stance.person_id)
    return [
        "/admin/",
        "/admin/person/",
        "/admin/quote/",
        "/admin/stance/",
        "/admin/claim_relation/",
        "/admin/changes",
        "/admin/stance/new",
        f"/admin/stance/{stance.id}/edit",
        f"/admin/claim/{claim.id}/edit",
        f"/admin/claim/{claim.id}/delete",
        f"/admin/person/{person.id}/delete",
        f"/admin/person/{person.id}/history",
    ]


def _measure(app, client, pages: list[str]) -> dict[str, int]:
    out = {}
    for path in pages:
        with counting(app) as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        out[path] = len(statements)
    return out


def test_admin_pages_do_not_query_per_row(seeded_app, seeded_admin) -> None:
    pages = _pages(seeded_app)
    before = _measure(seeded_app, seeded_admin, pages)
    with seeded_app.app_context(), session_scope() as s:
        s.info["actor"] = "test"
        claim = s.scalars(select(m.Claim).order_by(m.Claim.id)).first()
        stance = s.scalars(select(m.Stance).where(m.Stance.claim_id == claim.id)).first()
        person = s.get(m.Person, stance.person_id)
        others = [make_claim(s) for _ in range(5)]
        for i in range(40):
            p = make_person(s)
            src = make_source(s, authors=[p, person])
            q = make_quote(s, p, src)
            make_stance(s, p, claim, evidence=[q])
            make_stance(s, p, others[i % 5], evidence=[q])
            make_quote(s, person, src)
        for a, b in zip(others, others[1:], strict=False):
            s.add(m.ClaimRelation(from_claim=a, to_claim=b, kind="supports"))
            s.add(m.ClaimRelation(from_claim=b, to_claim=claim, kind="contradicts"))
    after = _measure(seeded_app, seeded_admin, pages)
    # Revision lists name the records they reference with one query per kind of record (at
    # most four kinds), so they may differ by which kinds the newest revisions touch.
    revision_lists = {"/admin/", "/admin/changes"}
    for path in pages:
        if path in revision_lists:
            assert abs(after[path] - before[path]) <= 4, (path, before[path], after[path])
        else:
            assert after[path] == before[path], (path, before[path], after[path])
    assert max(after.values()) <= 25, after
