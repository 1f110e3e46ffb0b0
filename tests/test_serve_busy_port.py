"""`kb serve` on a port that is taken: one sentence that says so and how to pick another,
exit 1, before anything is migrated or announced, and none of gunicorn's retry errors."""

from __future__ import annotations

import os
import socket
import subprocess

from sqlalchemy import create_engine

from kb import migrate
from tests.helpers import kb_executable


def test_serve_on_a_busy_port_says_so_and_exits_1(databases, tmp_path) -> None:
    url = databases.empty()
    env = {**os.environ, "KB_INSTANCE_PATH": str(tmp_path), "KB_DATABASE_URL": url}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [kb_executable(), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    try:
        output = done.stdout + done.stderr
        assert done.returncode == 1, output
        assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
        assert f"kb serve --port {port + 1}" in done.stderr
        assert "serving on" not in output
        assert "Traceback" not in output and "[ERROR]" not in output
        assert len(output.strip().splitlines()) == 1, output
        engine = create_engine(url)
        try:
            assert migrate.is_empty(engine)  # nothing was migrated or seeded
        finally:
            engine.dispose()
    finally:
        databases.drop(url)
