"""Compare an ebits table (from ``benchmarks.ebits``) with the field's published figures.

Usage::

    python -m benchmarks.peers [--csv benchmarks/results/ebits.csv]
                               [--peers ../shared/benchmarks/PEERS.md]

Reads the side-by-side table of ``PEERS.md`` (all-to-all, tight capacity — the same
setting as the ``all-to-all`` rows of our table) and prints a markdown table:
circuit, K, dqc's ebits, the best peer figure without spare capacity, and who
reached it. With ``--spare-csv`` (default ``benchmarks/results/ebits_spare.csv`` when
present, from ``python -m benchmarks.ebits --spare 1 --out benchmarks/results/ebits_spare``)
a second table sets dqc with one spare data qubit per QPU against PEERS.md's
"DISQCO, one spare slot" column. With ``--free-comm-csv`` (default
``benchmarks/results/ebits_free_comm.csv`` when present, from ``python -m benchmarks.ebits
--comm-qubits data --out benchmarks/results/ebits_free_comm``) a third table sets dqc with
as many comm qubits as data qubits against the tight columns again: PEERS.md's tools
count ebits without a comm-qubit limit, dqc's main table has 2 per QPU. Figures only.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = HERE.parent.parent / "shared" / "benchmarks" / "PEERS.md"


def peer_rows(text: str) -> dict[tuple[str, int], dict[str, int]]:
    """``(circuit, K) -> {tool: ebits}`` from the PEERS.md table (spare-slot column aside)."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    out = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        row = dict(zip(header, cells))
        figures = {}
        for tool in ("contiguous split", "pytket-dqc", "DISQCO", "memq-dqc",
                     "DISQCO, one spare slot"):
            match = re.match(r"(\d+)", row.get(tool, ""))
            if match:
                figures[tool] = int(match.group(1))
        out[(row["circuit"], int(row["K"]))] = figures
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=HERE / "results" / "ebits.csv")
    parser.add_argument("--peers", type=Path, default=PEERS)
    parser.add_argument("--spare-csv", type=Path, default=HERE / "results" / "ebits_spare.csv")
    parser.add_argument("--free-comm-csv", type=Path,
                        default=HERE / "results" / "ebits_free_comm.csv")
    args = parser.parse_args(argv)
    peers = peer_rows(args.peers.read_text(encoding="utf-8"))
    tight = {key: {t: v for t, v in f.items() if t not in ("contiguous split",
                                                             "DISQCO, one spare slot")}
             for key, f in peers.items()}
    compare(_ours(args.csv), tight, "tight capacity")
    if args.spare_csv.is_file():
        spare = {key: {"DISQCO, one spare slot": f["DISQCO, one spare slot"]}
                 for key, f in peers.items() if "DISQCO, one spare slot" in f}
        print()
        compare(_ours(args.spare_csv), spare, "one spare data qubit per QPU")
    if args.free_comm_csv.is_file():
        print()
        compare(_ours(args.free_comm_csv), tight, "tight, comm qubits = data qubits")


def _ours(path: Path) -> dict[tuple[str, int], tuple[int, str]]:
    ours = {}
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["topology"] == "all-to-all" and row["ebits"].isdigit():
                ours[(row["circuit"], int(row["K"]))] = (int(row["ebits"]), row["verified"])
    return ours


def compare(ours, peers, setting: str) -> None:
    """Print dqc against the best peer figure of each row both have."""
    print(f"| circuit | K | dqc ebits ({setting}) | best peer | peer(s) | dqc vs best |")
    print("|---|---|---|---|---|---|")
    wins = ties = losses = 0
    for key, tools in peers.items():
        if key not in ours or not tools:
            continue
        best = min(tools.values())
        who = ", ".join(t for t, v in tools.items() if v == best)
        ebits, _ = ours[key]
        verdict = "better" if ebits < best else "equal" if ebits == best else "worse"
        wins += verdict == "better"
        ties += verdict == "equal"
        losses += verdict == "worse"
        print(f"| {key[0]} | {key[1]} | {ebits} | {best} | {who} | {verdict} |")
    print(f"\nbetter on {wins}, equal on {ties}, worse on {losses} of the rows peers report")


if __name__ == "__main__":
    main()
