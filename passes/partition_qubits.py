"""Analysis pass: assign every qubit to a QPU (the search is :mod:`dqc.plan.partition`)."""

from __future__ import annotations

import networkx as nx
from dqc.passes.requirements import required
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import AnalysisPass

from dqc.network import Network
from dqc.plan.cost_model import shared_two_qubit_gates
from dqc.plan.partition import (  # noqa: F401 - capacity_error, metis_partition: old homes
    SearchLimits,
    capacity_error,
    metis_partition,
    place,
)


class PartitionQubits(AnalysisPass):
    """Assign every qubit to a QPU by METIS min-cut, refined on the true ebit cost.

    Calls :func:`dqc.plan.partition.place` (METIS, exact capacities, Kernighan–Lin
    refinement, a local search on the cost model, dry runs when comm qubits are short).

    Args:
        network: the QPUs and links.
        seed: METIS's first seed.
        metis_runs, max_passes, max_evaluations, max_dry_run_gates, max_dry_runs,
            search_starts: the search effort (:class:`dqc.plan.partition.SearchLimits`).

    Property set read: ``dqc_interaction_graph`` (:class:`BuildInteractionGraph`),
    ``dqc_two_qubit_gates`` if present.
    Property set written: ``dqc_partition`` (``tuple[str, ...]``, the QPU name of each
    qubit: the key a user sets by hand to skip this pass), ``dqc_placement``
    (:class:`dqc.plan.partition.Placement`: the same with its modelled ebits, lower
    bound and the other candidates scored).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.converters import circuit_to_dag
        >>> from dqc.passes import BuildInteractionGraph
        >>> qc = QuantumCircuit(4)
        >>> for a, b in [(0, 1), (0, 1), (2, 3), (2, 3), (1, 2)]: _ = qc.cx(a, b)
        >>> dag = circuit_to_dag(qc)
        >>> g = BuildInteractionGraph(); g.run(dag)
        >>> p = PartitionQubits(Network.line(2, data_qubits=2), seed=1)
        >>> p.property_set = g.property_set; p.run(dag)
        >>> p.property_set["dqc_partition"], p.property_set["dqc_placement"].ebits
        (('qpu0', 'qpu0', 'qpu1', 'qpu1'), 1)
    """

    def __init__(self, network: Network, *, seed: int | None = None, metis_runs: int = 3,
                 max_passes: int = 30, max_evaluations: int | None = None,
                 max_dry_run_gates: int = 5_000, max_dry_runs: int = 4,
                 search_starts: int = 3) -> None:
        super().__init__()
        self.network = network
        self.seed = 0 if seed is None else int(seed)
        self.limits = SearchLimits(
            metis_runs=metis_runs, max_passes=max_passes, max_evaluations=max_evaluations,
            max_dry_run_gates=max_dry_run_gates, max_dry_runs=max_dry_runs,
            search_starts=search_starts)

    def run(self, dag: DAGCircuit) -> None:
        """Write ``dqc_partition`` and ``dqc_placement`` for the qubits of ``dag``."""
        graph: nx.Graph = required(self, "dqc_interaction_graph", "BuildInteractionGraph")
        placement = place(dag, graph, self.network, seed=self.seed, limits=self.limits,
                          gates=shared_two_qubit_gates(dag, self.property_set))
        self.property_set["dqc_partition"] = placement.qpus
        self.property_set["dqc_placement"] = placement
