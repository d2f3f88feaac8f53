"""Bell pairs as late as they can go: the program order :func:`dqc.compile` emits."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Hashable, Sequence

from qiskit import QuantumCircuit

__all__ = ["late_epr_order", "lazy_epr_order", "put_off"]


def late_epr_order(wires: Sequence[Sequence[Hashable]], late: Sequence[bool]) -> list[int]:
    """A topological order of operations that puts the ``late`` ones off.

    Operation ``i`` acts on ``wires[i]`` (qubits and clbits, any hashable names) and
    depends on the previous operation on each of them. Among the operations that are
    ready, the order takes the first one in the given order that is not ``late``; a late
    one comes only when nothing else is ready (ties: the given order), so it lands right
    before the first operation that needs it. Deterministic: it depends only on the
    arguments.

    Examples:
        Two qubits: a late ``epr``-like operation on wire ``"c"`` first, then local work
        on ``"a"``, then a gate on ``"a"`` and ``"c"``:

        >>> late_epr_order([("c",), ("a",), ("a",), ("a", "c")], [True, False, False, False])
        [1, 2, 0, 3]
    """
    n = len(wires)
    # priority: the index, plus n if put off (one int compares faster than a tuple)
    key = [i + n if late[i] else i for i in range(n)]
    successors: list[list[int]] = [[] for _ in range(n)]
    waiting = [0] * n  # predecessors (one per shared wire) not yet placed
    last: dict = {}  # wire -> last operation on it
    ready: list[int] = []
    for i, on in enumerate(wires):
        for wire in on:
            j = last.get(wire)
            if j is not None:
                successors[j].append(i)
                waiting[i] += 1
            last[wire] = i
        if not waiting[i]:
            ready.append(key[i])
    heapq.heapify(ready)
    order: list[int] = []
    pop, push = heapq.heappop, heapq.heappush
    while ready:
        i = pop(ready) % n
        order.append(i)
        for k in successors[i]:
            waiting[k] -= 1
            if not waiting[k]:
                push(ready, key[k])
    return order


def put_off(name: str, first_qubit: int, comm: Collection[int]) -> bool:
    """Whether the late order puts an operation off: an ``epr``, or the ``reset`` of a
    comm qubit (``first_qubit``: the index of its first qubit; ``comm``: comm qubits).

    Examples:
        >>> put_off("epr", 4, {4, 5}), put_off("reset", 4, {4, 5}), put_off("reset", 0, {4})
        (True, True, False)
    """
    return name == "epr" or (name == "reset" and first_qubit in comm)


def lazy_epr_order(circuit: QuantumCircuit, comm: set[int]) -> QuantumCircuit:
    """The same circuit, re-linearized so that every ``epr`` comes as late as it can.

    Qiskit's default topological order puts operations with no predecessors
    first, which hoists every ``epr`` (and the ``reset`` before it) to the top of
    the program. This order (:func:`late_epr_order`) takes any other ready operation before
    a ``reset`` or ``epr`` of a comm qubit (``comm``: their indices), so each Bell pair
    appears right before its use and comm qubits are held for the shortest stretch of
    the program text. Ties are broken by the circuit's own order. An operation depends
    on the previous one on each of its qubits and clbits (the DAG's wires; compiled
    circuits have no classical variables). :class:`~dqc.passes.DistributeGates` emits
    this order itself.
    """
    data = list(circuit.data)  # indexing circuit.data builds a new object per access
    index_of = {q: k for k, q in enumerate(circuit.qubits)}
    late = [put_off(inst.name, index_of[inst.qubits[0]] if inst.qubits else -1, comm)
            for inst in data]
    out = circuit.copy_empty_like()
    for i in late_epr_order([(*inst.qubits, *inst.clbits) for inst in data], late):
        out._append(data[i])
    return out
