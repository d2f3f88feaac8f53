"""What would it take: the least value of one network parameter at which the verdict passes.

For a compiled circuit on a network, :func:`find_requirements` asks, for each parameter
of :data:`PARAMETERS` alone (the others held at the network's values), for the least
value at which every verdict check that depends on it (:data:`DEPENDS`) passes — all
``ok`` for ``feasible``, none ``infeasible`` for ``marginal``. The failing checks that do
not depend on the parameter (``remote_fraction`` depends on none of them) are listed
as what it cannot fix.

**One value or a common factor.** On a network whose links (QPUs) all share the
parameter's value, the answer is one value for all of them (set with
:func:`~dqc.estimation.sweep.sweep_network`). Where they differ, every link's rate,
every QPU's T2, or every link's *infidelity* 1 − F is scaled by one common factor,
and the answer is that factor (``scope`` ``"factor"``: × 2 means twice every link's
rate; 0.5 on fidelity halves every link's infidelity).

**How it is searched.** Link rate, link fidelity and T2 are searched on the compiled
circuit (no recompilation); comm qubits per QPU recompile at each count, so the
caller passes a function that compiles. The model is monotone in rate, fidelity and
T2 (README "The model": forced holds are longest paths, so the makespan never falls
and fidelity never rises as links slow; the memory ratio and factors fall as T2
grows; the link factor grows with F). One check is not monotone on its own:
``buffering`` draws ``min(link capacity, what the program needs)``, so while the link
is slower than the program needs, a faster link *raises* the ebits to store. It does
so only where ``ebit_rate`` fails on that link, and ``ebit_rate`` depends on the rate
too, so the predicate "every rate-dependent check passes" is still monotone and
bisection returns the least passing value (``buffering`` is not redefined). Rate and
T2 are bracketed by factors of 10 from the network's value (up to ×/÷ 1e9) and then
bisected on a log scale to a relative tolerance of :data:`RELATIVE_TOLERANCE`
(the value reported passes; the exact threshold lies within the tolerance below it);
fidelity is bisected in (0.5, 1] to :data:`FIDELITY_TOLERANCE`. Comm qubits are
scanned upward from 0 to ``max(8, 2 × the network's largest count)``, so the count
found is the least one even where recompiling makes the checks non-monotone.
A parameter for which even the end of its range fails is "not reachable by this
parameter alone"; one for which the start of its range passes is "any".

Examples:
    >>> from qiskit import QuantumCircuit
    >>> import dqc
    >>> from dqc.estimation.verdict import assess
    >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
    >>> net = dqc.Network.line(2, data_qubits=1)
    >>> r = dqc.compile(qc, net)
    >>> def fixed(n):
    ...     return assess(r.circuit, n, qubit_qpu=r.report.qubit_qpu,
    ...                   comm_qubits=r.report.comm_qubits, remote_gates=1)[1]
    >>> req = find_requirements(net, fixed, keys=("link.rate_hz",))
    >>> rate = req.parameters[0]
    >>> rate.feasible.status, round(rate.feasible.value), rate.marginal.status  # 1 / compute_s
    ('found', 1515, 'any')
    >>> rate.feasible.cannot_fix
    ('remote_fraction',)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dqc.errors import CapacityError
from dqc.estimation.formatting import fmt_number, rounded
from dqc.estimation.sweep import sweep_network
from dqc.estimation.verdict import Reason, Verdict
from dqc.network import Network

__all__ = ["DEPENDS", "DEPENDS_PURIFYING", "FIDELITY_TOLERANCE", "PARAMETERS",
           "RELATIVE_TOLERANCE", "Bound", "depends",
           "Requirement", "Requirements", "find_requirements", "render_requirements"]

#: The parameters searched, in report order.
PARAMETERS = ("link.rate_hz", "link.fidelity", "qpu.t2_s", "qpu.comm_qubits")
#: The verdict checks each parameter can change (``compile``: the circuit fits at all).
DEPENDS: dict[str, tuple[str, ...]] = {
    "link.rate_hz": ("ebit_rate", "buffering", "memory", "fidelity"),
    "link.fidelity": ("fidelity",),
    "qpu.t2_s": ("memory", "fidelity"),
    "qpu.comm_qubits": ("compile", "ebit_rate", "buffering", "memory", "fidelity"),
}
#: The checks each parameter also changes on a network whose links purify or have a
#: cutoff (:mod:`dqc.network.purification`): the delivered rate and the purification
#: waits depend on the raw rate, on the raw fidelity (through the success
#: probabilities) and on T2 (through the dephasing of waiting pairs); the free comm
#: qubits the rounds hold depend on the comm qubits.
DEPENDS_PURIFYING: dict[str, tuple[str, ...]] = {
    "link.rate_hz": ("purification", "cutoff"),
    "link.fidelity": ("ebit_rate", "buffering", "memory", "cutoff"),
    "qpu.t2_s": ("purification", "ebit_rate", "buffering", "cutoff"),
    "qpu.comm_qubits": ("purification", "cutoff"),
}


def depends(key: str, network: Network) -> tuple[str, ...]:
    """The checks parameter ``key`` can change on ``network``: :data:`DEPENDS`, and
    :data:`DEPENDS_PURIFYING` where a link purifies or has a cutoff.

    Examples:
        >>> net = Network.line(2, data_qubits=1)
        >>> depends("link.fidelity", net)
        ('fidelity',)
        >>> net = Network(net.qpus, (net.links[0].evolve(cutoff_s=0.1),))
        >>> depends("link.fidelity", net)
        ('fidelity', 'ebit_rate', 'buffering', 'memory', 'cutoff')
    """
    if any(link.purification_rounds or link.cutoff_s is not None for link in network.links):
        return DEPENDS[key] + DEPENDS_PURIFYING[key]
    return DEPENDS[key]


#: Relative tolerance of the rate and T2 bisections.
RELATIVE_TOLERANCE = 1e-3
#: Absolute tolerance of the link-fidelity bisection.
FIDELITY_TOLERANCE = 1e-5
#: Rate and T2 are searched between the network's value / and × this factor.
SEARCH_RANGE = 1e9
#: Statuses that pass at each level.
LEVELS = {"feasible": ("ok",), "marginal": ("ok", "marginal")}

#: A verdict of the circuit on a network (``None`` network: the network as given).
Evaluate = Callable[[Network], Verdict]


@dataclass(frozen=True)
class Bound:
    """The answer for one parameter at one level.

    Attributes:
        level: ``feasible`` or ``marginal``.
        status: ``found`` (``value`` is the least passing value), ``any`` (the
            start of the range passes: no requirement), ``unreachable`` (the end of
            the range fails: not reachable by this parameter alone).
        value: the least passing value (or factor); None unless ``found``.
        failing: when ``unreachable``, the dependent checks still failing at the end
            of the range (``check subject``).
        cannot_fix: failing checks at the network's values that do not depend on the
            parameter.
    """

    level: str
    status: str
    value: float | None
    failing: tuple[str, ...]
    cannot_fix: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """``status``, ``value`` (null unless found), ``failing``, ``cannot_fix``."""
        return {"status": self.status,
                "value": self.value if self.value is None or isinstance(self.value, int)
                else rounded(self.value),
                "failing": list(self.failing), "cannot_fix": list(self.cannot_fix)}


@dataclass(frozen=True)
class Requirement:
    """The least value of one parameter for ``feasible`` and for ``marginal``.

    Attributes:
        key: a :data:`PARAMETERS` entry.
        scope: ``value`` (one value for every link / QPU) or ``factor`` (a common
            factor on every link's rate, QPU's T2, or link's infidelity).
        current: the network's value (1 for a factor).
        checks: the checks the parameter can change (:data:`DEPENDS`).
        feasible: the :class:`Bound` for ``feasible``.
        marginal: the :class:`Bound` for ``marginal``.
    """

    key: str
    scope: str
    current: float
    checks: tuple[str, ...]
    feasible: Bound
    marginal: Bound

    def to_dict(self) -> dict[str, Any]:
        """The entry of this parameter under ``requirements``."""
        current = self.current if isinstance(self.current, int) else rounded(self.current)
        return {"scope": self.scope, "current": current,
                "checks": list(self.checks), "feasible": self.feasible.to_dict(),
                "marginal": self.marginal.to_dict()}


@dataclass(frozen=True)
class Requirements:
    """Every parameter's :class:`Requirement` (the ``requirements`` JSON section)."""

    parameters: tuple[Requirement, ...]

    def to_dict(self) -> dict[str, Any]:
        """``{"tolerance": ..., "<key>": {...}, ...}``."""
        d: dict[str, Any] = {"tolerance": {"relative": RELATIVE_TOLERANCE,
                                           "fidelity": FIDELITY_TOLERANCE}}
        d.update({r.key: r.to_dict() for r in self.parameters})
        return d

    def summary(self) -> str:
        """The terminal table (:func:`render_requirements`)."""
        return render_requirements(self)


def _label(r: Reason) -> str:
    return f"{r.check} {r.subject}".strip()


def _failing(verdict: Verdict, level: str, checks: Sequence[str] | None,
             depends: bool = True) -> tuple[str, ...]:
    """Checks of ``verdict`` that fail at ``level``, among (or outside) ``checks``."""
    return tuple(_label(r) for r in verdict.reasons
                 if r.status not in LEVELS[level]
                 and (checks is None or (r.check in checks) == depends))


def _homogeneous(network: Network, key: str) -> bool:
    """Whether every link (QPU) has the same value of ``key``."""
    values = _values(network, key)
    return len(set(values)) <= 1


def _values(network: Network, key: str) -> list[float]:
    if key == "link.rate_hz":
        return [link.rate_hz for link in network.links]
    if key == "link.fidelity":
        return [link.fidelity for link in network.links]
    if key == "qpu.t2_s":
        return [q.profile.t2_s for q in network.qpus]
    return [q.comm_qubits for q in network.qpus]


def _scaled(network: Network, key: str, factor: float) -> Network:
    """``network`` with every link's rate / infidelity or QPU's T2 times ``factor``."""
    if key == "qpu.t2_s":
        qpus = tuple(replace(q, technology=q.profile.evolve(t2_s=q.profile.t2_s * factor))
                     for q in network.qpus)
        return Network(qpus, network.links, network.name)
    if key == "link.rate_hz":
        links = tuple(link.evolve(rate_hz=link.rate_hz * factor) for link in network.links)
    else:
        links = tuple(link.evolve(fidelity=1 - (1 - link.fidelity) * factor)
                      for link in network.links)
    return Network(network.qpus, links, network.name)


class _Probe:
    """The verdict at search variable ``t`` (memoised): the value, or the reference
    element's value on a heterogeneous network (module docstring)."""

    def __init__(self, network: Network, key: str, evaluate: Evaluate) -> None:
        self.network, self.key, self.evaluate = network, key, evaluate
        self.homogeneous = key == "qpu.comm_qubits" or _homogeneous(network, key)
        values = _values(network, key)
        self.ref = (max(values) if key == "qpu.comm_qubits" else
                    min(values) if key == "link.fidelity" else values[0])
        self.cache: dict[float, Verdict] = {}
        self.checks = depends(key, network)

    def network_at(self, t: float) -> Network:
        if self.homogeneous:
            return sweep_network(self.network, self.key, t)
        return _scaled(self.network, self.key, self.reported(t))

    def reported(self, t: float) -> float:
        """What the answer says for ``t``: the value, or the common factor."""
        if self.homogeneous:
            return t
        if self.key == "link.fidelity":
            return (1 - t) / (1 - self.ref) if self.ref < 1 else 1.0
        return t / self.ref

    def verdict(self, t: float) -> Verdict:
        if t not in self.cache:
            try:
                self.cache[t] = self.evaluate(self.network_at(t))
            except CapacityError as exc:
                self.cache[t] = Verdict(
                    "infeasible", (Reason("compile", "", "infeasible", str(exc), {}),))
        return self.cache[t]

    def passes(self, t: float, level: str) -> bool:
        return not _failing(self.verdict(t), level, self.checks)


def _bisect(probe: _Probe, level: str, lo: float, hi: float, log: bool, tol: float) -> float:
    """The least passing ``t`` in (lo, hi], given ``lo`` fails and ``hi`` passes."""
    while (hi / lo - 1 if log else hi - lo) > tol:
        mid = math.sqrt(lo * hi) if log else (lo + hi) / 2
        if probe.passes(mid, level):
            hi = mid
        else:
            lo = mid
    return hi


def _search_continuous(probe: _Probe, level: str) -> tuple[str, float | None, float]:
    """(status, least passing t, the t at the end of the range) for rate, T2, fidelity."""
    if probe.key == "link.fidelity":
        floor, top = 0.5 + FIDELITY_TOLERANCE, 1.0
        if not probe.passes(top, level):
            return "unreachable", None, top
        if probe.passes(floor, level):
            return "any", None, top
        return "found", _bisect(probe, level, floor, top, False, FIDELITY_TOLERANCE), top
    start = probe.ref
    floor, top = start / SEARCH_RANGE, start * SEARCH_RANGE
    if probe.passes(start, level):
        hi = start
        while hi > floor and probe.passes(hi / 10, level):
            hi /= 10
        if hi <= floor:
            return "any", None, top
        lo = hi / 10
    else:
        lo = start
        while lo < top and not probe.passes(lo * 10, level):
            lo *= 10
        if lo >= top:
            return "unreachable", None, top
        hi = lo * 10
    return "found", _bisect(probe, level, lo, hi, True, RELATIVE_TOLERANCE), top


def _search_count(probe: _Probe, level: str) -> tuple[str, float | None, float]:
    """(status, least passing count, the last count tried) for comm qubits."""
    top = max(8, 2 * max(_values(probe.network, probe.key), default=0))
    for n in range(int(top) + 1):
        if probe.passes(n, level):
            return ("any" if n == 0 else "found"), (None if n == 0 else n), top
    return "unreachable", None, top


def _requirement(network: Network, key: str, evaluate: Evaluate, base: Verdict) -> Requirement:
    probe = _Probe(network, key, evaluate)
    bounds = {}
    for level in LEVELS:
        search = _search_count if key == "qpu.comm_qubits" else _search_continuous
        status, t, end = search(probe, level)
        failing = _failing(probe.verdict(end), level, probe.checks) if status == "unreachable" \
            else ()
        bounds[level] = Bound(level, status, None if t is None else probe.reported(t), failing,
                              _failing(base, level, probe.checks, depends=False))
    scope = "value" if probe.homogeneous else "factor"
    current = probe.ref if scope == "value" else 1.0
    return Requirement(key, scope, current, probe.checks, bounds["feasible"],
                       bounds["marginal"])


def find_requirements(network: Network, evaluate: Evaluate, *,
                      recompile: Evaluate | None = None,
                      keys: Sequence[str] = PARAMETERS) -> Requirements:
    """The least value of each parameter of ``keys`` at which its checks pass.

    Args:
        network: the network the circuit was compiled for.
        evaluate: the verdict of the compiled circuit on a network of the same shape
            (rate, fidelity and T2 are searched with it).
        recompile: the verdict after compiling afresh on a network (comm qubits are
            searched with it; it may raise :class:`~dqc.errors.CapacityError`, which
            counts as failing). Without it, ``qpu.comm_qubits`` is skipped.
        keys: the parameters to search (default :data:`PARAMETERS`).

    Returns:
        The :class:`Requirements`. Parameters without links to vary are skipped.

    Raises:
        ValueError: for a key not in :data:`PARAMETERS`.
    """
    base = evaluate(network)
    out = []
    for key in keys:
        if key not in DEPENDS:
            raise ValueError(f"unknown requirement {key!r}; known: {', '.join(PARAMETERS)}")
        if key.startswith("link.") and not network.links:
            continue
        if key == "qpu.comm_qubits":
            if recompile is None:
                continue
            out.append(_requirement(network, key, recompile, base))
        else:
            out.append(_requirement(network, key, evaluate, base))
    return Requirements(tuple(out))


def _cell(req: Requirement, bound: Bound) -> str:
    if bound.status == "any":
        return "any"
    if bound.status == "unreachable":
        return "not reachable"
    value = fmt_number(bound.value if bound.value is not None else math.nan)
    return f"x{value}" if req.scope == "factor" else value


def render_requirements(reqs: Requirements) -> str:
    """The terminal table: one line per parameter, then what each cannot fix.

    Examples:
        >>> b = Bound("feasible", "found", 250.0, (), ("remote_fraction",))
        >>> m = Bound("marginal", "any", None, (), ())
        >>> print(render_requirements(Requirements(
        ...     (Requirement("link.rate_hz", "value", 182.0, ("ebit_rate",), b, m),))))
        requirements (each parameter alone, the others at the network's values; ...
          parameter             now       feasible       marginal
          link.rate_hz          182            250            any
          link.rate_hz cannot fix for feasible: remote_fraction
    """
    lines = ["requirements (each parameter alone, the others at the network's values; "
             f"least passing value to {RELATIVE_TOLERANCE:g} relative, fidelity to "
             f"{FIDELITY_TOLERANCE:g}; xF: every link/QPU scaled by F, for fidelity its "
             "infidelity 1 - F):",
             f"  {'parameter':18s} {'now':>6s} {'feasible':>14s} {'marginal':>14s}"]
    notes = []
    for r in reqs.parameters:
        now = "x1" if r.scope == "factor" else fmt_number(r.current)
        lines.append(f"  {r.key:18s} {now:>6s} {_cell(r, r.feasible):>14s} "
                     f"{_cell(r, r.marginal):>14s}")
        for b in (r.feasible, r.marginal):
            if b.status == "unreachable":
                notes.append(f"  {r.key} not reachable by this parameter alone for "
                             f"{b.level}: still failing {', '.join(b.failing)}")
            if b.cannot_fix:
                notes.append(f"  {r.key} cannot fix for {b.level}: {', '.join(b.cannot_fix)}")
    return "\n".join(lines + notes)
