"""dqc.verification.simulate: compiled and input circuits on random input states."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

import dqc
from dqc.errors import VerificationError
from dqc.verification.simulate import check_by_statevector, simulation_qubits


def t_across() -> QuantumCircuit:
    """Non-Clifford gates across two QPUs, measured at the end::

        q0 ─H─T─■──────■─M─        QPU 0: q0
        q1 ─────X─T†─RZ(0.4)─X─M─  QPU 1: q1
    """
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.t(0)
    qc.cx(0, 1)
    qc.tdg(1)
    qc.rz(0.4, 1)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


def test_a_compiled_circuit_matches_on_random_inputs(verified):
    qc = t_across()
    result = verified(qc, dqc.Network.line(2, data_qubits=1), expect="pauli-rotations")
    width = simulation_qubits(qc, result.circuit, result.report)
    assert width > qc.num_qubits  # comm qubits and deferred measurements too
    message = check_by_statevector(qc, result.circuit, result.report, runs=3, seed=1)
    assert message.startswith(f"3 random input states simulated ({width} qubits)")


def test_a_changed_rotation_is_caught(verified):
    qc = t_across()
    result = verified(qc, dqc.Network.line(2, data_qubits=1))
    bad = result.circuit.copy_empty_like()
    for inst in result.circuit.data:
        if inst.operation.name == "rz":
            op = inst.operation.copy()
            op.params = [0.5]
            inst = inst.replace(operation=op)
        bad._append(inst)
    with pytest.raises(VerificationError, match="fidelity"):
        check_by_statevector(qc, bad, result.report, runs=3, seed=1)
