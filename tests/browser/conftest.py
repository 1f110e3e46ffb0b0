"""Real headless Chromium (Debian's /usr/bin/chromium, driven by playwright) against kb served
by a real WSGI server in a thread. Screenshots go to test-artifacts/screenshots/.

Fixtures:
- `live_server`: base URL of the seeded app (a fresh database per test module);
- `browser`: one Chromium for the whole run; `page`: a new context and page per test;
- `screenshot(page, name)`: saves a full-page PNG and returns its path.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from kb.load.seed import load_seed
from kb.web.database import session_scope
from tests.conftest import make_app

CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.app.extensions["kb.engine"].dispose()


def start_live_server(databases, tmp_path: Path, seed: bool = True, **config) -> LiveServer:
    url = databases.migrated()
    app = make_app(url, tmp_path / "instance", **config)
    if seed:
        with app.app_context(), session_scope() as session:
            load_seed(session)
    return LiveServer(app)


@pytest.fixture(scope="module")
def live_server(databases, tmp_path_factory) -> Iterator[LiveServer]:
    server = start_live_server(databases, tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(pg, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take
