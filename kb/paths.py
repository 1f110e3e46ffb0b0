"""Where kb finds the folders that ship beside its code.

In a source checkout (and an editable install) templates/, static/ and migrations/ sit at the
top of the repository; in a wheel they are copied inside the package. Looking in both places
keeps one layout for developers and one for users without a copy step.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder `name` (templates, static, migrations) wherever it was installed."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kb cannot find its {name}/ folder next to {PACKAGE_DIR}")
