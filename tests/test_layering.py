"""Imports point down only: every import of the package, at module level or inside a function,
follows the table of allowed directions below, and no two modules import each other in a cycle.

The table is the architecture (README, "Layout"): a package may import itself and the packages
listed for it, nothing else. `cli` sits on top and may import anything; `errors` at the bottom
imports nothing of ours. The front door (`asr_registry/__init__.py`) re-exports lazily from any
package and is imported by nothing inside the package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.support import REPO

PACKAGE = "asr_registry"
ROOT = REPO / "registry" / PACKAGE

# package -> the packages it may import (besides itself). Read bottom-up.
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "catalog": frozenset({"errors"}),
    "metrics": frozenset({"catalog", "errors"}),
    "sizing": frozenset({"catalog", "errors"}),
    "engine": frozenset({"sizing", "catalog", "errors"}),
    "shadow": frozenset({"engine", "sizing", "catalog", "errors"}),
    "datasets": frozenset({"metrics", "catalog", "errors"}),
    "sync": frozenset({"catalog", "errors"}),
    "selection": frozenset({"sizing", "metrics", "catalog", "errors"}),
    "ensemble": frozenset({"engine", "metrics", "sizing", "catalog", "errors"}),
    "doctor": frozenset({"shadow", "engine", "sizing", "catalog", "errors"}),
    "bench": frozenset({"shadow", "ensemble", "datasets", "engine", "metrics", "sizing", "catalog", "errors"}),
    "plugins": frozenset({"ensemble", "datasets", "shadow", "catalog", "errors"}),
    "scale": frozenset(
        {"plugins", "bench", "ensemble", "datasets", "engine", "metrics", "sizing", "catalog", "errors"}
    ),
    "curator": frozenset({"plugins", "selection", "bench", "engine", "metrics", "sizing", "catalog", "errors"}),
}
TOP = "cli"  # may import anything


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts}


def _imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """Every module of ours that `name` imports, anywhere in its body (lazy imports included)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # `from pkg import module` imports the submodule; `from module import name` the module.
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
        else:
            continue
        yield from (t for t in targets if t == PACKAGE or t.startswith(PACKAGE + "."))


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: set(_imports(name, path, modules)) for name, path in modules.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_package_has_a_place_in_the_table() -> None:
    layers = {_layer(m) for m in _modules()} - {""}
    assert layers - set(ALLOWED) - {TOP} == set()


def test_imports_point_down_only() -> None:
    graph = _graph()
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        for target in targets
        if _layer(source) not in (TOP, "")
        and _layer(target) != _layer(source)
        and _layer(target) not in ALLOWED[_layer(source)]
    )
    into_front_door = sorted(f"{s} -> {PACKAGE}" for s, targets in graph.items() if s != PACKAGE and PACKAGE in targets)
    edges = sum(len(t) for t in graph.values())
    assert edges > 300, "the parser lost the imports"  # how many it checks: see the README's layout section
    assert upward + into_front_door == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            # A submodule import runs its package's __init__ first; that is not an edge back.
            if node.startswith(target + "."):
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles() -> None:
    assert _cycle(_graph()) is None


def test_the_checker_finds_a_cycle_and_an_upward_edge() -> None:
    graph = {"asr_registry.engine.a": {"asr_registry.engine.b"}, "asr_registry.engine.b": {"asr_registry.engine.a"}}
    assert _cycle(graph) == ["asr_registry.engine.a", "asr_registry.engine.b", "asr_registry.engine.a"]
    assert "cli" not in ALLOWED["engine"] and "engine" in ALLOWED["bench"]


def test_every_import_of_ours_names_a_module_that_exists() -> None:
    """A lazy import (inside a function) of a moved or renamed module fails only when that code
    runs; here it fails at once."""
    modules = _modules()
    missing = sorted(f"{s} -> {t}" for s, targets in _graph().items() for t in targets if t not in modules)
    assert missing == []
