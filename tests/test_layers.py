"""The layers of kb, checked: no import circle between kb's modules, Flask only at the web and
CLI edges, and no import that runs up the layer order below (docs/ARCHITECTURE.md explains it).

Every module under kb/ is parsed (not imported) and every import counts, including those inside
functions: a function-level import is still a dependency, only a later one. Imports under
`if TYPE_CHECKING:` do not count, since they never run.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import networkx as nx

KB = Path(__file__).resolve().parent.parent / "kb"

# Bottom first. A module may import modules of its own layer or of a layer below it, never one
# above. Patterns are fnmatch patterns over dotted module names.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "foundation",
        (
            "kb.paths",
            "kb.config",
            "kb.dates",
            "kb.naturalsort",
            "kb.models",
            "kb.models.*",
            "kb.vocabulary",
            "kb.migrate",
            "kb.pagination",
        ),
    ),
    ("rules", ("kb.rules", "kb.errors")),
    ("store", ("kb.db", "kb.store", "kb.store.*")),
    ("formats", ("kb.formats", "kb.formats.*")),
    ("queries", ("kb.queries", "kb.queries.*")),
    ("domain", ("kb.graph", "kb.graph.*", "kb.edits", "kb.edits.*")),
    ("load", ("kb.load", "kb.load.*", "kb.verify", "kb.verify.*")),
    ("web", ("kb.web", "kb.web.*")),
    ("commands", ("kb.cli", "kb.cli.*")),
    ("app", ("kb",)),  # create_app
    ("entry", ("kb.__main__",)),  # the `kb` command: FlaskGroup over create_app
]
FLASK_LAYERS = {"web", "commands", "app", "entry"}
FLASK_PACKAGES = ("flask", "werkzeug", "flask_")
# Known exceptions, each with its reason; the list only shrinks.
FLASK_ALLOWED: dict[str, str] = {}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(KB.rglob("*.py")):
        parts = list(path.relative_to(KB.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[ast.AST]:
    skipped: set[ast.AST] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(test):
            for child in node.body:
                skipped.update(ast.walk(child))
    return skipped


def _resolve(name: str) -> str:
    """The kb module an imported name lives in (`kb.graph.analysis.camp_label` -> its module)."""
    while name not in MODULES and "." in name:
        name = name.rpartition(".")[0]
    return name


def imports(module: str) -> list[tuple[str, int]]:
    """(imported module, line) for every import in `module`; kb names resolved to modules."""
    path = MODULES[module]
    return _imports_in(path, module if path.name == "__init__.py" else module.rpartition(".")[0])


def _imports_in(path: Path, package: str) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    out = []
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            out += [(_resolve(a.name), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.append((_resolve(full if full in MODULES else base), node.lineno))
    return out


def layer_of(module: str) -> int | None:
    for index, (_name, patterns) in enumerate(LAYERS):
        if any(fnmatchcase(module, p) for p in patterns):
            return index
    return None


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for module in MODULES:
        graph.add_node(module)
        for target, line in imports(module):
            if target in MODULES and target != module:
                graph.add_edge(module, target, line=line)
    return graph


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if layer_of(m) is None] == [], "add it to LAYERS"


def test_no_import_circle() -> None:
    graph = _graph()
    circles = []
    for cycle in nx.simple_cycles(graph):
        steps = zip(cycle, cycle[1:] + cycle[:1], strict=True)
        circles.append(" -> ".join(f"{a} (line {graph.edges[a, b]['line']})" for a, b in steps))
    assert not circles, "import circles:\n" + "\n".join(sorted(circles))


def test_flask_only_at_the_edges() -> None:
    offenders = [
        f"{module} line {line} imports {target}"
        for module in MODULES
        if LAYERS[layer_of(module) or 0][0] not in FLASK_LAYERS and module not in FLASK_ALLOWED
        for target, line in imports(module)
        if target.split(".")[0].startswith(FLASK_PACKAGES)
    ]
    assert not offenders, "Flask outside the web and CLI layers:\n" + "\n".join(offenders)


def test_no_import_runs_up_a_layer() -> None:
    offenders = []
    for module, target, line in _graph().edges(data="line"):
        low, high = layer_of(module), layer_of(target)
        if low is not None and high is not None and high > low:
            offenders.append(
                f"{module} ({LAYERS[low][0]}) line {line} imports {target} ({LAYERS[high][0]})"
            )
    assert not offenders, "imports that run up a layer:\n" + "\n".join(sorted(offenders))


def test_migrations_use_only_the_bottom_layers() -> None:
    """Alembic's env.py runs migrations: it may use the engine, the models and kb.migrate,
    never the queries or anything above (nor Flask)."""
    env = KB.parent / "migrations" / "env.py"
    allowed = {i for i, (name, _) in enumerate(LAYERS) if name in ("foundation", "store")}
    found = [(t, line) for t, line in _imports_in(env, "migrations") if t.startswith("kb")]
    assert found, "env.py imports kb's engine and models"
    offenders = sorted(
        {f"line {line} imports {t}" for t, line in found if layer_of(t) not in allowed}
    )
    assert not offenders, "migrations/env.py:\n" + "\n".join(offenders)


def test_the_checker_sees_imports_inside_functions() -> None:
    """The walker itself: `from package import module` and a function-level import count."""
    assert "kb.web.panels" in {target for target, _line in imports("kb.web.browse")}
    assert "kb.store.checks" in {
        target for target, _line in imports("kb.web.database")
    }  # in a function
