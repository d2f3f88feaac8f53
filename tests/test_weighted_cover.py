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
