"""Sizes a reader can hold in mind: no module under kb/ over 500 lines and no function (method
or nested function included) over 60, counted from its `def` line to its last line. A module or
function that grows past them is split by what it does, not given an exception here.
"""

from __future__ import annotations

import ast
from pathlib import Path

KB = Path(__file__).resolve().parent.parent / "kb"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    found = sorted(KB.rglob("*.py"))
    assert len(found) > 50  # the walk found kb's modules
    return found


def test_no_module_over_500_lines() -> None:
    sizes = {p.relative_to(KB.parent): len(p.read_text().splitlines()) for p in _modules()}
    over = [f"{path}: {n} lines" for path, n in sorted(sizes.items()) if n > MAX_MODULE_LINES]
    assert not over, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(over)


def test_no_function_over_60_lines() -> None:
    over = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    where = f"{path.relative_to(KB.parent)}:{node.lineno}"
                    over.append(f"{where} {node.name}: {n} lines")
    assert not over, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(sorted(over))
