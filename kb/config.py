"""Settings from the environment, with defaults that work on a fresh machine."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'kb.sqlite3'}"


def load_secret_key(instance_path: str) -> str:
    """KB_SECRET_KEY wins; otherwise a random key is made once and kept in the instance folder,
    so sessions survive a restart without anyone having to choose a key."""
    key = os.environ.get("KB_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with 0600 so other users on the machine cannot read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class ConfigError(ValueError):
    """A setting from the environment that kb cannot use; its message names the variable."""


def base_url(raw: str | None) -> str:
    """KB_BASE_URL without its trailing slash ("" when unset). Absolute links (links.self in
    the JSON twins, JSON-LD @id) are built from it and never from the request's Host header,
    which any client can forge: unset, those links stay relative. A scheme and host only:
    url_for adds the path, with any prefix the app is mounted under. The linked data names
    every record under it too (kb.formats.iris); unset, the dumps use iris.DEFAULT_BASE_URL."""
    value = (raw or "").strip().rstrip("/")
    if value and not re.fullmatch(r"https?://[^\s/?#@\\]+", value):
        raise ConfigError(
            "KB_BASE_URL must be a scheme and host such as https://kb.example.org "
            f"(no path: kb adds its own), not {value!r}."
        )
    return value


def _int_env(name: str, default: int, minimum: int = 1) -> int:
    """A whole number of at least `minimum` from the environment, or the default when unset;
    anything else is a ConfigError naming the variable (one line from kb, not a traceback)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, not {value!r}.")
    return int(value)


def from_environment(instance_path: str) -> dict[str, Any]:
    return {
        "DATABASE_URL": os.environ.get("KB_DATABASE_URL") or default_database_url(instance_path),
        "SECRET_KEY": load_secret_key(instance_path),
        # Bounded page sizes for every list (browse issue); kept here so views and API agree.
        "PAGE_SIZE": 50,
        "MAX_PAGE_SIZE": 200,
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        # How many reverse proxies in front of kb to trust for X-Forwarded-* (0: none).
        "PROXIES": _int_env("KB_PROXIES", 0, minimum=0),
        "BASE_URL": base_url(os.environ.get("KB_BASE_URL")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # /admin/import parks each previewed upload until it is applied: bounded per editor
        # (older previews of the same editor make room), in total, and in time.
        "IMPORT_PREVIEWS_PER_EDITOR": _int_env("KB_IMPORT_PREVIEWS_PER_EDITOR", 2),
        "IMPORT_PREVIEWS_MAX_BYTES": _int_env("KB_IMPORT_PREVIEWS_MAX_BYTES", 200 * 1024 * 1024),
        "IMPORT_PREVIEW_SECONDS": _int_env("KB_IMPORT_PREVIEW_SECONDS", 3600),
    }
