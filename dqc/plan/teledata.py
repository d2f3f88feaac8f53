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
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from qiskit.dagcircuit import DAGCircuit

from dqc.errors import plural
from dqc.plan.cost_model import CarrierPlan, TwoQubitGate, plan_carriers, two_qubit_gates
from dqc.plan.layer_moves import (
    DEFAULT_LAYERS,
    LayerSettings,
    NoFit,
    assign_layers,
    layer_groups,
)
from dqc.plan.weighted_cover import plan_weighted

__all__ = ["Move", "Sliced", "Stays", "Timeline", "TimeSlicedCost", "time_sliced_cost",
           "two_qubit_gates"]


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
            two = len(node.qargs) == 2 and node.name != "barrier"
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
class Stays:
    """Each input qubit's stays on one QPU under a time-sliced assignment: the virtual
    qubits of the cost model.

    Attributes:
        part: QPU of each virtual qubit (virtual qubit q < n: input qubit q's first stay;
            the others in the order of the moves).
        real: input qubit of each virtual qubit.
        ordinal: index of each virtual qubit among its input qubit's stays (0: the first).
        starts: per input qubit, ``(start rank, virtual qubit)`` of its stays, sorted (the
            first starts at -1, before every rank).
        move_ebits: ebits of the moves (hops of the shortest path each).
    """

    part: tuple[int, ...]
    real: tuple[int, ...]
    ordinal: tuple[int, ...]
    starts: tuple[tuple[tuple[int, int], ...], ...]
    move_ebits: int

    @classmethod
    def of(cls, timeline: Timeline, part: Sequence[int], moves: Sequence[Move],
           dist: np.ndarray) -> Stays:
        """The stays of starting at ``part`` (QPU indices) and making ``moves``."""
        where = [int(p) for p in part]
        vpart, real, ordinal = list(where), list(range(len(part))), [0] * len(part)
        starts: list[list[tuple[int, int]]] = [[(-1, q)] for q in range(len(part))]
        move_ebits = 0
        for m in sorted(moves, key=lambda m: (timeline.rank_of(m.position), m.qubit)):
            move_ebits += int(dist[where[m.qubit], m.qpu])
            where[m.qubit] = m.qpu
            ordinal.append(len(starts[m.qubit]))
            starts[m.qubit].append((timeline.rank_of(m.position), len(vpart)))
            vpart.append(m.qpu)
            real.append(m.qubit)
        return cls(tuple(vpart), tuple(real), tuple(ordinal),
                   tuple(tuple(s) for s in starts), move_ebits)

    def at(self, q: int, r: int) -> int:
        """Virtual qubit of input qubit ``q``'s stay that contains rank ``r``."""
        stays = self.starts[q]
        return stays[bisect.bisect_right(stays, (r, math.inf)) - 1][1]

    def pair(self, qubits: tuple[int, int], r: int) -> tuple[int, int]:
        """The virtual qubits of a two-qubit gate on input ``qubits`` at rank ``r``."""
        return self.at(qubits[0], r), self.at(qubits[1], r)


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
    stays = Stays.of(timeline, part, moves, dist)
    stays_once = [len(s) == 1 for s in stays.starts]  # (its virtual qubit is itself)
    virtual = [g if stays_once[g.qubits[0]] and stays_once[g.qubits[1]] else
               TwoQubitGate(g.position, stays.pair(g.qubits, rank[g.at]), g.segments)
               for g in gates]
    vpart, real_of, move_ebits = stays.part, stays.real, stays.move_ebits
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
        virtual_part=vpart,
    )


# ----- the search (the pass is dqc.passes.PlanTeledata) ------------------------------


@dataclass(frozen=True)
class SearchSettings:
    """Effort of :func:`search_moves`.

    Attributes:
        lookahead: decay factors of future interactions to try.
        thresholds: gain per ebit a move must reach, to try.
        max_gates: circuits with more two-qubit gates keep the static partition;
            ``None`` (the default): no limit. The sweeps cost about linear time in the
            gates (sparse interactions per slice), and ``work`` caps how many are tried.
        work: budget of (slices × qubits²) summed over the settings tried; large
            circuits try fewer settings, those nearest to lookahead 0.5 and threshold 1
            first (deterministic: it depends only on the circuit's size).
        layers: the layer assignment's effort (:mod:`dqc.plan.layer_moves`), tried
            besides the sweeps when the circuit is layered, there are at least two comm
            qubits per QPU (qubits trade places) and every two QPUs share a link (its
            batches of moves would need relays' comm qubits otherwise, which the model
            does not see: on QV-32 over a line of 4 QPUs the layer plan emitted more
            than the static plan's 1,860 ebits, where the sweeps' plan emits 568);
            ``None``: not tried.
    """

    lookahead: tuple[float, ...] = (0.3, 0.5, 0.6, 0.75, 0.9)
    thresholds: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0)
    max_gates: int | None = None
    work: float = 3e7
    layers: LayerSettings | None = DEFAULT_LAYERS

    def grid(self, unit: float) -> list[tuple[float, float]]:
        """(lookahead, threshold) pairs to try, nearest to (0.5, 1) first, within the budget."""
        near_a, near_t = _nearest(self.lookahead, 0.5), _nearest(self.thresholds, 1.0)
        grid = [(abs(i - near_a) + abs(j - near_t), i, j)
                for i in range(len(self.lookahead)) for j in range(len(self.thresholds))]
        count = max(1, min(len(grid), int(self.work // max(unit, 1.0))))
        return [(self.lookahead[i], self.thresholds[j]) for _, i, j in sorted(grid)[:count]]


@dataclass(frozen=True)
class MovesFound:
    """What :func:`search_moves` found.

    Attributes:
        start: QPU index of each qubit at the start (may relabel the given placement).
        moves: the moves, in circuit order (empty if none pays).
        ebits: modelled ebits of ``start`` with ``moves`` (the static plan's if none).
        static_ebits: modelled ebits of the given placement without moves.
        lower_bound: the bound of the plan found (the static plan's if none).
        reason: one line saying why.
        timeline: the slices of the circuit the moves were planned on (``None`` when
            the search stopped before slicing it).
        moving: the ``(start, moves)`` tried that have moves, whether or not they beat
            the static plan (embedding may make them pay:
            :mod:`dqc.plan.teledata_embedding`): distinct, cheapest first (ties: fewer
            moves, then as tried).
    """

    start: tuple[int, ...]
    moves: tuple[Move, ...]
    ebits: int
    static_ebits: int
    lower_bound: int
    reason: str
    timeline: Timeline | None = field(default=None, repr=False, compare=False)
    moving: tuple[tuple[tuple[int, ...], tuple[Move, ...]], ...] = field(
        default=(), repr=False, compare=False)


@dataclass
class Sliced:
    """What searches from several starts on one circuit share: its slices, and the
    lookahead windows a search keeps (:func:`_windows`, for each lookahead the grid
    tries more than once), so that the next start reads them instead of building them
    again.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.converters import circuit_to_dag
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> Sliced.of(circuit_to_dag(qc)).timeline.num_slices
        1
    """

    timeline: Timeline
    windows: dict[float, list[_Interactions]] = field(default_factory=dict)

    @classmethod
    def of(cls, dag: DAGCircuit) -> Sliced:
        """The slices of ``dag``, no windows yet."""
        return cls(Timeline.of(dag))


def search_moves(dag: DAGCircuit, gates: Sequence[TwoQubitGate], part: Sequence[int],
                 caps: Sequence[int], comm: Sequence[int], dist: np.ndarray,
                 settings: SearchSettings = SearchSettings(), *,
                 sliced: Sliced | None = None) -> MovesFound:
    """Time-sliced assignments from ``part`` (see :class:`~dqc.passes.PlanTeledata`).

    Args:
        dag: the circuit.
        gates: its two-qubit gates.
        part: QPU index of each qubit (the static placement).
        caps: data qubits per QPU.
        comm: comm qubits per QPU.
        dist: hop distances between QPUs.
        settings: the search effort.
        sliced: ``Sliced.of(dag)``, shared by the searches from other starts (default:
            made here).
    """
    part = np.asarray(part)  # type: ignore[assignment]
    static = plan_carriers(gates, part, dist)
    keep = MovesFound(tuple(int(k) for k in part), (), static.ebits, static.ebits,
                      static.lower_bound, "")
    if static.ebits == 0 or min(comm) == 0:
        return replace(keep, reason="no remote gates" if static.ebits == 0
                       else "a QPU has no comm qubits")
    if settings.max_gates is not None and len(gates) > settings.max_gates:
        return replace(keep, reason=f"{plural(len(gates), 'two-qubit gate')} > "
                                    f"max_gates={settings.max_gates}")
    sliced = Sliced.of(dag) if sliced is None else sliced
    timeline = sliced.timeline
    best = (static.ebits, 0)
    found = None
    scored: dict[tuple[tuple[int, ...], tuple[Move, ...]], int] = {}  # ebits, as first tried
    for start, moves in _candidates(sliced, gates, part, caps, comm, dist, settings):
        key = (tuple(start.tolist()), moves)
        if (not moves and np.array_equal(start, part)) or key in scored:
            continue  # (settings often agree: each scored once; a repeat cannot beat best)
        cost = time_sliced_cost(timeline, gates, key[0], moves, dist)
        scored[key] = cost.ebits
        if (cost.ebits, len(moves)) < best:
            best = (cost.ebits, len(moves))
            found = (start, moves, cost.lower_bound)
    # (sorted is stable: ties stay in the order first tried)
    tried = tuple(sorted((key for key in scored if key[1]),
                         key=lambda key: (scored[key], len(key[1]))))
    if found is None:
        return replace(keep, reason="no time-sliced assignment beat the static one",
                       timeline=timeline, moving=tried)
    start, moves, lower = found
    return MovesFound(tuple(int(k) for k in start), moves, best[0], static.ebits, lower,
                      f"{plural(len(moves), 'move')} save{'s' * (len(moves) == 1)} "
                      f"{plural(static.ebits - best[0], 'ebit')}", timeline, tried)


def _candidates(sliced: Sliced, gates: Sequence[TwoQubitGate], part: Sequence[int],
                caps: Sequence[int], comm: Sequence[int], dist: np.ndarray,
                settings: SearchSettings) -> Iterator[tuple[np.ndarray, tuple[Move, ...]]]:
    """(start placement, moves) to score: one sweep per (lookahead, threshold) setting,
    then the layer assignment where it applies (see :class:`SearchSettings`)."""
    timeline, kept = sliced.timeline, sliced.windows  # (a lookahead's windows, if tried again)
    pairs = _slice_pairs(timeline, gates)
    grid = settings.grid(timeline.num_slices * len(part) ** 2)
    for decay, threshold in grid:
        windows: Iterable[_Interactions]
        if decay in kept:
            windows = kept[decay]
        else:
            windows = _windows(pairs, len(part), decay)
            if sum(1 for d, _ in grid if d == decay) > 1:
                windows = kept[decay] = list(windows)
        yield _sweep(windows, np.asarray(part), np.asarray(caps), dist, threshold,
                     swaps=min(comm) >= 2, timeline=timeline)
    if settings.layers is not None and min(comm) >= 2 and dist.max() <= 1:
        layered = _layer_moves(timeline, gates, len(part), caps, settings.layers)
        if layered is not None:
            yield layered


def _layer_moves(timeline: Timeline, gates: Sequence[TwoQubitGate], num_qubits: int,
                 caps: Sequence[int], settings: LayerSettings,
                 ) -> tuple[np.ndarray, tuple[Move, ...]] | None:
    """Every gate local, qubits moved between layers (:mod:`dqc.plan.layer_moves`);
    ``None`` where the circuit is not layered, too large, or a layer's pairs cannot all
    be local within the data qubits."""
    layers = layer_groups([timeline.slice_of_position[g.position] for g in gates], gates,
                          num_qubits)
    cells = len(layers.units) * num_qubits
    if not layers.units or cells > settings.max_cells or layers.busy < settings.min_busy:
        return None
    try:
        placements = assign_layers(layers.units, caps, settings)
    except NoFit:
        return None
    moves = tuple(Move(timeline.slice_start(layers.first_slice[t]), int(q), int(now[q]))
                  for t, (before, now) in enumerate(zip(placements, placements[1:]), 1)
                  for q in np.flatnonzero(before != now))
    return placements[0], moves


def _nearest(values: tuple[float, ...], x: float) -> int:
    return min(range(len(values)), key=lambda i: abs(values[i] - x))


def _slice_pairs(timeline: Timeline, gates) -> list[np.ndarray]:
    """Per slice (index 0 = slice 1), the qubit pairs of its two-qubit gates as an (m, 2) array."""
    rows: list[list[tuple[int, int]]] = [[] for _ in range(timeline.num_slices)]
    for g in gates:
        rows[timeline.slice_of_position[g.position] - 1].append(g.qubits)
    return [np.array(r, dtype=np.int64).reshape(-1, 2) for r in rows]


def _windows(pairs: list[np.ndarray], n: int, decay: float) -> Iterator[_Interactions]:
    """Per slice, the interactions of it and the slices after it, weighted by ``decay``
    per slice ahead (up to where the weight falls below 0.02)."""
    window = max(1, math.ceil(math.log(0.02) / math.log(decay)))
    weights = decay ** np.arange(window)
    keys = [_directed_keys(p, n) for p in pairs]
    for s in range(len(pairs)):
        yield _Interactions.of_keys(keys[s:s + window], weights, n)


def _directed_keys(pairs: np.ndarray, n: int) -> np.ndarray:
    """The entries ``u * n + v`` of (m, 2) ``pairs`` both ways: the pairs as given,
    then reversed."""
    return np.concatenate([pairs[:, 0] * n + pairs[:, 1],
                           pairs[:, 1] * n + pairs[:, 0]]).astype(np.int64)


def _sweep(windows: Iterable[_Interactions], part: np.ndarray, caps: np.ndarray,
           dist: np.ndarray, threshold: float, *, swaps: bool,
           timeline: Timeline) -> tuple[np.ndarray, tuple[Move, ...]]:
    """One pass over the slices, each with its lookahead window (:func:`_windows`);
    returns (start partition, moves)."""
    cur = part.copy()
    start = part.copy()
    moves: list[Move] = []
    costs = _TradeCosts.of(dist, threshold)
    one_hop = threshold * costs.hop
    for s, f in enumerate(windows):
        if _idle(f, cur, one_hop):
            continue
        before = cur.copy()
        _exchange(f, cur, caps, dist, threshold, swaps, costs)
        changed = np.flatnonzero(cur != before)
        if s == 0:
            start = cur.copy()  # before the first slice: a free relabelling
        elif len(changed):
            position = timeline.slice_start(s + 1)
            moves += [Move(position, int(q), int(cur[q])) for q in changed]
    return start, tuple(moves)


def _idle(f: _Interactions, part: np.ndarray, one_hop: float) -> bool:
    """Whether :func:`_exchange` would leave ``part`` as it is on ``f``: no qubit's
    weight to the qubits on other QPUs, less its weight to those on its own, exceeds
    ``one_hop`` (``threshold`` × the shortest hop). A qubit gains at most that by moving,
    so neither a move (gain less ``threshold`` per hop) nor a trade (two gains less
    ``threshold`` per hop each way) can pay. About seven slices in ten of the benchmark
    tables' sweeps are idle, and this test costs a few array operations where
    :func:`_exchange` costs dozens.

    Examples:
        >>> f = _Interactions.of([(np.array([[0, 1]]), 1.0), (np.array([[1, 2]]), 0.5)], 3)
        >>> _idle(f, np.array([0, 0, 1]), 1.0), _idle(f, np.array([0, 0, 1]), 0.4)
        (True, False)
    """
    remote = part[f.rows] != part[f.cols]
    if not remote.any():
        return True
    # (summed in entry order, as conn is: each qubit's weight to one other QPU is at
    # most this, to the bit)
    reach = np.bincount(f.rows[remote], weights=f.weights[remote], minlength=f.n)
    if reach.max() <= one_hop:
        return True
    # and what it gains is that less its weight to its own QPU (conn's, to the bit)
    local = ~remote
    reach -= np.bincount(f.rows[local], weights=f.weights[local], minlength=f.n)
    return bool(reach.max() <= one_hop)


@dataclass(frozen=True)
class _Interactions:
    """Decay-weighted interactions of a window of slices: a symmetric n × n matrix kept
    as its entries sorted by (row, column), ``indptr`` giving each row's span (CSR).

    A slice holds at most n / 2 pairs, so the matrix is far sparser than n²: a dense
    one made the sweep quadratic in the qubits (1,000 qubits: 8 MB and a dense product
    per slice).
    """

    n: int
    indptr: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, window: list[tuple[np.ndarray, float]], n: int) -> _Interactions:
        """From each slice's (m, 2) pairs with its weight; entries that repeat are summed
        in the order given."""
        return cls.of_keys([_directed_keys(p, n) for p, _ in window],
                           np.array([w for _, w in window], dtype=float), n)

    @classmethod
    def of_keys(cls, keys: list[np.ndarray], weights: np.ndarray, n: int) -> _Interactions:
        """:meth:`of`, from each slice's entries (:func:`_directed_keys`) and weights
        (``weights[j]`` for ``keys[j]``; extra weights unused)."""
        data = np.repeat(weights[:len(keys)], [len(k) for k in keys])
        entries, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        summed = np.bincount(inverse, weights=data, minlength=len(entries))
        rows = entries // n
        return cls(n, np.searchsorted(rows, np.arange(n + 1)), rows, entries % n, summed)

    def conn(self, part: np.ndarray, k: int) -> np.ndarray:
        """conn[u, P]: the weight from qubit u to the qubits on QPU P."""
        # (summed in entry order, as np.add.at would, in one C loop)
        return np.bincount(self.rows * k + part[self.cols], weights=self.weights,
                           minlength=self.n * k).reshape(self.n, k)

    def row(self, u: int) -> tuple[np.ndarray, np.ndarray]:
        """The neighbours of u and the weights to them (also its column: symmetric)."""
        lo, hi = self.indptr[u], self.indptr[u + 1]
        return self.cols[lo:hi], self.weights[lo:hi]

    def block(self, cand: np.ndarray) -> np.ndarray:
        """The dense submatrix of rows and columns ``cand``."""
        pos = np.full(self.n, -1)
        pos[cand] = np.arange(len(cand))
        r, c = pos[self.rows], pos[self.cols]
        inside = (r >= 0) & (c >= 0)
        out = np.zeros((len(cand), len(cand)))
        out[r[inside], c[inside]] = self.weights[inside]
        return out


#: Most qubits :func:`_exchange` compares pairwise for a trade (:func:`_strongest`): the
#: comparison is quadratic in them, and on 10,000 qubits thousands qualify (a sweep of
#: 20,000 gates on 64 QPUs took 95 s; with the limit 1.3 s, and 132 fewer ebits saved of
#: 473). Circuits of up to this many qubits are never limited.
MAX_SWAP_CANDIDATES = 512


@dataclass(frozen=True)
class _TradeCosts:
    """What a sweep's exchanges charge, the same on every slice.

    Attributes:
        hop: the shortest distance between two QPUs.
        penalty: a trade's cost by the two QPUs (``threshold`` per hop, each way);
            +inf within one QPU (no trade there).
    """

    hop: float
    penalty: np.ndarray

    @classmethod
    def of(cls, dist: np.ndarray, threshold: float) -> _TradeCosts:
        penalty = threshold * 2 * dist
        np.fill_diagonal(penalty, np.inf)
        return cls(float(dist[dist > 0].min()), penalty)


def _exchange(f: _Interactions, part: np.ndarray, caps: np.ndarray, dist: np.ndarray,
              threshold: float, swaps: bool, costs: _TradeCosts | None = None) -> None:
    """Greedy extreme exchange on interaction weights ``f``, in place; each qubit moves once.

    A trade of u and v gains at most ``pull[u] + pull[v]`` (``pull``: the most a qubit
    gains by moving alone), so only qubits whose pull could reach the threshold
    together with the strongest one are compared pairwise. ``costs``:
    ``_TradeCosts.of(dist, threshold)``, if at hand.
    """
    n, k = len(part), len(caps)
    conn = f.conn(part, k)  # conn[u, P]: weight from u to the qubits on P
    load = np.bincount(part, minlength=k)
    locked = np.zeros(n, dtype=bool)
    idx = np.arange(n)
    costs = _TradeCosts.of(dist, threshold) if costs is None else costs
    hop, penalty = costs.hop, costs.penalty
    # (kept up to date row by row: a relocation changes only its neighbours' rows)
    pull = _pulls(conn, part, locked, idx)
    # gain[u, P]: of moving u alone to P, less the move's cost; only if a QPU has room
    # (a trade keeps the loads, so no QPU gets room later if none has it now). Filled
    # when first needed: no move gains more than its qubit's pull less one hop's cost,
    # and most slices have no pull that strong (rows kept up to date once filled)
    room = bool((caps > load).any())
    gain: np.ndarray | None = None
    one_hop, two_hops = threshold * hop, threshold * 2 * hop
    best: tuple[str, int, int] | None
    any_locked = False
    while True:
        best_score, best = 0.0, None
        top = pull.max()
        if room and top - one_hop > best_score + 1e-9:
            open_qpus = np.flatnonzero(caps > load)
            if len(open_qpus):
                if gain is None:  # moves into spare data qubits there
                    gain = np.empty((n, k))
                    _move_gains(gain, conn, part, locked, dist, threshold, idx)
                score = gain[:, open_qpus]
                u, j = np.unravel_index(int(np.argmax(score)), score.shape)
                if score[u, j] > best_score + 1e-9:
                    best_score, best = float(score[u, j]), ("move", int(u), int(open_qpus[j]))
        if swaps:
            cand = np.flatnonzero(pull + top > best_score + two_hops)
            if len(cand) > MAX_SWAP_CANDIDATES:
                cand = _strongest(cand, pull, part, MAX_SWAP_CANDIDATES)
            if len(cand) > 1:
                pc = part[cand]
                m = conn[cand][:, pc] - conn[cand, pc][:, None]
                score = m + m.T  # (the gain of each trade, less its cost, in place)
                score -= 2 * f.block(cand)
                score -= penalty[pc][:, pc]
                if any_locked:
                    held = locked[cand]
                    score[held] = -np.inf
                    score[:, held] = -np.inf
                i, j = np.unravel_index(int(np.argmax(score)), score.shape)
                if score[i, j] > best_score + 1e-9:
                    best_score, best = float(score[i, j]), ("swap", int(cand[i]), int(cand[j]))
        if best is None:
            return
        kind, a, b = best
        if kind == "move":  # a to QPU b
            rows = np.append(_relocate(conn, f, part, load, a, b), a)
            locked[a] = True
        else:  # a and b trade places
            pa, pb = int(part[a]), int(part[b])
            rows = np.concatenate([_relocate(conn, f, part, load, a, pb),
                                   _relocate(conn, f, part, load, b, pa), [a, b]])
            locked[a] = locked[b] = True
        any_locked = True
        pull[rows] = _pulls(conn, part, locked, rows)
        if gain is not None:
            _move_gains(gain, conn, part, locked, dist, threshold, rows)


def _move_gains(gain: np.ndarray, conn: np.ndarray, part: np.ndarray, locked: np.ndarray,
                dist: np.ndarray, threshold: float, rows: np.ndarray) -> None:
    """Set ``gain[rows]``: what each qubit of ``rows`` gains by moving alone to each QPU,
    less ``threshold`` per hop (``-inf`` to its own QPU, and when locked).

    Examples:
        >>> gain = np.zeros((2, 2))
        >>> _move_gains(gain, np.array([[0.0, 2.0], [1.0, 0.5]]), np.array([0, 0]),
        ...             np.array([False, True]), np.array([[0, 1], [1, 0]]), 0.5, np.arange(2))
        >>> gain.tolist()
        [[-inf, 1.5], [-inf, -inf]]
    """
    at, here = np.arange(len(rows)), part[rows]
    out = conn[rows] - conn[rows, here][:, None]
    out -= threshold * dist[here]
    out[at, here] = -np.inf
    out[locked[rows]] = -np.inf
    gain[rows] = out


def _pulls(conn: np.ndarray, part: np.ndarray, locked: np.ndarray, rows: np.ndarray
           ) -> np.ndarray:
    """The most each qubit of ``rows`` gains by moving alone to another QPU (``-inf``
    when locked).

    Examples:
        >>> conn = np.array([[0.0, 2.0], [1.0, 0.5]])
        >>> _pulls(conn, np.array([0, 0]), np.array([False, True]), np.arange(2)).tolist()
        [2.0, -inf]
    """
    at = np.arange(len(rows))
    desire = conn[rows]
    desire -= desire[at, part[rows]][:, None]
    desire[at, part[rows]] = -np.inf
    desire[locked[rows]] = -np.inf
    return desire.max(axis=1)


def _strongest(cand: np.ndarray, pull: np.ndarray, part: np.ndarray, limit: int
               ) -> np.ndarray:
    """The ``limit`` qubits of ``cand`` of strongest pull, and the two of strongest pull
    on each QPU (partners that make room there), in index order; ties: lower index.

    Examples:
        >>> _strongest(np.arange(5), np.array([0.0, 3.0, 1.0, 2.0, 0.0]),
        ...            np.array([0, 0, 0, 1, 1]), 1).tolist()
        [1, 2, 3, 4]
    """
    top = np.argsort(-pull[cand], kind="stable")[:limit]
    order = np.lexsort((cand, -pull[cand], part[cand]))  # by QPU, then pull, then index
    qpus = part[cand][order]
    first = np.searchsorted(qpus, qpus)  # where each QPU's run starts
    per_qpu = order[np.arange(len(order)) - first < 2]
    return cand[np.union1d(top, per_qpu)]


def _relocate(conn: np.ndarray, f: _Interactions, part: np.ndarray, load: np.ndarray,
              u: int, q: int) -> np.ndarray:
    """Move qubit u to QPU q: its neighbours' weight to u's old QPU moves to q.
    Returns those neighbours (the rows of ``conn`` that changed)."""
    p = int(part[u])
    nbrs, w = f.row(u)
    conn[nbrs, p] -= w
    conn[nbrs, q] += w
    load[p] -= 1
    load[q] += 1
    part[u] = q
    return nbrs
