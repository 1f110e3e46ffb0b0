"""Production serving with gunicorn: several worker processes, each with threads.

Each worker builds its own app after the fork (no preload), so no database connection is ever
shared between processes.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

MAX_DEFAULT_WORKERS = 12
# Common log format plus the time the request took, in milliseconds, so slow pages stand out.
ACCESS_LOG_FORMAT = '%(h)s - - %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """gunicorn's rule of thumb, 2 x cores + 1, capped: every worker holds its own app,
    engine and connection pool, and beyond a dozen the memory buys nothing on a small host.
    kb's pages are short and mostly wait on the database, so each worker's threads
    (see `kb serve --threads`) overlap those waits."""
    return min(2 * cores() + 1, MAX_DEFAULT_WORKERS)


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
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "control_socket_disable": True,
        "timeout": 60,
        "graceful_timeout": 10,
    }
    KbServer(options, app_factory).run()
