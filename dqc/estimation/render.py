"""Text for people: the table of one estimate and a progress bar for long runs.

The table of a sweep (one line per value) is :func:`dqc.estimation.sweep.render_sweep`.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from dqc.errors import plural
from dqc.estimation.formatting import fmt_number, fmt_time
from dqc.estimation.memory import halves_per_qpu
from dqc.estimation.report import Report
from dqc.estimation.result import LinkModel, Schedule
from dqc.estimation.verdict import Verdict
from dqc.network import Network

__all__ = ["render_estimate", "tty_progress"]


def render_estimate(network: Network, report: Report, sched: Schedule,
                    verdict: Verdict) -> str:
    """A readable table: links, makespan and bounds, memory, fidelity, verdict.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> import dqc
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> net = Network.line(2, data_qubits=1, technology="trapped_ion")
        >>> r = dqc.compile(qc, net)
        >>> from dqc.estimation.verdict import assess
        >>> sched, verdict = assess(r.circuit, net, qubit_qpu=r.report.qubit_qpu,
        ...                         comm_qubits=r.report.comm_qubits, remote_gates=1)
        >>> print(render_estimate(net, r.report, sched, verdict))
        network: 2 QPUs, 2 data + 4 comm qubits, 1 link
        technology: trapped_ion (qpu0, qpu1)
        ebits: 1 (1 remote two-qubit gates)
        ...
        fidelity: 0.933 = links 0.94 x memory 1 x idle 1 x gates 0.993
        verdict: MARGINAL
          marginal   ebit_rate qpu0-qpu1: needs 1.52e+03 ebits/s ...
    """
    return "\n".join([
        *_header(network, report, sched),
        *_link_table(network, report, sched),
        *_time_lines(sched),
        *_memory_lines(network, report, sched),
        _fidelity_line(sched),
        *_verdict_lines(verdict),
    ])


def _header(net: Network, rep: Report, s: Schedule) -> list[str]:
    """The network, the technology of each QPU and the ebits."""
    techs: dict[str, list[str]] = {}
    for qpu, tech in s.technology.items():
        techs.setdefault(tech, []).append(qpu)
    return [
        f"network: {net.name + ': ' if net.name else ''}{net.summary()}",
        "technology: " + "; ".join(f"{t} ({', '.join(q)})" for t, q in techs.items()),
        f"ebits: {rep.ebits} ({rep.remote_gates} remote two-qubit gates)",
        *rep.option_lines(),
    ]


def _link_table(net: Network, rep: Report, s: Schedule) -> list[str]:
    """One line per link: ebits, rate, latency, fidelity, busy fraction, bound."""
    if not net.links:
        return []
    lines = [f"  {'link':14s} {'ebits':>6s} {'rate/s':>9s} {'latency':>9s} "
             f"{'fidelity':>8s} {'busy':>6s} {'bound':>9s}"]
    for link in net.links:
        lines.append(
            f"  {link.key:14s} {rep.ebits_per_link.get(link.key, 0):6d} "
            f"{link.rate_hz * link.channels:9.4g} {fmt_time(link.latency_s):>9s} "
            f"{link.fidelity:8.3g} {100 * s.link_busy[link.key]:5.0f}% "
            f"{fmt_time(s.link_bounds_s[link.key]):>9s}")
    for key, model in s.link_models.items():
        lines.append(f"  {key}: {_link_model_text(model)}")
    return lines


def _link_model_text(model: LinkModel) -> str:
    """What a link that purifies or has a cutoff delivers, in one line."""
    d = model.delivered
    parts = []
    if d.rounds:
        parts.append(
            f"{d.scheme.upper()} x{d.rounds} delivers {fmt_number(d.rate_hz)}/s per channel "
            f"at fidelity {fmt_number(d.fidelity)} ({fmt_number(d.raw_pairs)} raw pairs each, "
            f"{plural(d.scratch, 'more comm qubit')} held at each end)")
    if d.cutoff_s is not None:
        held = (f"{plural(model.held_back, 'pair')} held back"
                + (f" (+{fmt_time(model.delay_s)} makespan)" if model.delay_s > 0 else ""))
        parts.append(f"cutoff {fmt_time(d.cutoff_s)}, {held}, "
                     f"{plural(model.regenerated, 'pair')} made again")
    return "; ".join(parts) + f"; {fmt_number(model.raw_pairs)} raw pairs in all"


def _time_lines(s: Schedule) -> list[str]:
    """Makespan against its bound, the critical path and the Monte Carlo figures."""
    path = s.to_dict()["critical_path"]
    lines = [
        f"makespan: {fmt_time(s.makespan_s)}; lower bound {fmt_time(s.lower_bound_s)} "
        f"({s.binding_bound}); {s.makespan_s / s.lower_bound_s if s.lower_bound_s else 1:.3g}"
        " x the bound",
        f"  critical path: {plural(path['operations'], 'operation')}: "
        f"ebits {fmt_time(path['epr_s'])}, "
        f"classical {fmt_time(path['classical_s'])}, gates {fmt_time(path['gates_s'])}; "
        f"with free ebits the run takes {fmt_time(s.compute_s)}",
    ]
    if s.monte_carlo is not None:
        mc = s.monte_carlo
        lines.append(f"  Monte Carlo ({plural(mc.samples, 'sample')}, seed {mc.seed}): mean "
                     f"{fmt_time(mc.mean_s)}, p95 {fmt_time(mc.p95_s)}, "
                     f"range {fmt_time(mc.min_s)} - {fmt_time(mc.max_s)}")
    return lines


def _memory_lines(net: Network, rep: Report, s: Schedule) -> list[str]:
    """Comm qubits in use, placed storage of ebit halves and their forced hold."""
    lines = [
        "memory: comm qubits peak/mean " + ", ".join(
            f"{q} {s.peak_comm_qubits[q]}/{s.mean_comm_qubits[q]:.2g}" for q in net.qpu_names),
        f"  ebit halves held {fmt_time(s.ebit_storage_s[0])} on average "
        f"(max {fmt_time(s.ebit_storage_s[1])}) in this {s.epr_timing} schedule, "
        f"waiting {fmt_time(s.ebit_wait_s[0])} before use "
        f"(max {fmt_time(s.ebit_wait_s[1])})",
    ]
    halves = halves_per_qpu(net, rep.ebits_per_link)
    if sum(halves.values()):
        forced = math.fsum(halves[q] * s.qpu_hold_s.get(q, (0.0, 0.0))[0] for q in halves)
        longest = max(v[1] for v in s.qpu_hold_s.values())
        lines.append(f"  any schedule must hold them {fmt_time(forced / sum(halves.values()))} "
                     f"on average (max {fmt_time(longest)}): the figure of the memory factor "
                     "and verdicts")
    return lines


def _fidelity_line(s: Schedule) -> str:
    """The fidelity estimate and its four factors."""
    f = s.fidelity
    return (f"fidelity: {fmt_number(f.total, f.log10_total)} = links {fmt_number(f.link)} "
            f"x memory {fmt_number(f.memory, f.log10_memory)} x idle "
            f"{fmt_number(f.idle, f.log10_idle)} x gates {fmt_number(f.gates)}")


def _verdict_lines(verdict: Verdict) -> list[str]:
    """The overall status, then one line per check."""
    lines = [f"verdict: {verdict.status.upper()}"]
    for r in verdict.reasons:
        subject = f" {r.subject}" if r.subject else ""
        lines.append(f"  {r.status:10s} {r.check}{subject}: {r.message}")
    return lines


def tty_progress(label: str, stream: TextIO | None = None
                 ) -> Callable[[int, int], None] | None:
    """A progress bar drawn on ``stream`` (stderr), or None unless it is a terminal.

    The bar redraws one line (``label [#####     ] done/total``) and ends it when
    ``done == total``; nothing is drawn for a single step. Piped or redirected output
    stays clean: no bar at all.

    Examples:
        >>> import io
        >>> tty_progress("samples", io.StringIO()) is None     # not a terminal
        True
    """
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        return None

    def draw(done: int, total: int) -> None:
        if total <= 1:
            return
        bar = "#" * (20 * done // total)
        out.write(f"\r{label} [{bar:20s}] {done}/{total}" + ("\n" if done >= total else ""))
        out.flush()

    return draw


#: Progress reports ``(stage starting, stages done, stages in all)``.
StageCallback = Callable[[str, int, int], None]


class StageProgress:
    """A one-line display of a long job's stages on a terminal: ``dqc: <stage>
    (<done>/<total>) <elapsed> s``, redrawn every ``interval`` seconds from a background
    thread so the clock moves during a long stage, shown only once the job has run
    ``delay`` seconds, and erased when the last stage ends.

    Use :meth:`for_terminal` (None unless ``stream`` is a terminal); call the object
    as a :data:`StageCallback`.

    Examples:
        >>> import io
        >>> StageProgress.for_terminal(io.StringIO()) is None     # piped: nothing drawn
        True
    """

    def __init__(self, stream: TextIO, *, delay: float = 2.0, interval: float = 0.5) -> None:
        self.out, self.delay, self.interval = stream, delay, interval
        self.start = time.monotonic()
        self.state = ("starting", 0, 1)
        self.drawn = 0  # width of the line on screen
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.ticker: threading.Thread | None = None

    @classmethod
    def for_terminal(cls, stream: TextIO | None = None, **kwargs) -> StageProgress | None:
        """A display on ``stream`` (stderr) if it is a terminal, else None."""
        out = sys.stderr if stream is None else stream
        return cls(out, **kwargs) if out.isatty() else None

    def __call__(self, stage: str, done: int, total: int) -> None:
        with self.lock:
            self.state = (stage, done, total)
        if done >= total:
            self.close()
        elif self.ticker is None:
            self.ticker = threading.Thread(target=self._tick, daemon=True)
            self.ticker.start()

    def _tick(self) -> None:
        while not self.stop.wait(self.interval):
            self.draw()

    def draw(self) -> None:
        """Redraw the line (once ``delay`` has passed)."""
        elapsed = time.monotonic() - self.start
        if elapsed < self.delay:
            return
        with self.lock:
            stage, done, total = self.state
            line = f"dqc: {stage} ({done + 1}/{total}) {elapsed:.0f} s"
            self.out.write("\r" + line.ljust(self.drawn))
            self.out.flush()
            self.drawn = len(line)

    def close(self) -> None:
        """Stop redrawing and erase the line."""
        self.stop.set()
        if self.ticker is not None and self.ticker is not threading.current_thread():
            self.ticker.join()
        with self.lock:
            if self.drawn:
                self.out.write("\r" + " " * self.drawn + "\r")
                self.out.flush()
                self.drawn = 0
