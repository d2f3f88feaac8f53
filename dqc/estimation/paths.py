"""Longest paths in a program's dependency graph: the least time between two points.

Edges only go forward in program order (a topological order), so a search from one
operation visits operations in increasing index and stops at its target. These
searches give the forced storage of ebit halves and the idle time of data qubits in
:mod:`dqc.estimation.fidelity`.
"""

from __future__ import annotations

import heapq

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from dqc.estimation.program import Edges, Program

__all__ = ["CHAIN_SEARCH_BUDGET", "chain", "longest_paths", "searches_exceed_budget", "tails"]

#: Most operations the exact chain searches of data qubits may visit in one schedule
#: (about a second); beyond it, data qubits use the upper bound of
#: :mod:`dqc.estimation.schedule`.
CHAIN_SEARCH_BUDGET = 2_000_000


def chain(prog: Program, succ: Edges, source: int, target: int, *,
          from_end: bool) -> tuple[float, int]:
    """Longest dependency path from ``source`` to the end of ``target``, and ops visited.

    The path starts at the end of ``source`` (``from_end``) or at its start; its
    length is the least time between those two points in any valid schedule.
    Edges only go forward in program order, so the search stops at ``target``.
    """
    dist, visited = longest_paths(prog, succ, source, target, from_end=from_end)
    return dist.get(target, 0.0), visited


def longest_paths(prog: Program, succ: Edges, source: int, last: int, *,
                  from_end: bool) -> tuple[dict[int, float], int]:
    """Longest paths from ``source`` to the end of every op up to ``last`` it reaches.

    Ops are taken in program order (a topological order), so each op's length is
    final when it is taken; the search stops at ``last``. Returns the lengths and the
    number of ops taken. Successor lists are in program order
    (:func:`~dqc.estimation.program.successors`).
    """
    duration = prog.duration
    dist = {source: 0.0 if from_end else duration[source]}
    heap = [source]
    pop, push = heapq.heappop, heapq.heappush
    visited = 0
    while heap:
        i = pop(heap)
        visited += 1
        if i == last:
            break
        here = dist[i]
        for k, lag in succ[i]:
            if k > last:
                break  # sorted: the rest are later still
            t = here + lag + duration[k]
            known = dist.get(k)
            if known is None:
                dist[k] = t
                push(heap, k)
            elif t > known:
                dist[k] = t
    return dist, visited


def searches_exceed_budget(succ: Edges, spans: list[tuple[int, int]]) -> bool:
    """Whether the searches :func:`chain` ``(first, last)`` for ``spans`` would visit
    more than :data:`CHAIN_SEARCH_BUDGET` operations in all.

    A search visits exactly the operations reachable from ``first`` up to ``last``
    (edges only go forward in program order); those are counted by a breadth-first
    search in SciPy, far faster than the searches, and only when the budget could be
    exceeded at all (every search visits at most all operations).
    """
    n = len(succ)
    if n * len(spans) <= CHAIN_SEARCH_BUDGET:
        return False
    sources = np.repeat(np.arange(n), [len(s) for s in succ])
    targets = np.fromiter((k for s in succ for k, _ in s), dtype=np.int64, count=len(sources))
    graph = csr_matrix((np.ones(len(sources), dtype=np.int32), (sources, targets)),
                       shape=(n, n))
    visits = 0
    for first, last in spans:
        reached = breadth_first_order(graph, first, directed=True, return_predecessors=False)
        visits += int(np.count_nonzero(reached <= last))
        if visits > CHAIN_SEARCH_BUDGET:
            return True
    return False


def tails(prog: Program, succ: Edges) -> list[float]:
    """Longest path from the start of each operation to the end of the run."""
    duration = prog.duration
    tail = [0.0] * len(duration)
    for i in range(len(tail) - 1, -1, -1):
        longest = 0.0  # (every lag + tail is at least 0: the same as max(..., default=0.0))
        for k, lag in succ[i]:
            t = lag + tail[k]
            if t > longest:
                longest = t
        tail[i] = duration[i] + longest
    return tail
