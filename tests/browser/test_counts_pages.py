"""The counted pages as readers see them, at 1280x800 and on a phone (390x844): a prolific
person's page with both sides on the first screen and tabs that count every stance, a claim
page, the lists as cards on a phone with the split visible, and the filters in a drawer.
Screenshots: test-artifacts/screenshots/counts-*.png."""

from __future__ import annotations

import pytest

from kb.web.database import session_scope
from tests.browser.conftest import start_live_server
from tests.synthetic import generate

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def big_server(databases, tmp_path_factory):
    """The seed and the synthetic generator's records: prolific people, busy claims."""
    server = start_live_server(databases, tmp_path_factory.mktemp("counts"))
    with server.app.app_context(), session_scope() as session:
        generate(session)
    yield server
    server.stop()


def _no_sideways_scroll(page) -> None:
    wide, seen = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= seen, (wide, seen)


def test_a_person_page_shows_both_sides_and_pages_each(big_server, browser, screenshot) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(big_server.url + "/people/geoffrey-hinton")
    assert page.locator("p.person-summary").is_visible()
    screenshot(page, "counts-01-person-seed")
    page.goto(big_server.url + "/people/synthetic-person-1")
    tabs = page.locator("nav.position-tabs a")
    assert tabs.count() == 4
    assert page.locator("section.group-supports").is_visible()
    assert page.locator("section.group-opposes").is_visible()
    screenshot(page, "counts-02-person-synthetic")
    page.locator("nav.position-tabs a.tab-opposes").click()
    page.wait_for_url("**position=opposes**")
    assert page.locator("section.group-supports").count() == 0
    screenshot(page, "counts-03-person-opposes")
    page.goto(big_server.url + "/claims/synthetic-claim-1")
    assert page.locator("section.side-supports").is_visible()
    assert page.locator("section.side-opposes").is_visible()
    screenshot(page, "counts-04-claim")
    page.goto(big_server.url + "/claims?sort=contested")
    assert page.locator("p.contested-rule").is_visible()
    facet = page.locator("section.facet[aria-label='Filter by person']")
    assert facet.locator("form.facet-search").is_visible()
    facet.get_by_role("link", name="Show all").click()
    page.wait_for_url("**facet_limit=**")
    screenshot(page, "counts-05-claims-facets")
    context.close()


@pytest.mark.parametrize("path", ["/people", "/claims", "/sources"])
def test_lists_become_cards_on_a_phone(big_server, phone_page, screenshot, path) -> None:
    page = phone_page
    page.goto(big_server.url + path)
    _no_sideways_scroll(page)
    drawer = page.locator("details.filter-drawer")
    assert drawer.get_attribute("open") is None  # folded on a phone, no script needed
    assert not page.locator("section.facet").first.is_visible()
    row = page.locator("table.list tbody tr").first
    box = row.bounding_box()
    assert box and box["width"] <= 390
    if path != "/sources":
        assert row.locator(".sides-count .n-supports").is_visible()
        assert row.locator(".sides-count .n-opposes").is_visible()
    screenshot(
        page,
        f"counts-1{['/people', '/claims', '/sources'].index(path)}-phone{path.replace('/', '-')}",
    )
    page.locator("details.filter-drawer > summary").click()
    assert page.locator("section.facet").first.is_visible()


def test_person_and_claim_pages_on_a_phone(big_server, phone_page, screenshot) -> None:
    page = phone_page
    page.goto(big_server.url + "/people/synthetic-person-1")
    _no_sideways_scroll(page)
    screenshot(page, "counts-20-phone-person")
    page.goto(big_server.url + "/claims/synthetic-claim-1")
    _no_sideways_scroll(page)
    screenshot(page, "counts-21-phone-claim")
    page.goto(big_server.url + "/people/geoffrey-hinton")
    _no_sideways_scroll(page)
    screenshot(page, "counts-22-phone-person-seed")
