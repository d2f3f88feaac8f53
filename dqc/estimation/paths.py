"""Longest paths in a program's dependency graph: the least time between two points.

Edges only go forward in program order (a topological order), so a search from one
operation visits operations in increasing index and stops at its target. These
searches give the forced storage of ebit halves and the idle time of data qubits in
:mod:`dqc.estimation.fidelity`; those that span many operations go together, one pass
for many sources (:func:`longest_paths_together`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Sequence

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from dqc.estimation.program import Edges, Program

__all__ = ["ALONE_VISITS", "CHAIN_SEARCH_BUDGET", "LONG_SPAN", "TOGETHER", "chain", "longest_paths",
           "longest_paths_together", "searches_exceed_budget", "tails"]

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
                  from_end: bool, budget: float = math.inf) -> tuple[dict[int, float], int]:
    """Longest paths from ``source`` to the end of every op up to ``last`` it reaches.

    Ops are taken in program order (a topological order), so each op's length is
    final when it is taken; the search stops at ``last``, or gives up once it has
    taken more than ``budget`` ops (then the lengths are incomplete: the caller checks
    the count). Returns the lengths and the number of ops taken. Successor lists are
    in program order (:func:`~dqc.estimation.program.successors`).
    """
    duration = prog.duration
    dist = {source: 0.0 if from_end else duration[source]}
    heap = [source]
    pop, push = heapq.heappop, heapq.heappush
    visited = 0
    while heap:
        i = pop(heap)
        visited += 1
        if i == last or visited > budget:
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


#: Searches spanning more operations than this (``last - source``) that also take more
#: than :data:`ALONE_VISITS` ops alone are made together by
#: :func:`longest_paths_together`: at 10,000 qubits a few ebit halves held across long
#: stretches of the program make most of the visits of one-by-one searches.
LONG_SPAN = 2_000
ALONE_VISITS = 5_000


def longest_paths_together(prog: Program, succ: Edges,
                           searches: Sequence[tuple[int, int, Collection[int]]]
                           ) -> list[dict[int, float]]:
    """For each ``(source, last, targets)``: the longest path from the end of ``source``
    to the end of each target it reaches (targets up to ``last``), the values
    :func:`longest_paths` (``from_end=True``) gives at those targets.

    One pass in program order carries, per operation reached, a vector of its path
    lengths from every source (−inf where none reaches it), pushed to its successors
    with the same sums ((length + lag) + duration) and maxima, so the values are the
    same to the bit. A pass costs one step per operation between its first source and
    its last ``last``, however many searches share it; searches go in passes of at most
    :data:`TOGETHER` in source order (so the vectors stay short).

    Examples:
        >>> from types import SimpleNamespace
        >>> prog = SimpleNamespace(duration=[1.0, 2.0, 4.0, 8.0])
        >>> succ = [((1, 0.0), (2, 0.5)), ((3, 0.0),), ((3, 0.0),), ()]
        >>> longest_paths_together(prog, succ, [(0, 3, [2, 3]), (1, 3, [2, 3])])
        [{2: 4.5, 3: 12.5}, {3: 8.0}]
        >>> [longest_paths(prog, succ, s, 3, from_end=True)[0].get(3) for s in (0, 1)]
        [12.5, 8.0]
    """
    out: list[dict[int, float]] = [{} for _ in searches]
    order = sorted(range(len(searches)), key=lambda s: searches[s][0])
    for lo in range(0, len(order), TOGETHER):
        chunk = order[lo:lo + TOGETHER]
        for s, found in zip(chunk, _one_pass(prog, succ, [searches[s] for s in chunk])):
            out[s] = found
    return out


#: Most searches :func:`longest_paths_together` carries in one pass.
TOGETHER = 512


def _one_pass(prog: Program, succ: Edges,
              searches: Sequence[tuple[int, int, Collection[int]]]) -> list[dict[int, float]]:
    """:func:`longest_paths_together` for ``searches`` (at least one), in one pass."""
    out: list[dict[int, float]] = [{} for _ in searches]
    duration = prog.duration
    width = len(searches)
    starts: dict[int, list[int]] = {}  # operation -> searches starting there
    wanted: dict[int, list[int]] = {}  # operation -> searches that read it
    for s, (source, last, targets) in enumerate(searches):
        starts.setdefault(source, []).append(s)
        for t in targets:
            if t <= last:
                wanted.setdefault(t, []).append(s)
    reached: dict[int, np.ndarray] = {}  # operation -> lengths from every source
    end = max(last for _, last, _ in searches)
    for k in range(min(starts), end + 1):
        here = reached.pop(k, None)
        if k in starts:
            if here is None:
                here = np.full(width, -np.inf)
            here[starts[k]] = 0.0
        if here is None:
            continue
        for s in wanted.get(k, ()):
            if here[s] > -np.inf:
                out[s][k] = float(here[s])
        for j, lag in succ[k]:
            if j > end:
                break  # sorted: the rest are later still
            length = (here + lag if lag else here) + duration[j]
            known = reached.get(j)
            if known is None:
                reached[j] = length
            else:
                np.maximum(known, length, out=known)
    return out


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
