"""Teledata: qubits that move between QPUs over time, and what that costs.

A *move* teleports an input qubit's state to another QPU (one Bell pair per hop of
the shortest path) before a given operation; from then on its gates are local
there. A placement that changes over time is a *time-sliced assignment*: the
circuit is cut into *slices* — the layers of its two-qubit gates — and moves
happen between slices, in batches. Every pass that needs slices uses the same
:func:`layered_order` of the DAG's operations, so a move is named by the
position (in ``dag.topological_op_nodes()``) of the first operation of the
slice it precedes.

For the cost model, each stay of a qubit on one QPU is a *virtual qubit*: the
vertex-cover plan of :func:`dqc.plan.cost_model.plan_carriers` runs on virtual
qubits unchanged, so a segment never spans a move (a move ends the qubit's
segments: its cat copies are closed before the state leaves).

Examples:
    With q0, q1 on QPU 0 and q2 on QPU 1, moving q0 to QPU 1 after the first CZ
    costs one ebit (as a telegate for the second CZ would)::

        q0 ─■──■─        slice 1: cz(q0, q1)    slice 2: cz(q0, q2)
        q1 ─■──┼─
        q2 ────■─

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag
    >>> qc = QuantumCircuit(3); _ = qc.cz(0, 1); _ = qc.cz(0, 2)
    >>> dag = circuit_to_dag(qc)
    >>> timeline = Timeline.of(dag)
    >>> timeline.slice_of_position, timeline.slice_start(2)
    ((1, 2), 1)
    >>> moves = (Move(position=1, qubit=0, qpu=1),)
    >>> cost = time_sliced_cost(timeline, two_qubit_gates(dag), [0, 0, 1], moves,
    ...                         np.array([[0, 1], [1, 0]]))
    >>> cost.ebits, cost.move_ebits, cost.lower_bound
    (1, 1, 1)
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from qiskit.dagcircuit import DAGCircuit

from dqc.plan.cost_model import CarrierPlan, TwoQubitGate, plan_carriers, two_qubit_gates
from dqc.plan.weighted_cover import plan_weighted

__all__ = ["Move", "Timeline", "TimeSlicedCost", "time_sliced_cost", "two_qubit_gates"]


@dataclass(frozen=True, order=True)
class Move:
    """Teleport input qubit ``qubit`` to QPU index ``qpu`` before op position ``position``.

    ``position`` is the index, in ``dag.topological_op_nodes()``, of the first
    operation of the slice the move precedes (:meth:`Timeline.slice_start`).
    """

    position: int
    qubit: int
    qpu: int


@dataclass(frozen=True)
class Timeline:
    """The slices of a DAG and the order in which a distributor with moves walks it.

    Attributes:
        order: op positions (indices in ``dag.topological_op_nodes()``) sorted by
            slice, then by position — a topological order in which every slice is
            contiguous.
        rank: ``rank[position]`` is the index of ``position`` in ``order``.
        slice_of_position: slice of every op: 1 + the largest slice of the two-qubit
            gates before it on its wires (its own, for a two-qubit gate).
        num_slices: number of slices (layers of two-qubit gates).
    """

    order: tuple[int, ...]
    rank: tuple[int, ...]
    slice_of_position: tuple[int, ...]
    num_slices: int

    @classmethod
    def of(cls, dag: DAGCircuit) -> Timeline:
        """Slices of ``dag`` by as-soon-as-possible layering of its two-qubit gates."""
        nodes = list(dag.topological_op_nodes())
        index = {node._node_id: i for i, node in enumerate(nodes)}
        depth = [0] * len(nodes)
        for i, node in enumerate(nodes):
            before = [depth[index[p._node_id]] for p in dag.op_predecessors(node)]
            two = len(node.qargs) == 2 and node.op.name != "barrier"
            depth[i] = max(before, default=0) + (1 if two else 0)
        slices = tuple(depth)
        order = tuple(sorted(range(len(nodes)), key=lambda i: (slices[i], i)))
        rank = [0] * len(nodes)
        for r, i in enumerate(order):
            rank[i] = r
        return cls(order, tuple(rank), slices, max(slices, default=0))

    def slice_start(self, s: int) -> int:
        """Position of the first op of slice ``s`` or later (``len(order)``: none)."""
        r = bisect.bisect_left(self.order, s, key=self.slice_of_position.__getitem__)
        return self.order[r] if r < len(self.order) else len(self.order)

    def rank_of(self, position: int) -> int:
        """Rank of ``position`` in :attr:`order`; ``len(order)`` means after the last op."""
        return self.rank[position] if position < len(self.rank) else len(self.rank)


@dataclass(frozen=True)
class TimeSlicedCost:
    """Ebits of a time-sliced assignment.

    Attributes:
        ebits: ebits of the moves plus those of the carrier plan.
        move_ebits: ebits of the moves (hops of the shortest path each).
        lower_bound: moves plus the plan's minimum covers.
        plan: the carrier plan on virtual qubits, carriers mapped back to input qubits.
        virtual_part: QPU of every virtual qubit (one per stay of a qubit on a QPU).
    """

    ebits: int
    move_ebits: int
    lower_bound: int
    plan: CarrierPlan
    virtual_part: tuple[int, ...]


def time_sliced_cost(
    timeline: Timeline,
    gates: Sequence[TwoQubitGate],
    part: Sequence[int],
    moves: Sequence[Move],
    dist: np.ndarray,
    weight: Callable[[tuple[int, str, int, int]], float] | None = None,
) -> TimeSlicedCost:
    """True ebit cost of starting at ``part`` and making ``moves`` (QPU indices).

    With ``weight`` (of a copy ``(input qubit, basis, segment, remote QPU)``) the
    carriers come from :func:`dqc.plan.weighted_cover.plan_weighted` instead.
    """
    rank = timeline.rank
    where = [int(p) for p in part]
    vpart = list(where)  # virtual qubit q < n: the first stay of input qubit q
    real_of = list(range(len(part)))
    stays: list[list[tuple[int, int]]] = [[(-1, q)] for q in range(len(part))]
    move_ebits = 0
    for m in sorted(moves, key=lambda m: (timeline.rank_of(m.position), m.qubit)):
        move_ebits += int(dist[where[m.qubit], m.qpu])
        where[m.qubit] = m.qpu
        stays[m.qubit].append((timeline.rank_of(m.position), len(vpart)))
        vpart.append(m.qpu)
        real_of.append(m.qubit)
    virtual = [
        TwoQubitGate(g.position, (_stay(stays[g.qubits[0]], rank[g.at]),
                                  _stay(stays[g.qubits[1]], rank[g.at])), g.segments)
        for g in gates
    ]
    if weight is None:
        plan = plan_carriers(virtual, vpart, dist)
    else:
        plan = plan_weighted(virtual, vpart, dist, lambda v: weight((real_of[v[0]], *v[1:])))
    carriers = {p: real_of[v] for p, v in plan.carriers.items()}
    return TimeSlicedCost(
        ebits=plan.ebits + move_ebits,
        move_ebits=move_ebits,
        lower_bound=plan.lower_bound + len(moves),
        plan=CarrierPlan(carriers, plan.ebits, plan.lower_bound),
        virtual_part=tuple(vpart),
    )


def _stay(stays: list[tuple[int, int]], r: int) -> int:
    """Virtual qubit of the stay that contains rank ``r`` (stays sorted by start rank)."""
    v = stays[0][1]
    for start, vid in stays[1:]:
        if start <= r:
            v = vid
        else:
            break
    return v
