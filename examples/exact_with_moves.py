"""The fewest ebits with teledata moves, proved: ``PlanTeledata(exact=True)``.

``dqc.compile`` runs the default passes. This script swaps in ``PlanTeledata`` with its
integer program (``dqc.plan.exact_moves``: where every qubit is in every layer, the
moves, the copies and the flips their segments continue through, chosen together on two
QPUs) and runs the same pipeline in a Qiskit ``PassManager``. On the circuit below, six
qubits of random CX / CZ / Pauli / H / T gates on two QPUs of three, the default compile
emits 5 ebits (no plan without moves needs fewer, and it says so); the program finds 2
moves and a flip, 4 ebits in all, proved the fewest of any plan with moves and flips.
The output is verified.

Run: ``python examples/exact_with_moves.py``.
"""

from __future__ import annotations

import random

from dqc.passes import PlanTeledata
from dqc.passes.pass_manager import compile_passes
from qiskit import QuantumCircuit
from qiskit.transpiler import PassManager

import dqc
from dqc.adapter.layout import attach_layout


def random_circuit(seed: int = 30, n: int = 6, ops: int = 40) -> QuantumCircuit:
    """n qubits, ``ops`` random ops of CX / CZ / X / Z / H / T."""
    rng = random.Random(seed)
    qc = QuantumCircuit(n)
    for _ in range(ops):
        kind = rng.choice(("cx", "cx", "cx", "cz", "x", "z", "h", "t"))
        if kind in ("cx", "cz"):
            getattr(qc, kind)(*rng.sample(range(n), 2))
        else:
            getattr(qc, kind)(rng.randrange(n))
    return qc


def compile_with_exact_moves(qc: QuantumCircuit, network: dqc.Network
                             ) -> tuple[QuantumCircuit, dqc.Report, str]:
    """The default passes with ``PlanTeledata(exact=True)``: the circuit (with its
    layout), its report and why its plan was chosen."""
    pm = PassManager([PlanTeledata(network, exact=True) if isinstance(p, PlanTeledata) else p
                      for p in compile_passes(network)])
    out = pm.run(qc)
    distribution = pm.property_set["dqc_distribution"]
    out = attach_layout(out, distribution.layout, qc)
    report = dqc.Report.from_distribution(distribution, network,
                                          ebits=out.count_ops().get("epr", 0), inputs={})
    return out, report, distribution.plan.why


def main() -> None:
    qc = random_circuit()
    network = dqc.Network.all_to_all(2, data_qubits=3, comm_qubits=3)
    default = dqc.compile(qc, network).report
    print(f"default compile: {default.ebits} ebits, {default.moves} moves "
          f"(fewest without moves: {default.fewest_without_moves})")
    out, report, why = compile_with_exact_moves(qc, network)
    print(f"with the integer program: {report.ebits} ebits, {report.moves} moves ({why})")
    outcome = dqc.verify(qc, out, report)
    print(f"verified ({outcome.method})" if outcome.ok else f"NOT VERIFIED: {outcome}")


if __name__ == "__main__":
    main()
