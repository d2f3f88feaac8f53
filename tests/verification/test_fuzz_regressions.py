"""Failures the fuzzing campaign (``benchmarks.fuzz``) found, shrunk to reproducers."""

from __future__ import annotations

from dqc.passes import UnrollForDistribution
from qiskit import QuantumCircuit
from qiskit.circuit.library import C3SXGate, XXMinusYYGate, XXPlusYYGate

import dqc
from dqc.network import QPU, Link, Network
from dqc.verification.simulate import check_by_statevector


def test_a_qubit_moved_after_its_final_measurement_verifies():
    """Case 1000008 of seed 1: q7 is measured first (nothing else touches it), then the
    teledata planner moves it to make room. The output is right, but the simulation check
    took the measurement for a mid-circuit one ("final measurements differ: input measures
    {7: 7}, compiled measures {}"); it now follows the wire through the move."""
    qc = QuantumCircuit(9, 9)
    qc.append(XXPlusYYGate(0.098175, 0.011216), [5, 1])
    qc.append(C3SXGate(), [2, 8, 0, 3])
    qc.cswap(8, 4, 2)
    qc.cp(3.118278, 6, 4)
    qc.dcx(5, 2)
    qc.rxx(0.392699, 3, 4)
    qc.ccz(5, 2, 3)
    qc.append(XXMinusYYGate(0.024544, 0.785398), [1, 3])
    qc.measure(7, 7)
    network = Network((QPU("q0", 4, 3), QPU("q1", 5, 3)), (Link("q0", "q1"),))
    result = dqc.compile(qc, network, seed=1000008 % 997)
    moved = {a for a, _ in result.report.teleports}
    assert result.report.initial_layout[7] in moved  # the situation of the finding
    outcome = dqc.verify(qc, result.circuit, result.report, max_sim_qubits=16, seed=1)
    assert outcome.ok, outcome.detail
    # the simulator itself (dqc.verify proves it by Pauli rotations first)
    assert check_by_statevector(UnrollForDistribution()(qc), result.circuit, result.report,
                                runs=2, seed=1)


def test_a_classical_branch_case_is_not_refuted_by_qcec():
    """Fuzz case 2026006096 (7 qubits, 4 QPUs, input feed-forward on c[0]): QCEC's rewrite
    called its branches "not equivalent"; statevector simulation at 18 qubits
    (``max_sim_qubits=26``, 25 s here) proved all four when it was found. Branches are not
    given to QCEC (dqc.verify._equivalence); the Pauli-rotation check proves every branch."""
    from benchmarks.fuzz import case_inputs

    circuit, network = case_inputs(2026006096)
    result = dqc.compile(circuit, network, seed=2026006096 % 997)
    small = dqc.verify(circuit, result.circuit, result.report, max_sim_qubits=16, shots=64)
    assert small.ok and small.method == "pauli-rotations+branches", small


def test_qcec_no_refutation_with_mid_circuit_measurements():
    """The same case without its ``if``: QCEC's stricter check (every measured life ends in
    |+>) fails although the output is right (statevector at 18 qubits and Aer sampling
    agree); with mid-circuit measurements in the input that answer is no proof."""
    import pytest

    from benchmarks.fuzz import case_inputs
    from dqc.verification import qcec_check

    pytest.importorskip("mqt.qcec")
    circuit, network = case_inputs(2026006096)
    static = circuit.copy_empty_like()
    for inst in circuit.data:
        if inst.operation.name != "if_else":
            static.append(inst)
    result = dqc.compile(static, network, seed=2026006096 % 997)
    outcome = dqc.verify(static, result.circuit, result.report, method="qcec", qcec_timeout=20)
    assert outcome.ok and outcome.method == "clifford-skeleton", outcome
    assert "no proof of a difference" in outcome.detail
    with pytest.raises(qcec_check.NotProved):
        qcec_check.check_by_qcec(static, result.circuit, result.report, timeout=20)
