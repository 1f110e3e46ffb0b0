"""The admin side in headless Chromium: log in, enter a person, a source, a quote, a claim and
a stance resting on that quote, see them on the public pages, run into an edit conflict from
two browsers, delete with confirmation, and revert the deletion from the history.

Every record made here is obviously synthetic ("Synthetic Tester", example.org)."""

from __future__ import annotations

import re

import pytest

from kb.web import auth
from kb.web.database import session_scope

pytestmark = pytest.mark.browser

PASSWORD = "browser test password"


@pytest.fixture(scope="module")
def server(live_server):
    with live_server.app.app_context(), session_scope() as session:
        auth.create_user(session, "ada", "admin", PASSWORD)
        auth.create_user(session, "eve", "editor", PASSWORD)
    return live_server


def log_in(page, base: str, username: str = "ada") -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def record_id(page) -> int:
    return int(re.search(r"/(\d+)/edit$", page.url).group(1))


def saved(page) -> None:
    page.wait_for_url(re.compile(r"/\d+/edit$"))
    assert "Saved the" in page.locator(".flash").inner_text()


def test_enter_records_and_see_them_on_the_public_pages(server, page, screenshot) -> None:
    base = server.url
    page.goto(base + "/admin/")
    assert "/login" in page.url  # anonymous visitors are sent to log in
    screenshot(page, "admin-login")
    log_in(page, base)
    screenshot(page, "admin-dashboard")

    page.goto(base + "/admin/person/new")
    page.fill("#name", "Synthetic Tester Ångström")
    page.fill("#affiliation", "Example Institute (synthetic)")
    page.fill("#url", "https://example.org/tester")
    page.get_by_role("button", name="Create person").click()
    saved(page)
    assert page.input_value("#slug") == "synthetic-tester-angstrom"

    page.goto(base + "/admin/source/new")
    page.fill("#title", "A synthetic interview for browser tests")
    page.select_option("#kind", "interview")
    page.fill("#url", "https://example.org/interview")
    page.fill("#published", "2024-03")
    page.fill("#authors", "synthetic-tester-angstrom")
    page.get_by_role("button", name="Create source").click()
    saved(page)

    page.goto(base + "/admin/quote/new")
    page.fill("#text", "These are synthetic words typed by a browser test.")
    page.fill("#speaker", "synthetic-tester-angstrom")
    page.fill("#source", "a-synthetic-interview-for-browser-tests")
    page.fill("#locator", "minute 3")
    page.select_option("#checked", "primary")
    page.get_by_role("button", name="Create quote").click()
    saved(page)
    quote_id = record_id(page)

    page.goto(base + "/admin/claim/new")
    page.fill("#text", "Synthetic claims are useful for browser tests.")
    page.get_by_role("button", name="Create claim").click()
    saved(page)
    claim_slug = page.input_value("#slug")

    # The stance form: first narrow the evidence list to the person's quotes (a GET, no JS).
    page.goto(base + "/admin/stance/new")
    page.fill("#person-filter", "synthetic-tester-angstrom")
    page.get_by_role("button", name="Show quotes").click()
    page.fill("#person", "synthetic-tester-angstrom")
    page.fill("#claim", claim_slug)
    page.select_option("#position", "supports")
    page.fill("#as_of", "2024-03-15")
    page.select_option("#evidence", str(quote_id))
    screenshot(page, "admin-stance-form")
    page.get_by_role("button", name="Create stance").click()
    saved(page)

    page.goto(base + "/people/synthetic-tester-angstrom")
    assert page.locator("h1").first.inner_text().startswith("Synthetic Tester Ångström")
    body = page.locator("main").inner_text()
    assert "Synthetic claims are useful for browser tests." in body
    assert "These are synthetic words typed by a browser test." in body
    page.goto(base + f"/claims/{claim_slug}")
    assert "Synthetic Tester Ångström" in page.locator("main").inner_text()
    page.goto(base + "/sources/a-synthetic-interview-for-browser-tests")
    assert "These are synthetic words typed by a browser test." in page.locator("main").inner_text()


def test_validation_errors_sit_beside_their_fields(server, page, screenshot) -> None:
    log_in(page, server.url)
    page.goto(server.url + "/admin/person/new")
    page.fill("#name", "François Chollet")
    page.fill("#url", "javascript:alert(1)")
    page.get_by_role("button", name="Create person").click()
    assert "nothing was saved" in page.locator(".problems").inner_text()
    slug_error = page.locator("#slug-error")
    assert "already has the slug" in slug_error.inner_text()
    assert slug_error.get_by_role("link").get_attribute("href") == "/people/francois-chollet"
    assert page.get_attribute("#url", "aria-invalid") == "true"
    assert "url-error" in page.get_attribute("#url", "aria-describedby")
    screenshot(page, "admin-validation")


def test_edit_conflict_between_two_browsers(server, browser, screenshot) -> None:
    first = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    second = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        log_in(first, server.url, "ada")
        log_in(second, server.url, "eve")
        first.goto(server.url + "/admin/person/?q=synthetic-tester")
        first.get_by_role("link", name="Synthetic Tester Ångström").click()
        edit_url = first.url
        second.goto(edit_url)

        first.fill("#affiliation", "Changed in the first browser")
        first.get_by_role("button", name="Save changes").click()
        saved(first)

        second.fill("#affiliation", "Changed in the second browser")
        second.get_by_role("button", name="Save changes").click()
        assert "Edit conflict" in second.locator("h1").inner_text()
        differing = second.locator("tr.differs")
        assert differing.count() == 1
        assert "Affiliation" in differing.inner_text()
        assert "Changed in the first browser" in differing.inner_text()
        assert "Changed in the second browser" in differing.inner_text()
        screenshot(second, "admin-conflict")
        second.goto(edit_url)
        assert second.input_value("#affiliation") == "Changed in the first browser"
    finally:
        first.context.close()
        second.context.close()


def test_delete_with_confirmation_then_revert_from_history(server, page, screenshot) -> None:
    base = server.url
    log_in(page, base)
    page.goto(base + "/admin/claim/?q=synthetic")
    page.get_by_role("link", name="Delete…").first.click()
    assert "These go with it" in page.locator("main").inner_text()
    assert "Synthetic Tester Ångström supports" in page.locator("ul.deps").inner_text()
    screenshot(page, "admin-delete-confirm")
    page.get_by_role("button", name=re.compile(r"^Delete claim")).click()
    page.wait_for_url(re.compile(r"/admin/claim/$"))
    assert "Deleted the claim" in page.locator(".flash").inner_text()
    assert page.goto(base + "/claims/synthetic-claims-are-useful-for-browser-tests").status == 404

    # The stance went with the claim: revert the claim's deletion first, then the stance's.
    page.goto(base + "/admin/changes")
    claim_rev = page.locator("article.revision", has_text="claim #").filter(has_text="delete").first
    claim_rev.get_by_role("link", name=re.compile("Revert")).click()
    assert "Revert revision" in page.locator("h1").inner_text()  # a confirmation first
    page.get_by_role("button", name=re.compile("^Revert revision")).click()
    assert "Reverted revision" in page.locator(".flash").inner_text()
    assert page.goto(base + "/claims/synthetic-claims-are-useful-for-browser-tests").status == 200

    screenshot(page, "admin-changes")
    page.goto(base + "/admin/changes?entity=stance")
    stance_rev = page.locator("article.revision").filter(has_text="delete").first
    stance_rev.get_by_role("link", name=re.compile("Revert")).click()
    page.get_by_role("button", name=re.compile("^Revert revision")).click()
    assert "Reverted revision" in page.locator(".flash").inner_text()
    screenshot(page, "admin-history")
    page.goto(base + "/people/synthetic-tester-angstrom")
    assert "Synthetic claims are useful for browser tests." in page.locator("main").inner_text()


def test_admin_on_a_phone(server, phone_page, screenshot) -> None:
    log_in(phone_page, server.url)
    phone_page.goto(server.url + "/admin/stance/new")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the stance form scrolls sideways on a phone ({width}px)"
    screenshot(phone_page, "admin-stance-form-phone")
