"""Exact verification of the non-Clifford rows of ``benchmarks.ebits``.

Usage::

    python -m benchmarks.verify_exact [--method auto|pauli|qcec] [--qpus 2 4 8]
                                      [--topology all-to-all line] [--timeout 60]
                                      [--only NAME ...] [--out PREFIX]

Every circuit of :mod:`benchmarks.ebits` (its folder and its generated ones), compiled
as that benchmark compiles it (``ceil(n / K)`` data qubits and 2 comm qubits per QPU),
then ``dqc.verify(..., method=METHOD, max_sim_qubits=0, qcec_timeout=TIMEOUT)``: with
``auto`` (the default) the Pauli-rotation proof first and QCEC when it gives none, never
the simulator. Clifford rows are ``stim-flows`` already (exact at any size) and are left
out of the share; so are rows the compiler rejects. Prints one line per row — circuit,
qubits, gates (of the compiled circuit), K, topology, method, result, seconds (of the
verification) — then the share proved exactly (``pauli-rotations`` or ``qcec-dd``)
within the time limit, and writes ``PREFIX.md`` / ``PREFIX.csv`` (default
``benchmarks/results/verify_exact``). QCEC needs ``pip install "dqc-compiler[verify]"``.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from dqc.passes import UnrollForDistribution
from qiskit import QuantumCircuit

import dqc
from benchmarks.ebits import CIRCUITS, HERE, generated
from dqc.cli import TOPOLOGIES
from dqc.verification.deferral import Wires
from dqc.verification.stim_translation import NonClifford, Translator

COLUMNS = ["circuit", "qubits", "gates", "K", "topology", "method", "result", "seconds"]


def is_clifford(circuit: QuantumCircuit) -> bool:
    """Whether the unrolled circuit translates to stim exactly (no skeleton)."""
    unrolled = UnrollForDistribution()(circuit)
    try:
        Translator(unrolled, list(range(unrolled.num_qubits)), skeleton=False,
                   aux=lambda key: 0, wires=Wires({q: q for q in range(unrolled.num_qubits)}),
                   measured_bits={b: i for i, b in enumerate(unrolled.clbits)}).run()
    except NonClifford:
        return False
    except Exception:  # noqa: BLE001 - anything else: let the row say what happens
        return False
    return True


#: Methods that prove angles exactly.
EXACT = ("pauli-rotations", "qcec-dd")


def run_row(name: str, circuit: QuantumCircuit, k: int, topology: str, timeout: float,
            method: str = "auto") -> dict:
    """Compile one row as ``benchmarks.ebits`` does and verify it exactly."""
    data = -(-circuit.num_qubits // k)
    net = TOPOLOGIES[topology](k, data_qubits=data, comm_qubits=2)
    row: dict = {"circuit": name, "qubits": circuit.num_qubits, "K": k, "topology": topology}
    try:
        result = dqc.compile(circuit, net)
    except dqc.DQCError as exc:
        row.update(gates="–", method="–", result=f"rejected: {str(exc).split(';')[0]}",
                   seconds="–")
        return row
    start = time.perf_counter()
    outcome = dqc.verify(circuit, result.circuit, result.report, method=method,
                         max_sim_qubits=0, qcec_timeout=timeout)
    row["seconds"] = f"{time.perf_counter() - start:.1f}"
    row["gates"] = result.circuit.size()
    row["method"] = outcome.method
    if outcome.ok and outcome.method.startswith("stim-flows"):
        row["result"] = "Clifford: stim-flows (exact)"
    elif not outcome.ok:
        row["result"] = f"FAILED: {outcome.detail}"
    elif outcome.method in EXACT:
        row["result"] = "proved"
    else:
        row["result"] = "not proved: " + outcome.detail.rsplit("(", 1)[-1].rstrip(")")
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="auto", choices=["auto", "pauli", "qcec"])
    parser.add_argument("--qpus", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--topology", nargs="+", default=["all-to-all", "line"],
                        choices=sorted(TOPOLOGIES))
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds a row's verification may take (QCEC's limit; "
                             "default 60)")
    parser.add_argument("--only", nargs="+", help="only these circuits (names)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "verify_exact")
    args = parser.parse_args(argv)
    circuits = [(p.stem, dqc.load_circuit(p)) for p in sorted(CIRCUITS.glob("*.qasm"))]
    circuits += generated()
    if args.only:
        circuits = [(n, c) for n, c in circuits if n in args.only]
    print(" | ".join(COLUMNS), flush=True)
    rows = []
    for name, circuit in circuits:
        if is_clifford(circuit):
            continue
        for topology in args.topology:
            for k in args.qpus:
                row = run_row(name, circuit, k, topology, args.timeout, args.method)
                rows.append(row)
                print(" | ".join(str(row[c]) for c in COLUMNS), flush=True)
    compiled = [r for r in rows if not str(r["result"]).startswith(("rejected", "Clifford"))]
    proved = [r for r in compiled if r["result"] == "proved"
              and float(r["seconds"]) <= args.timeout]
    failed = [r for r in compiled if str(r["result"]).startswith("FAILED")]
    share = len(proved) / len(compiled) if compiled else float("nan")
    by = {m: sum(r["method"] == m for r in proved) for m in EXACT}
    summary = (f"{len(compiled)} non-Clifford rows compiled ({len(rows) - len(compiled)} "
               f"rejected by the compiler or Clifford); proved exactly (method "
               f"{args.method}) within {args.timeout:g} s: {len(proved)} ({share:.0%}: "
               f"{by['pauli-rotations']} pauli-rotations, {by['qcec-dd']} qcec-dd); "
               f"failed: {len(failed)}")
    print(summary)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out.with_suffix(".csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[c]) for c in COLUMNS) + " |" for r in rows]
    args.out.with_suffix(".md").write_text(summary + "\n\n" + "\n".join(lines) + "\n",
                                           encoding="utf-8")
    print(f"wrote {args.out.with_suffix('.md')} and .csv")


if __name__ == "__main__":
    main()
