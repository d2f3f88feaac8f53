"""How long, how well, and can it run at all: :func:`estimate` and parameter sweeps.

:func:`estimate` compiles a circuit onto a network, schedules the result
(:mod:`dqc.estimation.schedule`) and judges it (:mod:`dqc.estimation.verdict`);
:func:`estimate_sweep` does
that for each value of one network parameter, e.g. every link's ``rate_hz``.

Sweep keys (:data:`SWEEP_KEYS`) set one field of **every** link or QPU:

* ``link.rate_hz``, ``link.latency_s``: make every link direct at that figure (a
  physical link keeps the other derived figure);
* ``link.length_km``, ``link.loss_db_per_km``, ``link.attempt_rate_hz``,
  ``link.efficiency``, ``link.electronics_s``: need physical links (rate and latency are
  re-derived, :mod:`dqc.network.physics`);
* ``link.fidelity``, ``link.channels``;
* ``qpu.comm_qubits`` (the circuit is recompiled: comm qubits change the distribution);
* ``qpu.t2_s`` and every other technology figure (``qpu.gate_2q_s``, ``qpu.error_2q``, ...):
  a QPU without a technology gets the default profile with that figure changed.

Every value is compiled afresh (with the same seed), so a sweep shows what dqc would
produce on each network. A value on which the circuit does not fit (a
:class:`~dqc.errors.CapacityError`, e.g. one comm qubit where entanglement swapping needs
two) does not stop the sweep: it comes back as a :class:`SweepFailure` carrying the
reason, and the other values are computed. Values the model rejects (zero rate,
negative length, ...) are still refused before any work.

Examples:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(3); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 2)
    >>> net = Network.line(3, data_qubits=1, technology="trapped_ion")
    >>> result = estimate(qc, net)
    >>> result.report.ebits, round(result.schedule.makespan_s, 2), result.verdict.status
    (2, 0.1, 'marginal')
    >>> sweep = estimate_sweep(qc, net, "link.rate_hz", [10, 100])
    >>> [round(e.schedule.makespan_s, 2) for e in sweep]
    [0.1, 0.01]
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TextIO

from qiskit import QuantumCircuit

from dqc.compile import compile as compile_circuit
from dqc.errors import CapacityError, DQCError, NetworkError
from dqc.estimation.report import Report
from dqc.estimation.schedule import Schedule, fmt_time
from dqc.estimation.verdict import Reason, Verdict, assess
from dqc.network import Network
from dqc.network.physics import TECHNOLOGY_FIELDS

__all__ = ["SWEEP_KEYS", "Estimate", "SweepFailure", "estimate", "estimate_sweep",
           "parse_sweep", "render_sweep", "sweep_network", "tty_progress"]

_LINK_DIRECT = ("rate_hz", "latency_s", "fidelity", "channels")
_LINK_PHYSICAL = ("length_km", "loss_db_per_km", "attempt_rate_hz", "efficiency",
                  "electronics_s")
#: Every key :func:`sweep_network` accepts.
SWEEP_KEYS: tuple[str, ...] = (
    *(f"link.{k}" for k in _LINK_DIRECT + _LINK_PHYSICAL),
    "qpu.comm_qubits",
    *(f"qpu.{k}" for k in TECHNOLOGY_FIELDS),
)
_INTEGER_KEYS = ("link.channels", "qpu.comm_qubits")


@dataclass(frozen=True)
class Estimate:
    """A compiled circuit with its schedule and verdict on one network.

    Attributes:
        network: the network estimated on.
        circuit: the compiled circuit.
        report: the compile report (its ``schedule`` and ``verdict`` are the
            deterministic ones, without Monte Carlo figures).
        schedule: the :class:`~dqc.estimation.schedule.Schedule` (with Monte Carlo figures when
            samples were asked for).
        verdict: the :class:`~dqc.estimation.verdict.Verdict`.
        sweep: ``(key, value)`` when this estimate is one point of a sweep.
    """

    network: Network
    circuit: QuantumCircuit
    report: Report
    schedule: Schedule
    verdict: Verdict
    sweep: tuple[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``dqc estimate --json``."""
        d: dict[str, Any] = {}
        if self.sweep is not None:
            d["sweep"] = {"key": self.sweep[0], "value": self.sweep[1]}
        d.update({
            "network": self.network.name or self.network.summary(),
            "ebits": self.report.ebits,
            "ebits_per_link": dict(self.report.ebits_per_link),
            "remote_gates": self.report.remote_gates,
            "input": dict(self.report.input),
            "schedule": self.schedule.to_dict(),
            "verdict": self.verdict.to_dict(),
        })
        return d

    def summary(self) -> str:
        """A readable table: links, makespan and bounds, memory, fidelity, verdict."""
        return _render(self)


@dataclass(frozen=True)
class SweepFailure:
    """One value of a sweep on which the circuit cannot be compiled.

    Attributes:
        network: the network of that value.
        sweep: ``(key, value)``.
        error: why it cannot be compiled (the message of the
            :class:`~dqc.errors.CapacityError`).

    Examples:
        >>> f = SweepFailure(Network.line(2, data_qubits=1), ("qpu.comm_qubits", 0), "no room")
        >>> f.verdict.status, f.to_dict()["verdict"]["reasons"][0]["check"]
        ('infeasible', 'compile')
    """

    network: Network
    sweep: tuple[str, float]
    error: str

    @property
    def verdict(self) -> Verdict:
        """``infeasible``, with one ``compile`` reason whose message is :attr:`error`."""
        return Verdict("infeasible", (Reason("compile", "", "infeasible", self.error, {}),))

    def to_dict(self) -> dict[str, Any]:
        """The entry of ``dqc estimate --sweep ... --json`` for this value: ``sweep``,
        ``network``, ``error`` and ``verdict`` (no figures: nothing was compiled)."""
        return {"sweep": {"key": self.sweep[0], "value": self.sweep[1]},
                "network": self.network.name or self.network.summary(),
                "error": self.error,
                "verdict": self.verdict.to_dict()}


def estimate(circuit: QuantumCircuit, network: Network, *, seed: int | None = None,
             samples: int = 0, epr_timing: str = "lazy",
             progress: Callable[[int, int], None] | None = None) -> Estimate:
    """Compile ``circuit`` onto ``network``, schedule it, and judge the result.

    Args:
        circuit: the circuit to run (as for :func:`dqc.compile`).
        network: the network.
        seed: seed of the compiler and of the Monte Carlo draws (None means 0).
        samples: Monte Carlo draws of ebit generation times (0: expected times only).
        epr_timing: ``"lazy"`` or ``"eager"`` (see :mod:`dqc.estimation.schedule`).
        progress: called with (samples drawn, samples) during the Monte Carlo draws.

    Returns:
        The :class:`Estimate`.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> e = estimate(qc, Network.line(2, data_qubits=1, rate_hz=1), samples=100, seed=3)
        >>> e.schedule.monte_carlo.samples, e.schedule.makespan_s > 1
        (100, True)
    """
    result = compile_circuit(circuit, network, seed=seed)
    report = result.report
    sched, verdict = assess(result.circuit, network, qubit_qpu=report.qubit_qpu,
                            comm_qubits=report.comm_qubits, remote_gates=report.remote_gates,
                            samples=samples, seed=seed, epr_timing=epr_timing,
                            progress=progress)
    return Estimate(network, result.circuit, report, sched, verdict)


def parse_sweep(text: str) -> tuple[str, list[float]]:
    """``"link.rate_hz=1,10,100"`` -> ``("link.rate_hz", [1.0, 10.0, 100.0])``.

    Raises:
        DQCError: for a missing ``=``, an unknown key or a value that is not a number.

    Examples:
        >>> parse_sweep("qpu.comm_qubits=1,2")
        ('qpu.comm_qubits', [1, 2])
    """
    key, sep, values = text.partition("=")
    key = key.strip()
    if not sep or not values.strip():
        raise DQCError(f"--sweep {text!r} must look like KEY=V1,V2,... (e.g. link.rate_hz=1,10)")
    _check_key(key)
    out: list[Any] = []
    for item in values.split(","):
        item = item.strip()
        try:
            value = float(item)
        except ValueError:
            raise DQCError(f"--sweep value {item!r} of {key} is not a number") from None
        if key in _INTEGER_KEYS:
            if not value.is_integer():
                raise DQCError(f"--sweep value {item!r} of {key} must be an integer")
            value = int(value)
        out.append(value)
    return key, out


def _check_key(key: str) -> None:
    if key not in SWEEP_KEYS:
        raise DQCError(f"unknown sweep key {key!r}; known: {', '.join(SWEEP_KEYS)}")


def sweep_network(network: Network, key: str, value: float) -> Network:
    """``network`` with field ``key`` (see :data:`SWEEP_KEYS`) set to ``value`` everywhere.

    Raises:
        DQCError: for an unknown key; NetworkError for a value the model rejects (zero
            rate, negative length, T2 <= 0, ...) or a physical key on a direct link.

    Examples:
        >>> net = sweep_network(Network.line(2, data_qubits=1), "qpu.t2_s", 0.5)
        >>> net.qpus[0].profile.t2_s, net.qpus[0].technology.name
        (0.5, 'superconducting')
    """
    _check_key(key)
    kind, _, name = key.partition(".")
    if kind == "link":
        links = []
        for link in network.links:
            if name in _LINK_PHYSICAL and not link.physical:
                raise NetworkError(
                    f"sweeping {key} needs physical links, but link {link.key} is given "
                    f"directly (rate_hz={link.rate_hz:g}); give it length_km, "
                    "attempt_rate_hz and efficiency (e.g. --target metro_ring)")
            links.append(link.evolve(**{name: value}))
        return Network(network.qpus, tuple(links), network.name)
    if name == "comm_qubits":
        if not float(value).is_integer():
            raise DQCError(f"qpu.comm_qubits must be an integer, got {value!r}")
        qpus = tuple(replace(q, comm_qubits=int(value)) for q in network.qpus)
    else:
        qpus = tuple(replace(q, technology=q.profile.evolve(**{name: value}))
                     for q in network.qpus)
    return Network(qpus, network.links, network.name)


def estimate_sweep(circuit: QuantumCircuit, network: Network, key: str,
                   values: Sequence[float], *, seed: int | None = None, samples: int = 0,
                   epr_timing: str = "lazy",
                   progress: Callable[[int, int], None] | None = None
                   ) -> tuple[Estimate | SweepFailure, ...]:
    """:func:`estimate` on ``network`` with ``key`` set to each of ``values``.

    A value on which the circuit does not fit (:class:`~dqc.errors.CapacityError`)
    gives a :class:`SweepFailure` in its place and the sweep goes on.

    Args:
        circuit: the circuit.
        network: the base network.
        key: a :data:`SWEEP_KEYS` entry.
        values: the values to try, in order.
        seed: as for :func:`estimate`.
        samples: as for :func:`estimate`.
        epr_timing: as for :func:`estimate`.
        progress: called with (done, total) after each value.

    Returns:
        One :class:`Estimate` (or :class:`SweepFailure`) per value, in order, each with
        ``sweep = (key, value)``.

    Raises:
        DQCError: for an unknown key or a value the model rejects (before any work),
            and any error of :func:`estimate` other than a CapacityError.
    """
    networks = [sweep_network(network, key, v) for v in values]  # fail before any work
    out: list[Estimate | SweepFailure] = []
    for k, (value, net) in enumerate(zip(values, networks)):
        try:
            e = estimate(circuit, net, seed=seed, samples=samples, epr_timing=epr_timing)
        except CapacityError as exc:
            out.append(SweepFailure(net, (key, value), str(exc)))
        else:
            out.append(replace(e, sweep=(key, value)))
        if progress is not None:
            progress(k + 1, len(values))
    return tuple(out)


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


# ------------------------------------------------------------------ rendering
def _fid(x: float, log10: float | None = None) -> str:
    """A fidelity; one that underflowed to 0 is shown by its exponent, ``1e-4380``."""
    if x == 0 and log10 is not None and math.isfinite(log10):
        return f"1e{round(log10)}"
    return f"{x:.3g}"


def _render(e: Estimate) -> str:
    s, net, rep = e.schedule, e.network, e.report
    techs: dict[str, list[str]] = {}
    for qpu, tech in s.technology.items():
        techs.setdefault(tech, []).append(qpu)
    lines = [
        f"network: {net.name + ': ' if net.name else ''}{net.summary()}",
        "technology: " + "; ".join(f"{t} ({', '.join(q)})" for t, q in techs.items()),
        f"ebits: {rep.ebits} ({rep.remote_gates} remote two-qubit gates)",
    ]
    if net.links:
        header = (f"  {'link':14s} {'ebits':>6s} {'rate/s':>9s} {'latency':>9s} "
                  f"{'fidelity':>8s} {'busy':>6s} {'bound':>9s}")
        lines.append(header)
        for link in net.links:
            lines.append(
                f"  {link.key:14s} {rep.ebits_per_link.get(link.key, 0):6d} "
                f"{link.rate_hz * link.channels:9.4g} {fmt_time(link.latency_s):>9s} "
                f"{link.fidelity:8.3g} {100 * s.link_busy[link.key]:5.0f}% "
                f"{fmt_time(s.link_bounds_s[link.key]):>9s}")
    path = s.to_dict()["critical_path"]
    lines.append(
        f"makespan: {fmt_time(s.makespan_s)}; lower bound {fmt_time(s.lower_bound_s)} "
        f"({s.binding_bound}); {s.makespan_s / s.lower_bound_s if s.lower_bound_s else 1:.3g}"
        " x the bound")
    lines.append(
        f"  critical path: {path['operations']} operations: ebits {fmt_time(path['epr_s'])}, "
        f"classical {fmt_time(path['classical_s'])}, gates {fmt_time(path['gates_s'])}; "
        f"with free ebits the run takes {fmt_time(s.compute_s)}")
    if s.monte_carlo is not None:
        mc = s.monte_carlo
        lines.append(f"  Monte Carlo ({mc.samples} samples, seed {mc.seed}): mean "
                     f"{fmt_time(mc.mean_s)}, p95 {fmt_time(mc.p95_s)}, "
                     f"range {fmt_time(mc.min_s)} - {fmt_time(mc.max_s)}")
    lines.append("memory: comm qubits peak/mean " + ", ".join(
        f"{q} {s.peak_comm_qubits[q]}/{s.mean_comm_qubits[q]:.2g}" for q in net.qpu_names))
    lines.append(f"  ebit halves held {fmt_time(s.ebit_storage_s[0])} on average "
                 f"(max {fmt_time(s.ebit_storage_s[1])}) in this {s.epr_timing} schedule, "
                 f"waiting {fmt_time(s.ebit_wait_s[0])} before use "
                 f"(max {fmt_time(s.ebit_wait_s[1])})")
    halves = {q: 0 for q in net.qpu_names}  # one half of each ebit at each end of its link
    for link in net.links:
        for end in (link.a, link.b):
            halves[end] += rep.ebits_per_link.get(link.key, 0)
    if sum(halves.values()):
        forced = sum(halves[q] * s.qpu_hold_s.get(q, (0.0, 0.0))[0] for q in halves)
        longest = max(v[1] for v in s.qpu_hold_s.values())
        lines.append(f"  any schedule must hold them {fmt_time(forced / sum(halves.values()))} "
                     f"on average (max {fmt_time(longest)}): the figure of the memory factor "
                     "and verdicts")
    f = s.fidelity
    ln10 = math.log(10)
    lines.append(f"fidelity: {_fid(f.total, f.log10_total)} = links {_fid(f.link)} x memory "
                 f"{_fid(f.memory, -f.memory_t2 / ln10)} x idle "
                 f"{_fid(f.idle, -f.idle_t2 / ln10)} x gates {_fid(f.gates)}")
    lines.append(f"verdict: {e.verdict.status.upper()}")
    for r in e.verdict.reasons:
        subject = f" {r.subject}" if r.subject else ""
        lines.append(f"  {r.status:10s} {r.check}{subject}: {r.message}")
    return "\n".join(lines)


def render_sweep(estimates: Sequence[Estimate | SweepFailure]) -> str:
    """One line per sweep value: ebits, makespan, bound, Monte Carlo, fidelity, verdict.

    A value that cannot be compiled gets ``cannot compile: <reason>`` instead.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> net = Network.line(2, data_qubits=1, technology="trapped_ion")
        >>> print(render_sweep(estimate_sweep(qc, net, "link.rate_hz", [10, 1000])))
        link.rate_hz  ebits   makespan      bound   MC mean    MC p95  fidelity  verdict
        10                1     10... ms ... marginal
        1000              1    ... ms ... marginal
        >>> print(render_sweep([SweepFailure(net, ("qpu.comm_qubits", 0), "no comm qubit")]))
        qpu.comm_qubits  ebits   makespan ... verdict
        0               cannot compile: no comm qubit
    """
    if not estimates:
        return ""
    key = estimates[0].sweep[0] if estimates[0].sweep else "value"
    width = max(len(key), 10)
    lines = [f"{key:{width}s} {'ebits':>6s} {'makespan':>10s} {'bound':>10s} {'MC mean':>9s} "
             f"{'MC p95':>9s} {'fidelity':>9s}  verdict"]
    for e in estimates:
        value = f"{e.sweep[1]:g}" if e.sweep else ""
        if isinstance(e, SweepFailure):
            lines.append(f"{value:{width}s} cannot compile: {e.error}")
            continue
        s = e.schedule
        mc = s.monte_carlo
        lines.append(
            f"{value:{width}s} {e.report.ebits:6d} {fmt_time(s.makespan_s):>10s} "
            f"{fmt_time(s.lower_bound_s):>10s} "
            f"{fmt_time(mc.mean_s) if mc else '-':>9s} {fmt_time(mc.p95_s) if mc else '-':>9s} "
            f"{_fid(s.fidelity.total, s.fidelity.log10_total):>9s}  {e.verdict.status}")
    return "\n".join(lines)
