"""Transformation pass: rewrite a partitioned circuit onto the network's qubits.

The pass reads the planners' proposals, lets :func:`dqc.plan.proposals.choose` pick and
distribute one (the protocols are in :mod:`dqc.plan.distribution`), and records the
:class:`~dqc.plan.proposals.Distribution`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dqc.passes.requirements import required
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import TransformationPass

from dqc.errors import CapacityError
from dqc.network import Network
from dqc.plan.cost_model import shared_two_qubit_gates
from dqc.plan.distribution import DistributedLayout, distribute
from dqc.plan.emitted import Emitted
from dqc.plan.lives import Lives
from dqc.plan.proposals import Distribution, Proposal, choose, ranked

__all__ = ["DistributeGates", "DistributedLayout", "distribute"]


class DistributeGates(TransformationPass):
    """Rewrite every cross-QPU gate into telegates with Bell pairs and feed-forward.

    The output has, per QPU in network order, a register of its data qubits
    (named after the QPU) and one of its comm qubits (``<name>_comm``); the input's
    classical registers keep their names, sizes and order, and the protocol's
    measurements go to a register of their own (``tele``, bit i holding the latest
    measurement of the i-th comm qubit; the bits after those, of the free data qubits that
    held a stowed copy).

    * A copy of a carrier qubit stays open on a remote QPU for the whole segment
      (the run of gates diagonal on the carrier), so consecutive remote gates of
      that segment share one ebit.
    * A copy is closed right after the last gate the plan gives it, and comm
      qubits are reused (``reset`` before each new ``epr``); when a QPU still runs
      out, the open copy there whose next use is farthest away is closed first
      (Belady's rule), to be reopened when needed; or, when the QPU has a data qubit no
      input qubit occupies and no qubit moves, stowed there (two CX) and kept open.
    * Carriers follow the minimum per-pair vertex cover of
      :func:`dqc.plan.cost_model.plan_carriers` (an already open copy is always reused).
      When evictions make the circuit cost more ebits than that plan, the
      distribution is redone (up to ``replans`` times, for circuits of at most
      5,000 two-qubit gates) with each copy weighted by
      how often it was opened (:mod:`dqc.plan.weighted_cover`); the cheapest run is kept.
      When copies are still evicted (no moves), carriers and a walk order are fitted to
      the comm qubits on an exact replay of them (:mod:`dqc.plan.comm_capacity`), and
      that run is kept if it emits fewer ebits.
    * Teledata moves (``dqc_teledata``, see :class:`PlanTeledata`) teleport a qubit's
      state to another QPU before a slice of the circuit: Bell pair, Bell
      measurement of the data qubit with the near comm qubit, Pauli corrections on
      the far one, then a ``swap`` into a free data qubit there. When the QPU is
      full (qubits trading places) the state waits on the comm qubit until a data
      qubit frees up. The circuit is then walked slice by slice
      (:class:`dqc.plan.teledata.Timeline`).

    * With an embedding (``dqc_embedding``, see :class:`PlanEmbedding`; or moves with
      flips on their stays, see :class:`PlanTeledata`), segments continue through the
      planned flips, and each flip is mirrored onto the flipped qubit's open copies
      (:mod:`dqc.plan.embedding`); a move still ends the moving qubit's segments.
    * With ``reuse=True`` (:mod:`dqc.plan.lives`), the plan is distributed twice: as
      above, and reusing data qubits: a qubit takes a data qubit at its first operation
      that is not a one-qubit gate and frees it after its final measurement (for
      another qubit, or a copy stowed there), so the placement may put more qubits on a
      QPU than it has data qubits, as long as no more are alive at once (else
      CapacityError, and the next proposal is tried). The one that emits fewer ebits is
      kept (without reuse on ties); reusing, the layout lists the births and deaths
      (:class:`DistributedLayout`).
    * The plan distributed by is the cheapest on the model of the teledata moves, the
      embedding and the static plan; for circuits of at most 5,000 two-qubit gates,
      when it emits more than its model (comm-qubit limits), the others are
      distributed too and the one that emits fewest ebits is kept.

    Property set read: ``dqc_partition`` (one QPU name per input qubit, at the start);
    if present: ``dqc_placement`` (its model and bound), ``dqc_teledata`` and
    ``dqc_embedding`` (the planners' :class:`~dqc.plan.proposals.Proposal`),
    ``dqc_embedding_others`` (distributed too under comm-qubit limits),
    ``dqc_exact`` (:class:`~dqc.plan.exact.ExactPlan`, proposed too when cheaper),
    ``dqc_embedding_bound``, ``dqc_wire_permutation`` (see :class:`ElideSwaps`, for the
    final layout) and ``dqc_two_qubit_gates``.
    Property set written: ``dqc_distribution``
    (:class:`~dqc.plan.proposals.Distribution`): the layout, ebits per link, remote
    gates, the plan distributed by and why.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cz(0, 1)
        >>> p = DistributeGates(Network.line(2, data_qubits=1, comm_qubits=1))
        >>> props = {"dqc_partition": ("qpu0", "qpu1")}  # a placement set by hand
        >>> out = p(qc, property_set=props)
        >>> [r.name for r in out.qregs], props["dqc_distribution"].ebits_per_link
        (['qpu0', 'qpu0_comm', 'qpu1', 'qpu1_comm'], {'qpu0-qpu1': 1})
    """

    def __init__(self, network: Network, *, replans: int = 3, reuse: bool = False) -> None:
        super().__init__()
        self.network = network
        self.replans = replans
        self.reuse = reuse

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Distribute ``dag`` by the cheapest proposal (see :func:`dqc.plan.proposals.choose`)."""
        return circuit_to_dag(self.distributed(dag), copy_operations=False)

    def distributed(self, dag: DAGCircuit) -> QuantumCircuit:
        """:meth:`run`, returning the circuit itself (each ``epr`` as late as it can come)
        rather than its DAG, which saves two conversions of the largest circuit of the
        compile. Writes ``dqc_distribution`` as :meth:`run`.
        """
        return self.emitted(dag).circuit()

    def emitted(self, dag: DAGCircuit) -> Emitted:
        """:meth:`distributed`'s operations before they become a circuit: :func:`dqc.compile`
        schedules them first, then builds the circuit (:mod:`dqc.plan.emitted`). Writes
        ``dqc_distribution`` as :meth:`run`.
        """
        ps = self.property_set
        partition = tuple(required(self, "dqc_partition", "PartitionQubits (or set it)"))
        gates = shared_two_qubit_gates(dag, ps)
        options = ranked(self.network, gates, self._static(partition),
                         embedding=ps["dqc_embedding"], teledata=ps["dqc_teledata"],
                         exact=ps["dqc_exact"], also=ps["dqc_embedding_others"] or ())

        def run(lives: Lives | None) -> tuple[Distribution, Emitted]:
            return choose(self.network, dag, options, permutation=ps["dqc_wire_permutation"],
                          replans=self.replans, gates=gates, lives=lives)

        distribution, emitted = (self._fewer(run, Lives.of(dag)) if self.reuse
                                 else run(None))
        ps["dqc_distribution"] = distribution
        return emitted

    @staticmethod
    def _fewer(run: Callable[[Lives | None], tuple[Distribution, Emitted]], lives: Lives
               ) -> tuple[Distribution, Emitted]:
        """``run`` without reuse and with ``lives``: the one that emits fewer ebits
        (without reuse on ties); the one that fits when the other raises
        :class:`~dqc.errors.CapacityError` (a placement fuller than the data qubits fits
        only by reuse), the error when neither fits."""
        try:
            plain = run(None)
        except CapacityError:
            return run(lives)
        try:
            reused = run(lives)
        except CapacityError:
            return plain
        return reused if reused[1].ebits < plain[1].ebits else plain

    def _static(self, partition: tuple[str, ...]) -> Proposal:
        """The static plan as the planners left it: PlanTeledata's when it proposes no
        moves (it may relabel ``partition``), else PartitionQubits' placement; its bound
        lowered by PlanEmbedding's when on ``partition``. Figures are 0 when no planner ran.
        """
        ps = self.property_set
        teledata: Proposal | None = ps["dqc_teledata"]
        placement = ps["dqc_placement"]
        if teledata is not None and not teledata.moves:
            static = teledata
        elif placement is not None:
            static = Proposal("static", partition, placement.ebits, placement.lower_bound)
        else:
            return Proposal("static", partition, 0, 0, why="no planner ran")
        bound = ps["dqc_embedding_bound"]
        if bound is not None and static.placement == partition:
            static = replace(static, lower_bound=min(static.lower_bound, int(bound)))
        return static
