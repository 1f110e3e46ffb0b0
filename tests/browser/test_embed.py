"""The embeddable cards in real Chromium, framed by a page of another site (issue 19 item 5):
the card renders inside the frame with its quote and link back, while an ordinary kb page in
the same host page is refused by the browser (frame-ancestors 'none'); the "Embed this" box
opens without JavaScript; /changes reads at both sizes.

Screenshots (embed-*.png) at 1280x800 and 390x844, for a human to look at."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

SIZES = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def other_site(live_server) -> Iterator[str]:
    """Another site's page that frames kb: served by its own server, at "localhost" and
    another port (so another origin and another site than kb's 127.0.0.1), and on the
    loopback itself, as Chromium's local-network checks want of a page that frames one."""
    body = _host_page(live_server.url).encode()

    class Blog(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Blog)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}/someone-elses-blog.html"
    server.shutdown()


def _host_page(server_url: str) -> str:
    """A blog post on another site that pastes two cards, and tries to frame a kb page."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>A blog</title>
<style>body{{font:16px/1.5 Georgia,serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}</style>
</head><body><h1>My post about AI risk</h1><p>Here is what one thinker holds:</p>
<iframe id="person" src="{server_url}/embed/people/nick-bostrom" title="kb: Nick Bostrom"
 width="100%" height="300" style="border:1px solid #ccc;border-radius:6px;max-width:36rem"></iframe>
<p>And where people stand on one claim:</p>
<iframe id="claim" src="{server_url}/embed/claims/control-problem" title="kb: a claim"
 width="100%" height="300" style="border:1px solid #ccc;border-radius:6px;max-width:36rem"></iframe>
<p>A page that may not be framed:</p>
<iframe id="page" src="{server_url}/people/nick-bostrom" title="kb page" width="100%" height="120"></iframe>
</body></html>"""


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser):
    context = browser.new_context(viewport=SIZES[request.param], is_mobile=request.param == "phone")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield request.param, pg
    context.close()


def test_a_card_renders_inside_another_sites_frame(
    live_server, other_site, sized_page, screenshot
) -> None:
    size, pg = sized_page
    pg.goto(other_site)
    person = pg.frame_locator("#person")
    person.locator("h1").wait_for()
    assert person.locator("h1").inner_text() == "Nick Bostrom"
    assert person.locator("blockquote").count() == 1
    link = person.locator("p.more a")
    assert link.get_attribute("target") == "_blank"
    claim = pg.frame_locator("#claim")
    assert "supporting" in claim.locator(".counts").inner_text()
    # the ordinary page is refused: its frame never shows the page (Chromium's error instead)
    pg.wait_for_load_state("load")
    frames = [f.url for f in pg.frames]
    assert f"{live_server.url}/people/nick-bostrom" not in frames
    assert any(url.startswith("chrome-error://") for url in frames)
    assert pg.frame_locator("#page").locator("h1", has_text="Nick Bostrom").count() == 0
    # the card itself fits its frame: no sideways scrolling inside it
    frame = pg.frame(url=f"{live_server.url}/embed/people/nick-bostrom")
    assert frame is not None
    assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # and the link back is inside the frame's visible area, however the quote runs
    box = frame.evaluate(
        "(() => { const r = document.querySelector('p.more a').getBoundingClientRect();"
        " return [r.bottom, window.innerHeight]; })()"
    )
    assert 0 < box[0] <= box[1]
    screenshot(pg, f"embed-host-{size}")


def test_the_embed_box_opens_without_javascript(live_server, browser, screenshot) -> None:
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, java_script_enabled=False)
        pg = context.new_page()
        pg.goto(f"{live_server.url}/people/nick-bostrom")
        pg.locator("details.embed-box summary").click()
        code = pg.locator("#embed-code")
        assert code.is_visible()
        assert code.input_value().startswith('<iframe src="/embed/people/nick-bostrom"')
        box = pg.locator("details.embed-box")
        box.scroll_into_view_if_needed()
        box.screenshot(path=str(SCREENSHOTS / f"embed-box-{size}.png"))
        pg.goto(f"{live_server.url}/changes?per_page=15")
        screenshot(pg, f"embed-changes-{size}")
        context.close()
