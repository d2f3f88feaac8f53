"""Placing operations so that qubits wait least (the lazy schedule's last step).

The fidelity model (:mod:`dqc.estimation.schedule`) counts, qubit by qubit, the least
time any schedule makes it wait. A schedule has to serve every qubit at once, so how
close it comes depends on where it puts the operations that have slack. :func:`settle`
keeps the makespan and the dependency graph and chooses among candidate placements the
one whose waits dephase least (:func:`~dqc.estimation.fidelity.placed_keep`; the
lazy one unless another gains more than :data:`GAIN`):

* the lazy placement (:func:`~dqc.estimation.timing.lazy`: last operations as late as
  the makespan allows, then pulled back);
* the same without moving the last operations;
* the placement that minimises
  Σ life / T2 over every life of every qubit (from an operation to its next measurement
  or reset), a linear program solved with SciPy's HiGHS; its times are then made exact
  by one forward pass (each start the later of the program's and its predecessors'
  ends, never past the latest start the makespan allows), so HiGHS's feasibility
  tolerance never shows in the schedule.

Programs of more than :data:`LP_MAX_OPS` operations keep the lazy placement (the choice
costs seconds there, and the model's figures never depend on it: they count the least
waits). The choice is a size rule and a comparison of figures, never a clock, so the same
input gives the same schedule. On the circuits of ``tests/estimation/test_noisy_simulation.py``
the linear program reaches the model's per-qubit least waits (Bernstein–Vazirani on 3
QPUs with T2 = 8.9 µs: placed memory × idle 0.384 of the bound → equal to it), which is
what lets a noisy simulation of the placed schedule agree with the model's own figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from dqc.estimation.memory import Limits
from dqc.estimation.program import Edges, Program
from dqc.estimation.timing import Timing, latest_times, lazy

__all__ = ["LP_MAX_OPS", "least_waits", "settle"]

#: Largest program (operations) whose placement :func:`settle` chooses.
LP_MAX_OPS = 5000

#: Least gain in log(memory × idle) for another candidate to replace the lazy placement
#: (ties, up to rounding, keep the lazy one).
GAIN = 1e-12

Times = tuple[list[float], list[float]]


def settle(prog: Program, succ: Edges, timing: Timing, ops_on: Mapping[int, Sequence[int]],
           t2: Mapping[int, float], limits: Limits | None = None) -> None:
    """Replace the lazy times of ``timing`` by the candidate whose waits dephase least
    (module docstring); ``t2``: the T2 of every qubit of ``ops_on``; ``limits``: the
    cutoffs the linear program keeps too (:func:`~dqc.estimation.memory.cutoff_limits`).
    In place.

    Examples:
        >>> from types import SimpleNamespace
        >>> prog = SimpleNamespace(names=["h", "x", "cx", "measure"], qubits=[(0,), (1,),
        ...                        (0, 1), (0,)], duration=[1.0, 4.0, 1.0, 1.0],
        ...                        resource=[-1] * 4, deps=[[], [], [(0, 0.0), (1, 0.0)],
        ...                        [(2, 0.0)]])
        >>> succ = [[(2, 0.0)], [(2, 0.0)], [(3, 0.0)], []]
        >>> timing = SimpleNamespace(start=[0.0, 0.0, 4.0, 5.0], end=[1.0, 4.0, 5.0, 6.0],
        ...                          asap_end=[1.0, 4.0, 5.0, 6.0], makespan=6.0, release=[])
        >>> settle(prog, succ, timing, {0: [0, 2, 3], 1: [1, 2]}, {0: 1.0, 1: 1.0})
        >>> timing.start      # the h just before the cx that waits for the long x
        [3.0, 0.0, 4.0, 5.0]
    """
    if len(prog.duration) > LP_MAX_OPS:
        return
    score = _Score(prog.names, ops_on, t2)
    best = (timing.start, timing.end)
    asap_start = [e - d for e, d in zip(timing.asap_end, prog.duration)]
    plain = (asap_start, list(timing.asap_end))
    lazy(prog, succ, *plain, sinks=False)
    candidates = [plain]
    found = least_waits(prog, succ, ops_on, t2, timing.makespan, timing.release, limits)
    if found is not None:
        candidates.append(found)
    top = score(best)
    for times in candidates:
        value = score(times)
        if value > top + GAIN:
            best, top = times, value
    timing.start, timing.end = best


class _Score:
    """:func:`~dqc.estimation.fidelity.placed_keep` of placed times, vectorised: the
    gaps between consecutive operations of each life, summed per life by NumPy.

    Examples:
        >>> from dqc.estimation.fidelity import placed_keep
        >>> score = _Score(["h", "cx", "measure", "h"], {0: [0, 1, 2, 3]}, {0: 2.0})
        >>> score(([0.0, 3.0, 4.0, 9.0], [1.0, 4.0, 5.0, 10.0])) == placed_keep(
        ...     [(2.0, [("h", 0.0, 1.0), ("cx", 3.0, 4.0), ("measure", 4.0, 5.0),
        ...             ("h", 9.0, 10.0)])])
        True
    """

    def __init__(self, names: Sequence[str], ops_on: Mapping[int, Sequence[int]],
                 t2: Mapping[int, float]) -> None:
        prev: list[int] = []
        cur: list[int] = []
        life: list[int] = []
        t2_life: list[float] = []
        for q, ops in ops_on.items():
            t2_life.append(t2[q])
            for a, b in zip(ops, ops[1:]):
                if names[a] in ("measure", "reset"):
                    t2_life.append(t2[q])  # b starts a new life
                    continue
                prev.append(a)
                cur.append(b)
                life.append(len(t2_life) - 1)
        self.prev = np.asarray(prev, dtype=np.int64)
        self.cur = np.asarray(cur, dtype=np.int64)
        self.life = np.asarray(life, dtype=np.int64)
        self.t2 = np.asarray(t2_life, dtype=float)

    def __call__(self, times: Times) -> float:
        if not len(self.cur):
            return 0.0
        start, end = np.asarray(times[0]), np.asarray(times[1])
        gaps = np.maximum(start[self.cur] - end[self.prev], 0.0)
        waited = np.bincount(self.life, weights=gaps, minlength=len(self.t2)) / self.t2
        return float(np.log1p(np.expm1(-waited) / 2.0).sum())


def least_waits(prog: Program, succ: Edges, ops_on: Mapping[int, Sequence[int]],
                t2: Mapping[int, float], makespan: float, release: Sequence[float] = (),
                limits: Limits | None = None) -> Times | None:
    """Start and end times minimising Σ life / T2 within ``makespan`` (module docstring),
    no operation before its ``release``, every pair of ``limits`` used within its cutoff;
    None if HiGHS finds no such times."""
    n = len(prog.duration)
    release = list(release) or [0.0] * n
    latest_start = [0.0] * n
    latest_end = [0.0] * n
    latest_times(prog, succ, latest_start, latest_end, makespan)
    if makespan <= 0 or n == 0:
        return None
    scale = 1.0 / makespan
    cost = np.zeros(n)
    for q, ops in ops_on.items():
        first = ops[0]
        for k, i in enumerate(ops):
            if k + 1 == len(ops) or prog.names[i] in ("measure", "reset"):
                cost[i] += 1.0 / t2[q]
                cost[first] -= 1.0 / t2[q]
                if k + 1 < len(ops):
                    first = ops[k + 1]
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    bound: list[float] = []
    for i in range(n):
        for k, lag in succ[i]:  # start_i − start_k ≤ −(duration_i + lag)
            r = len(bound)
            rows += [r, r]
            cols += [i, k]
            vals += [1.0, -1.0]
            bound.append(-(prog.duration[i] + lag) * scale)
    for i, (cutoff, firsts) in (limits or {}).items():
        for f in firsts:  # start_f − start_i ≤ cutoff + duration_i
            r = len(bound)
            rows += [r, r]
            cols += [f, i]
            vals += [1.0, -1.0]
            bound.append((cutoff + prog.duration[i]) * scale)
    a_ub = coo_matrix((vals, (rows, cols)), shape=(len(bound), n)).tocsr() if bound else None
    solved = linprog(cost, A_ub=a_ub, b_ub=bound or None,
                     bounds=[(r * scale, s * scale) for r, s in zip(release, latest_start)],
                     method="highs")
    if solved.status != 0:
        return None
    return _exact(prog, [float(x) / scale for x in solved.x], release, latest_start)


def _exact(prog: Program, wanted: Sequence[float], release: Sequence[float],
           latest_start: Sequence[float]) -> Times:
    """Times as close to ``wanted`` as the dependencies allow exactly: each start the
    later of ``wanted`` (within its release and latest start) and its predecessors' ends."""
    start = [0.0] * len(wanted)
    end = [0.0] * len(wanted)
    for i, want in enumerate(wanted):
        s = min(want if want > release[i] else release[i], latest_start[i])
        for j, lag in prog.deps[i]:
            s = max(s, end[j] + lag)
        if prog.resource[i] >= 0:
            s = max(s, end[prog.resource[i]])
        start[i], end[i] = s, s + prog.duration[i]
    return start, end
