"""Unroll a circuit to the gate set the distributor handles, rejecting what it cannot."""

from __future__ import annotations

from qiskit.circuit import CONTROL_FLOW_OP_NAMES, Gate, IfElseOp, ParameterExpression
from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary
from qiskit.circuit.library import (
    HGate,
    SdgGate,
    SGate,
    SXdgGate,
    SXGate,
    TdgGate,
    TGate,
    XGate,
    YGate,
    ZGate,
)
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import TransformationPass
from qiskit.transpiler.passes import BasisTranslator, HighLevelSynthesis, InverseCancellation

from dqc.errors import CircuitInputError
from dqc.gates import BASIS, BLOCKS, DIRECTIVES
from dqc.plan.basis_changes import fold_hadamard_sandwiches
from dqc.plan.predication import predicate

#: Adjacent pairs that cancel: the basis changes synthesis leaves between two gates (``h``
#: twice between two ``rxx``, ``sx`` after ``sxdg`` between two ``ryy``) end segments.
_INVERSES = [HGate(), XGate(), YGate(), ZGate(), (SGate(), SdgGate()),
             (SXGate(), SXdgGate()), (TGate(), TdgGate())]


class UnrollForDistribution(TransformationPass):
    """Translate every operation into :data:`dqc.gates.BASIS` with Qiskit's own synthesis.

    3-qubit gates (``ccx``, ``cswap``, ...), ``unitary`` blocks and any
    standard gate are unrolled by Qiskit's ``HighLevelSynthesis`` and
    ``BasisTranslator``; measurements, resets, barriers and delays pass through.
    Control flow, unbound parameters and non-unitary instructions other than
    those are rejected with a :class:`~dqc.errors.CircuitInputError` naming them.
    ``swap`` is kept for :class:`~dqc.passes.ElideSwaps` to turn into a relabelling.
    Classical control flow (``if_test``, ``if_else``, ``switch``, ``for_loop``) is
    flattened into one ``if_test`` per operation (:mod:`dqc.plan.predication`), before
    and after the unrolling (which unrolls inside the bodies too). Hadamard sandwiches
    (``h; cz; h``, ``h t; cx c, t; h t``) are folded into one gate
    (:mod:`dqc.plan.basis_changes`).

    Args:
        cancel_inverses: also remove adjacent one-qubit pairs that cancel (``h; h``,
            ``sx; sxdg``, ...: synthesis leaves them between two ``rxx`` or two ``ryy``,
            where they end the qubit's segments) with Qiskit's ``InverseCancellation``.
            On by default (``False``: the gates as synthesised; the longer segments
            never cost more ebits on the model).

    Property set read: none. Property set written: none.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(3); _ = qc.ccx(0, 1, 2); _ = qc.swap(0, 2)
        >>> out = UnrollForDistribution()(qc)
        >>> sorted(out.count_ops())
        ['cx', 'h', 'swap', 't', 'tdg']
    """

    def __init__(self, *, cancel_inverses: bool = True) -> None:
        super().__init__()
        self.cancel_inverses = cancel_inverses

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Check the operations of ``dag`` and unroll it to the distributor's basis."""
        dynamic = any(dag.count_ops(recurse=False).get(name) for name in CONTROL_FLOW_OP_NAMES)
        if dynamic:
            dag = _flattened(dag)
        _check(dag)
        dag = HighLevelSynthesis(basis_gates=list(BASIS)).run(dag)
        try:
            dag = BasisTranslator(SessionEquivalenceLibrary,
                                  [*BASIS, *CONTROL_FLOW_OP_NAMES]).run(dag)
        except Exception as exc:  # Qiskit raises TranspilerError with its own wording
            raise CircuitInputError(
                f"cannot translate the input into dqc's gate set {sorted(BASIS)}: {exc}"
            ) from exc
        dag = _flattened(dag) if dynamic else dag
        if self.cancel_inverses:
            dag = InverseCancellation(_INVERSES).run(dag)
        fold_hadamard_sandwiches(dag)
        return dag


def _flattened(dag: DAGCircuit) -> DAGCircuit:
    """``dag`` with its control flow flattened (:func:`dqc.plan.predication.predicate`)."""
    return circuit_to_dag(predicate(dag_to_circuit(dag, copy_operations=False)),
                          copy_operations=False)


def _check(dag: DAGCircuit) -> None:
    """Raise CircuitInputError naming every operation dqc cannot distribute."""
    problems: dict[str, int] = {}
    for node in dag.op_nodes():
        if node.is_standard_gate() and not any(isinstance(p, ParameterExpression)
                                               for p in node.params):
            continue  # a gate, bound (and node.op would build it anew: slow at scale)
        op = node.op
        if isinstance(op, IfElseOp):  # flattened: one operation per body
            op = op.blocks[0].data[0].operation
        if op.name in BLOCKS:  # kept whole; its body is unrolled with the rest
            continue
        if op.name not in DIRECTIVES and not isinstance(op, Gate):
            key = f"non-unitary operation '{op.name}'"
            problems[key] = problems.get(key, 0) + 1
        elif getattr(op, "is_parameterized", lambda: False)():
            key = f"unbound parameters in '{op.name}'"
            problems[key] = problems.get(key, 0) + 1
    if dag.num_vars:
        problems["classical variables"] = dag.num_vars
    if problems:
        listed = ", ".join(f"{k} (x{v})" for k, v in problems.items())
        raise CircuitInputError(
            f"unsupported operation in the input circuit: {listed}; dqc distributes "
            "unitary gates, measure, reset, barrier and delay, and classical control by "
            "if_test, if_else, switch and for_loop (bind parameters before compiling)"
        )
