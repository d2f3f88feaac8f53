"""dqc.gates: on which qubits a gate is diagonal."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.quantum_info import Operator, Pauli

from dqc.gates import diagonal_qubits

ANGLES = (0.0, np.pi / 2, np.pi, 1e-13, 3e-12, 1e-3, 0.3, -2.1)  # (near the 1e-12 tolerance too)


def _standard_gates():
    for name, gate in sorted(get_standard_gate_name_mapping().items()):
        if name in ("measure", "reset", "delay", "barrier", "global_phase"):
            continue
        if not gate.params:
            yield gate
            continue
        for shift in range(len(ANGLES)):  # (each parameter a different angle)
            yield gate.__class__(*(ANGLES[(shift + i) % len(ANGLES)]
                                   for i in range(len(gate.params))))


def _by_definition(gate, basis: str) -> tuple[int, ...]:
    """The qubits k with ``U P_k = P_k U`` (P = Z or X), by qiskit's operators."""
    u = Operator(gate)
    out = []
    for k in range(gate.num_qubits):
        label = "".join(basis.upper() if j == k else "I" for j in reversed(range(gate.num_qubits)))
        p = Operator(Pauli(label))
        if np.allclose(u.compose(p).data, p.compose(u).data, rtol=0.0, atol=1e-12):
            out.append(k)
    return tuple(out)


@pytest.mark.parametrize("basis", ["z", "x"])
def test_diagonal_qubits_match_the_commutator_definition(basis):
    gates = list(_standard_gates())
    assert len(gates) > 100
    for gate in gates:
        assert diagonal_qubits(gate, basis) == _by_definition(gate, basis), (gate.name,
                                                                             gate.params)
