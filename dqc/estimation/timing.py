"""When each operation runs: as soon as possible, then lazy or eager Bell pairs.

Start times are longest paths in program order over the dependency graph of a
:class:`~dqc.estimation.program.Program` (durations, classical latencies, link order);
the model is described in :mod:`dqc.estimation.schedule`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from dqc.errors import DQCError
from dqc.estimation.memory import Limits
from dqc.estimation.program import Edges, Program
from dqc.network import Network

__all__ = ["EPR_TIMINGS", "HOLD_ROUNDS", "Timing", "asap", "check_timing", "hold_back",
           "latest_times", "lazy", "link_use", "place"]

#: How Bell pairs are placed in time (see :mod:`dqc.estimation.schedule`).
EPR_TIMINGS = ("lazy", "eager")

#: Most ASAP passes :func:`hold_back` makes to keep pairs within their cutoffs.
HOLD_ROUNDS = 50


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
        release: earliest start of every operation: 0, or for an ``epr`` held back so
            that its halves are used within its link's cutoff (:func:`hold_back`).
        unheld_makespan: the makespan without those hold-backs.
    """

    start: list[float]
    end: list[float]
    asap_end: list[float]
    makespan: float
    critical_path_s: float
    compute_s: float
    path: list[int]
    split: dict[str, float]
    release: list[float] = field(default_factory=list)
    unheld_makespan: float = 0.0

    @property
    def held_back(self) -> list[int]:
        """The operations whose start a hold-back set."""
        return [i for i, r in enumerate(self.release) if r > 0.0 and self.asap_start(i) <= r]

    def asap_start(self, i: int) -> float:
        """Start of operation ``i`` as soon as possible (with the hold-backs)."""
        return self.asap_end[i] - (self.end[i] - self.start[i])


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
         memory: bool = True, release: Sequence[float] | None = None
         ) -> tuple[list, list, list]:
    """Start, end and deciding predecessor of every op (longest paths in program order).

    ``links=False`` drops link-capacity edges; ``memory=False`` also lets every ``epr``
    ignore the earlier use of its comm qubits (as if comm qubits were unlimited);
    ``release``: the earliest start of every op (none: 0).
    """
    n = len(durations)
    start = [0.0] * n
    end = [0.0] * n
    pred = [-1] * n
    deps, resource = prog.deps, prog.resource
    skips = prog.memory if not memory else [()] * n
    for i in range(n):
        s, p = (release[i] if release else 0.0), -1
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


def unlimited_makespans(prog: Program) -> tuple[float, float]:
    """The makespans of two lower-bound runs, in one pass over the program: without
    link-capacity edges (the critical path), and also with every ``epr`` instant and
    free of its comm qubits' earlier use (the computation's own time). Each is
    :func:`asap`'s, with ``links=False`` (and ``memory=False``, ``epr`` durations 0).

    Examples:
        >>> from types import SimpleNamespace
        >>> prog = SimpleNamespace(duration=[1.0, 2.0, 4.0], link=[-1, 0, -1],
        ...                        deps=[[], [(0, 0.0)], [(1, 0.5)]], memory=[(), (0,), ()])
        >>> unlimited_makespans(prog)
        (7.5, 4.5)
    """
    n = len(prog.duration)
    cp_end = [0.0] * n
    free_end = [0.0] * n
    duration, link, deps, skips = prog.duration, prog.link, prog.deps, prog.memory
    for i in range(n):
        s = f = 0.0
        skip = skips[i]
        for j, lag in deps[i]:
            t = cp_end[j] + lag
            if t > s:
                s = t
            if j not in skip:
                t = free_end[j] + lag
                if t > f:
                    f = t
        cp_end[i] = s + duration[i]
        free_end[i] = f + (0.0 if link[i] >= 0 else duration[i])
    return max(cp_end, default=0.0), max(free_end, default=0.0)


def lazy(prog: Program, succ: Edges, start: list[float], end: list[float], *,
         sinks: bool = True) -> None:
    """Move operations late where that shortens waits, keeping the makespan (in place).

    Backwards (reverse program order, so each successor already has its final start),
    every operation that has successors is moved as late as they allow; the last
    operations keep their times, so the makespan does not change. With ``sinks``, an
    operation without successors (a final measurement, say) first goes as late as the
    makespan allows, so it does not pin the gates before it to their ASAP times (which
    idles the qubits those gates share until their next Bell pair), and a forward pass
    then pulls it back to the earliest time its predecessors now allow. ``succ`` is
    :func:`~dqc.estimation.program.successors` of ``prog``.

    Examples:
        >>> from types import SimpleNamespace
        >>> prog = SimpleNamespace(duration=[1.0, 1.0, 5.0, 1.0], resource=[-1, -1, -1, -1],
        ...                        deps=[[], [(0, 0.0)], [], [(0, 0.0), (2, 0.0)]])
        >>> succ = [[(1, 0.0), (3, 0.0)], [], [(3, 0.0)], []]
        >>> start, end = [0.0, 1.0, 0.0, 5.0], [1.0, 2.0, 5.0, 6.0]
        >>> lazy(prog, succ, start, end)    # op 0 waits for op 2; op 1 (a sink) follows it
        >>> start, end
        ([4.0, 5.0, 0.0, 5.0], [5.0, 6.0, 5.0, 6.0])
    """
    latest_times(prog, succ, start, end, max(end, default=0.0) if sinks else -math.inf)
    if sinks:
        _pull_sinks(prog, succ, start, end)


def latest_times(prog: Program, succ: Edges, start: list[float], end: list[float],
                 makespan: float) -> None:
    """Move every operation as late as its successors allow, one without successors to
    end at ``makespan`` (never earlier than it is; in place, reverse program order)."""
    for i in range(len(start) - 1, -1, -1):
        after = succ[i]
        latest = makespan if not after else math.inf
        for k, lag in after:  # (the least start[k] - lag, the first of equal ones)
            t = start[k] - lag
            if t < latest:
                latest = t
        if latest > end[i]:
            end[i] = latest
            start[i] = latest - prog.duration[i]


def _pull_sinks(prog: Program, succ: Edges, start: list[float], end: list[float]) -> None:
    """Start every operation without successors as early as its predecessors allow."""
    for i in range(len(start)):
        if succ[i]:
            continue
        earliest = max((end[j] + lag for j, lag in prog.deps[i]), default=0.0)
        if prog.resource[i] >= 0:
            earliest = max(earliest, end[prog.resource[i]])
        if earliest < start[i]:
            start[i] = earliest
            end[i] = earliest + prog.duration[i]


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


def place(prog: Program, succ: Edges, epr_timing: str, limits: Limits | None = None
          ) -> Timing:
    """ASAP times (holding pairs back to their ``limits``, :func:`hold_back`), the two
    lower-bound runs, the last chain, then lazy timing if asked."""
    start, end, pred = asap(prog, prog.duration, links=True)
    unheld = max(end, default=0.0)
    release: list[float] = []
    if limits:
        start, end, pred, release = hold_back(prog, limits, start, end, pred)
    critical_path, compute = unlimited_makespans(prog)
    path, split = _last_chain(prog, start, end, pred)
    asap_end = list(end)
    if epr_timing == "lazy":
        lazy(prog, succ, start, end)
    return Timing(start, end, asap_end, max(asap_end, default=0.0), critical_path, compute,
                  path, split, release, unheld)


def hold_back(prog: Program, limits: Limits, start: list[float], end: list[float],
              pred: list[int]) -> tuple[list[float], list[float], list[int], list[float]]:
    """ASAP times in which no pair of ``limits`` waits longer than its cutoff before use.

    A pair that would wait longer is not started until its use minus the cutoff and its
    own duration (making it earlier only has it discarded and made again, which costs the
    link the same time and more); that release can delay the link's next pairs and what
    waits for them, so the ASAP pass is repeated with the releases found so far, up to
    :data:`HOLD_ROUNDS` times (releases only grow). Pairs still over their cutoff after
    that are counted as made again (:func:`~dqc.estimation.memory.regenerations`).
    Returns start, end, deciding predecessor and the releases.

    Examples:
        >>> from types import SimpleNamespace
        >>> prog = SimpleNamespace(duration=[1.0, 5.0, 1.0], resource=[-1] * 3,
        ...                        deps=[[], [], [(0, 0.0), (1, 0.0)]], memory=[()] * 3)
        >>> start, end, pred = asap(prog, prog.duration, links=True)
        >>> hold_back(prog, {0: (2.0, (2,))}, start, end, pred)[0]   # epr 0 used at 5
        [2.0, 0.0, 5.0]
    """
    release = [0.0] * len(start)
    tol = 1e-12 * max(end, default=0.0)
    for _ in range(HOLD_ROUNDS):
        changed = False
        for i, (cutoff, firsts) in limits.items():
            need = max(start[f] for f in firsts) - cutoff - prog.duration[i]
            if need > start[i] + tol:
                release[i] = max(release[i], need)
                changed = True
        if not changed:
            break
        start, end, pred = asap(prog, prog.duration, links=True, release=release)
    return start, end, pred, release


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
