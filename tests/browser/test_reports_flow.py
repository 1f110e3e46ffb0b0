"""A reader reports a problem with a quote in headless Chromium, without JavaScript's help
(the form is plain HTML), and an editor finds it in the queue; screenshots of the form and the
queue at 1280 and 390 pixels wide."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kb import models as m
from kb.web import auth
from kb.web.database import session_scope

pytestmark = pytest.mark.browser

PASSWORD = "browser test password"


@pytest.fixture(scope="module")
def server(live_server):
    with live_server.app.app_context(), session_scope() as session:
        auth.create_user(session, "rita", "editor", PASSWORD)
    return live_server


def _first_quote(server) -> int:
    with server.app.app_context(), session_scope() as session:
        return session.scalar(select(m.Quote.id).order_by(m.Quote.id).limit(1))


def _report_and_triage(server, page, screenshot, width: str) -> None:
    base, quote_id = server.url, _first_quote(server)
    page.goto(f"{base}/quotes/{quote_id}")
    page.get_by_role("link", name=re.compile("^Report a problem")).first.click()
    page.wait_for_url(re.compile(rf"/report/quote/{quote_id}$"))
    trap = page.locator(".trap").bounding_box()
    assert trap is not None and trap["x"] + trap["width"] < 0  # the trap is off the screen
    page.get_by_label("Wrong date").check()
    page.fill("#explanation", f"Synthetic browser test ({width}): the talk was a year later.")
    page.fill("#evidence_url", "https://example.org/programme")
    screenshot(page, f"report-form-{width}")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(re.compile(r"/sent$"))
    assert "the report was sent" in page.locator("h1").inner_text()
    page.goto(base + "/login")
    page.fill("#username", "rita")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(base + "/admin/reports")
    assert "wrong date" in page.locator("table.records").inner_text()
    screenshot(page, f"report-queue-{width}")
    width_px = page.evaluate("document.documentElement.scrollWidth")
    assert width_px <= page.viewport_size["width"] + 1, "the queue scrolls sideways"


def test_report_a_problem_and_find_it_in_the_queue_desktop(server, page, screenshot) -> None:
    _report_and_triage(server, page, screenshot, "1280")
    # the editor accepts it: the quote is disputed on its page until a revision fixes it
    page.locator("table.records a", has_text="wrong date").first.click()
    page.select_option("#status", "accepted")
    page.fill("#resolution", "Synthetic: the date is being checked against the programme.")
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_url(re.compile(r"/admin/reports\?status=accepted$"))
    page.goto(f"{server.url}/quotes/{_first_quote(server)}")
    assert "disputed" in page.locator("figure.quote").inner_text().lower()
    assert "being checked against the programme" in page.locator("ul.reports").inner_text()
    screenshot(page, "quote-disputed-1280")


def test_report_a_problem_and_find_it_in_the_queue_phone(server, phone_page, screenshot) -> None:
    _report_and_triage(server, phone_page, screenshot, "390")
