"""Exact verification by Pauli rotations (``pauli-rotations``): proofs, and mutations that
must not be proved."""

from __future__ import annotations

import numpy as np
import pytest
from dqc.passes import UnrollForDistribution
from qiskit import QuantumCircuit

import dqc
from dqc.verification.pauli_check import (
    COMPACT_AT,
    _parity,
    _Rotations,
    check_by_pauli_rotations,
    prove_pair,
)
from dqc.verification.unitary_pair import Deferred, NotProved
from tests.helpers import qft, without
from tests.verification.mutations import MUTATIONS, measured_and_reset


@pytest.fixture(scope="module")
def qft10():
    qc = qft(10)
    return qc, dqc.compile(qc, dqc.Network.all_to_all(3, data_qubits=4))


def _proof(qc: QuantumCircuit, compiled: QuantumCircuit, report) -> str:
    return check_by_pauli_rotations(UnrollForDistribution()(qc), compiled, report)


def test_proves_qft30_on_4_qpus_without_any_extra():
    qc = qft(30)
    result = dqc.compile(qc, dqc.Network.line(4, data_qubits=8))
    outcome = dqc.verify(qc, result.circuit, result.report)
    assert outcome.ok and outcome.method == "pauli-rotations", outcome
    assert "cancel" in outcome.detail and "Clifford skeleton" in outcome.detail


def test_goes_before_the_simulator(qft10):
    qc, result = qft10
    outcome = dqc.verify(qc, result.circuit, result.report)
    assert outcome.ok and outcome.method == "pauli-rotations", outcome


def test_mid_circuit_measurement_and_reset():
    qc = measured_and_reset()
    result = dqc.compile(qc, dqc.Network.line(2, data_qubits=2))
    outcome = dqc.verify(qc, result.circuit, result.report, method="pauli")
    assert outcome.ok and outcome.method == "pauli-rotations", outcome


@pytest.mark.parametrize("mutation", [m for m in MUTATIONS if m != "correction swapped"])
def test_mutation_is_not_proved(qft10, mutation):
    qc, result = qft10
    wrongs = MUTATIONS[mutation](result)
    assert wrongs
    for wrong in wrongs:
        with pytest.raises(NotProved):
            _proof(qc, wrong, result.report)
        outcome = dqc.verify(qc, wrong, result.report, method="pauli", max_sim_qubits=0)
        assert outcome.method != "pauli-rotations", outcome


def test_correction_swapped_is_not_proved():
    qc = qft(8)
    result = dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=4))
    for wrong in MUTATIONS["correction swapped"](result):
        with pytest.raises(NotProved):
            _proof(qc, wrong, result.report)


def test_deleted_correction_is_not_proved(qft10):
    qc, result = qft10
    i = next(i for i, inst in enumerate(result.circuit.data) if inst.operation.name == "if_else")
    with pytest.raises(NotProved):
        _proof(qc, without(result.circuit, i), result.report)


def test_tiny_angle_difference_is_not_proved():
    """Merged angles must cancel within 1e-9 rad: a rotation off by 1e-7 is left over."""
    qc = QuantumCircuit(3)
    qc.h([0, 1, 2])
    qc.cp(0.5, 0, 2)
    qc.rz(0.25, 1)
    result = dqc.compile(qc, dqc.Network.line(3, data_qubits=1))
    changed = result.circuit.copy_empty_like()
    for inst in result.circuit.data:
        if inst.operation.name == "cp":
            inst = inst.replace(operation=inst.operation.copy())
            inst.operation.params = [0.5 + 1e-7]
        changed._append(inst)
    assert _proof(qc, result.circuit, result.report)
    with pytest.raises(NotProved, match="left after merging"):
        _proof(qc, changed, result.report)


def test_x_on_an_ancilla_is_no_proof():
    """A rotation acting on an ancilla as X changes the ancilla: never dropped."""
    original = QuantumCircuit(2)
    original.rz(0.3, 0)
    compiled = QuantumCircuit(2)
    compiled.rz(0.3, 0)
    compiled.rx(0.2, 1)  # rotates the ancilla out of |0>
    compiled.rx(-0.2, 1)
    with pytest.raises(NotProved, match="ancilla"):
        prove_pair(Deferred(original, compiled, 1, 0, ancillas=[1]))


def test_clifford_remainder_must_be_the_identity_on_the_inputs():
    original = QuantumCircuit(2)
    original.t(0)
    compiled = QuantumCircuit(2)
    compiled.t(0)
    compiled.x(1)  # the ancilla ends in |1>: garbage in a fixed state, no harm
    assert "cancel" in prove_pair(Deferred(original, compiled, 1, 0, ancillas=[1]))
    compiled = QuantumCircuit(2)
    compiled.t(0)
    compiled.cx(0, 1)  # copies the data qubit into the ancilla: entangled with it
    with pytest.raises(NotProved, match="input qubit 0"):
        prove_pair(Deferred(original, compiled, 1, 0, ancillas=[1]))
    compiled = QuantumCircuit(2)
    compiled.t(0)
    compiled.z(0)
    with pytest.raises(NotProved, match="input qubit 0"):
        prove_pair(Deferred(original, compiled, 1, 0, ancillas=[1]))


def test_rotations_merge_only_past_commuting_ones():
    rot = _Rotations(2)
    z0 = (np.array([False, False]), np.array([True, False]))
    x0 = (np.array([True, False]), np.array([False, False]))
    z1 = (np.array([False, False]), np.array([False, True]))
    rot.add(*z0, 0.4)
    rot.add(*z1, 0.1)  # commutes with Z0
    rot.add(*z0, -0.4)  # merges through it
    assert rot.settle() == 1
    rot = _Rotations(2)
    rot.add(*z0, 0.4)
    rot.add(*x0, 0.1)  # anticommutes with Z0
    rot.add(*z0, -0.4)  # blocked
    assert rot.settle() == 3


def test_parity_of_words():
    words = np.array([0, 1, 3, 0xFFFFFFFFFFFFFFFF, 1 << 63], dtype=np.uint64)
    assert _parity(words).tolist() == [False, True, False, False, True]


def _angle_mutant(circuit: QuantumCircuit, rng) -> QuantumCircuit | None:
    """``circuit`` with one rotation's angle (outside ``if`` blocks) moved by 0.3..1.3."""
    spots = [i for i, inst in enumerate(circuit.data) if inst.operation.params
             and inst.operation.name not in ("if_else", "epr")
             and all(isinstance(p, float) for p in inst.operation.params)]
    if not spots:
        return None
    i = rng.choice(spots)
    op = circuit.data[i].operation.copy()
    op.params = [float(op.params[0]) + rng.uniform(0.3, 1.3), *op.params[1:]]
    out = circuit.copy_empty_like()
    for j, inst in enumerate(circuit.data):
        out._append(inst.replace(operation=op) if j == i else inst)
    return out


#: The first 12 fuzz seeds from 3000 whose case compiles and has a rotation to change
#: (3001, 3002, 3007 and 3011 are refused by their network or have none).
MUTANT_SEEDS = (3000, 3003, 3004, 3005, 3006, 3008, 3009, 3010, 3012, 3013, 3014, 3015)


@pytest.mark.parametrize("seed", MUTANT_SEEDS)
def test_never_proves_what_the_simulator_refutes(seed):
    """Fuzz cases (benchmarks.fuzz) with one angle changed: whenever the statevector check
    refutes the mutant, the Pauli-rotation check must not prove it."""
    import random

    from benchmarks.fuzz import case_inputs

    circuit, network = case_inputs(seed)
    result = dqc.compile(circuit, network, seed=seed)
    mutant = _angle_mutant(result.circuit, random.Random(seed))
    assert mutant is not None, "the case has no rotation to change: pick another seed"
    simulated = dqc.verify(circuit, mutant, result.report, max_sim_qubits=24, shots=32)
    exact = dqc.verify(circuit, mutant, result.report, method="pauli", max_sim_qubits=0)
    proved = exact.ok and exact.method.startswith("pauli-rotations")
    assert simulated.ok or not proved, (simulated, exact)


@pytest.mark.parametrize("blocker", [False, True])
def test_rotations_merge_the_same_after_the_merged_away_are_compacted(blocker):
    """Two qubits. ``Z0`` by 0.3, then (with ``blocker``) ``X0`` by 0.2, which does not
    commute with it; then more ``X1`` rotations cancelling in pairs than the arrays keep
    before compacting; then ``Z0`` by -0.3. ``X1`` commutes with ``Z0``: without the
    blocker the two ``Z0`` cancel and nothing is left; with it they cannot meet and three
    rotations are left (``Z0``, ``X0``, ``Z0``). The pairs were compacted away."""
    z0, x0, x1 = ([False, False], [True, False]), ([True, False], [False, False]), \
        ([False, True], [False, False])
    rotations = _Rotations(2)

    def add(pauli, theta):
        xs, zs = pauli
        rotations.add(np.array(xs), np.array(zs), theta)

    add(z0, 0.3)
    if blocker:
        add(x0, 0.2)
    for _ in range(COMPACT_AT + 1):
        add(x1, 0.5)
        add(x1, -0.5)
    assert rotations.size < COMPACT_AT  # compacted
    add(z0, -0.3)
    assert rotations.settle() == (3 if blocker else 0)
