"""PartitionQubits: every qubit on a QPU, fewest ebits on the cost model."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

import dqc


def test_two_clusters_land_on_two_qpus_and_the_placement_distributes(pass_verified):
    """q0-q1-q2 and q3-q4-q5 interact among themselves, with one CZ between q2 and q3::

        q0 ─H─■──■──────────       three data qubits per QPU: the clusters go whole,
        q1 ───X──┼──■───────       one remote gate, 1 ebit (modelled and emitted)
        q2 ──────X──X──■────
        q3 ─H─■──■─────■────
        q4 ───X──┼──■───────
        q5 ──────X──X───────
    """
    qc = QuantumCircuit(6)
    for a in (0, 3):
        qc.h(a)
        qc.cx(a, a + 1)
        qc.cx(a, a + 2)
        qc.cx(a + 1, a + 2)
    qc.cz(2, 3)
    net = dqc.Network.line(2, data_qubits=3)
    props: dict = {}
    for p in (dqc.passes.BuildInteractionGraph(), dqc.passes.PartitionQubits(net, seed=1)):
        p(qc, property_set=props)
    part = props["dqc_partition"]
    assert len(set(part[:3])) == len(set(part[3:])) == 1 and part[0] != part[3]
    assert (props["dqc_placement"].ebits, props["dqc_placement"].lower_bound) == (1, 1)
    out = dqc.passes.DistributeGates(net)(qc, property_set=props)
    assert pass_verified(qc, out, net, props).ebits == 1


def test_without_an_interaction_graph_says_what_to_run():
    with pytest.raises(dqc.CircuitInputError, match="run BuildInteractionGraph"):
        dqc.passes.PartitionQubits(dqc.Network.line(2, data_qubits=1))(QuantumCircuit(2))
