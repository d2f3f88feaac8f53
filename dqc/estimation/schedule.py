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
  operation is moved, last first, as late as its successors (or the makespan) allow,
  and the last operations are pulled back to the earliest their predecessors then
  allow. Bell pairs are then made just in time and stored as briefly as the schedule
  permits, and a data qubit is not touched long before the ebit it waits for; the
  makespan does not change. For programs of up to 5,000 operations,
  :func:`dqc.estimation.waits.settle` then keeps, of this, the lazy placement without
  moving the last operations and the one a linear program finds with the least
  Σ life / T2, the one whose waits dephase least. ``"eager"``
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
* ``memory`` = Π (1 + exp(−t_wait / T2)) / 2 over every half of every ebit (the
  chance of no Z error of pure dephasing, p = (1 − exp(−t/T2)) / 2), with
  t_wait = t_hold − the half's own busy time (its gates and the measurement that
  frees it: their errors are the gates factor), and
  t_hold = chain(end of its ``epr`` → the measurement or reset that frees its comm
  qubit): the storage that the protocol itself forces (gates, measurements, classical
  messages, and ebits it waits for), T2 of the QPU holding it;
* ``idle`` = Π (1 + exp(−t_idle / T2)) / 2 over data qubits, with t_idle = chain(start of the
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
    >>> round(s.makespan_s, 4)   # 1/rate + 2 latencies + a few ion gates and measurements
    0.0126
    >>> s.link_bounds_s, s.peak_comm_qubits
    ({'qpu0-qpu1': 0.01}, {'qpu0': 1, 'qpu1': 1})
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from qiskit import QuantumCircuit

from dqc.errors import DQCError
from dqc.estimation.check import check_schedule
from dqc.estimation.costs import op_cost
from dqc.estimation.fidelity import (
    Fidelity,
    forced_holds,
    idle_exposure,
    link_log,
)
from dqc.estimation.formatting import fmt_time
from dqc.estimation.memory import (
    After,
    after_eprs,
    cutoff_limits,
    occupancy,
    placed_storage,
    regenerations,
)
from dqc.estimation.monte_carlo import MonteCarlo, monte_carlo
from dqc.estimation.paths import CHAIN_SEARCH_BUDGET
from dqc.estimation.program import (
    Program,
    build_program,
    classical_messages,
    ops_by_qubit,
    successors,
)
from dqc.estimation.result import LinkModel, Schedule, ScheduledOp, ScheduledOps
from dqc.estimation.timing import EPR_TIMINGS, Timing, check_timing, link_use, place
from dqc.estimation.waits import settle
from dqc.network import Network
from dqc.plan.emitted import Emitted

__all__ = [
    "CHAIN_SEARCH_BUDGET",
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


def schedule(circuit: QuantumCircuit | Emitted, network: Network, *, qubit_qpu: Sequence[str],
             comm_qubits: Iterable[int] | None = None, epr_timing: str = "lazy",
             samples: int = 0, seed: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Schedule:
    """Place every operation of a compiled circuit in time (the model: this module's docstring).

    Args:
        circuit: a distributed circuit (``epr`` the only operation across QPUs), or a
            distribution's operations before they become one (:mod:`dqc.plan.emitted`).
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
    check_timing(epr_timing)
    _check_samples(samples)
    comm = set(comm_qubits) if comm_qubits is not None else _epr_qubits(circuit)
    prog = build_program(circuit, network, qubit_qpu, comm)
    succ = successors(prog)
    qpu_of = [network.index(name) for name in qubit_qpu]
    ops_on = ops_by_qubit(prog)
    after = after_eprs(prog, ops_on)
    holds = forced_holds(prog, succ, after, network, qpu_of, ops_on)
    limits = cutoff_limits(prog, after, network, holds.late)
    timing = place(prog, succ, epr_timing, limits)
    if epr_timing == "lazy":
        settle(prog, succ, timing, ops_on,
               {q: network.qpus[qpu_of[q]].profile.t2_s for q in ops_on}, limits)
    data = [(q, ops) for q, ops in sorted(ops_on.items()) if q not in comm]
    idle, idle_keep = idle_exposure(prog, succ, data, timing.asap_end, network, qpu_of)
    fidelity = Fidelity.from_logs(link_log(prog, network), holds.log_keep, idle_keep,
                                  math.fsum(prog.logf), memory_t2=holds.exposure, idle_t2=idle)
    mc = (monte_carlo(prog, network, samples, 0 if seed is None else int(seed), progress,
                      timing.release) if samples else None)
    models = _link_models(prog, network, after, timing, holds.waits)
    return _result(prog, network, qpu_of, timing, after, holds.per_link, holds.per_qpu,
                   fidelity, epr_timing, mc, models)


def _link_models(prog: Program, network: Network, after: After, timing: Timing,
                 waits: dict[str, list[float]]) -> dict[str, LinkModel]:
    """A :class:`LinkModel` for every link that purifies or has a cutoff."""
    regenerated = regenerations(prog, after, timing.start, timing.end, network)
    names = network.qpu_names
    out = {}
    for li, link in enumerate(network.links):
        if not (link.purification_rounds or link.cutoff_s is not None):
            continue
        delivered = network.delivered(link)
        ebits = len(prog.eprs_by_link[li])
        again = regenerated.get(link.key, 0)
        held = waits.get(link.key, [])
        short = tuple((i, names[k], need, free) for i, k, need, free in prog.scratch_short
                      if prog.link[i] == li)
        cutoff = link.cutoff_s if link.cutoff_s is not None else float("inf")
        out[link.key] = LinkModel(delivered, ebits, again, (ebits + again) * delivered.raw_pairs,
                                  max(held, default=0.0), sum(w > cutoff for w in held), short,
                                  sum(prog.link[i] == li for i in timing.held_back),
                                  max(0.0, timing.makespan - timing.unheld_makespan))
    return out


def _check_samples(samples: object) -> None:
    """Refuse a ``samples`` that is not a non-negative integer."""
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
        raise DQCError(f"samples={samples!r}; it must be a non-negative integer")


def _epr_qubits(circuit: QuantumCircuit | Emitted) -> set[int]:
    """The qubits some ``epr`` acts on (the comm qubits, when none are given)."""
    index = {q: k for k, q in enumerate(circuit.qubits)}
    return {index[q] for inst in circuit.data if inst.name == "epr" for q in inst.qubits}


def _mean_max(values: list[float]) -> tuple[float, float]:
    """``(mean, max)`` of ``values``; ``(0.0, 0.0)`` for none."""
    return (math.fsum(values) / len(values), max(values)) if values else (0.0, 0.0)


def _operations(prog: Program, network: Network, timing: Timing) -> ScheduledOps:
    """Every operation with its QPU, link and placed times."""
    return ScheduledOps(prog.names, prog.qubits, prog.qpu, prog.link, timing.start,
                        timing.end, network.qpu_names, [link.key for link in network.links])


def _result(prog: Program, network: Network, qpu_of: list[int], timing: Timing,
            after: After, per_link: dict[str, list[float]], per_qpu: list[list[float]],
            fidelity: Fidelity, epr_timing: str, mc: MonteCarlo | None,
            models: dict[str, LinkModel]) -> Schedule:
    """The :class:`Schedule`: link use, placed storage, comm-qubit occupancy, figures."""
    names = network.qpu_names
    makespan = timing.makespan
    link_bounds, link_busy = link_use(prog, network, makespan)
    storage = placed_storage(prog, after, timing.start, timing.end, makespan, qpu_of,
                             len(names))
    peak, mean_use = occupancy(names, storage.reserved, makespan)
    return Schedule(
        operations=_operations(prog, network, timing),
        makespan_s=makespan,
        critical_path_s=timing.critical_path_s,
        link_bounds_s=link_bounds,
        compute_s=timing.compute_s,
        critical_path=tuple(timing.path),
        link_busy=link_busy,
        peak_comm_qubits=peak,
        mean_comm_qubits=mean_use,
        ebit_storage_s=_mean_max(storage.holds),
        ebit_wait_s=_mean_max(storage.waits),
        link_hold_s={k: _mean_max(v)[0] for k, v in per_link.items()},
        qpu_hold_s={names[k]: _mean_max(v) for k, v in enumerate(per_qpu)},
        fidelity=fidelity,
        technology={q.name: q.profile.name + (" (default)" if q.technology is None else "")
                    for q in network.qpus},
        epr_timing=epr_timing,
        monte_carlo=mc,
        critical_path_split=timing.split,
        classical_messages=classical_messages(prog, names),
        link_models=models,
    )
