"""When each operation of a compiled circuit runs, and what that costs.

:func:`schedule` takes a distributed circuit (as :func:`dqc.compile` returns it: every
qubit on one QPU, ``epr`` the only operation that crosses QPUs) and the
:class:`~dqc.network.Network`, and places every operation in time:

* **As soon as possible**, in a fixed dependency graph. An operation waits for the
  previous operation on each of its qubits (so a comm qubit is busy from its ``epr``
  until it is measured and reset: the compiled circuit's comm-qubit reuse is the
  memory budget), and an ``if_test`` waits for the measurement of each bit it reads
  plus the classical latency from the measuring QPU to its own QPU
  (:meth:`~dqc.network.Network.classical_latency`). A bit is a value sent in a message,
  so reusing a classical bit creates no other ordering (no write-after-read waits).
* **Durations** come from each QPU's technology profile (:attr:`QPU.profile
  <dqc.network.QPU.profile>`): one-qubit gate, two-qubit gate, measurement, reset;
  a barrier takes no time; an ``if_test`` takes as long as its longest branch.
* **An ebit** (``epr``) takes 1 / ``rate_hz`` on its link (the expected time of
  heralded generation). A link makes at most ``channels`` ebits at once: the k-th
  ``epr`` of a link in program order starts after the (k − channels)-th has ended
  (round-robin channels, program order).
* **Lazy timing** (``epr_timing="lazy"``, the default): after the ASAP pass every
  operation that has a successor is moved, last first, as late as its successors
  allow. Bell pairs are then made just in time and stored as briefly as the schedule
  permits, and a data qubit is not touched long before the ebit it waits for; the
  last operations keep their times, so the makespan does not change. ``"eager"``
  keeps everything as early as possible (Bell pairs pre-generated as soon as comm
  qubits and the link are free, up to the memory budget).

With fixed dependencies and fixed link order, every start time is a longest path in a
graph whose edge weights are durations and latencies, so the makespan can only grow
when a link gets slower, a fibre longer, a latency or a gate duration larger.

Lower bounds reported next to the makespan: the **critical path** (the same graph
without link-capacity edges: as if every link had unlimited channels) and, per link,
``ceil(ebits / channels) / rate_hz``. ``lower_bound_s`` is the largest.

Fidelity (first-order, independent errors; each factor reported separately). Write
``chain(a → b)`` for the longest path, in the dependency graph above (link order
included), from a point of operation ``a`` to the end of operation ``b``: the least
time between the two in **any** valid schedule.

* ``link`` = Π over ebits of the link's Bell-pair fidelity;
* ``memory`` = exp(−Σ t_hold / T2) over every half of every ebit, with
  t_hold = chain(end of its ``epr`` → the measurement or reset that frees its comm
  qubit): the storage that the protocol itself forces (gates, measurements, classical
  messages, and ebits it waits for), T2 of the QPU holding it;
* ``idle`` = exp(−Σ t_idle / T2) over data qubits, with t_idle = chain(start of the
  qubit's first operation → end of its last) − the qubit's own busy time: the least
  time it holds program state without being operated on, including every wait for
  ebits and messages on its dependency chain. (For circuits so large that these
  searches would visit more than :data:`CHAIN_SEARCH_BUDGET` operations, the upper
  bound min(tail(first op), ASAP end of last op) is used instead, tail being the
  longest path from the start of the first operation to the end of the run; the
  choice depends only on the circuit, never on link or QPU figures.)
* ``gates`` = Π (1 − error) over gates and measurements (technology error rates;
  conditional corrections are counted as if always applied);
* ``total`` = the product.

**Monotone by construction.** Every t_hold and t_idle is a longest path between two
fixed operations of one graph whose edges do not depend on link or QPU figures and
whose weights (1 / rate of each ``epr``, classical latencies, durations) only grow when
a link gets slower, a fibre longer or a latency larger. So none of them can shrink,
and neither can the makespan: fidelity never rises and makespan never falls when a
link slows, a fibre grows or a latency grows (shorter T2 and worse Bell pairs only
lower the factors). Fidelity depends on the graph, not on where lazy or eager timing
put each pair. An earlier model took t_hold and t_idle from the lazy schedule; a pair
made later there could be stored for less time, so a slower link raised fidelity in
50 of 3,000 seeded random comparisons (none since).

Caveats:
    Expected times, not a distribution, unless ``samples`` > 0: then ebit generation
    times are drawn (geometric number of attempts for a physical link, exponential
    for a direct one, both with mean 1 / rate) and the makespan's mean and 95th
    percentile are reported. The fidelity model ignores error correlations, leakage
    and the benefit of dynamical decoupling; it is an estimate, not a simulation.
    ``memory`` and ``idle`` count the least storage each qubit's dependency chain
    forces, qubit by qubit: a schedule that must also keep a busy link on time (pairs
    made early and queued, reported as ``ebit_storage_s`` and ``ebit_wait_s``) stores
    some halves longer than that, so the two factors are an optimistic bound on
    decoherence (the lowest any schedule could reach for each qubit on its own).

Examples:
    >>> from qiskit import QuantumCircuit
    >>> import dqc
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
    >>> net = dqc.Network.line(2, data_qubits=1, rate_hz=100, latency_s=1e-3)
    >>> result = dqc.compile(qc, net)
    >>> s = schedule(result.circuit, net, qubit_qpu=result.report.qubit_qpu)
    >>> round(s.makespan_s, 4)   # 1/rate + 2 latencies + a few gates and measurements
    0.012
    >>> s.link_bounds_s, s.peak_comm_qubits
    ({'qpu0-qpu1': 0.01}, {'qpu0': 1, 'qpu1': 1})
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

import numpy as np
from qiskit.circuit import (
    ClassicalRegister,
    Clbit,
    ControlFlowOp,
    IfElseOp,
    Instruction,
    QuantumCircuit,
)
from qiskit.circuit.classical import expr
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from dqc.errors import CircuitInputError, DQCError
from dqc.network import Network
from dqc.network.physics import Technology, heralding_period_s

__all__ = [
    "EPR_TIMINGS",
    "Fidelity",
    "MonteCarlo",
    "Schedule",
    "ScheduledOp",
    "check_schedule",
    "fmt_time",
    "op_cost",
    "schedule",
]

#: How Bell pairs are placed in time (see the module docstring).
EPR_TIMINGS = ("lazy", "eager")
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "ps": 1e-12}


def _r(x: float) -> float:
    """A float rounded to 9 significant digits, for reports."""
    return float(f"{x:.9g}") if math.isfinite(x) else x


def fmt_time(seconds: float) -> str:
    """Seconds with a readable unit: ``fmt_time(0.00125) == '1.25 ms'``.

    Examples:
        >>> fmt_time(2.5), fmt_time(3e-5), fmt_time(5e-8), fmt_time(0)
        ('2.5 s', '30 us', '50 ns', '0 s')
    """
    if seconds == 0 or not math.isfinite(seconds):
        return f"{seconds:g} s"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if abs(seconds) >= scale or unit == "ns":
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:g} s"  # pragma: no cover


# ----------------------------------------------------------------- result types
@dataclass(frozen=True)
class ScheduledOp:
    """One operation of the circuit, placed in time.

    Attributes:
        index: position in ``circuit.data``.
        name: operation name (``epr``, ``cx``, ``measure``, ``if_else``, ...).
        qubits: indices of its qubits in the circuit.
        qpu: the QPU it runs on; for an ``epr``, the QPU of its first qubit.
        link: for an ``epr``, the key of its link; ``""`` otherwise.
        start_s: start time, seconds from the start of the program.
        end_s: end time.
    """

    index: int
    name: str
    qubits: tuple[int, ...]
    qpu: str
    link: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Fidelity:
    """Estimated output fidelity and its factors (model in :mod:`dqc.estimation.schedule`).

    Attributes:
        total: product of the four factors.
        link: product of the Bell-pair fidelities of all ebits.
        memory: decoherence of stored ebit halves, exp(−Σ t_hold / T2).
        idle: decoherence of waiting data qubits, exp(−Σ t_idle / T2).
        gates: product of (1 − error) over gates and measurements.
        log10_total: log10 of ``total``, exact even where ``total`` underflows to 0.
        memory_t2: Σ t_hold / T2 over ebit halves (``memory`` = exp(−memory_t2)).
        idle_t2: Σ t_idle / T2 over data qubits (``idle`` = exp(−idle_t2)).
    """

    total: float
    link: float
    memory: float
    idle: float
    gates: float
    log10_total: float
    memory_t2: float = 0.0
    idle_t2: float = 0.0

    @classmethod
    def from_logs(cls, link: float, memory: float, idle: float, gates: float) -> Fidelity:
        """Build from natural logs of the four factors.

        Examples:
            >>> Fidelity.from_logs(0.0, -1.0, 0.0, 0.0).memory == math.exp(-1)
            True
        """
        log_total = link + memory + idle + gates
        return cls(total=math.exp(log_total), link=math.exp(link), memory=math.exp(memory),
                   idle=math.exp(idle), gates=math.exp(gates),
                   log10_total=log_total / math.log(10), memory_t2=-memory, idle_t2=-idle)

    def to_dict(self) -> dict[str, Any]:
        """Factors as a plain dict."""
        return {"total": _r(self.total), "link": _r(self.link), "memory": _r(self.memory),
                "idle": _r(self.idle), "gates": _r(self.gates),
                "log10_total": _r(self.log10_total), "memory_t2": _r(self.memory_t2),
                "idle_t2": _r(self.idle_t2)}


@dataclass(frozen=True)
class MonteCarlo:
    """Makespan over ``samples`` random draws of ebit generation times.

    Attributes:
        samples: number of draws.
        seed: seed of the random generator.
        mean_s: mean makespan.
        p95_s: 95th percentile of the makespan.
        std_s: standard deviation.
        min_s: shortest makespan drawn.
        max_s: longest makespan drawn.
    """

    samples: int
    seed: int
    mean_s: float
    p95_s: float
    std_s: float
    min_s: float
    max_s: float

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for reports."""
        return {"samples": self.samples, "seed": self.seed, "mean_s": _r(self.mean_s),
                "p95_s": _r(self.p95_s), "std_s": _r(self.std_s), "min_s": _r(self.min_s),
                "max_s": _r(self.max_s)}


@dataclass(frozen=True)
class Schedule:
    """A placed circuit: operation times, bounds, link and memory use, fidelity.

    Attributes:
        operations: every operation of the circuit with its start and end.
        makespan_s: end of the last operation.
        critical_path_s: lower bound: longest dependency chain (durations and
            classical latencies) with unlimited link channels.
        link_bounds_s: lower bound per link, ``ceil(ebits / channels) / rate_hz``.
        compute_s: the critical path if ebits were free (instant) and comm qubits
            unlimited: the time the computation itself needs, latencies included.
        critical_path: indices (in ``circuit.data``) of the operations on the chain that
            ends last, in time order.
        link_busy: per link, time spent generating ebits / (makespan × channels).
        peak_comm_qubits: per QPU, most comm qubits reserved at once (from the start
            of an ``epr`` to the measurement of the qubit).
        mean_comm_qubits: per QPU, time-averaged number of reserved comm qubits.
        ebit_storage_s: ``(mean, max)`` time an ebit half is held (arrival to measurement).
        ebit_wait_s: ``(mean, max)`` time an ebit half waits before its first use.
        link_hold_s: per link, mean forced hold t_hold (module docstring: the least
            storage any valid schedule gives) of its ebit halves.
        qpu_hold_s: per QPU, ``(mean, max)`` forced hold t_hold of the ebit halves
            stored there; Σ over QPUs of halves × mean / T2 is ``fidelity.memory_t2``.
        fidelity: the estimate and its factors.
        technology: per QPU, the technology profile used (``" (default)"`` when the QPU
            names none).
        epr_timing: ``"lazy"`` or ``"eager"``.
        monte_carlo: makespan statistics when samples were drawn, else None.
        critical_path_split: time on the critical path spent on ebits (``epr_s``), local
            operations (``gates_s``) and classical messages (``classical_s``).
    """

    operations: tuple[ScheduledOp, ...]
    makespan_s: float
    critical_path_s: float
    link_bounds_s: dict[str, float]
    compute_s: float
    critical_path: tuple[int, ...]
    link_busy: dict[str, float]
    peak_comm_qubits: dict[str, int]
    mean_comm_qubits: dict[str, float]
    ebit_storage_s: tuple[float, float]
    ebit_wait_s: tuple[float, float]
    link_hold_s: dict[str, float]
    qpu_hold_s: dict[str, tuple[float, float]]
    fidelity: Fidelity
    technology: dict[str, str]
    epr_timing: str = "lazy"
    monte_carlo: MonteCarlo | None = None
    critical_path_split: dict[str, float] = field(default_factory=dict)

    @property
    def lower_bounds(self) -> dict[str, float]:
        """Every lower bound by name: ``"critical path"`` and ``"link a-b"``."""
        out = {"critical path": self.critical_path_s}
        out.update({f"link {k}": v for k, v in self.link_bounds_s.items()})
        return out

    @property
    def lower_bound_s(self) -> float:
        """The largest lower bound."""
        return max(self.lower_bounds.values())

    @property
    def binding_bound(self) -> str:
        """Name of the largest lower bound (first one on ties)."""
        bounds = self.lower_bounds
        return max(bounds, key=bounds.__getitem__)

    def to_dict(self) -> dict[str, Any]:
        """The ``schedule`` section of the JSON report (operations not included)."""
        ratio = self.makespan_s / self.lower_bound_s if self.lower_bound_s > 0 else 1.0
        d: dict[str, Any] = {
            "status": "computed",
            "model": (f"deterministic expected times, as soon as possible then {self.epr_timing}, "
                      "round-robin link channels"),
            "makespan_s": _r(self.makespan_s),
            "lower_bound_s": _r(self.lower_bound_s),
            "bound": self.binding_bound,
            "makespan_over_bound": _r(ratio),
            "lower_bounds": {
                "critical_path_s": _r(self.critical_path_s),
                "links_s": {k: _r(v) for k, v in self.link_bounds_s.items()},
            },
            "compute_s": _r(self.compute_s),
            "critical_path": {"operations": len(self.critical_path),
                              **{k: _r(v) for k, v in self.critical_path_split.items()}},
            "link_busy": {k: _r(v) for k, v in self.link_busy.items()},
            "peak_comm_qubits": dict(self.peak_comm_qubits),
            "mean_comm_qubits": {k: _r(v) for k, v in self.mean_comm_qubits.items()},
            "ebit_storage_s": {"mean": _r(self.ebit_storage_s[0]),
                               "max": _r(self.ebit_storage_s[1])},
            "ebit_wait_s": {"mean": _r(self.ebit_wait_s[0]), "max": _r(self.ebit_wait_s[1])},
            "fidelity": self.fidelity.to_dict(),
            "technology": dict(self.technology),
        }
        if self.monte_carlo is not None:
            d["monte_carlo"] = self.monte_carlo.to_dict()
        return d


# ------------------------------------------------------------------ durations
def op_cost(op: Instruction, tech: Technology) -> tuple[float, float]:
    """Duration (s) and log-fidelity (Σ log(1 − error)) of a local operation.

    Examples:
        >>> from qiskit.circuit.library import CXGate, Measure
        >>> from dqc.network.physics import technology
        >>> op_cost(CXGate(), technology("trapped_ion"))[0], op_cost(Measure(), technology("nv"))[0]
        (0.0001, 2e-05)
    """
    name = op.name
    costs = _costs(tech)
    if name in costs:
        return costs[name]
    if name == "delay":
        unit = getattr(op, "unit", "dt")
        if unit not in _TIME_UNITS:
            raise CircuitInputError(
                f"delay in unit {unit!r} has no duration in seconds; use s, ms, us or ns")
        return float(op.duration) * _TIME_UNITS[unit], 0.0
    if isinstance(op, IfElseOp):
        blocks = [_block_cost(block, tech) for block in op.blocks]
        return max(c[0] for c in blocks), min(c[1] for c in blocks)
    if isinstance(op, ControlFlowOp):
        raise CircuitInputError(
            f"cannot schedule control flow '{name}'; only if_test (feed-forward) is supported")
    return costs[1 if op.num_qubits <= 1 else 2]


@lru_cache(maxsize=256)
def _costs(tech: Technology) -> dict[str | int, tuple[float, float]]:
    """The :func:`op_cost` that the name alone decides (``barrier``, ``measure``,
    ``reset``) and that of gates by width (keys 1 and 2), once per technology."""
    return {
        "barrier": (0.0, 0.0),
        "measure": (tech.measure_s, math.log1p(-tech.error_measure)),
        "reset": (tech.reset_s, 0.0),
        1: (tech.gate_1q_s, math.log1p(-tech.error_1q)),
        2: (tech.gate_2q_s, math.log1p(-tech.error_2q)),
    }


def _inst_cost(inst: Any, tech: Technology,
               costs: dict[str | int, tuple[float, float]] | None = None) -> tuple[float, float]:
    """:func:`op_cost` of a ``CircuitInstruction``, without building the operation when
    its name or its being a standard gate decides (``costs``: ``_costs(tech)``, if at hand)."""
    if costs is None:
        costs = _costs(tech)
    if inst.is_standard_gate():
        return costs[1 if len(inst.qubits) <= 1 else 2]
    name = inst.name
    if name in costs:
        return costs[name]
    return op_cost(inst.operation, tech)


def _block_cost(block: QuantumCircuit, tech: Technology) -> tuple[float, float]:
    duration, logf = 0.0, 0.0
    for inst in block.data:
        d, f = _inst_cost(inst, tech)
        duration += d
        logf += f
    return duration, logf


def _condition_bits(op: Instruction) -> list[Clbit]:
    cond = getattr(op, "condition", None)
    if cond is None:
        return []
    if isinstance(cond, tuple):
        target = cond[0]
        return [target] if isinstance(target, Clbit) else list(target)
    bits: list[Clbit] = []
    for var in expr.iter_vars(cond):
        if isinstance(var.var, Clbit):
            bits.append(var.var)
        elif isinstance(var.var, ClassicalRegister):
            bits.extend(var.var)
        else:
            raise CircuitInputError("cannot schedule a condition on a classical variable")
    return bits


# ------------------------------------------------------------------- program
@dataclass
class _Program:
    """The circuit as arrays: durations, dependencies, link order."""

    names: list[str]
    qubits: list[tuple[int, ...]]
    qpu: list[int]
    link: list[int]                       # link index for epr, -1 otherwise
    duration: list[float]
    logf: list[float]
    deps: list[list[tuple[int, float]]]   # (predecessor, lag)
    resource: list[int]                   # link-capacity predecessor, -1 if none
    eprs_by_link: list[list[int]]
    memory: list[frozenset[int]] = field(default_factory=list)  # an epr's comm-qubit predecessors


_NONE: frozenset[int] = frozenset()  # the memory predecessors of every op but an epr


def _program(circuit: QuantumCircuit, network: Network, qubit_qpu: Sequence[str]) -> _Program:
    if len(qubit_qpu) != circuit.num_qubits:
        raise DQCError(
            f"qubit_qpu names {len(qubit_qpu)} QPUs but the circuit has "
            f"{circuit.num_qubits} qubits")
    qpu_of = [network.index(name) for name in qubit_qpu]
    names_of = network.qpu_names
    techs = [q.profile for q in network.qpus]
    link_index = {link.key: i for i, link in enumerate(network.links)}
    latency = [[network.classical_latency(a, b) for b in names_of] for a in names_of]
    prog = _Program([], [], [], [], [], [], [], [], [[] for _ in network.links])
    last_on_qubit: dict[int, int] = {}
    writer: dict[Clbit, int] = {}
    index_of = {q: k for k, q in enumerate(circuit.qubits)}
    costs = [_costs(tech) for tech in techs]
    # control flow by (id, QPU), the operation kept alive: its cost and the bits it reads,
    # once per operation (DistributeGates shares one if_test among the corrections of a bit)
    control: dict[tuple[int, int], tuple[Instruction, float, float, list[Clbit]]] = {}
    for i, inst in enumerate(circuit.data):
        name = inst.name
        qs = tuple([index_of[q] for q in inst.qubits])
        where = [qpu_of[qs[0]]] if len(qs) == 1 else sorted({qpu_of[q] for q in qs}) or [0]
        link = -1
        if name == "epr":
            if len(where) != 2:
                raise DQCError(
                    f"epr #{i} acts on qubits {list(qs)} of one QPU "
                    f"'{names_of[where[0]]}'; an epr joins two linked QPUs")
            a, b = names_of[qpu_of[qs[0]]], names_of[qpu_of[qs[1]]]
            found = network.link(a, b)
            if found is None:
                raise DQCError(f"epr #{i} joins QPUs '{a}' and '{b}', which share no link")
            link = link_index[found.key]
            duration, logf = 1.0 / found.rate_hz, 0.0
            here = qpu_of[qs[0]]
            reads: list[Clbit] = []
        else:
            if len(where) > 1:
                raise DQCError(
                    f"operation '{name}' #{i} acts on qubits of QPUs "
                    f"{', '.join(names_of[k] for k in where)}; only epr may cross QPUs")
            here = where[0]
            if inst.is_control_flow():
                # a control-flow operation may be rebuilt on every access: read it once
                op = inst.operation
                known = control.get((id(op), here))
                if known is None:  # (kept alive, so its id names no other operation)
                    known = (op, *op_cost(op, techs[here]), _condition_bits(op))
                    control[id(op), here] = known
                _, duration, logf, reads = known
            else:
                duration, logf = _inst_cost(inst, techs[here], costs[here])
                reads = []
        deps: dict[int, float] = {}  # predecessor -> largest lag
        for q in qs:
            if q in last_on_qubit:
                deps[last_on_qubit[q]] = 0.0
            last_on_qubit[q] = i
        memory = frozenset(deps) if link >= 0 else _NONE
        for c in reads:
            if c in writer:
                w = writer[c]
                lag = latency[prog.qpu[w]][here]
                if lag >= deps.get(w, -1.0):
                    deps[w] = lag
        for c in inst.clbits:
            if c not in reads:
                writer[c] = i
        resource = -1
        if link >= 0:
            chain = prog.eprs_by_link[link]
            channels = network.links[link].channels
            if len(chain) >= channels:
                resource = chain[-channels]
            chain.append(i)
        prog.names.append(name)
        prog.qubits.append(qs)
        prog.qpu.append(here)
        prog.link.append(link)
        prog.duration.append(duration)
        prog.logf.append(logf)
        prog.deps.append(sorted(deps.items()))
        prog.resource.append(resource)
        prog.memory.append(memory)
    return prog


def _asap(prog: _Program, durations: Sequence[float], *, links: bool,
          memory: bool = True) -> tuple[list, list, list]:
    """Start, end and deciding predecessor of every op (longest paths in program order).

    ``links=False`` drops link-capacity edges; ``memory=False`` also lets every ``epr``
    ignore the earlier use of its comm qubits (as if comm qubits were unlimited).
    """
    n = len(durations)
    start = [0.0] * n
    end = [0.0] * n
    pred = [-1] * n
    deps, resource = prog.deps, prog.resource
    skips = prog.memory if not memory else [()] * n
    for i in range(n):
        s, p = 0.0, -1
        skip = skips[i]
        for j, lag in deps[i]:
            if j in skip:
                continue
            t = end[j] + lag
            if t > s:
                s, p = t, j
        r = resource[i]
        if links and r >= 0 and end[r] > s:
            s, p = end[r], r
        start[i], end[i], pred[i] = s, s + durations[i], p
    return start, end, pred


def _asap_samples(prog: _Program, durations: np.ndarray) -> np.ndarray:
    """Makespan of every sample: ``durations`` has shape (ops, samples)."""
    n, samples = durations.shape
    end = np.zeros_like(durations)
    for i in range(n):
        s = np.zeros(samples)
        for j, lag in prog.deps[i]:
            np.maximum(s, end[j] + lag, out=s)
        r = prog.resource[i]
        if r >= 0:
            np.maximum(s, end[r], out=s)
        end[i] = s + durations[i]
    return end.max(axis=0) if n else np.zeros(samples)


def _successors(prog: _Program) -> list[list[tuple[int, float]]]:
    """Successors of every operation with their lags (dependencies and link order).

    Each list is in program order (successors are appended as the program is read).
    """
    succ: list[list[tuple[int, float]]] = [[] for _ in prog.names]
    for i, deps in enumerate(prog.deps):
        for j, lag in deps:
            succ[j].append((i, lag))
        if prog.resource[i] >= 0:
            succ[prog.resource[i]].append((i, 0.0))
    return succ


#: Most operations the exact chain searches of data qubits may visit in one schedule
#: (about a second); beyond it, data qubits use the upper bound of the module docstring.
CHAIN_SEARCH_BUDGET = 2_000_000


def _chain(prog: _Program, succ: list[list[tuple[int, float]]], source: int, target: int,
           *, from_end: bool) -> tuple[float, int]:
    """Longest dependency path from ``source`` to the end of ``target``, and ops visited.

    The path starts at the end of ``source`` (``from_end``) or at its start; its
    length is the least time between those two points in any valid schedule.
    Edges only go forward in program order, so the search stops at ``target``.
    """
    dist, visited = _longest_paths(prog, succ, source, target, from_end=from_end)
    return dist.get(target, 0.0), visited


def _longest_paths(prog: _Program, succ: list[list[tuple[int, float]]], source: int,
                   last: int, *, from_end: bool) -> tuple[dict[int, float], int]:
    """Longest paths from ``source`` to the end of every op up to ``last`` it reaches.

    Ops are taken in program order (a topological order), so each op's length is
    final when it is taken; the search stops at ``last``. Returns the lengths and the
    number of ops taken. Successor lists are in program order (:func:`_successors`).
    """
    duration = prog.duration
    dist = {source: 0.0 if from_end else duration[source]}
    heap = [source]
    pop, push = heapq.heappop, heapq.heappush
    visited = 0
    while heap:
        i = pop(heap)
        visited += 1
        if i == last:
            break
        here = dist[i]
        for k, lag in succ[i]:
            if k > last:
                break  # sorted: the rest are later still
            t = here + lag + duration[k]
            known = dist.get(k)
            if known is None:
                dist[k] = t
                push(heap, k)
            elif t > known:
                dist[k] = t
    return dist, visited


def _after_eprs(prog: _Program, ops_on: dict[int, list[int]]
                ) -> dict[tuple[int, int], tuple[int | None, int | None, int | None]]:
    """For each ``epr`` i and each of its qubits q: what follows it on q.

    ``(first, release, frees)``: the next operation on q (None if none), the next
    ``measure`` or ``reset`` of q (None if none), and the operation that frees the
    half: that release, else q's last operation if some operation follows the
    ``epr``, else None. One backward scan per qubit.
    """
    out: dict[tuple[int, int], tuple[int | None, int | None, int | None]] = {}
    for q, ops in ops_on.items():
        release: int | None = None
        for k in range(len(ops) - 1, -1, -1):
            i = ops[k]
            name = prog.names[i]
            if name == "epr":
                first = ops[k + 1] if k + 1 < len(ops) else None
                frees = release if release is not None else (
                    ops[-1] if first is not None else None)
                out[(i, q)] = (first, release, frees)
            elif name in ("measure", "reset"):
                release = i
    return out


def _searches_exceed_budget(succ: list[list[tuple[int, float]]],
                            spans: list[tuple[int, int]]) -> bool:
    """Whether the searches :func:`_chain` ``(first, last)`` for ``spans`` would visit
    more than :data:`CHAIN_SEARCH_BUDGET` operations in all.

    A search visits exactly the operations reachable from ``first`` up to ``last``
    (edges only go forward in program order); those are counted by a breadth-first
    search in SciPy, far faster than the searches, and only when the budget could be
    exceeded at all (every search visits at most all operations).
    """
    n = len(succ)
    if n * len(spans) <= CHAIN_SEARCH_BUDGET:
        return False
    sources = np.repeat(np.arange(n), [len(s) for s in succ])
    targets = np.fromiter((k for s in succ for k, _ in s), dtype=np.int64, count=len(sources))
    graph = csr_matrix((np.ones(len(sources), dtype=np.int32), (sources, targets)),
                       shape=(n, n))
    visits = 0
    for first, last in spans:
        reached = breadth_first_order(graph, first, directed=True, return_predecessors=False)
        visits += int(np.count_nonzero(reached <= last))
        if visits > CHAIN_SEARCH_BUDGET:
            return True
    return False


def _tails(prog: _Program, succ: list[list[tuple[int, float]]]) -> list[float]:
    """Longest path from the start of each operation to the end of the run."""
    tail = [0.0] * len(prog.names)
    for i in range(len(tail) - 1, -1, -1):
        tail[i] = prog.duration[i] + max((lag + tail[k] for k, lag in succ[i]), default=0.0)
    return tail


def _lazy(prog: _Program, succ: list[list[tuple[int, float]]], start: list[float],
          end: list[float]) -> None:
    """Move every operation that has successors as late as they allow (in place).

    Processed in reverse program order, so each successor already has its final
    start; operations without successors (the last ones) keep their ASAP times, so
    the makespan does not change. ``succ`` is :func:`_successors` of ``prog``.
    """
    for i in range(len(start) - 1, -1, -1):
        if not succ[i]:
            continue
        latest = min(start[k] - lag for k, lag in succ[i])
        if latest > end[i]:
            end[i] = latest
            start[i] = latest - prog.duration[i]


# ------------------------------------------------------------------- schedule
def schedule(circuit: QuantumCircuit, network: Network, *, qubit_qpu: Sequence[str],
             comm_qubits: Iterable[int] | None = None, epr_timing: str = "lazy",
             samples: int = 0, seed: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Schedule:
    """Place every operation of a compiled circuit in time (the model: this module's docstring).

    Args:
        circuit: a distributed circuit (``epr`` the only operation across QPUs).
        network: the network it runs on.
        qubit_qpu: the QPU name of every qubit (``report.qubit_qpu``).
        comm_qubits: indices of the comm qubits (``report.comm_qubits``); default: the
            qubits some ``epr`` acts on.
        epr_timing: ``"lazy"`` (Bell pairs just in time) or ``"eager"`` (as soon as possible).
        samples: if positive, also draw this many random ebit generation times and
            report the makespan's mean and 95th percentile.
        seed: seed of those draws (None means 0).
        progress: called with (samples drawn, samples) after each batch of 512 draws.

    Returns:
        The :class:`Schedule`.

    Raises:
        DQCError: if ``qubit_qpu`` does not fit the circuit, an operation other than
            ``epr`` crosses QPUs, or an ``epr`` joins unlinked QPUs.
        CircuitInputError: for control flow other than ``if_test``.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from dqc.network import Network
        >>> net = Network.line(1, data_qubits=2, technology="trapped_ion")
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
        >>> s = schedule(qc, net, qubit_qpu=["qpu0", "qpu0"])
        >>> s.makespan_s, s.fidelity.gates == (1 - 3e-5) * (1 - 1.8e-3)
        (0.00011, True)
    """
    if epr_timing not in EPR_TIMINGS:
        raise DQCError(f"epr_timing={epr_timing!r}; it must be one of {', '.join(EPR_TIMINGS)}")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
        raise DQCError(f"samples={samples!r}; it must be a non-negative integer")
    prog = _program(circuit, network, qubit_qpu)
    n = len(prog.names)
    start, end, pred = _asap(prog, prog.duration, links=True)
    makespan = max(end, default=0.0)
    _, cp_end, _ = _asap(prog, prog.duration, links=False)
    free = [0.0 if prog.link[i] >= 0 else d for i, d in enumerate(prog.duration)]
    _, compute_end, _ = _asap(prog, free, links=False, memory=False)
    # the chain that ends last, before moving Bell pairs
    path: list[int] = []
    i = max(range(n), key=end.__getitem__) if n else -1
    while i >= 0:
        path.append(i)
        i = pred[i]
    path.reverse()
    split = {"epr_s": 0.0, "gates_s": 0.0, "classical_s": 0.0}
    for k, i in enumerate(path):
        split["epr_s" if prog.link[i] >= 0 else "gates_s"] += prog.duration[i]
        if k:
            split["classical_s"] += start[i] - end[path[k - 1]]
    asap_end = list(end)
    succ = _successors(prog)
    if epr_timing == "lazy":
        _lazy(prog, succ, start, end)

    names = network.qpu_names
    comm = set(comm_qubits) if comm_qubits is not None else {
        q for i in range(n) if prog.link[i] >= 0 for q in prog.qubits[i]}
    qpu_of = [network.index(name) for name in qubit_qpu]
    techs = [q.profile for q in network.qpus]

    link_bounds = {}
    link_busy = {}
    for li, link in enumerate(network.links):
        chain = prog.eprs_by_link[li]
        link_bounds[link.key] = math.ceil(len(chain) / link.channels) / link.rate_hz
        busy = sum(prog.duration[i] for i in chain)
        link_busy[link.key] = busy / (makespan * link.channels) if makespan > 0 else 0.0

    # ebit halves: reservation, hold and first-use times
    ops_on: dict[int, list[int]] = {}
    for i, qs in enumerate(prog.qubits):
        for q in qs:
            ops_on.setdefault(q, []).append(i)
    reserved: list[list[tuple[float, float]]] = [[] for _ in names]
    holds: list[float] = []
    waits: list[float] = []
    per_link: dict[str, list[float]] = {link.key: [] for link in network.links}
    per_qpu: list[list[float]] = [[] for _ in names]
    after = _after_eprs(prog, ops_on)
    memory_exposure = 0.0
    for i in range(n):
        if prog.link[i] < 0:
            continue
        halves = [after[(i, q)] for q in prog.qubits[i]]
        # one search serves both halves: the hold of each is its chain to what frees it
        freed = [f for _, _, f in halves if f is not None]
        least = _longest_paths(prog, succ, i, max(freed), from_end=True)[0] if freed else {}
        for q, (first, release, frees) in zip(prog.qubits[i], halves):
            released = end[release] if release is not None else makespan
            first_use = start[first] if first is not None else end[i]
            holds.append(max(0.0, released - end[i]))
            waits.append(max(0.0, first_use - end[i]))
            reserved[qpu_of[q]].append((start[i], released))
            hold = least.get(frees, 0.0) if frees is not None else 0.0
            memory_exposure += hold / techs[qpu_of[q]].t2_s
            per_link[network.links[prog.link[i]].key].append(hold)
            per_qpu[qpu_of[q]].append(hold)
    peak, mean_use = {}, {}
    for k, name in enumerate(names):
        events = sorted([(s, 1) for s, _ in reserved[k]] + [(e, -1) for _, e in reserved[k]])
        level = top = 0
        for _, step in events:
            level += step
            top = max(top, level)
        peak[name] = top
        total = sum(e - s for s, e in reserved[k])
        mean_use[name] = total / makespan if makespan > 0 else 0.0

    data = [(q, ops) for q, ops in sorted(ops_on.items()) if q not in comm]
    if _searches_exceed_budget(succ, [(ops[0], ops[-1]) for _, ops in data]):
        # too large to search: a cheaper upper bound
        tail = _tails(prog, succ)
        lifetimes = [min(tail[ops[0]], asap_end[ops[-1]]) for _, ops in data]
    else:
        lifetimes = [_chain(prog, succ, ops[0], ops[-1], from_end=False)[0] for _, ops in data]
    idle_exposure = 0.0
    for (q, ops), life in zip(data, lifetimes):
        busy = sum(prog.duration[i] for i in ops)
        idle_exposure += max(0.0, life - busy) / techs[qpu_of[q]].t2_s
    log_link = sum(math.log(network.links[prog.link[i]].fidelity)
                   for i in range(n) if prog.link[i] >= 0)
    log_gates = sum(prog.logf)
    fidelity = Fidelity.from_logs(log_link, -memory_exposure, -idle_exposure, log_gates)

    monte_carlo = None
    if samples:
        monte_carlo = _monte_carlo(prog, network, samples, 0 if seed is None else int(seed),
                                   progress)

    def stats(values: list[float]) -> tuple[float, float]:
        return (sum(values) / len(values), max(values)) if values else (0.0, 0.0)

    operations = tuple(
        ScheduledOp(i, prog.names[i], prog.qubits[i], names[prog.qpu[i]],
                    network.links[prog.link[i]].key if prog.link[i] >= 0 else "",
                    start[i], end[i])
        for i in range(n)
    )
    return Schedule(
        operations=operations,
        makespan_s=makespan,
        critical_path_s=max(cp_end, default=0.0),
        link_bounds_s=link_bounds,
        compute_s=max(compute_end, default=0.0),
        critical_path=tuple(path),
        link_busy=link_busy,
        peak_comm_qubits=peak,
        mean_comm_qubits=mean_use,
        ebit_storage_s=stats(holds),
        ebit_wait_s=stats(waits),
        link_hold_s={k: stats(v)[0] for k, v in per_link.items()},
        qpu_hold_s={names[k]: stats(v) for k, v in enumerate(per_qpu)},
        fidelity=fidelity,
        technology={q.name: q.profile.name + (" (default)" if q.technology is None else "")
                    for q in network.qpus},
        epr_timing=epr_timing,
        monte_carlo=monte_carlo,
        critical_path_split=split,
    )


def _monte_carlo(prog: _Program, network: Network, samples: int, seed: int,
                 progress: Callable[[int, int], None] | None = None) -> MonteCarlo:
    """Draw ebit generation times (mean 1 / rate each) and schedule every draw."""
    rng = np.random.default_rng(seed)
    makespans = []
    batch = 512
    for first in range(0, samples, batch):
        size = min(batch, samples - first)
        durations = np.repeat(np.asarray(prog.duration, dtype=float)[:, None], size, axis=1)
        for i, li in enumerate(prog.link):
            if li < 0:
                continue
            link = network.links[li]
            if link.physical:
                # attempts repeat every `period`; each succeeds with p = rate × period
                period = max(1.0 / cast(float, link.attempt_rate_hz),
                             heralding_period_s(cast(float, link.length_km), link.heralding))
                p = min(1.0, link.rate_hz * period)
                durations[i] = rng.geometric(p, size) * period
            else:
                durations[i] = rng.exponential(1.0 / link.rate_hz, size)
        makespans.append(_asap_samples(prog, durations))
        if progress is not None:
            progress(first + size, samples)
    values = np.concatenate(makespans)
    return MonteCarlo(
        samples=samples, seed=seed, mean_s=float(values.mean()),
        p95_s=float(np.percentile(values, 95)), std_s=float(values.std()),
        min_s=float(values.min()), max_s=float(values.max()))


# ------------------------------------------------------------------ validator
def check_schedule(sched: Schedule, circuit: QuantumCircuit, network: Network, *,
                   qubit_qpu: Sequence[str], rel_tol: float = 1e-9) -> list[str]:
    """Every way ``sched`` breaks the rules it must keep; an empty list if none.

    Checked independently of how the schedule was built: each operation lasts its
    duration and starts after the previous operation on each of its qubits and after
    the measurement of each bit it reads plus the classical latency between the two
    QPUs; no link generates more ebits at once than its channels; no QPU reserves more
    comm qubits at once than it has; the makespan is the last end and is at least
    every lower bound.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> import dqc
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> net = dqc.Network.line(2, data_qubits=1)
        >>> result = dqc.compile(qc, net)
        >>> s = schedule(result.circuit, net, qubit_qpu=result.report.qubit_qpu)
        >>> check_schedule(s, result.circuit, net, qubit_qpu=result.report.qubit_qpu)
        []
    """
    problems: list[str] = []
    ops = sched.operations
    if len(ops) != len(circuit.data):
        return [f"schedule has {len(ops)} operations, the circuit {len(circuit.data)}"]
    scale = max(sched.makespan_s, 1e-300)
    tol = rel_tol * scale

    def late(t: float, bound: float) -> bool:
        return t + tol < bound

    qpu_of = list(qubit_qpu)
    ready: dict[int, float] = {}
    bit_ready: dict[Clbit, tuple[float, str]] = {}
    intervals: dict[str, list[tuple[float, float]]] = {}
    for op, inst in zip(ops, circuit.data):
        qs = [circuit.find_bit(q).index for q in inst.qubits]
        if op.name != inst.operation.name or tuple(qs) != op.qubits:
            problems.append(f"op #{op.index} is {op.name} {op.qubits} in the schedule "
                            f"but {inst.operation.name} {tuple(qs)} in the circuit")
            continue
        here = qpu_of[qs[0]] if qs else op.qpu
        if op.name == "epr":
            link = network.link(qpu_of[qs[0]], qpu_of[qs[1]])
            if link is None:
                problems.append(f"epr #{op.index} joins unlinked QPUs")
                continue
            duration = 1.0 / link.rate_hz
            intervals.setdefault(link.key, []).append((op.start_s, op.end_s))
        else:
            duration = op_cost(inst.operation, network.qpu(here).profile)[0]
        if abs(op.end_s - op.start_s - duration) > tol + rel_tol * duration:
            problems.append(f"{op.name} #{op.index} lasts {op.end_s - op.start_s:.9g} s, "
                            f"not {duration:.9g} s")
        for q in qs:
            if q in ready and late(op.start_s, ready[q]):
                problems.append(f"{op.name} #{op.index} starts at {op.start_s:.9g} s before "
                                f"qubit {q} is free at {ready[q]:.9g} s")
        reads = _condition_bits(inst.operation)
        for c in reads:
            if c in bit_ready:
                t, src = bit_ready[c]
                need = t + network.classical_latency(src, here)
                if late(op.start_s, need):
                    problems.append(
                        f"{op.name} #{op.index} on {here} starts at {op.start_s:.9g} s before "
                        f"its bit arrives from {src} at {need:.9g} s")
        for q in qs:
            ready[q] = op.end_s
        for c in inst.clbits:
            if c not in reads:
                bit_ready[c] = (op.end_s, here)
    for key, spans in intervals.items():
        channels = next(link for link in network.links if link.key == key).channels
        level = top = 0
        for _, step in sorted([(s, 1) for s, _ in spans] + [(e - tol, -1) for _, e in spans]):
            level += step
            top = max(top, level)
        if top > channels:
            problems.append(f"link {key} generates {top} ebits at once with {channels} "
                            "channel(s)")
    # comm qubits reserved from their epr's start to their next measurement or reset
    opened: dict[int, float] = {}
    reserved: dict[str, list[tuple[float, float]]] = {}
    for op in ops:
        for q in op.qubits:
            if op.name == "epr":
                opened[q] = op.start_s
            elif op.name in ("measure", "reset") and q in opened:
                reserved.setdefault(qpu_of[q], []).append((opened.pop(q), op.end_s))
    for q, since in opened.items():
        reserved.setdefault(qpu_of[q], []).append((since, sched.makespan_s))
    for name, qpu in zip(network.qpu_names, network.qpus):
        spans = reserved.get(name, [])
        level = top = 0
        for _, step in sorted([(s, 1) for s, _ in spans] + [(e - tol, -1) for _, e in spans]):
            level += step
            top = max(top, level)
        if top > qpu.comm_qubits:
            problems.append(f"QPU {name} reserves {top} comm qubits at once but has "
                            f"{qpu.comm_qubits}")
    last = max((op.end_s for op in ops), default=0.0)
    if abs(last - sched.makespan_s) > tol:
        problems.append(f"makespan {sched.makespan_s:.9g} s is not the last end {last:.9g} s")
    for bound, value in sched.lower_bounds.items():
        if late(sched.makespan_s, value):
            problems.append(f"makespan {sched.makespan_s:.9g} s is below the {bound} bound "
                            f"{value:.9g} s")
    return problems
