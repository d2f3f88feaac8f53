"""The repository refers to nothing outside it: no paths into a sibling checkout, and the
benchmark runners find their data (peer figures, circuits) inside the repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Strings that point outside the repository (the design notes live in docs/design.md),
#: spelt in pieces so that this file does not contain them.
OUTSIDE = ("../" + "shared", "shared/" + "benchmarks", "DESIGN" + ".md")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ""}


def tracked_text_files() -> list[Path]:
    """The text files git tracks; outside a git checkout (an unpacked sdist), every text
    file of the tree but build output — so the check runs either way, never skips."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout
        files = [ROOT / name for name in out.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", "__pycache__", "build", "dist", ".pytest_cache", ".mypy_cache"}
        files = [p for p in ROOT.rglob("*")
                 if not skip & set(p.relative_to(ROOT).parts) and ".egg-info" not in str(p)]
    return [p for p in files if p.suffix in TEXT_SUFFIXES and p.is_file()]


def test_no_reference_outside_the_repository() -> None:
    files = tracked_text_files()
    assert any(p.name == "test_self_contained.py" for p in files)
    hits = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            hits += [f"{path.relative_to(ROOT)}:{number}: {s!r}" for s in OUTSIDE if s in line]
    assert not hits, "references to files outside the repository:\n" + "\n".join(hits)


def test_peers_data_is_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import peers

    assert peers.PEERS.is_file()
    assert peers.PEERS.resolve().is_relative_to(ROOT)
    rows = peers.peer_rows()
    assert len(rows) == 30
    # A few figures of PEERS.md's table: best run per tool, spare-slot column apart.
    assert rows[("qft_n18", 2)] == {"contiguous split": 162, "pytket-dqc": 10, "DISQCO": 9,
                                    "memq-dqc": 9, "DISQCO, one spare slot": 8}
    assert rows[("qv_n32", 4)]["memq-dqc"] == 913
    assert "DISQCO, one spare slot" not in rows[("qft_n29", 2)]
    assert list(rows)[:3] == [("qft_n18", 2), ("qft_n18", 4), ("qft_n29", 2)]


def test_benchmark_circuits_are_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import ebits

    folder = ebits.CIRCUITS
    assert folder.resolve().is_relative_to(ROOT)
    names = {p.name for p in folder.glob("*.qasm")}
    assert len(names) == 30
    assert {"qft_n29.qasm", "bv_n30.qasm", "adder_n28.qasm", "ghz_n40.qasm"} <= names
    assert (folder / "LICENSE.QASMBench").is_file()
