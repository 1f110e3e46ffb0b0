"""/graph, /agreement and /compare in real Chromium: the pictures render, links lead on,
filters work without JavaScript, and the screenshots are saved for a human to look at."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _json(page, url: str):
    """A page's JSON twin, fetched by the browser (expectations follow the data)."""
    return page.request.get(url).json()


def test_graph_page_draws_the_viewpoint_graph_and_filters(live_server, page, screenshot) -> None:
    """The stance graph (?view=stances; /graph's default is the opinion map, whose browser
    test is test_opinion_map.py)."""
    data = _json(page, live_server.url + "/graph.json")
    kinds = [n["kind"] for n in data["nodes"]]
    camp_of = {m["slug"]: c["number"] for c in data["camps"] for m in c["members"]}
    names = {m["slug"]: m["name"] for c in data["camps"] for m in c["members"]}
    page.goto(live_server.url + "/graph?view=stances")
    svg = page.locator("svg.kb-graph")
    assert svg.count() == 1
    # people are circles, claims squares, every node a link
    assert svg.locator("a.node.person circle").count() == kinds.count("person") > 4
    assert svg.locator("a.node.claim rect").count() == kinds.count("claim")
    box = svg.bounding_box()
    assert box and box["width"] > 600
    # Chollet is drawn nearer his own camp than Musk's (the fault line)
    xy = {}
    for slug in camp_of:
        node = svg.locator(f'a.node.person[href="/people/{slug}"]').locator("circle")
        b = node.bounding_box()
        xy[slug] = (b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)

    def mean_distance(slug: str, camp: int) -> float:
        others = [o for o in camp_of if camp_of[o] == camp and o != slug]
        d = [((xy[slug][0] - xy[o][0]) ** 2 + (xy[slug][1] - xy[o][1]) ** 2) ** 0.5 for o in others]
        return sum(d) / len(d)

    own, other = camp_of["francois-chollet"], camp_of["elon-musk"]
    assert own != other
    assert mean_distance("francois-chollet", own) < mean_distance("francois-chollet", other)
    screenshot(page, "graph")
    # filter by Chollet's camp with the GET form (no JavaScript involved)
    page.select_option("#f-camp", str(own))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**/graph?*camp={own}*")
    members = {slug for slug, camp in camp_of.items() if camp == own}
    shown = svg.locator("a.node.person")
    assert shown.count() == len(members)
    assert "François Chollet" in " ".join(shown.all_text_contents())
    screenshot(page, f"graph-camp-{own}")
    # a node is a link to its page
    first = shown.first.get_attribute("href")
    assert first and first.removeprefix("/people/") in members
    shown.first.click()
    page.wait_for_url(f"**{first}")
    assert names[first.removeprefix("/people/")] in page.locator("h1").inner_text()


def test_graph_page_on_a_phone(live_server, phone_page, screenshot) -> None:
    phone_page.goto(live_server.url + "/graph?topic=ai-risk")
    assert phone_page.locator("svg.kb-graph a.node").count() > 0
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 400
    screenshot(phone_page, "graph-phone")


def test_agreement_heat_map_links_to_compare(live_server, page, screenshot) -> None:
    data = _json(page, live_server.url + "/agreement.json")
    page.goto(live_server.url + "/agreement")
    heads = page.locator("table.heat tbody th[scope=row]").all_inner_texts()
    assert len(heads) == len(data["people"])
    # ordered camp by camp, as the JSON twin lists them
    assert all(p["name"] in h for h, p in zip(heads, data["people"], strict=True))
    pair = next(p for p in data["pairs"] if {p["a"], p["b"]} == {"francois-chollet", "elon-musk"})
    cell = page.locator(
        'table.heat td a[href="/compare/francois-chollet/elon-musk"], '
        'table.heat td a[href="/compare/elon-musk/francois-chollet"]'
    ).first
    counts = f"{pair['agreements']}✓ {pair['disagreements']}✗ /{pair['shared']}"
    assert counts in cell.inner_text() and "−1.00" in cell.inner_text()
    screenshot(page, "agreement")
    cell.click()
    page.wait_for_url("**/compare/**")
    assert page.locator("h1").inner_text() in (
        "François Chollet and Elon Musk",
        "Elon Musk and François Chollet",
    )


def test_compare_shows_cruxes_with_both_sides_quotes(live_server, page, screenshot) -> None:
    path = "/compare/francois-chollet/stephen-hawking"
    data = _json(page, live_server.url + path + ".json")
    page.goto(live_server.url + path)
    cruxes = page.locator("#cruxes > li")
    assert cruxes.count() == len(data["cruxes"]) >= 1
    first = cruxes.first
    # both sides' quotes under each crux
    assert first.locator(".sides-2 > div").nth(0).locator("blockquote").count() >= 1
    assert first.locator(".sides-2 > div").nth(1).locator("blockquote").count() >= 1
    assert page.locator("#agreements > li").count() == data["agreements"]
    screenshot(page, "compare")


def test_person_page_shows_agreement_panels_and_ego_graph(live_server, page, screenshot) -> None:
    data = _json(page, live_server.url + "/agreement.json")
    pair = next(p for p in data["pairs"] if {p["a"], p["b"]} == {"elon-musk", "stephen-hawking"})
    page.goto(live_server.url + "/people/elon-musk")
    panel = page.locator("section.graph-panel").first
    assert "Stephen Hawking" in panel.inner_text()
    words = (
        f"agree on {pair['agreements']}, disagree on {pair['disagreements']} of {pair['shared']}"
    )
    assert words in panel.inner_text()
    assert page.locator("section.graph-panel svg.kb-graph a.node").count() > 3
    screenshot(page, "person-graph-panels")


def test_claim_page_shows_its_neighbourhood(live_server, page, screenshot) -> None:
    # the page lists the first few of each side; its counts are of everyone with a stance on it
    holders = _json(page, live_server.url + "/claims/ai-existential-risk.json")["counts"]["total"]
    page.goto(live_server.url + "/claims/ai-existential-risk")
    ego = page.locator("section.graph-panel svg.kb-graph")
    assert ego.locator("a.node.person").count() == holders  # everyone with a stance on it
    assert ego.locator("line.rel-supports").count() >= 1
    ego.scroll_into_view_if_needed()
    screenshot(page, "claim-graph-panels")
    ego.locator("a.node.person", has_text="Elon Musk").click()
    page.wait_for_url("**/people/elon-musk")


def test_agreement_on_a_phone(live_server, phone_page, screenshot) -> None:
    n = len(_json(phone_page, live_server.url + "/agreement.json")["people"])
    phone_page.goto(live_server.url + "/agreement")
    assert phone_page.locator("table.heat td a").count() == n * (n - 1)
    # the page itself does not scroll sideways; the table scrolls inside its region
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    screenshot(phone_page, "agreement-phone")
