"""The input's classical control, verified by deferral or branch by branch.

A flattened dynamic circuit (:mod:`dqc.plan.predication`) has conditional operations
whose conditions read the input's own bits. Two ways to check a compiled copy of it:

* **Deferral** — every such operation is ``if (bit) { Pauli }``: the measurement that
  wrote the bit is already deferred onto an auxiliary qubit (``CX q aux``), and the
  conditional Pauli becomes the controlled Pauli ``C-P(aux, target)`` (the deferred
  measurement principle). Still Clifford, so stim checks it at any size
  (:class:`~dqc.verification.stim_translation.Translator` does this).
* **Branches** — otherwise (register conditions, expressions, non-Pauli bodies): a
  *branch* fixes the value of every measurement a condition reads (each write of a
  bit that some condition reads afterwards, ``(bit, occurrence)``); :func:`resolve`
  replaces each conditional operation of both circuits by its body or by nothing, as
  that branch decides, and each pair of resolved circuits is checked as a static one.
  Sound because a branch's Kraus operator (the measurements projected onto the
  branch's values) is the resolved circuit's with those projections: if the resolved
  circuits agree (as unitaries with deferred measurements), so do the branches, and
  the channel is their sum. Up to :data:`MAX_BRANCHES` branches are all checked;
  beyond, that many are drawn at random (seeded) and the result says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, ClassicalRegister, Clbit
from qiskit.circuit.classical import expr

from dqc.errors import VerificationError

__all__ = ["MAX_BRANCHES", "Branch", "branches", "deferrable", "evaluate", "read_writes",
           "resolve"]

#: Most classical branches checked one by one; beyond, a seeded sample of this many.
MAX_BRANCHES = 64

#: A branch: the value of each ``(input bit, occurrence)`` write a condition reads.
Branch = dict[tuple[int, int], bool]


def _input_condition(inst: CircuitInstruction, in_bits: Mapping[Clbit, int]) -> bool:
    """Whether ``inst`` is an ``if_test`` on the input's own bits."""
    return inst.name == "if_else" and any(c in in_bits for c in inst.clbits)


def read_writes(circuit: QuantumCircuit, in_bits: Mapping[Clbit, int]) -> list[tuple[int, int]]:
    """The ``(input bit, occurrence)`` writes that some condition reads, sorted.

    Examples:
        >>> from qiskit.circuit.library import XGate
        >>> qc = QuantumCircuit(1, 2); _ = qc.measure(0, 1)
        >>> with qc.if_test((qc.clbits[1], 1)):
        ...     _ = qc.x(0)
        >>> read_writes(qc, {c: i for i, c in enumerate(qc.clbits)})
        [(1, 0)]
    """
    count: dict[int, int] = {}  # measurements into each bit so far
    possible: dict[int, list[tuple[int, int]]] = {}  # writes that may hold its value now
    read: set[tuple[int, int]] = set()
    for inst in circuit.data:
        conditional = _input_condition(inst, in_bits)
        if conditional:
            for bit in condition_bits(inst.operation.condition):
                read.update(possible.get(in_bits[bit], ()))
        for i in _written(inst, in_bits):
            key = (i, count.get(i, 0))
            count[i] = key[1] + 1
            possible[i] = [*possible.get(i, []), key] if conditional else [key]
    return sorted(read)


def deferrable(circuit: QuantumCircuit, in_bits: Mapping[Clbit, int]) -> bool:
    """Whether every input-conditioned operation is ``if (bit) { x | y | z }``."""
    for inst in circuit.data:
        if _input_condition(inst, in_bits):
            op = inst.operation
            body = op.blocks[0]
            if (not isinstance(op.condition, tuple) or not isinstance(op.condition[0], Clbit)
                    or [b.name for b in body.data] not in (["x"], ["y"], ["z"])):
                return False
    return True


def branches(keys: list[tuple[int, int]], seed: int) -> tuple[list[Branch], int]:
    """The branches to check over ``keys`` and how many there are in all.

    All of them up to :data:`MAX_BRANCHES`, else that many drawn at random (seeded).

    Examples:
        >>> chosen, total = branches([(0, 0), (1, 0)], seed=0)
        >>> total, chosen[1]
        (4, {(0, 0): False, (1, 0): True})
    """
    total = 2 ** len(keys)
    if total <= MAX_BRANCHES:
        return [dict(zip(keys, values))
                for values in itertools.product((False, True), repeat=len(keys))], total
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, 2, size=(MAX_BRANCHES, len(keys))).astype(bool)
    return [dict(zip(keys, map(bool, row))) for row in picks], total


def resolve(circuit: QuantumCircuit, in_bits: Mapping[Clbit, int], branch: Branch
            ) -> QuantumCircuit:
    """``circuit`` with each condition on the input's bits decided by ``branch``.

    A bit never written reads 0; a read of a write ``branch`` does not fix raises
    :class:`~dqc.errors.VerificationError` (the compiled circuit reads what the input
    does not).
    """
    out = circuit.copy_empty_like()
    count: dict[int, int] = {}  # measurements into each bit so far, taken or not
    current: dict[int, tuple[int, int]] = {}  # the write each bit holds

    def value(bit: Clbit) -> bool:
        key = current.get(in_bits[bit])
        if key is None:
            return False
        if key not in branch:
            raise VerificationError(
                f"a condition reads input bit {key[0]} after its write #{key[1] + 1}, which "
                "no condition of the input reads")
        return branch[key]

    for inst in circuit.data:
        taken = True
        if _input_condition(inst, in_bits):
            taken = evaluate(inst.operation.condition, value)
            if taken:
                for inner in _body(inst):
                    out._append(inner)
        else:
            out._append(inst)
        for i in _written(inst, in_bits):
            key = (i, count.get(i, 0))
            count[i] = key[1] + 1
            if taken:
                current[i] = key
    return out


def evaluate(condition, value: Callable[[Clbit], bool]) -> bool:
    """The truth of a Qiskit condition given each bit's ``value``.

    Examples:
        >>> cr = ClassicalRegister(2, "c")
        >>> evaluate(expr.equal(cr, 2), lambda b: cr.index(b) == 1)
        True
        >>> evaluate((cr[0], 1), lambda b: False)
        False
    """
    if isinstance(condition, tuple):
        target, wanted = condition
        if isinstance(target, Clbit):
            return value(target) == bool(wanted)
        return _register(target, value) == wanted
    return bool(_expr(condition, value))


def _register(register: ClassicalRegister, value: Callable[[Clbit], bool]) -> int:
    return sum(1 << k for k, bit in enumerate(register) if value(bit))


_BINARY: dict = {
    expr.Binary.Op.BIT_AND: lambda a, b: a & b,
    expr.Binary.Op.BIT_OR: lambda a, b: a | b,
    expr.Binary.Op.BIT_XOR: lambda a, b: a ^ b,
    expr.Binary.Op.LOGIC_AND: lambda a, b: bool(a) and bool(b),
    expr.Binary.Op.LOGIC_OR: lambda a, b: bool(a) or bool(b),
    expr.Binary.Op.EQUAL: lambda a, b: a == b,
    expr.Binary.Op.NOT_EQUAL: lambda a, b: a != b,
    expr.Binary.Op.LESS: lambda a, b: a < b,
    expr.Binary.Op.LESS_EQUAL: lambda a, b: a <= b,
    expr.Binary.Op.GREATER: lambda a, b: a > b,
    expr.Binary.Op.GREATER_EQUAL: lambda a, b: a >= b,
}


def _expr(node: expr.Expr, value: Callable[[Clbit], bool]):
    """The value of a classical expression (Booleans and unsigned integers)."""
    if isinstance(node, expr.Var):
        var = node.var
        return value(var) if isinstance(var, Clbit) else _register(var, value)
    if isinstance(node, expr.Value):
        return node.value
    if isinstance(node, expr.Cast):
        inner = _expr(node.operand, value)
        return bool(inner) if node.type.kind is expr.types.Bool else int(inner)
    if isinstance(node, expr.Unary):
        inner = _expr(node.operand, value)
        if node.op is expr.Unary.Op.LOGIC_NOT:
            return not inner
        if node.op is expr.Unary.Op.BIT_NOT:
            return (not inner) if isinstance(inner, bool) else ~inner & ((1 << node.type.width) - 1)
    if isinstance(node, expr.Binary) and node.op in _BINARY:
        return _BINARY[node.op](_expr(node.left, value), _expr(node.right, value))
    if isinstance(node, expr.Index):
        return bool((_expr(node.target, value) >> _expr(node.index, value)) & 1)
    raise VerificationError(f"cannot evaluate the condition {node}")


def condition_bits(condition) -> list[Clbit]:
    """The bits a condition reads: a ``(bit or register, value)`` pair or an expression.

    Examples:
        >>> qc = QuantumCircuit(1, 2)
        >>> condition_bits((qc.clbits[1], 1)) == [qc.clbits[1]]
        True
    """
    if isinstance(condition, tuple):
        target = condition[0]
        return [target] if isinstance(target, Clbit) else list(target)
    bits: list[Clbit] = []
    for var in expr.iter_vars(condition):
        bits.extend([var.var] if isinstance(var.var, Clbit) else var.var)
    return bits


def _body(inst: CircuitInstruction) -> list[CircuitInstruction]:
    """The operations of ``if_test`` ``inst``'s body, on the circuit's own bits."""
    body = inst.operation.blocks[0]
    return [inner.replace(
        qubits=[inst.qubits[body.find_bit(q).index] for q in inner.qubits],
        clbits=[inst.clbits[body.find_bit(c).index] for c in inner.clbits])
        for inner in body.data]


def _written(inst: CircuitInstruction, in_bits: Mapping[Clbit, int]) -> list[int]:
    """The input bits ``inst`` measures into (a conditional ``inst``: if taken)."""
    if inst.name == "if_else":
        return [i for inner in _body(inst) for i in _written(inner, in_bits)]
    if inst.name != "measure":
        return []
    return [in_bits[c] for c in inst.clbits if c in in_bits]
