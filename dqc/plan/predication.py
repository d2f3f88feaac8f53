"""Classical control flow in the input, flattened to one condition per operation.

dqc distributes dynamic circuits by *predication*: every operation inside an ``if_test``
/ ``if_else`` / ``switch`` body becomes its own ``if_test`` whose condition is the
conjunction of the conditions around it, written as a Qiskit classical expression
(``expr.logic_and``, ``expr.logic_not``, ``expr.equal``). ``for_loop`` bodies are
unrolled (their index set is always concrete) and ``box`` bodies inlined (a box's
duration and annotations are dropped: dqc schedules by its own model). The result has no
nested control flow, no ``switch`` and no loops — what IBM's dynamic circuits accept —
and each conditional operation acts on one or two qubits, so the distributor treats it
like the gate it guards (a conditional gate is diagonal where its gate is, for every
value of the condition).

A ``while_loop`` cannot be flattened (its iterations are known only at run time): at
the top level it is kept whole, and the compiler keeps its qubits on one QPU
(:data:`dqc.gates.BLOCKS`); inside a conditional body or another loop it is refused.

Predication is exact when a body does not write a bit its own condition reads (the
condition is evaluated again before each operation): that case is refused with a
:class:`~dqc.errors.CircuitInputError`, as are ``break``/``continue`` outside a kept
``while_loop``, classical variables and loops that unroll to more than
:data:`MAX_UNROLLED_OPERATIONS` operations.

Examples:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2, 1); _ = qc.h(0); _ = qc.measure(0, 0)
    >>> with qc.if_test((qc.clbits[0], 1)) as else_:
    ...     _ = qc.x(1); _ = qc.h(1)
    >>> with else_:
    ...     _ = qc.z(1)
    >>> flat = predicate(qc)
    >>> [(i.name, i.operation.blocks[0].data[0].name if i.name == "if_else" else "")
    ...  for i in flat.data]
    [('h', ''), ('measure', ''), ('if_else', 'x'), ('if_else', 'h'), ('if_else', 'z')]
"""

from __future__ import annotations

from typing import TypeAlias

from qiskit.circuit import (
    BoxOp,
    BreakLoopOp,
    CircuitInstruction,
    ClassicalRegister,
    Clbit,
    ContinueLoopOp,
    ControlFlowOp,
    ForLoopOp,
    IfElseOp,
    Instruction,
    QuantumCircuit,
    Qubit,
    SwitchCaseOp,
    WhileLoopOp,
)
from qiskit.circuit.classical import expr
from qiskit.circuit.controlflow import CASE_DEFAULT
from qiskit.circuit.library import CXGate

from dqc.errors import CircuitInputError

__all__ = ["MAX_UNROLLED_OPERATIONS", "condition_bits", "has_control_flow", "predicate"]

#: Most operations the unrolling of ``for_loop`` bodies may produce in one circuit.
MAX_UNROLLED_OPERATIONS = 100_000

#: A condition as Qiskit writes it: ``(bit or register, value)`` or a Boolean expression.
Condition: TypeAlias = "tuple | expr.Expr"


def has_control_flow(circuit: QuantumCircuit) -> bool:
    """Whether ``circuit`` holds any control-flow operation.

    Examples:
        >>> has_control_flow(QuantumCircuit(1))
        False
    """
    return any(isinstance(inst.operation, ControlFlowOp) for inst in circuit.data)


def condition_bits(condition: Condition) -> list[Clbit]:
    """The classical bits ``condition`` reads, in first-read order, without repeats.

    Raises:
        CircuitInputError: for a condition on a classical variable.

    Examples:
        >>> cr = ClassicalRegister(2, "c")
        >>> [cr.index(b) for b in condition_bits(expr.logic_and(cr[1], expr.equal(cr, 1)))]
        [1, 0]
    """
    if isinstance(condition, tuple):
        target = condition[0]
        return [target] if isinstance(target, Clbit) else list(target)
    bits: dict[Clbit, None] = {}
    for var in expr.iter_vars(condition):
        if isinstance(var.var, Clbit):
            bits[var.var] = None
        elif isinstance(var.var, ClassicalRegister):
            bits.update(dict.fromkeys(var.var))
        else:
            raise CircuitInputError(
                f"condition on the classical variable '{var.name}': dqc distributes "
                "conditions on bits and registers only")
    return list(bits)


def predicate(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit`` with its control flow flattened (see the module docstring).

    A circuit without control flow comes back as it is (the same object).

    Raises:
        CircuitInputError: for what predication cannot express (module docstring).
    """
    if not has_control_flow(circuit):
        return circuit
    flat = _Flattener(circuit)
    identity_q = {q: q for q in circuit.qubits}
    identity_c = {c: c for c in circuit.clbits}
    for inst in circuit.data:
        flat.instruction(inst, identity_q, identity_c, None)
    return flat.out


def _expression(condition: Condition) -> expr.Expr:
    """``condition`` as a Boolean expression."""
    if not isinstance(condition, tuple):
        return condition
    target, value = condition
    if isinstance(target, Clbit):
        return expr.lift(target) if value else expr.logic_not(target)
    return expr.equal(target, value)


def _both(outer: Condition | None, inner: Condition) -> Condition:
    """``outer and inner`` (``inner`` alone at the top level, kept in its own form)."""
    if outer is None:
        return inner
    return expr.logic_and(_expression(outer), _expression(inner))


class _Flattener:
    """Appends the flattened operations of a circuit to ``out``."""

    def __init__(self, circuit: QuantumCircuit) -> None:
        self.out = circuit.copy_empty_like()
        if circuit.num_vars:
            raise CircuitInputError(
                f"the circuit declares {circuit.num_vars} classical variables; dqc "
                "distributes conditions on bits and registers only")
        self.unrolled = 0

    def instruction(self, inst: CircuitInstruction, qmap: dict, cmap: dict,
                    cond: Condition | None) -> None:
        """Append ``inst`` (bits mapped by ``qmap``/``cmap``) under condition ``cond``."""
        op = inst.operation
        qs = [qmap[q] for q in inst.qubits]
        cs = [cmap[c] for c in inst.clbits]
        if isinstance(op, IfElseOp):
            here = self.mapped(op.condition, cmap)
            self.block(op.blocks[0], qs, cs, _both(cond, here))
            if len(op.blocks) > 1:
                self.block(op.blocks[1], qs, cs, _both(cond, expr.logic_not(_expression(here))))
        elif isinstance(op, SwitchCaseOp):
            self.switch(op, qs, cs, cmap, cond)
        elif isinstance(op, ForLoopOp):
            self.for_loop(op, qs, cs, cond)
        elif isinstance(op, BoxOp):  # a scope: its operations, its duration dropped
            self.block(op.blocks[0], qs, cs, cond)
        elif isinstance(op, WhileLoopOp) and cond is None:  # kept whole, on one QPU
            self.out._append(CircuitInstruction(op, tuple(qs), tuple(cs)))
        elif isinstance(op, (WhileLoopOp, BreakLoopOp, ContinueLoopOp)):
            where = "inside a conditional body or loop" if cond is not None else "here"
            raise CircuitInputError(
                f"control flow '{op.name}' {where} is not distributed: dqc flattens "
                "if_test, if_else, switch, for_loop and box into conditional operations "
                "and keeps a while_loop whole only outside them")
        elif cond is None:
            self.out._append(CircuitInstruction(op, tuple(qs), tuple(cs)))
        elif op.name == "barrier":
            self.out._append(CircuitInstruction(op, tuple(qs), ()))
        elif op.name == "swap":  # a conditional swap cannot be relabelled away
            for a, b in ((0, 1), (1, 0), (0, 1)):
                self.conditional(CXGate(), [qs[a], qs[b]], [], cond)
        else:
            self.conditional(op, qs, cs, cond)

    def block(self, body: QuantumCircuit, qs: list[Qubit], cs: list[Clbit],
              cond: Condition | None) -> None:
        """Append the operations of a control-flow ``body`` applied to ``qs``/``cs``."""
        qmap = dict(zip(body.qubits, qs))
        cmap = dict(zip(body.clbits, cs))
        for inst in body.data:
            self.instruction(inst, qmap, cmap, cond)

    def switch(self, op: SwitchCaseOp, qs: list, cs: list, cmap: dict,
               cond: Condition | None) -> None:
        """Each case as its own condition: ``target == value`` (any of its values);
        the default case when no other value matches."""
        target = op.target
        if isinstance(target, Clbit):
            subject: expr.Expr = expr.lift(cmap[target])
        elif isinstance(target, ClassicalRegister):
            subject = expr.lift(self.register(target, cmap))
        else:
            subject = self.mapped(target, cmap)
        seen: list[expr.Expr] = []
        for values, body in op.cases_specifier():
            tests = [expr.equal(subject, v) for v in values if v is not CASE_DEFAULT]
            if any(v is CASE_DEFAULT for v in values):
                if not seen:  # only a default case: it always runs
                    self.block(body, qs, cs, cond)
                    continue
                here: expr.Expr = expr.logic_not(_any_of(seen))
            else:
                here = _any_of(tests)
            seen += tests
            self.block(body, qs, cs, _both(cond, here))

    def for_loop(self, op: ForLoopOp, qs: list, cs: list, cond: Condition | None) -> None:
        """Unroll the loop, binding its parameter to each index in turn."""
        indexset, parameter, body = op.params
        for value in indexset:
            bound = body if parameter is None else body.assign_parameters({parameter: value})
            self.unrolled += len(bound.data)
            if self.unrolled > MAX_UNROLLED_OPERATIONS:
                raise CircuitInputError(
                    f"unrolling for_loop bodies gives more than {MAX_UNROLLED_OPERATIONS:,} "
                    "operations; dqc unrolls loops to distribute them")
            self.block(bound, qs, cs, cond)

    def conditional(self, op: Instruction, qs: list[Qubit], cs: list[Clbit],
                    cond: Condition) -> None:
        """Append ``if (cond) { op }`` as one ``if_test`` on ``op``'s own bits."""
        reads = condition_bits(cond)
        clash = set(cs) & set(reads)
        if clash:
            raise CircuitInputError(
                f"'{op.name}' inside a conditional body writes a bit its condition reads "
                f"({_bit_names(self.out, clash)}); dqc evaluates the condition before each "
                "operation of the body, so write to another bit")
        cargs = cs + [c for c in reads if c not in cs]
        body = QuantumCircuit([Qubit() for _ in qs], [Clbit() for _ in cargs])
        body._append(CircuitInstruction(op, tuple(body.qubits), tuple(body.clbits[:len(cs)])))
        self.out._append(CircuitInstruction(IfElseOp(cond, body), tuple(qs), tuple(cargs)))

    def mapped(self, condition: Condition, cmap: dict) -> Condition:
        """``condition`` of an operation inside a body, on the outer circuit's bits."""
        if isinstance(condition, tuple):
            target, value = condition
            if isinstance(target, Clbit):
                return (cmap[target], value)
            return (self.register(target, cmap), value)
        for bit in condition_bits(condition):
            if cmap[bit] != bit:
                raise CircuitInputError(
                    "a classical expression inside a control-flow body names bits the body "
                    "maps to other bits; build nested blocks on the circuit's own bits")
        return condition

    def register(self, register: ClassicalRegister, cmap: dict) -> ClassicalRegister:
        """A register of a body, as the outer circuit's register on the same bits."""
        bits = [cmap[b] for b in register]
        for outer in self.out.cregs:
            if list(outer) == bits:
                return outer
        raise CircuitInputError(
            f"condition on register '{register.name}' whose bits are no register of the "
            "circuit; condition on the circuit's own registers")


def _any_of(tests: list[expr.Expr]) -> expr.Expr:
    out = tests[0]
    for test in tests[1:]:
        out = expr.logic_or(out, test)
    return out


def _bit_names(circuit: QuantumCircuit, bits) -> str:
    names = []
    for bit in bits:
        where = circuit.find_bit(bit).registers
        names.append(f"{where[0][0].name}[{where[0][1]}]" if where else "a loose bit")
    return ", ".join(sorted(names))
