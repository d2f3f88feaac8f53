"""Re-planning beyond MAX_REPLAN_GATES when evictions more than double the plan."""

from __future__ import annotations

import math

from qiskit import QuantumCircuit

import dqc
from dqc.plan.distribution import MAX_REPLAN_GATES


def qft_twin(n: int) -> QuantumCircuit:
    """The QFT's pattern with every controlled phase a CZ (Clifford, stim-verified)."""
    qc = QuantumCircuit(n)
    for j in range(n):
        qc.h(j)
        for k in range(j + 1, n):
            qc.cz(k, j)
    return qc


def test_a_large_structured_circuit_keeps_one_copy_per_qubit_and_qpu(verified):
    """110 qubits, 5,995 CZs (above the re-planning limit) on 8 QPUs with 2 comm qubits:
    qubit j's CZs with later qubits come one after another, so one copy of j on each
    other QPU serves them all: at most 7 ebits per qubit. The first plan's evictions
    cost thousands (QFT-150: 7,586 ebits; with the retry 518)."""
    n = 110
    qc = qft_twin(n)
    assert qc.size() - n > MAX_REPLAN_GATES
    result = verified(qc, dqc.Network.all_to_all(8, data_qubits=math.ceil(n / 8)))
    assert result.report.ebits <= 7 * n
