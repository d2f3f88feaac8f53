"""Transformation pass: rewrite a partitioned circuit onto the network's qubits.

The pass around :func:`dqc.plan.distribution.distribute` (which holds the telegate,
teledata and entanglement-swapping protocols).
"""

from __future__ import annotations

from dataclasses import dataclass

from dqc.passes.requirements import required
from qiskit.converters import circuit_to_dag
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import TransformationPass

from dqc.network import Network
from dqc.plan.cost_model import TwoQubitGate, plan_carriers, shared_two_qubit_gates
from dqc.plan.distribution import MAX_REPLAN_GATES, DistributedLayout, distribute
from dqc.plan.embedding import EmbeddingPlan
from dqc.plan.teledata import Move

__all__ = ["DistributeGates", "DistributedLayout", "distribute"]

class DistributeGates(TransformationPass):
    """Rewrite every cross-QPU gate into telegates with Bell pairs and feed-forward.

    The output has, per QPU in network order, a register of its data qubits
    (named after the QPU) and one of its comm qubits (``<name>_comm``); the input's
    classical registers keep their names, sizes and order, and the protocol's
    measurements go to a register of their own (``tele``, bit i holding the latest
    measurement of the i-th comm qubit).

    * A copy of a carrier qubit stays open on a remote QPU for the whole segment
      (the run of gates diagonal on the carrier), so consecutive remote gates of
      that segment share one ebit.
    * A copy is closed right after the last gate the plan gives it, and comm
      qubits are reused (``reset`` before each new ``epr``); when a QPU still runs
      out, the open copy there whose next use is farthest away is closed first
      (Belady's rule), to be reopened when needed.
    * Carriers follow the minimum per-pair vertex cover of
      :func:`dqc.plan.cost_model.plan_carriers` (an already open copy is always reused).
      When evictions make the circuit cost more ebits than that plan, the
      distribution is redone (up to ``replans`` times, for circuits of at most
      5,000 two-qubit gates) with each copy weighted by
      how often it was opened (:mod:`dqc.plan.weighted_cover`); the cheapest run is kept.
    * Teledata moves (``dqc_moves``, see :class:`PlanTeledata`) teleport a qubit's
      state to another QPU before a slice of the circuit: Bell pair, Bell
      measurement of the data qubit with the near comm qubit, Pauli corrections on
      the far one, then a ``swap`` into a free data qubit there. When the QPU is
      full (qubits trading places) the state waits on the comm qubit until a data
      qubit frees up. The circuit is then walked slice by slice
      (:class:`dqc.plan.teledata.Timeline`).

    * With an embedding (``dqc_embedding``, see :class:`PlanEmbedding`) and no moves,
      segments continue through the planned flips, and each flip is mirrored onto the
      flipped qubit's open copies (:mod:`dqc.plan.embedding`).
    * The plan distributed by is the cheapest on the model of the teledata moves, the
      embedding and the static plan; for circuits of at most 5,000 two-qubit gates,
      when it emits more than its model (comm-qubit limits), the others are
      distributed too and the one that emits fewest ebits is kept.

    Property set read: ``dqc_partition`` (one QPU name per input qubit, at the start);
    ``dqc_moves`` if present (:class:`dqc.plan.teledata.Move` tuple); ``dqc_embedding`` if
    present; ``dqc_wire_permutation`` if present (see :class:`ElideSwaps`), for the
    final layout.
    Property set written: ``dqc_layout`` (:class:`DistributedLayout`); when there was a
    choice of plans, ``dqc_partition``, ``dqc_moves``, ``dqc_embedding``,
    ``dqc_lower_bound`` and ``dqc_teledata`` (``ebits``, ``moves`` and, if the plan
    is not PlanTeledata's, ``reason``) describe the one kept;
    ``dqc_ebits_per_link`` (``{"a-b": n}`` for every link, in network order),
    ``dqc_remote_gates`` (number of two-qubit gates that crossed QPUs);
    ``dqc_feed_forward`` (for each classical bit, the ``if_test`` instructions of the
    output that read it, in order: Qiskit rebuilds a control-flow operation on every
    access after a DAG round trip, and :func:`dqc.compile` puts these back).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cz(0, 1)
        >>> p = DistributeGates(Network.line(2, data_qubits=1, comm_qubits=1))
        >>> p.property_set["dqc_partition"] = ("qpu0", "qpu1")
        >>> out = p(qc)
        >>> [r.name for r in out.qregs], p.property_set["dqc_ebits_per_link"]
        (['qpu0', 'qpu0_comm', 'qpu1', 'qpu1_comm'], {'qpu0-qpu1': 1})
    """

    def __init__(self, network: Network, *, replans: int = 3) -> None:
        super().__init__()
        self.network = network
        self.replans = replans

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Distribute ``dag`` according to ``dqc_partition``."""
        required(self, "dqc_partition", "PartitionQubits (or set it)")
        permutation = tuple(self.property_set["dqc_wire_permutation"] or range(dag.num_qubits()))
        gates = shared_two_qubit_gates(dag, self.property_set)
        options = self._options(gates)
        chosen, why = options[0], None
        builder, circuit = distribute(self.network, dag, chosen.partition, permutation,
                                      chosen.moves, replans=self.replans,
                                      embedding=chosen.embedding, gates=gates)
        if (len(options) > 1 and self.replans and builder.total_ebits() > builder.planned_ebits
                and builder.num_two_qubit_gates <= MAX_REPLAN_GATES):
            # the plans are compared on the model; comm-qubit limits may undo a gain:
            # distribute the others too and keep the one that emits fewest ebits
            first = builder.total_ebits()
            for option in options[1:]:
                other, again = distribute(self.network, dag, option.partition, permutation,
                                          option.moves, replans=self.replans,
                                          embedding=option.embedding, gates=gates)
                if other.total_ebits() < builder.total_ebits():
                    chosen, builder, circuit = option, other, again
            if chosen is not options[0]:
                why = (f"{options[0].name} emitted {first} ebits under comm-qubit limits, "
                       f"{chosen.name} {builder.total_ebits()}")
        elif chosen.moves != tuple(self.property_set["dqc_moves"] or ()):
            teledata = next(o for o in options if o.moves)  # the model prefers embedding
            why = f"{chosen.name} ({chosen.ebits} ebits) beats {teledata.name} ({teledata.ebits})"
        if len(options) > 1:
            self._record(chosen, why)
        self.property_set["dqc_layout"] = builder.layout
        self.property_set["dqc_ebits_per_link"] = builder.ebits_per_link()
        self.property_set["dqc_remote_gates"] = builder.remote_gates
        assert circuit is not None
        self.property_set["dqc_feed_forward"] = builder.feed_forward
        return circuit_to_dag(circuit, copy_operations=False)

    def _options(self, gates: list[TwoQubitGate]) -> list[_Option]:
        """The plans to distribute by, cheapest on the model first (ties: embedding,
        moves, static): the teledata moves, the embedding, and neither (``gates``: the
        circuit's two-qubit gates)."""
        ps = self.property_set
        partition = tuple(ps["dqc_partition"])
        moves = tuple(ps["dqc_moves"] or ())
        embedding: EmbeddingPlan | None = ps["dqc_embedding"]
        options = []
        if embedding is not None:
            placed = tuple(self.network.qpus[k].name for k in embedding.placement)
            options.append(_Option(f"embedding ({len(embedding.through)} flips)", placed, (),
                                   embedding, embedding.ebits, embedding.lower_bound))
        if moves:
            options.append(_Option(f"{len(moves)} teledata moves", partition, moves, None,
                                   int((ps["dqc_teledata"] or {}).get("ebits", 0)),
                                   int(ps["dqc_lower_bound"] or 0)))
        if options:
            start = [self.network.index(name) for name in partition]
            plan = plan_carriers(gates, start, self.network.distances())
            bound = plan.lower_bound
            if embedding is not None and list(embedding.placement) == start:
                bound = min(bound, embedding.lower_bound)
            options.append(_Option("the static plan", partition, (), None, plan.ebits, bound))
        else:
            options.append(_Option("the static plan", partition, (), None, 0, 0))
        return sorted(options, key=lambda o: o.ebits)

    def _record(self, chosen: _Option, why: str | None) -> None:
        """Write the chosen plan into the property set (``why``: the reason it replaced
        PlanTeledata's choice, if it did)."""
        ps = self.property_set
        ps["dqc_partition"] = chosen.partition
        ps["dqc_moves"] = chosen.moves
        ps["dqc_embedding"] = chosen.embedding
        ps["dqc_lower_bound"] = chosen.lower_bound
        teledata = {**(ps["dqc_teledata"] or {}), "ebits": chosen.ebits,
                    "moves": len(chosen.moves)}
        if why is not None:
            teledata["reason"] = why
        ps["dqc_teledata"] = teledata


@dataclass(frozen=True)
class _Option:
    """One way to distribute: a start placement with teledata moves, embedding, or neither."""

    name: str
    partition: tuple[str, ...]
    moves: tuple[Move, ...]
    embedding: EmbeddingPlan | None
    ebits: int  # the model's
    lower_bound: int

