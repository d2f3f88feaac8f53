"""Control flow flattened into one condition per operation (dqc.plan.predication)."""

from __future__ import annotations

import pytest
from dqc.passes import UnrollForDistribution
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.circuit.classical import expr

from dqc.errors import CircuitInputError
from dqc.plan.predication import MAX_UNROLLED_OPERATIONS, predicate
from dqc.verification.branches import evaluate


def _flat(circuit: QuantumCircuit) -> list[tuple]:
    """(name of the guarded op or op, qubit indices, condition or None) per instruction."""
    out = []
    for inst in circuit.data:
        qs = tuple(circuit.find_bit(q).index for q in inst.qubits)
        if inst.name == "if_else":
            body = inst.operation.blocks[0]
            assert len(body.data) == 1 and len(inst.operation.blocks) == 1
            out.append((body.data[0].name, qs, inst.operation.condition))
        else:
            out.append((inst.name, qs, None))
    return out


def _truth(condition, bits: QuantumCircuit, values: dict[int, bool]) -> bool:
    return evaluate(condition, lambda b: values.get(bits.find_bit(b).index, False))


def test_if_else_becomes_two_conditions_that_exclude_each_other():
    qc = QuantumCircuit(2, 1)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)) as else_:
        qc.x(1)
    with else_:
        qc.z(1)
    flat = _flat(predicate(qc))
    assert [(n, q) for n, q, _ in flat] == [("measure", (0,)), ("x", (1,)), ("z", (1,))]
    for bit in (False, True):
        taken = [_truth(c, qc, {0: bit}) for _, _, c in flat[1:]]
        assert taken == [bit, not bit]


def test_nested_conditions_are_flattened_into_one_expression():
    qc = QuantumCircuit(QuantumRegister(2), ClassicalRegister(2, "c"))
    with qc.if_test((qc.clbits[0], 1)):
        with qc.if_test((qc.cregs[0], 3)):
            qc.h(1)
    flat = predicate(qc)
    assert not any(inst.operation.blocks[0].data[0].name == "if_else"
                   for inst in flat.data if inst.name == "if_else")
    ((name, _, cond),) = _flat(flat)
    assert name == "h" and isinstance(cond, expr.Expr)
    truth = {(a, b): _truth(cond, qc, {0: a, 1: b}) for a in (0, 1) for b in (0, 1)}
    assert truth == {(0, 0): False, (0, 1): False, (1, 0): False, (1, 1): True}


def test_switch_cases_and_default_each_get_their_condition():
    qc = QuantumCircuit(QuantumRegister(1), ClassicalRegister(2, "c"))
    with qc.switch(qc.cregs[0]) as case:
        with case(0, 1):
            qc.x(0)
        with case(2):
            qc.y(0)
        with case(case.DEFAULT):
            qc.z(0)
    flat = _flat(predicate(qc))
    assert [n for n, _, _ in flat] == ["x", "y", "z"]
    for value in range(4):
        bits = {0: bool(value & 1), 1: bool(value & 2)}
        taken = [n for n, _, c in flat if _truth(c, qc, bits)]
        assert taken == [{0: "x", 1: "x", 2: "y", 3: "z"}[value]]


def test_for_loop_is_unrolled_with_its_parameter_bound():
    qc = QuantumCircuit(1)
    theta = Parameter("i")
    qc.for_loop(range(3), theta, _body_rx(theta), [0], [])
    flat = predicate(qc)
    assert [float(inst.operation.params[0]) for inst in flat.data] == [0.0, 1.0, 2.0]


def _body_rx(theta: Parameter) -> QuantumCircuit:
    body = QuantumCircuit(1)
    body.rx(theta, 0)
    return body


def test_conditional_swap_becomes_three_conditional_cx():
    qc = QuantumCircuit(2, 1)
    with qc.if_test((qc.clbits[0], 0)):
        qc.swap(0, 1)
    flat = _flat(predicate(qc))
    assert [(n, q) for n, q, _ in flat] == [("cx", (0, 1)), ("cx", (1, 0)), ("cx", (0, 1))]


def test_box_bodies_are_inlined_under_their_condition():
    qc = QuantumCircuit(2, 1)
    with qc.box():
        qc.cx(0, 1)
    with qc.if_test((qc.clbits[0], 1)):
        with qc.box():
            qc.h(1)
    flat = _flat(predicate(qc))
    assert flat == [("cx", (0, 1), None), ("h", (1,), (qc.clbits[0], 1))]


def test_a_circuit_without_control_flow_is_returned_as_it_is():
    qc = QuantumCircuit(1)
    qc.h(0)
    assert predicate(qc) is qc


def test_unrolling_inside_bodies_then_flattening_again():
    qc = QuantumCircuit(3, 1)
    with qc.if_test((qc.clbits[0], 1)):
        qc.ccx(0, 1, 2)
    out = UnrollForDistribution()(qc)
    inner = {inst.operation.blocks[0].data[0].name for inst in out.data}
    assert inner <= {"h", "t", "tdg", "cx"} and "cx" in inner
    assert all(inst.name == "if_else" and len(inst.qubits) <= 2 for inst in out.data)


@pytest.mark.parametrize("build, words", [
    ("while", "while_loop"),
    ("writes_condition", "writes a bit its condition reads"),
    ("big_loop", f"{MAX_UNROLLED_OPERATIONS:,}"),
])
def test_what_predication_cannot_express_is_refused_by_name(build, words):
    qc = QuantumCircuit(2, 1)
    if build == "while":
        with qc.if_test((qc.clbits[0], 1)):
            with qc.while_loop((qc.clbits[0], 0)):
                qc.h(0)
                qc.measure(0, 0)
    elif build == "writes_condition":
        with qc.if_test((qc.clbits[0], 1)):
            qc.measure(1, 0)
    else:
        body = QuantumCircuit(1)
        for _ in range(10):
            body.h(0)
        qc.for_loop(range(MAX_UNROLLED_OPERATIONS // 10 + 1), None, body, [0], [])
    with pytest.raises(CircuitInputError, match=words):
        UnrollForDistribution()(qc)
