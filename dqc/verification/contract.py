"""The output contract: what every compiled circuit must satisfy, checked.

Qubits grouped by QPU; ``epr`` only on comm qubits of linked QPUs, fresh or just
reset; every other multi-qubit operation inside one QPU; the input's classical
registers kept (the full contract: ``docs/design.md``).
"""

from __future__ import annotations

from collections import Counter

from qiskit import QuantumCircuit

from dqc.errors import VerificationError, plural
from dqc.estimation.report import Report

__all__ = ["check_contract"]


def check_contract(original: QuantumCircuit, compiled: QuantumCircuit, rep: Report) -> str:
    """Check the output contract (docs/design.md); return a summary or raise VerificationError."""
    n_out = compiled.num_qubits
    if len(rep.qubit_qpu) != n_out:
        raise VerificationError(
            f"report names a QPU for {plural(len(rep.qubit_qpu), 'qubit')}, the circuit has {n_out}"
        )
    if len(rep.initial_layout) != original.num_qubits:
        raise VerificationError(
            f"report lays out {plural(len(rep.initial_layout), 'qubit')}, the input has "
            f"{original.num_qubits}"
        )
    comm = set(rep.comm_qubits)
    links = {frozenset(pair) for pair in rep.links}
    clean = {m: True for m in comm}
    per_link: Counter[str] = Counter()
    link_key = {frozenset(pair): f"{pair[0]}-{pair[1]}" for pair in rep.links}
    index = {q: k for k, q in enumerate(compiled.qubits)}
    qpu_of = rep.qubit_qpu
    for inst in compiled.data:
        qs = [index[q] for q in inst.qubits]
        name = inst.operation.name
        if name == "epr":
            a, b = qs
            if a not in comm or b not in comm:
                raise VerificationError(f"epr on qubits {a}, {b}, which are not both comm qubits")
            pair = frozenset((rep.qubit_qpu[a], rep.qubit_qpu[b]))
            if pair not in links:
                raise VerificationError(
                    f"epr between {rep.qubit_qpu[a]} and {rep.qubit_qpu[b]}, which share no link"
                )
            if not (clean[a] and clean[b]):
                raise VerificationError(f"epr on comm qubit {a if not clean[a] else b} not reset")
            per_link[link_key[pair]] += 1
        elif len(qs) > 1 and any(qpu_of[q] != qpu_of[qs[0]] for q in qs):
            raise VerificationError(
                f"'{name}' on qubits {qs} spans QPUs {sorted({qpu_of[q] for q in qs})}; only "
                "epr may cross QPUs")
        for q in qs:
            if q in clean:
                clean[q] = name == "reset"
    total = sum(per_link.values())
    if total != rep.ebits:
        raise VerificationError(f"circuit has {total} epr, report says {rep.ebits}")
    for key, count in rep.ebits_per_link.items():
        if per_link.get(key, 0) != count:
            raise VerificationError(
                f"link {key} carries {per_link.get(key, 0)} epr, report says {count}"
            )
    names_in = [(r.name, r.size) for r in original.cregs]
    names_out = [(r.name, r.size) for r in compiled.cregs[: len(names_in)]]
    if names_in != names_out:
        raise VerificationError(
            f"classical registers changed: input {names_in}, output starts with {names_out}"
        )
    for qpu, info in rep.qpus.items():
        have = sum(1 for q in comm if rep.qubit_qpu[q] == qpu)
        if have > info["comm"]:
            raise VerificationError(
                f"QPU {qpu} uses {plural(have, 'comm qubit')}, has {info['comm']}")
    return f"output contract holds ({total} epr)"
