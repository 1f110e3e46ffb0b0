"""`kb serve` starts a real production server that migrates and seeds an empty database."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request

import pytest

from tests.helpers import free_port, kb_executable


@pytest.fixture
def served(databases, tmp_path):
    url = databases.empty()
    port = free_port()
    env = {**os.environ, "KB_INSTANCE_PATH": str(tmp_path), "KB_DATABASE_URL": url}
    proc = subprocess.Popen(
        [kb_executable(), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    # Generous: on a loaded machine (the suite runs on two workers) migrating, seeding and
    # booting gunicorn can take a while. Ready is /healthz answering, not a whole page.
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"kb serve did not start:\n{proc.stdout.read()}")
            time.sleep(0.2)
    yield base, proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    databases.drop(url)


def test_serve_migrates_seeds_and_shows_the_four_people(served) -> None:
    base, _proc = served
    with urllib.request.urlopen(base + "/") as response:
        assert response.status == 200
        page = response.read().decode()
    for name in ("François Chollet", "Elon Musk", "Stephen Hawking", "Martin Rees"):
        assert name in page
    assert "Advanced AI poses an existential risk to humanity." in page


def test_serve_uses_gunicorn_not_the_development_server(served) -> None:
    _base, proc = served
    proc.terminate()
    output = proc.communicate(timeout=15)[0]
    assert "gunicorn" in output.lower()
    assert "development server" not in output.lower()
