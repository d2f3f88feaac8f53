"""DistributeGates: cross-QPU gates become telegates (and teledata moves) over Bell pairs;
run alone on hand placements here, every output verified (the ``fixed`` fixture)."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag

import dqc
from dqc.plan.teledata import Move, Timeline
from tests.helpers import qft


def test_segments_share_copies_and_comm_qubits_are_reset_for_reuse(fixed):
    """Two QPUs of one data and one comm qubit, q0 on qpu0, q1 on qpu1::

        q0 ─H─■──■──H──■─      cx and cz share one copy of q0's Z segment (1 ebit);
        q1 ───X──■─────X─      the H ends it, and the last cx needs a second copy

    The one comm qubit per QPU is reset before the second ``epr``.
    """
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.cz(0, 1)
    qc.h(0)
    qc.cx(0, 1)
    net = dqc.Network.line(2, data_qubits=1, comm_qubits=1)
    out, report = fixed(qc, net, ("qpu0", "qpu1"))
    assert [r.name for r in out.qregs] == ["qpu0", "qpu0_comm", "qpu1", "qpu1_comm"]
    assert report.ebits_per_link == {"qpu0-qpu1": 2}
    assert report.remote_gates == 3
    assert out.count_ops()["epr"] == 2
    assert out.count_ops()["reset"] >= 2


def test_without_a_partition_says_what_to_run():
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    with pytest.raises(dqc.CircuitInputError, match="run PartitionQubits"):
        dqc.passes.DistributeGates(dqc.Network.line(2, data_qubits=1))(qc)


def test_forced_swap_path(fixed):
    """Placement fixed by the caller: qpu0 <-> qpu3 on a 4-line needs 3 epr."""
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    net = dqc.Network.line(4, data_qubits=1, comm_qubits=2)
    _, report = fixed(qc, net, ("qpu0", "qpu3"))
    assert report.ebits_per_link == {"qpu0-qpu1": 1, "qpu1-qpu2": 1, "qpu2-qpu3": 1}


def test_moves_that_thrash_the_comm_qubits_are_dropped(fixed):
    """Moves are chosen on the model; DistributeGates drops them when, under comm-qubit
    limits, they emit more than distributing without them.

    QFT-10 on two QPUs of 6 data qubits and 1 comm qubit, q0 sent to the other QPU and
    back: with the move the copies thrash (26 ebits); without it, 5.
    """
    qc = dqc.passes.ElideSwaps()(dqc.passes.UnrollForDistribution()(qft(10)))
    timeline = Timeline.of(circuit_to_dag(qc))
    moves = (Move(timeline.slice_start(3), 0, 1), Move(timeline.slice_start(6), 0, 0))
    net = dqc.Network.all_to_all(2, data_qubits=6, comm_qubits=1)
    part = ("qpu0",) * 5 + ("qpu1",) * 5
    kept, _ = fixed(qc, net, part, moves)
    dropped, report = fixed(qc, net, part, moves, replans=3)
    assert report.moves == 0 and report.teleports == ()
    assert dropped.count_ops()["epr"] < kept.count_ops()["epr"]
