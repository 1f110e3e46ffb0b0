"""The site header and keyboard focus, in real Chromium.

At 1280 px the brand, every link and the search box sit on one line; at 390 px the links fold
into a "Menu" (a <details>, so it opens without JavaScript) and the search box stays on show.
Whatever has keyboard focus wears a visible outline in the accent colour (static/focus.css).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

NAV_LINKS = {
    "People": "/people",
    "Claims": "/claims",
    "Sources": "/sources",
    "Topics": "/topics",
    "Estimates": "/estimates",
    "Statements": "/statements",
    "Graph": "/graph",
    "Agreement": "/agreement",
    "Export": "/export/",
    "Admin": "/admin/",
}

ACCENT = "rgb(31, 95, 191)"  # --accent in static/kb.css

BOXES_JS = """
sel => [...document.querySelectorAll(sel)].map(e => { const r = e.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })
"""


def _viewport_shot(page, name: str) -> None:
    """The first screenful only (the header is what is judged), beside the full-page shots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _links(page) -> dict[str, str]:
    nav = page.get_by_role("navigation", name="Main")
    return {
        name: nav.get_by_role("link", name=name, exact=True).get_attribute("href")
        for name in NAV_LINKS
    }


def test_header_is_one_line_at_1280_with_every_link_and_the_search(live_server, page) -> None:
    page.goto(live_server.url + "/claims")
    assert _links(page) == NAV_LINKS
    assert page.get_by_text("Menu", exact=True).is_hidden()
    header = page.locator("header.site").bounding_box()
    assert header is not None and header["height"] < 70, header
    # brand, each link, the search box and its button share one line, left of the page's edge
    boxes = page.evaluate(BOXES_JS, "header .brand, header ul.nav a, #nav-q, .nav-search button")
    middles = {round((b["top"] + b["bottom"]) / 2 / 8) for b in boxes}
    assert len(middles) == 1, boxes
    assert max(b["right"] for b in boxes) <= 1280
    current = page.locator("header a[aria-current='page']")
    assert current.count() == 1 and current.inner_text() == "Claims"
    _viewport_shot(page, "a11y-header-1280")


def test_header_on_a_phone_folds_links_into_a_menu_that_needs_no_script(
    live_server, phone_page
) -> None:
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.locator("script:not([type='application/ld+json'])").count() == 0
    assert page.locator("#nav-q").is_visible()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="People", exact=True).is_hidden()
    header = page.locator("header.site").bounding_box()
    assert header is not None and header["height"] < 120, header
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _viewport_shot(page, "a11y-header-390")

    page.get_by_text("Menu", exact=True).click()
    assert _links(page) == NAV_LINKS
    panel = page.locator(".nav-links").bounding_box()
    assert panel is not None and panel["x"] >= 0 and panel["x"] + panel["width"] <= 390
    _viewport_shot(page, "a11y-header-390-menu")
    nav.get_by_role("link", name="Topics", exact=True).click()
    page.wait_for_url(re.compile(r"/topics$"))
    assert page.get_by_role("link", name="Topics", exact=True).is_hidden()  # closed again


def test_the_search_box_still_sends_get_search_q(live_server, page) -> None:
    page.goto(live_server.url + "/people")
    page.get_by_label("Search kb").fill("superintelligence")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search\?q=superintelligence$"))
    assert page.get_by_label("Search kb").input_value() == "superintelligence"


def _focus_ring(page) -> dict[str, str]:
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return {tag: document.activeElement.tagName, style: s.outlineStyle,
                           width: s.outlineWidth, color: s.outlineColor}; }"""
    )


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_keyboard_focus_is_outlined_in_the_accent_colour(
    live_server, page, phone_page, phone
) -> None:
    pg = phone_page if phone else page
    pg.goto(live_server.url + "/claims")
    seen = set()
    for _ in range(6):  # skip link, brand, (Menu,) links..., the search box and its button
        pg.keyboard.press("Tab")
        ring = _focus_ring(pg)
        seen.add(ring["tag"])
        assert ring["style"] == "solid" and ring["width"] == "3px", ring
        assert ring["color"] == ACCENT, ring
    assert "A" in seen
    pg.locator("#nav-q").focus()
    pg.keyboard.press("Tab")  # to the Search button, an accent-filled button
    ring = _focus_ring(pg)
    assert ring["tag"] == "BUTTON" and ring["style"] == "solid" and ring["color"] == ACCENT
    _viewport_shot(pg, "a11y-focus-" + ("390" if phone else "1280"))
