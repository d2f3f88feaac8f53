"""Compile a circuit with mid-circuit measurements, run it on qiskit-aer, compare.

The compiled circuit is a dynamic circuit (Bell pairs, mid-circuit measurements,
``if_test`` feed-forward). Run on ``AerSimulator``, its outcomes over the input's
own classical register must follow the original circuit's distribution. The
original's distribution is computed exactly (dqc.adapter.aer.exact_distribution branches
on every measurement), so one sample suffices: with ``SHOTS`` shots and ``K``
possible outcomes, a correct circuit stays within total variation distance
``dqc.adapter.aer.tvd_bound(SHOTS, K)`` of it except with probability 1e-6 (the bound's
derivation is in its docstring).

Run: ``python examples/run_on_aer.py`` (needs qiskit-aer: ``pip install qiskit-aer``,
or ``pip install ".[sim]"`` from the checkout).
"""

from __future__ import annotations

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

import dqc
from dqc.adapter.aer import exact_distribution, run_on_aer, total_variation, tvd_bound
from dqc.adapter.layout import attach_layout

SHOTS = 4000


def circuit() -> QuantumCircuit:
    """Six qubits, entangled across the network, measured half way and reused."""
    q, c = QuantumRegister(6, "q"), ClassicalRegister(5, "c")
    qc = QuantumCircuit(q, c)
    qc.h(0)
    qc.cx(0, 3)                 # 0 and 3 end up on different QPUs
    qc.ry(0.7, 5)
    qc.cx(5, 1)
    qc.measure(0, c[0])         # mid-circuit measurement ...
    qc.reset(0)                 # ... and reuse of the qubit
    qc.rx(1.1, 0)
    qc.cz(0, 4)
    qc.crz(0.9, 3, 2)
    qc.cx(1, 4)
    qc.t(2)
    qc.h(2)
    qc.measure([2, 3, 4, 5], [c[1], c[2], c[3], c[4]])
    return qc


def main() -> float:
    """Compile, verify, run on Aer and print the distance; return it."""
    qc = circuit()
    network = dqc.Network.line(3, data_qubits=2, comm_qubits=2)
    result = dqc.compile(qc, network, seed=1)
    print(dqc.verify(qc, result.circuit, result.report))
    compiled = attach_layout(result.circuit, result.report, qc)
    print(f"ebits: {result.report.ebits} {result.report.ebits_per_link}; compiled circuit: "
          f"{compiled.num_qubits} qubits, {compiled.count_ops().get('measure', 0)} measurements")
    print(f"input qubit -> output qubit at the end: {compiled.layout.final_index_layout()}")
    counts = run_on_aer(compiled, shots=SHOTS, seed=2024)
    exact = exact_distribution(qc)
    distance = total_variation(counts, exact)
    bound = tvd_bound(SHOTS, len(exact))
    print(f"{len(exact)} outcomes; total variation distance to the exact distribution "
          f"{distance:.4f} over {SHOTS} shots (bound for a correct circuit: {bound:.4f}): "
          f"{'same distribution' if distance <= bound else 'DIFFERENT'}")
    return distance


if __name__ == "__main__":
    main()
