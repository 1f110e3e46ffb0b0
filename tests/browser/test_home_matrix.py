"""The home page's stance matrix in Chromium, on the seed: all 28 people fit across a laptop
screen grouped by camp, the header row and the claim column stay put while the box scrolls, the
keyboard can skip the whole table and only meets the headers' links in it, a phone scrolls it
inside its box with a cue, and the picker is a plain GET form."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

# Deuteranopia (Machado et al. 2009, severity 1.0) as an SVG colour matrix over the whole page:
# what a reader without green-sensitive cones sees, for the screenshot a reviewer looks at.
DEUTERANOPIA = """() => {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('style', 'position:absolute;width:0;height:0');
  svg.innerHTML = '<filter id="deut"><feColorMatrix type="matrix" values="0.367 0.861 -0.228 0 0 '
    + '0.280 0.673 0.047 0 0 -0.012 0.043 0.969 0 0 0 0 0 1 0"/></filter>';
  document.body.appendChild(svg);
  document.documentElement.style.filter = 'url(#deut)';
}"""


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return box


def test_every_seed_person_fits_on_a_laptop_screen_grouped_by_camp(
    live_server, page, screenshot
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    data = page.request.get(live_server.url + "/index.json").json()["matrix"]
    wrap = page.locator(".matrix-wrap")
    assert page.locator("table.matrix thead th.person").count() == data["people_shown"] == 28
    # no sideways scrolling needed at 1280 px: every column is on screen at once
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    headers = page.locator("table.matrix thead tr.camps th")
    assert headers.count() == len(data["camps"]) >= 2
    assert headers.first.inner_text().startswith("Camp 1")
    # the full text of a claim is in its row header, readable
    first_claim = data["columns"][0]["text"]
    assert page.locator("th.claim a").first.inner_text() == first_claim
    screenshot(page, "home-matrix-desktop")

    # the header row stays at the top of the box while it scrolls down
    top = _box(wrap)["y"]
    wrap.evaluate("e => { e.scrollTop = 600; }")
    assert abs(_box(page.locator("table.matrix thead tr.people th").first)["y"] - top) < 120
    assert wrap.evaluate("e => e.scrollTop") > 0
    page.evaluate(DEUTERANOPIA)
    screenshot(page, "home-matrix-desktop-deuteranopia")


def test_the_keyboard_can_skip_the_table_and_meets_only_its_headers(live_server, page) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    data = page.request.get(live_server.url + "/index.json").json()["matrix"]
    # focusable in the table: the person and claim links, not one per cell (cells are still
    # links for the mouse and for screen readers' own navigation)
    focusable = page.locator(
        "table.matrix a[href]:not([tabindex='-1']), table.matrix [tabindex='0']"
    ).count()
    assert focusable == data["people_shown"] + data["claims_shown"]
    assert page.locator("table.matrix td.cell a[tabindex='-1']").count() > 50
    skip = page.locator("a.skip-table")
    skip.focus()
    assert skip.is_visible() and skip.inner_text() == "Skip the table"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#after-matrix$"))
    page.keyboard.press("Tab")
    inside = page.evaluate("!!document.activeElement.closest('.matrix-wrap')")
    assert not inside, "after the skip, Tab goes on past the table"


def test_on_a_phone_the_matrix_scrolls_in_its_box_with_its_headers_fixed(
    live_server, phone_page, screenshot
) -> None:
    phone_page.goto(live_server.url + "/")
    widths = phone_page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], "the page itself never scrolls sideways"
    wrap = phone_page.locator(".matrix-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    assert phone_page.locator(".scroll-cue").is_visible()
    wrap.scroll_into_view_if_needed()
    screenshot(phone_page, "home-matrix-phone")
    claim = phone_page.locator("th.claim").first
    left = _box(claim)["x"]
    wrap.evaluate("e => { e.scrollLeft = 400; }")
    assert wrap.evaluate("e => e.scrollLeft") > 0
    assert abs(_box(claim)["x"] - left) < 2, "the claim column stays while the people scroll"
    # the claim text wraps inside its column rather than being cut
    assert _box(claim)["width"] < 200
    phone_page.evaluate(
        "() => { const e = document.querySelector('.matrix-wrap');"
        " window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY); }"
    )
    screenshot(phone_page, "home-matrix-phone-scrolled")


def test_the_picker_is_a_plain_form(live_server, page, screenshot) -> None:
    page.goto(live_server.url + "/")
    page.locator("summary", has_text="Choose people and a topic").click()
    page.locator("#m-people").fill("yann-lecun, elon-musk")
    page.locator("#m-topic").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"people=yann-lecun"))
    assert page.locator("table.matrix thead th.person").count() == 2
    assert "The 2 people you picked" in page.locator("p.matrix-scope").inner_text()
    assert page.locator("table.matrix tr.topic").count() == 1
    screenshot(page, "home-matrix-picked")
