"""Re-planning carriers with the cost of evictions (dqc.weighted_cover)."""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.synthesis import synth_qft_full

import dqc


def qft(n: int) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    qc.compose(synth_qft_full(n, do_swaps=False), inplace=True)
    return qc


def test_qft_with_a_spare_qubit_keeps_copies_sequential(verified):
    """QFT-10 on QPUs of 6 with one comm qubit.

    The partitioner puts 6 qubits on one side; the minimum cover then copies every
    qubit of the smaller side, before its H, onto the other QPU: 4 copies, all
    open together for most of the circuit, which one comm qubit turns into 24
    ebits of evictions. Weighted by how often each copy was opened, the cover
    takes the other side's copies (one per qubit after its H, one open at a
    time): 6 ebits.
    """
    net = dqc.Network.all_to_all(2, data_qubits=6, comm_qubits=1)
    res = verified(qft(10), net, expect="statevector")
    assert res.report.ebits_lower_bound == 4
    assert res.report.ebits <= 6


def test_no_replanning_means_evictions():
    """The same pipeline with ``replans=0``: the minimum cover thrashes the comm qubit."""
    net = dqc.Network.all_to_all(2, data_qubits=6, comm_qubits=1)
    props: dict = {}
    out = qft(10)
    for p in (dqc.passes.UnrollForDistribution(), dqc.passes.ElideSwaps(),
              dqc.passes.BuildInteractionGraph(), dqc.passes.PartitionQubits(net),
              dqc.passes.PlanTeledata(net), dqc.passes.DistributeGates(net, replans=0)):
        out = p(out, property_set=props)
    assert out.count_ops()["epr"] > 6  # the unweighted cover under one comm qubit


def test_qft_on_four_qpus_prefers_short_lived_copies(verified):
    """QFT-32 on 4 QPUs of 9 (one spare each), 2 comm qubits: 136 ebits -> 54.

    In Qiskit's QFT every qubit k receives its controlled phases from all j > k
    right before its H: copies of k's pre-H segment are short-lived, copies of the
    post-H segments of j live to the end of the circuit. The minimum cover takes the
    long-lived ones and thrashes the comm qubits; the cover weighted by lifetime does
    not, and costs what its plan says.
    """
    net = dqc.Network.all_to_all(4, data_qubits=9, comm_qubits=2)
    qc = qft(32)
    props: dict = {}
    out = qc
    for p in (dqc.passes.UnrollForDistribution(), dqc.passes.ElideSwaps(),
              dqc.passes.BuildInteractionGraph(), dqc.passes.PartitionQubits(net),
              dqc.passes.PlanTeledata(net), dqc.passes.DistributeGates(net, replans=0)):
        out = p(out, property_set=props)
    thrashing = out.count_ops()["epr"]
    res = verified(qc, net, expect="clifford-skeleton")
    assert res.report.ebits <= 54 < thrashing
