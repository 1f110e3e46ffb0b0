"""/stand in real Chromium: a reader answers the form, submits it, and reads the result (the
closest and farthest people, the camps, the claims that decide it, themself on the map), at
1280x800 and on a 390x844 phone, on the seed and on the seed with 300 synthetic people
(tests.synthetic). Screenshots: stand-*.png. Then the bridging lists on the home page and the map."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.web.database import session_scope
from tests.browser.conftest import start_live_server
from tests.synthetic import generate

pytestmark = pytest.mark.browser


def _answer_and_submit(pg, base: str, answers: list[str]) -> None:
    pg.goto(base + "/stand")
    assert pg.locator("h1").inner_text() == "Where do I stand?"
    groups = pg.locator(".stand-claims fieldset")
    assert groups.count() == 10
    for k, answer in enumerate(answers):
        groups.nth(k).locator(f"input[value='{answer}']").check()
    pg.locator("button[type=submit]", has_text="See where I stand").click()
    pg.wait_for_load_state()


def _read_result(pg) -> dict:
    assert "/stand?" in pg.url and "c." not in pg.url  # the short, shareable address
    result = pg.locator(".stand-result")
    assert result.is_visible()
    share = pg.locator("#share-link").input_value()  # relative unless KB_BASE_URL is set
    assert pg.url.endswith(share)
    closest = pg.locator("#closest-h + ol.stand-people > li").count()
    farthest = pg.locator("#farthest-h + ol.stand-people > li").count()
    assert closest + farthest >= 1
    assert pg.locator(".stand-camps li").count() >= 1
    return {"closest": closest, "farthest": farthest}


STAR_CLEAR = """(sel) => {
  const svg = document.querySelector(sel);
  const box = e => { const r = e.getBoundingClientRect();
    return {text: e.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  return {you: [...svg.querySelectorAll('g.you circle, g.you rect')].map(box),
          labels: [...svg.querySelectorAll('text.lbl, text.camp-lbl')].map(box)};
}"""


def _star_clear(pg, selector: str) -> None:
    """No drawn name (person or camp) overlaps the reader's ring or "You" badge, as Chromium
    lays them out (getBoundingClientRect)."""
    got = pg.evaluate(STAR_CLEAR, selector)
    assert len(got["you"]) == 2 and got["labels"]
    for a in got["labels"]:
        for b in got["you"]:
            apart = (
                a["right"] <= b["left"]
                or b["right"] <= a["left"]
                or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"]
            )
            assert apart, (a["text"], b)


ANSWERS = ["agree", "disagree", "agree", "unsure", "disagree", "agree", "agree", "disagree"]


def test_stand_flow_on_the_seed(live_server, page, phone_page, screenshot) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    _answer_and_submit(page, live_server.url, ANSWERS)
    _read_result(page)
    assert page.locator(".map-wide svg g.you").is_visible()
    _star_clear(page, ".map-wide svg.opinion-map")
    assert page.locator(".deciding blockquote").count() >= 1
    href = page.locator(".deciding a.quotes-link").first.get_attribute("href")
    assert href and "#person-" in href
    screenshot(page, "stand-seed-1280")
    # the shared link opens the same result elsewhere, on a phone
    phone_page.goto(live_server.url + page.locator("#share-link").input_value())
    _read_result(phone_page)
    assert phone_page.locator(".map-narrow svg g.you").is_visible()
    _star_clear(phone_page, ".map-narrow svg.opinion-map")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(phone_page, "stand-seed-390")
    phone_page.goto(live_server.url + "/stand")
    screenshot(phone_page, "stand-seed-form-390")


def test_bridging_lists_on_home_and_map(live_server, page, screenshot) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    assert page.locator("#bridging-h").is_visible()
    page.locator("#bridging-h").scroll_into_view_if_needed()
    page.locator("section[aria-labelledby=bridging-h]").screenshot(
        path=str(_path("stand-bridging-home-1280"))
    )
    screenshot(page, "stand-bridging-home-full-1280")
    page.goto(live_server.url + "/graph")
    assert page.locator("section.uniting h2").inner_text() == "Claims that unite the camps"
    screenshot(page, "stand-bridging-map-1280")


def _path(name: str) -> Path:
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


@pytest.fixture(scope="module")
def synth_server(databases, tmp_path_factory):
    """The seed and 300 synthetic people, built here so the test needs no file from outside."""
    server = start_live_server(databases, tmp_path_factory.mktemp("stand-synth"))
    with server.app.app_context(), session_scope() as session:
        generate(session, people=300, claims=300, sources=300, quotes=3000, stances=6000)
    yield server
    server.stop()


def test_stand_flow_on_300_people(synth_server, page, phone_page, screenshot) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    _answer_and_submit(page, synth_server.url, ANSWERS + ["agree", "agree"])
    _read_result(page)
    assert page.locator(".map-wide svg g.you").is_visible()
    _star_clear(page, ".map-wide svg.opinion-map")
    screenshot(page, "stand-s300-1280")
    phone_page.goto(page.url)
    _read_result(phone_page)
    _star_clear(phone_page, ".map-narrow svg.opinion-map")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "stand-s300-390")
