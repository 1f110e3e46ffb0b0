"""How the suite itself is laid out (issue 13): a module named test_* holds tests, and tests
share helpers through conftest.py and tests/helpers.py, never by importing another test
module (whose private names then become an interface nobody sees)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _modules() -> list[Path]:
    return sorted(TESTS.rglob("test_*.py"))


def test_every_test_module_holds_tests() -> None:
    empty = [
        str(path.relative_to(TESTS))
        for path in _modules()
        if not any(
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name.startswith(("test_", "Test"))
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert empty == [], "helper modules must not be named test_*"


def test_no_test_module_imports_another() -> None:
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            if any(name.rsplit(".", 1)[-1].startswith("test_") for name in names):
                found.append(f"{path.relative_to(TESTS)} line {node.lineno}")
    assert found == [], "share helpers through conftest.py or tests/helpers.py"
