"""Lives of a circuit's qubits: when each one needs a data qubit of its own.

A circuit's qubits start in ``|0>``, so a qubit needs no data qubit before its first
operation that is not a plain one-qubit gate: the gates before it can wait, and the
qubit is *born* there, on any free data qubit of its QPU. A qubit whose last operation
is a measurement *dies* there: the data qubit is free again (reset before its next
use). With ``reuse``, :class:`~dqc.plan.distribution.Builder` gives data qubits out at
births and takes them back at deaths, so a QPU can hold, over the circuit, more qubits
than it has data qubits: as many as it holds alive at once.

Examples:
    q1 is born at the second CX (its X waits), q0 dies at its measurement::

        q0 ─■───M─
        q1 ─┼─X─■─
        q2 ─X───X─

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag
    >>> qc = QuantumCircuit(3, 1); _ = qc.cx(0, 2); _ = qc.x(1); _ = qc.cx(1, 2)
    >>> _ = qc.measure(0, 0)
    >>> lives = Lives.of(circuit_to_dag(qc))
    >>> [sorted(p) for p in lives.prefix], lives.death  # (the X is op 0 in DAG order)
    ([[], [0], []], (3, -1, -1))
    >>> lives.birth
    (1, 2, 1)
"""

from __future__ import annotations

from dataclasses import dataclass

from qiskit.circuit import Gate
from qiskit.dagcircuit import DAGCircuit

__all__ = ["Lives", "can_change_hands"]


@dataclass(frozen=True)
class Lives:
    """Per qubit of a DAG (positions: indices in ``dag.topological_op_nodes()``).

    Attributes:
        prefix: the one-qubit gates before the qubit's first other operation (they wait
            for its birth).
        death: the position of its final measurement, when that is its last operation
            (-1: it keeps its data qubit to the end).
        birth: the position of its first operation not in ``prefix`` (-1: none).
    """

    prefix: tuple[frozenset[int], ...]
    death: tuple[int, ...]
    birth: tuple[int, ...] = ()

    @classmethod
    def of(cls, dag: DAGCircuit) -> Lives:
        """The lives of ``dag``'s qubits."""
        position = {node._node_id: i for i, node in enumerate(dag.topological_op_nodes())}
        prefix: list[frozenset[int]] = []
        death: list[int] = []
        birth: list[int] = []
        for wire in dag.qubits:
            ops = list(dag.nodes_on_wire(wire, only_ops=True))
            waits = []
            for node in ops:
                if not (isinstance(node.op, Gate) and len(node.qargs) == 1 and not node.cargs):
                    break
                waits.append(position[node._node_id])
            prefix.append(frozenset(waits))
            birth.append(position[ops[len(waits)]._node_id] if len(waits) < len(ops) else -1)
            last = ops[-1] if ops else None
            dies = last is not None and last.name == "measure"
            death.append(position[last._node_id] if dies else -1)  # type: ignore[union-attr]
        return cls(tuple(prefix), tuple(death), tuple(birth))


def can_change_hands(dag: DAGCircuit) -> bool:
    """Whether a data qubit can ever pass from one of ``dag``'s qubits to another.

    ``False`` when every qubit is born in the first layer of operations that are not
    waiting one-qubit gates, and no qubit's final measurement can come before another
    qubit's birth in any order of the DAG: then every qubit holds its data qubit from
    the start (or before any other can end), so a QPU given more qubits than it has
    data qubits never fits, and reuse has only free data qubits to offer.

    Examples:
        Two independent CXs: both pairs are born at once and measured at the end::

            q0 ─■─M─      q2 ─■─M─
            q1 ─X─M─      q3 ─X─M─

        >>> from qiskit import QuantumCircuit
        >>> from qiskit.converters import circuit_to_dag
        >>> qc = QuantumCircuit(4, 4); _ = qc.cx(0, 1); _ = qc.cx(2, 3)
        >>> _ = qc.measure(range(4), range(4))
        >>> can_change_hands(circuit_to_dag(qc))  # q0 may be measured before q2 is born
        True
        >>> qc = QuantumCircuit(3, 3); _ = qc.cx(0, 1); _ = qc.cx(1, 2); _ = qc.measure(0, 0)
        >>> can_change_hands(circuit_to_dag(qc))  # q2 is born after the first layer
        True
        >>> qc = QuantumCircuit(2, 2); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.measure([0, 1], [0, 1])
        >>> can_change_hands(circuit_to_dag(qc))
        False
    """
    lives = Lives.of(dag)
    nodes = list(dag.topological_op_nodes())
    index = {node._node_id: i for i, node in enumerate(nodes)}
    waits = frozenset().union(*lives.prefix)
    born_at: dict[int, int] = {}  # position -> bit mask of the qubits born there
    for q, b in enumerate(lives.birth):
        if b < 0:
            continue
        if any(index[p._node_id] not in waits for p in dag.op_predecessors(nodes[b])):
            return True  # born after another operation: a data qubit may be free for it
        born_at[b] = born_at.get(b, 0) | 1 << q
    # births_before[i]: the qubits whose birth comes before position i in every order
    births_before = [0] * len(nodes)
    for i, node in enumerate(nodes):
        mask = born_at.get(i, 0)
        for p in dag.op_predecessors(node):
            mask |= births_before[index[p._node_id]]
        births_before[i] = mask
    born = sum(1 << q for q, b in enumerate(lives.birth) if b >= 0)
    return any(born & ~births_before[d] & ~(1 << q) for q, d in enumerate(lives.death) if d >= 0)
