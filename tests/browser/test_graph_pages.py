"""/graph, /agreement and /compare in real Chromium: the pictures render, links lead on,
filters work without JavaScript, and the screenshots are saved for a human to look at."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_graph_page_draws_the_viewpoint_graph_and_filters(live_server, page, screenshot) -> None:
    page.goto(live_server.url + "/graph")
    svg = page.locator("svg.kb-graph")
    assert svg.count() == 1
    # people are circles, claims squares, every node a link
    assert svg.locator("a.node.person circle").count() == 4
    assert svg.locator("a.node.claim rect").count() == 16
    box = svg.bounding_box()
    assert box and box["width"] > 600
    # Chollet is drawn apart from the other three (the fault line)
    xy = {}
    for name in ("François Chollet", "Elon Musk", "Stephen Hawking", "Martin Rees"):
        node = svg.locator("a.node.person", has_text=name).locator("circle")
        b = node.bounding_box()
        xy[name] = (b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)

    def dist(a: str, b: str) -> float:
        return ((xy[a][0] - xy[b][0]) ** 2 + (xy[a][1] - xy[b][1]) ** 2) ** 0.5

    others = ("Elon Musk", "Stephen Hawking", "Martin Rees")
    assert min(dist("François Chollet", o) for o in others) > max(
        dist(a, b) for a in others for b in others if a < b
    )
    screenshot(page, "graph")
    # filter by camp with the GET form (no JavaScript involved)
    page.select_option("#f-camp", "2")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/graph?*camp=2*")
    assert svg.locator("a.node.person").count() == 1
    assert "François Chollet" in svg.locator("a.node.person").text_content()
    screenshot(page, "graph-camp-2")
    # a node is a link to its page
    svg.locator("a.node.person").first.click()
    page.wait_for_url("**/people/francois-chollet")


def test_graph_page_on_a_phone(live_server, phone_page, screenshot) -> None:
    phone_page.goto(live_server.url + "/graph?topic=ai-risk")
    assert phone_page.locator("svg.kb-graph a.node").count() > 0
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 400
    screenshot(phone_page, "graph-phone")


def test_agreement_heat_map_links_to_compare(live_server, page, screenshot) -> None:
    page.goto(live_server.url + "/agreement")
    heads = page.locator("table.heat tbody th[scope=row]").all_inner_texts()
    assert len(heads) == 4
    # ordered by camp: Chollet's camp (2) comes after the other three
    assert "François Chollet" in heads[-1]
    cell = page.locator("table.heat td a", has_text="−1.00").first
    assert "0✓ 3✗ /3" in cell.inner_text()
    screenshot(page, "agreement")
    cell.click()
    page.wait_for_url("**/compare/**")
    assert page.locator("h1").inner_text() in (
        "François Chollet and Elon Musk",
        "Elon Musk and François Chollet",
    )


def test_compare_shows_cruxes_with_both_sides_quotes(live_server, page, screenshot) -> None:
    page.goto(live_server.url + "/compare/francois-chollet/stephen-hawking")
    cruxes = page.locator("#cruxes > li")
    assert cruxes.count() == 3
    first = cruxes.first
    # both sides' quotes under each crux
    assert first.locator(".sides-2 > div").nth(0).locator("blockquote").count() >= 1
    assert first.locator(".sides-2 > div").nth(1).locator("blockquote").count() >= 1
    assert page.locator("#agreements > li").count() == 2
    screenshot(page, "compare")


def test_person_page_shows_agreement_panels_and_ego_graph(live_server, page, screenshot) -> None:
    page.goto(live_server.url + "/people/elon-musk")
    panel = page.locator("section.graph-panel").first
    assert "Stephen Hawking" in panel.inner_text()
    assert "agree on 5, disagree on 0 of 5 shared" in panel.inner_text()
    assert page.locator("section.graph-panel svg.kb-graph a.node").count() > 3
    screenshot(page, "person-graph-panels")


def test_claim_page_shows_its_neighbourhood(live_server, page, screenshot) -> None:
    page.goto(live_server.url + "/claims/ai-existential-risk")
    ego = page.locator("section.graph-panel svg.kb-graph")
    assert ego.locator("a.node.person").count() == 4  # everyone holds a stance on it
    assert ego.locator("line.rel-supports").count() >= 1
    ego.scroll_into_view_if_needed()
    screenshot(page, "claim-graph-panels")
    ego.locator("a.node.person", has_text="Elon Musk").click()
    page.wait_for_url("**/people/elon-musk")


def test_agreement_on_a_phone(live_server, phone_page, screenshot) -> None:
    phone_page.goto(live_server.url + "/agreement")
    assert phone_page.locator("table.heat td a").count() == 12
    # the page itself does not scroll sideways; the table scrolls inside its region
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    screenshot(phone_page, "agreement-phone")
