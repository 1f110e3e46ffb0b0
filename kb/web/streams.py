"""Streamed downloads (the /export files, the graph exports, the CSV twins), bounded per worker.

A download holds one database connection for as long as its client takes to read it (see
kb.web.database._close_session), and a client reading at 1 KB/s keeps it for minutes. Each worker's pool
has 5 connections (plus 10 overflow): were every one of them held by slow downloads, /healthz
and every page of that worker would wait 30 s for a connection and then fail. So a worker
sends at most MAX_STREAMS downloads at once; one more is answered at once with a 503 and a
Retry-After, and the pages keep their connections. The slot is given back when the response
is closed, which the server does when the stream ends and when the client goes away.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, current_app, render_template

MAX_STREAMS = 8
"""Concurrent downloads per worker process (the app's MAX_STREAMS setting overrides it)."""
RETRY_AFTER_SECONDS = 30
BUSY_MESSAGE = (
    "Too many downloads are being sent at the moment. Nothing is wrong with the file: please "
    "try again in half a minute."
)

_lock = threading.Lock()


def _semaphore() -> threading.BoundedSemaphore:
    """The app's own semaphore (tests build several apps in one process), made on first use."""
    extensions = current_app.extensions
    with _lock:
        if "kb.streams" not in extensions:
            limit = current_app.config.get("MAX_STREAMS", MAX_STREAMS)
            extensions["kb.streams"] = threading.BoundedSemaphore(limit)
        return extensions["kb.streams"]


def download(body: Iterable[Any], mimetype: str, filename: str | None = None) -> Response:
    """A streamed response for `body` (already wrapped in stream_with_context), or a 503 when
    this worker already sends MAX_STREAMS downloads."""
    slots = _semaphore()
    if not slots.acquire(blocking=False):
        close = getattr(body, "close", None)
        if close is not None:
            close()
        return busy()
    held = [True]

    def release() -> None:
        # Whichever comes first: the last chunk sent, the response closed (by the server, at
        # the end or when the client left), or the response collected (a test client that
        # never closes it, a HEAD that never iterates it). list.pop is atomic: once only.
        with contextlib.suppress(IndexError):
            held.pop()
            slots.release()

    def guarded() -> Iterator[Any]:
        try:
            for chunk in body:
                yield chunk
                # Let the worker's other requests run between two chunks: under gevent (kb
                # serve's default) nothing else runs while a greenlet computes, and eight
                # downloads being compressed at once kept /healthz waiting for over a second.
                # gevent's time.sleep(0) yields to them; with threads it yields the GIL.
                time.sleep(0)
        finally:
            release()

    response = Response(guarded(), mimetype=mimetype)
    response.call_on_close(release)
    weakref.finalize(response, release)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def busy() -> Response:
    page = render_template(
        "errors/error.html", code=503, name="Service Unavailable", message=BUSY_MESSAGE
    )
    response = Response(page, 503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
