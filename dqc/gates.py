"""Gates dqc emits and the gate classes the distributor reasons about.

``epr`` is the one operation that crosses a QPU boundary: a 2-qubit gate defined
as ``h a; cx a, b`` on two fresh comm qubits, i.e. it prepares the Bell pair
``(|00> + |11>)/sqrt(2)`` (one ebit).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import numpy as np
from qiskit.circuit import Gate, Instruction, QuantumCircuit
from qiskit.circuit.library import get_standard_gate_name_mapping

from dqc.errors import CircuitInputError

_STANDARD = frozenset(get_standard_gate_name_mapping()) | {"measure", "reset", "barrier", "delay"}

#: Gates the distributor accepts after unrolling (Qiskit standard-gate names).
ONE_QUBIT_BASIS: tuple[str, ...] = (
    "id", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg",
    "rx", "ry", "rz", "p", "u",
)
#: Two-qubit gates kept as they are: each is Z-diagonal on at least one qubit,
#: so a telegate can carry it.
TWO_QUBIT_BASIS: tuple[str, ...] = ("cx", "cy", "cz", "cp", "crz", "rzz")
#: ``swap`` is kept by the unrolling and removed by relabelling (``ElideSwaps``).
RELABELLED: tuple[str, ...] = ("swap",)
#: Non-unitary operations passed through (barriers are split per QPU).
DIRECTIVES: tuple[str, ...] = ("measure", "reset", "barrier", "delay")
BASIS: tuple[str, ...] = ONE_QUBIT_BASIS + TWO_QUBIT_BASIS + RELABELLED + DIRECTIVES
#: Control flow kept as it is (not flattened): its qubits must share one QPU, where it runs.
BLOCKS: tuple[str, ...] = ("while_loop",)


#: The deepest nesting of gate definitions and control-flow blocks an input may have
#: (published circuits nest a handful of levels; Qiskit's copying recurses per level).
MAX_NESTING = 100


def check_nesting(circuit: QuantumCircuit, source: str = "the circuit") -> QuantumCircuit:
    """Return ``circuit`` if its custom gates and blocks nest at most :data:`MAX_NESTING`
    levels deep; raise ``CircuitInputError`` naming the depth otherwise.

    Standard gates are not opened (their definitions are shallow). Each level is
    visited once per distinct sub-circuit, so the check is one pass over the input.

    Examples:
        >>> inner = QuantumCircuit(1); _ = inner.x(0)
        >>> for _ in range(150):
        ...     outer = QuantumCircuit(1); _ = outer.append(inner.to_gate(), [0]); inner = outer
        >>> try:
        ...     check_nesting(outer, "deep.qasm")
        ... except Exception as exc:
        ...     print(exc)
        deep.qasm nests gate definitions or blocks more than 100 levels deep; dqc reads at most 100
    """
    level, depth = [circuit], 0
    while level:
        if depth > MAX_NESTING:
            raise CircuitInputError(
                f"{source} nests gate definitions or blocks more than {MAX_NESTING} levels "
                f"deep; dqc reads at most {MAX_NESTING}")
        seen: dict[int, QuantumCircuit] = {}
        for body in level:
            for sub in _sub_circuits(body):
                seen.setdefault(id(sub), sub)
        level, depth = list(seen.values()), depth + 1
    return circuit


def _sub_circuits(circuit: QuantumCircuit) -> Iterator[QuantumCircuit]:
    """The blocks of control flow and the definitions of custom gates in ``circuit``."""
    for instruction in circuit.data:
        if instruction.name in _STANDARD:  # (read before the operation: building it is slow)
            continue
        op = instruction.operation
        blocks = getattr(op, "blocks", None)
        if blocks:
            yield from blocks
        elif isinstance(op, Instruction) and op.definition is not None:
            yield op.definition


class EPRGate(Gate):
    """Bell-pair preparation ``h a; cx a, b`` on two comm qubits: one ebit.

    Examples:
        >>> from qiskit.quantum_info import Statevector
        >>> qc = QuantumCircuit(2); _ = qc.append(EPRGate(), [0, 1])
        >>> [round(float(a.real), 3) for a in Statevector(qc).data]
        [0.707, 0.0, 0.0, 0.707]
    """

    def __init__(self) -> None:
        super().__init__("epr", 2, [])

    def _define(self) -> None:
        qc = QuantumCircuit(2, name="epr")
        qc.h(0)
        qc.cx(0, 1)
        self.definition = qc


@lru_cache(maxsize=8192)
def _diagonal_qubits(name: str, params: tuple, num_qubits: int, basis: str) -> tuple[int, ...]:
    from qiskit.quantum_info import Operator  # local: Operator import is slowish

    gate = _GATE_CACHE[(name, params, num_qubits)]
    mat = Operator(gate).data
    return tuple(k for k in range(num_qubits) if _commutes(mat, k, basis))


def _commutes(mat: np.ndarray, k: int, basis: str) -> bool:
    """Whether ``mat`` commutes with Z (or X) on qubit ``k`` (bit ``k`` of its indices),
    to 1e-12 in every entry of ``mat P - P mat``, read off the entries directly: with
    Z, that entry is ``±2 mat[i, j]`` where bit ``k`` of ``i`` and ``j`` differ (else 0);
    with X, it is ``mat[i, j ^ b] - mat[i ^ b, j]`` (``b = 1 << k``).

    Examples:
        >>> cx = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]])
        >>> [_commutes(cx, k, "z") for k in (0, 1)], [_commutes(cx, k, "x") for k in (0, 1)]
        ([True, False], [False, True])
    """
    index = np.arange(mat.shape[0])
    if basis == "z":
        differs = (index[:, None] ^ index[None, :]) & (1 << k) != 0
        return bool(np.all(np.abs(2 * mat[differs]) <= 1e-12))
    flipped = index ^ (1 << k)
    return bool(np.all(np.abs(mat[:, flipped] - mat[flipped, :]) <= 1e-12))


_GATE_CACHE: dict[tuple, Instruction] = {}


def diagonal_qubits(op: Instruction, basis: str = "z") -> tuple[int, ...]:
    """The positions of ``op``'s qubits on which it is diagonal in the Z (or X) basis.

    A gate is Z-diagonal on qubit k when it commutes with Z on k (X-diagonal: with
    X on k); such a qubit can stay in its *segment* of that basis through the gate,
    and a cat-entangled copy of it in that basis on another QPU can stand in for it.
    A CX is Z-diagonal on its control and X-diagonal on its target.

    Examples:
        >>> from qiskit.circuit.library import CXGate, CPhaseGate, HGate
        >>> diagonal_qubits(CXGate()), diagonal_qubits(CPhaseGate(0.3)), diagonal_qubits(HGate())
        ((0,), (0, 1), ())
        >>> diagonal_qubits(CXGate(), "x")
        (1,)
        >>> from qiskit.circuit import Clbit, IfElseOp
        >>> body = QuantumCircuit(2, 1); _ = body.cx(0, 1)
        >>> diagonal_qubits(IfElseOp((body.clbits[0], True), body))
        (0,)
    """
    if op.name == "delay":
        return tuple(range(op.num_qubits))
    if op.name == "if_else" and len(op.blocks) == 1 and len(op.blocks[0].data) == 1:
        # a conditional operation (dqc.plan.predication): diagonal where its operation
        # is, for either value of the condition; its body's qubits are the op's, in order
        inner = op.blocks[0].data[0]
        if [op.blocks[0].find_bit(q).index for q in inner.qubits] == list(range(op.num_qubits)):
            return diagonal_qubits(inner.operation, basis)
        return ()
    if op.name in ("measure", "reset", "barrier") or not isinstance(op, Gate):
        return ()
    params = tuple(float(p) for p in op.params)
    key = (op.name, params, op.num_qubits)
    _GATE_CACHE.setdefault(key, op)
    return _diagonal_qubits(*key, basis)
