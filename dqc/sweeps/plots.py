"""The figures of ``dqc sweep --plot DIR`` (matplotlib, an optional extra).

Per circuit, from the results table:

* ``heatmap_<circuit>.png`` (two or more grid keys): the verdict over the first two
  keys, one panel per network, each cell coloured by the worst verdict over the other
  keys and seeds (failed points count as infeasible) and labelled with the best
  fidelity there;
* ``lines_<circuit>_<key>.png`` (each grid key): makespan and ebits against the key, one
  line per network (the mean over the other keys and seeds, points that compiled);
* ``frontier_<circuit>.png`` (when requirements were computed): the least link rate for
  ``feasible`` and ``marginal`` against the first other grid key (or per network).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dqc.errors import DQCError

__all__ = ["plot_sweep", "pyplot"]

_RANK = {"feasible": 2, "marginal": 1, "infeasible": 0}
_COLOURS = ("#d62728", "#ff7f0e", "#2ca02c")  # infeasible, marginal, feasible


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, or a DQCError saying how to install it."""
    try:
        import matplotlib  # lazy: optional extra (plot)
    except ImportError:
        raise DQCError('plotting needs matplotlib: pip install ".[plot]" '
                       "(or pip install matplotlib)") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # lazy: optional extra (plot)
    return plt


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def _by(rows: Iterable[dict[str, Any]], *keys: str) -> dict[Any, list[dict[str, Any]]]:
    out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]].append(r)
    return out


def _mean(values: Sequence[float | None]) -> float:
    good = [v for v in values if v is not None and not math.isnan(v)]
    return sum(good) / len(good) if good else math.nan


def _heatmap(plt: Any, circuit: str, rows: list[dict[str, Any]], keys: Sequence[str],
             out: Path) -> Path:
    x_key, y_key = keys[0], keys[1]
    xs = sorted({r[x_key] for r in rows})
    ys = sorted({r[y_key] for r in rows})
    networks = sorted({r["network"] for r in rows})
    fig, axes = plt.subplots(1, len(networks), figsize=(4 * len(networks), 3.5),
                             squeeze=False)
    cmap = plt.matplotlib.colors.ListedColormap(_COLOURS)
    for ax, net in zip(axes[0], networks):
        cells = _by([r for r in rows if r["network"] == net], y_key, x_key)
        grid = [[min((_RANK.get(r.get("verdict") or "", 0) for r in cells.get((y, x), [])),
                     default=math.nan) for x in xs] for y in ys]
        ax.imshow(grid, cmap=cmap, vmin=0, vmax=2, origin="lower", aspect="auto")
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                fids = [r["fidelity"] for r in cells.get((y, x), [])
                        if r.get("fidelity") is not None]
                ax.text(j, i, f"{max(fids):.2g}" if fids else "x", ha="center",
                        va="center", fontsize=8)
        ax.set_xticks(range(len(xs)), [f"{x:g}" for x in xs])
        ax.set_yticks(range(len(ys)), [f"{y:g}" for y in ys])
        ax.set_xlabel(x_key)
        ax.set_ylabel(y_key)
        ax.set_title(f"{net}")
    fig.suptitle(f"{circuit}: verdict (red infeasible, orange marginal, green feasible), "
                 "best fidelity", fontsize=9)
    path = out / f"heatmap_{_safe(circuit)}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _lines(plt: Any, circuit: str, rows: list[dict[str, Any]], key: str, out: Path) -> Path:
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    ok = [r for r in rows if r["status"] == "ok"]
    for net, group in sorted(_by(ok, "network").items()):
        at = _by(group, key)
        xs = sorted(at)
        left.plot(xs, [_mean([r.get("makespan_s") for r in at[x]]) for x in xs], "o-",
                  label=net)
        right.plot(xs, [_mean([r["ebits"] for r in at[x]]) for x in xs], "o-", label=net)
    for ax, what in ((left, "makespan (s)"), (right, "ebits")):
        ax.set_xlabel(key)
        ax.set_ylabel(what)
        if key.endswith(("rate_hz", "_s")):
            ax.set_xscale("log")
    left.set_yscale("log")
    left.legend(fontsize=8)
    fig.suptitle(f"{circuit}: makespan and ebits against {key}", fontsize=9)
    path = out / f"lines_{_safe(circuit)}_{_safe(key)}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _frontier(plt: Any, circuit: str, rows: list[dict[str, Any]], keys: Sequence[str],
              out: Path) -> Path:
    other = next((k for k in keys if k != "link.rate_hz"), "network")
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for net, group in sorted(_by(rows, "network").items()):
        at = _by(group, other)
        xs = sorted(at)
        shown = xs if other != "network" else list(range(len(xs)))
        for level, style in (("feasible", "o-"), ("marginal", "s--")):
            ax.plot(shown, [_mean([r.get(f"req.link.rate_hz.{level}") for r in at[x]])
                            for x in xs], style, label=f"{net} {level}")
    ax.set_yscale("log")
    ax.set_xlabel(other)
    ax.set_ylabel("least link.rate_hz (Hz)")
    ax.legend(fontsize=7)
    ax.set_title(f"{circuit}: link rate needed", fontsize=9)
    path = out / f"frontier_{_safe(circuit)}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_sweep(rows: list[dict[str, Any]], keys: Sequence[str],
               out: str | Path) -> list[Path]:
    """Draw the module's figures for ``rows`` (a results table) with grid ``keys`` into
    folder ``out`` (created if missing); returns the files written."""
    plt = pyplot()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    has_schedule = any("verdict" in r for r in rows)
    for circuit, group in sorted(_by(rows, "circuit").items()):
        if has_schedule and len(keys) >= 2:
            written.append(_heatmap(plt, circuit, group, keys, folder))
        if has_schedule:
            written += [_lines(plt, circuit, group, k, folder) for k in keys]
        if any(r.get("req.link.rate_hz.feasible_status") for r in group):
            written.append(_frontier(plt, circuit, group, keys, folder))
    return written
