"""Deferred measurement: the bookkeeping both verification methods share.

A measurement into one of the input's bits becomes ``CX q aux`` and a reset of a
data qubit becomes ``SWAP q aux``, each with a fresh auxiliary qubit; this turns
the input circuit into a unitary while keeping it equivalent as a channel.
Events are keyed ``(kind, index, occurrence)``: the j-th measurement into input
clbit c is ``("measure", c, j)``, the j-th reset of input qubit q ``("reset", q, j)``.
Keying per bit and per wire (not by global position) makes the keys independent
of how a compiler orders operations that commute; resets are keyed by *wire* —
the qubit a state started on, followed through ``swap`` gates — because a
compiler may remove a swap by relabelling (:class:`~dqc.passes.ElideSwaps`).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Container, Iterable

from qiskit import QuantumCircuit
from qiskit.circuit import Clbit

from dqc.errors import VerificationError


class Wires:
    """Which wire (starting qubit of a state) each circuit qubit holds, through swaps.

    ``teleports`` lists the teledata moves of a compiled circuit, ``(from, to)`` in
    circuit order (:attr:`dqc.passes.DistributedLayout.teleports`): a protocol
    measurement of a qubit holding a wire hands the wire to ``to``.

    Examples:
        >>> w = Wires({0: 0, 1: 1, 2: 2}); w.swap(0, 2); w.wire(0), w.wire(2)
        (2, 0)
        >>> w = Wires({0: 0}, teleports=[(0, 5)]); w.measured(0); w.wire(0), w.wire(5)
        (None, 0)
    """

    def __init__(self, start: dict[int, int],
                 teleports: Iterable[tuple[int, int]] = ()) -> None:
        self.holder = dict(start)
        self.pending: dict[int, deque[int]] = {}
        for a, b in teleports:
            self.pending.setdefault(a, deque()).append(b)

    def measured(self, q: int) -> None:
        """Record a protocol (teleport-register) measurement of circuit qubit ``q``."""
        w = self.holder.get(q)
        if w is None:
            return
        if not self.pending.get(q):
            raise VerificationError(
                f"qubit {q} holds input wire {w} and is measured by the protocol, but the "
                "report lists no teledata move from it"
            )
        self.holder.pop(q)
        self.holder[self.pending[q].popleft()] = w

    def swap(self, a: int, b: int) -> None:
        """Record a swap of circuit qubits ``a`` and ``b``."""
        wa, wb = self.holder.get(a), self.holder.get(b)
        for q, w in ((a, wb), (b, wa)):
            if w is None:
                self.holder.pop(q, None)
            else:
                self.holder[q] = w

    def wire(self, q: int) -> int | None:
        """The wire circuit qubit ``q`` holds now (``None``: an ancilla such as a comm qubit)."""
        return self.holder.get(q)


def deferred_events(circuit: QuantumCircuit, skip: Container[int] = ()) -> list[tuple]:
    """Sorted keys of the measurements and resets of ``circuit`` (instructions in ``skip`` aside).

    Examples:
        >>> qc = QuantumCircuit(2, 1); _ = qc.measure(0, 0); _ = qc.reset(1); _ = qc.measure(1, 0)
        >>> _ = qc.swap(0, 1); _ = qc.reset(1)
        >>> deferred_events(qc)
        [('measure', 0, 0), ('measure', 0, 1), ('reset', 0, 0), ('reset', 1, 0)]
    """
    keys: list[tuple] = []
    writes: Counter[int] = Counter()
    resets: Counter[int | None] = Counter()
    wires = Wires({q: q for q in range(circuit.num_qubits)})
    for i, inst in enumerate(circuit.data):
        name = inst.operation.name
        qs = [circuit.find_bit(q).index for q in inst.qubits]
        if name == "measure" and i not in skip:
            c = circuit.find_bit(inst.clbits[0]).index
            keys.append(("measure", c, writes[c]))
            writes[c] += 1
        elif name == "reset":
            w = wires.wire(qs[0])
            keys.append(("reset", w, resets[w]))
            resets[w] += 1
        elif name == "swap":
            wires.swap(*qs)
    return sorted(keys)


def input_clbits(original: QuantumCircuit, compiled: QuantumCircuit) -> dict[Clbit, int]:
    """Compiled clbits in the input's registers (same order) -> input clbit index."""
    return {
        b_out: original.find_bit(b_in).index
        for reg_in, reg_out in zip(original.cregs, compiled.cregs)
        for b_in, b_out in zip(reg_in, reg_out)
    }
