"""When each operation runs: as soon as possible, then lazy or eager Bell pairs.

Start times are longest paths in program order over the dependency graph of a
:class:`~dqc.estimation.program.Program` (durations, classical latencies, link order);
the model is described in :mod:`dqc.estimation.schedule`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dqc.errors import DQCError
from dqc.estimation.program import Edges, Program
from dqc.network import Network

__all__ = ["EPR_TIMINGS", "Timing", "asap", "check_timing", "lazy", "link_use", "place"]

#: How Bell pairs are placed in time (see :mod:`dqc.estimation.schedule`).
EPR_TIMINGS = ("lazy", "eager")


@dataclass
class Timing:
    """Placed times of a program and the figures of its ASAP pass.

    Attributes:
        start: start of every operation (after lazy timing, if asked for).
        end: end of every operation (likewise).
        asap_end: end of every operation as soon as possible.
        makespan: end of the last operation.
        critical_path_s: the makespan with unlimited link channels.
        compute_s: the makespan with free ebits and unlimited comm qubits.
        path: the chain that ends last (before Bell pairs are moved), in time order.
        split: time on that chain spent on ebits, local operations and messages.
    """

    start: list[float]
    end: list[float]
    asap_end: list[float]
    makespan: float
    critical_path_s: float
    compute_s: float
    path: list[int]
    split: dict[str, float]


def check_timing(epr_timing: str) -> None:
    """Refuse an ``epr_timing`` that is not one of :data:`EPR_TIMINGS`.

    Examples:
        >>> check_timing("lazy")
        >>> check_timing("late")
        Traceback (most recent call last):
        ...
        dqc.errors.DQCError: epr_timing='late'; it must be one of lazy, eager
    """
    if epr_timing not in EPR_TIMINGS:
        raise DQCError(f"epr_timing={epr_timing!r}; it must be one of {', '.join(EPR_TIMINGS)}")


def asap(prog: Program, durations: Sequence[float], *, links: bool,
         memory: bool = True) -> tuple[list, list, list]:
    """Start, end and deciding predecessor of every op (longest paths in program order).

    ``links=False`` drops link-capacity edges; ``memory=False`` also lets every ``epr``
    ignore the earlier use of its comm qubits (as if comm qubits were unlimited).
    """
    n = len(durations)
    start = [0.0] * n
    end = [0.0] * n
    pred = [-1] * n
    deps, resource = prog.deps, prog.resource
    skips = prog.memory if not memory else [()] * n
    for i in range(n):
        s, p = 0.0, -1
        skip = skips[i]
        for j, lag in deps[i]:
            if j in skip:
                continue
            t = end[j] + lag
            if t > s:
                s, p = t, j
        r = resource[i]
        if links and r >= 0 and end[r] > s:
            s, p = end[r], r
        start[i], end[i], pred[i] = s, s + durations[i], p
    return start, end, pred


def lazy(prog: Program, succ: Edges, start: list[float], end: list[float]) -> None:
    """Move every operation that has successors as late as they allow (in place).

    Processed in reverse program order, so each successor already has its final
    start; operations without successors (the last ones) keep their ASAP times, so
    the makespan does not change. ``succ`` is :func:`~dqc.estimation.program.successors`
    of ``prog``.
    """
    for i in range(len(start) - 1, -1, -1):
        if not succ[i]:
            continue
        latest = min(start[k] - lag for k, lag in succ[i])
        if latest > end[i]:
            end[i] = latest
            start[i] = latest - prog.duration[i]


def _last_chain(prog: Program, start: list[float], end: list[float], pred: list[int]
                ) -> tuple[list[int], dict[str, float]]:
    """The chain of deciding predecessors that ends last, and how its time splits."""
    path: list[int] = []
    i = max(range(len(end)), key=end.__getitem__) if end else -1
    while i >= 0:
        path.append(i)
        i = pred[i]
    path.reverse()
    split = {"epr_s": 0.0, "gates_s": 0.0, "classical_s": 0.0}
    for k, i in enumerate(path):
        split["epr_s" if prog.link[i] >= 0 else "gates_s"] += prog.duration[i]
        if k:
            split["classical_s"] += start[i] - end[path[k - 1]]
    return path, split


def place(prog: Program, succ: Edges, epr_timing: str) -> Timing:
    """ASAP times, the two lower-bound runs, the last chain, then lazy timing if asked."""
    start, end, pred = asap(prog, prog.duration, links=True)
    _, cp_end, _ = asap(prog, prog.duration, links=False)
    free = [0.0 if prog.link[i] >= 0 else d for i, d in enumerate(prog.duration)]
    _, compute_end, _ = asap(prog, free, links=False, memory=False)
    path, split = _last_chain(prog, start, end, pred)
    asap_end = list(end)
    if epr_timing == "lazy":
        lazy(prog, succ, start, end)
    return Timing(start, end, asap_end, max(asap_end, default=0.0),
                  max(cp_end, default=0.0), max(compute_end, default=0.0), path, split)


def link_use(prog: Program, network: Network, makespan: float
             ) -> tuple[dict[str, float], dict[str, float]]:
    """Per link: the bound ``ceil(ebits / channels) × pair time`` (1 / ``rate_hz``, or the
    expected time of a purified pair) and the busy fraction."""
    bounds, busy = {}, {}
    for li, link in enumerate(network.links):
        chain = prog.eprs_by_link[li]
        pairs = math.ceil(len(chain) / link.channels)
        bounds[link.key] = (pairs * network.delivered(link).time_s if link.purification_rounds
                            else pairs / link.rate_hz)
        generating = math.fsum(prog.duration[i] for i in chain)
        busy[link.key] = generating / (makespan * link.channels) if makespan > 0 else 0.0
    return bounds, busy
