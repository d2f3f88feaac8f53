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
from dqc.estimation.schedule import Schedule
from dqc.network import Network

__all__ = ["plot_schedule"]

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
    Gates last nanoseconds to microseconds against ebits of milliseconds or more, so
    on most charts only ebits, measurements and feed-forward are visible: that is the
    point the chart makes.

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
    for op in sched.operations:
        row = index[op.link] if op.link else index[op.qpu]
        kind = _kind(op.name, len(op.qubits))
        width = max(op.end_s - op.start_s, 0.0) * scale
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
    ax.set_title(title or f"makespan {sched.makespan_s * scale:.4g} {unit}")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
