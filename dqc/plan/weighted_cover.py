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


def _min_weight_cover(edges, is_left, weight) -> set:
    """Minimum-weight vertex cover of a bipartite graph by a minimum s-t cut."""
    if not edges:
        return set()
    flow = nx.DiGraph()
    for va, vb in sorted(edges):
        left, right = (va, vb) if is_left(va) else (vb, va)
        flow.add_edge("s", ("L", left), capacity=float(weight(left)))
        flow.add_edge(("L", left), ("R", right))  # no capacity: infinite
        flow.add_edge(("R", right), "t", capacity=float(weight(right)))
    _, (source_side, _) = nx.minimum_cut(flow, "s", "t")
    cover = set()
    for node in flow:
        if node in ("s", "t"):
            continue
        side, v = node
        if (side == "L") != (node in source_side):
            cover.add(v)
    return cover
