"""The vocabulary page (/ns) in real Chromium, wide and on a phone: every kb: term is listed
with its meaning, nothing overflows sideways, and the head links of a record page are there."""

from __future__ import annotations

import pytest

from kb.formats.vocab import TERMS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", ["page", "phone_page"])
def test_vocabulary_page_lists_every_term_and_fits(request, kind, live_server, screenshot) -> None:
    pg = request.getfixturevalue(kind)
    pg.goto(live_server.url + "/ns")
    assert pg.locator("dl.vocab dt").count() == len(TERMS)
    assert pg.locator("#Stance").is_visible()
    wide = pg.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide
    screenshot(pg, f"linked-data-vocab-{'phone' if kind == 'phone_page' else 'wide'}")


def test_record_page_head_links(page, live_server) -> None:
    page.goto(live_server.url + "/people/elon-musk")
    assert page.locator('link[rel="canonical"]').get_attribute("href") == "/people/elon-musk"
    twin = page.locator('link[rel="alternate"][type="application/json"]')
    assert twin.get_attribute("href") == "/people/elon-musk.json"
