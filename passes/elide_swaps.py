"""Transformation pass: remove SWAP gates by relabelling the qubits after them."""

from __future__ import annotations

from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import TransformationPass


class ElideSwaps(TransformationPass):
    """Replace every ``swap`` by a relabelling of the qubits that follow it.

    A SWAP between QPUs would cost three telegates; as a relabelling it costs
    nothing: later operations act on the wire that holds the state, and the
    permutation is recorded so the final layout says where each input qubit ends.
    Run it after :class:`~dqc.passes.UnrollForDistribution` (which keeps ``swap``).

    Property set read: none.
    Property set written: ``dqc_wire_permutation`` — ``tuple[int, ...]``, for input
    qubit i the wire (qubit index of the output DAG) holding its state at the end.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(3); _ = qc.h(0); _ = qc.swap(0, 2); _ = qc.x(0)
        >>> p = ElideSwaps(); out = p(qc)
        >>> [(i.operation.name, [out.find_bit(q).index for q in i.qubits]) for i in out.data]
        [('h', [0]), ('x', [2])]
        >>> p.property_set["dqc_wire_permutation"]
        (2, 1, 0)
    """

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Remove the swaps of ``dag`` and record the resulting permutation."""
        qubits = list(dag.qubits)
        holder = list(range(len(qubits)))  # input qubit label -> wire holding its state
        if "swap" not in dag.count_ops(recurse=False):  # nothing to elide: ``dag`` as it is
            self.property_set["dqc_wire_permutation"] = tuple(holder)
            return dag
        out = dag.copy_empty_like()
        for node in dag.topological_op_nodes():
            labels = [dag.find_bit(q).index for q in node.qargs]
            if node.op.name == "swap" and not node.cargs:
                a, b = labels
                holder[a], holder[b] = holder[b], holder[a]
                continue
            out.apply_operation_back(
                node.op, tuple(qubits[holder[q]] for q in labels), node.cargs, check=False
            )
        self.property_set["dqc_wire_permutation"] = tuple(holder)
        return out
