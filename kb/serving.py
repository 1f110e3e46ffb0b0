"""Production serving with gunicorn: several worker processes, each with threads.

Each worker builds its own app after the fork (no preload), so no database connection is ever
shared between processes.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    # gunicorn's rule of thumb is 2 x cores + 1; kb's pages are short and mostly read the
    # database, so threads do the rest.
    return 2 * (os.cpu_count() or 1) + 1


class KbServer(BaseApplication):
    def __init__(self, options: dict[str, Any], app_factory: Any):
        self.options = options
        self.app_factory = app_factory
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self.app_factory()


def serve(
    host: str,
    port: int,
    workers: int,
    threads: int,
    access_log: bool = True,
    app_factory: Any = None,
) -> None:
    if app_factory is None:
        from kb import create_app

        app_factory = create_app
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "control_socket_disable": True,
        "timeout": 60,
        "graceful_timeout": 10,
    }
    KbServer(options, app_factory).run()
