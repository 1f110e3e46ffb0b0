"""/agreement and /compare in real Chromium at the size of the real debate: the seed's matrix fits
a 1280 px window, a bigger one scrolls inside its own box with the names stuck in view, cells
show a visible focus, and /compare groups many cruxes into counted, collapsible lists.

Screenshots (agreement-*.png, compare-*.png) are saved at 1280x800 and 390x844, on the seed and
on the seed plus ~60 synthetic people, for a human to look at."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kb.web.database import session_scope
from tests.browser.conftest import SCREENSHOTS, LiveServer, start_live_server
from tests.synthetic import generate

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def big_server(databases, tmp_path_factory) -> Iterator[LiveServer]:
    """The seed plus 60 synthetic people with many stances each (many cruxes per pair)."""
    server = start_live_server(databases, tmp_path_factory.mktemp("big"))
    with server.app.app_context(), session_scope() as session:
        generate(session, people=60, claims=80, quotes=900, stances=3000)
    yield server
    server.stop()


@pytest.fixture
def sized(browser):
    """A page at a given viewport (the shared fixtures are 1280x900 and a phone)."""
    contexts = []

    def make(viewport: dict[str, int], mobile: bool = False):
        context = browser.new_context(viewport=viewport, is_mobile=mobile)
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(15000)
        return pg

    yield make
    for context in contexts:
        context.close()


def _window_shot(page, name: str) -> None:
    """What the window shows (the screenshot fixture takes the whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _box(page, selector: str) -> dict[str, float]:
    return page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return {x: r.x, y: r.y, right: r.right, bottom: r.bottom}; }",
        selector,
    )


def test_seed_matrix_fits_1280_without_the_page_scrolling_sideways(
    live_server, sized, screenshot
) -> None:
    page = sized(WIDE)
    page.goto(live_server.url + "/agreement")
    n = len(page.request.get(live_server.url + "/agreement.json").json()["people"])
    assert n >= 28
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    wrap = page.locator(".heat-wrap")
    # the whole table is as wide as its box: no sideways scrolling at the seed's size
    screenshot(page, "agreement-seed-1280")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    assert page.locator("table.heat td a").count() == n * (n - 1)


def test_names_stay_in_view_when_the_box_scrolls(big_server, sized, screenshot) -> None:
    page = sized(WIDE)
    page.goto(big_server.url + "/agreement?limit=60")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    wrap = page.locator(".heat-wrap")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth && w.scrollHeight > w.clientHeight")
    wrap.scroll_into_view_if_needed()
    before = _box(page, ".heat-wrap")
    wrap.evaluate("w => { w.scrollLeft = 900; w.scrollTop = 700; }")
    assert wrap.evaluate("w => w.scrollLeft > 0 && w.scrollTop > 0")
    head = _box(page, "table.heat thead th:nth-child(40)")
    name = _box(page, "table.heat tbody tr:nth-child(20) th[scope=row]")
    # the header row stays at the top of the box, the name column at its left edge
    assert abs(head["y"] - before["y"]) <= 2
    assert abs(name["x"] - before["x"]) <= 2
    screenshot(page, "agreement-synthetic-1280-scrolled")
    page.locator("table.heat td a").nth(70).focus()
    _window_shot(page, "agreement-synthetic-1280-focus")
    page.goto(big_server.url + "/agreement")
    screenshot(page, "agreement-synthetic-1280")


def test_on_a_phone_the_box_scrolls_and_the_names_stick(big_server, sized, screenshot) -> None:
    for server, name in ((big_server, "synthetic"),):
        page = sized(PHONE, mobile=True)
        page.goto(server.url + "/agreement")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        wrap = page.locator(".heat-wrap")
        box = _box(page, ".heat-wrap")
        assert box["right"] <= 390
        wrap.evaluate("w => { w.scrollLeft = 400; }")
        row_head = _box(page, "table.heat tbody tr:nth-child(3) th[scope=row]")
        assert abs(row_head["x"] - box["x"]) <= 2
        screenshot(page, f"agreement-{name}-phone")


def test_seed_on_a_phone(live_server, sized, screenshot) -> None:
    page = sized(PHONE, mobile=True)
    page.goto(live_server.url + "/agreement")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    screenshot(page, "agreement-seed-phone")


def test_cells_show_focus_and_a_skip_link_passes_the_table(live_server, sized) -> None:
    page = sized(WIDE)
    page.goto(live_server.url + "/agreement")
    skip = page.locator("a.skip-past")
    skip.focus()
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "after-heat"
    cell = page.locator("table.heat td a").first
    cell.focus()
    outline = cell.evaluate("a => getComputedStyle(a).outlineStyle")
    assert outline == "solid"
    # the counts appear beside the focused cell
    counts = cell.locator("i")
    assert counts.bounding_box()["width"] > 20


def test_compare_with_many_cruxes_groups_and_collapses(big_server, sized, screenshot) -> None:
    page = sized(WIDE)
    pairs = page.request.get(big_server.url + "/agreement.json?limit=20").json()["pairs"]
    pair = max(pairs, key=lambda p: (p["disagreements"], p["shared"]))
    path = f"/compare/{pair['a']}/{pair['b']}"
    data = page.request.get(big_server.url + path + ".json").json()
    assert data["disagreements"] > 10  # enough for the long list to collapse
    page.goto(big_server.url + path)
    cruxes = page.locator("#cruxes-h")
    assert str(data["disagreements"]) in cruxes.inner_text()
    assert str(data["agreements"]) in page.locator("#agree-h").inner_text()
    shown = page.locator("section.cruxes li.shared-claim")
    assert shown.count() == len(data["cruxes"])
    # the long tail starts closed, its summary says how many it holds
    more = page.locator("section.cruxes details.more")
    assert more.count() == 1 and not more.evaluate("d => d.open")
    hidden = more.locator("li.shared-claim").count()
    assert str(hidden) in more.locator("xpath=summary").inner_text()
    # quotes are one click away
    first = shown.first
    assert not first.locator("blockquote").first.is_visible()
    first.locator("details.said summary").click()
    assert first.locator("blockquote").first.is_visible()
    screenshot(page, "compare-synthetic-1280")
    page.locator("#cruxes-h").scroll_into_view_if_needed()
    _window_shot(page, "compare-synthetic-1280-window")
    phone = sized(PHONE, mobile=True)
    phone.goto(big_server.url + path)
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    screenshot(phone, "compare-synthetic-phone")
    phone.locator("#cruxes-h").scroll_into_view_if_needed()
    _window_shot(phone, "compare-synthetic-phone-window")


def test_compare_on_the_seed(live_server, sized, screenshot) -> None:
    path = "/compare/francois-chollet/stephen-hawking"
    page = sized(WIDE)
    page.goto(live_server.url + path)
    screenshot(page, "compare-seed-1280")
    phone = sized(PHONE, mobile=True)
    phone.goto(live_server.url + path)
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    screenshot(phone, "compare-seed-phone")
    phone.goto(live_server.url + "/compare?a=elon")
    screenshot(phone, "compare-choose-phone")


def test_with_scripts_a_cell_lights_its_names_and_says_whose_pair(live_server, sized) -> None:
    page = sized(WIDE)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/agreement")
    cell = page.locator('table.heat td a[href="/compare/elon-musk/martin-rees"]')
    cell.hover()
    row = page.locator("table.heat th.lit[scope=row]")
    col = page.locator("table.heat thead th.lit")
    assert row.inner_text() == "Elon Musk" and col.get_attribute("title") == "Martin Rees"
    assert cell.locator("i").get_attribute("data-pair") == "Elon Musk and Martin Rees"
    assert not errors  # the script runs under the site's content security policy
