"""The one-call API: :func:`compile` a circuit onto a network."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from qiskit import QuantumCircuit
from qiskit.dagcircuit import DAGCircuit
from qiskit.passmanager import PropertySet
from qiskit.transpiler import AnalysisPass, PassManager

from dqc.adapter.layout import attach_layout
from dqc.errors import CapacityError, CircuitInputError
from dqc.estimation.render import StageCallback
from dqc.estimation.report import Report
from dqc.estimation.verdict import assess
from dqc.gates import check_nesting
from dqc.network import Network
from dqc.passes.distribute_gates import DistributeGates
from dqc.passes.elide_swaps import ElideSwaps
from dqc.passes.pass_manager import compile_passes
from dqc.plan.bounds import any_placement_bound
from dqc.plan.lives import can_change_hands
from dqc.plan.partition import capacity_error
from dqc.plan.proposals import Distribution


@dataclass(frozen=True)
class CompileResult:
    """A compiled circuit and its report.

    Attributes:
        circuit: the distributed circuit (registers per QPU, ``epr`` between comm qubits).
        report: its :class:`~dqc.estimation.report.Report` (``report.to_dict()`` is the JSON
            report).
    """

    circuit: QuantumCircuit
    report: Report


def compile(  # noqa: A001 - the verb users look for
    circuit: QuantumCircuit, network: Network, *, seed: int | None = None,
    approximation: float | None = None, progress: StageCallback | None = None,
    reuse: bool = False,
) -> CompileResult:
    """Compile ``circuit`` into a circuit that runs on ``network``.

    Every two-qubit gate between QPUs becomes a telegate carried by Bell pairs
    (``epr``), measurements and classical feed-forward; the result is
    deterministic for a given circuit, network and seed (``None`` means 0).

    Args:
        circuit: any circuit over the standard gates, with barriers, mid-circuit
            and final measurements and resets, and classical control (``if_test``,
            ``if_else``, ``switch``, ``for_loop``, ``box``; see
            :mod:`dqc.plan.predication`).
        network: the QPUs and links to run on.
        seed: seed of the partitioner.
        approximation: drop ``cp``/``crz``/``rzz`` gates within this many radians of the
            identity (:mod:`dqc.plan.approximation`; the report says what was dropped
            and bounds the error). ``None`` (the default): exact.
        progress: called with ``(stage, stages done, stages)`` as each stage starts (a
            pass, then the schedule, then building the circuit) and once at the end
            with ``done == stages`` (e.g. :class:`dqc.estimation.render.StageProgress`).
        reuse: reuse data qubits where that saves ebits (:mod:`dqc.plan.lives`): a
            qubit takes a data qubit at its first operation that is not a one-qubit
            gate, and one measured for the last time frees its data qubit (measured
            there and then; reset before the next use), which then holds another qubit
            or a copy. The plan is distributed with and without reuse, and planned
            again as if each QPU had one data qubit more (distributed reusing data
            qubits; with the lighter planning of ``compile_passes(..., light=True)``:
            teledata moves, no embedding; and not at all when no data qubit can
            pass from one qubit to another, :func:`dqc.plan.lives.can_change_hands`);
            the fewest ebits are kept (without reuse on ties). The report
            lists the ``births`` and ``deaths``; its placement-independent bound is 0
            (``trivial``: the bound assumes no reuse). Off by default: without it every
            input qubit keeps one data qubit for the whole circuit.

    Returns:
        The compiled circuit and its report.

    Raises:
        CapacityError: the circuit is wider than the network, or the comm qubits
            cannot carry a needed operation.
        CircuitInputError: the circuit contains an operation dqc cannot distribute.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(4, 4); _ = qc.h(0)
        >>> for t in range(1, 4): _ = qc.cx(0, t)
        >>> _ = qc.measure(range(4), range(4))
        >>> result = compile(qc, Network.line(2, data_qubits=2), seed=7)
        >>> result.report.ebits, result.report.ebits_per_link
        (1, {'qpu0-qpu1': 1})
    """
    if not isinstance(circuit, QuantumCircuit):
        raise CircuitInputError(
            f"expected a qiskit QuantumCircuit, got {type(circuit).__name__}"
        )
    if circuit.num_qubits > network.total_data_qubits:
        raise capacity_error(circuit.num_qubits, network)
    check_nesting(circuit)
    seed = 0 if seed is None else int(seed)
    with _cyclic_gc_paused():
        passes = compile_passes(network, seed=seed, approximation=approximation)
        if reuse:  # the same plan, distributed reusing data qubits where that saves ebits
            passes[-1] = DistributeGates(network, reuse=True)
        result = _compile(circuit, network, seed, passes, progress or _silent)
        if reuse and result.report.ebits:
            reused = _with_reuse(circuit, network, seed, approximation, result.report.ebits)
            if reused is not None:
                return reused
        return result


def _with_reuse(circuit: QuantumCircuit, network: Network, seed: int,
                approximation: float | None, fewer_than: int) -> CompileResult | None:
    """The compile planned with one more data qubit per QPU and distributed on
    ``network`` reusing data qubits (see :func:`compile`), when it emits fewer than
    ``fewer_than`` ebits; else ``None`` (also when that plan needs more data qubits
    alive at once than a QPU has, or when no data qubit can ever pass from one qubit to
    another, checked before planning). Its planning is the lighter one of
    ``compile_passes(..., light=True)`` (no integer program either: with reuse the report
    proves nothing)."""
    roomier = Network(tuple(replace(q, data_qubits=q.data_qubits + 1) for q in network.qpus),
                      network.links, network.name)
    *planners, _ = compile_passes(roomier, seed=seed, approximation=approximation,
                                  light=True)
    after_swaps = next(i for i, p in enumerate(planners) if isinstance(p, ElideSwaps)) + 1
    planners.insert(after_swaps, _StopUnlessHandsChange())
    try:
        return _compile(circuit, network, seed,
                        [*planners, DistributeGates(network, reuse=True)], _silent, fewer_than)
    except (CapacityError, _HandsNeverChange, _NotFewer):
        return None


class _NotFewer(Exception):
    """The compile's distribution emits no fewer ebits than it had to beat."""


class _HandsNeverChange(Exception):
    """No data qubit can pass from one qubit to another (:func:`can_change_hands`)."""


class _StopUnlessHandsChange(AnalysisPass):
    """Stops the roomier compile of :func:`_with_reuse` before its planning when no data
    qubit can change hands: its placement would then fit only as a plain one."""

    def run(self, dag: DAGCircuit) -> None:
        if not can_change_hands(dag):
            raise _HandsNeverChange


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees memory).

    A large compile allocates millions of objects that live until it ends; the
    collector would traverse them again and again while finding next to nothing to
    free (about a fifth of the time on 100,000 gates). It resumes, as it was, after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _silent(stage: str, done: int, total: int) -> None:
    """No progress display."""


def _compile(circuit: QuantumCircuit, network: Network, seed: int, passes: list,
             progress: StageCallback, fewer_than: int | None = None) -> CompileResult:
    """:func:`compile` after its checks: run the passes, schedule, build the circuit.

    The last pass, :class:`~dqc.passes.DistributeGates`, is called directly on the DAG
    the others analysed (:meth:`~dqc.passes.DistributeGates.emitted`): as a pass in
    the pass manager its output, the largest circuit of the compile, would be turned
    into a DAG and back for nothing. Its operations are scheduled before they become
    the circuit (:mod:`dqc.plan.emitted`), so the two are never in memory together.
    With ``fewer_than``, raises ``_NotFewer`` as soon as the distribution emits no fewer
    ebits.
    """
    *analysis, distribute = passes
    assert isinstance(distribute, DistributeGates)
    names = [type(p).__name__ for p in (*analysis, distribute)] + [
        "scheduling", "building the circuit"]
    total, planning = len(names), len(analysis)

    def after_pass(**kwargs) -> None:
        done = kwargs["count"] + 1  # (Qiskit counts passes from 0)
        if done <= planning:  # (not after _KeepDag)
            progress(names[done], done, total)

    progress(names[0], 0, total)
    keep = _KeepDag()
    pm = PassManager([*analysis, keep])
    pm.run(circuit, callback=after_pass)
    distribute.property_set = pm.property_set
    emitted = distribute.emitted(keep.dag)
    dist: Distribution = pm.property_set["dqc_distribution"]
    ebits = emitted.ebits
    if fewer_than is not None and ebits >= fewer_than:
        raise _NotFewer  # (before scheduling and building what would be thrown away)
    progress(names[-2], total - 2, total)
    ps = pm.property_set
    # (the bounds assume every qubit keeps its data qubit)
    reused = bool(dist.layout.births or dist.layout.deaths)
    bound = None if reused else any_placement_bound(
        ps["dqc_interaction_graph"], [q.data_qubits for q in network.qpus],
        dag=ps["dqc_two_qubit_gates"][0], achieved=ebits)
    partition_cost, dropped = ps["dqc_placement"].ebits, ps["dqc_approximation"]
    exact = ps["dqc_exact"]
    fewest = exact.embedding.ebits if exact is not None and exact.optimal and not reused else None
    # the passes' DAG and tables are not needed to schedule: let them go first; then
    # schedule the operations before they become the circuit (the two are the compile's
    # largest objects: this way they are never in memory together)
    del pm, keep, ps, analysis
    distribute.property_set = PropertySet()
    sched, verdict = assess(emitted, network, qubit_qpu=dist.layout.qubit_qpu,
                            comm_qubits=dist.layout.comm_qubits, remote_gates=dist.remote_gates)
    report = Report.from_distribution(
        dist, network, ebits=ebits,
        inputs={"qubits": circuit.num_qubits, "clbits": circuit.num_clbits,
                "multi_qubit_gates": sum(1 for _ in _multi_qubit(circuit))},
        seed=seed, partition_cost=partition_cost,
        schedule=sched.to_dict(), verdict=verdict.to_dict(), any_placement=bound)
    del sched, verdict
    progress(names[-1], total - 1, total)
    out = emitted.circuit()
    del emitted
    # where each input qubit starts and ends, as documented metadata (dqc.adapter.layout)
    out = attach_layout(out, dist.layout, circuit, inplace=True, transpile_layout=False)
    progress("done", total, total)
    report = replace(report, fewest_without_moves=fewest)
    if dropped is not None:
        report = replace(report, approximation=dropped.to_dict())
    return CompileResult(circuit=out, report=report)


class _KeepDag(AnalysisPass):
    """Keeps the DAG it is handed (for :func:`_compile`)."""

    dag: DAGCircuit

    def run(self, dag: DAGCircuit) -> None:
        """Keep ``dag``."""
        self.dag = dag


def _multi_qubit(circuit: QuantumCircuit):
    for inst in circuit.data:
        if len(inst.qubits) >= 2 and inst.name != "barrier":
            yield inst
