"""Run a sweep: sequentially, on a Dask ``LocalCluster``, or on an existing Dask cluster.

:func:`sweep` reads the spec, drops the points the results table already holds,
groups the rest into tasks that share a compile (:func:`dqc.sweeps.points.tasks`), and
runs the tasks:

* ``workers=1``: one after another in this process's child (no Dask needed);
* default: a Dask ``LocalCluster`` of ``workers`` processes (default: the machine's
  cores), one thread each, each with a memory limit of 60 % of the machine's memory
  shared among them; shut down at the end;
* ``scheduler="tcp://host:8786"``: an existing cluster (``dask scheduler`` and
  ``dask worker tcp://host:8786``; the workers need dqc installed).

Each task's rows are recorded as it finishes. A task is a pure function of its input,
so when a worker dies Dask runs it again elsewhere (``distributed.scheduler.allowed-failures``
times); a task that still cannot run becomes ``failed`` rows, like a point that
overruns its time limit (:mod:`dqc.sweeps.isolate`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from dqc.errors import DQCError
from dqc.sweeps.compute import columns, failure_rows
from dqc.sweeps.isolate import run_isolated
from dqc.sweeps.plots import plot_sweep, pyplot
from dqc.sweeps.points import Task, expand, tasks
from dqc.sweeps.spec import Spec, load_spec
from dqc.sweeps.store import open_store

__all__ = ["Progress", "SweepSummary", "sweep", "tty_bar"]

#: The share of the machine's memory the workers of a LocalCluster may use together.
MEMORY_SHARE = 0.6
_FROM_SPEC = -1.0


@dataclass(frozen=True)
class Progress:
    """Where a sweep stands: points ``done`` (``failed`` among them) of ``total`` to
    compute this run, after ``elapsed_s`` seconds."""

    done: int
    failed: int
    total: int
    elapsed_s: float

    def eta_s(self) -> float | None:
        """Seconds left at the pace so far (None before the first point)."""
        if not self.done:
            return None
        return self.elapsed_s / self.done * (self.total - self.done)


@dataclass(frozen=True)
class SweepSummary:
    """What :func:`sweep` did.

    Attributes:
        path: the results table.
        points: points in the spec.
        skipped: points already in the table (not computed again).
        computed: points computed by this run (``failed`` among them).
        failed: points of this run that are ``failed`` rows.
        tasks: tasks (compiles) run.
        seconds: wall-clock time.
        figures: the figures drawn (``plot``).
    """

    path: Path
    points: int
    skipped: int
    computed: int
    failed: int
    tasks: int
    seconds: float
    figures: tuple[Path, ...] = ()

    def __str__(self) -> str:
        return (f"{self.computed} points computed ({self.failed} failed) in {self.tasks} "
                f"compiles, {self.skipped} already in {self.path}; {self.seconds:.1f} s")


def memory_limit(workers: int) -> int | None:
    """Bytes each of ``workers`` may use: :data:`MEMORY_SHARE` of the machine's memory
    shared among them (None without psutil)."""
    try:
        import psutil  # lazy: optional (a dependency of dask.distributed)
    except ImportError:
        return None
    return int(psutil.virtual_memory().total * MEMORY_SHARE / max(1, workers))


def _distributed(workers: int) -> Any:
    try:
        import distributed  # lazy: optional extra (sweep)
    except ImportError:
        raise DQCError(f"a sweep on {workers} workers needs Dask: pip install \".[sweep]\" "
                       "(or pip install \"dask[distributed]\"); --workers 1 runs without it"
                       ) from None
    return distributed


def _sequential(work: list[Task], limit: float | None) -> Iterator[list[dict[str, Any]]]:
    memory = memory_limit(1)
    for task in work:
        yield run_isolated(task, limit, memory)


@contextlib.contextmanager
def _client(workers: int, scheduler: str | None, memory: int | None) -> Iterator[Any]:
    distributed = _distributed(workers)
    if scheduler is not None:
        with distributed.Client(scheduler, timeout="30s") as client:
            yield client
        return
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  memory_limit=memory, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def _on_dask(client: Any, work: list[Task], limit: float | None,
             memory: int | None) -> Iterator[list[dict[str, Any]]]:
    distributed = _distributed(2)
    futures = {client.submit(run_isolated, t, limit, memory,
                             key=f"dqc-sweep-{t.points[0].input_hash}"): t for t in work}
    for future in distributed.as_completed(futures):
        try:
            yield future.result()
        except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: the points' rows say so
            yield failure_rows(futures[future].points, f"{type(exc).__name__}: {exc}")


def sweep(spec: str | Path | Spec, output: str | Path, *, workers: int | None = None,
          scheduler: str | None = None, client: Any = None, cache: bool = True,
          time_limit_s: float | None = _FROM_SPEC,
          progress: Callable[[Progress], None] | None = None,
          plot: str | Path | None = None) -> SweepSummary:
    """Run the sweep of ``spec`` and record one row per point in ``output``.

    Args:
        spec: a spec file (TOML, :mod:`dqc.sweeps.spec`) or a parsed :class:`Spec`.
        output: the results table, ``.csv`` or ``.parquet``; points it already holds
            (same input hash) are not computed again.
        workers: processes of the LocalCluster (default: the machine's cores); 1 runs
            sequentially without Dask.
        scheduler: address of an existing Dask scheduler (then ``workers`` is ignored).
        client: an existing ``distributed.Client`` to use instead.
        cache: share one compile among points that differ only in schedule
            parameters (False: compile every point).
        time_limit_s: per point (default: the spec's ``time_limit_s``); None runs
            points in this process without a limit.
        progress: called with a :class:`Progress` after each task.
        plot: a folder for the figures of :mod:`dqc.sweeps.plots` (drawn from the whole
            table at the end; needs matplotlib).

    Returns:
        A :class:`SweepSummary`.

    Raises:
        SpecError: a bad spec or results file, before any work; DQCError when Dask is
            needed and missing.
    """
    start = time.perf_counter()
    if plot is not None:
        pyplot()  # a missing matplotlib fails before any work
    parsed = spec if isinstance(spec, Spec) else load_spec(spec)
    limit = parsed.compute.time_limit_s if time_limit_s == _FROM_SPEC else time_limit_s
    workers = workers or os.cpu_count() or 1
    points = expand(parsed)
    store = open_store(output, columns(parsed.keys, parsed.compute))
    recorded = store.recorded()
    todo = [p for p in points if p.input_hash not in recorded]
    work = tasks(todo, {c.name: c.circuit for c in parsed.circuits}, parsed.compute,
                 cache=cache)
    done = failed = 0
    with contextlib.ExitStack() as stack:
        if client is None and work and (scheduler is not None or workers > 1):
            client = stack.enter_context(_client(workers, scheduler, memory_limit(workers)))
        results = (_sequential(work, limit) if client is None
                   else _on_dask(client, work, limit, memory_limit(workers)))
        try:
            for rows in results:
                store.append(rows)
                done += len(rows)
                failed += sum(r["status"] != "ok" for r in rows)
                if progress is not None:
                    progress(Progress(done, failed, len(todo), time.perf_counter() - start))
        finally:
            store.finish()
    figures = plot_sweep(store.rows(), parsed.keys, plot) if plot is not None else []
    return SweepSummary(Path(output), len(points), len(points) - len(todo), done, failed,
                        len(work), time.perf_counter() - start, tuple(figures))


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m{secs:02d}s"


def tty_bar(stream: TextIO | None = None) -> Callable[[Progress], None] | None:
    """A progress bar on ``stream`` (stderr): points done, failed, left and an ETA; None
    unless it is a terminal (piped output stays clean).

    Examples:
        >>> import io
        >>> tty_bar(io.StringIO()) is None
        True
    """
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        return None

    def draw(p: Progress) -> None:
        bar = "#" * (20 * p.done // max(1, p.total))
        eta = p.eta_s()
        out.write(f"\rsweep [{bar:20s}] {p.done}/{p.total} done, {p.failed} failed, "
                  f"{p.total - p.done} left, ETA {_clock(eta) if eta is not None else '?'}  "
                  + ("\n" if p.done >= p.total else ""))
        out.flush()

    return draw
