"""One task of a sweep, computed in this process: compile once, then a row per point.

:func:`run_task` compiles the task's circuit on its first point's network (every point
of a task has the same network structure, :func:`dqc.sweeps.points.structure`), then
for each point schedules and judges that compiled circuit on the point's own network —
exactly what :func:`dqc.estimate` would give for the point (the planner reads only the
structure) — and, when asked, runs :func:`dqc.estimate.requirements`. Verification
checks the compiled circuit once per task. Anything that goes wrong becomes a row with
its ``error``; the sweep goes on.

The table's columns are :func:`columns`; every value is a str, int, float, bool or None,
and every column except :data:`TIMINGS` is the same whichever way the point was computed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from importlib import metadata
from typing import Any

from dqc.compile import CompileResult
from dqc.compile import compile as compile_circuit
from dqc.estimate import Estimate, requirements
from dqc.estimation.requirements import PARAMETERS, Bound
from dqc.estimation.verdict import Verdict, assess
from dqc.sweeps.points import Point, Task
from dqc.sweeps.spec import Compute
from dqc.verify import verify

__all__ = ["TIMINGS", "columns", "failure_rows", "run_task"]

#: The columns that hold wall-clock times (they differ from run to run).
TIMINGS = ("compile_s", "point_s")
_FIGURES = (("status", "str"), ("error", "str"), ("ebits", "int"), ("ebits_bound", "int"),
            ("remote_gates", "int"))
#: With ``reuse``: input qubits started on a used data qubit, and measured early to free
#: theirs (the report's ``births`` and ``deaths``; 0 and 0 when reuse saved nothing).
_REUSE = (("births", "int"), ("deaths", "int"))
_SCHEDULE = (("makespan_s", "float"), ("makespan_bound_s", "float"), ("fidelity", "float"),
             ("log10_fidelity", "float"), ("verdict", "str"), ("binding", "str"))


def columns(keys: tuple[str, ...], compute: Compute) -> list[tuple[str, str]]:
    """``(name, type)`` of every column for grid ``keys`` and ``compute``; types are
    ``str``, ``int``, ``float``, ``bool``.

    Examples:
        >>> [n for n, _ in columns(("link.rate_hz",), Compute())][:6]
        ['point', 'circuit', 'qubits', 'network', 'seed', 'link.rate_hz']
    """
    cols = [("point", "int"), ("circuit", "str"), ("qubits", "int"), ("network", "str"),
            ("seed", "int")]
    cols += [(k, "int" if k in ("link.channels", "link.purification_rounds", "qpu.comm_qubits")
             else "float")
             for k in keys]
    cols += list(_FIGURES)
    if compute.schedule:
        cols += list(_SCHEDULE)
    if compute.samples:
        cols += [("mc_mean_s", "float"), ("mc_p95_s", "float")]
    if compute.verify:
        cols += [("verification", "str"), ("verified", "bool")]
    if compute.reuse:
        cols += list(_REUSE)
    if compute.requirements:
        for key in PARAMETERS:
            for level in ("feasible", "marginal"):
                cols += [(f"req.{key}.{level}", "float"), (f"req.{key}.{level}_status", "str")]
    cols += [(t, "float") for t in TIMINGS] + [("dqc_version", "str"), ("input_hash", "str")]
    return cols


def _version() -> str:
    """The installed dqc version (the package's ``__version__`` in a bare checkout)."""
    try:
        return metadata.version("dqc-compiler")
    except metadata.PackageNotFoundError:
        return str(sys.modules["dqc"].__version__)


def _head(p: Point) -> dict[str, Any]:
    row: dict[str, Any] = {"point": p.index, "circuit": p.circuit, "qubits": p.qubits,
                           "network": p.network, "seed": p.seed}
    row.update(dict(p.params))
    row.update({"dqc_version": _version(), "input_hash": p.input_hash})
    return row


def _message(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def failure_rows(points: tuple[Point, ...], error: str,
                 compile_s: float | None = None) -> list[dict[str, Any]]:
    """A ``failed`` row per point, with ``error``."""
    return [{**_head(p), "status": "failed", "error": error, "compile_s": compile_s}
            for p in points]


def binding(verdict: Verdict) -> str | None:
    """The checks that set the verdict (``check subject``, ``;``-separated; None when
    feasible)."""
    if verdict.status == "feasible":
        return None
    return "; ".join(f"{r.check} {r.subject}".strip() for r in verdict.reasons
                     if r.status == verdict.status)


def _bound_value(b: Bound) -> float | None:
    return None if b.value is None else float(b.value)


def _point_row(task: Task, compiled: CompileResult, p: Point) -> dict[str, Any]:
    compute, report = task.compute, compiled.report
    row: dict[str, Any] = {"status": "ok", "error": None, "ebits": report.ebits,
                           "ebits_bound": report.ebits_lower_bound,
                           "remote_gates": report.remote_gates}
    if compute.reuse:
        row.update({"births": len(report.births), "deaths": len(report.deaths)})
    if not compute.schedule:
        return row
    sched, verdict = assess(compiled.circuit, p.net, qubit_qpu=report.qubit_qpu,
                            comm_qubits=report.comm_qubits, remote_gates=report.remote_gates,
                            samples=compute.samples, seed=p.seed)
    row.update({"makespan_s": sched.makespan_s, "makespan_bound_s": sched.lower_bound_s,
                "fidelity": sched.fidelity.total, "log10_fidelity": sched.fidelity.log10_total,
                "verdict": verdict.status, "binding": binding(verdict)})
    if sched.monte_carlo is not None:
        row.update({"mc_mean_s": sched.monte_carlo.mean_s, "mc_p95_s": sched.monte_carlo.p95_s})
    if compute.requirements:
        est = Estimate(p.net, compiled.circuit, report, sched, verdict)
        req = requirements(task.circuit, p.net, seed=p.seed, estimated=est,
                           reuse=compute.reuse)
        for r in req.parameters:
            for b in (r.feasible, r.marginal):
                row[f"req.{r.key}.{b.level}"] = _bound_value(b)
                row[f"req.{r.key}.{b.level}_status"] = b.status
    return row


def run_task(task: Task) -> Iterator[dict[str, Any]]:
    """The rows of ``task``'s points, in order, as each is computed (module docstring)."""
    first = task.points[0]
    start = time.perf_counter()
    try:
        compiled = compile_circuit(task.circuit, first.net, seed=first.seed,
                                   reuse=task.compute.reuse)
    except Exception as exc:  # noqa: BLE001 - any failure is the points' row, not the sweep's
        yield from failure_rows(task.points, _message(exc), time.perf_counter() - start)
        return
    compile_s = time.perf_counter() - start
    checked: dict[str, Any] = {}
    if task.compute.verify:
        try:
            outcome = verify(task.circuit, compiled.circuit, compiled.report)
            checked = {"verification": outcome.method, "verified": outcome.ok}
        except Exception as exc:  # noqa: BLE001
            checked = {"verification": f"error: {_message(exc)}", "verified": False}
    for p in task.points:
        t0 = time.perf_counter()
        try:
            figures = _point_row(task, compiled, p)
        except Exception as exc:  # noqa: BLE001
            figures = {"status": "failed", "error": _message(exc)}
        yield {**_head(p), **figures, **checked, "compile_s": compile_s,
               "point_s": time.perf_counter() - t0}
