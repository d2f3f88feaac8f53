"""Cases for the exact checkers: ``from tests.verification.mutations import MUTATIONS``.

Each mutation takes a compile result of a QFT (``dqc.compile``) and returns compiled
circuits that differ from a correct one in one way the Clifford skeleton cannot see;
:func:`measured_and_reset` is an input with mid-circuit measurement and reset.
"""

from __future__ import annotations

from collections.abc import Callable

from qiskit import QuantumCircuit


def measured_and_reset() -> QuantumCircuit:
    """Four qubits with rotations before and after a mid-circuit measurement and reset."""
    qc = QuantumCircuit(4, 2)
    for q in range(4):
        qc.h(q)
    qc.cp(0.3, 0, 3)
    qc.measure(1, 0)
    qc.reset(1)
    qc.rx(0.7, 1)
    qc.crz(0.2, 1, 2)
    qc.cp(1.1, 3, 1)
    qc.measure(0, 1)
    return qc


def _replaced(circuit: QuantumCircuit, index: int, inst) -> QuantumCircuit:
    out = circuit.copy_empty_like()
    for i, old in enumerate(circuit.data):
        out._append(inst if i == index else old)
    return out


def _rotations(circuit: QuantumCircuit, names=("cp", "p", "rz", "crz")) -> list[int]:
    return [i for i, inst in enumerate(circuit.data) if inst.operation.name in names]


def _next_on(circuit: QuantumCircuit, i: int) -> int | None:
    """The first instruction after ``i`` on the (first) qubit of instruction ``i``."""
    qubit = circuit.data[i].qubits[0]
    return next((j for j in range(i + 1, len(circuit.data))
                 if qubit in circuit.data[j].qubits), None)


def rotation_moved(result) -> list[QuantumCircuit]:
    """A controlled phase moved to another data qubit of the same QPU (the output
    contract still holds)."""
    circuit = result.circuit
    i = [i for i in _rotations(circuit) if circuit.data[i].operation.name == "cp"][-3]
    inst = circuit.data[i]
    a, b = inst.qubits
    qpu = result.report.qubit_qpu[circuit.find_bit(b).index]
    other = next(circuit.qubits[p] for p in result.report.initial_layout
                 if result.report.qubit_qpu[p] == qpu and circuit.qubits[p] not in (a, b))
    return [_replaced(circuit, i, inst.replace(qubits=(a, other)))]


def wrong_angle(result) -> list[QuantumCircuit]:
    """One rotation's angle off by 1e-3."""
    circuit = result.circuit
    i = _rotations(circuit)[len(_rotations(circuit)) // 2]
    inst = circuit.data[i]
    op = inst.operation.copy()
    op.params = [float(op.params[0]) + 1e-3]
    return [_replaced(circuit, i, inst.replace(operation=op))]


def correction_swapped(result) -> list[QuantumCircuit]:
    """The X correction on a telegate's receiving comm qubit moved after the controlled
    phase that follows it (``X_b CP(θ) X_b = P_t(θ) CP(-θ)``: they do not commute); the
    largest such phase (> 0.1) is taken."""
    circuit = result.circuit
    pairs = [(i, j) for i, inst in enumerate(circuit.data) if inst.operation.name == "if_else"
             and inst.operation.blocks[0].data[0].operation.name == "x"
             for j in [_next_on(circuit, i)] if j is not None
             and circuit.data[j].operation.name == "cp"
             and float(circuit.data[j].operation.params[0]) > 0.1]
    assert pairs, "no correction followed by a controlled phase above 0.1"
    i, j = pairs[-1]
    swapped = circuit.copy_empty_like()
    for k, inst in enumerate(circuit.data):
        if k == i:
            continue
        swapped._append(inst)
        if k == j:
            swapped._append(circuit.data[i])
    return [swapped]


def condition_dropped(result) -> list[QuantumCircuit]:
    """Each of the last two ``if`` blocks run unconditionally."""
    circuit = result.circuit
    ifs = [i for i, inst in enumerate(circuit.data) if inst.operation.name == "if_else"]
    out = []
    for i in ifs[-2:]:
        inst = circuit.data[i]
        body = inst.operation.blocks[0]
        unconditional = circuit.copy_empty_like()
        for j, old in enumerate(circuit.data):
            if j != i:
                unconditional._append(old)
                continue
            for b in body.data:
                unconditional.append(b.operation,
                                     [inst.qubits[body.find_bit(q).index] for q in b.qubits])
        out.append(unconditional)
    return out


#: Every mutation by name.
MUTATIONS: dict[str, Callable[..., list[QuantumCircuit]]] = {
    "rotation moved": rotation_moved, "wrong angle": wrong_angle,
    "correction swapped": correction_swapped, "condition dropped": condition_dropped}
