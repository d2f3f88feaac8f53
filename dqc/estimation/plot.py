"""Gantt chart of a schedule: one row per QPU and one per link (matplotlib, optional).

matplotlib is an optional extra (``pip install matplotlib``, or ``pip install '.[plot]'``
from a dqc checkout); it is imported only
when a chart is drawn, and its absence is reported as a :class:`~dqc.errors.DQCError`
that says how to install it.
"""

from __future__ import annotations

import os
from typing import Any

from dqc.errors import DQCError
from dqc.estimation.requirements import Requirement, Requirements
from dqc.estimation.schedule import Schedule
from dqc.network import Network

__all__ = ["plot_requirements", "plot_schedule", "verdict_levels"]

#: The narrowest bar drawn, as a fraction of the time axis: gates of nanoseconds on a
#: chart of milliseconds of link waits stay visible as slivers instead of vanishing.
MIN_BAR = 0.002
#: Colours of the verdict levels in the requirements chart.
LEVEL_COLOURS = {"infeasible": "#f4a6a6", "marginal": "#fdd49e", "feasible": "#b7e4b0"}

#: Colour of each kind of operation.
COLOURS = {
    "epr": "#d62728",
    "2q gate": "#1f77b4",
    "1q gate": "#9ecae1",
    "measure": "#ff7f0e",
    "reset": "#bcbd22",
    "feed-forward": "#2ca02c",
}


def _kind(name: str, qubits: int) -> str:
    if name == "epr":
        return "epr"
    if name in ("measure", "reset"):
        return name
    if name == "if_else":
        return "feed-forward"
    return "2q gate" if qubits >= 2 else "1q gate"


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise DQCError(
            "plotting needs matplotlib, an optional extra: pip install matplotlib "
            "(or, from a dqc checkout, pip install '.[plot]')") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_schedule(sched: Schedule, network: Network, path: str | os.PathLike[str], *,
                  title: str = "") -> None:
    """Draw ``sched`` as a Gantt chart (rows: QPUs, then links) and save it to ``path``.

    Ebits are drawn on their link's row; every other operation on its QPU's row.
    Gates last nanoseconds to microseconds against ebits of milliseconds or more, so a
    bar is drawn at least :data:`MIN_BAR` of the axis wide: the QPU rows show where
    the QPUs work between link waits (the title says so). The legend lists the kinds
    of operation drawn, nothing else.

    Raises:
        DQCError: if matplotlib is not installed.
    """
    plt = _pyplot()
    rows = list(network.qpu_names) + [link.key for link in network.links]
    index = {name: k for k, name in enumerate(rows)}
    bars: dict[tuple[int, str], list[tuple[float, float]]] = {}
    scale, unit = 1.0, "s"
    if 0 < sched.makespan_s < 1e-3:
        scale, unit = 1e6, "us"
    elif 0 < sched.makespan_s < 1:
        scale, unit = 1e3, "ms"
    narrowest = MIN_BAR * sched.makespan_s * scale
    for op in sched.operations:
        row = index[op.link] if op.link else index[op.qpu]
        kind = _kind(op.name, len(op.qubits))
        width = max((op.end_s - op.start_s) * scale, narrowest)
        bars.setdefault((row, kind), []).append((op.start_s * scale, width))
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(rows) + 1.6))
    for (row, kind), spans in sorted(bars.items()):
        ax.broken_barh(spans, (row - 0.4, 0.8), facecolors=COLOURS[kind], label=kind,
                       linewidth=0)
    handles: dict[str, Any] = {}
    for handle, label in zip(*ax.get_legend_handles_labels()):
        handles.setdefault(label, handle)
    ax.legend(handles.values(), handles.keys(), loc="upper center", ncol=len(handles),
              bbox_to_anchor=(0.5, -0.18), frameon=False, fontsize=8)
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    ax.set_xlim(0, max(sched.makespan_s * scale, 1e-12))
    ax.set_xlabel(f"time ({unit})")
    note = f"bars at least {MIN_BAR:.1%} of the axis wide"
    ax.set_title((title or f"makespan {sched.makespan_s * scale:.4g} {unit}") + f"\n({note})",
                 fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def verdict_levels(req: Requirement, values: list[float]) -> list[int]:
    """The verdict at each value of ``req``'s parameter, the others held: 0 infeasible,
    1 marginal, 2 feasible (read off its least passing values, which the search found
    for a monotone verdict; a fidelity *factor* scales the infidelity, so there less
    is better).

    Examples:
        >>> from dqc.estimation.requirements import Bound
        >>> r = Requirement("link.rate_hz", "value", 10.0, (), Bound("feasible", "found",
        ...     100.0, (), ()), Bound("marginal", "found", 20.0, (), ()))
        >>> verdict_levels(r, [1.0, 20.0, 50.0, 100.0, 1000.0])
        [0, 1, 1, 2, 2]
    """
    smaller_is_better = req.key == "link.fidelity" and req.scope == "factor"

    def passes(bound, x: float) -> bool:
        if bound.status == "any":
            return True
        if bound.status != "found" or bound.value is None:
            return False
        return x <= bound.value if smaller_is_better else x >= bound.value

    return [2 if passes(req.feasible, x) else 1 if passes(req.marginal, x) else 0
            for x in values]


def _axis(req: Requirement) -> tuple[list[float], bool]:
    """Values to draw for ``req`` and whether the axis is logarithmic."""
    import numpy as np

    if req.key == "qpu.comm_qubits":
        found = [b.value for b in (req.feasible, req.marginal) if b.value is not None]
        top = int(max([req.current, *found]) * 2 + 2)
        return [float(n) for n in range(top + 1)], False
    if req.key == "link.fidelity" and req.scope == "value":
        return list(np.linspace(0.5, 1.0, 501)), False
    found = [b.value for b in (req.feasible, req.marginal) if b.value]
    lo = min([req.current, *found]) / 100
    hi = max([req.current, *found]) * 100
    return list(np.geomspace(lo, hi, 601)), True


def _runs(xs: list[float], levels: list[int]) -> list[tuple[float, float, int]]:
    """``(start, end, level)`` of each stretch of ``xs`` at one level (a stretch ends
    where the next begins; the last ends at the last value).

    Examples:
        >>> _runs([0.0, 1.0, 2.0, 3.0], [0, 1, 1, 2])
        [(0.0, 1.0, 0), (1.0, 3.0, 1), (3.0, 3.0, 2)]
    """
    out: list[tuple[float, float, int]] = []
    for x, level in zip(xs, levels):
        if out and out[-1][2] == level:
            continue
        if out:
            out[-1] = (out[-1][0], x, out[-1][2])
        out.append((x, x, level))
    if out:
        out[-1] = (out[-1][0], xs[-1], out[-1][2])
    return out


def plot_requirements(reqs: Requirements, path: str | os.PathLike[str], *,
                      title: str = "") -> None:
    """Draw the verdict against each parameter of ``reqs`` (one panel per parameter,
    the others at the network's values) and save it to ``path``.

    The line steps where the verdict crosses into marginal and feasible; the dashed
    line is the network's value. Shading follows the line's level.

    Raises:
        DQCError: if matplotlib is not installed.
    """
    plt = _pyplot()
    params = reqs.parameters
    fig, axes = plt.subplots(len(params), 1, figsize=(8, 1.9 * len(params) + 0.8),
                             squeeze=False)
    names = ("infeasible", "marginal", "feasible")
    for ax, req in zip(axes[:, 0], params):
        xs, log = _axis(req)
        levels = verdict_levels(req, xs)
        ax.step(xs, levels, where="post", color="black", linewidth=1.4)
        for start, end, level in _runs(xs, levels):
            ax.axvspan(start, end, color=LEVEL_COLOURS[names[level]], linewidth=0)
        ax.axvline(req.current, color="#444444", linestyle="--", linewidth=1)
        if log:
            ax.set_xscale("log")
        ax.set_ylim(-0.5, 2.5)
        ax.set_yticks(range(3), names, fontsize=8)
        unit = " (factor on every element)" if req.scope == "factor" else ""
        ax.set_xlabel(f"{req.key}{unit}; dashed: the network's value; checks it changes: "
                      f"{', '.join(req.checks)}", fontsize=8)
    fig.suptitle((title or "verdict against each parameter") + "\n(each parameter alone, the "
                 "others at the network's values; the verdict of the checks it changes)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
