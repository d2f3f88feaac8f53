"""UnrollForDistribution: every gate into dqc's basis with Qiskit's synthesis; what dqc
cannot distribute is rejected with its name and count."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import UnitaryGate
from qiskit.quantum_info import Operator, random_unitary

import dqc
from dqc.gates import BASIS


def test_wide_gates_and_unitaries_unroll_to_the_basis_with_the_same_unitary():
    """A Toffoli, a Fredkin and a random 2-qubit unitary; ``swap`` is kept for ElideSwaps::

        q0 ─■──■──U──X─
        q1 ─■──X──U──┼─
        q2 ─X──X─────X─
    """
    qc = QuantumCircuit(3)
    qc.ccx(0, 1, 2)
    qc.cswap(0, 1, 2)
    qc.append(UnitaryGate(random_unitary(4, seed=7)), [0, 1])
    qc.swap(0, 2)
    out = dqc.passes.UnrollForDistribution()(qc)
    assert set(out.count_ops()) <= set(BASIS) | {"swap"}
    assert out.count_ops()["swap"] == 1
    assert max(len(i.qubits) for i in out.data) == 2
    assert Operator(out).equiv(Operator(qc))


def test_everything_unsupported_is_named_with_its_count():
    qc = QuantumCircuit(2, 1)
    qc.initialize([0, 1], 0)
    qc.initialize([1, 0], 1)
    with pytest.raises(dqc.CircuitInputError, match=r"non-unitary operation 'initialize' \(x2\)"):
        dqc.passes.UnrollForDistribution()(qc)


def test_three_qubit_gates_unrolled_and_verified(verified):
    qc = QuantumCircuit(6, 6)
    qc.h(range(6))
    qc.ccx(0, 3, 5)
    qc.cswap(1, 4, 2)
    qc.ccz(0, 2, 4)
    qc.measure(range(6), range(6))
    verified(qc, dqc.Network.line(3, data_qubits=2), expect="pauli-rotations")


def test_control_flow_that_cannot_be_flattened_is_rejected():
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        with qc.while_loop((qc.clbits[0], 1)):
            qc.h(0)
            qc.measure(0, 0)
    with pytest.raises(dqc.CircuitInputError, match="control flow 'while_loop'"):
        dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=1))


def test_unbound_parameters_are_rejected():
    from qiskit.circuit import Parameter

    qc = QuantumCircuit(2)
    qc.rx(Parameter("θ"), 0)
    with pytest.raises(dqc.CircuitInputError, match="unbound parameters"):
        dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=1))
