"""The "Cite this page" box in real Chromium: collapsed and quiet by default, opened by its
summary with no JavaScript, readable and within the screen at 1280x800 and on a 390x844 phone.
Screenshots: test-artifacts/screenshots/cite-*.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

PAGES = {
    "person": "/people/yoshua-bengio",
    "claim": "/claims/ai-existential-risk",
    "source": "/sources/chollet-limits",
}
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(params=list(SIZES))
def sized(request, browser):
    """A page at one of the two sizes, with JavaScript off: the box must not need it."""
    width, height = SIZES[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=request.param == "phone",
        java_script_enabled=False,
    )
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield request.param, pg
    context.close()


def _shoot(locator, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("kind", list(PAGES))
def test_the_box_is_collapsed_then_opens_without_javascript(live_server, sized, kind) -> None:
    size, pg = sized
    pg.goto(live_server.url + PAGES[kind])
    box = pg.locator("details.cite")
    assert box.count() == 1
    assert box.get_attribute("open") is None
    assert not pg.locator("details.cite textarea").first.is_visible()
    box.scroll_into_view_if_needed()
    _shoot(box, f"cite-{kind}-closed-{size}")
    assert box.bounding_box()["height"] < 80  # one calm line while closed

    box.locator("summary").first.click()
    assert box.get_attribute("open") is not None
    apa = pg.locator("#cite-page-apa")
    assert apa.is_visible() and apa.get_attribute("readonly") is not None
    assert "In kb." in apa.input_value()
    width = SIZES[size][0]
    for area in pg.locator("details.cite textarea:visible").all():
        b = area.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= width
    assert pg.evaluate("document.documentElement.scrollWidth") <= width
    _shoot(box, f"cite-{kind}-open-{size}")


def test_the_source_box_cites_the_original_and_each_quote(live_server, sized) -> None:
    size, pg = sized
    pg.goto(live_server.url + PAGES["source"])
    box = pg.locator("details.cite")
    box.locator("summary").first.click()
    assert "The original source" in box.inner_text()
    more = box.locator("details.cite-more")
    assert more.count() >= 2  # the original's styles and each quote's, each collapsed
    more.first.locator("summary").click()
    assert pg.locator("#cite-original-mla").input_value().startswith("Chollet, François.")
    quote_link = box.locator("ul.cite-quotes a[href^='#quote-']").first
    target = quote_link.get_attribute("href")
    assert pg.locator(target).count() == 1
    assert pg.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    _shoot(box, f"cite-source-original-{size}")
