"""/graph's opinion map in real Chromium, at 1280x800 and on a 390x844 phone: every drawn label
(person names and camp names) is measured with getBoundingClientRect(), and none may overlap
another or stick out of the picture; marks are links reachable by keyboard with a visible
focus ring; the table under the map lists everyone. Screenshots: graph-map-*.png."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

MEASURE = """(sel) => {
  const svg = document.querySelector(sel);
  const s = svg.getBoundingClientRect();
  const labels = [...svg.querySelectorAll('text.lbl, text.camp-lbl')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom,
            height: r.height, cls: t.getAttribute('class')};
  });
  return {svg: {left: s.left, top: s.top, right: s.right, bottom: s.bottom, width: s.width},
          labels: labels};
}"""


def _check_labels(page, selector: str, most_people: int) -> list[dict]:
    """Every drawn label inside the picture, none overlapping another; returns them."""
    got = page.evaluate(MEASURE, selector)
    box, drawn = got["svg"], got["labels"]
    people = [d for d in drawn if d["cls"] == "lbl"]
    assert 1 <= len(people) <= most_people
    for d in drawn:
        assert d["left"] >= box["left"] - 0.5 and d["right"] <= box["right"] + 0.5, d
        assert d["top"] >= box["top"] - 0.5 and d["bottom"] <= box["bottom"] + 0.5, d
    for k, a in enumerate(drawn):
        for b in drawn[k + 1 :]:
            apart = (
                a["right"] <= b["left"]
                or b["right"] <= a["left"]
                or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"]
            )
            assert apart, (a["text"], b["text"])
    return drawn


def test_map_labels_never_overlap_at_1280(live_server, page, screenshot) -> None:
    data = page.request.get(live_server.url + "/graph.json").json()["map"]
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/graph")
    svg = page.locator(".map-wide svg.opinion-map")
    assert svg.is_visible() and not page.locator(".map-narrow svg").is_visible()
    drawn = _check_labels(page, ".map-wide svg.opinion-map", 12)
    names = {d["text"] for d in drawn if d["cls"] == "lbl"}
    assert names == {p["name"] for p in data["people"] if p["labelled"]}
    assert any(d["cls"] == "camp-lbl" for d in drawn)
    # every person is a mark with a link and a title
    marks = svg.locator("a.pt")
    assert marks.count() == len(data["people"])
    assert svg.locator("a.pt > title").count() == len(data["people"])
    # the claims that divide the camps sit beside the map, the table below it
    assert page.locator("section.dividing li").count() == len(data["dividing"]) >= 1
    page.locator("details.map-table summary").click()
    assert page.locator("details.map-table tbody tr").count() == len(data["people"])
    page.locator("details.map-table summary").click()
    screenshot(page, "graph-map-wide")


def test_map_marks_are_reachable_by_keyboard_with_a_focus_ring(live_server, page) -> None:
    page.goto(live_server.url + "/graph")
    page.locator("nav.map-views a").first.focus()
    for _ in range(40):  # past the filter form to the first mark
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.map-wide a.pt')"):
            break
    else:
        pytest.fail("no map mark took the keyboard focus")
    ring = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('.mark')).strokeWidth"
    )
    assert ring == "3.5px"
    href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{href}")


def test_map_on_a_phone_fits_and_keeps_text_readable(live_server, phone_page, screenshot) -> None:
    phone_page.goto(live_server.url + "/graph")
    svg = phone_page.locator(".map-narrow svg.opinion-map")
    assert svg.is_visible() and not phone_page.locator(".map-wide svg").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    drawn = _check_labels(phone_page, ".map-narrow svg.opinion-map", 6)
    # text drawn at least about 12px high on the screen (not shrunk to a thumbnail)
    assert min(d["height"] for d in drawn) >= 12
    box = svg.bounding_box()
    assert box and 300 <= box["width"] <= 390
    screenshot(phone_page, "graph-map-phone")
