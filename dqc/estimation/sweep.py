"""Parameter sweeps: the keys, the network of each value, the result of each value.

Sweep keys (:data:`SWEEP_KEYS`) set one field of **every** link or QPU:

* ``link.rate_hz``, ``link.latency_s``: make every link direct at that figure (a
  physical link keeps the other derived figure);
* ``link.length_km``, ``link.loss_db_per_km``, ``link.attempt_rate_hz``,
  ``link.efficiency``, ``link.electronics_s``: need physical links (rate and latency are
  re-derived, :mod:`dqc.network.physics`);
* ``link.fidelity``, ``link.channels``;
* ``link.purification_rounds`` (links that name a ``purification`` scheme) and
  ``link.cutoff_s`` (:mod:`dqc.network.purification`);
* ``qpu.comm_qubits`` (the circuit is recompiled: comm qubits change the distribution);
* ``qpu.t2_s`` and every other technology figure (``qpu.gate_2q_s``, ``qpu.error_2q``, ...):
  a QPU without a technology gets the default profile with that figure changed.

:func:`dqc.estimate_sweep` compiles every value afresh and gives one :class:`Estimate`
per value, or a :class:`SweepFailure` where the circuit does not fit;
:func:`render_sweep` prints them one line each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from qiskit import QuantumCircuit

from dqc.errors import DQCError, NetworkError
from dqc.estimation.formatting import fmt_number, fmt_time
from dqc.estimation.render import render_estimate
from dqc.estimation.report import Report
from dqc.estimation.result import Schedule
from dqc.estimation.verdict import Reason, Verdict
from dqc.network import Network
from dqc.network.physics import TECHNOLOGY_FIELDS


class Section(Protocol):
    """An extra section of an estimate (e.g. :class:`~dqc.estimation.requirements.Requirements`,
    which imports this module): its JSON and its terminal text."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON section."""

    def summary(self) -> str:
        """The terminal text."""

__all__ = ["SWEEP_KEYS", "Estimate", "SweepFailure", "check_key", "parse_sweep",
           "render_sweep", "sweep_network"]

_LINK_DIRECT = ("rate_hz", "latency_s", "fidelity", "channels", "purification_rounds",
                "cutoff_s")
_LINK_PHYSICAL = ("length_km", "loss_db_per_km", "attempt_rate_hz", "efficiency",
                  "electronics_s")
#: Every key :func:`sweep_network` accepts.
SWEEP_KEYS: tuple[str, ...] = (
    *(f"link.{k}" for k in _LINK_DIRECT + _LINK_PHYSICAL),
    "qpu.comm_qubits",
    *(f"qpu.{k}" for k in TECHNOLOGY_FIELDS),
)
_INTEGER_KEYS = ("link.channels", "link.purification_rounds", "qpu.comm_qubits")


def _head(network: Network, sweep: tuple[str, float] | None) -> dict[str, Any]:
    """The first entries of a JSON result: the sweep point (if any) and the network."""
    d: dict[str, Any] = {}
    if sweep is not None:
        d["sweep"] = {"key": sweep[0], "value": sweep[1]}
    d["network"] = network.name or network.summary()
    return d


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
        requirements: the :class:`~dqc.estimation.requirements.Requirements` when asked
            for (:func:`dqc.estimate.requirements`), else None.
        simulation: the :class:`~dqc.adapter.noisy_sim.NoisyCheck` when a noisy
            simulation was asked for (``dqc estimate --simulate N``), else None.
    """

    network: Network
    circuit: QuantumCircuit
    report: Report
    schedule: Schedule
    verdict: Verdict
    sweep: tuple[str, float] | None = None
    requirements: Section | None = None
    simulation: Section | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``dqc estimate --json`` (with ``requirements`` when computed)."""
        d = _head(self.network, self.sweep)
        report = self.report.to_dict()  # (its entries as in the compile's JSON report)
        d.update({key: report[key] for key in ("ebits", "ebits_per_link", "remote_gates",
                                               "input")})
        d.update({"schedule": self.schedule.to_dict(), "verdict": self.verdict.to_dict()})
        if report.get("approximation"):
            d["approximation"] = report["approximation"]
        if report["births"] or report["deaths"]:
            d.update(births=report["births"], deaths=report["deaths"])
        if self.requirements is not None:
            d["requirements"] = self.requirements.to_dict()
        if self.simulation is not None:
            d["simulation"] = self.simulation.to_dict()
        return d

    def summary(self) -> str:
        """A readable table: links, makespan and bounds, memory, fidelity, verdict (and
        the requirements table when computed)."""
        text = render_estimate(self.network, self.report, self.schedule, self.verdict)
        if self.requirements is not None:
            text += "\n" + self.requirements.summary()
        if self.simulation is not None:
            text += "\n" + self.simulation.summary()
        return text


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
        d = _head(self.network, self.sweep)
        d.update({"error": self.error, "verdict": self.verdict.to_dict()})
        return d


def check_key(key: str) -> None:
    """Refuse a key that is not in :data:`SWEEP_KEYS`.

    Examples:
        >>> check_key("link.rate_hz")
        >>> check_key("link.speed")
        Traceback (most recent call last):
        ...
        dqc.errors.DQCError: unknown sweep key 'link.speed'; known: link.rate_hz, ...
    """
    if key not in SWEEP_KEYS:
        raise DQCError(f"unknown sweep key {key!r}; known: {', '.join(SWEEP_KEYS)}")


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
    check_key(key)
    return key, [_parse_value(key, item.strip()) for item in values.split(",")]


def _parse_value(key: str, item: str) -> Any:
    """One value of ``--sweep``: a float, or an int for a key that counts things."""
    try:
        value = float(item)
    except ValueError:
        raise DQCError(f"--sweep value {item!r} of {key} is not a number") from None
    if key not in _INTEGER_KEYS:
        return value
    if not value.is_integer():
        raise DQCError(f"--sweep value {item!r} of {key} must be an integer")
    return int(value)


def sweep_network(network: Network, key: str, value: float) -> Network:
    """``network`` with field ``key`` (see :data:`SWEEP_KEYS`) set to ``value`` everywhere.

    Raises:
        DQCError: for an unknown key; NetworkError for a value the model rejects (zero
            rate, negative length, T2 <= 0, ...) or a physical key on a direct link.

    Examples:
        >>> net = sweep_network(Network.line(2, data_qubits=1), "qpu.t2_s", 0.5)
        >>> net.qpus[0].profile.t2_s, net.qpus[0].technology.name
        (0.5, 'trapped_ion')
    """
    check_key(key)
    kind, _, name = key.partition(".")
    if kind == "link":
        links = []
        for link in network.links:
            if name in _LINK_PHYSICAL and not link.physical:
                raise NetworkError(
                    f"sweeping {key} needs physical links, but link {link.key} is given "
                    f"directly (rate_hz={link.rate_hz:g}); give it length_km, "
                    "attempt_rate_hz and efficiency (e.g. --target metro_ring)")
            if name == "purification_rounds" and value and link.purification == "none":
                raise NetworkError(
                    f"sweeping {key} needs links that name a purification scheme, but link "
                    f"{link.key} has purification='none'; set purification = \"bbpssw\" or "
                    "\"dejmps\" in its [[link]] table")
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


def render_sweep(estimates: Sequence[Estimate | SweepFailure]) -> str:
    """One line per sweep value: ebits, makespan, bound, Monte Carlo, fidelity, verdict.

    A value that cannot be compiled gets ``cannot compile: <reason>`` instead.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from dqc.estimate import estimate_sweep
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
            f"{fmt_number(s.fidelity.total, s.fidelity.log10_total):>9s}  {e.verdict.status}")
    return "\n".join(lines)
