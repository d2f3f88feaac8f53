"""Bell pairs as late as they can go: the program order :func:`dqc.compile` emits."""

from __future__ import annotations

import heapq
from collections import deque

from qiskit import QuantumCircuit

__all__ = ["lazy_epr_order"]


def lazy_epr_order(circuit: QuantumCircuit, comm: set[int], *,
                   feed_forward: dict | None = None) -> QuantumCircuit:
    """The same circuit, re-linearized so that every ``epr`` comes as late as it can.

    Qiskit's default topological order puts operations with no predecessors
    first, which hoists every ``epr`` (and the ``reset`` before it) to the top of
    the program. This order takes any other ready operation before a ``reset``
    or ``epr`` of a comm qubit, so each Bell pair appears right before its use and
    comm qubits are held for the shortest stretch of the program text. Ties are
    broken by the circuit's own order, so the result is deterministic.

    It is the order of ``circuit_to_dag(circuit).topological_op_nodes(key=...)``
    with that key (late operations last, then circuit order), computed on the
    instruction list without building the DAG: an operation depends on the previous
    one on each of its qubits and clbits (the DAG's wires; compiled circuits have
    no classical variables).

    ``feed_forward``: for each classical bit, the ``if_test`` instructions that read it,
    in circuit order (``Distribution.feed_forward`` of DistributeGates), placed instead of the
    circuit's own: after a DAG round trip Qiskit rebuilds a control-flow operation on
    every access, while these hold Python objects already (the scheduler reads them).
    """
    data = list(circuit.data)  # indexing circuit.data builds a new object per access
    index_of = {q: k for k, q in enumerate(circuit.qubits)}
    n = len(data)
    # priority of each instruction: its index, plus n if it is put off (one int compares
    # faster than a tuple in the heap)
    key = [i + n if _late(inst, index_of, comm) else i for i, inst in enumerate(data)]
    successors: list[list[int]] = [[] for _ in data]
    waiting = [0] * n  # predecessors (one per shared wire) not yet placed
    last: dict = {}  # wire (qubit or clbit) -> last instruction on it
    ready: list[int] = []
    for i, inst in enumerate(data):
        for wire in (*inst.qubits, *inst.clbits):
            j = last.get(wire)
            if j is not None:
                successors[j].append(i)
                waiting[i] += 1
            last[wire] = i
        if not waiting[i]:
            ready.append(key[i])
    heapq.heapify(ready)
    place = data if feed_forward is None else _put_back(data, feed_forward)
    out = circuit.copy_empty_like()
    pop, push = heapq.heappop, heapq.heappush
    while ready:
        i = pop(ready) % n
        out._append(place[i])
        for k in successors[i]:
            waiting[k] -= 1
            if not waiting[k]:
                push(ready, key[k])
    return out


def _put_back(data: list, feed_forward: dict) -> list:
    """``data`` with each control-flow instruction taken from ``feed_forward`` (see
    :func:`lazy_epr_order`): the next one on its first classical bit, which keeps its
    own order of operations through any topological re-linearization."""
    queues = {bit: deque(insts) for bit, insts in feed_forward.items()}
    out = []
    for inst in data:
        if inst.is_control_flow() and inst.clbits[0] in queues:  # (not the input's own)
            match = queues[inst.clbits[0]].popleft()
            if (match.name, match.qubits) != (inst.name, inst.qubits):
                raise AssertionError(
                    f"internal error: '{inst.name}' matched to '{match.name}' across orders")
            inst = match
        out.append(inst)
    return out


def _late(inst, index_of: dict, comm: set[int]) -> bool:
    """Whether :func:`lazy_epr_order` puts ``inst`` off: an ``epr`` or a comm qubit's ``reset``."""
    name = inst.name
    return name == "epr" or (name == "reset" and index_of[inst.qubits[0]] in comm)
