"""Comm-qubit memory: ebit halves, how long the placed schedule stores them, and how
many comm qubits are reserved at once.

A comm qubit is reserved from the start of its ``epr`` to the measurement or reset
that frees it (to the end of the run if none does); each ebit puts one half on each
end of its link.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dqc.estimation.program import Program
from dqc.network import Network

__all__ = ["After", "EbitStorage", "Limits", "after_eprs", "cutoff_limits", "halves_per_qpu",
           "occupancy", "peak_level", "placed_storage", "regenerations"]

#: For an ``epr`` and one of its qubits: (next op, next measure or reset, op that frees it).
After = dict[tuple[int, int], tuple[int | None, int | None, int | None]]

#: Per ``epr`` on a link with a cutoff: (the cutoff, the first operations on its halves).
Limits = dict[int, tuple[float, tuple[int, ...]]]


def peak_level(spans: Iterable[tuple[float, float]], tol: float = 0.0) -> int:
    """Most intervals ``(start, end)`` open at once; each end counts ``tol`` early.

    Examples:
        >>> peak_level([(0, 2), (1, 3), (2, 4)])
        2
        >>> peak_level([(0, 1), (1, 2)], tol=1e-9), peak_level([])
        (1, 0)
    """
    bounds = np.array(list(spans), dtype=float).reshape(-1, 2)
    if not len(bounds):
        return 0
    # starts (+1) and ends (-1, first at equal times), in time order; the running sum
    times = np.concatenate([bounds[:, 0], bounds[:, 1] - tol])
    steps = np.repeat(np.array([1, -1]), len(bounds))
    return max(0, int(np.cumsum(steps[np.lexsort((steps, times))]).max()))


def halves_per_qpu(network: Network, ebits_per_link: Mapping[str, int]) -> dict[str, int]:
    """Ebit halves each QPU holds: one of each ebit at each end of its link.

    Examples:
        >>> halves_per_qpu(Network.line(3, data_qubits=1), {"qpu0-qpu1": 2, "qpu1-qpu2": 1})
        {'qpu0': 2, 'qpu1': 3, 'qpu2': 1}
    """
    halves = {name: 0 for name in network.qpu_names}
    for link in network.links:
        for end in (link.a, link.b):
            halves[end] += ebits_per_link.get(link.key, 0)
    return halves


def after_eprs(prog: Program, ops_on: dict[int, list[int]]) -> After:
    """For each ``epr`` i and each of its qubits q: what follows it on q.

    ``(first, release, frees)``: the next operation on q (None if none), the next
    ``measure`` or ``reset`` of q (None if none), and the operation that frees the
    half: that release, else q's last operation if some operation follows the
    ``epr``, else None. One backward scan per qubit that an ``epr`` acts on.
    """
    out: After = {}
    held = {q for i in prog.eprs() for q in prog.qubits[i]}
    for q, ops in ops_on.items():
        if q not in held:
            continue  # (no epr acts on it)
        release: int | None = None
        for k in range(len(ops) - 1, -1, -1):
            i = ops[k]
            name = prog.names[i]
            if name == "epr":
                first = ops[k + 1] if k + 1 < len(ops) else None
                frees = release if release is not None else (
                    ops[-1] if first is not None else None)
                out[(i, q)] = (first, release, frees)
            elif name in ("measure", "reset"):
                release = i
    return out


@dataclass
class EbitStorage:
    """Ebit halves in the placed schedule.

    Attributes:
        reserved: per QPU index, ``(start of the epr, release)`` of every half there.
        holds: time each half is stored (arrival to release).
        waits: time each half waits before its first use.
    """

    reserved: list[list[tuple[float, float]]]
    holds: list[float]
    waits: list[float]


def placed_storage(prog: Program, after: After, start: Sequence[float],
                   end: Sequence[float], makespan: float, qpu_of: Sequence[int],
                   qpus: int) -> EbitStorage:
    """Reservation, storage and wait of every ebit half at the placed times."""
    out = EbitStorage([[] for _ in range(qpus)], [], [])
    for i in prog.eprs():
        for q in prog.qubits[i]:
            first, release, _ = after[(i, q)]
            released = end[release] if release is not None else makespan
            first_use = start[first] if first is not None else end[i]
            out.holds.append(max(0.0, released - end[i]))
            out.waits.append(max(0.0, first_use - end[i]))
            out.reserved[qpu_of[q]].append((start[i], released))
        for q in prog.scratch.get(i, ()):  # comm qubits a purification holds meanwhile
            out.reserved[qpu_of[q]].append((start[i], end[i]))
    return out


def regenerations(prog: Program, after: After, start: Sequence[float], end: Sequence[float],
                  network: Network) -> dict[str, int]:
    """Per link with a cutoff: pairs made again because they waited longer than the
    cutoff before their first use at the placed times.

    A pair that must wait w > cutoff c is made, held c, discarded and made again (each
    time taking its ``epr``'s duration T) until one arrives within c of its use:
    ceil((w − c) / (c + T)) regenerations.
    """
    out: dict[str, int] = {}
    for i, li in enumerate(prog.link):
        link = network.links[li] if li >= 0 else None
        if link is None or link.cutoff_s is None:
            continue
        c = link.cutoff_s
        wait = max((start[f] - end[i] for f, _, _ in (after[(i, q)] for q in prog.qubits[i])
                    if f is not None), default=0.0)
        extra = math.ceil((wait - c) / (c + prog.duration[i]) - 1e-12) if wait > c else 0
        out[link.key] = out.get(link.key, 0) + max(0, extra)
    return out


def cutoff_limits(prog: Program, after: After, network: Network,
                  late: Collection[int] = ()) -> Limits:
    """The storage limit of every ``epr`` on a link with a cutoff: its halves must be used
    within the cutoff of its end. ``late``: eprs no schedule can keep within it (left out:
    the verdict's ``cutoff`` check says so)."""
    out: Limits = {}
    for i, li in enumerate(prog.link):
        if li < 0 or i in late or network.links[li].cutoff_s is None:
            continue
        firsts = tuple(f for f, _, _ in (after[(i, q)] for q in prog.qubits[i]) if f is not None)
        if firsts:
            out[i] = (float(network.links[li].cutoff_s), firsts)  # type: ignore[arg-type]
    return out


def occupancy(names: Sequence[str], reserved: list[list[tuple[float, float]]],
              makespan: float) -> tuple[dict[str, int], dict[str, float]]:
    """Per QPU: most comm qubits reserved at once, and the time-averaged number."""
    peak, mean = {}, {}
    for k, name in enumerate(names):
        peak[name] = peak_level(reserved[k])
        total = math.fsum(e - s for s, e in reserved[k])
        mean[name] = total / makespan if makespan > 0 else 0.0
    return peak, mean
