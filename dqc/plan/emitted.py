"""The distributed operations, in output order, before they become a circuit.

:class:`Emitted` holds what a distribution emitted (:class:`dqc.plan.distribution.Builder`'s
records) and the order the output circuit takes them in. Reading :attr:`Emitted.data`
yields the output's instructions one at a time; :meth:`Emitted.circuit` appends them to a
``QuantumCircuit``. :func:`dqc.compile` schedules the instructions *before* it builds the
circuit, so the scheduler's arrays and the circuit (whose ``if_test`` corrections cost
Qiskit about 3 KB each) are never in memory together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from qiskit.circuit import (
    CircuitInstruction,
    ClassicalRegister,
    Clbit,
    Gate,
    IfElseOp,
    Instruction,
    QuantumCircuit,
    QuantumRegister,
    Qubit,
)

__all__ = ["Emitted"]

#: Instructions appended to the output circuit at a time (``CircuitData.extend``).
_CHUNK = 4096
#: Operations whose name decides their cost, and ``epr`` (its link's): :meth:`Emitted.parts`
#: builds no instruction for them.
_NAMED = frozenset({"measure", "reset", "epr"})


@dataclass(frozen=True)
class Emitted:
    """A distribution's operations and the order of the output circuit.

    Attributes:
        qregs: the output's quantum registers (per QPU, data then comm).
        cregs: its classical registers: the input's (same names, sizes and order), then
            the teleport register if any measurement went to it.
        clbit_of: the output bit of each input bit (by the input's bit index).
        tele: the teleport register (added to ``cregs`` only when used).
        ops: the records, in emission order: ``("op", op, qubits, bits)`` with bits as
            ``("in", i)`` / ``("tele", i)``, or ``("if", bit, gate, qubit)`` for
            ``if (tele[bit]) { gate qubit }``.
        order: the output order, a permutation of ``range(len(ops))``.
        name: the circuit's name.
        global_phase: the circuit's global phase.

    Examples:
        >>> from qiskit.circuit.library import HGate
        >>> q, c = QuantumRegister(1, "qpu0"), ClassicalRegister(1, "tele")
        >>> e = Emitted((q,), (c,), {}, c, [("op", HGate(), (0,), ()), ("if", 0, HGate(), 0)],
        ...             [0, 1], "circuit", 0.0)
        >>> [inst.name for inst in e.data], dict(e.circuit().count_ops())
        (['h', 'if_else'], {'h': 1, 'if_else': 1})
    """

    qregs: tuple[QuantumRegister, ...]
    cregs: tuple[ClassicalRegister, ...]
    clbit_of: dict[int, Clbit]
    tele: ClassicalRegister
    ops: list[tuple]
    order: list[int]
    name: str
    global_phase: object

    @property
    def qubits(self) -> list[Qubit]:
        """The output qubits, in register order."""
        return [q for reg in self.qregs for q in reg]

    @property
    def num_qubits(self) -> int:
        """The number of output qubits."""
        return sum(reg.size for reg in self.qregs)

    @property
    def ebits(self) -> int:
        """The number of ``epr`` operations."""
        return sum(1 for entry in self.ops if entry[0] == "op" and entry[1].name == "epr")

    @property
    def data(self) -> Iterator[CircuitInstruction]:
        """The output's instructions, in order (a new iterator on each read, like
        ``QuantumCircuit.data`` read once)."""
        return self._instructions(self.qubits)

    def parts(self) -> Iterator[tuple[str, tuple[int, ...], tuple[Clbit, ...], bool,
                                      CircuitInstruction | None]]:
        """Each instruction of :attr:`data`, in order, as ``(name, qubit indices, bits,
        gate, instruction)``: ``gate`` whether it is a gate other than ``epr`` (its width
        decides its cost). The instruction is built only for an operation other than such
        a gate on one or two qubits, ``measure``, ``reset`` and ``epr`` (else ``None``);
        a correction's is the ``if_test`` shared by all corrections of its bit and Pauli
        (its operation is what counts). What :func:`dqc.estimation.program.build_program`
        reads, without building most instructions.

        Examples:
            >>> from qiskit.circuit.library import HGate
            >>> q, c = QuantumRegister(1, "qpu0"), ClassicalRegister(1, "tele")
            >>> e = Emitted((q,), (c,), {}, c, [("op", HGate(), (0,), ()), ("if", 0, HGate(), 0)],
            ...             [0, 1], "circuit", 0.0)
            >>> [(name, qs, gate, inst is None) for name, qs, _, gate, inst in e.parts()]
            [('h', (0,), True, True), ('if_else', (0,), False, False)]
        """
        qubits, tele, ops, clbits = self.qubits, self.tele, self.ops, self._clbits
        corrections = _Corrections(tele)
        for i in self.order:
            entry = ops[i]
            if entry[0] == "op":
                _, op, qs, cs = entry
                name = op.name
                bits = clbits(cs) if cs else ()
                gate = isinstance(op, Gate) and name != "epr"
                yield name, qs, bits, gate, (
                    None if (gate and len(qs) <= 2) or name in _NAMED else
                    CircuitInstruction(op, tuple([qubits[q] for q in qs]), bits))
            else:
                _, bit, pauli, q = entry
                yield "if_else", (q,), (tele[bit],), False, corrections.get(
                    bit, pauli, (qubits[q],))

    def circuit(self) -> QuantumCircuit:
        """The output circuit (a new one on each call)."""
        out = QuantumCircuit(*self.qregs, *self.cregs, name=self.name,
                             global_phase=self.global_phase)
        chunk: list[CircuitInstruction] = []  # (appended in chunks: one call per chunk)
        for inst in self._instructions(out.qubits):
            chunk.append(inst)
            if len(chunk) == _CHUNK:
                out._data.extend(chunk)
                chunk.clear()
        out._data.extend(chunk)
        return out

    def _instructions(self, qubits: list[Qubit]) -> Iterator[CircuitInstruction]:
        """The instructions over ``qubits`` (the output's), in :attr:`order`."""
        ops, instruction, clbits = self.ops, CircuitInstruction, self._clbits
        corrections = _Corrections(self.tele)
        for i in self.order:
            entry = ops[i]
            if entry[0] == "op":
                _, op, qs, cs = entry
                on = ((qubits[qs[0]],) if len(qs) == 1 else  # (most: one or two qubits)
                      (qubits[qs[0]], qubits[qs[1]]) if len(qs) == 2 else
                      tuple([qubits[q] for q in qs]))
                yield instruction(op, on, clbits(cs) if cs else ())
            else:
                _, bit, pauli, q = entry
                on = (qubits[q],)
                yield corrections.get(bit, pauli, on).replace(qubits=on)


    def _clbits(self, refs: tuple[tuple[str, int], ...]) -> tuple[Clbit, ...]:
        """The output bits of a record's bit references."""
        tele, clbit_of = self.tele, self.clbit_of
        return tuple([tele[i] if kind == "tele" else clbit_of[i] for kind, i in refs])


class _Corrections:
    """The ``if (tele[bit]) { pauli }`` of each bit and Pauli, made once (on the qubits of
    its first use; the others are its copies on other qubits), over one body per Pauli:
    one operation object for all, which the scheduler reads once."""

    def __init__(self, tele: ClassicalRegister) -> None:
        self.tele = tele
        self.made: dict[tuple[int, str], CircuitInstruction] = {}
        self.bodies: dict[str, QuantumCircuit] = {}

    def get(self, bit: int, pauli: Instruction, on: tuple[Qubit]) -> CircuitInstruction:
        """The correction of ``bit`` by ``pauli``, made on ``on`` if it is new."""
        key = (bit, pauli.name)
        made = self.made.get(key)
        if made is None:
            if pauli.name not in self.bodies:
                self.bodies[pauli.name] = _body(pauli)
            made = self.made[key] = CircuitInstruction(
                IfElseOp((self.tele[bit], True), self.bodies[pauli.name]), on, (self.tele[bit],))
        return made


def _body(gate: Instruction) -> QuantumCircuit:
    """The body of ``if (bit) { gate }`` for any one qubit and any bit: its own qubit and
    clbit stand for those the ``if_test`` is applied to (Qiskit maps a block's bits by
    position), so one body serves every correction by ``gate``, and one ``if_test``
    every qubit corrected on that bit."""
    body = QuantumCircuit([Qubit()], [Clbit()])
    body._append(CircuitInstruction(gate, (body.qubits[0],), ()))
    return body
