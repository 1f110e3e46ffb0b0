"""The browser harness itself: Chromium opens kb's home page and sees the seed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_home_page_renders_in_chromium(live_server, page, screenshot) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("h1").first.inner_text()
    assert page.get_by_text("François Chollet").count() >= 1
    assert screenshot(page, "home").stat().st_size > 1000
