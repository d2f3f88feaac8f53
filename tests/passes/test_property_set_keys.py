"""The property-set keys: one writer each, documented by it, and the table in ``dqc.passes``.

Keys are read from the code's syntax tree (``property_set["dqc_..."] = ...`` stores) and
from each pass's docstring (``Property set read:`` / ``Property set written:``); the
table in ``passes/__init__.py`` is parsed as reStructuredText-like columns.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import dqc.passes
from qiskit.passmanager.base_tasks import GenericPass
from qiskit.transpiler.basepasses import BasePass

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"``(dqc_\w+)``")


def _stores() -> dict[str, set[str]]:
    """key -> files that assign ``property_set["key"]`` (outside docstrings)."""
    out: dict[str, set[str]] = {}
    for folder in ("dqc", "passes", "targets"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                targets = node.targets if isinstance(node, ast.Assign) else []
                for t in targets:
                    if (isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant)
                            and str(t.slice.value).startswith("dqc_")):
                        out.setdefault(t.slice.value, set()).add(path.name)
    return out


def _passes() -> dict[str, type]:
    return {name: obj for name, obj in vars(dqc.passes).items()
            if inspect.isclass(obj) and issubclass(obj, GenericPass)}


def _documented(cls: type) -> tuple[set[str], set[str]]:
    """(keys read, keys written) per the class docstring."""
    doc = inspect.getdoc(cls) or ""
    read = doc.split("Property set read:")[1].split("Property set written:")[0]
    written = doc.split("Property set written:")[1].split("\n\n")[0]
    return set(KEY.findall(read)), set(KEY.findall(written))


def _table() -> dict[str, tuple[str, set[str]]]:
    """key -> (writer, readers) from the table in dqc.passes' docstring."""
    lines = (dqc.passes.__doc__ or "").splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("=====")]
    rows = lines[rules[1] + 1:rules[2]]  # between the header rule and the closing one
    out: dict[str, tuple[str, set[str]]] = {}
    last = None
    for row in rows:
        key, writer, readers = row[:27].strip(), row[27:51].strip(), row[51:].strip()
        names = {r.strip() for r in readers.split(",") if r.strip()}
        if key:
            last = KEY.findall(key)[0]
            out[last] = (writer, names)
        else:
            assert last is not None
            out[last][1].update(names)
    return out


def test_every_key_has_exactly_one_writing_file():
    several = {k: v for k, v in _stores().items() if len(v) > 1}
    assert not several, f"keys written from several files: {several}"


def test_each_pass_documents_what_its_code_writes():
    stores = _stores()
    for name, cls in _passes().items():
        _, written = _documented(cls)
        source = Path(inspect.getfile(cls)).name
        in_code = {k for k, files in stores.items() if source in files}
        assert in_code <= written, f"{name} writes {in_code - written} without saying so"


def test_the_table_matches_the_passes_docstrings():
    table = _table()
    writers: dict[str, str] = {}
    readers: dict[str, set[str]] = {}
    for name, cls in _passes().items():
        read, written = _documented(cls)
        for key in written:
            assert key not in writers, f"{key} documented as written by {writers[key]} and {name}"
            writers[key] = name
        for key in read - written:
            readers.setdefault(key, set()).add(name)
    assert set(table) == set(writers), (set(table) ^ set(writers))
    for key, (writer, names) in table.items():
        assert writer == writers[key], f"{key}: table says {writer}, docstrings {writers[key]}"
        assert names == readers.get(key, set()), (
            f"{key}: table lists readers {sorted(names)}, "
            f"docstrings {sorted(readers.get(key, ()))}")


def test_every_public_pass_is_importable_and_documents_its_property_set():
    """Each pass in ``dqc.passes`` says what it reads and writes (the keys themselves are
    checked against the code above)."""
    passes = [getattr(dqc.passes, name) for name in dqc.passes.__all__]
    passes = [p for p in passes if inspect.isclass(p) and issubclass(p, BasePass)]
    assert {p.__name__ for p in passes} >= {
        "UnrollForDistribution", "ElideSwaps", "BuildInteractionGraph", "PartitionQubits",
        "DistributeGates", "RouteWithinQPUs", "WriteTranspileLayout"}
    for cls in passes:
        doc = inspect.getdoc(cls)
        assert "Property set read" in doc and "written" in doc, cls.__name__
