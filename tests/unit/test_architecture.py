"""The package's import graph: no cycle anywhere, and every import points down the layers
`dialects <- passes <- backends <- lowbitc` (and, inside backends, target <- analysis <- verilog
<- runtime <- eda <- report). Read from the installed package's sources, top-level imports and
imports inside functions alike."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

LEAF_UTILITIES = {"lowbitc.errors", "lowbitc.progress"}
"""Driver modules any layer may use: they import nothing of lowbitc's."""

LAYERS = (
    "lowbitc.dialects",
    "lowbitc.passes",
    "lowbitc.backends.target",
    "lowbitc.backends.analysis",
    "lowbitc.backends.verilog",
    "lowbitc.backends.runtime",
    "lowbitc.backends.eda",
    "lowbitc.backends.report",
    "lowbitc",
)
"""Lowest first: a module may import from its own layer and the layers before it."""


def package_modules() -> dict[str, Path]:
    """Every module of the installed `lowbitc` package, by dotted name."""
    modules: dict[str, Path] = {}
    for package in ("lowbitc", "lowbitc.dialects", "lowbitc.passes", "lowbitc.backends"):
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations, package
        root = Path(next(iter(spec.submodule_search_locations)))
        for path in root.rglob("*.py"):
            parts = [p for p in path.relative_to(root).with_suffix("").parts if p != "__init__"]
            name = ".".join([package, *parts])
            modules.setdefault(name, path)
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports (the nearest known module of each import)."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in modules:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name and candidate.startswith("lowbitc"):
                found.add(candidate)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = package_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def layer(name: str) -> int:
    """The index in LAYERS of the longest prefix naming ``name``'s layer."""
    matches = [prefix for prefix in LAYERS if name == prefix or name.startswith(prefix + ".")]
    return LAYERS.index(max(matches, key=len))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_covers_every_layer(graph: dict[str, set[str]]) -> None:
    assert len(graph) > 80
    assert {LAYERS[layer(name)] for name in graph} == set(LAYERS)


def test_no_import_cycle(graph: dict[str, set[str]]) -> None:
    assert cycles(graph) == []


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_point_down_the_layers(graph: dict[str, set[str]]) -> None:
    upward = sorted(
        f"{name} imports {dep}"
        for name, deps in graph.items()
        for dep in deps
        if dep not in LEAF_UTILITIES and layer(dep) > layer(name)
    )
    assert upward == []


def test_leaf_utilities_import_nothing_of_lowbitc(graph: dict[str, set[str]]) -> None:
    assert {name: graph[name] for name in LEAF_UTILITIES} == {name: set() for name in LEAF_UTILITIES}
