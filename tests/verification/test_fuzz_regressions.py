"""Failures the fuzzing campaign (``benchmarks.fuzz``) found, shrunk to reproducers."""

from __future__ import annotations

from dqc.passes import UnrollForDistribution
from qiskit import QuantumCircuit
from qiskit.circuit.library import C3SXGate, XXMinusYYGate, XXPlusYYGate
from qiskit.converters import circuit_to_dag

import dqc
from dqc.network import QPU, Link, Network
from dqc.plan.proposals import Proposal
from dqc.plan.teledata import Move, Timeline
from dqc.verification.simulate import check_by_statevector


def test_a_qubit_moved_after_its_final_measurement_verifies():
    """Case 1000008 of seed 1: q7 is measured first (nothing else touches it), then the
    teledata planner moved it to make room. The output was right, but the simulation check
    took the measurement for a mid-circuit one ("final measurements differ: input measures
    {7: 7}, compiled measures {}"); it now follows the wire through the move. The trade of
    q7 is given here, so that the case does not depend on the planner's choices."""
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
    unrolled = UnrollForDistribution()(qc)
    at = Timeline.of(circuit_to_dag(unrolled)).slice_start(10)
    part = ("q0",) * 4 + ("q1",) * 5
    moves = (Move(at, 7, 0), Move(at, 0, 1))  # q7 trades places with q0
    props = {"dqc_partition": part,
             "dqc_teledata": Proposal("teledata", part, 0, 0, moves=moves)}
    out = dqc.passes.DistributeGates(network, replans=0)(unrolled, property_set=props)
    report = dqc.Report.from_distribution(props["dqc_distribution"], network,
                                          ebits=out.count_ops().get("epr", 0), inputs={})
    assert report.initial_layout[7] in {a for a, _ in report.teleports}
    outcome = dqc.verify(qc, out, report, max_sim_qubits=16, seed=1)
    assert outcome.ok, outcome.detail
    # the simulator itself (dqc.verify proves it by Pauli rotations first)
    assert check_by_statevector(unrolled, out, report, runs=2, seed=1)


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
