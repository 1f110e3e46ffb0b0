"""The editors' evidence dashboard (issue 18 item 6): quotes by checked label, quotes never
verified (an empty trail), quotes not found at their source at the last check, disputed quotes, sources without an archived copy and open reports, each count
linking to its list."""

from __future__ import annotations

import datetime as dt
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
        checked = make_quote(s, p, archived, checked="primary", text="Checked and found.")
        q = make_quote(s, p, bare, checked="secondary", text="Only seen in one report.")
        make_quote(s, p, bare, checked="secondary")
        gone = make_quote(s, p, bare, checked="primary", text="Gone from the page.")
        back = make_quote(s, p, bare, checked="primary", text="Missing once, found again.")
        check = dict(checked_by="kb verify", result="found")
        s.add(m.Verification(quote=checked, seen_in="https://example.org/k", **check))
        for quote, results in ((gone, ("found", "not_found")), (back, ("not_found", "found"))):
            for day, result in zip(
                (dt.date(2026, 1, 5), dt.date(2026, 2, 5)), results, strict=True
            ):
                seen = {**check, "result": result, "checked_on": day, "checked_precision": "day"}
                s.add(m.Verification(quote=quote, seen_in="https://example.org/a", **seen))
        # not found somewhere else than the source's own address: not this list's business
        elsewhere = {
            **check,
            "result": "not_found",
            "checked_on": dt.date(2026, 3, 1),
            "checked_precision": "day",
        }
        s.add(m.Verification(quote=back, seen_in="https://mirror.example.org/a", **elsewhere))
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
    assert _count(page, "never-verified") == 2  # the two with an empty trail
    assert _count(page, "not-found") == 1
    assert _count(page, "disputed") == 1
    assert _count(page, "open-reports") == 1
    assert _count(page, "without-archive") == sources_without
    assert "/admin/evidence/quotes?checked=primary" in page
    assert "/admin/evidence/quotes?checked=secondary" in page
    never = editor_client.get("/admin/evidence/quotes?list=never_verified").text
    assert "Only seen in one report." in never and "(2)" in never
    not_found = editor_client.get("/admin/evidence/quotes?list=not_found").text
    assert "Gone from the page." in not_found and "(1)" in not_found
    assert "Missing once, found again." not in not_found
    disputed = editor_client.get("/admin/evidence/quotes?list=disputed").text
    assert "Only seen in one report." in disputed and "(1)" in disputed
    primary = editor_client.get("/admin/evidence/quotes?checked=primary").text
    assert "(3)" in primary
    sources = editor_client.get("/admin/evidence/sources").text
    assert "Bare source" in sources and "kept" not in sources
    assert editor_client.get("/admin/evidence/quotes?list=nonsense").status_code == 400
    assert "Open (1)" in editor_client.get("/admin/reports").text
