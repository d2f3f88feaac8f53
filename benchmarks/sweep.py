"""How fast ``dqc sweep`` runs a fixed grid: sequential vs two Dask workers, cache vs none.

Usage::

    python -m benchmarks.sweep [--workers 2]

The grid (:data:`GRID`): QFT-16, QFT-20 and quantum volume 10 on a ring, a line and an
all-to-all network of four QPUs (tight), link rate 10 / 100 / 1000 Hz × comm qubits 2 / 3
× link fidelity 0.95 / 0.99, seeds 0 and 1 — 216 points, 36 distinct compiles. It runs

1. sequentially with the compile cache (``workers=1``),
2. on a fresh Dask ``LocalCluster`` of ``--workers`` processes with the cache (the
   cluster's start and stop included in the time),
3. sequentially without the cache (every point compiled),
4. on a fresh ``LocalCluster`` without the cache,

checks that the four tables agree on every column but the timings, and prints the
wall-clock times and the ratios. A cluster costs a fixed few seconds (start, and each
worker and its child process importing Qiskit), so the cached grid (about 20 s of work)
shows less of the parallel speed-up than the uncached one. Figures only: nothing asserts
a speed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import dqc
from dqc.sweeps import parse_spec, read_table
from dqc.sweeps.compute import TIMINGS

GRID = {
    "seeds": [0, 1],
    "circuits": [{"family": "qft", "sizes": [16, 20]}, {"family": "qv", "sizes": [10],
                                                        "seed": 1}],
    "networks": [{"factory": "ring", "qpus": 4}, {"factory": "line", "qpus": 4},
                 {"factory": "all-to-all", "qpus": 4}],
    "grid": {"link.rate_hz": [10, 100, 1000], "qpu.comm_qubits": [2, 3],
             "link.fidelity": [0.95, 0.99]},
}


def _run(label: str, out: Path, **options: object) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    summary = dqc.sweep(parse_spec(GRID), out, **options)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    print(f"{label:38s} {seconds:7.1f} s  ({summary.computed} points, {summary.tasks} "
          f"compiles, {summary.failed} failed)", flush=True)
    rows = [{k: v for k, v in r.items() if k not in TIMINGS} for r in read_table(out)]
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"grid: {parse_spec(GRID).size} points; {os.cpu_count()} cores on this machine")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seq, rows_seq = _run("sequential, compile cache", folder / "seq.csv", workers=1)
        par, rows_par = _run(f"LocalCluster of {args.workers}, compile cache",
                             folder / "par.csv", workers=args.workers)
        raw, rows_raw = _run("sequential, no compile cache", folder / "raw.csv", workers=1,
                             cache=False)
        raw_par, rows_raw_par = _run(f"LocalCluster of {args.workers}, no compile cache",
                                     folder / "raw_par.csv", workers=args.workers, cache=False)
    same = rows_seq == rows_par == rows_raw == rows_raw_par
    print(f"tables identical but for timings: {same}")
    print(f"speed-up of {args.workers} workers over sequential: {seq / par:.2f}x with the "
          f"cache, {raw / raw_par:.2f}x without")
    print(f"speed-up of the compile cache: {raw / seq:.2f}x sequential, {raw_par / par:.2f}x "
          f"on {args.workers} workers")


if __name__ == "__main__":
    main()
