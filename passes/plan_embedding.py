"""Analysis pass: let segments continue through Pauli flips where that saves ebits.

See :mod:`dqc.plan.embedding`: a qubit's Z segment may continue through ``cx(s, q)``
(or ``x q``), its X segment through ``cz(q, s)``, ``cx(q, t)`` (or ``z q``), when
the flip is mirrored onto the qubit's open copies. This pass chooses those flips
for the placement in ``dqc_partition`` by the ebits of the resulting covers,
including the partner copies the mirrors need, and keeps them only if they save
ebits. :class:`DistributeGates` then plans on the embedded segments (when no
teledata moves are kept: :class:`PlanTeledata` compares its moves with this).

Examples:
    The circuit of :mod:`dqc.plan.embedding`'s example, on three QPUs with q0, q1 on
    the first and q2, q3 on the second: q0's two CZ with q2 share one copy when q0's Z
    segment continues through ``cx(1, 0)``::

    >>> from qiskit import QuantumCircuit
    >>> from dqc.network import Network
    >>> qc = QuantumCircuit(4)
    >>> _ = qc.cz(0, 2); _ = qc.cz(1, 3); _ = qc.cx(1, 0); _ = qc.h(2); _ = qc.cz(0, 2)
    >>> p = PlanEmbedding(Network.all_to_all(3, data_qubits=2))
    >>> props = {"dqc_partition": ("qpu0", "qpu0", "qpu1", "qpu1")}
    >>> _ = p(qc, property_set=props); plan = props["dqc_embedding"]
    >>> plan.name, plan.ebits, plan.embedding.static_ebits, props["dqc_embedding_bound"]
    ('embedding (1 flip)', 2, 3, 2)

    The integer program also tries every placement: on two QPUs, q0 with q2 and q1 with
    q3 leaves one remote gate (1 ebit), and no plan without moves needs none::

    >>> p = PlanEmbedding(Network.all_to_all(2, data_qubits=2))
    >>> _ = p(qc, property_set=props); exact = props["dqc_exact"]
    >>> exact.embedding.placement, exact.embedding.ebits, exact.optimal
    ((0, 1, 0, 1), 1, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from dqc.passes.requirements import required
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import AnalysisPass

from dqc.errors import plural
from dqc.network import Network
from dqc.plan.bounds import spread_bound
from dqc.plan.cost_model import shared_two_qubit_gates
from dqc.plan.embedding import (
    EmbeddingPlan,
    EmbeddingSearch,
    FlipTable,
    embedding_plan,
    find_flips,
    search_embeddings,
)
from dqc.plan.exact import ExactPlan, exact_plan
from dqc.plan.proposals import Proposal


class PlanEmbedding(AnalysisPass):
    """Choose the flips segments continue through (``dqc_embedding``) for the placement.

    Args:
        network: the network (for distances).
        max_gates: circuits with more two-qubit gates are not embedded; ``None`` (the
            default): no limit (``work`` shrinks the search as circuits grow).
        work: budget of evaluations × two-qubit gates for the greedy search (each
            evaluation is one set of minimum covers); larger circuits try fewer flips.
        exact: also solve the integer program of :mod:`dqc.plan.exact` where its size
            rule admits the circuit (on two QPUs it adds about 1-2 s to a compile of a few
            hundred two-qubit gates, on more it is built for a few dozen).

    The placement ``dqc_partition`` is tried first, then the other candidates the
    partitioner scored (``dqc_placement``), while the budget lasts; the
    plan of fewest ebits wins (its ``placement`` says which).

    Property set read: ``dqc_partition``; ``dqc_placement`` (for its candidates),
    ``dqc_two_qubit_gates`` and ``dqc_interaction_graph`` (for a bound that can spare the
    integer program) if present.
    Property set written: ``dqc_embedding`` (:class:`dqc.plan.proposals.Proposal` of
    kind ``"embedding"``, its ``embedding`` the :class:`dqc.plan.embedding.EmbeddingPlan`;
    ``None`` when embedding saves nothing), ``dqc_embedding_others`` (the same for the
    plans on the other placements tried that save ebits, the partitioner's first; ``()``
    when embedding saves nothing: under comm-qubit limits a plan cheaper on the model may
    emit more),
    ``dqc_embedding_bound`` (``int``: no embedding of that placement needs fewer ebits;
    ``None`` when not searched), ``dqc_exact`` (:class:`dqc.plan.exact.ExactPlan` or
    ``None``).

    Small circuits (:mod:`dqc.plan.exact`'s size rule) also get the integer program over
    placements, flips and carriers together: ``dqc_exact`` keeps its plan (and whether it
    is proved optimal among plans without teledata moves; on QPUs not all one hop apart,
    when its price on the real distances meets the fewest copies of any plan), which
    :class:`DistributeGates` proposes beside the others when it costs fewer ebits. When
    the heuristics' plan already needs no more ebits than the interaction graph's spread
    bound (:func:`dqc.plan.bounds.spread_bound`; e.g. 1 for a connected circuit too big
    for one QPU), that plan is ``dqc_exact``, proved optimal, and no program is solved.
    """

    def __init__(self, network: Network, *, max_gates: int | None = None,
                 work: float = 5e5, exact: bool = True) -> None:
        super().__init__()
        self.network = network
        self.max_gates = max_gates
        self.work = work
        self.exact = exact

    def run(self, dag: DAGCircuit) -> None:
        """Plan the embedding for ``dqc_partition``."""
        partition = required(self, "dqc_partition", "PartitionQubits")
        placement = self.property_set["dqc_placement"]
        size = sum(1 for node in dag.two_qubit_ops())
        if size == 0 or (self.max_gates is not None and size > self.max_gates):
            self.property_set["dqc_embedding"] = None
            self.property_set["dqc_embedding_bound"] = None
            self.property_set["dqc_embedding_others"] = ()
            self.property_set["dqc_exact"] = None
            return
        gates = shared_two_qubit_gates(dag, self.property_set)
        table = FlipTable(gates, find_flips(dag, gates))
        dist = self.network.distances()
        search = search_embeddings(
            table, [self.network.index(name) for name in partition],
            placement.candidates if placement is not None else (), dist,
            work=self.work // size)
        self.property_set["dqc_exact"] = self._exact(table, dag.num_qubits(), search,
                                                     partition, dist) if self.exact else None
        self.property_set["dqc_embedding_bound"] = search.static_bound
        best = search.best
        self.property_set["dqc_embedding"] = None if best is None else self._proposal(best)
        self.property_set["dqc_embedding_others"] = () if best is None else tuple(
            self._proposal(plan, " on the partitioner's placement" if plan is search.first
                           else " on another candidate placement")
            for plan in _distinct(search.tried, best))

    def _exact(self, table: FlipTable, n: int, search: EmbeddingSearch,
               partition: Sequence[str], dist: np.ndarray) -> ExactPlan | None:
        """The integer program's plan; skipped when the heuristics' plan already meets the
        spread bound of the interaction graph (``dqc_interaction_graph``, when present)."""
        net = self.network
        caps = [q.data_qubits for q in net.qpus]
        graph = self.property_set["dqc_interaction_graph"]
        known = search.best if search.best is not None else embedding_plan(
            table, np.zeros(len(table.flips), dtype=bool),
            [net.index(name) for name in partition], dist)
        return exact_plan(table, n, caps, dist, comm=[q.comm_qubits for q in net.qpus],
                          known=known, bound=0 if graph is None else spread_bound(graph, caps))

    def _proposal(self, plan: EmbeddingPlan, where: str = "") -> Proposal:
        """``plan`` as a proposal."""
        saves = plural(plan.static_ebits - plan.ebits, 'ebit')
        return Proposal(
            "embedding", tuple(self.network.qpus[k].name for k in plan.placement),
            plan.ebits, plan.lower_bound, embedding=plan,
            why=f"{plural(len(plan.through), 'flip')} save{'s' * (len(plan.through) == 1)} "
                f"{saves}{where}")


def _distinct(plans: Sequence[EmbeddingPlan], best: EmbeddingPlan) -> list[EmbeddingPlan]:
    """``plans`` without ``best`` and without repeats up to the QPUs' names: the same
    groups of qubits, the same flips and the same ebits (a candidate placement may be
    another's with the QPUs relabelled)."""

    def key(plan: EmbeddingPlan) -> tuple:
        groups: dict[int, list[int]] = {}
        for q, k in enumerate(plan.placement):
            groups.setdefault(k, []).append(q)
        return plan.ebits, plan.through, frozenset(tuple(g) for g in groups.values())

    seen = {key(best)}
    out = []
    for plan in plans:
        if key(plan) not in seen:
            seen.add(key(plan))
            out.append(plan)
    return out
