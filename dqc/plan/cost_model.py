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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from qiskit.dagcircuit import DAGCircuit
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order, maximum_bipartite_matching

from dqc.errors import CircuitInputError
from dqc.gates import BLOCKS, diagonal_qubits


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

    @property
    def at(self) -> int:
        """Op position the gate happens at: ``position``, or for a copy an embedding
        mirror forces (negative position ``-1 - p``, see :mod:`dqc.plan.embedding`), p."""
        return self.position if self.position >= 0 else -1 - self.position


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
    """Current Z and X segment number of every qubit, advanced op by op — the one
    segment count the cost model, the embedding search and the distributor share.

    ``through`` holds ``(op position, qubit, basis)`` where a segment continues
    through a flip (see :mod:`dqc.plan.embedding`) instead of ending.

    Examples:
        >>> from qiskit.circuit.library import CXGate, HGate
        >>> c = SegmentCounter(2)
        >>> _ = c.advance(CXGate(), [0, 1]); _ = c.advance(HGate(), [0])
        >>> c.seg  # CX ends q0's X segment and q1's Z segment; H ends both of q0's
        {'z': [1, 1], 'x': [2, 0]}
    """

    def __init__(self, num_qubits: int, through: frozenset = frozenset()) -> None:
        self.seg = {"z": [0] * num_qubits, "x": [0] * num_qubits}
        self.through = through

    def cross(self, position: int, qs: list[int], dz: tuple[int, ...],
              dx: tuple[int, ...]) -> None:
        """Start a new segment for each qubit of ``qs`` on which the op at ``position``
        is not diagonal (``dz``, ``dx``: its Z- and X-diagonal positions), unless the
        segment continues through it."""
        through = self.through
        for basis, diag in (("z", dz), ("x", dx)):
            seg = self.seg[basis]
            for pos, q in enumerate(qs):
                if pos not in diag and (not through or (position, q, basis) not in through):
                    seg[q] += 1

    def advance(self, op, qs: list[int], position: int = -1) -> dict[str, tuple[int, ...]]:
        """Start new segments where ``op`` is not diagonal; return its diagonal positions."""
        dz, dx = _diagonals(op)
        self.cross(position, qs, dz, dx)
        return {"z": dz, "x": dx}

    def option(self, diag: dict[str, tuple[int, ...]], pos: int, q: int):
        """``(basis, segment)`` in which position ``pos`` (qubit q) may carry the gate."""
        for basis in ("z", "x"):
            if pos in diag[basis]:
                return (basis, self.seg[basis][q])
        return None


_PLAIN: dict[tuple[type, str, int], tuple[tuple[int, ...], tuple[int, ...]]] = {}


def _diagonals(op) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(diagonal_qubits(op, "z"), diagonal_qubits(op, "x"))``, memoised for
    parameterless ops by (class, name, width) — the key :func:`diagonal_qubits` uses too.
    """
    if op.params:
        return (diagonal_qubits(op, "z"), diagonal_qubits(op, "x"))
    key = (type(op), op.name, op.num_qubits)
    known = _PLAIN.get(key)
    if known is None:
        known = _PLAIN[key] = (diagonal_qubits(op, "z"), diagonal_qubits(op, "x"))
    return known


def op_walk(dag: DAGCircuit) -> Iterator[tuple[int, str, list[int], tuple[int, ...],
                                               tuple[int, ...]]]:
    """``(position, name, qubit indices, Z-diagonal positions, X-diagonal positions)`` of
    every op of ``dag`` but barriers, in topological order (position counts barriers)."""
    index = {bit: i for i, bit in enumerate(dag.qubits)}
    for position, node in enumerate(dag.topological_op_nodes()):
        name = node.name
        if name != "barrier":
            yield (position, name, [index[q] for q in node.qargs], *_node_diagonals(node))


_STANDARD_DIAGONALS: dict[tuple, tuple[tuple[int, ...], tuple[int, ...]]] = {}
#: Most standard gates (name, parameters) :func:`_node_diagonals` remembers.
_STANDARD_KEPT = 65_536


def _node_diagonals(node) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """:func:`_diagonals` of a DAG node's operation, read without building it for a
    standard gate seen before with the same parameters (``node.op`` builds a new Python
    gate on every read: 15 µs for a controlled phase, half a million in a QFT-1000)."""
    if not node.is_standard_gate():
        return _diagonals(node.op)
    key = (node.name, tuple(node.params), len(node.qargs))
    known = _STANDARD_DIAGONALS.get(key)
    if known is None:
        known = _diagonals(node.op)
        if len(_STANDARD_DIAGONALS) < _STANDARD_KEPT:
            _STANDARD_DIAGONALS[key] = known
    return known


def two_qubit_gates(dag: DAGCircuit) -> list[TwoQubitGate]:
    """The two-qubit gates of ``dag`` with the segment of each possible carrier."""
    counter = SegmentCounter(dag.num_qubits())
    seg_z, seg_x = counter.seg["z"], counter.seg["x"]
    out = []
    for position, name, qs, dz, dx in op_walk(dag):
        counter.cross(position, qs, dz, dx)
        if len(qs) == 2 and name not in BLOCKS:  # (a block ends every segment, locally)
            q0, q1 = qs
            a = ("z", seg_z[q0]) if 0 in dz else ("x", seg_x[q0]) if 0 in dx else None
            b = ("z", seg_z[q1]) if 1 in dz else ("x", seg_x[q1]) if 1 in dx else None
            if a is None and b is None:
                raise CircuitInputError(
                    f"'{name}' is diagonal on neither qubit; run UnrollForDistribution "
                    "(and ElideSwaps for swaps) first"
                )
            out.append(TwoQubitGate(position, (qs[0], qs[1]), (a, b)))
    return out


def shared_two_qubit_gates(dag: DAGCircuit, property_set) -> list[TwoQubitGate]:
    """:func:`two_qubit_gates` of ``dag``, computed once for the passes of one run.

    :class:`~dqc.passes.BuildInteractionGraph` keeps them in
    ``property_set["dqc_two_qubit_gates"]`` with the DAG they were computed on; they are
    reused while passes are handed that same DAG object (the analysis passes leave it as
    it is, and DistributeGates reads them before building its output), and computed
    afresh otherwise. Callers must not change the list.
    """
    kept = property_set["dqc_two_qubit_gates"]
    if kept is None or kept[0] is not dag:
        return two_qubit_gates(dag)
    return kept[1]


def plan_carriers(
    gates: Sequence[TwoQubitGate], part: Sequence[int], dist: np.ndarray
) -> CarrierPlan:
    """Minimum per-pair vertex covers for the placement ``part`` (QPU index per qubit).

    Qubit ids in ``gates`` index ``part``. For repeated scoring of one gate list
    under many placements, build a :class:`GateTable` once and call its ``plan``.
    """
    return GateTable.from_gates(gates).plan(part, dist)


class GateTable:
    """Two-qubit gates as arrays, for scoring many placements fast and exactly.

    Every possible carrier segment ``(qubit, basis, segment)`` gets a dense id; a
    vertex of the cover problem is ``segment id * K + remote QPU``. All QPU pairs
    form one bipartite graph (a vertex on QPU P reaching Q is on the left when
    P < Q), matched at once by Hopcroft–Karp
    (:func:`scipy.sparse.csgraph.maximum_bipartite_matching`).

    The cover taken is König's from the left side: the left vertices that every
    maximum matching covers, and the right neighbours of the others. That set does
    not depend on which maximum matching the solver returns (the left vertices
    some maximum matching misses are exactly those reachable from an unmatched
    left vertex by an alternating path), so carriers are deterministic whatever
    the SciPy version.

    Examples:
        >>> table = GateTable.from_gates([
        ...     TwoQubitGate(0, (0, 2), (("z", 0), ("x", 0))),
        ...     TwoQubitGate(1, (1, 2), (("z", 0), ("x", 0)))])
        >>> plan = table.plan([0, 0, 1], np.array([[0, 1], [1, 0]]))
        >>> plan.ebits, plan.lower_bound, plan.carriers
        (1, 1, {0: 2, 1: 2})
        >>> table.plan([0, 1, 1], np.array([[0, 1], [1, 0]]), carriers=False).ebits
        1
    """

    def __init__(self, positions: np.ndarray, qubits: np.ndarray, segments: np.ndarray) -> None:
        self.positions = positions  # (m,) op-node positions
        self.qubits = qubits  # (m, 2) qubit ids
        self.segments = segments  # (m, 2) dense segment ids, -1 where the qubit cannot carry
        self.segment_qubit = np.zeros(0, dtype=np.int64)  # qubit of each segment id
        if segments.size:
            ids = segments[segments >= 0]
            owner = qubits[segments >= 0]
            self.segment_qubit = np.zeros(int(ids.max(initial=-1)) + 1, dtype=np.int64)
            self.segment_qubit[ids] = owner

    @classmethod
    def from_gates(cls, gates: Sequence[TwoQubitGate]) -> GateTable:
        """Tabulate ``gates`` (any qubit ids, e.g. virtual ones)."""
        m = len(gates)
        positions = np.fromiter((g.position for g in gates), dtype=np.int64, count=m)
        qubits = np.array([g.qubits for g in gates], dtype=np.int64).reshape(m, 2)
        ids: dict[tuple[int, tuple[str, int]], int] = {}  # (qubit, (basis, number)) -> id
        flat: list[int] = []  # (both sides of each gate; -1: that qubit cannot carry it)
        for g in gates:
            (a, b), (sa, sb) = g.qubits, g.segments
            ia = -1 if sa is None else ids.setdefault((a, sa), len(ids))
            ib = -1 if sb is None else ids.setdefault((b, sb), len(ids))
            if ia < 0 and ib < 0:
                raise CircuitInputError(
                    f"gate at position {g.position} on qubits {g.qubits} can be carried "
                    "by neither qubit")
            flat += (ia, ib)
        return cls(positions, qubits, np.array(flat, dtype=np.int64).reshape(m, 2))

    def plan(self, part: Sequence[int] | np.ndarray, dist: np.ndarray, *,
             carriers: bool = True) -> CarrierPlan:
        """Minimum per-pair covers for ``part``; ``carriers=False`` leaves the dict empty."""
        part = np.asarray(part, dtype=np.int64)
        dist = np.asarray(dist)
        k = int(dist.shape[0])
        remote, vert = self._vertices(part, k)
        cover = self.cover(part, dist)
        own = part[self.segment_qubit[cover // k]]
        ebits = int(dist[own, cover % k].sum())
        out: dict[int, int] = {}
        if carriers:
            a_carries = _member(vert[:, 0], cover)
            who = np.where(a_carries, self.qubits[remote, 0], self.qubits[remote, 1])
            out = dict(zip(self.positions[remote].tolist(), who.tolist()))
        return CarrierPlan(out, ebits, len(cover))

    def cover(self, part: np.ndarray, dist: np.ndarray) -> np.ndarray:
        """The minimum covers' vertices, sorted: ``segment id * K + remote QPU``."""
        k = int(dist.shape[0])
        remote, vert = self._vertices(part, k)
        qpu = part[self.qubits[remote]]
        one_sided = (vert < 0).any(axis=1)
        forced = _unique(vert[one_sided].max(axis=1))
        two_sided = ~one_sided
        va, vb = vert[two_sided, 0], vert[two_sided, 1]
        free = ~(_member(va, forced) | _member(vb, forced))
        va, vb = va[free], vb[free]
        a_left = qpu[two_sided][free, 0] < qpu[two_sided][free, 1]
        left_v, right_v = np.where(a_left, va, vb), np.where(a_left, vb, va)
        # (disjoint: the edges left to match touch no forced vertex)
        return np.sort(np.concatenate([forced, _konig_cover(left_v, right_v)]))

    def _vertices(self, part: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Remote gates (indices) and each side's vertex (its segment, the other side's
        QPU), -1 where that side cannot carry."""
        qpu = part[self.qubits] if len(self.qubits) else np.zeros((0, 2), dtype=np.int64)
        remote = np.flatnonzero(qpu[:, 0] != qpu[:, 1])
        segs = self.segments[remote]
        return remote, np.where(segs >= 0, segs * k + qpu[remote][:, ::-1], -1)


def _unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` of integers by sorting: NumPy 2.3+ hashes first, which is
    about four times slower on the covers' arrays (mostly distinct values).

    Examples:
        >>> _unique(np.array([3, 1, 3, 2])).tolist()
        [1, 2, 3]
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``values[i] in sorted_set`` for each i (``sorted_set`` sorted and unique)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


def _adjacency(rows: np.ndarray, cols: np.ndarray, num_rows: int, num_cols: int
               ) -> csr_array:
    """The 0/1 matrix with an entry at every ``(rows[i], cols[i])``: repeats merged and
    each row's columns sorted, as ``csr_array((data, (rows, cols)))`` stores them, built
    straight from the sorted keys (the COO route costs more than the matching on the
    covers' small graphs).

    Examples:
        >>> _adjacency(np.array([1, 0, 1]), np.array([0, 1, 0]), 2, 2).toarray().tolist()
        [[0.0, 1.0], [1.0, 0.0]]
    """
    keys = _unique(rows.astype(np.int64) * num_cols + cols)
    indptr = np.searchsorted(keys, np.arange(num_rows + 1) * num_cols)
    return csr_array((np.ones(len(keys)), keys % num_cols, indptr), shape=(num_rows, num_cols))


def _konig_cover(left_v: np.ndarray, right_v: np.ndarray) -> np.ndarray:
    """König's minimum vertex cover of the bipartite graph with edges ``left_v[i]–right_v[i]``.

    Left vertices reachable from an unmatched left vertex by an alternating path
    (set Z) leave the cover, their right neighbours enter it.
    """
    if not len(left_v):
        return np.zeros(0, dtype=np.int64)
    lefts, rights = _unique(left_v), _unique(right_v)
    li, ri = np.searchsorted(lefts, left_v), np.searchsorted(rights, right_v)
    nl, nr = len(lefts), len(rights)
    graph = _adjacency(li, ri, nl, nr)
    row_of = maximum_bipartite_matching(graph, perm_type="row")  # column -> row, -1 if none
    unmatched = np.ones(nl, dtype=bool)
    unmatched[row_of[row_of >= 0]] = False
    # alternating step: left i -> right j (any edge) -> left row_of[j]; node nl is a source
    # joined to every unmatched left vertex
    src = np.concatenate([li, np.full(int(unmatched.sum()), nl)])
    dst = np.concatenate([row_of[ri], np.flatnonzero(unmatched)])
    keep = dst >= 0  # (from a reachable left vertex every right neighbour is matched)
    steps = _adjacency(src[keep], dst[keep], nl + 1, nl + 1)
    reach = np.zeros(nl + 1, dtype=bool)
    reach[breadth_first_order(steps, nl, directed=True, return_predecessors=False)] = True
    z_left = reach[:nl]
    cover_left = lefts[~z_left]
    cover_right = _unique(right_v[z_left[li]])
    # (disjoint: a vertex is on the left or on the right by its own QPU and the remote one)
    return np.sort(np.concatenate([cover_left, cover_right]))
