"""No dead code in kb/: vulture, at its default confidence, over the paths pyproject.toml gives it
(kb/ and tools/vulture_whitelist.py, the names only a framework calls), reports nothing. And the
whitelist holds no name kb no longer needs it for, so it cannot hide code that later dies.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from vulture import Vulture

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["vulture"]
WHITELIST = ROOT / "tools" / "vulture_whitelist.py"


def _unused(paths: list[Path]) -> list:
    v = Vulture()
    v.scavenge([str(p) for p in paths])
    return v.get_unused_code(min_confidence=SETTINGS.get("min_confidence", 0))


def test_vulture_finds_no_dead_code() -> None:
    found = _unused([ROOT / p for p in SETTINGS["paths"]])
    report = "\n".join(item.get_report() for item in found)
    assert not found, (
        f"vulture finds dead code (delete it, or whitelist a framework's name):\n{report}"
    )


def test_every_whitelisted_name_is_one_vulture_would_report() -> None:
    tree = ast.parse(WHITELIST.read_text())
    listed = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id != "_"}
    listed |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert len(listed) > 50  # the file was read: kb has that many framework-called names
    reported = {item.name for item in _unused([ROOT / "kb"])}
    assert listed <= reported, f"whitelisted but used or gone: {sorted(listed - reported)}"
