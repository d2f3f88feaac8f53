"""BuildInteractionGraph: two-qubit gate counts per pair, and the gates the planners share."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

import dqc


def test_edges_count_two_qubit_gates_per_pair_in_either_direction():
    """Barriers and one-qubit gates add nothing; q3 is a node without edges::

        q0 ─■──■──H──────░─
        q1 ─X──■─────■───░─
        q2 ──────────X───░─
        q3 ──────────────░─
    """
    qc = QuantumCircuit(4)
    qc.cx(0, 1)
    qc.cz(1, 0)
    qc.h(0)
    qc.cx(1, 2)
    qc.barrier()
    p = dqc.passes.BuildInteractionGraph()
    p(qc)
    graph = p.property_set["dqc_interaction_graph"]
    assert sorted(graph.nodes) == [0, 1, 2, 3]
    assert sorted(graph.edges(data="weight")) == [(0, 1, 2), (1, 2, 1)]
    _, gates = p.property_set["dqc_two_qubit_gates"]
    assert [g.qubits for g in gates] == [(0, 1), (1, 0), (1, 2)]


def test_gates_wider_than_two_qubits_ask_for_unrolling():
    qc = QuantumCircuit(3)
    qc.ccx(0, 1, 2)
    with pytest.raises(dqc.CircuitInputError,
                       match="'ccx' acts on 3 qubits.*UnrollForDistribution"):
        dqc.passes.BuildInteractionGraph()(qc)
