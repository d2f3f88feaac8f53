"""Hadamard sandwiches folded into the gate they surround (dqc.plan.basis_changes)."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.quantum_info import Operator

import dqc
from dqc.plan.basis_changes import fold_hadamard_sandwiches


def _folded(qc: QuantumCircuit) -> tuple[QuantumCircuit, int]:
    dag = circuit_to_dag(qc)
    count = fold_hadamard_sandwiches(dag)
    return dag_to_circuit(dag), count


@pytest.mark.parametrize("gate, sandwiched, expect", [
    ("cz", 1, ("cx", [0, 1])),   # h q1; cz q0, q1; h q1 = cx q0, q1
    ("cz", 0, ("cx", [1, 0])),   # h q0; cz q0, q1; h q0 = cx q1, q0
    ("cx", 1, ("cz", [0, 1])),   # h t; cx c, t; h t = cz c, t
])
def test_each_sandwich_folds_into_one_gate_with_the_same_operator(gate, sandwiched, expect):
    qc = QuantumCircuit(3)
    qc.h(2)
    qc.h(sandwiched)
    getattr(qc, gate)(0, 1)
    qc.h(sandwiched)
    qc.cx(1, 2)
    out, count = _folded(qc)
    assert count == 1
    names = [(i.name, [out.find_bit(q).index for q in i.qubits]) for i in out.data]
    assert expect in names and len(names) == 3
    assert Operator(out).equiv(Operator(qc))


def test_a_cx_control_sandwich_and_a_half_sandwich_are_left_alone():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)  # H around the control: not a standard gate
    qc.h(0)
    qc.h(1)
    qc.cz(0, 1)
    qc.t(1)  # no second H
    out, count = _folded(qc)
    assert count == 0 and len(out.data) == len(qc.data)


@pytest.mark.parametrize("gate", ["rxx", "ryy", "rzz"])
def test_a_qubit_in_a_chain_of_rotations_needs_one_copy(gate, fixed):
    """q0 alone on its QPU, four two-qubit rotations alternating with q1 and q2 on the
    other: all four are diagonal on q0 in one basis (X for ``rxx``, Y for ``ryy``, Z
    for ``rzz``), so one copy of q0 carries them: 1 ebit. Unrolled, ``rxx`` leaves
    ``h q0; h q0`` (``ryy``: ``sx q0; sxdg q0``) between two of them, which ends q0's
    segment (one copy per rotation: 4 ebits) unless the unroller cancels such pairs
    (``cancel_inverses``)."""
    qc = QuantumCircuit(4)
    for t, angle in ((1, 0.3), (2, 0.5), (1, 0.7), (2, 1.1)):
        getattr(qc, gate)(angle, 0, t)
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    ebits = []
    for cancel in (False, True):
        unrolled = dqc.passes.UnrollForDistribution(cancel_inverses=cancel)(qc)
        assert Operator(unrolled).equiv(Operator(qc))
        ebits.append(fixed(unrolled, net, ("qpu0", "qpu1", "qpu1", "qpu0"))[1].ebits)
    assert ebits == ([1, 1] if gate == "rzz" else [4, 1])


@pytest.mark.parametrize("gate", ["rxx", "ryy"])
def test_the_compile_cancels_the_pairs_by_default(gate, verified):
    """The same chain, compiled (any placement): the unroller cancels the pairs by
    default, so q0's rotations with the qubit on the other QPU share one copy: 1 ebit
    (2 with the pairs kept: the placement keeps q0 with q1 or q2, the other's two
    rotations are remote)."""
    qc = QuantumCircuit(4)
    for t, angle in ((1, 0.3), (2, 0.5), (1, 0.7), (2, 1.1)):
        getattr(qc, gate)(angle, 0, t)
    assert dqc.passes.UnrollForDistribution().cancel_inverses
    assert verified(qc, dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)).report.ebits == 1
