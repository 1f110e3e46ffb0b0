"""A wheel built from the repo carries the templates, static files, migrations and seed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_templates_migrations_and_seed(tmp_path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("kb-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "kb/templates/base.html",
        "kb/static/kb.css",
        "kb/migrations/env.py",
        "kb/migrations/versions/0001_initial_schema.py",
        "kb/seed/seed.json",
    ):
        assert required in names, required
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "kb = kb.cli:cli" in zipfile.ZipFile(wheel).read(entry_points).decode()
