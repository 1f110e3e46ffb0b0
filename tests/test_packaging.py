"""A wheel built from the repo carries the templates, static files, migrations and seed, and
works from where it is installed (not from the checkout)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

USE_INSTALLED = """
import sys, kb, kb.migrate, kb.paths
from pathlib import Path
target = Path(sys.argv[1]).resolve()
assert Path(kb.__file__).resolve().is_relative_to(target), kb.__file__
url = "sqlite:///" + sys.argv[2]
kb.migrate.upgrade(url)
app = kb.create_app({"DATABASE_URL": url, "SECRET_KEY": "x"})
from kb.web.database import session_scope
from kb.load.seed import load_seed
with app.app_context(), session_scope() as s:
    load_seed(s)
page = app.test_client().get("/").get_data(as_text=True)
assert "Martin Rees" in page, page[:500]
print("templates:", kb.paths.resource_dir("templates"))
"""


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
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    for required in (
        "kb/templates/base.html",
        "kb/static/kb.css",
        "kb/migrations/env.py",
        "kb/migrations/versions/0001_initial_schema.py",
        "kb/load/seed/seed.json",
    ):
        assert required in names, required
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "kb = kb.__main__:cli" in archive.read(entry_points).decode()

    # Installed elsewhere (unpacked, as pip would), kb finds its folders inside the package.
    site = tmp_path / "site"
    archive.extractall(site)
    result = subprocess.run(
        [sys.executable, "-c", USE_INSTALLED, str(site), str(tmp_path / "db.sqlite3")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert str(site) in result.stdout
