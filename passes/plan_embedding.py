"""Analysis pass: let segments continue through Pauli flips where that saves ebits.

See :mod:`dqc.plan.embedding`: a qubit's Z segment may continue through ``cx(s, q)``
(or ``x q``), its X segment through ``cz(q, s)``, ``cx(q, t)`` (or ``z q``), when
the flip is mirrored onto the qubit's open copies. This pass chooses those flips
for the placement in ``dqc_partition`` by the ebits of the resulting covers,
including the partner copies the mirrors need, and keeps them only if they save
ebits. :class:`DistributeGates` then plans on the embedded segments (when no
teledata moves are kept: :class:`PlanTeledata` compares its moves with this).

Examples:
    The circuit of :mod:`dqc.plan.embedding`'s example: q0's two CZ with q2 share one
    copy when q0's Z segment continues through ``cx(1, 0)``::

    >>> from qiskit import QuantumCircuit
    >>> from dqc.network import Network
    >>> qc = QuantumCircuit(4)
    >>> _ = qc.cz(0, 2); _ = qc.cz(1, 3); _ = qc.cx(1, 0); _ = qc.h(2); _ = qc.cz(0, 2)
    >>> p = PlanEmbedding(Network.all_to_all(2, data_qubits=2))
    >>> p.property_set["dqc_partition"] = ("qpu0", "qpu0", "qpu1", "qpu1")
    >>> _ = p(qc); plan = p.property_set["dqc_embedding"]
    >>> plan.static_ebits, plan.ebits, len(plan.through), p.property_set["dqc_lower_bound"]
    (3, 2, 1, 2)
"""

from __future__ import annotations

import numpy as np
from dqc.passes.requirements import required
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import AnalysisPass

from dqc.network import Network
from dqc.plan.cost_model import shared_two_qubit_gates
from dqc.plan.embedding import FlipTable, find_flips, plan_embedding


class PlanEmbedding(AnalysisPass):
    """Choose the flips segments continue through (``dqc_embedding``) for the placement.

    Args:
        network: the network (for distances).
        max_gates: circuits with more two-qubit gates are not embedded.
        work: budget of evaluations × two-qubit gates for the greedy search (each
            evaluation is one set of minimum covers); larger circuits try fewer flips.

    The placement ``dqc_partition`` is tried first, then the other candidates the
    partitioner scored (``dqc_partition_candidates``), while the budget lasts; the
    plan of fewest ebits wins (its ``placement`` says which).

    Property set read: ``dqc_partition``, ``dqc_partition_candidates`` and
    ``dqc_lower_bound`` (if set); ``dqc_two_qubit_gates`` (read and written, see
    :func:`dqc.plan.cost_model.shared_two_qubit_gates`).
    Property set written: ``dqc_embedding`` (:class:`dqc.plan.embedding.EmbeddingPlan`, or
    ``None`` when embedding saves nothing), ``dqc_lower_bound`` (lowered to what no
    embedding beats on ``dqc_partition``).
    """

    def __init__(self, network: Network, *, max_gates: int = 20_000,
                 work: float = 5e5) -> None:
        super().__init__()
        self.network = network
        self.max_gates = max_gates
        self.work = work

    def run(self, dag: DAGCircuit) -> None:
        """Plan the embedding for ``dqc_partition``."""
        required(self, "dqc_partition", "PartitionQubits")
        self.property_set["dqc_embedding"] = None
        size = sum(1 for node in dag.two_qubit_ops())
        if size == 0 or size > self.max_gates:
            return
        part = np.array([self.network.index(name) for name in self.property_set["dqc_partition"]])
        dist = self.network.distances()
        budget = max(1, int(self.work // size))
        gates = shared_two_qubit_gates(dag, self.property_set)
        table = FlipTable(gates, find_flips(dag, gates))
        plan = plan_embedding(table, part, dist, max_evaluations=budget)
        budget -= plan.evaluations
        static, seen = plan.static_ebits, {plan.placement}
        bound = self.property_set["dqc_lower_bound"]
        self.property_set["dqc_lower_bound"] = (  # the bound is for dqc_partition
            plan.lower_bound if bound is None else min(int(bound), plan.lower_bound))
        for cand in self.property_set["dqc_partition_candidates"] or ():
            if budget <= 0:
                break
            if cand in seen:
                continue
            seen.add(cand)
            other = plan_embedding(table, np.array(cand), dist, max_evaluations=budget)
            budget -= other.evaluations
            if other.ebits < plan.ebits:
                plan = other
        if plan.ebits < static:
            self.property_set["dqc_embedding"] = plan
