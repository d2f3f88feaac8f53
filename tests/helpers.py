"""Plain helpers shared by test files: ``from tests.helpers import ghz``.

``tests/conftest.py`` puts the repository root on ``sys.path`` (pytest runs with
``--import-mode=importlib``, which adds nothing), so this module imports the same way
from every test file, whatever folder pytest is started from. Helpers a test takes as
a fixture (``verified``, ``pass_verified``, ``fixed`` ...) live in conftest.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from dqc.passes import RouteWithinQPUs, generate_pass_manager
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.circuit import ControlFlowOp
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.synthesis import synth_qft_full
from qiskit.transpiler import CouplingMap, Target

from dqc.adapter.aer import exact_distribution, total_variation
from dqc.adapter.layout import attach_layout
from dqc.adapter.target import (
    NetworkTarget,
    QPUDevice,
    local_coupling_map,
    network_to_target,
    qpu_of_qubit,
    target_to_network,
)
from dqc.cli import main
from dqc.network import Link, Network

ROOT = Path(__file__).resolve().parent.parent
CIRCUITS = ROOT / "benchmarks" / "circuits"

# ---------------------------------------------------------------------------- circuits


def random_flips(seed: int, n: int = 4, ops: int = 10) -> QuantumCircuit:
    """n qubits, ``ops`` random ops of CX / CZ / X / Z / H / T: flips of every kind."""
    rng = random.Random(seed)
    qc = QuantumCircuit(n)
    for _ in range(ops):
        kind = rng.choice(("cx", "cx", "cx", "cz", "x", "z", "h", "t"))
        if kind in ("cx", "cz"):
            getattr(qc, kind)(*rng.sample(range(n), 2))
        else:
            getattr(qc, kind)(rng.randrange(n))
    return qc


def ghz(n: int, *, measure: bool = True) -> QuantumCircuit:
    """The GHZ chain ``h q0; cx q0,q1; cx q1,q2; ...``, measured into ``n`` bits."""
    qc = QuantumCircuit(n, n if measure else 0)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    if measure:
        qc.measure(range(n), range(n))
    return qc


def qft(n: int) -> QuantumCircuit:
    """Qiskit's QFT-``n`` without the final swaps, as plain gates."""
    qc = QuantumCircuit(n)
    qc.compose(synth_qft_full(n, do_swaps=False), inplace=True)
    return qc


def without(circuit: QuantumCircuit, *indices: int) -> QuantumCircuit:
    """``circuit`` with the instructions at ``indices`` left out (a mutation to catch)."""
    out = circuit.copy_empty_like()
    for i, inst in enumerate(circuit.data):
        if i not in indices:
            out._append(inst)
    return out


# ------------------------------------------------------------------------ files, CLI


def write(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path``; return the path."""
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(capsys, *argv: object) -> tuple[int, str, str]:
    """Run ``dqc`` in-process: (exit status, stdout, stderr) of this call only."""
    capsys.readouterr()  # drop anything printed before
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


# ------------------------------------------------------------------ Qiskit Targets


def small_device_network() -> tuple[Network, NetworkTarget]:
    """Two 4-qubit line chips (3 data + 1 comm each): small enough to simulate exactly."""
    chip = GenericBackendV2(4, coupling_map=CouplingMap.from_line(4), seed=1)
    devices = [QPUDevice.from_backend(name, chip, comm=[0]) for name in ("a", "b")]
    network = Network(tuple(d.qpu for d in devices), (Link("a", "b"),))
    return network, network_to_target(network, devices=devices)


def init_stage(circuit: QuantumCircuit, network: Network, target: Target, seed: int):
    """The ``dqc`` init stage plugin's passes, run by hand: (circuit with its layout
    attached, property set)."""
    pm = generate_pass_manager(network, seed=seed)
    pm.append(RouteWithinQPUs(target, seed=seed))
    out = pm.run(circuit)
    return attach_layout(out, pm.property_set["dqc_routing"].layout, circuit), pm.property_set


def instructions(circuit: QuantumCircuit, qubits=None):
    """(operation, outer qubit indices) of every instruction, inside control flow too."""
    for inst in circuit.data:
        qs = [circuit.find_bit(q).index for q in inst.qubits]
        if qubits is not None:
            qs = [qubits[i] for i in qs]
        if isinstance(inst.operation, ControlFlowOp):
            for block in inst.operation.blocks:
                yield from instructions(block, qs)
        yield inst.operation, qs


def assert_runs_on(circuit: QuantumCircuit, target: Target, *, native: bool = True) -> None:
    """Every instruction supported on its qubits (``native``; else only two-qubit ones need an
    edge of the chip); nothing but epr crosses QPUs."""
    owner = qpu_of_qubit(target_to_network(target))
    network = target_to_network(target)
    edges = set(local_coupling_map(target).get_edges())
    assert circuit.num_qubits == target.num_qubits
    for op, qs in instructions(circuit):
        if op.name in ("barrier", "if_else"):
            continue
        if native or op.name == "epr":
            assert target.instruction_supported(op.name, tuple(qs)), (op.name, qs)
        elif len(qs) == 2:
            assert tuple(qs) in edges or tuple(qs[::-1]) in edges, (op.name, qs)
        if len({owner[q] for q in qs}) > 1:
            assert op.name == "epr", (op.name, qs)
            assert network.linked(owner[qs[0]], owner[qs[1]])


def clifford_names(circuit: QuantumCircuit) -> QuantumCircuit:
    """Each one-qubit gate that is a Clifford, rewritten over h/s/sdg/x/y/z (same unitary up to
    phase); each if_else body that is a Pauli, as that Pauli gate.

    Qiskit's optimization resynthesises one-qubit runs (``u(π, π/4, -π/4)`` is a Clifford
    whose Euler angles are not quarter turns) and translates ``z`` corrections to
    ``rz(π)``; dqc.verify reads gates by name and angle, so the test renames them first.
    A phase inside an if_else body multiplies one measurement branch and is unobservable.
    """
    from qiskit.circuit import IfElseOp
    from qiskit.circuit.library import XGate, YGate, ZGate
    from qiskit.quantum_info import Clifford, Operator

    out = circuit.copy_empty_like()
    for inst in circuit.data:
        op = inst.operation
        if isinstance(op, IfElseOp) and op.params[1] is None and op.num_qubits == 1:
            unitary = Operator(op.params[0]).data
            for pauli in (XGate(), YGate(), ZGate()):
                if abs(abs(np.trace(Operator(pauli).data.conj().T @ unitary)) - 2) < 1e-9:
                    body = op.params[0].copy_empty_like()
                    body.append(pauli, [0])
                    op = IfElseOp(op.condition, body)
                    break
            out.append(op, inst.qubits, inst.clbits)
        elif op.num_qubits == 1 and op.name not in ("measure", "reset", "barrier", "delay"):
            try:
                clifford = Clifford.from_operator(Operator(op))
            except Exception:  # not a Clifford: keep it
                out.append(op, inst.qubits, inst.clbits)
                continue
            out.compose(clifford.to_circuit(), inst.qubits, inplace=True)
        else:
            out.append(op, inst.qubits, inst.clbits)
    return out


def _measure_in_basis(circuit: QuantumCircuit, positions, angles) -> QuantumCircuit:
    out = circuit.copy()
    reg = ClassicalRegister(len(positions), "basis")
    out.add_register(reg)
    for k, (p, (a, b, c)) in enumerate(zip(positions, angles)):
        out.u(a, b, c, p)
        out.measure(p, reg[k])
    return out


def _marginal(dist, keep):
    out: dict[str, float] = {}
    for key, value in dist.items():
        bits = key[::-1]
        kept = "".join(bits[i] for i in keep)[::-1]
        out[kept] = out.get(kept, 0.0) + value
    return out


def assert_same_distributions(original: QuantumCircuit, compiled: QuantumCircuit,
                              final_layout, *, bases: int = 3, seed: int = 0) -> None:
    """Exact outcome distributions agree after random product-basis measurements.

    Both circuits are run with :func:`dqc.adapter.aer.exact_distribution` (every
    measurement branch enumerated) after the same random single-qubit rotation on each
    input qubit (at its ``final_layout`` position in ``compiled``) and a measurement; the
    distributions over the original's bits and these final measurements must agree to
    1e-9 in each of ``bases`` random product bases (this sees phases and entanglement,
    not only Z populations).
    """
    rng = np.random.default_rng(seed)
    n, m, mc = original.num_qubits, original.num_clbits, compiled.num_clbits
    keep_c = [*range(m), *range(mc, mc + n)]
    for _ in range(bases):
        angles = rng.uniform(0, 2 * np.pi, size=(n, 3))
        p_orig = exact_distribution(_measure_in_basis(original, range(n), angles))
        p_comp = exact_distribution(_measure_in_basis(compiled, list(final_layout), angles))
        distance = total_variation(p_orig, _marginal(p_comp, keep_c))
        assert distance < 1e-9, distance


def _heavy(qc: QuantumCircuit, a: int, b: int) -> None:
    """Three CX between a and b, each in other bases (H on both between): no copy serves
    two of them, so apart they cost 3 ebits."""
    for i in range(3):
        if i:
            qc.h(a)
            qc.h(b)
        qc.cx(a, b)


def two_phases() -> QuantumCircuit:
    """q0 works with q1, then with q2; q1 and q3 are measured for the last time between.

    Two QPUs of 2 data qubits: {q0, q1} and {q2, q3} at the start (or mirrored). The
    second phase needs q0 beside q2::

        phase 1:  q0=q1   q2=q3    measure q1, q3
        phase 2:  q0=q2            measure q0, q2

    Without reuse the QPU of q2 is full (q3 keeps its data qubit), so q0 and q3 trade
    places: 2 ebits (telegates would cost 3). With reuse q3's data qubit is free after its
    measurement and q0 moves into it: 1 ebit, the fewest (q0 meets both sides).
    """
    qc = QuantumCircuit(4, 4)
    _heavy(qc, 0, 1)
    _heavy(qc, 2, 3)
    qc.measure(1, 1)
    qc.measure(3, 3)
    _heavy(qc, 0, 2)
    qc.measure(0, 0)
    qc.measure(2, 2)
    return qc
