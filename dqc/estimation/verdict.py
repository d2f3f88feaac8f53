"""Can it run? Verdicts computed from a schedule's figures, each with its numbers.

:func:`judge` applies the rules of thumb of docs/design.md ("Cost model") to a
:class:`~dqc.estimation.schedule.Schedule`:

==================  =============================================================  ============
check               rule                                                           not ``ok``
==================  =============================================================  ============
``ebit_rate``       required rate = ebits of the link / ``compute_s`` (the run     marginal
                    time if ebits were free) vs ``rate_hz × channels``
``remote_fraction`` remote two-qubit gates / all two-qubit gates vs the            marginal
                    technology's ``remote_fraction`` (0.1 % superconducting,
                    10 % ions)
``buffering``       ebits to keep stored = rate the program draws from the link    marginal
                    (at most the link's) × mean forced hold of its ebit halves
                    (Little's law) vs comm qubits at its ends
``memory``          mean forced hold of an ebit half on a QPU / T2 there           ≥ 0.1 marginal,
                                                                                   ≥ 1 infeasible
``fidelity``        link × memory × idle factors (what distribution costs)          < 0.9 marginal,
                                                                                   < 0.5 infeasible
==================  =============================================================  ============

``compute_s`` (:class:`~dqc.estimation.schedule.Schedule`) is the run time with free, instant
ebits and unlimited comm qubits, so both rates above are what the program would draw
if neither the link nor the memory held it back.

**Which hold time.** The *forced hold* of an ebit half is t_hold of :mod:`dqc.estimation.schedule`:
the longest dependency path from the end of its ``epr`` to the measurement or reset that
frees its comm qubit, i.e. the least time any valid schedule must store it
(:attr:`Schedule.qpu_hold_s <dqc.estimation.schedule.Schedule.qpu_hold_s>`, ``link_hold_s``). Both
``memory`` and ``buffering`` use it, the same figure as the fidelity's ``memory``
factor, and not the storage time of the placed schedule (``ebit_storage_s``, which the
table also shows), because:

* coherence: ``memory`` says "a stored half keeps exp(−ratio) of its fidelity"; with
  the forced hold that is exactly the fidelity model's figure (Σ over QPUs of
  halves × ratio is ``fidelity.memory_t2``), so the check and the factor never
  disagree;
* a verdict judges the circuit on the network, not a placement choice: the placed
  storage changes with ``epr_timing`` (eager pre-generation stores pairs longer) and,
  in the lazy schedule, can even shrink when a link gets slower; the forced hold is a
  longest path, so it never falls when a link slows, a fibre grows or a latency
  grows, and the whole verdict is the same for lazy and eager timing;
* it is a bound with a sound reading: if even the forced hold outlives T2, or the
  ebits a link's rate needs during their forced holds outnumber the comm qubits, no
  schedule can avoid it. An ``ok`` is correspondingly optimistic: a schedule that
  queues pairs on a busy link stores some halves longer (``ebit_storage_s``).

The overall status is ``infeasible`` if any check is, else ``marginal`` if any check
is, else ``feasible``.

Examples:
    >>> from qiskit import QuantumCircuit
    >>> import dqc
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
    >>> net = dqc.Network.line(2, data_qubits=1, technology="trapped_ion")
    >>> result = dqc.compile(qc, net)
    >>> result.report.verdict["status"]
    'marginal'
    >>> [r["check"] for r in result.report.verdict["reasons"] if r["status"] != "ok"]
    ['ebit_rate', 'remote_fraction']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dqc.estimation.schedule import Schedule, schedule
from dqc.network import Network

__all__ = ["FIDELITY_INFEASIBLE", "FIDELITY_MARGINAL", "MEMORY_INFEASIBLE",
           "MEMORY_MARGINAL", "Reason", "Verdict", "assess", "judge", "program_two_qubit_gates"]

#: Distribution fidelity (link × memory × idle) below which a run is infeasible.
FIDELITY_INFEASIBLE = 0.5
#: ... and below which it is marginal.
FIDELITY_MARGINAL = 0.9
#: Mean ebit hold time / T2 from which memory makes a run infeasible (e^-1 per ebit).
MEMORY_INFEASIBLE = 1.0
#: ... and from which it is marginal (about 10 % loss per ebit).
MEMORY_MARGINAL = 0.1

_ORDER = {"ok": 0, "marginal": 1, "infeasible": 2}
_STATUS = {0: "feasible", 1: "marginal", 2: "infeasible"}


def _g(x: float, log10: float | None = None) -> str:
    """A number for messages: 3 significant digits; an underflowed 0 by its exponent."""
    if x == 0 and log10 is not None and math.isfinite(log10):
        return f"1e{round(log10)}"
    return f"{x:.3g}"


@dataclass(frozen=True)
class Reason:
    """One check of a verdict.

    Attributes:
        check: what was checked (``ebit_rate``, ``remote_fraction``, ``buffering``,
            ``memory``, ``fidelity``).
        subject: the link or QPU it concerns (``""`` for the whole run).
        status: ``ok``, ``marginal`` or ``infeasible``.
        message: one sentence with the numbers.
        figures: the numbers, by name.
    """

    check: str
    subject: str
    status: str
    message: str
    figures: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict: check, subject, status, message, then the figures."""
        out: dict[str, Any] = {"check": self.check, "subject": self.subject,
                               "status": self.status, "message": self.message}
        out.update({k: float(f"{v:.6g}") for k, v in self.figures.items()})
        return out


@dataclass(frozen=True)
class Verdict:
    """``feasible`` / ``marginal`` / ``infeasible`` and the reasons behind it.

    Attributes:
        status: the worst status over :attr:`reasons` (``ok`` counting as feasible).
        reasons: every check, in a fixed order.
    """

    status: str
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``verdict`` section of the JSON report."""
        return {"status": self.status, "reasons": [r.to_dict() for r in self.reasons]}

    def problems(self) -> tuple[Reason, ...]:
        """The reasons that are not ``ok``."""
        return tuple(r for r in self.reasons if r.status != "ok")


def judge(sched: Schedule, network: Network, *, remote_gates: int,
          two_qubit_gates: int) -> Verdict:
    """Apply the checks of the module docstring to ``sched``.

    Args:
        sched: the schedule of a compiled circuit on ``network``.
        network: the network.
        remote_gates: two-qubit gates of the program that crossed QPUs.
        two_qubit_gates: all two-qubit gates of the program.

    Returns:
        The :class:`Verdict`.
    """
    reasons: list[Reason] = []
    ebits = {link.key: 0 for link in network.links}
    for op in sched.operations:
        if op.link:
            ebits[op.link] += 1
    for link in network.links:
        n = ebits[link.key]
        if not n:
            continue
        capacity = link.rate_hz * link.channels
        required = n / sched.compute_s if sched.compute_s > 0 else math.inf
        ratio = required / capacity
        if ratio <= 1:
            status, text = "ok", "the link keeps up"
        else:
            status = "marginal"
            text = (f"the link sets the pace: {n} ebit(s) take at least "
                    f"{_g(sched.link_bounds_s[link.key])} s against {_g(sched.compute_s)} s "
                    "of computation")
        reasons.append(Reason(
            "ebit_rate", link.key, status,
            f"needs {_g(required)} ebits/s ({n} ebit(s) in {_g(sched.compute_s)} s), link gives "
            f"{_g(capacity)}/s (x{_g(ratio)}): {text}",
            {"ebits": n, "required_hz": required, "capacity_hz": capacity, "ratio": ratio}))
    if two_qubit_gates > 0 and remote_gates > 0:
        fraction = remote_gates / two_qubit_gates
        used = [q for q in network.qpus if q.name in {op.qpu for op in sched.operations}]
        tech = min((q.profile for q in used or network.qpus), key=lambda t: t.remote_fraction)
        status = "ok" if fraction <= tech.remote_fraction else "marginal"
        text = ("communication dominates the run time" if status != "ok"
                else "within what the technology tolerates")
        reasons.append(Reason(
            "remote_fraction", "", status,
            f"{remote_gates} of {two_qubit_gates} two-qubit gates are remote "
            f"({_g(100 * fraction)} %), {tech.name} tolerates about "
            f"{_g(100 * tech.remote_fraction)} %: {text}",
            {"remote_gates": remote_gates, "two_qubit_gates": two_qubit_gates,
             "fraction": fraction, "tolerated": tech.remote_fraction}))
    for link in network.links:
        n = ebits[link.key]
        if not n:
            continue
        hold = sched.link_hold_s[link.key]
        capacity = link.rate_hz * link.channels
        drawn = min(capacity, n / sched.compute_s if sched.compute_s > 0 else capacity)
        needed = math.ceil(drawn * hold - 1e-12)
        ends = [network.qpu(link.a).comm_qubits, network.qpu(link.b).comm_qubits]
        have = min(ends)
        status = "ok" if needed <= have else "marginal"
        text = ("enough" if status == "ok"
                else "the link must idle while comm qubits are busy")
        reasons.append(Reason(
            "buffering", link.key, status,
            f"keeping the link busy needs at least {needed} stored ebit(s) ({_g(drawn)}/s x "
            f"{_g(hold)} s forced hold), its QPUs have {ends[0]} and {ends[1]} comm qubits: "
            f"{text}",
            {"needed": needed, "comm_qubits": have, "rate_hz": drawn, "hold_s": hold}))
    halves = {qpu.name: 0 for qpu in network.qpus}  # one half of each ebit at each end
    for link in network.links:
        halves[link.a] += ebits[link.key]
        halves[link.b] += ebits[link.key]
    for qpu in network.qpus:
        mean, longest = sched.qpu_hold_s.get(qpu.name, (0.0, 0.0))
        if longest == 0 and mean == 0:
            continue
        t2 = qpu.profile.t2_s
        ratio = mean / t2
        n = halves[qpu.name]
        status = ("infeasible" if ratio >= MEMORY_INFEASIBLE
                  else "marginal" if ratio >= MEMORY_MARGINAL else "ok")
        reasons.append(Reason(
            "memory", qpu.name, status,
            f"{n} ebit half{'' if n == 1 else 'ves'} must be held at least {_g(mean)} s on "
            f"average (max {_g(longest)} s) against T2 = {_g(t2)} s: {_g(ratio)} T2, a stored "
            f"half keeps exp(-{_g(ratio)}) = {_g(math.exp(-ratio))} of its fidelity"
            + (f" ({_g(math.exp(-n * ratio), -n * ratio / math.log(10))} for all {n})"
               if n > 1 else ""),
            {"halves": n, "mean_hold_s": mean, "max_hold_s": longest, "t2_s": t2,
             "ratio": ratio}))
    f = sched.fidelity
    distribution = f.link * f.memory * f.idle
    log10_dist = f.log10_total - (math.log10(f.gates) if f.gates > 0 else 0.0)
    status = ("infeasible" if distribution < FIDELITY_INFEASIBLE
              else "marginal" if distribution < FIDELITY_MARGINAL else "ok")
    reasons.append(Reason(
        "fidelity", "", status,
        f"distribution keeps {_g(distribution, log10_dist)} of the fidelity (links "
        f"{_g(f.link)} x memory {_g(f.memory, -f.memory_t2 / math.log(10))} x idle "
        f"{_g(f.idle, -f.idle_t2 / math.log(10))}); with gates {_g(f.gates)} the estimate "
        f"is {_g(f.total, f.log10_total)}",
        {"distribution": distribution, "total": f.total, "link": f.link, "memory": f.memory,
         "idle": f.idle, "gates": f.gates}))
    worst = max((_ORDER[r.status] for r in reasons), default=0)
    return Verdict(_STATUS[worst], tuple(reasons))


def program_two_qubit_gates(circuit: Any, comm_qubits: Any, remote_gates: int) -> int:
    """Two-qubit gates of the program in a compiled circuit: local ones plus remote ones.

    A local program gate acts on two data qubits; a remote one acts on a comm qubit
    (the copy of its carrier) and is counted by the distributor (``remote_gates``).
    Protocol operations (``epr``, cat-entangling ``cx`` onto comm qubits) are not counted.
    """
    comm = {circuit.qubits[k] for k in comm_qubits}
    local = 0
    for inst in circuit.data:
        if len(inst.qubits) != 2 or inst.name in ("epr", "barrier"):
            continue
        if not (inst.qubits[0] in comm or inst.qubits[1] in comm):
            local += 1
    return local + remote_gates


def assess(circuit: Any, network: Network, *, qubit_qpu: Any, comm_qubits: Any,
           remote_gates: int, samples: int = 0, seed: int | None = None,
           epr_timing: str = "lazy",
           progress: Callable[[int, int], None] | None = None) -> tuple[Schedule, Verdict]:
    """Schedule a compiled circuit and judge it: what :func:`dqc.compile` reports.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> import dqc
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> net = dqc.Network.line(2, data_qubits=1)
        >>> r = dqc.compile(qc, net)
        >>> sched, verdict = assess(r.circuit, net, qubit_qpu=r.report.qubit_qpu,
        ...                         comm_qubits=r.report.comm_qubits, remote_gates=1)
        >>> sched.to_dict() == r.report.schedule, verdict.to_dict() == r.report.verdict
        (True, True)
    """
    sched = schedule(circuit, network, qubit_qpu=qubit_qpu, comm_qubits=comm_qubits,
                     samples=samples, seed=seed, epr_timing=epr_timing, progress=progress)
    verdict = judge(sched, network, remote_gates=remote_gates,
                    two_qubit_gates=program_two_qubit_gates(circuit, comm_qubits, remote_gates))
    return sched, verdict
