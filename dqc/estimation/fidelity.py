"""The fidelity model: link, memory, idle and gate factors (first-order, independent).

Every factor is a probability that no error happens at one place: a Bell pair is
exact (its fidelity), a gate or measurement does not err (1 − error), and a qubit
stored for t does not suffer the Z error of pure dephasing, whose probability is
p = (1 − e^(−t/T2)) / 2 (the same channel :mod:`dqc.network.purification` uses), so
it keeps 1 − p = (1 + e^(−t/T2)) / 2 (:func:`keep`). The product is the entanglement
(process) fidelity of the run when every error is a distinct Pauli error;
:mod:`dqc.adapter.noisy_sim` checks it against a noisy simulation.

The model and its monotonicity argument are in :mod:`dqc.estimation.schedule`; the
figures (Bell-pair fidelities, T2, error rates) come from :mod:`dqc.network.physics`,
which cites their sources.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dqc.estimation.formatting import rounded
from dqc.estimation.memory import After
from dqc.estimation.paths import (
    ALONE_VISITS,
    LONG_SPAN,
    chain,
    longest_paths,
    longest_paths_together,
    searches_exceed_budget,
    tails,
)
from dqc.estimation.program import Edges, Program
from dqc.network import Network

__all__ = ["Fidelity", "ForcedHolds", "forced_holds", "idle_exposure", "keep", "link_log",
           "placed_keep"]


def keep(exposure: float) -> float:
    """log of the chance that a qubit stored for t = ``exposure`` × T2 suffers no dephasing
    error: log((1 + e^(−t/T2)) / 2) (module docstring).

    Examples:
        >>> keep(0.0) == 0.0, round(math.exp(keep(1.0)), 4)        # (1 + e^-1) / 2
        (True, 0.6839)
    """
    return math.log1p(math.expm1(-exposure) / 2.0)


@dataclass(frozen=True)
class Fidelity:
    """Estimated output fidelity and its factors (model in :mod:`dqc.estimation.schedule`).

    Attributes:
        total: product of the four factors.
        link: product of the Bell-pair fidelities of all ebits.
        memory: no dephasing error on stored ebit halves, Π (1 + exp(−t_wait / T2)) / 2
            (t_wait: t_hold less the half's own operations).
        idle: no dephasing error on waiting data qubits, Π (1 + exp(−t_idle / T2)) / 2.
        gates: product of (1 − error) over gates and measurements.
        log10_total: log10 of ``total``, exact even where ``total`` underflows to 0.
        memory_t2: Σ t_hold / T2 over ebit halves (the storage the ``memory`` verdict
            judges; the ``memory`` factor counts t_hold less the half's own busy time,
            so it is at least exp(−memory_t2 / 2)).
        idle_t2: Σ t_idle / T2 over data qubits (``idle`` is at least exp(−idle_t2 / 2),
            equal to first order).
        log_memory: natural log of ``memory``, exact where it underflows.
        log_idle: natural log of ``idle``, likewise.
    """

    total: float
    link: float
    memory: float
    idle: float
    gates: float
    log10_total: float
    memory_t2: float = 0.0
    idle_t2: float = 0.0

    log_memory: float = 0.0
    log_idle: float = 0.0

    @classmethod
    def from_logs(cls, link: float, memory: float, idle: float, gates: float, *,
                  memory_t2: float = 0.0, idle_t2: float = 0.0) -> Fidelity:
        """Build from natural logs of the four factors (and the two exposures).

        Examples:
            >>> Fidelity.from_logs(0.0, -1.0, 0.0, 0.0).memory == math.exp(-1)
            True
        """
        log_total = link + memory + idle + gates
        return cls(total=math.exp(log_total), link=math.exp(link), memory=math.exp(memory),
                   idle=math.exp(idle), gates=math.exp(gates),
                   log10_total=log_total / math.log(10), memory_t2=memory_t2,
                   idle_t2=idle_t2, log_memory=memory, log_idle=idle)

    @property
    def log10_memory(self) -> float:
        """log10 of ``memory``, exact even where it underflows to 0.

        Examples:
            >>> round(Fidelity.from_logs(0.0, -math.log(100), 0.0, 0.0).log10_memory, 9)
            -2.0
        """
        return self.log_memory / math.log(10)

    @property
    def log10_idle(self) -> float:
        """log10 of ``idle``, exact even where it underflows to 0."""
        return self.log_idle / math.log(10)

    def to_dict(self) -> dict[str, Any]:
        """Factors as a plain dict."""
        return {"total": rounded(self.total), "link": rounded(self.link),
                "memory": rounded(self.memory), "idle": rounded(self.idle),
                "gates": rounded(self.gates), "log10_total": rounded(self.log10_total),
                "memory_t2": rounded(self.memory_t2), "idle_t2": rounded(self.idle_t2)}


def link_log(prog: Program, network: Network) -> float:
    """Σ over ebits of the log of the fidelity of the pair their link delivers (after its
    purification rounds, :meth:`~dqc.network.Network.delivered`)."""
    fidelity = [network.delivered(link).fidelity for link in network.links]
    return math.fsum(math.log(fidelity[prog.link[i]])
               for i in range(len(prog.names)) if prog.link[i] >= 0)


@dataclass
class ForcedHolds:
    """The least storage of every ebit half (t_hold of :mod:`dqc.estimation.schedule`).

    Attributes:
        exposure: Σ t_hold / T2 over halves (``Fidelity.memory_t2``).
        log_keep: Σ :func:`keep` ((t_hold − busy) / T2) over halves (log of
            ``Fidelity.memory``; busy: the half's own operations, :func:`forced_holds`).
        per_link: per link key, t_hold of each half of its ebits.
        per_qpu: per QPU index, t_hold of each half stored there.
        waits: per link with a cutoff, the least time each half of its ebits waits
            from the end of its ``epr`` to the start of its first use (the storage the
            cutoff limits: a half in use is no longer a stored pair); a wait above the
            cutoff means the pair is discarded before any schedule can use it (the
            verdict's ``cutoff`` check).
        late: the ``epr`` operations with such a half.
    """

    exposure: float
    log_keep: float
    per_link: dict[str, list[float]]
    per_qpu: list[list[float]]
    waits: dict[str, list[float]]
    late: set[int] = field(default_factory=set)


def forced_holds(prog: Program, succ: Edges, after: After, network: Network,
                 qpu_of: Sequence[int], ops_on: dict[int, list[int]] | None = None
                 ) -> ForcedHolds:
    """t_hold of every ebit half: its chain from the end of its ``epr`` to what frees it.

    The memory factor (``log_keep``) counts t_hold less the half's own busy time (its
    operations after the ``epr``, up to and including the one that frees it, from
    ``ops_on``: :func:`~dqc.estimation.program.ops_by_qubit`), as ``idle`` does for data
    qubits: errors during an operation are its gate or measurement error.
    """
    t2 = [q.profile.t2_s for q in network.qpus]
    keys = [link.key for link in network.links]
    cutoffs = [link.cutoff_s for link in network.links]
    out = ForcedHolds(0.0, 0.0, {key: [] for key in keys}, [[] for _ in network.qpus], {})
    far = _long_searches(prog, succ, after)
    for i in prog.eprs():
        li = prog.link[i]
        halves = [(q, *after[(i, q)]) for q in prog.qubits[i]]
        # one search serves both halves: the hold of each is its chain to what frees it
        if i in far:
            least = far[i]
        else:
            last = _last_freed(prog, after, i)
            least = {} if last is None else longest_paths(prog, succ, i, last,
                                                          from_end=True)[0]
        cutoff = cutoffs[li]
        for q, first, _, frees in halves:
            hold = least.get(frees, 0.0) if frees is not None else 0.0
            if cutoff is not None:
                wait = least.get(first, 0.0) - prog.duration[first] if first is not None else 0.0
                out.waits.setdefault(keys[li], []).append(max(0.0, wait))
                if wait > cutoff:
                    out.late.add(i)
            busy = _busy(prog, ops_on.get(q, []) if ops_on else [], i, frees)
            k = qpu_of[q]
            out.exposure += hold / t2[k]
            out.log_keep += keep(max(0.0, hold - busy) / t2[k])
            out.per_link[keys[li]].append(hold)
            out.per_qpu[k].append(hold)
    return out


def _long_searches(prog: Program, succ: Edges, after: After) -> dict[int, dict[int, float]]:
    """The lengths :func:`~dqc.estimation.paths.longest_paths` gives from every ``epr``
    whose search spans more than :data:`~dqc.estimation.paths.LONG_SPAN` operations:
    alone when it takes at most :data:`~dqc.estimation.paths.ALONE_VISITS`, the others
    together (at what :func:`forced_holds` reads: each half's first operation and the
    one that frees it)."""
    out: dict[int, dict[int, float]] = {}
    searches, eprs = [], []
    for i in prog.eprs():
        last = _last_freed(prog, after, i)
        if last is None or last - i <= LONG_SPAN:
            continue
        least, visited = longest_paths(prog, succ, i, last, from_end=True,
                                       budget=ALONE_VISITS)
        if visited <= ALONE_VISITS:
            out[i] = least
            continue
        halves = [after[(i, q)] for q in prog.qubits[i]]
        reads = {x for first, _, frees in halves for x in (first, frees) if x is not None}
        searches.append((i, last, reads))
        eprs.append(i)
    out.update(zip(eprs, longest_paths_together(prog, succ, searches)))
    return out


def _last_freed(prog: Program, after: After, epr: int) -> int | None:
    """The last operation that frees a half of ``epr`` (None if none is freed)."""
    freed = [after[(epr, q)][2] for q in prog.qubits[epr]]
    return max((f for f in freed if f is not None), default=None)


def _busy(prog: Program, ops: Sequence[int], epr: int, frees: int | None) -> float:
    """Summed duration of the operations of ``ops`` (ascending) after ``epr`` up to
    ``frees``; found by bisection: a comm qubit's ``ops`` span every ebit it ever held.

    Examples:
        >>> from types import SimpleNamespace
        >>> prog = SimpleNamespace(duration=[1.0, 2.0, 4.0, 8.0, 16.0])
        >>> _busy(prog, [0, 1, 3, 4], 1, 3), _busy(prog, [0, 1, 3, 4], 1, None)
        (8.0, 0.0)
    """
    if frees is None:
        return 0.0
    lo, hi = bisect.bisect_right(ops, epr), bisect.bisect_right(ops, frees)
    return math.fsum(map(prog.duration.__getitem__, ops[lo:hi]))


def idle_exposure(prog: Program, succ: Edges, data: list[tuple[int, list[int]]],
                  asap_end: Sequence[float], network: Network, qpu_of: Sequence[int]
                  ) -> tuple[float, float]:
    """Σ t_idle / T2 and Σ :func:`keep` (t_idle / T2) over the data qubits ``data`` (each
    with its operations).

    t_idle is the chain from the start of the qubit's first operation to the end of
    its last, less its own busy time; past :data:`~dqc.estimation.paths.CHAIN_SEARCH_BUDGET`
    the chain is replaced by its upper bound min(tail(first op), ASAP end of last op).
    """
    if searches_exceed_budget(succ, [(ops[0], ops[-1]) for _, ops in data]):
        # too large to search: a cheaper upper bound
        tail = tails(prog, succ)
        lifetimes = [min(tail[ops[0]], asap_end[ops[-1]]) for _, ops in data]
    else:
        lifetimes = [chain(prog, succ, ops[0], ops[-1], from_end=False)[0] for _, ops in data]
    techs = [q.profile for q in network.qpus]
    exposure, log_keep = 0.0, 0.0
    for (q, ops), life in zip(data, lifetimes):
        busy = math.fsum(map(prog.duration.__getitem__, ops))
        ratio = max(0.0, life - busy) / techs[qpu_of[q]].t2_s
        exposure += ratio
        log_keep += keep(ratio)
    return exposure, log_keep


def placed_keep(lives: Iterable[tuple[float, Iterable[tuple[str, float, float]]]]) -> float:
    """Σ :func:`keep` over the *lives* of qubits at placed times: the memory × idle
    factor (log) of one schedule, where :class:`Fidelity` counts the least waits.

    ``lives`` gives, per qubit, its T2 and its operations ``(name, start, end)`` in
    program order. A life runs from an operation to the next ``measure`` or ``reset``
    of the qubit (or its last operation); its wait is the sum of the gaps between
    consecutive operations. This is what a noisy simulation of that schedule dephases
    (:mod:`dqc.adapter.noisy_sim`), to first order.

    Examples:
        >>> ops = [("h", 0.0, 1.0), ("cx", 3.0, 4.0), ("measure", 4.0, 5.0), ("h", 9.0, 10.0)]
        >>> placed_keep([(2.0, ops)]) == keep(1.0)    # gap 2 in the first life, none after
        True
    """
    total = 0.0
    for t2, ops in lives:
        waited, last = 0.0, math.nan
        for name, start, end in ops:
            if start > last:
                waited += start - last
            last = end
            if name in ("measure", "reset"):
                total += keep(waited / t2)
                waited, last = 0.0, math.nan
        total += keep(waited / t2)
    return total
