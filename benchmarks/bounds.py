"""The placement-independent ebit bound next to the ebits of an existing results table.

Usage::

    python -m benchmarks.bounds [CSV ...] [--folder FOLDER] [--spare 0]
                                [--max-size 80] [--node-limit 300] [--out PREFIX]

For every row of each CSV written by :mod:`benchmarks.ebits` (default
``results/ebits_free_comm.csv``), rebuilds the circuit's interaction graph (as
``dqc.compile`` does: unrolled, swaps elided), computes
:func:`dqc.plan.bounds.any_placement_bound` for the row's capacity (``ceil(n / K)``
data qubits per QPU, plus the table's spare; pass ``--spare``) with the row's ebits as
the plan already found, and writes ``PREFIX.md`` / ``PREFIX.csv`` (default
``results/bounds``) with columns ``ebits``, ``bound`` (this placement, from the table),
``bound (any placement)``, ``method`` and ``gap`` (ebits / bound - 1, or "optimal").
``--max-size`` / ``--node-limit`` give the integer program a larger size rule and node
budget than ``dqc.compile`` uses (defaults: the same; the figures stay deterministic).
Nothing is recompiled: the ebits are the table's. Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import networkx as nx
from dqc.passes import BuildInteractionGraph, ElideSwaps, UnrollForDistribution
from qiskit.converters import circuit_to_dag
from qiskit.dagcircuit import DAGCircuit

import dqc
from benchmarks.ebits import CIRCUITS, HERE, generated, write_table
from dqc.plan.bounds import (
    MILP_MAX_SIZE,
    MILP_NODE_LIMIT,
    AnyPlacementBound,
    any_placement_bound,
)

COLUMNS = ["circuit", "qubits", "K", "topology", "ebits", "bound", "bound (any placement)",
           "method", "gap"]


def interaction_graph(dag: DAGCircuit) -> nx.Graph:
    """The interaction graph ``dqc.compile`` partitions for ``dag`` (unrolled, swaps
    elided)."""
    analysis = BuildInteractionGraph()
    analysis.run(dag)
    return analysis.property_set["dqc_interaction_graph"]


def gap(ebits: int, bound: AnyPlacementBound) -> str:
    """``"optimal"``, ``"+x%"`` or ``"unbounded"`` (bound 0, ebits > 0).

    Examples:
        >>> gap(3, AnyPlacementBound(2, "separator")), gap(2, AnyPlacementBound(2, "x"))
        ('+50%', 'optimal')
    """
    if ebits == bound.ebits:
        return "optimal"
    if bound.ebits == 0:
        return "unbounded"
    return f"+{100 * (ebits / bound.ebits - 1):.0f}%"


def main(argv: list[str] | None = None) -> None:
    """Add the bound to every row of the given tables and write them out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tables", nargs="*", type=Path,
                        default=[HERE / "results" / "ebits_free_comm.csv"])
    parser.add_argument("--folder", type=Path, default=CIRCUITS)
    parser.add_argument("--spare", type=int, default=0)
    parser.add_argument("--max-size", type=int, default=MILP_MAX_SIZE,
                        help="qubit-epochs (or qubits) x QPUs^2 up to which a program runs")
    parser.add_argument("--node-limit", type=int, default=MILP_NODE_LIMIT)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "bounds")
    args = parser.parse_args(argv)
    circuits = {p.stem: p for p in args.folder.glob("*.qasm")}
    made = dict(generated())
    graphs: dict[str, tuple[int, nx.Graph]] = {}
    rows = []
    print(" | ".join(COLUMNS))
    for table in args.tables:
        with open(table, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                name = row["circuit"]
                if not row["ebits"].isdigit():
                    continue
                if name not in graphs:
                    circuit = (dqc.load_circuit(circuits[name]) if name in circuits
                               else made[name])
                    dag = circuit_to_dag(ElideSwaps()(UnrollForDistribution()(circuit)))
                    graphs[name] = (circuit.num_qubits, interaction_graph(dag), dag)
                n, graph, dag = graphs[name]
                k, ebits = int(row["K"]), int(row["ebits"])
                capacity = math.ceil(n / k) + args.spare
                bound = any_placement_bound(graph, [capacity] * k, dag=dag, achieved=ebits,
                                            max_size=args.max_size,
                                            node_limit=args.node_limit)
                out = {"circuit": name, "qubits": n, "K": k, "topology": row["topology"],
                       "ebits": ebits, "bound": row["bound"],
                       "bound (any placement)": bound.ebits, "method": bound.method,
                       "gap": gap(ebits, bound)}
                rows.append(out)
                print(" | ".join(str(out[c]) for c in COLUMNS), flush=True)
    proved = sum(1 for r in rows if r["gap"] == "optimal")
    summary = (f"{len(rows)} rows; ebits equal the placement-independent bound (optimal) "
               f"on {proved}; spare data qubits per QPU: {args.spare}; program size rule "
               f"{args.max_size}, node limit {args.node_limit}")
    print(summary)
    write_table(rows, COLUMNS, summary, args.out)


if __name__ == "__main__":
    main()
