"""Login, roles, CSRF, rate limits and security headers (admin issue)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
