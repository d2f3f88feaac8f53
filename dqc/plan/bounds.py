"""A lower bound on ebits that holds for every placement (and every carrier choice,
embedding and teledata move dqc can make).

The *presence* model. Give each qubit q a set ``P(q)`` of QPUs it is ever present on:
its home ``h(q)`` (where the placement puts it) and every QPU a copy of one of its
segments is cat-entangled to or its state is teleported to. A two-qubit gate between q
and q' runs on one QPU, where both are present (one of them possibly as a copy), so
``P(q) ∩ P(q') ≠ ∅`` for every pair of qubits that interact. The model's cost is
``sum_q (|P(q)| - 1)``, minimised over placements that fit the data qubits and over
the sets ``P``.

**Soundness** (the minimum never exceeds dqc's ebits). Every ``epr`` dqc emits is
one ebit, used in exactly one of three ways: (a) one hop of a cat-entanglement, which
makes one segment of one qubit present on one more QPU; (b) one hop of a teledata move,
which makes one qubit present on one more QPU; (c) one link of an entanglement swap
relaying (a) or (b) along a path, which makes nothing present anywhere by itself. So
each ebit adds at most one (qubit, QPU) pair to the set of pairs ever present, and every
pair ``(q, k)`` with ``k ≠ h(q)`` that is ever present was added by at least one ebit:
``ebits >= sum_q (|P(q)| - 1)`` for the sets P dqc's output realises. Those sets meet on
every interacting pair (the gate ran somewhere), and dqc's initial layout puts every
qubit on a data qubit, so they are feasible for the model and the model's minimum is at
most ``ebits``. Comm-qubit evictions, re-copies of later segments and multi-hop paths
only add ebits. A block (``while_loop``) needs all its qubits on one QPU, which implies
the pairwise condition, so its edges in the interaction graph are treated like gates.
(The model forgets *when* a qubit is present, which is what makes it hold through
teledata; it is therefore weaker than the per-placement segment cover.)

**Per epoch.** An op diagonal on q in neither Z nor X (``h``, ``ry``, ``measure``,
``reset``...) ends q's Z and X segments, and no embedding continues through it (every
flip of :mod:`dqc.plan.embedding` is diagonal in one basis), so every copy of q is
closed there and q is on one QPU, its location. Between two such ops (an *epoch*
``e``), let ``P_e(q)`` be the QPUs q is present on; each one besides the location at
the epoch's start needs an ebit consumed in that epoch (a copy does not outlive it; a
move to k puts k in ``P_e(q)``, and the next epoch starts in ``P_e(q)``). An ebit is
consumed once, so ``ebits >= sum_{q,e} (|P_e(q)| - 1)``; every gate still meets in
the epochs it joins, and the first epoch starts on the home. Capacities after the
start are left out, which only lowers the minimum. :func:`epoch_milp` minimises this.

Three ways to compute it (:func:`any_placement_bound` picks):

* :func:`presence_milp` — the model as an integer program, solved by SciPy's
  :func:`~scipy.optimize.milp` (HiGHS) with a node limit (never a time limit, so the
  figure is deterministic): the optimum (``milp-optimal``) or, when the node limit
  stops the search, the ceiling of HiGHS's proven dual bound (``milp-dual``). Used
  within a size rule (:data:`MILP_MAX_SIZE`).
* :func:`epoch_milp` — the same model per *epoch* (the stretches between ops that end
  every copy of a qubit, :class:`Epochs`): presence is paid again in each epoch, a move
  carries over (``epoch-milp-optimal`` / ``epoch-milp-dual``); stronger, and larger.
* :func:`separator_bound` — a combinatorial bound on the same model for any size
  (``separator``): per connected component C of the interaction graph larger than the
  biggest QPU, ``max(ceil(|C| / c_max) - 1, min(κ(C), |C| - c_max))`` (proof in its
  docstring).

Examples:
    Four qubits in a ring on two QPUs of two data qubits. Every split cuts two ring
    edges with no qubit in common ({0, 1} | {2, 3} cuts 1–2 and 3–0) or all four
    ({0, 2} | {1, 3}, covered by 0 and 2), so two qubits must travel::

        0 ── 1
        │    │
        3 ── 2

    >>> import networkx as nx
    >>> any_placement_bound(nx.cycle_graph(4), [2, 2])
    AnyPlacementBound(ebits=2, method='milp-optimal')
    >>> any_placement_bound(nx.star_graph(4), [3, 3])  # the hub travels once
    AnyPlacementBound(ebits=1, method='milp-optimal')
    >>> any_placement_bound(nx.path_graph(40), [20, 20])  # beyond the size rule
    AnyPlacementBound(ebits=1, method='separator')
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from qiskit.dagcircuit import DAGCircuit

from dqc.plan.cost_model import op_walk
from dqc.plan.integer_program import Rows, solve

#: Size rule of the integer programs: (qubit-epochs, or qubits with an interaction)
#: × QPUs² at most this (e.g. 20 qubits on 2 QPUs, 5 on 4), so that it stays a
#: fraction of a compile (HiGHS's time grows quickly with the QPUs: symmetry).
MILP_MAX_SIZE = 80
#: Branch-and-bound nodes HiGHS may explore (a node limit keeps the result deterministic).
MILP_NODE_LIMIT = 300
#: Components up to this many qubits get their vertex connectivity computed exactly.
SEPARATOR_MAX_QUBITS = 128


@dataclass(frozen=True)
class AnyPlacementBound:
    """A lower bound on ebits over every placement, and how it was obtained.

    Attributes:
        ebits: no placement, carrier choice, embedding or teledata plan needs fewer.
        method: ``"milp-optimal"`` (the presence program solved to optimality),
            ``"milp-dual"`` (its proven dual bound when the node limit stopped it),
            ``"epoch-milp-optimal"`` / ``"epoch-milp-dual"`` (the same per epoch,
            :func:`epoch_milp`),
            ``"separator"`` (:func:`separator_bound`) or ``"trivial"`` (0, nothing
            better proved — e.g. everything fits on one QPU).
    """

    ebits: int
    method: str


def interacting_pairs(graph: nx.Graph) -> list[tuple[int, int]]:
    """The edges of ``graph`` as sorted ``(u, v)`` pairs, ``u < v``, self-loops dropped.

    Examples:
        >>> interacting_pairs(nx.Graph([(2, 1), (0, 1), (1, 1)]))
        [(0, 1), (1, 2)]
    """
    return sorted({(min(u, v), max(u, v)) for u, v in graph.edges() if u != v})


@dataclass(frozen=True)
class Epochs:
    """When each qubit's copies all expire, and which qubits must meet in which epochs.

    An *epoch* of qubit q is a stretch of its timeline between two ops that are diagonal
    on q in neither Z nor X (``h``, ``ry``, ``measure``, ``reset``, ...): such an op ends
    q's Z and X segments alike, and no embedding continues through it (the flips of
    :mod:`dqc.plan.embedding` are all diagonal in one basis), so every copy of q is
    closed before it and q is on exactly one QPU there. Epochs without a meeting are
    dropped (a move in one is charged to the epoch before, at the same cost).

    Attributes:
        counts: number of epochs of each qubit (at least 1: the first holds its home).
        meetings: distinct ``(q, e, q', e')``: a gate or block joins q in its epoch e and
            q' in its epoch e', so they share a QPU then.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.converters import circuit_to_dag
        >>> qc = QuantumCircuit(3); _ = qc.cz(0, 1); _ = qc.h(0); _ = qc.cx(0, 2)
        >>> _ = qc.cz(0, 1)
        >>> epochs_of(circuit_to_dag(qc))
        Epochs(counts=(2, 1, 1), meetings=((0, 0, 1, 0), (0, 1, 1, 0), (0, 1, 2, 0)))
    """

    counts: tuple[int, ...]
    meetings: tuple[tuple[int, int, int, int], ...]

    @property
    def size(self) -> int:
        """Number of (qubit, epoch) pairs."""
        return sum(self.counts)


def epochs_of(dag: DAGCircuit) -> Epochs:
    """The :class:`Epochs` of ``dag`` (ops in dqc's topological order, as distributed)."""
    n = dag.num_qubits()
    raw = [0] * n
    found: set[tuple[int, int, int, int]] = set()
    for _, _, qs, dz, dx in op_walk(dag):
        for a, b in itertools.combinations(qs, 2):
            if a != b:
                (u, eu), (v, ev) = sorted(((a, raw[a]), (b, raw[b])))
                found.add((u, eu, v, ev))
        for pos, q in enumerate(qs):
            if pos not in dz and pos not in dx:
                raw[q] += 1
    used: list[set[int]] = [set() for _ in range(n)]
    for u, eu, v, ev in found:
        used[u].add(eu)
        used[v].add(ev)
    rank = [{e: i for i, e in enumerate(sorted(es))} for es in used]
    meetings = sorted({(u, rank[u][eu], v, rank[v][ev]) for u, eu, v, ev in found})
    return Epochs(tuple(max(1, len(es)) for es in used), tuple(meetings))


def epoch_milp(epochs: Epochs, capacities: Sequence[int], *,
               node_limit: int = MILP_NODE_LIMIT) -> tuple[int, bool]:
    """The presence model per epoch as an integer program: ``(bound, optimal)``.

    For qubit q and its epoch e: ``L[q,e,k]`` (q is on QPU k when the epoch starts) and
    ``Y[q,e,k]`` (q is present on k during the epoch) binary, ``Y >= L``,
    ``sum_k L[q,e,k] = 1``; the home ``L[q,0,.]`` fits the data qubits; where q is at the
    next epoch's start it was present during this one (``L[q,e+1,k] <= Y[q,e,k]``);
    every meeting shares a QPU (``z <= Y``, ``sum_k z >= 1``). Minimise
    ``sum (Y) - (number of epochs)``: each presence beyond the epoch's start needs its
    own ebit in that epoch (later capacities are left out, which only lowers the
    minimum). With one epoch per qubit this is :func:`presence_milp`.

    Examples:
        q0 (QPU 0) meets q1 (QPU 1) before and after an H on q0; q1 keeps one epoch, so
        one copy of q1 onto QPU 0 serves both (q0 would need one per epoch)::

            q0 ─■──H──■─     QPU 0: q0
            q1 ─■─────■─     QPU 1: q1

        >>> epoch_milp(Epochs((2, 1), ((0, 0, 1, 0), (0, 1, 1, 0))), [1, 1])
        (1, True)
    """
    k = len(capacities)
    counts = epochs.counts
    first = np.concatenate([[0], np.cumsum(counts)]).astype(int)  # (q, e) -> first[q] + e
    slots = int(first[-1])
    m = len(epochs.meetings)
    size = 2 * slots * k + m * k

    def li(q: int, e: int, j: int) -> int:
        return (int(first[q]) + e) * k + j

    def yi(q: int, e: int, j: int) -> int:
        return slots * k + (int(first[q]) + e) * k + j

    def zi(i: int, j: int) -> int:
        return 2 * slots * k + i * k + j

    program = Rows()
    row = program.add

    for q, count in enumerate(counts):
        for e in range(count):
            row([(li(q, e, j), 1.0) for j in range(k)], 1, 1)
            for j in range(k):
                row([(li(q, e, j), 1.0), (yi(q, e, j), -1.0)], -np.inf, 0)
                if e + 1 < count:
                    row([(li(q, e + 1, j), 1.0), (yi(q, e, j), -1.0)], -np.inf, 0)
    for j in range(k):
        row([(li(q, 0, j), 1.0) for q in range(len(counts))], -np.inf, capacities[j])
    for i, (u, eu, v, ev) in enumerate(epochs.meetings):
        row([(zi(i, j), 1.0) for j in range(k)], 1, np.inf)
        for j in range(k):
            row([(zi(i, j), 1.0), (yi(u, eu, j), -1.0)], -np.inf, 0)
            row([(zi(i, j), 1.0), (yi(v, ev, j), -1.0)], -np.inf, 0)
    upper = np.ones(size)
    if len(set(capacities)) == 1:
        active = sorted({q for u, _, v, _ in epochs.meetings for q in (u, v)})
        for r, q in enumerate(active):
            for j in range(r + 1, k):
                upper[li(q, 0, j)] = 0
    return _minimise(size, slice(slots * k, 2 * slots * k), 2 * slots * k, program, upper,
                     node_limit, offset=slots)


def presence_milp(n: int, pairs: Sequence[tuple[int, int]], capacities: Sequence[int], *,
                  node_limit: int = MILP_NODE_LIMIT) -> tuple[int, bool]:
    """The presence model (module docstring) as an integer program: ``(bound, optimal)``.

    Variables, for qubit q, QPU k and interacting pair e: ``x[q,k]`` (q's home is k),
    ``y[q,k]`` (q is present on k) binary; ``z[e,k]`` (e meets on k) in [0, 1].
    Minimise ``sum y - n`` subject to ``sum_k x[q,k] = 1``, ``sum_q x[q,k] <= cap_k``,
    ``x <= y``, ``z[e,k] <= y[u,k]``, ``z[e,k] <= y[v,k]``, ``sum_k z[e,k] >= 1``.
    When all QPUs have the same capacity they are interchangeable, so qubit i (in
    order of first interaction) is kept on QPUs ``0..i`` (relabel QPUs by the smallest
    qubit they hold: symmetry breaking that keeps an optimum).

    Returns the optimum and ``True`` when HiGHS proves it, else the ceiling of its dual
    bound and ``False``.

    Examples:
        >>> presence_milp(3, [(0, 1), (1, 2), (0, 2)], [2, 2])  # a triangle on 2 + 2
        (1, True)
        >>> presence_milp(3, [(0, 1), (1, 2), (0, 2)], [3, 1])
        (0, True)
    """
    k = len(capacities)
    m = len(pairs)
    nx_, ny, nz = n * k, n * k, m * k
    size = nx_ + ny + nz

    def xi(q: int, j: int) -> int:
        return q * k + j

    def yi(q: int, j: int) -> int:
        return nx_ + q * k + j

    def zi(e: int, j: int) -> int:
        return nx_ + ny + e * k + j

    program = Rows()
    row = program.add

    for q in range(n):
        row([(xi(q, j), 1.0) for j in range(k)], 1, 1)
        for j in range(k):
            row([(xi(q, j), 1.0), (yi(q, j), -1.0)], -np.inf, 0)
    for j in range(k):
        row([(xi(q, j), 1.0) for q in range(n)], -np.inf, capacities[j])
    for e, (u, v) in enumerate(pairs):
        row([(zi(e, j), 1.0) for j in range(k)], 1, np.inf)
        for j in range(k):
            row([(zi(e, j), 1.0), (yi(u, j), -1.0)], -np.inf, 0)
            row([(zi(e, j), 1.0), (yi(v, j), -1.0)], -np.inf, 0)
    upper = np.ones(size)
    if len(set(capacities)) == 1:
        for rank, q in enumerate(sorted({q for pair in pairs for q in pair})):
            for j in range(rank + 1, k):
                upper[xi(q, j)] = 0
    return _minimise(size, slice(nx_, nx_ + ny), nx_ + ny, program, upper, node_limit,
                     offset=n)


def _minimise(size: int, counted: slice, integers: int, program: Rows, upper: Any,
              node_limit: int, *, offset: int) -> tuple[int, bool]:
    """Minimise the number of variables in ``counted`` set to 1 (the first ``integers``
    variables integral) with HiGHS; ``(minimum - offset, True)`` when solved, else the
    proven dual bound minus ``offset`` (0 without one) and False."""
    cost = np.zeros(size)
    cost[counted] = 1
    integrality = np.zeros(size)
    integrality[:integers] = 1
    found = solve(cost, program, integrality, upper, node_limit)
    if found.optimal:
        return int(round(found.value)) - offset, True
    return max(0, found.dual - offset), False


def separator_bound(graph: nx.Graph, capacities: Sequence[int]) -> int:
    """A combinatorial lower bound on the presence model, for any size.

    Per connected component C (its qubits must all be placed, the largest QPU holds
    ``c = max(capacities)``), when ``|C| > c``:

    * *spread*: C's homes use ``m >= ceil(|C| / c)`` QPUs; the bipartite graph
      "qubit q — QPU k ∈ P(q)" restricted to C is connected (every edge of C meets on a
      shared QPU), so it has at least ``|C| + m - 1`` edges: ``sum (|P(q)| - 1) >= m - 1``.
    * *separator*: let T be the qubits of C with ``|P(q)| >= 2`` (each costs >= 1).
      The others sit on their home only, so an edge between two of them needs equal
      homes. If ``C - T`` is connected it fits one QPU, so ``|T| >= |C| - c``; else T
      separates C and ``|T| >= κ(C)`` (vertex connectivity). So
      ``|T| >= min(κ(C), |C| - c)``.

    Components are disjoint, so their bounds add. κ is computed (networkx, exact) only
    for components up to :data:`SEPARATOR_MAX_QUBITS` qubits.

    Examples:
        >>> separator_bound(nx.complete_graph(6), [3, 3])  # κ = 5, |C| - c = 3
        3
        >>> separator_bound(nx.path_graph(9), [3, 3, 3])  # spread: 3 QPUs
        2
    """
    c = max(capacities)
    total = 0
    for nodes in nx.connected_components(graph):
        size = len(nodes)
        if size <= c:
            continue
        spread = math.ceil(size / c) - 1
        sep = 0
        if spread < size - c and size <= SEPARATOR_MAX_QUBITS:
            kappa = nx.node_connectivity(graph.subgraph(nodes))
            sep = min(kappa, size - c)
        total += max(spread, sep)
    return total


def spread_bound(graph: nx.Graph, capacities: Sequence[int]) -> int:
    """The *spread* half of :func:`separator_bound` alone (no vertex connectivity: linear
    time): per connected component C larger than the biggest QPU, ``ceil(|C| / c) - 1``.

    Examples:
        >>> spread_bound(nx.path_graph(9), [3, 3, 3]), spread_bound(nx.path_graph(3), [3, 3])
        (2, 0)
    """
    c = max(capacities)
    return sum(math.ceil(len(nodes) / c) - 1 for nodes in nx.connected_components(graph)
               if len(nodes) > c)


def _cliques(graph: nx.Graph) -> bool:
    """Every connected component of ``graph`` is complete: then :func:`separator_bound`
    is the timeless model's exact minimum (the qubits left at home all share one QPU, the
    others travel once to it), and :func:`presence_milp` cannot prove more.

    Examples:
        >>> _cliques(nx.complete_graph(5)), _cliques(nx.path_graph(3))
        (True, False)
    """
    return all(graph.subgraph(c).number_of_edges() == len(c) * (len(c) - 1) // 2
               for c in nx.connected_components(graph))


def any_placement_bound(graph: nx.Graph, capacities: Sequence[int], *,
                        dag: DAGCircuit | None = None,
                        max_size: int = MILP_MAX_SIZE,
                        node_limit: int = MILP_NODE_LIMIT,
                        achieved: int | None = None) -> AnyPlacementBound:
    """The best placement-independent lower bound dqc proves for ``graph``.

    ``graph``: the interaction graph (qubits ``0..n-1``, an edge per interacting pair,
    as :class:`~dqc.passes.BuildInteractionGraph` writes it); ``capacities``: data
    qubits per QPU; ``dag``: the circuit the graph was built from, for the epochs
    (:func:`epochs_of`). The per-epoch program (:func:`epoch_milp`, methods
    ``epoch-milp-optimal`` / ``epoch-milp-dual``) runs when ``dag`` is given and
    (qubit-epochs) × QPUs² is at most ``max_size`` (:data:`MILP_MAX_SIZE`); else the
    timeless one (:func:`presence_milp`, ``milp-optimal`` / ``milp-dual``) when
    (interacting qubits) × QPUs² is, unless every component is a clique; the separator
    bound always; the larger figure is
    reported with its method. ``achieved``: ebits of a plan already found
    (an upper bound); when the separator bound reaches it, the program is skipped (it
    could not prove more).

    Examples:
        >>> any_placement_bound(nx.path_graph(4), [2, 2])
        AnyPlacementBound(ebits=1, method='milp-optimal')
        >>> any_placement_bound(nx.Graph([(0, 1)]), [2, 2])
        AnyPlacementBound(ebits=0, method='trivial')
        >>> any_placement_bound(nx.complete_graph(8), [4, 4], achieved=4)  # no program
        AnyPlacementBound(ebits=4, method='separator')
    """
    pairs = interacting_pairs(graph)
    sep = separator_bound(graph, capacities)
    active = sorted({q for pair in pairs for q in pair})
    if not pairs or max(capacities) >= graph.number_of_nodes() or (
            achieved is not None and sep >= achieved):
        return AnyPlacementBound(sep, "separator" if sep else "trivial")
    k = len(capacities)
    if dag is not None and len(active) * k * k <= max_size:
        epochs = epochs_of(dag)
        if epochs.size * k * k <= max_size:
            value, optimal = epoch_milp(epochs, capacities, node_limit=node_limit)
            if optimal or value >= sep:
                return AnyPlacementBound(
                    value, "epoch-milp-optimal" if optimal else "epoch-milp-dual")
            return AnyPlacementBound(sep, "separator" if sep else "trivial")
    if len(active) * k * k <= max_size and not _cliques(graph):
        n = graph.number_of_nodes()
        index = {q: i for i, q in enumerate(sorted(graph.nodes()))}
        value, optimal = presence_milp(
            n, [(index[u], index[v]) for u, v in pairs], capacities, node_limit=node_limit)
        if optimal or value >= sep:
            return AnyPlacementBound(value, "milp-optimal" if optimal else "milp-dual")
    return AnyPlacementBound(sep, "separator" if sep else "trivial")
