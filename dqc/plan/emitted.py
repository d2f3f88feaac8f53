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
    IfElseOp,
    Instruction,
    QuantumCircuit,
    QuantumRegister,
    Qubit,
)

__all__ = ["Emitted"]

#: Instructions appended to the output circuit at a time (``CircuitData.extend``).
_CHUNK = 4096


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
        tele, clbit_of, ops, instruction = self.tele, self.clbit_of, self.ops, CircuitInstruction

        def clbit(ref: tuple[str, int]) -> Clbit:
            kind, i = ref
            return tele[i] if kind == "tele" else clbit_of[i]

        shared: dict[tuple[int, str], CircuitInstruction] = {}  # one if_test per (bit, Pauli)
        bodies: dict[str, QuantumCircuit] = {}  # one body per correction (see _body)
        for i in self.order:
            entry = ops[i]
            if entry[0] == "op":
                _, op, qs, cs = entry
                on = ((qubits[qs[0]],) if len(qs) == 1 else  # (most: one or two qubits)
                      (qubits[qs[0]], qubits[qs[1]]) if len(qs) == 2 else
                      tuple([qubits[q] for q in qs]))
                yield instruction(op, on, tuple([clbit(c) for c in cs]) if cs else ())
                continue
            _, bit, gate, q = entry
            key = (bit, gate.name)
            if key not in shared:
                if gate.name not in bodies:
                    bodies[gate.name] = _body(gate)
                shared[key] = instruction(IfElseOp((tele[bit], True), bodies[gate.name]),
                                          (qubits[q],), (tele[bit],))
                yield shared[key]
            else:  # (one operation object for all: read once by the scheduler)
                yield shared[key].replace(qubits=(qubits[q],))


def _body(gate: Instruction) -> QuantumCircuit:
    """The body of ``if (bit) { gate }`` for any one qubit and any bit: its own qubit and
    clbit stand for those the ``if_test`` is applied to (Qiskit maps a block's bits by
    position), so one body serves every correction by ``gate``, and one ``if_test``
    every qubit corrected on that bit."""
    body = QuantumCircuit([Qubit()], [Clbit()])
    body._append(CircuitInstruction(gate, (body.qubits[0],), ()))
    return body
