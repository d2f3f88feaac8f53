"""dqc.plan.distribution: one placement distributed into a circuit with Bell pairs."""

from __future__ import annotations

from qiskit.converters import circuit_to_dag

import dqc
from dqc.plan.distribution import distribute
from dqc.plan.proposals import Distribution, Proposal
from tests.helpers import ghz


def test_a_ghz_chain_over_a_line_of_three_takes_one_bell_pair_per_cut(pass_verified):
    """q0 q1 | q2 q3 | q4 q5 on a line of three QPUs: the cuts q1-q2 and q3-q4 cost an
    ebit each, on their own links."""
    qc = ghz(6)
    net = dqc.Network.line(3, data_qubits=2)
    part = ("qpu0",) * 2 + ("qpu1",) * 2 + ("qpu2",) * 2
    builder, emitted = distribute(net, circuit_to_dag(qc), part, tuple(range(6)))
    assert emitted is not None
    circuit = emitted.circuit()
    assert builder.ebits_per_link() == {"qpu0-qpu1": 1, "qpu1-qpu2": 1}
    assert builder.total_ebits() == builder.planned_ebits == 2
    assert builder.remote_gates == 2
    layout = builder.layout
    assert [layout.qubit_qpu[p] for p in layout.initial_layout] == list(part)
    distribution = Distribution(layout, builder.ebits_per_link(), builder.remote_gates,
                                Proposal("static", part, 2, 2))
    assert pass_verified(qc, circuit, net, {"dqc_distribution": distribution}).ebits == 2


def test_a_qpu_on_the_way_keeps_the_copy_it_will_need(pass_verified):
    """q0's Z segment (four CX controls) is copied to both other QPUs of a line, the far
    one first::

        qpu0: q0 q1 ── qpu1: q2 q3 ── qpu2: q4 q5

        q0 ─■──■──■──■─
        q4 ─⊕──┼──┼──┼─
        q5 ────⊕──┼──┼─
        q2 ───────⊕──┼─
        q3 ──────────⊕─

    Swapped through qpu1, the far copy costs 2 ebits and the copy on qpu1 one more: 3
    (the model's count). qpu1 keeps a copy on the way instead and the far one fans out
    from it: one ebit per link, 2."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(6)
    for t in (4, 5, 2, 3):
        qc.cx(0, t)
    net = dqc.Network.line(3, data_qubits=2, comm_qubits=2)
    part = ("qpu0",) * 2 + ("qpu1",) * 2 + ("qpu2",) * 2
    builder, emitted = distribute(net, circuit_to_dag(qc), part, tuple(range(6)))
    assert emitted is not None
    assert builder.planned_ebits == 3
    assert builder.ebits_per_link() == {"qpu0-qpu1": 1, "qpu1-qpu2": 1}
    distribution = Distribution(builder.layout, builder.ebits_per_link(),
                                builder.remote_gates, Proposal("static", part, 3, 2))
    assert pass_verified(qc, emitted.circuit(), net, {"dqc_distribution": distribution}
                         ).ebits == 2


def test_equal_gates_share_one_operation_but_keep_their_labels(verified):
    """The walk reads each standard gate's operation once per name, parameters and
    label (building it from the DAG on every read is slow at scale): the two CPhase(0.3)
    labelled ``mine`` and the unlabelled one stay apart, in the input's order; the
    output verifies."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(4)
    qc.cp(0.3, 0, 2, label="mine")
    qc.cp(0.3, 0, 2)
    qc.cp(0.3, 1, 3, label="mine")
    qc.rz(0.2, 1)
    qc.cx(1, 2)
    result = verified(qc, dqc.Network.all_to_all(2, data_qubits=2))
    assert [(i.operation.name, i.operation.label) for i in result.circuit.data
            if i.operation.name == "cp"] == [("cp", "mine"), ("cp", None), ("cp", "mine")]
