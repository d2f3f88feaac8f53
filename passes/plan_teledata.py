"""Analysis pass: move qubits between QPUs over time (teledata) where that saves ebits.

The static partition keeps every qubit on one QPU for the whole circuit. When the
interaction pattern changes over time (quantum volume, many arithmetic circuits) it
can be cheaper to teleport a qubit's state to the QPU it is about to work with (one
ebit per hop) than to teleport each of its gates. This pass searches time-sliced
assignments: walking the slices of the circuit (:class:`dqc.plan.teledata.Timeline`), it
trades qubits between QPUs — or moves one into a free data qubit — whenever the
decay-weighted interactions ahead gain more than ``threshold`` × the move's ebits
(the *overall extreme exchange* of Park et al., with a lookahead as in Baker et al.'s
FGP-rOEE). Several lookahead/threshold settings are tried, each scored by the true
cost (:func:`dqc.plan.teledata.time_sliced_cost`: moves plus the vertex-cover plan), and
the result is kept only if it beats the static partition. So the choice between
moving the state and teleporting the gates is made on the actual ebit count.

Examples:
    Two QPUs of two qubits. First q0 works with q1 and q2 with q3, then q0 with q2
    and q1 with q3, each time with CX in both directions (a new segment per gate)::

        phase 1 (×3): cx(0,1) cx(1,0) cx(2,3) cx(3,2)
        phase 2 (×3): cx(0,2) cx(2,0) cx(1,3) cx(3,1)

    Any static placement leaves one phase's 12 gates remote (12 ebits); trading q1
    and q2 between the phases costs 2::

    >>> from qiskit import QuantumCircuit
    >>> from dqc.network import Network
    >>> qc = QuantumCircuit(4)
    >>> for _ in range(3): _ = qc.cx(0, 1); _ = qc.cx(1, 0); _ = qc.cx(2, 3); _ = qc.cx(3, 2)
    >>> for _ in range(3): _ = qc.cx(0, 2); _ = qc.cx(2, 0); _ = qc.cx(1, 3); _ = qc.cx(3, 1)
    >>> p = PlanTeledata(Network.all_to_all(2, data_qubits=2))
    >>> p.property_set["dqc_partition"] = ("qpu0", "qpu0", "qpu1", "qpu1")
    >>> _ = p(qc); p.property_set["dqc_teledata"]
    {'static_ebits': 12, 'ebits': 2, 'moves': 2, 'reason': '2 moves save 10 ebits'}

References:
    Park, Ahn, Kim et al. (OEE): overall extreme exchange for k-way partitioning.
    Baker, Duckering, Hoover, Chong, "Time-sliced quantum circuit partitioning for
    modular architectures", CF '20 (FGP-rOEE).
"""

from __future__ import annotations

import math

import numpy as np
from dqc.passes.requirements import required
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import AnalysisPass

from dqc.network import Network
from dqc.plan.cost_model import plan_carriers, shared_two_qubit_gates
from dqc.plan.teledata import Move, Timeline, time_sliced_cost


class PlanTeledata(AnalysisPass):
    """Choose teledata moves (``dqc_moves``) when they cost fewer ebits than the static plan.

    Args:
        network: the network (QPU capacities, distances, comm qubits).
        lookahead: decay factors of future interactions to try.
        thresholds: gain per ebit a move must reach, to try.
        max_gates: circuits with more two-qubit gates keep the static partition
            (the search is quadratic in qubits per slice).
        work: budget of (slices × qubits²) summed over the settings tried; large
            circuits try fewer settings, those nearest to lookahead 0.5 and threshold 1
            first (deterministic: it depends only on the circuit's size).

    Property set read: ``dqc_partition``.
    Property set written: ``dqc_moves`` (tuple of :class:`dqc.plan.teledata.Move`, empty
    if static is best), ``dqc_partition`` (the start of the chosen assignment),
    ``dqc_lower_bound`` (when moves are chosen: their count plus the plan's covers),
    ``dqc_teledata`` (``{"static_ebits", "ebits", "moves", "reason"}``).
    """

    def __init__(self, network: Network, *,
                 lookahead: tuple[float, ...] = (0.3, 0.5, 0.6, 0.75, 0.9),
                 thresholds: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0),
                 max_gates: int = 20_000, work: float = 3e7) -> None:
        super().__init__()
        self.network = network
        self.lookahead = lookahead
        self.thresholds = thresholds
        self.max_gates = max_gates
        self.work = work

    def run(self, dag: DAGCircuit) -> None:
        """Search time-sliced assignments starting from ``dqc_partition``."""
        required(self, "dqc_partition", "PartitionQubits")
        net = self.network
        part = np.array([net.index(name) for name in self.property_set["dqc_partition"]])
        dist = net.distances()
        gates = shared_two_qubit_gates(dag, self.property_set)
        static = plan_carriers(gates, part, dist)
        static_ebits = static.ebits
        summary = {"static_ebits": static_ebits, "ebits": static_ebits, "moves": 0}
        self.property_set["dqc_moves"] = ()
        comm = [q.comm_qubits for q in net.qpus]
        if static_ebits == 0 or min(comm) == 0:
            reason = "no remote gates" if static_ebits == 0 else "a QPU has no comm qubits"
            self.property_set["dqc_teledata"] = {**summary, "reason": reason}
            return
        if len(gates) > self.max_gates:
            self.property_set["dqc_teledata"] = {
                **summary, "reason": f"{len(gates)} two-qubit gates > max_gates={self.max_gates}"}
            return
        timeline = Timeline.of(dag)
        caps = np.array([q.data_qubits for q in net.qpus])
        pairs = _slice_pairs(timeline, gates)
        best = (static_ebits, 0)
        chosen: tuple[np.ndarray, tuple[Move, ...], int] | None = None
        for decay, threshold in self._settings(timeline.num_slices * len(part) ** 2):
            start, moves = _sweep(pairs, part, caps, dist, decay, threshold,
                                  swaps=min(comm) >= 2, timeline=timeline)
            if not moves and np.array_equal(start, part):
                continue
            cost = time_sliced_cost(timeline, gates, start, moves, dist)
            if (cost.ebits, len(moves)) < best:
                best = (cost.ebits, len(moves))
                chosen = (start, moves, cost.lower_bound)
        if chosen is None:
            self.property_set["dqc_teledata"] = {
                **summary, "reason": "no time-sliced assignment beat the static one"}
            return
        start, moves, lower = chosen
        self.property_set["dqc_moves"] = moves
        self.property_set["dqc_partition"] = tuple(net.qpus[k].name for k in start)
        self.property_set["dqc_lower_bound"] = lower
        self.property_set["dqc_teledata"] = {
            "static_ebits": static_ebits, "ebits": best[0], "moves": len(moves),
            "reason": f"{len(moves)} moves save {static_ebits - best[0]} ebits"}


    def _settings(self, unit: float) -> list[tuple[float, float]]:
        """(lookahead, threshold) pairs to try, nearest to (0.5, 1) first, within the budget."""
        grid = [(abs(i - _nearest(self.lookahead, 0.5)) + abs(j - _nearest(self.thresholds, 1.0)),
                 i, j) for i in range(len(self.lookahead)) for j in range(len(self.thresholds))]
        count = max(1, min(len(grid), int(self.work // max(unit, 1.0))))
        return [(self.lookahead[i], self.thresholds[j]) for _, i, j in sorted(grid)[:count]]


def _nearest(values: tuple[float, ...], x: float) -> int:
    return min(range(len(values)), key=lambda i: abs(values[i] - x))


def _slice_pairs(timeline: Timeline, gates) -> list[np.ndarray]:
    """Per slice (index 0 = slice 1), the qubit pairs of its two-qubit gates as an (m, 2) array."""
    rows: list[list[tuple[int, int]]] = [[] for _ in range(timeline.num_slices)]
    for g in gates:
        rows[timeline.slice_of_position[g.position] - 1].append(g.qubits)
    return [np.array(r, dtype=np.int64).reshape(-1, 2) for r in rows]


def _sweep(pairs: list[np.ndarray], part: np.ndarray, caps: np.ndarray, dist: np.ndarray,
           decay: float, threshold: float, *, swaps: bool,
           timeline: Timeline) -> tuple[np.ndarray, tuple[Move, ...]]:
    """One pass over the slices with lookahead ``decay``; returns (start partition, moves)."""
    n = len(part)
    window = max(1, math.ceil(math.log(0.02) / math.log(decay)))
    weights = decay ** np.arange(window)
    cur = part.copy()
    start = part.copy()
    moves: list[Move] = []
    for s in range(len(pairs)):
        f = np.zeros((n, n))
        for j, w in enumerate(weights):
            if s + j >= len(pairs):
                break
            p = pairs[s + j]
            np.add.at(f, (p[:, 0], p[:, 1]), w)
            np.add.at(f, (p[:, 1], p[:, 0]), w)
        before = cur.copy()
        _exchange(f, cur, caps, dist, threshold, swaps)
        changed = np.flatnonzero(cur != before)
        if s == 0:
            start = cur.copy()  # before the first slice: a free relabelling
        elif len(changed):
            position = timeline.slice_start(s + 1)
            moves += [Move(position, int(q), int(cur[q])) for q in changed]
    return start, tuple(moves)


def _exchange(f: np.ndarray, part: np.ndarray, caps: np.ndarray, dist: np.ndarray,
              threshold: float, swaps: bool) -> None:
    """Greedy extreme exchange on interaction weights ``f``, in place; each qubit moves once.

    A trade of u and v gains at most ``pull[u] + pull[v]`` (``pull``: the most a qubit
    gains by moving alone), so only qubits whose pull could reach the threshold
    together with the strongest one are compared pairwise.
    """
    n, k = len(part), len(caps)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), part] = 1.0
    conn = f @ onehot  # conn[u, P]: weight from u to the qubits on P
    load = np.bincount(part, minlength=k)
    locked = np.zeros(n, dtype=bool)
    idx = np.arange(n)
    hop = float(dist[dist > 0].min())
    while True:
        own = conn[idx, part]
        desire = conn - own[:, None]  # gain of moving u alone to each QPU
        desire[idx, part] = -np.inf
        desire[locked] = -np.inf
        best_score, best = 0.0, None
        free = caps - load
        if free.any():  # single moves into spare data qubits
            score = desire - threshold * dist[part]
            score[:, free <= 0] = -np.inf
            u, q = np.unravel_index(int(np.argmax(score)), score.shape)
            if score[u, q] > best_score + 1e-9:
                best_score, best = float(score[u, q]), ("move", int(u), int(q))
        if swaps:
            pull = desire.max(axis=1)
            top = pull.max()
            cand = np.flatnonzero(pull + top > best_score + threshold * 2 * hop)
            if len(cand) > 1:
                pc = part[cand]
                m = conn[cand][:, pc] - own[cand][:, None]
                gain = m + m.T - 2 * f[np.ix_(cand, cand)]
                score = gain - threshold * 2 * dist[np.ix_(pc, pc)]
                score[pc[:, None] == pc[None, :]] = -np.inf
                score[locked[cand]] = -np.inf
                score[:, locked[cand]] = -np.inf
                i, j = np.unravel_index(int(np.argmax(score)), score.shape)
                if score[i, j] > best_score + 1e-9:
                    best_score, best = float(score[i, j]), ("swap", int(cand[i]), int(cand[j]))
        if best is None:
            return
        if best[0] == "move":
            _, u, q = best
            _relocate(conn, f, part, load, u, q)
            locked[u] = True
        else:
            _, u, v = best
            pu, pv = int(part[u]), int(part[v])
            _relocate(conn, f, part, load, u, pv)
            _relocate(conn, f, part, load, v, pu)
            locked[u] = locked[v] = True


def _relocate(conn, f, part, load, u: int, q: int) -> None:
    p = int(part[u])
    conn[:, p] -= f[:, u]
    conn[:, q] += f[:, u]
    load[p] -= 1
    load[q] += 1
    part[u] = q
