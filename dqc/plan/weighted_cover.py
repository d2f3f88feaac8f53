"""Carrier plans that weigh each copy by what it really costs under comm-qubit limits.

:func:`dqc.plan.cost_model.plan_carriers` counts one ebit per (segment, remote QPU)
copy. That is exact while every planned copy can stay open until its last gate;
with few comm qubits, copies that must be open at the same time are evicted and
reopened (Belady), and a cover of many long-lived copies can cost far more than
one of a few more, short-lived ones. Example: QFT on two QPUs where one side
holds a qubit more — the minimum cover keeps every qubit of the smaller side open
on the other QPU for the whole circuit; the slightly larger cover of the other
side opens one copy at a time.

:func:`plan_weighted` solves the same vertex cover with a weight per copy (the
number of times the distributor actually opened it), exactly per QPU pair as a
minimum cut (König–Egerváry for weighted bipartite graphs). DistributeGates
re-plans with the weights it observed when evictions made it exceed the plan.

Examples:
    Two remote CZ that q0 or q1 (on QPU 0) could carry, or q2 alone (on QPU 1).
    Unweighted, q2's one segment wins; if that copy has to be opened 5 times, the
    two copies of q0 and q1 are cheaper::

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag
    >>> from dqc.plan.cost_model import two_qubit_gates
    >>> qc = QuantumCircuit(3); _ = qc.cz(0, 2); _ = qc.cz(1, 2)
    >>> gates = two_qubit_gates(circuit_to_dag(qc)); dist = np.array([[0, 1], [1, 0]])
    >>> plan_weighted(gates, [0, 0, 1], dist, lambda v: 1).carriers
    {0: 2, 1: 2}
    >>> plan_weighted(gates, [0, 0, 1], dist, lambda v: 5 if v[0] == 2 else 1).carriers
    {0: 0, 1: 1}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from dqc.plan.cost_model import CarrierPlan, TwoQubitGate

Vertex = tuple[int, str, int, int]  # (qubit, basis, segment, remote QPU)


def plan_weighted(
    gates: Sequence[TwoQubitGate], part: Sequence[int], dist: np.ndarray,
    weight: Callable[[Vertex], float],
) -> CarrierPlan:
    """Minimum-weight per-pair vertex covers; ``ebits`` counts one per copy per hop.

    ``lower_bound`` is 0: a weighted plan makes no claim of optimality in ebits
    (the unweighted plan's bound stays the bound).
    """
    pairs: dict[tuple[int, int], tuple[list, list]] = {}
    for g in gates:
        a, b = g.qubits
        p, q = int(part[a]), int(part[b])
        if p == q:
            continue
        edges, forced = pairs.setdefault((min(p, q), max(p, q)), ([], []))
        sa, sb = g.segments
        va = (a, sa[0], sa[1], q) if sa is not None else None
        vb = (b, sb[0], sb[1], p) if sb is not None else None
        if va is not None and vb is not None:
            edges.append((va, vb, g.position))
        else:
            forced.append((va if va is not None else vb, g.position))
    carriers: dict[int, int] = {}
    ebits = 0
    for (p, q), (edges, forced) in sorted(pairs.items()):
        cover = {v for v, _ in forced}
        for v, position in forced:
            carriers[position] = v[0]
        open_edges = [(va, vb) for va, vb, _ in edges if va not in cover and vb not in cover]
        cover |= _min_weight_cover(open_edges, lambda v, p=p: int(part[v[0]]) == p, weight)
        for va, vb, position in edges:
            carriers[position] = va[0] if va in cover else vb[0]
        ebits += len(cover) * int(dist[p, q])
    return CarrierPlan(carriers, ebits, 0)


def lifetime_weights(gates: Sequence[TwoQubitGate], part: Sequence[int],
                     rank: Sequence[int] | None = None) -> dict[Vertex, float]:
    """Weight of each possible copy: 1 plus its lifetime over the median lifetime.

    A copy's lifetime runs from the first to the last remote gate it could carry
    (ranks of the walk; op positions by default). Long-lived copies are the ones that
    crowd the comm qubits, so this cover prefers short-lived ones at equal count.
    """
    first: dict[Vertex, int] = {}
    last: dict[Vertex, int] = {}
    for g in gates:
        a, b = g.qubits
        p, q = int(part[a]), int(part[b])
        if p == q:
            continue
        r = g.at if rank is None else rank[g.at]
        for carrier, seg, remote in ((a, g.segments[0], q), (b, g.segments[1], p)):
            if seg is not None:
                v = (carrier, seg[0], seg[1], remote)
                first.setdefault(v, r)
                last[v] = r
    if not first:
        return {}
    spans = {v: last[v] - first[v] + 1 for v in first}
    median = float(np.median(list(spans.values())))
    return {v: 1.0 + span / median for v, span in spans.items()}


#: Largest total of integer weights :func:`_min_weight_cover` gives SciPy's maximum flow,
#: which counts capacities in 32-bit integers (the infinite arcs get the total plus one).
INT32_TOTAL = 2**31 - 2


def _min_weight_cover(edges, is_left, weight) -> set:
    """Minimum-weight vertex cover of a bipartite graph by a minimum s-t cut.

    The cut whose sink side is every node that can still reach t (the same for every
    maximum flow): SciPy's :func:`~scipy.sparse.csgraph.maximum_flow` when the weights
    are integers (those of re-planning: times a copy was opened) of a total that fits
    32 bits; networkx's ``minimum_cut`` (the same cut, in Python) otherwise.

    Examples:
        A path a - b - c, b on the right: b alone covers both edges unless it weighs
        more than a and c together::

        >>> edges = [("a", "b"), ("c", "b")]
        >>> sorted(_min_weight_cover(edges, lambda v: v != "b", lambda v: 1))
        ['b']
        >>> sorted(_min_weight_cover(edges, lambda v: v != "b", {"a": 1, "b": 3, "c": 1}.get))
        ['a', 'c']
        >>> sorted(_min_weight_cover(edges, lambda v: v != "b", {"a": 1, "b": 2.5, "c": 1}.get))
        ['a', 'c']
    """
    if not edges:
        return set()
    lefts: dict = {}
    rights: dict = {}
    arcs = []
    for va, vb in sorted(edges):
        left, right = (va, vb) if is_left(va) else (vb, va)
        arcs.append((lefts.setdefault(left, len(lefts)), rights.setdefault(right, len(rights))))
    weights = [weight(v) for v in (*lefts, *rights)]
    if all(float(w).is_integer() for w in weights) and sum(weights) <= INT32_TOTAL:
        sink_side = _sink_side(arcs, [int(w) for w in weights], len(lefts))
    else:
        sink_side = _sink_side_networkx(arcs, weights, len(lefts))
    return ({v for v, i in lefts.items() if i in sink_side}
            | {v for v, j in rights.items() if len(lefts) + j not in sink_side})


def _sink_side(arcs: list[tuple[int, int]], weights: list[int], num_left: int) -> set[int]:
    """Nodes that reach t in the residual network of a maximum flow (SciPy): left
    nodes ``0..num_left-1``, right nodes after them, then s and t."""
    n = len(weights)
    s, t = n, n + 1
    infinite = sum(weights) + 1
    rows = [s] * num_left + list(range(num_left, n)) + [i for i, _ in arcs]
    cols = list(range(num_left)) + [t] * (n - num_left) + [num_left + j for _, j in arcs]
    caps = weights + [infinite] * len(arcs)
    graph = sp.csr_array((np.array(caps, dtype=np.int32), (rows, cols)), shape=(n + 2, n + 2))
    residual = (graph - maximum_flow(graph, s, t).flow).tocoo()
    open_ = residual.data > 0
    into = sp.csr_array((np.ones(int(open_.sum()), dtype=np.int8),
                         (residual.col[open_], residual.row[open_])), shape=(n + 2, n + 2))
    return set(breadth_first_order(into, t, directed=True, return_predecessors=False).tolist())


def _sink_side_networkx(arcs: list[tuple[int, int]], weights: list, num_left: int) -> set[int]:
    """:func:`_sink_side` by networkx's ``minimum_cut`` (any real weights; t left out)."""
    flow = nx.DiGraph()
    for i, j in arcs:
        flow.add_edge("s", i, capacity=float(weights[i]))
        flow.add_edge(i, num_left + j)  # no capacity: infinite
        flow.add_edge(num_left + j, "t", capacity=float(weights[num_left + j]))
    _, (_, sink) = nx.minimum_cut(flow, "s", "t")
    return {v for v in sink if v != "t"}
