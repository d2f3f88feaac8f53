"""Ebits against the field: every circuit on 2, 4 and 8 QPUs, all-to-all and line.

Usage::

    python -m benchmarks.ebits [--folder FOLDER] [--qpus 2 4 8]
                               [--topology all-to-all line] [--comm-qubits 2|data]
                               [--max-sim-qubits 16] [--no-generated] [--spare 0]
                               [--max-qubits N] [--reuse] [--out PREFIX]

Circuits: every ``.qasm`` in FOLDER (default ``benchmarks/circuits``: the 30 QASMBench
circuits, provenance in its README) and generated ones — QFT-32/64/96
(Qiskit's ``QFTGate``), quantum volume 32 (seeds 0, 1, 2) and a random 30-qubit
Clifford (seed 0); ``--max-qubits N`` keeps circuits of at most N qubits. Capacity is
tight: ``ceil(n / K)`` data qubits per QPU (plus ``--spare``). ``--comm-qubits data``
gives each QPU as many comm qubits as data qubits, so that comm qubits hardly ever limit
(the tools of ``benchmarks/data/PEERS.md`` count ebits without such a limit).
``--reuse`` compiles with ``reuse=True`` (data qubits freed by qubits measured for the
last time go to qubits that start later, :mod:`dqc.plan.lives`); the ``reuse`` column
gives the births and deaths of the rows that kept it.

Columns: ``2q gates`` after unrolling (swaps are relabelled, not counted);
``ebits`` emitted by dqc; ``naive`` = one ebit per remote two-qubit gate (times hops)
on METIS's own placement; ``bound`` = the lower bound dqc reports for its placement;
``bound (any placement)`` = the placement-independent lower bound of the report
(:mod:`dqc.plan.bounds`) with its method; ``gap`` = ebits / that bound - 1, or
"optimal" when they are equal; ``fewest without moves`` = the fewest ebits of any plan
without teledata moves, proved by :mod:`dqc.plan.exact` (small circuits on QPUs all
linked to each other; "–" elsewhere); ``model`` = the cost model's prediction (equal to
``ebits`` unless comm qubits ran out, or, on a line, copies fanned out from copies on the
way); ``moves`` = teledata moves; compile seconds;
verification method. Prints rows as it goes, then writes ``PREFIX.md`` and ``PREFIX.csv`` (default
``benchmarks/results/ebits``). Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import time
from pathlib import Path

from dqc.passes import BuildInteractionGraph, ElideSwaps, UnrollForDistribution
from dqc.passes.partition_qubits import metis_partition
from qiskit import QuantumCircuit
from qiskit.circuit.library import QFTGate, quantum_volume
from qiskit.converters import circuit_to_dag
from qiskit.quantum_info import random_clifford

import dqc
from dqc.cli import TOPOLOGIES

HERE = Path(__file__).resolve().parent
CIRCUITS = HERE / "circuits"
COLUMNS = ["circuit", "qubits", "2q gates", "K", "topology", "ebits", "naive", "bound",
           "bound (any placement)", "gap", "fewest without moves", "model", "moves",
           "reuse", "compile s", "verified"]


def generated() -> list[tuple[str, QuantumCircuit]]:
    """The generated circuits, with fixed seeds."""
    out = []
    for n in (32, 64, 96):
        qc = QuantumCircuit(n, name=f"qft_{n}")
        qc.append(QFTGate(n), range(n))
        out.append((f"qft_{n}", qc))
    for seed in range(3):
        out.append((f"qv_32_s{seed}", quantum_volume(32, seed=seed)))
    out.append(("clifford_30_s0", random_clifford(30, seed=0).to_circuit()))
    return out


def naive_ebits(circuit: QuantumCircuit, net: dqc.Network) -> tuple[int, int]:
    """(two-qubit gates, one ebit per remote gate × hops on METIS's placement)."""
    swap_free = ElideSwaps()(UnrollForDistribution()(circuit))
    dag = circuit_to_dag(swap_free)
    analysis = BuildInteractionGraph()
    analysis.run(dag)
    graph = analysis.property_set["dqc_interaction_graph"]
    part = metis_partition(graph, net)
    dist = net.distances()
    gates = sum(w for _, _, w in graph.edges(data="weight"))
    naive = sum(w * int(dist[part[u], part[v]]) for u, v, w in graph.edges(data="weight"))
    return gates, naive


def run_one(name: str, circuit: QuantumCircuit, k: int, topology: str, comm: int | str,
            max_sim: int, spare: int = 0, reuse: bool = False) -> dict:
    data = math.ceil(circuit.num_qubits / k) + spare
    net = TOPOLOGIES[topology](k, data_qubits=data,
                               comm_qubits=data if comm == "data" else int(comm))
    row: dict = {"circuit": name, "qubits": circuit.num_qubits, "K": k, "topology": topology}
    try:
        row["2q gates"], row["naive"] = naive_ebits(circuit, net)
        start = time.perf_counter()
        result = dqc.compile(circuit, net, reuse=reuse)
        row["compile s"] = f"{time.perf_counter() - start:.2f}"
        outcome = dqc.verify(circuit, result.circuit, result.report, max_sim_qubits=max_sim)
        report = result.report
        row["bound (any placement)"] = (f"{report.ebits_lower_bound_any_placement} "
                                        f"({report.bound_method})")
        row["gap"] = report.gap_text()
        fewest = report.fewest_without_moves
        row["fewest without moves"] = "–" if fewest is None else fewest
        row.update(ebits=result.report.ebits, bound=result.report.ebits_lower_bound,
                   model=result.report.planned_ebits, moves=result.report.moves,
                   reuse=(f"{len(report.births)} born, {len(report.deaths)} freed"
                          if report.births or report.deaths else "–"),
                   verified=outcome.method if outcome.ok else f"FAILED: {outcome.detail}")
    except dqc.DQCError as exc:
        row.update({c: "–" for c in COLUMNS if c not in row})
        row["verified"] = f"rejected: {str(exc).split(';')[0]}"
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=CIRCUITS)
    parser.add_argument("--qpus", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--topology", nargs="+", default=["all-to-all", "line"],
                        choices=sorted(TOPOLOGIES))
    parser.add_argument("--comm-qubits", default="2",
                        help="comm qubits per QPU, or 'data' for as many as data qubits")
    parser.add_argument("--max-sim-qubits", type=int, default=16)
    parser.add_argument("--no-generated", action="store_true")
    parser.add_argument("--spare", type=int, default=0,
                        help="extra data qubits per QPU beyond ceil(n/K) (default 0: tight)")
    parser.add_argument("--max-qubits", type=int, default=None,
                        help="only circuits of at most this many qubits")
    parser.add_argument("--reuse", action="store_true",
                        help="compile with reuse=True (data qubits reused after measurements)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ebits")
    args = parser.parse_args(argv)
    circuits = [(p.stem, dqc.load_circuit(p)) for p in sorted(args.folder.glob("*.qasm"))]
    if not args.no_generated:
        circuits += generated()
    if args.max_qubits is not None:
        circuits = [(n, c) for n, c in circuits if c.num_qubits <= args.max_qubits]
    print(" | ".join(COLUMNS))
    rows = []
    for name, circuit in circuits:
        for topology in args.topology:
            for k in args.qpus:
                row = run_one(name, circuit, k, topology, args.comm_qubits, args.max_sim_qubits,
                              args.spare, args.reuse)
                rows.append(row)
                print(" | ".join(str(row[c]) for c in COLUMNS), flush=True)
    ratios = [r["ebits"] / r["naive"] for r in rows
              if isinstance(r["ebits"], int) and isinstance(r["naive"], int) and r["naive"]]
    both_zero = sum(1 for r in rows if r["ebits"] == 0 and r["naive"] == 0)
    gmean = statistics.geometric_mean([max(x, 1e-9) for x in ratios]) if ratios else float("nan")
    summary = (f"{len(rows)} rows; geometric mean of ebits / naive over the {len(ratios)} rows "
               f"with naive > 0: {gmean:.3f} ({both_zero} rows need no ebits at all); "
               f"comm qubits per QPU: {args.comm_qubits}; spare data qubits per QPU: "
               f"{args.spare}" + ("; data qubits reused (--reuse)" if args.reuse else ""))
    bounded = [r for r in rows if r["gap"] not in ("–", "unbounded")]
    proved = sum(1 for r in rows if r["gap"] == "optimal")
    summary += (f"; gap to the any-placement bound known on {len(bounded)} rows, "
                f"optimal on {proved}")
    print(summary)
    write_table(rows, COLUMNS, summary, args.out)


def write_table(rows: list[dict], columns: list[str], summary: str, out: Path) -> None:
    """Write ``rows`` as ``out.csv`` and as ``out.md`` (the summary, then a table)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows]
    out.with_suffix(".md").write_text(summary + "\n\n" + "\n".join(lines) + "\n",
                                      encoding="utf-8")
    print(f"wrote {out.with_suffix('.md')} and .csv")


if __name__ == "__main__":
    main()
