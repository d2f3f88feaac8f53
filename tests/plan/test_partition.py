"""dqc.plan.partition: placements within capacity, scored on the cost model."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag

import dqc
from dqc.plan.partition import capacity_error, gathered, metis_partition, place


def two_triangles() -> tuple[QuantumCircuit, nx.Graph]:
    """Two triangles of CX (q0 q1 q2, q3 q4 q5) and one CZ(q2, q3) between them."""
    qc = QuantumCircuit(6)
    for a in (0, 3):
        qc.cx(a, a + 1)
        qc.cx(a, a + 2)
        qc.cx(a + 1, a + 2)
    qc.cz(2, 3)
    graph = nx.Graph()
    graph.add_nodes_from(range(6))
    for inst in qc.data:
        a, b = (qc.find_bit(q).index for q in inst.qubits)
        graph.add_edge(a, b, weight=1)
    return qc, graph


def test_place_cuts_one_edge_and_scores_it():
    qc, graph = two_triangles()
    net = dqc.Network.line(2, data_qubits=3)
    placement = place(circuit_to_dag(qc), graph, net, seed=1)
    assert set(placement.qpus[:3]) == {placement.qpus[0]} != {placement.qpus[3]}
    assert set(placement.qpus[3:]) == {placement.qpus[3]}
    assert (placement.ebits, placement.lower_bound) == (1, 1)


@pytest.mark.parametrize("sizes", [(3, 3), (4, 2), (2, 2, 2)])
def test_metis_respects_every_capacity(sizes):
    _, graph = two_triangles()
    net = dqc.Network.all_to_all(len(sizes), data_qubits=list(sizes))
    part = metis_partition(graph, net, seed=0)
    assert len(part) == 6
    for k, size in enumerate(sizes):
        assert sum(1 for p in part if p == k) <= size


def test_capacity_error_names_uneven_qpus():
    net = dqc.Network.line(2, data_qubits=[3, 2])
    assert str(capacity_error(6, net)) == (
        "circuit has 6 qubits but the network holds 5 data qubits (qpu0: 3, qpu1: 2)")


def test_gathered_puts_each_group_on_the_qpu_holding_most_of_it():
    """Qubits 0, 1, 2 must share a QPU: qpu1 holds two of them, so 0 comes over and
    trades places with 4, the one qubit of no group there (qpu0 has no spare slot)."""
    part = np.array([0, 1, 1, 0, 1, 0])
    out = gathered(part, [(0, 1, 2)], np.array([3, 3]))
    assert out.tolist() == [1, 1, 1, 0, 0, 0]
