"""dqc.plan.emitted: a distribution's operations, read by the scheduler before (and
instead of) the circuit they become."""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag

import dqc
from dqc.estimation.program import build_program
from dqc.estimation.verdict import assess
from dqc.plan.distribution import distribute
from dqc.plan.proposals import Distribution, Proposal
from dqc.plan.teledata import Move, Timeline


def _dynamic() -> QuantumCircuit:
    """Four qubits on two QPUs: remote gates, a mid-circuit measurement read by an
    ``if_test`` on the other QPU, then remote gates again."""
    qc = QuantumCircuit(4, 2)
    qc.h(0)
    qc.cx(0, 2)
    qc.cx(1, 3)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(3)
    qc.cz(2, 1)
    qc.rzz(0.3, 0, 3)
    qc.measure(3, 1)
    return qc


def test_the_operations_read_as_the_circuit_they_become(pass_verified):
    """Same instructions in the same order (a new iterator and a new, equal circuit on
    each read), the same ``epr`` count, the same program for the scheduler: with
    feed-forward corrections, an input ``if_test`` and a teledata round trip."""
    qc = _dynamic()
    net = dqc.Network.line(2, data_qubits=3, comm_qubits=1)
    part = ("qpu0", "qpu0", "qpu1", "qpu1")
    dag = circuit_to_dag(qc)
    moves = (Move(Timeline.of(dag).slice_start(2), 0, 1),)
    builder, emitted = distribute(net, dag, part, None, moves)
    assert emitted is not None and builder.layout is not None
    circuit = emitted.circuit()
    assert list(emitted.data) == list(circuit.data) == list(emitted.data)
    assert emitted.circuit() == circuit and emitted.circuit() is not circuit
    assert emitted.num_qubits == circuit.num_qubits and emitted.qubits == circuit.qubits
    names = circuit.count_ops()
    assert emitted.ebits == names["epr"] == builder.total_ebits() >= 2
    assert names["if_else"] >= 3  # corrections and the input's if_test
    layout = builder.layout
    assert (build_program(emitted, net, layout.qubit_qpu, layout.comm_qubits)
            == build_program(circuit, net, layout.qubit_qpu, layout.comm_qubits))
    distribution = Distribution(layout, builder.ebits_per_link(), builder.remote_gates,
                                Proposal("teledata", part, 0, 0, moves=moves))
    report = pass_verified(qc, circuit, net, {"dqc_distribution": distribution})
    assert report.moves == 1


def test_compile_schedules_what_it_returns(verified):
    """:func:`dqc.compile` schedules the operations before it builds the circuit; the
    report's schedule and verdict are those of the circuit it returns."""
    net = dqc.Network.all_to_all(3, data_qubits=2, comm_qubits=1, rate_hz=1e4)
    result = verified(_dynamic(), net)
    sched, verdict = assess(result.circuit, net, qubit_qpu=result.report.qubit_qpu,
                            comm_qubits=result.report.comm_qubits,
                            remote_gates=result.report.remote_gates)
    assert sched.to_dict() == result.report.schedule
    assert verdict.to_dict() == result.report.verdict
    assert result.report.ebits == result.circuit.count_ops()["epr"] >= 2


def test_operations_the_scheduler_reads_without_their_instruction(pass_verified):
    """``parts`` builds the instruction only where the scheduler needs more than the name
    and width (a barrier, a three-qubit gate); the program is the circuit's."""
    qc = QuantumCircuit(5)
    qc.h(0)
    qc.cx(0, 3)
    qc.barrier()
    qc.ccx(2, 3, 4)
    qc.cz(1, 4)
    net = dqc.Network.line(2, data_qubits=3, comm_qubits=1)
    part = ("qpu0", "qpu0", "qpu1", "qpu1", "qpu1")
    builder, emitted = distribute(net, circuit_to_dag(qc), part)
    assert emitted is not None and builder.layout is not None
    circuit = emitted.circuit()
    built = {name for name, _, _, _, inst in emitted.parts() if inst is not None}
    assert built == {"barrier", "ccx", "if_else"}
    assert [p[0] for p in emitted.parts()] == [inst.name for inst in circuit.data]
    layout = builder.layout
    assert (build_program(emitted, net, layout.qubit_qpu, layout.comm_qubits)
            == build_program(circuit, net, layout.qubit_qpu, layout.comm_qubits))
    distribution = Distribution(layout, builder.ebits_per_link(), builder.remote_gates,
                                Proposal("static", part, 2, 2))
    assert pass_verified(qc, circuit, net, {"dqc_distribution": distribution}).ebits == 2
