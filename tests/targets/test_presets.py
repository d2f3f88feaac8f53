"""The preset networks (dqc.targets): names, figures, loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from dqc import targets
from dqc.errors import NetworkError
from dqc.network import QPU, Link, Network


# ----------------------------------------------------------------------- presets
def test_available_presets() -> None:
    names = targets.available()
    assert names == sorted(names)
    assert {"lab2", "metro4"} <= set(names)


def test_every_preset_loads_and_round_trips() -> None:
    for name in targets.available():
        net = targets.load(name)
        assert net.name == name
        assert Network.from_dict(net.to_dict()) == net


def test_metro4_preset_figures() -> None:
    net = targets.load("metro4")
    ring = Network.ring(4, data_qubits=10, comm_qubits=2, rate_hz=10.0, fidelity=0.99,
                        latency_s=1.125e-3, technology="nv")
    assert net == Network(ring.qpus, ring.links, name="metro4")


def test_lab2_preset_figures() -> None:
    net = targets.load("lab2")
    assert net.qpus == (QPU("alice", 16, 2, "trapped_ion"), QPU("bob", 16, 2, "trapped_ion"))
    assert net.links == (Link("alice", "bob", rate_hz=182.0, fidelity=0.94, latency_s=1e-5),)


def test_preset_files_comment_every_figure() -> None:
    """Each numeric setting in a preset has a comment on its line or on the line above."""
    folder = Path(targets.__file__).parent
    for name in targets.available():
        lines = [line for line in (folder / f"{name}.toml").read_text().splitlines() if line]
        for above, line in zip([""] + lines, lines):
            if line.partition("=")[2].strip()[:1].isdigit():
                assert "#" in line or above.startswith("#"), f"{name}.toml: {line!r} has no source"


def test_load_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write) -> None:
    path = write(tmp_path, Network.line(2, data_qubits=2).to_toml(), "mine.toml")
    assert targets.load(path) == Network.line(2, data_qubits=2)
    assert targets.load(str(path)) == Network.line(2, data_qubits=2)
    write(tmp_path, Network.line(3, data_qubits=2).to_toml(), "plainfile")
    monkeypatch.chdir(tmp_path)
    assert targets.load("plainfile") == Network.line(3, data_qubits=2)


def test_load_errors(tmp_path: Path) -> None:
    known = ", ".join(targets.available())
    with pytest.raises(NetworkError) as info:
        targets.load("foo")
    assert str(info.value) == (
        f"unknown target 'foo': known presets are {known}; or give a path to a .toml file"
    )
    missing = tmp_path / "nope.toml"
    with pytest.raises(NetworkError, match="nope.toml' not found"):
        targets.load(missing)
    with pytest.raises(NetworkError, match="^network file 'nope.toml' not found$"):
        targets.load("nope.toml")
    with pytest.raises(NetworkError, match="target must be a preset name or a path"):
        targets.load(4)  # type: ignore[arg-type]
