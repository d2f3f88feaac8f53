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
``purification``    per link that purifies: the comm qubits its rounds hold were   infeasible;
                    free at every ``epr`` (the circuit leaves them: r at each      marginal if
                    end), and the delivered fidelity exceeds the raw one           no gain
``cutoff``          per link with a cutoff: every purification round's wait and    infeasible;
                    every half's least wait before its first use fit in the       marginal if
                    cutoff                                                         held back
                                                                                   pairs delay
                                                                                   the run
==================  =============================================================  ============

A link that purifies delivers fewer, better pairs (:mod:`dqc.network.purification`):
``ebit_rate`` and ``buffering`` use its delivered rate, ``fidelity`` its delivered
fidelity. With a cutoff, the schedule starts a pair no earlier than its first use less
the cutoff and its generation time (:func:`~dqc.estimation.timing.hold_back`; making it
earlier would only have it discarded and made again), which can delay the link's next
pairs: ``cutoff`` is ``marginal`` when that delays the run (the delay is in the
makespan), or when pairs still wait longer and are made again.

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

* coherence: ``memory`` says "a stored half escapes dephasing with probability
  (1 + exp(−ratio)) / 2"; with the forced hold that is the fidelity model's figure
  (Σ over QPUs of halves × ratio is ``fidelity.memory_t2``; the factor multiplies
  the same expression per half), so the check and the factor never disagree;
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

from dqc.errors import plural
from dqc.estimation.fidelity import keep
from dqc.estimation.formatting import fmt_number
from dqc.estimation.memory import halves_per_qpu
from dqc.estimation.result import ScheduledOps
from dqc.estimation.schedule import Schedule, schedule
from dqc.network import QPU, Link, Network

__all__ = ["FIDELITY_INFEASIBLE", "FIDELITY_MARGINAL", "MEMORY_INFEASIBLE",
           "MEMORY_MARGINAL", "Reason", "Verdict", "assess", "check_buffering",
           "check_cutoff", "check_ebit_rate", "check_fidelity", "check_memory",
           "check_purification", "check_remote_fraction",
           "ebits_per_link", "judge", "program_two_qubit_gates"]

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
    ebits = ebits_per_link(sched, network)
    used = [link for link in network.links if ebits[link.key]]
    reasons = [check_ebit_rate(sched, link, ebits[link.key]) for link in used]
    reasons.append(check_remote_fraction(sched, network, remote_gates, two_qubit_gates))
    reasons += [check_buffering(sched, network, link, ebits[link.key]) for link in used]
    for link in used:
        if link.purification_rounds:
            reasons.append(check_purification(sched, link))
        if link.cutoff_s is not None:
            reasons.append(check_cutoff(sched, link))
    halves = halves_per_qpu(network, ebits)
    reasons += [check_memory(sched, qpu, halves[qpu.name]) for qpu in network.qpus]
    reasons.append(check_fidelity(sched))
    kept = tuple(r for r in reasons if r is not None)
    worst = max((_ORDER[r.status] for r in kept), default=0)
    return Verdict(_STATUS[worst], kept)


def ebits_per_link(sched: Schedule, network: Network) -> dict[str, int]:
    """Ebits each link generates in ``sched``, in network order.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from dqc.estimation.schedule import schedule
        >>> qc = QuantumCircuit(2); _ = qc.h(0)
        >>> net = Network.line(2, data_qubits=1)
        >>> ebits_per_link(schedule(qc, net, qubit_qpu=["qpu0", "qpu1"]), net)
        {'qpu0-qpu1': 0}
    """
    counts = sched.operations.ebits_per_link()
    return {link.key: counts.get(link.key, 0) for link in network.links}


def _capacity_hz(sched: Schedule, link: Link) -> float:
    """Ebits per second a link can deliver on all its channels (after purification)."""
    model = sched.link_models.get(link.key)
    if model is None or not model.delivered.rounds:
        return link.rate_hz * link.channels
    return model.delivered.rate_hz * link.channels


def check_purification(sched: Schedule, link: Link) -> Reason:
    """``purification``: the comm qubits the rounds hold, and whether they gain fidelity."""
    model = sched.link_models[link.key]
    d = model.delivered
    rounds = plural(d.rounds, "round")
    figures = {"rounds": d.rounds, "raw_fidelity": link.fidelity, "fidelity": d.fidelity,
               "raw_rate_hz": link.rate_hz, "rate_hz": d.rate_hz,
               "raw_pairs_per_pair": d.raw_pairs, "scratch_comm_qubits": d.scratch,
               "short": len(model.scratch_short)}
    head = (f"{d.scheme.upper()} {rounds}: fidelity {fmt_number(link.fidelity)} -> "
            f"{fmt_number(d.fidelity)}, rate {fmt_number(link.rate_hz)} -> "
            f"{fmt_number(d.rate_hz)}/s per channel ({fmt_number(d.raw_pairs)} raw pairs each; "
            f"success {', '.join(fmt_number(p) for p in d.success)})")
    if model.scratch_short:
        i, qpu, need, free = model.scratch_short[0]
        return Reason(
            "purification", link.key, "infeasible",
            f"{head}; the rounds hold {plural(need, 'more comm qubit')} at each end, but at "
            f"epr #{i} QPU {qpu} has {free} free (the circuit holds the others; "
            f"{plural(len(model.scratch_short), 'epr')} short): give the QPUs more comm "
            "qubits or purify less", figures)
    if d.fidelity <= link.fidelity:
        return Reason(
            "purification", link.key, "marginal",
            f"{head}: purification does not raise the fidelity here (waiting pairs "
            "decohere more than the rounds gain)", figures)
    return Reason("purification", link.key, "ok",
                  f"{head}; {plural(d.scratch, 'more comm qubit')} held at each end", figures)


def check_cutoff(sched: Schedule, link: Link) -> Reason:
    """``cutoff``: the waits that must fit in the link's storage cutoff."""
    model = sched.link_models[link.key]
    d = model.delivered
    cutoff = d.cutoff_s if d.cutoff_s is not None else math.inf
    figures = {"cutoff_s": cutoff, "wait_s": model.wait_s, "over_cutoff": model.over_cutoff,
               "regenerated": model.regenerated, "raw_pairs": model.raw_pairs}
    if d.cutoff_round:
        r = d.cutoff_round
        wait = d.waits_s[r - 1]
        figures.update(round=r, round_wait_s=wait)
        return Reason(
            "cutoff", link.key, "infeasible",
            f"purification round {r}: the first pair waits {fmt_number(wait)} s for its "
            f"partner and the round trip, longer than the cutoff {fmt_number(cutoff)} s: "
            "it is always discarded first", figures)
    if model.over_cutoff:
        return Reason(
            "cutoff", link.key, "infeasible",
            f"{plural(model.over_cutoff, 'ebit half', 'ebit halves')} must wait up to "
            f"{fmt_number(model.wait_s)} s before first use in any schedule, longer than the "
            f"cutoff {fmt_number(cutoff)} s: discarded before use, regenerating cannot help",
            figures)
    figures.update(held_back=model.held_back, delay_s=model.delay_s)
    if model.regenerated:
        return Reason(
            "cutoff", link.key, "marginal",
            f"{plural(model.regenerated, 'pair')} of this schedule wait longer than the cutoff "
            f"{fmt_number(cutoff)} s and are made again ({fmt_number(model.raw_pairs)} raw "
            "pairs in all; the makespan assumes the link has the time)", figures)
    if model.held_back:
        held = (f"{plural(model.held_back, 'pair')} started later than the link could make "
                f"{'it' if model.held_back == 1 else 'them'}, so that none waits longer than "
                f"the cutoff {fmt_number(cutoff)} s before use")
        if model.delay_s > 0:
            return Reason("cutoff", link.key, "marginal",
                          f"{held}: the cutoffs add {fmt_number(model.delay_s)} s to the "
                          "makespan", figures)
        return Reason("cutoff", link.key, "ok", f"{held}, without delaying the run", figures)
    return Reason(
        "cutoff", link.key, "ok",
        f"halves wait at most {fmt_number(model.wait_s)} s before use, within the cutoff "
        f"{fmt_number(cutoff)} s", figures)


def check_ebit_rate(sched: Schedule, link: Link, ebits: int) -> Reason | None:
    """``ebit_rate``: does ``link`` make its ``ebits`` as fast as the computation needs
    them? None for a link without ebits."""
    if not ebits:
        return None
    capacity = _capacity_hz(sched, link)
    required = ebits / sched.compute_s if sched.compute_s > 0 else math.inf
    ratio = required / capacity
    if ratio <= 1:
        status, text = "ok", "the link keeps up"
    else:
        status = "marginal"
        text = (f"the link sets the pace: {plural(ebits, 'ebit')} take at least "
                f"{fmt_number(sched.link_bounds_s[link.key])} s against "
                f"{fmt_number(sched.compute_s)} s of computation")
    return Reason(
        "ebit_rate", link.key, status,
        f"needs {fmt_number(required)} ebits/s ({plural(ebits, 'ebit')} in "
        f"{fmt_number(sched.compute_s)} s), link gives {fmt_number(capacity)}/s "
        f"(x{fmt_number(ratio)}): {text}",
        {"ebits": ebits, "required_hz": required, "capacity_hz": capacity, "ratio": ratio})


def check_remote_fraction(sched: Schedule, network: Network, remote_gates: int,
                          two_qubit_gates: int) -> Reason | None:
    """``remote_fraction``: remote two-qubit gates against what the technology of the
    QPUs in use tolerates. None without remote gates."""
    if not (two_qubit_gates > 0 and remote_gates > 0):
        return None
    fraction = remote_gates / two_qubit_gates
    busy = sched.operations.qpus()
    used = [q for q in network.qpus if q.name in busy]
    tech = min((q.profile for q in used or network.qpus), key=lambda t: t.remote_fraction)
    status = "ok" if fraction <= tech.remote_fraction else "marginal"
    text = ("communication dominates the run time" if status != "ok"
            else "within what the technology tolerates")
    return Reason(
        "remote_fraction", "", status,
        f"{remote_gates} of {plural(two_qubit_gates, 'two-qubit gate')} "
        f"{'is' if remote_gates == 1 else 'are'} remote "
        f"({fmt_number(100 * fraction)} %), {tech.name} tolerates about "
        f"{fmt_number(100 * tech.remote_fraction)} %: {text}",
        {"remote_gates": remote_gates, "two_qubit_gates": two_qubit_gates,
         "fraction": fraction, "tolerated": tech.remote_fraction})


def check_buffering(sched: Schedule, network: Network, link: Link,
                    ebits: int) -> Reason | None:
    """``buffering``: ebits to keep stored (Little's law) against the comm qubits at
    the ends of ``link``. None for a link without ebits."""
    if not ebits:
        return None
    hold = sched.link_hold_s[link.key]
    capacity = _capacity_hz(sched, link)
    drawn = min(capacity, ebits / sched.compute_s if sched.compute_s > 0 else capacity)
    needed = math.ceil(drawn * hold - 1e-12)
    ends = [network.qpu(link.a).comm_qubits, network.qpu(link.b).comm_qubits]
    have = min(ends)
    status = "ok" if needed <= have else "marginal"
    text = ("enough" if status == "ok"
            else "the link must idle while comm qubits are busy")
    return Reason(
        "buffering", link.key, status,
        f"keeping the link busy needs at least {plural(needed, 'stored ebit')} "
        f"({fmt_number(drawn)}/s x "
        f"{fmt_number(hold)} s forced hold), its QPUs have {ends[0]} and "
        f"{plural(ends[1], 'comm qubit')}: "
        f"{text}",
        {"needed": needed, "comm_qubits": have, "rate_hz": drawn, "hold_s": hold})


def check_memory(sched: Schedule, qpu: QPU, halves: int) -> Reason | None:
    """``memory``: mean forced hold of the ``halves`` ebit halves on ``qpu`` against its
    T2. None for a QPU that stores none."""
    mean, longest = sched.qpu_hold_s.get(qpu.name, (0.0, 0.0))
    if longest == 0 and mean == 0:
        return None
    t2 = qpu.profile.t2_s
    ratio = mean / t2
    n = halves
    status = ("infeasible" if ratio >= MEMORY_INFEASIBLE
              else "marginal" if ratio >= MEMORY_MARGINAL else "ok")
    return Reason(
        "memory", qpu.name, status,
        f"{plural(n, 'ebit half', 'ebit halves')} must be held at least {fmt_number(mean)} s "
        f"on average (max {fmt_number(longest)} s) against T2 = {fmt_number(t2)} s: "
        f"{fmt_number(ratio)} T2, a stored half escapes dephasing with probability "
        f"(1 + exp(-{fmt_number(ratio)})) / 2 = {fmt_number(math.exp(keep(ratio)))}"
        + (f" ({fmt_number(math.exp(n * keep(ratio)), n * keep(ratio) / math.log(10))} "
           f"for all {n})" if n > 1 else ""),
        {"halves": n, "mean_hold_s": mean, "max_hold_s": longest, "t2_s": t2,
         "ratio": ratio})


def check_fidelity(sched: Schedule) -> Reason:
    """``fidelity``: what distribution (link × memory × idle) leaves of the fidelity."""
    f = sched.fidelity
    distribution = f.link * f.memory * f.idle
    log10_dist = f.log10_total - (math.log10(f.gates) if f.gates > 0 else 0.0)
    status = ("infeasible" if distribution < FIDELITY_INFEASIBLE
              else "marginal" if distribution < FIDELITY_MARGINAL else "ok")
    return Reason(
        "fidelity", "", status,
        f"distribution keeps {fmt_number(distribution, log10_dist)} of the fidelity (links "
        f"{fmt_number(f.link)} x memory {fmt_number(f.memory, f.log10_memory)} x idle "
        f"{fmt_number(f.idle, f.log10_idle)}); with gates {fmt_number(f.gates)} the estimate "
        f"is {fmt_number(f.total, f.log10_total)}",
        {"distribution": distribution, "total": f.total, "link": f.link, "memory": f.memory,
         "idle": f.idle, "gates": f.gates})


def program_two_qubit_gates(ops: ScheduledOps, comm_qubits: Any, remote_gates: int) -> int:
    """Two-qubit gates of the program in a compiled circuit (``ops``: its scheduled
    operations): local ones plus remote ones.

    A local program gate acts on two data qubits; a remote one acts on a comm qubit
    (the copy of its carrier) and is counted by the distributor (``remote_gates``).
    Protocol operations (``epr``, cat-entangling ``cx`` onto comm qubits) are not counted.
    """
    comm = set(comm_qubits)
    local = sum(1 for name, qs in zip(ops.names, ops.qubits)
                if len(qs) == 2 and name not in ("epr", "barrier")
                and qs[0] not in comm and qs[1] not in comm)
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
                    two_qubit_gates=program_two_qubit_gates(sched.operations, comm_qubits,
                                                           remote_gates))
    return sched, verdict
