"""kb.web.bodies: a request body is read whole before the app runs, and a trickle is cut off
with a 408 without the app ever seeing the request."""

from __future__ import annotations

import io

import gevent

from kb.web import bodies


class Trickle:
    """A body that arrives one byte per `pause` seconds (gevent.sleep, as a patched socket
    read waits in a gevent worker)."""

    def __init__(self, data: bytes, pause: float) -> None:
        self.data = data
        self.pause = pause

    def read(self, size: int = -1) -> bytes:
        gevent.sleep(self.pause)
        byte, self.data = self.data[:1], self.data[1:]
        return byte


def _call(app, environ):
    seen: list[str] = []
    result = app(environ, lambda status, headers: seen.append(status))
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return seen[0], body


def _recorder(calls):
    def app(environ, start_response):
        calls.append(environ["wsgi.input"].read())
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def test_a_body_that_trickles_in_gets_408_and_never_reaches_the_app(monkeypatch) -> None:
    monkeypatch.setattr(bodies, "BODY_SECONDS", 0.3)
    calls: list[bytes] = []
    environ = {"CONTENT_LENGTH": "100", "wsgi.input": Trickle(b"x" * 100, 0.05)}
    status, body = _call(bodies.BufferedBodies(_recorder(calls), 1000), environ)
    assert status.startswith("408")
    assert b"too slowly" in body
    assert calls == []


def test_a_whole_body_reaches_the_app_already_read() -> None:
    calls: list[bytes] = []
    environ = {"CONTENT_LENGTH": "5", "wsgi.input": Trickle(b"a=b&c", 0)}
    status, _ = _call(bodies.BufferedBodies(_recorder(calls), 1000), environ)
    assert status.startswith("200")
    assert calls == [b"a=b&c"]


def test_a_body_over_the_limit_is_left_to_the_app_unread() -> None:
    calls: list[bytes] = []
    environ = {"CONTENT_LENGTH": "5000", "wsgi.input": io.BytesIO(b"y" * 5000)}
    status, _ = _call(bodies.BufferedBodies(_recorder(calls), 1000), environ)
    assert status.startswith("200") and calls == [b"y" * 5000]  # the app's own 413 path


def test_a_chunked_body_longer_than_the_limit_is_413() -> None:
    calls: list[bytes] = []
    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"z" * 2000)}
    status, _ = _call(bodies.BufferedBodies(_recorder(calls), 1000), environ)
    assert status.startswith("413") and calls == []


def test_a_short_chunked_body_reaches_the_app() -> None:
    calls: list[bytes] = []
    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"a=b")}
    status, _ = _call(bodies.BufferedBodies(_recorder(calls), 1000), environ)
    assert status.startswith("200") and calls == [b"a=b"]
