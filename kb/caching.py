"""HTTP caching: ETag / Last-Modified from the data version, 304s, static cache headers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
