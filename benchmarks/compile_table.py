"""Compile and verify every circuit of a folder on 2 and 4 QPUs; print a markdown table.

Usage::

    python -m benchmarks.compile_table [FOLDER] [--qpus 2 4] [--topology line ring]
                                       [--out benchmarks/results/compile_table]

FOLDER defaults to ``../shared/benchmarks/qasmbench`` when it exists (the team's
benchmark set), else the bundled ``benchmarks/circuits``. Capacity is tight:
``ceil(n / K)`` data qubits per QPU, 2 comm qubits. Columns: ebits (``epr`` emitted),
remote gates (two-qubit gates that crossed QPUs: the ebits of one Bell pair per
remote gate), compile and verify seconds, verification method. Writes
``OUT.md`` and ``OUT.csv``.
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from pathlib import Path

import dqc
from dqc.cli import TOPOLOGIES

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "benchmarks" / "qasmbench"
COLUMNS = ["circuit", "qubits", "K", "topology", "ebits", "remote gates",
           "compile s", "verify s", "verified"]


def run(folder: Path, qpus: list[int], topologies: list[str]) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.qasm")):
        circuit = dqc.load_circuit(path)
        for k, topology in zip(qpus, topologies):
            net = TOPOLOGIES[topology](k, data_qubits=math.ceil(circuit.num_qubits / k))
            row = {"circuit": path.stem, "qubits": circuit.num_qubits, "K": k,
                   "topology": topology}
            try:
                start = time.perf_counter()
                result = dqc.compile(circuit, net, seed=0)
                row["compile s"] = f"{time.perf_counter() - start:.2f}"
                start = time.perf_counter()
                outcome = dqc.verify(circuit, result.circuit, result.report)
                row["verify s"] = f"{time.perf_counter() - start:.2f}"
                row["ebits"] = result.report.ebits
                row["remote gates"] = result.report.remote_gates
                row["verified"] = outcome.method if outcome.ok else f"FAILED: {outcome.detail}"
            except dqc.DQCError as exc:
                row.update({"ebits": "–", "remote gates": "–", "compile s": "–",
                            "verify s": "–", "verified": f"rejected: {str(exc)[:60]}"})
            rows.append(row)
            print(" | ".join(str(row[c]) for c in COLUMNS), flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path,
                        default=SHARED if SHARED.is_dir() else HERE / "circuits")
    parser.add_argument("--qpus", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--topology", nargs="+", default=["line", "ring"],
                        choices=sorted(TOPOLOGIES), help="one per --qpus entry")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "compile_table")
    args = parser.parse_args(argv)
    if len(args.topology) != len(args.qpus):
        parser.error("give one --topology per --qpus entry")
    print(" | ".join(COLUMNS))
    rows = run(args.folder, args.qpus, args.topology)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out.with_suffix(".csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[c]) for c in COLUMNS) + " |" for r in rows]
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out.with_suffix('.md')} and .csv")


if __name__ == "__main__":
    main()
