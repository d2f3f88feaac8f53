"""Compare an ebits table (from ``benchmarks.ebits``) with the field's published figures.

Usage::

    python -m benchmarks.peers [--csv benchmarks/results/ebits.csv]
                               [--peers benchmarks/data/peers.csv]

Reads the peers' runs from ``benchmarks/data/peers.csv`` (one row per tool and setting;
provenance in ``benchmarks/data/README.md``, the side-by-side table in
``benchmarks/data/PEERS.md``) and, for the all-to-all, tight-capacity setting — the same
as the ``all-to-all`` rows of our table — prints a markdown table: circuit, K, dqc's
ebits, the best peer figure without spare capacity, and who reached it. With
``--spare-csv`` (default ``benchmarks/results/ebits_spare.csv`` when present, from
``python -m benchmarks.ebits --spare 1 --out benchmarks/results/ebits_spare``) a second
table sets dqc with one spare data qubit per QPU against PEERS.md's "DISQCO, one spare
slot" column. With ``--free-comm-csv`` (default ``benchmarks/results/ebits_free_comm.csv``
when present, from ``python -m benchmarks.ebits --comm-qubits data --out
benchmarks/results/ebits_free_comm``) a third table sets dqc with as many comm qubits as
data qubits against the tight columns again: PEERS.md's tools count ebits without a
comm-qubit limit, dqc's main table has 2 per QPU. Each table reads the same setting run
with ``--reuse`` too, when present (``ebits_reuse.csv``, ``ebits_spare_reuse.csv``,
``ebits_free_comm_reuse.csv`` beside it): dqc's figure is then the fewer of the two, marked
"(reuse)" where reusing data qubits gave it, and the summary gives the mean without reuse
too. Figures only.
"""

from __future__ import annotations

import argparse
import csv
import statistics
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = HERE / "data" / "peers.csv"

#: Column of PEERS.md's table -> the ``peer`` values of peers.csv it takes the best of.
TOOLS: dict[str, tuple[str, ...]] = {
    "contiguous split": ("naive",),
    "pytket-dqc": ("pytket-dqc/CoverEmbeddingSteinerDetached",
                   "pytket-dqc/PartitioningHeterogeneousEmbedding",
                   "pytket-dqc/PartitioningAnnealing"),
    "DISQCO": ("DISQCO/MLFM-R",),
    "memq-dqc": ("memq-dqc/interaction", "memq-dqc/hypergraph"),
    "DISQCO, one spare slot": ("DISQCO/MLFM-R (slack+1)",),
}

#: Row order of PEERS.md's table (QFTs, quantum volume, arithmetic, then shallow circuits);
#: circuits not listed follow in the order of the csv.
ORDER = ("qft_n18", "qft_n29", "qft_n63", "qv_n32", "adder_n28", "multiplier_n15",
         "square_root_n18", "dnn_n33", "qugan_n39", "bv_n30", "ghz_n40", "cat_n65",
         "ising_n34", "ising_n66", "wstate_n36")


def approximated(row: dict[str, str]) -> bool:
    """A QFT run on fewer controlled phases than the circuit has: pytket-dqc drops those
    of angle ≤ π/2^26 by default (its notes give ``n_cu1_after_DQCPass``: 800 of
    qft_n29's 812, 2,500 of qft_n63's 3,906), so it compiled another circuit. (Its
    multiplier_n15 runs also count fewer, 222 of 246, but that circuit is Toffolis and
    CNOTs, with no angle to drop.)

    Examples:
        >>> approximated({"circuit": "qft_n29", "n_2q_gates": "812",
        ...               "notes": "n_cu1_after_DQCPass=800; x=1"})
        True
        >>> approximated({"circuit": "qft_n18", "n_2q_gates": "306",
        ...               "notes": "n_cu1_after_DQCPass=306"})
        False
    """
    if not row["circuit"].startswith("qft"):
        return False
    for part in row["notes"].replace(",", ";").split(";"):
        key, _, value = part.strip().partition("=")
        if key == "n_cu1_after_DQCPass" and value.isdigit():
            return int(value) < int(row["n_2q_gates"])
    return False


def peer_rows(path: Path = PEERS) -> dict[tuple[str, int], dict[str, int]]:
    """``(circuit, K) -> {tool: ebits}`` from peers.csv, as in PEERS.md's table.

    Each tool's figure is the best (fewest ebits) of its runs in that setting; runs without
    an ebit count and runs on an approximated circuit (:func:`approximated`; dqc's
    ``--approximation`` makes that trade only when asked) are skipped, and a tool without
    any is left out of the row.
    """
    by_peer = {peer: tool for tool, peers in TOOLS.items() for peer in peers}
    out: dict[tuple[str, int], dict[str, int]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            tool = by_peer.get(row["peer"])
            figures = out.setdefault((row["circuit"], int(row["K"])), {})
            if tool is None or not row["ebits"].strip().isdigit() or approximated(row):
                continue
            ebits = int(row["ebits"])
            figures[tool] = min(ebits, figures.get(tool, ebits))
    rank = {name: i for i, name in enumerate(ORDER)}
    for circuit, _ in out:
        rank.setdefault(circuit, len(rank))
    keys = sorted(out, key=lambda key: (rank[key[0]], key[1]))
    return {key: {tool: out[key][tool] for tool in TOOLS if tool in out[key]} for key in keys}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=HERE / "results" / "ebits.csv")
    parser.add_argument("--peers", type=Path, default=PEERS)
    parser.add_argument("--spare-csv", type=Path, default=HERE / "results" / "ebits_spare.csv")
    parser.add_argument("--free-comm-csv", type=Path,
                        default=HERE / "results" / "ebits_free_comm.csv")
    args = parser.parse_args(argv)
    peers = peer_rows(args.peers)
    tight = {key: {t: v for t, v in f.items() if t not in ("contiguous split",
                                                             "DISQCO, one spare slot")}
             for key, f in peers.items()}
    compare(*_ours(args.csv), tight, "tight capacity")
    if args.spare_csv.is_file():
        spare = {key: {"DISQCO, one spare slot": f["DISQCO, one spare slot"]}
                 for key, f in peers.items() if "DISQCO, one spare slot" in f}
        print()
        compare(*_ours(args.spare_csv), spare, "one spare data qubit per QPU")
    if args.free_comm_csv.is_file():
        print()
        compare(*_ours(args.free_comm_csv), tight, "tight, comm qubits = data qubits")


def _ours(path: Path) -> tuple[dict[tuple[str, int], tuple[int, str]],
                               dict[tuple[str, int], tuple[int, str]]]:
    """The all-to-all rows of ``path`` and of its ``--reuse`` run beside it
    (``<stem>_reuse.csv``, empty when absent): ``(circuit, K) -> (ebits, gap to the
    any-placement bound)``."""
    reused = path.with_name(f"{path.stem}_reuse{path.suffix}")
    return _rows(path), _rows(reused) if reused.is_file() else {}


def _rows(path: Path) -> dict[tuple[str, int], tuple[int, str]]:
    ours = {}
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["topology"] == "all-to-all" and row["ebits"].isdigit():
                ours[(row["circuit"], int(row["K"]))] = (int(row["ebits"]),
                                                         row.get("gap", "–"))
    return ours


def compare(ours, reused, peers, setting: str) -> None:
    """Print dqc against the best peer figure of each row both have, with the geometric
    mean of dqc / best over those rows (``reused``: the same setting with ``--reuse``,
    taken where it needs fewer ebits)."""
    print(f"| circuit | K | dqc ebits ({setting}) | best peer | peer(s) | dqc vs best "
          f"| dqc / best | gap to bound |")
    print("|---|---|---|---|---|---|---|---|")
    wins = ties = losses = 0
    ratios, plain = [], []
    for key, tools in peers.items():
        if key not in ours or not tools:
            continue
        best = min(tools.values())
        who = ", ".join(t for t, v in tools.items() if v == best)
        ebits, gap = ours[key]
        plain.append(max(ebits / best if best else 1.0, 1e-9))
        shown = str(ebits)
        if key in reused and reused[key][0] < ebits:
            ebits, gap = reused[key][0], "no bound with reuse"
            shown = f"{ebits} (reuse)"
        verdict = "better" if ebits < best else "equal" if ebits == best else "worse"
        wins += verdict == "better"
        ties += verdict == "equal"
        losses += verdict == "worse"
        ratio = ebits / best if best else 1.0
        ratios.append(max(ratio, 1e-9))
        print(f"| {key[0]} | {key[1]} | {shown} | {best} | {who} | {verdict} | {ratio:.3f} "
              f"| {gap} |")
    gmean = statistics.geometric_mean(ratios) if ratios else float("nan")
    print(f"\nbetter on {wins}, equal on {ties}, worse on {losses} of the {len(ratios)} rows "
          f"peers report; geometric mean of dqc / best known {gmean:.3f}"
          + (f" ({statistics.geometric_mean(plain):.3f} without reuse)"
             if reused and ratios else ""))


if __name__ == "__main__":
    main()
