"""The editors' evidence dashboard (issue 18 item 6): quotes by checked label, quotes never
verified, disputed quotes, sources without an archived copy and open reports, each count
linking to its list."""

from __future__ import annotations

import re

from kb import models as m
from kb.web.database import session_scope
from tests.factories import make_person, make_quote, make_source


def _count(page: str, name: str) -> int:
    found = re.search(rf'class="n-{name}">(\d+)<', page)
    assert found, name
    return int(found.group(1))


def test_the_dashboard_counts_and_lists_the_evidence_to_look_at(app, client, editor_client):
    with app.app_context(), session_scope() as s:
        p = make_person(s, slug="ada", name="Ada Lovelace")
        archived = make_source(s, slug="kept", archived_url="https://web.archive.org/x")
        bare = make_source(s, slug="bare", title="Bare source", url="https://example.org/a")
        make_quote(s, p, archived, checked="primary")
        q = make_quote(s, p, bare, checked="secondary", text="Only seen in one report.")
        make_quote(s, p, bare, checked="secondary")
        s.add(m.Report(target="quote", target_id=q.id, kind="other", explanation="Hm."))
        s.add(
            m.Report(
                target="quote",
                target_id=q.id,
                kind="wrong_date",
                explanation="Later.",
                status="accepted",
                resolution="Being checked.",
            )
        )
        sources_without = (
            s.query(m.Source).filter(m.Source.url.is_not(None), m.Source.archived_url.is_(None))
        ).count()
    assert client.get("/admin/evidence").status_code == 302  # editors only
    page = editor_client.get("/admin/evidence").text
    assert _count(page, "never-verified") == 2
    assert _count(page, "disputed") == 1
    assert _count(page, "open-reports") == 1
    assert _count(page, "without-archive") == sources_without
    assert "/admin/evidence/quotes?checked=primary" in page
    assert "/admin/evidence/quotes?checked=secondary" in page
    never = editor_client.get("/admin/evidence/quotes?list=never_verified").text
    assert "Only seen in one report." in never and "(2)" in never
    disputed = editor_client.get("/admin/evidence/quotes?list=disputed").text
    assert "Only seen in one report." in disputed and "(1)" in disputed
    primary = editor_client.get("/admin/evidence/quotes?checked=primary").text
    assert "(1)" in primary
    sources = editor_client.get("/admin/evidence/sources").text
    assert "Bare source" in sources and "kept" not in sources
    assert editor_client.get("/admin/evidence/quotes?list=nonsense").status_code == 400
    assert "Open (1)" in editor_client.get("/admin/reports").text
