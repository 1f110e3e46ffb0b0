"""Request bodies read whole, within a deadline, before kb sees the request.

A client may send its body at one byte every two seconds. Were the app to read it as it parses
the form, the request would hold whatever it had taken by then (a database connection, checked
out by the login check that runs before the CSRF check reads the form) for as long as the client
likes. BufferedBodies reads the body first, into memory up to 1 MB and into a temporary file
beyond (what nginx's request buffering does), and answers 408 when it has not all arrived
in time: BODY_SECONDS plus one second per BODY_MIN_RATE bytes, so a large import upload on a
slow link still gets through, while a trickle is cut off. A body longer than the app accepts
is not read at all: the app answers 413 at once.

It relies on the gevent worker (kb.cli.serving): gevent.Timeout interrupts the read of a socket
that a greenlet is waiting on, and a greenlet waiting costs no thread. Plain WSGI, no Flask.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import gevent

BODY_SECONDS = 10.0
BODY_MIN_RATE = 100_000
"""Bytes per second that a client must keep up beyond the first BODY_SECONDS."""
IN_MEMORY = 1 << 20
CHUNK = 1 << 16

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BufferedBodies:
    """WSGI middleware: the app gets environ["wsgi.input"] as a file already holding the body."""

    def __init__(self, app: App, max_length: int | None) -> None:
        self.app = app
        self.max_length = max_length

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.app(environ, start_response)  # the app answers 400
        too_long = self.max_length is not None and length > self.max_length
        if (length <= 0 and not chunked) or too_long:
            return self.app(environ, start_response)
        limit = self.max_length if chunked else length
        spool = tempfile.SpooledTemporaryFile(IN_MEMORY)  # noqa: SIM115 - closed with the response
        read = _read(environ["wsgi.input"], spool, limit, length or limit or 0)
        if read is not None and not chunked and read < length:
            read = None  # the client hung up before sending what it announced
        if read is None:
            spool.close()
            return _refuse(start_response, "408 Request Timeout", TOO_SLOW)
        if self.max_length is not None and read > self.max_length:
            spool.close()
            return _refuse(start_response, "413 Request Entity Too Large", TOO_LONG)
        spool.seek(0)
        environ["wsgi.input"] = spool
        environ["CONTENT_LENGTH"] = str(read)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return _Closing(self.app(environ, start_response), spool.close)


TOO_SLOW = (
    "The request body arrived too slowly, so kb stopped waiting for it. Please send it again."
)
TOO_LONG = "The request body is larger than kb accepts."


def _read(source: Any, spool: Any, limit: int | None, expected: int) -> int | None:
    """Copy up to limit + 1 bytes of the body into spool; the number read, or None when the
    deadline passed first."""
    cap = None if limit is None else limit + 1
    read = 0
    try:
        with gevent.Timeout(BODY_SECONDS + expected / BODY_MIN_RATE):
            while cap is None or read < cap:
                data = source.read(CHUNK if cap is None else min(CHUNK, cap - read))
                if not data:
                    break
                spool.write(data)
                read += len(data)
    except (gevent.Timeout, OSError):
        return None
    return read


def _refuse(start_response: Callable[..., Any], status: str, message: str) -> list[bytes]:
    body = f"{status}\n\n{message}\n".encode()
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ],
    )
    return [body]


class _Closing:
    """The app's response, closing the spooled body after the response's own close."""

    def __init__(self, result: Iterable[bytes], cleanup: Callable[[], None]) -> None:
        self.result = result
        self.cleanup = cleanup

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.cleanup()
