"""Deferred measurement: the bookkeeping both verification methods share.

A measurement into one of the input's bits becomes ``CX q aux`` and a reset of a
data qubit becomes ``SWAP q aux``, each with a fresh auxiliary qubit; this turns
the input circuit into a unitary while keeping it equivalent as a channel.
Events are keyed ``(kind, index, occurrence)``: the j-th measurement into input
clbit c is ``("measure", c, j)``, the j-th reset of input qubit q ``("reset", q, j)``.
Keying per bit and per qubit (not by global position) makes the keys independent
of how a compiler orders operations that commute.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container

from qiskit import QuantumCircuit
from qiskit.circuit import Clbit


def deferred_events(circuit: QuantumCircuit, skip: Container[int] = ()) -> list[tuple]:
    """Sorted keys of the measurements and resets of ``circuit`` (instructions in ``skip`` aside).

    Examples:
        >>> qc = QuantumCircuit(2, 1); _ = qc.measure(0, 0); _ = qc.reset(1); _ = qc.measure(1, 0)
        >>> deferred_events(qc)
        [('measure', 0, 0), ('measure', 0, 1), ('reset', 1, 0)]
    """
    keys: list[tuple] = []
    writes: Counter[int] = Counter()
    resets: Counter[int] = Counter()
    for i, inst in enumerate(circuit.data):
        name = inst.operation.name
        if name == "measure" and i not in skip:
            c = circuit.find_bit(inst.clbits[0]).index
            keys.append(("measure", c, writes[c]))
            writes[c] += 1
        elif name == "reset":
            q = circuit.find_bit(inst.qubits[0]).index
            keys.append(("reset", q, resets[q]))
            resets[q] += 1
    return sorted(keys)


def input_clbits(original: QuantumCircuit, compiled: QuantumCircuit) -> dict[Clbit, int]:
    """Compiled clbits in the input's registers (same order) -> input clbit index."""
    return {
        b_out: original.find_bit(b_in).index
        for reg_in, reg_out in zip(original.cregs, compiled.cregs)
        for b_in, b_out in zip(reg_in, reg_out)
    }
