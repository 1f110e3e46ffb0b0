"""/estimates in headless Chromium: reached from the navigation, sorted by a click, and the quote
behind an estimate one click away. The estimate is synthetic ("Synthetic Forecaster")."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance

pytestmark = pytest.mark.browser


def test_estimates_page_from_the_navigation_to_the_quote(live_server, page, screenshot) -> None:
    with live_server.app.app_context(), session_scope() as s:
        person = make_person(s, name="Synthetic Forecaster")
        source = make_source(s, published_on=dt.date(2024, 12, 26), date_precision="day")
        quote = make_quote(s, person, source=source, text="Synthetic words, ten to twenty.")
        make_stance(
            s,
            person,
            make_claim(s, text="A synthetic claim."),
            evidence=[quote],
            probability=0.1,
            probability_high=0.2,
            horizon="the next 30 years",
            estimate_of="a synthetic outcome",
            estimate_quote=quote,
        )
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Estimates", exact=True).click()
    page.get_by_role("link", name="person").click()
    assert "sort=person" in page.url
    row = page.locator("table.estimates tr", has_text="Synthetic Forecaster")
    assert "10–20% chance of a synthetic outcome" in row.inner_text()
    screenshot(page, "estimates")
    row.get_by_role("link", name="read the quote").click()
    page.wait_for_url("**/people/**")
    expect(page.get_by_text("Synthetic words, ten to twenty.")).to_be_visible()
