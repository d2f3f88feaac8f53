"""Shared fixtures: seeded random and GHZ circuits, compile-and-verify and estimate checks,
network files, chips.

Plain helpers (``ghz``, ``qft``, the Qiskit-Target checks ...) are in ``tests/helpers.py``,
imported as ``from tests.helpers import ghz``: the repository root goes on ``sys.path``
here, since ``--import-mode=importlib`` puts nothing there.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import networkx as nx
import pytest
from qiskit import QuantumCircuit
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.transpiler import CouplingMap

import dqc
from dqc.adapter.target import NetworkTarget, QPUDevice, network_to_target
from dqc.estimation.schedule import check_schedule
from dqc.estimation.sweep import Estimate
from dqc.plan.embedding import EmbeddingPlan
from dqc.plan.proposals import Proposal

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLIFFORD_1Q = ("h", "s", "sdg", "x", "y", "z", "sx", "sxdg")
CLIFFORD_2Q = ("cx", "cz", "cy", "swap")


def random_clifford_circuit(n: int, gates: int, seed: int, *, measure: bool = True,
                            mid_measure: bool = True, resets: bool = False) -> QuantumCircuit:
    """A seeded random Clifford circuit over the standard gate names."""
    rng = random.Random(seed)
    qc = QuantumCircuit(n, n if measure else 0)
    for _ in range(gates):
        r = rng.random()
        if r < 0.45:
            a, b = rng.sample(range(n), 2)
            getattr(qc, rng.choice(CLIFFORD_2Q))(a, b)
        elif r < 0.95 or not (measure and mid_measure):
            getattr(qc, rng.choice(CLIFFORD_1Q))(rng.randrange(n))
        elif resets and r > 0.98:
            qc.reset(rng.randrange(n))
        else:
            qc.measure(rng.randrange(n), rng.randrange(n))
    if measure:
        qc.measure(range(n), range(n))
    return qc


def random_circuit(n: int, gates: int, seed: int) -> QuantumCircuit:
    """A seeded random non-Clifford circuit (rotations, T, CP, CRZ, RZZ, CCX)."""
    rng = random.Random(seed)
    qc = QuantumCircuit(n)
    for _ in range(gates):
        r = rng.random()
        if r < 0.35:
            a, b = rng.sample(range(n), 2)
            kind = rng.choice(("cx", "cp", "crz", "rzz", "cz"))
            if kind in ("cp", "crz", "rzz"):
                getattr(qc, kind)(rng.uniform(-3, 3), a, b)
            else:
                getattr(qc, kind)(a, b)
        elif r < 0.4 and n >= 3:
            qc.ccx(*rng.sample(range(n), 3))
        else:
            kind = rng.choice(("h", "t", "tdg", "rx", "ry", "rz", "s", "sx"))
            if kind in ("rx", "ry", "rz"):
                getattr(qc, kind)(rng.uniform(-3, 3), rng.randrange(n))
            else:
                getattr(qc, kind)(rng.randrange(n))
    return qc


def compile_and_verify(circuit: QuantumCircuit, network: dqc.Network, *, seed: int = 0,
                       expect: str | None = None, reuse: bool = False) -> dqc.CompileResult:
    """Compile, verify, and fail the test unless verification passed (by ``expect``)."""
    result = dqc.compile(circuit, network, seed=seed, reuse=reuse)
    outcome = dqc.verify(circuit, result.circuit, result.report)
    assert outcome.ok, str(outcome)
    if expect is not None:
        assert outcome.method == expect, str(outcome)
    return result


def verify_pass_output(circuit: QuantumCircuit, out: QuantumCircuit, network: dqc.Network,
                       props: dict) -> dqc.Report:
    """Verify what a hand-run pipeline ending in DistributeGates wrote; return its report."""
    report = dqc.Report.from_distribution(props["dqc_distribution"], network,
                                          ebits=out.count_ops().get("epr", 0), inputs={})
    outcome = dqc.verify(circuit, out, report)
    assert outcome.ok, str(outcome)
    return report


def distribute_fixed(circuit: QuantumCircuit, network: dqc.Network,
                     partition: tuple[str, ...], moves: tuple = (), replans: int = 0, *,
                     embedding: EmbeddingPlan | None = None, reuse: bool = False
                     ) -> tuple[QuantumCircuit, dqc.Report]:
    """Run only DistributeGates (``reuse`` as given) with a given placement and moves or
    embedding (kept as given unless ``replans``: then carriers may be re-planned and moves
    dropped); verify it."""
    props: dict = {"dqc_partition": partition, "dqc_teledata": Proposal(
        "teledata", partition, 0, 0, moves=tuple(moves)) if moves else None}
    if embedding is not None:
        props["dqc_embedding"] = Proposal("embedding", partition, embedding.ebits,
                                          embedding.lower_bound, embedding=embedding)
    out = dqc.passes.DistributeGates(network, replans=replans, reuse=reuse)(
        circuit, property_set=props)
    return out, verify_pass_output(circuit, out, network, props)


def check_estimate(e: Estimate, original: QuantumCircuit) -> Estimate:
    """The estimate's circuit verifies and its schedule keeps every rule; returns ``e``."""
    outcome = dqc.verify(original, e.circuit, e.report)
    assert outcome.ok, str(outcome)
    assert check_schedule(e.schedule, e.circuit, e.network,
                          qubit_qpu=e.report.qubit_qpu) == []
    return e


@pytest.fixture
def pass_verified():
    return verify_pass_output


@pytest.fixture
def verified():
    return compile_and_verify


@pytest.fixture
def fixed():
    return distribute_fixed


@pytest.fixture
def clifford_circuit():
    return random_clifford_circuit


@pytest.fixture
def nonclifford_circuit():
    return random_circuit


def write_file(tmp_path: Path, text: str, name: str = "net.toml") -> Path:
    """Write ``text`` to ``tmp_path / name``; return the path."""
    path = tmp_path / name
    path.write_text(text)
    return path


def heavy_hex_fragment(size: int, *, seed: int) -> tuple[GenericBackendV2, list[int]]:
    """A heavy-hex backend and ``size`` of its qubits, connected (BFS from qubit 0)."""
    cmap = CouplingMap.from_heavy_hex(3)
    backend = GenericBackendV2(cmap.size(), coupling_map=cmap, seed=seed)
    return backend, list(nx.bfs_tree(nx.Graph(list(cmap.get_edges())), 0))[:size]


def device_network() -> tuple[list[QPUDevice], dqc.Network, NetworkTarget]:
    """Three chips: a 10-qubit heavy-hex fragment, a 6-qubit line, a 5-qubit ring."""
    hexa, fragment = heavy_hex_fragment(10, seed=2)
    devices = [
        QPUDevice.from_backend("hexa", hexa, qubits=fragment, comm_qubits=2),
        QPUDevice.from_backend(
            "line", GenericBackendV2(6, coupling_map=CouplingMap.from_line(6), seed=3),
            comm_qubits=2),
        QPUDevice.from_backend(
            "ring", GenericBackendV2(5, coupling_map=CouplingMap.from_ring(5), seed=4),
            comm_qubits=1),
    ]
    network = dqc.Network(tuple(d.qpu for d in devices),
                          (dqc.Link("hexa", "line"), dqc.Link("line", "ring")))
    return devices, network, network_to_target(network, devices=devices)


@pytest.fixture
def write():
    return write_file


@pytest.fixture
def heavy_hex():
    return heavy_hex_fragment


@pytest.fixture
def chip_network():
    return device_network


@pytest.fixture
def ghz():
    from tests.helpers import ghz as ghz_circuit  # (the repository root is on sys.path above)

    return ghz_circuit


@pytest.fixture
def checked():
    return check_estimate
