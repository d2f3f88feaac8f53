"""ScheduleOperations: the schedule and verdict of a distributed circuit, as dqc.compile
reports them."""

from __future__ import annotations

import pytest
from dqc.passes import ScheduleOperations, generate_pass_manager
from qiskit import QuantumCircuit

import dqc
from dqc.network import Network
from tests.helpers import ghz


def test_the_pass_schedules_like_compile_reports(pass_verified, verified):
    """A GHZ chain over a line of three QPUs (two data qubits each), 100 Bell pairs/s::

        q0 ─H─■─────────────      qpu0: q0 q1
        q1 ───X──■──────────      qpu1: q2 q3      two remote cx: 2 ebits
        q2 ──────X──■───────      qpu2: q4 q5
        ...
    """
    qc = ghz(6)
    net = Network.line(3, data_qubits=2, rate_hz=100)
    pm = generate_pass_manager(net, seed=2)
    pm.append(ScheduleOperations(net))
    out = pm.run(qc)
    assert pass_verified(qc, out, net, pm.property_set).ebits == 2
    schedule, verdict = pm.property_set["dqc_schedule"], pm.property_set["dqc_verdict"]
    report = verified(qc, net, seed=2).report
    assert schedule.to_dict() == report.schedule
    assert verdict.to_dict() == report.verdict
    assert schedule.makespan_s >= schedule.lower_bound_s > 0


def test_without_a_distribution_says_what_to_run():
    with pytest.raises(dqc.CircuitInputError, match="run DistributeGates"):
        ScheduleOperations(Network.line(2, data_qubits=1))(QuantumCircuit(2))
