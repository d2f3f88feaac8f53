"""Reused data qubits, split back into one wire per life before the equivalence checks.

With reuse (:mod:`dqc.plan.lives`) an output data qubit holds several input qubits over
the circuit, one after another: a qubit measured for the last time *dies* and the data
qubit is reset for the next one, which is *born* there (its first gates waited). The
report lists both (``births``, ``deaths``: output qubit and the count of its resets).
:func:`separate_lives` rewrites the compiled circuit so that each life after such a reset
runs on a wire of its own, appended to the circuit on the same QPU:

* a birth's reset is dropped and its wire is where the born input qubit starts
  (``initial_layout``): the wire holds the input's state from the start, as every other
  input qubit's does; the real circuit gives it ``|0>`` there (the reset), which is the
  input's state when the circuit starts in ``|0...0>``;
* after a death, the dead qubit's wire ends there (``final_layout``), and what the data
  qubit does after its next reset runs on a fresh wire (a spare data qubit's life).

Splitting a wire at a ``reset`` changes nothing after it (a reset's output is ``|0>``
whatever came before), so the checks of the rewritten circuit prove the compiled one
equivalent to its input on inputs that start in ``|0>`` — up to the states a dead qubit
is left in after its final measurement, which the reset discards (the input keeps them,
but they only repeat the measured bits).

Examples:
    Input qubit 1 is born on output qubit 0 after input qubit 0 died there::

        >>> from qiskit import QuantumCircuit
        >>> from dqc.estimation.report import Report
        >>> qc = QuantumCircuit(1, 2); _ = qc.x(0); _ = qc.measure(0, 0)
        >>> _ = qc.reset(0); _ = qc.h(0); _ = qc.measure(0, 1)
        >>> rep = Report.from_dict({"ebits": 0, "ebits_per_link": {}, "remote_gates": 0,
        ...     "ebits_lower_bound": 0, "qubit_qpu": ["a"], "comm_qubits": [],
        ...     "initial_layout": [0, 0], "final_layout": [0, 0], "qpus": {"a": {}},
        ...     "links": [], "input": {}, "seed": 0, "partition_cost": 0,
        ...     "births": [[1, 0, 1]], "deaths": [[0, 0, 0]]})
        >>> split, rep2 = separate_lives(qc, rep)
        >>> [(i.name, [split.find_bit(q).index for q in i.qubits]) for i in split.data]
        [('x', [0]), ('measure', [0]), ('h', [1]), ('measure', [1])]
        >>> rep2.initial_layout, rep2.final_layout, rep2.qubit_qpu
        ((0, 1), (0, 1), ('a', 'a'))
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import replace

from qiskit import QuantumCircuit, QuantumRegister
from qiskit.circuit import CircuitInstruction

from dqc.errors import VerificationError
from dqc.estimation.report import Report

__all__ = ["separate_lives"]


def separate_lives(compiled: QuantumCircuit, rep: Report) -> tuple[QuantumCircuit, Report]:
    """``compiled`` with every life that follows a reuse on a wire of its own, and the
    report that lays it out (``births`` and ``deaths`` empty); unchanged without reuse."""
    if not rep.births and not rep.deaths:
        return compiled, rep
    splits: dict[tuple[int, int], int | None] = {(p, j): q for q, p, j in rep.births}
    for _, p, j in rep.deaths:
        splits.setdefault((p, j + 1), None)
    comm = set(rep.comm_qubits)
    index = {q: i for i, q in enumerate(compiled.qubits)}
    tele = next((r for r in compiled.cregs if r.name == rep.teleport_register), None)
    tele_bits = set(tele) if tele is not None else set()
    pending: dict[int, deque[int]] = {}
    for a, b in rep.teleports:
        pending.setdefault(a, deque()).append(b)
    n = compiled.num_qubits
    cur = list(range(n))  # output qubit -> the wire its current life runs on
    resets: Counter[int] = Counter()
    life_wire: dict[tuple[int, int], int] = {(p, 0): p for p in range(n)}
    wire_qpu = list(rep.qubit_qpu)
    initial = list(rep.initial_layout)
    teleports: list[tuple[int, int]] = []
    body: list[tuple] = []
    last: dict[int, CircuitInstruction] = {}  # wire -> its last instruction
    for inst in compiled.data:
        qs = [index[q] for q in inst.qubits]
        if inst.operation.name == "reset" and qs[0] not in comm:
            p = qs[0]
            resets[p] += 1
            key = (p, resets[p])
            if key in splits:
                cur[p] = len(wire_qpu)
                wire_qpu.append(rep.qubit_qpu[p])
                born = splits.pop(key)
                life_wire[key] = cur[p]
                if born is not None:
                    initial[born] = cur[p]
                    continue  # (the wire holds the input's state from the start)
            life_wire[key] = cur[p]
        elif (inst.operation.name == "measure" and qs[0] not in comm and pending.get(qs[0])
              and inst.clbits[0] in tele_bits):
            teleports.append((cur[qs[0]], pending[qs[0]].popleft()))
        body.append((inst, [cur[p] for p in qs]))
        for p in qs:
            last[cur[p]] = inst
    missing = [key for key, q in splits.items() if q is not None]
    if missing:
        p, j = missing[0]
        raise VerificationError(f"the report has an input qubit born after reset {j} of "
                                f"output qubit {p}, which has {resets[p]}")
    final = [cur[p] for p in rep.final_layout]
    for q, p, j in rep.deaths:
        if (p, j) not in life_wire:
            raise VerificationError(f"the report has input qubit {q} end after reset {j} of "
                                    f"output qubit {p}, which has {resets[p]}")
        final[q] = life_wire[(p, j)]
        end = last.get(final[q])
        if end is None or end.operation.name != "measure" or end.clbits[0] in tele_bits:
            raise VerificationError(
                f"the report has input qubit {q} end after reset {j} of output qubit {p}, "
                "but that life does not end in a measurement into the input's bits (a "
                "reset would discard its state)")
    out = QuantumCircuit(*compiled.qregs, *compiled.cregs, name=compiled.name,
                         global_phase=compiled.global_phase)
    if len(wire_qpu) > n:
        out.add_register(QuantumRegister(len(wire_qpu) - n, "_lives"))
    for inst, wires in body:
        out._append(CircuitInstruction(inst.operation, [out.qubits[w] for w in wires],
                                       inst.clbits))
    return out, replace(rep, qubit_qpu=tuple(wire_qpu), initial_layout=tuple(initial),
                        final_layout=tuple(final), teleports=tuple(teleports),
                        births=(), deaths=())
