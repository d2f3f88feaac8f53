"""The ebit cost of a placement: segments, carriers and per-pair vertex covers.

A *Z segment* of a qubit is a maximal run of its timeline on which every gate is
diagonal in Z (``cx`` controls, ``cz``, ``cp``, ``crz``, ``rzz``, ``rz``, ...); an
*X segment* likewise in X (``cx`` targets, ``rx``, ``sx``, ``x``, ...). A remote
two-qubit gate between QPUs P and Q must be *carried* by one of its qubits on
which it is diagonal in Z or X: the carrier's current segment in that basis is
copied (cat-entangled, in that basis) onto the other QPU, and one copy serves
every gate of that segment toward that QPU. So a remote CX can be carried by its
control (Z) or by its target (X). Choosing carriers is a vertex cover: each vertex is a
(segment, remote QPU) pair — one ebit per link on the way — and each remote gate
diagonal on both qubits is an edge between its two possible carriers. Vertices of
different QPU pairs never share an edge, and within a pair ``{P, Q}`` the graph is
bipartite (segments on P reaching Q vs segments on Q reaching P), so the minimum
cover is exact per pair by König's theorem (maximum matching).

Examples:
    A segment of q0 (after its H) carries all three gates to QPU 1; q2 and q3 would
    each need their own ebit, so the cover picks q0's segment::

        q0 ─H──■──■──■─      QPU 0: q0, q1
        q1 ────┼──┼──┼─      QPU 1: q2, q3
        q2 ────P──┼──┼─
        q3 ───────P──Z─

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag
    >>> qc = QuantumCircuit(4); _ = qc.h(0)
    >>> _ = qc.cp(0.3, 0, 2); _ = qc.cp(0.2, 0, 3); _ = qc.cz(0, 3)
    >>> gates = two_qubit_gates(circuit_to_dag(qc))
    >>> plan = plan_carriers(gates, [0, 0, 1, 1], np.array([[0, 1], [1, 0]]))
    >>> plan.ebits, plan.lower_bound, sorted(set(plan.carriers.values()))
    (1, 1, [0])

References:
    Andrés-Martínez & Heunen, "Automated distribution of quantum circuits via
    hypergraph partitioning", PRA 100, 032308 (2019).
    Andrés-Martínez et al., "Distributing circuits over heterogeneous, modular
    quantum computing network architectures", Quantum Sci. Technol. 9 045021 (2024).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from networkx.algorithms import bipartite
from qiskit.dagcircuit import DAGCircuit

from dqc.errors import CircuitInputError
from dqc.gates import diagonal_qubits


@dataclass(frozen=True)
class TwoQubitGate:
    """A two-qubit gate as the cost model sees it.

    Attributes:
        position: index of the gate among the DAG's op nodes in topological order.
        qubits: its two qubits (input indices).
        segments: for each qubit that may carry the gate, ``(basis, segment number)``
            with basis ``"z"`` or ``"x"`` (Z preferred when both hold), else ``None``.
    """

    position: int
    qubits: tuple[int, int]
    segments: tuple[tuple[str, int] | None, tuple[str, int] | None]


@dataclass(frozen=True)
class CarrierPlan:
    """Carriers of every remote gate and what they cost.

    Attributes:
        carriers: op-node position of each remote gate -> its carrier qubit.
        ebits: ebits if every (segment, QPU) copy is made once, swapped along a
            shortest path (hop distance per copy).
        lower_bound: size of the minimum covers (each copy costs at least one ebit);
            no carrier choice does better for this placement and these segments.
    """

    carriers: dict[int, int]
    ebits: int
    lower_bound: int


class SegmentCounter:
    """Current Z and X segment number of every qubit, advanced op by op."""

    def __init__(self, num_qubits: int) -> None:
        self.seg = {"z": [0] * num_qubits, "x": [0] * num_qubits}

    def advance(self, op, qs: list[int]) -> dict[str, tuple[int, ...]]:
        """Start new segments where ``op`` is not diagonal; return its diagonal positions."""
        diag = {b: diagonal_qubits(op, b) for b in ("z", "x")}
        for basis, positions in diag.items():
            for pos, q in enumerate(qs):
                if pos not in positions:
                    self.seg[basis][q] += 1
        return diag

    def option(self, diag: dict[str, tuple[int, ...]], pos: int, q: int):
        """``(basis, segment)`` in which position ``pos`` (qubit q) may carry the gate."""
        for basis in ("z", "x"):
            if pos in diag[basis]:
                return (basis, self.seg[basis][q])
        return None


def two_qubit_gates(dag: DAGCircuit) -> list[TwoQubitGate]:
    """The two-qubit gates of ``dag`` with the segment of each possible carrier."""
    counter = SegmentCounter(dag.num_qubits())
    out = []
    for position, node in enumerate(dag.topological_op_nodes()):
        if node.op.name == "barrier":
            continue
        qs = [dag.find_bit(q).index for q in node.qargs]
        diag = counter.advance(node.op, qs)
        if len(qs) == 2:
            a, b = counter.option(diag, 0, qs[0]), counter.option(diag, 1, qs[1])
            if a is None and b is None:
                raise CircuitInputError(
                    f"'{node.op.name}' is diagonal on neither qubit; run UnrollForDistribution "
                    "(and ElideSwaps for swaps) first"
                )
            out.append(TwoQubitGate(position, (qs[0], qs[1]), (a, b)))
    return out


def plan_carriers(
    gates: Sequence[TwoQubitGate], part: Sequence[int], dist: np.ndarray
) -> CarrierPlan:
    """Minimum per-pair vertex covers for the placement ``part`` (QPU index per qubit)."""
    pairs: dict[tuple[int, int], tuple[list, list]] = {}
    for g in gates:
        a, b = g.qubits
        p, q = int(part[a]), int(part[b])
        if p == q:
            continue
        edges, forced = pairs.setdefault((min(p, q), max(p, q)), ([], []))
        sa, sb = g.segments
        va = (a, *sa, q) if sa is not None else None
        vb = (b, *sb, p) if sb is not None else None
        if va is not None and vb is not None:
            edges.append((va, vb, g.position))
        else:
            forced.append((va if va is not None else vb, g.position))
    carriers: dict[int, int] = {}
    ebits = lower = 0
    for (p, q), (edges, forced) in sorted(pairs.items()):
        cover = {v for v, _ in forced}
        for v, position in forced:
            carriers[position] = v[0]
        graph = nx.Graph()
        for va, vb, _ in edges:
            if va not in cover and vb not in cover:
                graph.add_edge(va, vb)
        if graph.number_of_edges():
            top = [v for v in graph if part[v[0]] == p]
            matching = bipartite.hopcroft_karp_matching(graph, top)
            cover |= bipartite.to_vertex_cover(graph, matching, top)
        for va, vb, position in edges:
            carriers[position] = va[0] if va in cover else vb[0]
        lower += len(cover)
        ebits += len(cover) * int(dist[p, q])
    return CarrierPlan(carriers, ebits, lower)
