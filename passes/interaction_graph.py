"""Analysis pass: the weighted interaction graph of a circuit."""

from __future__ import annotations

import itertools

import networkx as nx
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import AnalysisPass

from dqc.errors import CircuitInputError
from dqc.gates import BLOCKS
from dqc.plan.cost_model import two_qubit_gates
from dqc.plan.partition import blocks


class BuildInteractionGraph(AnalysisPass):
    """Count the two-qubit gates between every pair of qubits.

    Property set read: none.
    Property set written: ``dqc_interaction_graph`` — a :class:`networkx.Graph`
    with one node per qubit index (``0 .. n-1``) and, on each edge, ``weight`` =
    the number of two-qubit gates acting on that pair (qubits a ``while_loop`` shares get
    an edge heavier than all gates: they must share a QPU); ``dqc_two_qubit_gates`` —
    ``(dag, gates)``: :func:`dqc.plan.cost_model.two_qubit_gates` of this DAG, which the
    planning passes and DistributeGates reuse while they are handed the same DAG
    (:func:`dqc.plan.cost_model.shared_two_qubit_gates`).

    Run it after :class:`~dqc.passes.UnrollForDistribution` (which leaves no
    gate wider than two qubits).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.converters import circuit_to_dag
        >>> qc = QuantumCircuit(3); _ = qc.cx(0, 1); _ = qc.cz(1, 0); _ = qc.cx(1, 2)
        >>> p = BuildInteractionGraph(); p.run(circuit_to_dag(qc))
        >>> sorted(p.property_set["dqc_interaction_graph"].edges(data="weight"))
        [(0, 1, 2), (1, 2, 1)]
    """

    def run(self, dag: DAGCircuit) -> None:
        """Write ``dqc_interaction_graph`` for ``dag``."""
        graph = nx.Graph()
        graph.add_nodes_from(range(dag.num_qubits()))
        for node in dag.two_qubit_ops():
            if node.name in BLOCKS:  # (node.name: node.op builds a new gate on each read)
                continue
            a, b = (dag.find_bit(q).index for q in node.qargs)
            if graph.has_edge(a, b):
                graph[a][b]["weight"] += 1
            else:
                graph.add_edge(a, b, weight=1)
        for group in blocks(dag):  # one QPU for each: heavier than all gates together
            heavy = 1 + len(dag.op_nodes())
            graph.add_edges_from(itertools.combinations(group, 2), weight=heavy)
        for node in dag.multi_qubit_ops():
            if node.name not in ("barrier", *BLOCKS) and len(node.qargs) > 2:
                raise CircuitInputError(
                    f"'{node.op.name}' acts on {len(node.qargs)} qubits; unroll the circuit "
                    "with UnrollForDistribution before building the interaction graph"
                )
        self.property_set["dqc_interaction_graph"] = graph
        self.property_set["dqc_two_qubit_gates"] = (dag, two_qubit_gates(dag))
