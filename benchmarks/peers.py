"""Compare an ebits table (from ``benchmarks.ebits``) with the field's published figures.

Usage::

    python -m benchmarks.peers [--csv benchmarks/results/ebits.csv]
                               [--peers ../shared/benchmarks/PEERS.md]

Reads the side-by-side table of ``PEERS.md`` (all-to-all, tight capacity — the same
setting as the ``all-to-all`` rows of our table) and prints a markdown table:
circuit, K, dqc's ebits, the best peer figure without spare capacity, and who
reached it. Figures only.
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
        for tool in ("contiguous split", "pytket-dqc", "DISQCO", "memq-dqc"):
            match = re.match(r"(\d+)", row.get(tool, ""))
            if match:
                figures[tool] = int(match.group(1))
        out[(row["circuit"], int(row["K"]))] = figures
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=HERE / "results" / "ebits.csv")
    parser.add_argument("--peers", type=Path, default=PEERS)
    args = parser.parse_args(argv)
    peers = peer_rows(args.peers.read_text(encoding="utf-8"))
    ours = {}
    with open(args.csv, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["topology"] == "all-to-all" and row["ebits"].isdigit():
                ours[(row["circuit"], int(row["K"]))] = (int(row["ebits"]), row["verified"])
    print("| circuit | K | dqc ebits | best peer | peer(s) | dqc vs best |")
    print("|---|---|---|---|---|---|")
    wins = ties = losses = 0
    for key, figures in peers.items():
        tools = {t: v for t, v in figures.items() if t != "contiguous split"}
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
