"""The package's shape: layers that import only downwards, no cycles, no hidden imports.

Bottom to top (a module may import its own layer and the layers below):

0. ``dqc.errors``, ``dqc.gates`` — the exception root and the gate vocabulary;
1. ``dqc.network``, ``dqc.targets`` — the model (QPUs, links, physics, presets);
2. ``dqc.plan``, then ``dqc.estimation``, then ``dqc.verification`` — the library;
3. ``dqc.adapter`` — Qiskit Targets, layouts, Aer;
4. ``dqc.passes`` — the Qiskit passes;
5. ``dqc`` itself and its top modules (``compile``, ``estimate``, ``verify``, ``cli`` ...).

Imports are read from the syntax tree, not by string search. An import inside a
function is allowed only for an optional extra or a documented forward to a higher
layer, marked ``# lazy: <why>`` on its line.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"dqc": ROOT / "dqc", "dqc.passes": ROOT / "passes", "dqc.targets": ROOT / "targets"}

LAYERS = [
    ("dqc.errors", "dqc.gates"),
    ("dqc.network", "dqc.targets"),
    ("dqc.plan",),
    ("dqc.estimation",),
    ("dqc.verification",),
    ("dqc.adapter",),
    ("dqc.passes",),
    ("dqc",),
]


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (the three folders mapped into ``dqc``)."""
    out = {}
    for package, folder in FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join([package, *parts])
            if package == "dqc" and parts and parts[0] in ("passes", "targets"):
                continue
            out[name] = path
    return out


def layer(name: str) -> int:
    """Index in :data:`LAYERS` of the most specific prefix of ``name``."""
    best, depth = None, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and prefix.count(".") > depth:
                best, depth = i, prefix.count(".")
    assert best is not None, name
    return best


def imports(name: str, path: Path) -> list[tuple[str, int, bool, str]]:
    """(imported dqc module, line, inside a function, source line) for each import."""
    lines = path.read_text().splitlines()
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inner = {id(sub) for node in ast.walk(tree)
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
             for sub in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            known = modules()
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for target in targets:
            if target == "dqc" or target.startswith("dqc."):
                found.append((target, node.lineno, id(node) in inner, lines[node.lineno - 1]))
    return found


ALL = modules()


@pytest.mark.parametrize("name", sorted(ALL))
def test_imports_only_go_down(name):
    mine = layer(name)
    for target, line, inner, source in imports(name, ALL[name]):
        if inner and "# lazy:" in source:
            continue
        assert not inner, (f"{name}:{line} imports {target} inside a function without a "
                           "'# lazy: <why>' mark")
        if target == "dqc" and name.startswith("dqc."):
            raise AssertionError(f"{name}:{line} imports the top package 'dqc'")
        assert layer(target) <= mine, (
            f"{name}:{line} imports {target} (layer {layer(target)}) from layer {mine}")


def test_no_import_cycles():
    graph = nx.DiGraph()
    for name, path in ALL.items():
        for target, _, inner, _ in imports(name, path):
            if not inner and target in ALL and target != name:
                graph.add_edge(name, target)
    # a package imports its own submodules to re-export them; that is not a cycle
    cycles = [c for c in nx.simple_cycles(graph)
              if not any(a.startswith(b + ".") or b.startswith(a + ".")
                         for a in c for b in c)]
    assert not cycles, f"import cycles: {cycles[:3]}"


def test_only_dqc_passes_targets_importable():
    """No ``__path__`` trick: the repository's other folders are not part of ``dqc``."""
    code = ("import importlib.util, dqc; "
            "print([m for m in ('dqc.benchmarks', 'dqc.tests', 'dqc.examples', 'dqc.dqc') "
            "if importlib.util.find_spec(m) is not None])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.strip()
    assert out == "[]"
    assert importlib.util.find_spec("dqc.passes") and importlib.util.find_spec("dqc.targets")
