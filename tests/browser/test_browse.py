"""A reader's path through kb in real headless Chromium, with a screenshot of every page:
overview -> a person -> one of their claims -> the source of a quote -> a search; then the
filters and pagination of the lists, clicked through; and the overview on a phone."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


CONTRAST_JS = """
els => {
  const parse = s => { const m = s.match(/rgba?\\(([^)]+)\\)/); const p = m[1].split(',').map(Number);
                       return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = e => { for (; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
                            if (c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
  return els.filter(e => e.offsetParent !== null && e.innerText && e.innerText.trim()
                         && !e.closest('.visually-hidden'))
    .map(e => { const a = lum(parse(getComputedStyle(e).color)), b = lum(background(e));
                return [(Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), e.tagName + '.' + e.className,
                        e.innerText.trim().slice(0, 40)]; })
    .filter(r => r[0] < 4.5);
}
"""


def _accessible_basics(page) -> None:
    """Landmarks, one h1, headings never skipping a level, labelled controls, a skip link."""
    assert page.locator("header.site").count() == 1
    assert page.locator("main#main").count() == 1
    assert page.locator("footer.site").count() == 1
    assert page.locator("nav[aria-label='Main']").count() == 1
    assert page.locator("h1").count() == 1
    levels = page.eval_on_selector_all(
        "main h1, main h2, main h3, main h4, main h5, main h6",
        # the graph layer's panels (its own templates) are checked by its own tests
        "els => els.filter(e => !e.closest('.graph-panel')).map(e => Number(e.tagName[1]))",
    )
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading levels jump: {levels}"
    unlabelled = page.eval_on_selector_all(
        "input:not([type=hidden]), select, textarea",
        """els => els.filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`))
                                && !e.getAttribute('aria-label')).map(e => e.outerHTML)""",
    )
    assert unlabelled == []
    # every asset comes from kb itself: no CDN, no third-party script
    assets = page.eval_on_selector_all(
        "link[href], script[src], img[src], iframe[src]",
        "els => els.filter(e => e.tagName !== 'LINK' || e.rel !== 'canonical')"
        ".map(e => new URL(e.href || e.src, location.href).origin)",
    )
    assert set(assets) <= {page.evaluate("location.origin")}, assets
    assert page.locator("script:not([type='application/ld+json'])").count() == 0
    skip = page.locator("a.skip")
    assert skip.get_attribute("href") == "#main"
    # text contrast at least 4.5:1 (WCAG AA) for everything a reader reads
    low = page.eval_on_selector_all(
        "header a, main a, main p, main span, main th, main td, main dt, main dd, main li, "
        "main h1, main h2, main h3, main h4, main button, footer p",
        CONTRAST_JS,
    )
    assert low == [], low
    # every position badge says its position in words, not only in colour
    for text in page.locator(".pos").all_inner_texts()[:50]:
        assert re.search(r"Supports|Opposes|Mixed|No stance|Supporters|Opponents", text), text


def test_reader_follows_a_claim_down_to_its_source_then_searches(
    live_server, page, screenshot
) -> None:
    page.goto(live_server.url + "/")
    _accessible_basics(page)
    matrix = page.locator("table.matrix")
    shown = page.request.get(live_server.url + "/index.json").json()["matrix"]["people_shown"]
    assert matrix.locator("thead th.person").count() == shown > 4  # people are its columns
    assert page.locator("#contested-h").is_visible()
    screenshot(page, "browse-01-overview")

    # skip link works from the keyboard
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"

    # a person, from the matrix row header
    matrix.get_by_role("link", name="Elon Musk").click()
    page.wait_for_url(re.compile(r"/people/elon-musk$"))
    assert page.locator("h1").inner_text() == "Elon Musk"
    _accessible_basics(page)
    assert page.locator("script[type='application/ld+json']").count() == 1
    assert page.locator("figure.quote").count() >= 1
    screenshot(page, "browse-02-person")

    # one of their claims
    first_stance = page.locator("article.stance").first
    claim_text = first_stance.locator("h4 a").inner_text()
    first_stance.locator("h4 a").click()
    page.wait_for_url(re.compile(r"/claims/[a-z0-9-]+$"))
    assert page.locator("h1").inner_text() == claim_text
    _accessible_basics(page)
    musk = page.locator("#person-elon-musk")
    assert musk.count() == 1
    screenshot(page, "browse-03-claim")

    # the source of one of Musk's quotes on that claim
    source_link = musk.locator("figure.quote .src a").first
    source_title = source_link.inner_text()
    source_link.click()
    page.wait_for_url(re.compile(r"/sources/[a-z0-9-]+$"))
    assert page.locator("h1").inner_text() == source_title
    _accessible_basics(page)
    assert page.locator("dl.biblio").get_by_text("Published").count() == 1
    assert page.locator("figure.quote").count() >= 1
    screenshot(page, "browse-04-source")

    # a search from the navigation bar
    page.get_by_label("Search kb").fill("superintelligence")
    page.get_by_label("Search kb").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=superintelligence"))
    _accessible_basics(page)
    assert page.locator("li.hit").count() >= 1
    assert page.locator("li.hit mark").count() >= 1
    screenshot(page, "browse-05-search")

    # narrowing the search to quotes
    page.locator("nav.kinds").get_by_role("link", name=re.compile("^Quotes")).click()
    page.wait_for_url(re.compile(r"kind=quote"))
    assert page.locator("li.hit").count() >= 1
    assert page.locator("li.hit-quote").count() == page.locator("li.hit").count()


def test_filters_sorting_and_pagination_clicked_through(live_server, page, screenshot) -> None:
    page.goto(live_server.url + "/claims?per_page=5")
    _accessible_basics(page)
    assert page.locator("table.list tbody tr").count() == 5
    screenshot(page, "browse-06-claims")

    # pagination: next page, then back
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.get_by_text("Page 2 of").count() == 1
    page.get_by_role("link", name="← Previous").click()
    page.wait_for_url(re.compile(r"/claims\?per_page=5$"))

    # a topic facet, then a person facet, then a position facet
    page.locator("section.facet[aria-label='Filter by topic']").get_by_role(
        "link", name="AI risk"
    ).click()
    page.wait_for_url(re.compile(r"topic=ai-risk"))
    for row in page.locator("table.list tbody tr").all():
        assert "AI risk" in row.inner_text()
    page.locator("section.facet[aria-label='Filter by person']").get_by_role(
        "link", name="Elon Musk"
    ).click()
    page.wait_for_url(re.compile(r"person=elon-musk"))
    page.locator("section.facet[aria-label='Filter by position']").get_by_role(
        "link", name=re.compile("Supports")
    ).click()
    page.wait_for_url(re.compile(r"position=supports"))
    shown = page.locator("table.list tbody tr").count()
    facet_count = int(
        page.locator("section.facet[aria-label='Filter by position'] li")
        .filter(has_text="Supports")
        .locator(".count")
        .inner_text()
    )
    assert shown == facet_count >= 1
    screenshot(page, "browse-07-claims-filtered")

    # removing a filter through its chip
    page.locator(".active-filters").get_by_role("link", name=re.compile("Position")).click()
    page.wait_for_url(lambda url: "position=" not in url)

    # sorting without JavaScript: a labelled select and a submit button
    page.get_by_label("Sort by").select_option("stances")
    page.get_by_role("button", name="Sort").click()
    page.wait_for_url(re.compile(r"sort=stances"))
    assert "person=elon-musk" in page.url and "topic=ai-risk" in page.url

    # sources by kind and year
    page.goto(live_server.url + "/sources")
    _accessible_basics(page)
    page.locator("section.facet[aria-label='Filter by kind']").locator("li a").first.click()
    page.wait_for_url(re.compile(r"kind="))
    year_link = page.locator("section.facet[aria-label='Filter by year'] li a").first
    year = year_link.inner_text().strip()
    year_link.click()
    page.wait_for_url(re.compile(rf"year={year}"))
    for cell in page.locator("table.list tbody td.nowrap").all_inner_texts():
        assert year in cell
    screenshot(page, "browse-08-sources-filtered")

    page.goto(live_server.url + "/people")
    _accessible_basics(page)
    screenshot(page, "browse-09-people")
    page.goto(live_server.url + "/topics")
    _accessible_basics(page)
    page.locator("ul.topic-list a").first.click()
    page.wait_for_url(re.compile(r"/topics/[a-z0-9-]+$"))
    _accessible_basics(page)
    screenshot(page, "browse-10-topic")

    # bad input is a 400 page with a message, unknown names a 404 page
    response = page.goto(live_server.url + "/claims?page=abc")
    assert response.status == 400
    assert "page" in page.locator("main").inner_text()
    screenshot(page, "browse-11-bad-request")
    response = page.goto(live_server.url + "/people/nobody-at-all")
    assert response.status == 404


def test_overview_on_a_phone(live_server, phone_page, screenshot) -> None:
    phone_page.goto(live_server.url + "/")
    _accessible_basics(phone_page)
    # the page itself never scrolls sideways; the matrix scrolls inside its own box
    widths = phone_page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    box = phone_page.locator(".matrix-wrap")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    screenshot(phone_page, "browse-12-overview-phone")
    phone_page.goto(live_server.url + "/claims/ai-existential-risk")
    widths = phone_page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
    screenshot(phone_page, "browse-13-claim-phone")


def test_pages_on_a_generated_dataset(databases, tmp_path, page, screenshot) -> None:
    from kb.web.database import session_scope
    from tests.browser.conftest import start_live_server
    from tests.synthetic import generate

    server = start_live_server(databases, tmp_path)
    try:
        with server.app.app_context(), session_scope() as session:
            generate(session)
        page.goto(server.url + "/")
        _accessible_basics(page)
        assert page.locator("table.matrix thead th.person").count() == 30
        assert "30 of the" in page.locator("p.matrix-scope").inner_text()
        screenshot(page, "browse-14-overview-generated")
        page.goto(server.url + "/claims?sort=contested")
        _accessible_basics(page)
        assert page.locator("table.list tbody tr").count() == 50
        page.get_by_role("link", name="Next →").click()
        page.wait_for_url(re.compile(r"page=2"))
        screenshot(page, "browse-15-claims-generated")
        page.goto(server.url + "/people/synthetic-person-3")
        _accessible_basics(page)
        screenshot(page, "browse-16-person-generated")
    finally:
        server.stop()
