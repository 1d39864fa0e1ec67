"""The layout's promise, checked from the code's own imports (including imports inside functions).

Faces (app.py, cli/, ui/, benchmarks/) -> evals/ -> assistant/ -> vectorstore/ -> ingest/:
every import points down or sideways within a room, and no two modules import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAYERS = {"ingest": 0, "vectorstore": 1, "assistant": 2, "evals": 3, "ui": 4, "cli": 4, "app": 5, "benchmarks": 5}
MAX_LINES = 320  # "no module over ~300 lines"


def _modules() -> dict[str, Path]:
    files = {"app": REPO / "app.py"}
    for package in LAYERS:
        for path in sorted((REPO / package).rglob("*.py")) if (REPO / package).is_dir() else []:
            name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            files[name] = path
    return files


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function (TYPE_CHECKING ones left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(n) for node in ast.walk(tree)
                 if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                 for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_every_import_points_down_or_sideways() -> None:
    upward = [
        f"{name} -> {target}"
        for name, targets in _graph().items()
        for target in targets
        if LAYERS[target.split(".")[0]] > LAYERS[name.split(".")[0]]
        or {target.split(".")[0], name.split(".")[0]} == {"ui", "cli"}  # two faces, neither above the other
    ]
    assert upward == []


def test_no_two_modules_depend_on_each_other() -> None:
    graph = _graph()
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for target in graph[node]:
            if target in path:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in done:
                visit(target, [*path, target])
        done.add(node)

    done: set[str] = set()
    for start in graph:
        if start not in done:
            visit(start, [start])
    assert cycles == []


def test_no_module_is_much_over_300_lines() -> None:
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
