"""Hadamard sandwiches folded into the two-qubit gate they surround.

``h t; cx c, t; h t`` is ``cz c, t`` and ``h q; cz s, q; h q`` is ``cx s, q`` (H maps X to
Z and back). Unrolled circuits often carry these sandwiches (a CZ written for a CX or the
reverse). Folded, the gate is diagonal where the cost model looks for it, the H gates no
longer end the qubit's segments, and a copy or an embedded flip can run through it.
Exact: the circuit is unchanged as an operator.

Examples:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag, dag_to_circuit
    >>> qc = QuantumCircuit(2); _ = qc.h(1); _ = qc.cz(0, 1); _ = qc.h(1)
    >>> dag = circuit_to_dag(qc); fold_hadamard_sandwiches(dag)
    1
    >>> [(i.name, [qc.find_bit(q).index for q in i.qubits]) for i in dag_to_circuit(dag).data]
    [('cx', [0, 1])]
"""

from __future__ import annotations

from qiskit.circuit.library import CXGate, CZGate
from qiskit.dagcircuit import DAGCircuit, DAGOpNode

__all__ = ["fold_hadamard_sandwiches"]


def _lone_h(node) -> bool:
    return isinstance(node, DAGOpNode) and node.name == "h" and len(node.qargs) == 1


def _neighbours_on(dag: DAGCircuit, node: DAGOpNode, qubit) -> tuple:
    """The operations just before and just after ``node`` on wire ``qubit``."""
    before = next((p for p in dag.quantum_predecessors(node)
                   if isinstance(p, DAGOpNode) and qubit in p.qargs), None)
    after = next((s for s in dag.quantum_successors(node)
                  if isinstance(s, DAGOpNode) and qubit in s.qargs), None)
    return before, after


def fold_hadamard_sandwiches(dag: DAGCircuit) -> int:
    """Fold every ``h; cz; h`` (on either qubit) into a ``cx`` and every ``h; cx; h`` on a
    CX's target into a ``cz``, in place; the number folded."""
    folded = 0
    for node in list(dag.topological_op_nodes()):
        if node.name not in ("cx", "cz") or node.params:
            continue
        spots = (1,) if node.name == "cx" else (1, 0)
        for pos in spots:
            before, after = _neighbours_on(dag, node, node.qargs[pos])
            if _lone_h(before) and _lone_h(after):
                _fold(dag, node, pos, before, after)
                folded += 1
                break
    return folded


def _fold(dag: DAGCircuit, node: DAGOpNode, pos: int, before: DAGOpNode,
          after: DAGOpNode) -> None:
    """Replace ``before; node; after`` (H, the gate, H on qubit ``pos``) by the folded gate."""
    dag.remove_op_node(before)
    dag.remove_op_node(after)
    if node.op.name == "cx":  # h t; cx c, t; h t = cz c, t
        dag.substitute_node(node, CZGate())
    elif pos == 1:  # h q; cz s, q; h q = cx s, q
        dag.substitute_node(node, CXGate())
    else:  # h q; cz q, s; h q = cx s, q: the qubits swap roles
        small = DAGCircuit()
        small.add_qubits(list(node.qargs))
        small.apply_operation_back(CXGate(), (node.qargs[1], node.qargs[0]), ())
        dag.substitute_node_with_dag(node, small, wires=list(node.qargs))
