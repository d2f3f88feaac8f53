"""PlanTeledata: moves proposed when they cost fewer ebits than the static plan."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import quantum_volume

import dqc


def test_one_remote_gate_stays_static(pass_verified):
    """A single remote CZ costs one telegate, as much as a move: the proposal is static::

        q0 ─H─■─      qpu0
        q1 ───■─      qpu1
    """
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cz(0, 1)
    net = dqc.Network.line(2, data_qubits=1)
    props: dict = {"dqc_partition": ("qpu0", "qpu1")}
    dqc.passes.PlanTeledata(net)(qc, property_set=props)
    plan = props["dqc_teledata"]
    assert (plan.kind, plan.placement, plan.ebits, plan.lower_bound, plan.moves) == (
        "static", ("qpu0", "qpu1"), 1, 1, ())
    assert plan.why
    out = dqc.passes.DistributeGates(net)(qc, property_set=props)
    report = pass_verified(qc, out, net, props)
    assert report.ebits == 1 and report.moves == 0


def test_without_a_partition_says_what_to_run():
    with pytest.raises(dqc.CircuitInputError, match="run PartitionQubits"):
        dqc.passes.PlanTeledata(dqc.Network.line(2, data_qubits=1))(QuantumCircuit(2))


def test_quantum_volume_32_on_two_qpus_beats_the_static_plan(verified):
    qc = quantum_volume(32, seed=0).decompose()
    net = dqc.Network.all_to_all(2, data_qubits=16, comm_qubits=2)
    pm = dqc.passes.generate_pass_manager(net, seed=0)
    pm.run(qc)
    teledata = pm.property_set["dqc_teledata"]
    static = pm.property_set["dqc_placement"].ebits
    res = verified(qc, net, expect="pauli-rotations")
    assert teledata.moves and res.report.ebits == teledata.ebits < static / 2
