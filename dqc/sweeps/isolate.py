"""Per-point time and memory limits: tasks run in a child process that can be killed.

Dask has no task timeout, and a thread cannot be stopped, so each worker (or the
sequential sweep) keeps one child Python process (``python -m dqc.sweeps``),
started on first use and reused: the parent sends it a pickled task on its stdin, the
child sends back one pickled row per point as each is done. The parent waits at most the
time limit for each row and watches the child's memory; when a point overruns, the child
is killed and restarted for the points after it. A point that overruns (or kills the
child) is a ``failed`` row with the reason; when it is a task's first point (its compile
included), every point of the task fails with it, since they share that compile.

The child exits when its stdin closes, so a killed worker leaves no orphan behind.
Plain ``subprocess`` (not :mod:`multiprocessing`) works inside Dask's daemon worker
processes, whatever the worker runs.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from dataclasses import replace
from typing import Any

from dqc.errors import DQCError
from dqc.sweeps.compute import failure_rows, run_task
from dqc.sweeps.points import Task

__all__ = ["Runner", "run_isolated"]

#: One runner per (time limit, memory limit) in this process (a Dask worker runs one
#: task at a time: threads_per_worker = 1).
_RUNNERS: dict[tuple[float, int | None], Runner] = {}
_LOCK = threading.Lock()
_EOF = object()
_READY = "ready"
#: How long a child may take to start (import dqc and Qiskit).
_START_S = 300.0


def _rss(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes (0 when psutil is missing)."""
    try:
        import psutil  # lazy: optional (a dependency of dask.distributed)
        return int(psutil.Process(pid).memory_info().rss)
    except Exception:  # noqa: BLE001 - no psutil, or the process is gone
        return 0


class Runner:
    """A reusable child process computing tasks under a per-point time limit.

    Args:
        time_limit_s: the most a point may take (a task's first point: its compile too).
        memory_limit: the most resident memory the child may use, in bytes (None: no
            limit).
    """

    def __init__(self, time_limit_s: float, memory_limit: int | None = None) -> None:
        self.time_limit_s = time_limit_s
        self.memory_limit = memory_limit
        self.proc: subprocess.Popen[bytes] | None = None
        self.rows: queue.Queue[Any] = queue.Queue()
        atexit.register(self.close)

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            env = {**os.environ, "OMP_NUM_THREADS": "1", "RAYON_NUM_THREADS": "1"}
            self.proc = subprocess.Popen([sys.executable, "-m", "dqc.sweeps"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         env=env)
            self.rows = queue.Queue()
            threading.Thread(target=_read, args=(self.proc, self.rows), daemon=True).start()
            try:  # the limits count from here: imports are not a point's time
                ready = self.rows.get(timeout=_START_S)
            except queue.Empty:
                ready = None
            if ready != _READY:
                self.close()
                raise DQCError(f"the sweep's child process ({sys.executable} -m dqc.sweeps) "
                               f"did not start within {_START_S:g} s")
        return self.proc

    def close(self) -> None:
        """Stop the child (it is started again on the next task)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def _next(self) -> Any:
        """The next row, or a string saying why none came within the limits."""
        assert self.proc is not None
        deadline = time.monotonic() + self.time_limit_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return f"timed out after {self.time_limit_s:g} s"
            try:
                item = self.rows.get(timeout=min(left, 0.5))
            except queue.Empty:
                used = _rss(self.proc.pid) if self.memory_limit else 0
                if self.memory_limit and used > self.memory_limit:
                    return (f"used {used / 2**20:.0f} MiB, more than the memory limit of "
                            f"{self.memory_limit / 2**20:.0f} MiB")
                continue
            if item is _EOF:
                return f"the point's process died (exit status {self.proc.wait()})"
            return item

    def run(self, task: Task) -> list[dict[str, Any]]:
        """The rows of ``task``'s points, in order (failed rows for what overran)."""
        rows: list[dict[str, Any]] = []
        todo = list(task.points)
        while todo:
            proc = self._start()
            assert proc.stdin is not None
            pickle.dump(replace(task, points=tuple(todo)), proc.stdin)
            proc.stdin.flush()
            first = True
            while todo:
                item = self._next()
                if isinstance(item, dict):
                    rows.append(item)
                    todo.pop(0)
                    first = False
                    continue
                self.close()
                failed = tuple(todo) if first else (todo[0],)
                rows += failure_rows(failed, item + (" (compile included)" if first else ""))
                del todo[:len(failed)]
                break
        return rows


def _read(proc: subprocess.Popen[bytes], rows: queue.Queue[Any]) -> None:
    """Move the child's rows into ``rows`` until its stdout closes."""
    assert proc.stdout is not None
    try:
        while True:
            rows.put(pickle.load(proc.stdout))
    except (EOFError, OSError, pickle.UnpicklingError):
        rows.put(_EOF)


def run_isolated(task: Task, time_limit_s: float | None,
                 memory_limit: int | None = None) -> list[dict[str, Any]]:
    """The rows of ``task``: in this process without a time limit, else in this
    process's :class:`Runner` child (what a Dask worker runs)."""
    if time_limit_s is None:
        return list(run_task(task))
    with _LOCK:
        runner = _RUNNERS.get((time_limit_s, memory_limit))
        if runner is None:
            runner = _RUNNERS[time_limit_s, memory_limit] = Runner(time_limit_s, memory_limit)
        return runner.run(task)


def main() -> None:
    """The child: read tasks from stdin, write one pickled row per point to stdout
    (anything else printing to stdout goes to stderr instead)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    pickle.dump(_READY, out)
    out.flush()
    source = sys.stdin.buffer
    while True:
        try:
            task = pickle.load(source)
        except EOFError:
            return
        for row in run_task(task):
            pickle.dump(row, out)
            out.flush()
