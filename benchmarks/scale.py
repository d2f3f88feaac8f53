"""Compile time and peak memory on large random circuits.

Usage::

    python -m benchmarks.scale [--cases 1000:100000:8 10000:100000:64 ...] [--verify]
                               [--out PREFIX]

Each case ``QUBITS:TWO_QUBIT_GATES:QPUS`` is a seeded random circuit (CX between
uniformly random pairs, an H on a random qubit after every other CX); ``qft:QUBITS:QPUS``
is the quantum Fourier transform (H and controlled phases, no swaps) and
``qft-cz:QUBITS:QPUS`` its Clifford twin (every controlled phase a CZ, so ``--verify``
runs stim on it); ``lattice:ROWS:COLS:STEPS:QPUS`` is a structured circuit where
placement matters: Trotter steps of the transverse-field Ising model on a 2-D grid, RZZ
kept as RZZ (:func:`lattice_trotter`; 100 × 100 with 51 steps is 1,009,800 RZZ).
Each is compiled onto an all-to-all network with tight capacity and 2 comm qubits per
QPU, in a fresh process so that its peak resident memory (``ru_maxrss``) is its own.
Prints and writes ``PREFIX.md`` (default ``benchmarks/results/scale``): ebits, dqc's
lower bound for the placement, the naive count (one ebit per two-qubit gate written
across QPUs of the start placement, :func:`naive_ebits`), compile time, peak memory, the
time to write the output (OpenQASM 3 and the JSON report) and the four longest compile
stages (from ``dqc.compile``'s ``progress``); with ``--verify``, the time of
``dqc.verify`` on the output too (the random and lattice circuits are Clifford:
``stim-flows``).
Figures only: nothing asserts.

``--series QUBITS:QPUS`` runs the random circuit of QUBITS qubits on QPUS QPUs at each size
of ``--sizes`` (default 10k, 30k, 100k, 300k and 1M two-qubit gates) and adds the fitted
exponents: the slope of log(compile time) and of log(memory above the interpreter's
baseline) against log(gates), least squares over the sizes that ran (1 is linear)::

    python -m benchmarks.scale --series 1000:8 --sizes 10000 30000 100000 300000

``--profile N`` runs each case under :mod:`cProfile` instead (slower; the
figures are then not the benchmark's) and prints the N functions of largest
cumulative and of largest own time, to see where the time goes::

    python -m benchmarks.scale --cases 1000:20000:8 --profile 30
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import pstats
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = ["1000:100000:8", "1000:100000:16", "10000:100000:32", "10000:100000:64"]


def random_circuit(n: int, gates: int, seed: int = 1):
    from qiskit import QuantumCircuit

    rng = random.Random(seed)
    qc = QuantumCircuit(n)
    for _ in range(gates):
        a, b = rng.sample(range(n), 2)
        qc.cx(a, b)
        if rng.random() < 0.5:
            qc.h(rng.randrange(n))
    return qc


def qft_pattern(n: int, *, cz: bool = False):
    """The QFT without its final swaps: H on j, then a controlled phase π/2^(k−j) from
    every later qubit k (``cz``: a CZ instead, the Clifford twin)."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(n)
    for j in range(n):
        qc.h(j)
        for k in range(j + 1, n):
            if cz:
                qc.cz(k, j)
            else:
                qc.cp(math.pi / 2 ** (k - j), k, j)
    return qc


def lattice_trotter(rows: int, cols: int, steps: int, angle: float = math.pi / 2):
    """First-order Trotter steps of the transverse-field Ising model on a ``rows`` × ``cols``
    grid (qubit ``r * cols + c``): per step, ``rzz(angle)`` on every horizontal bond,
    then on every vertical bond, then ``rx(angle)`` on every qubit. RZZ stays RZZ (dqc
    distributes it as it is: diagonal on both qubits). The default angle π/2 makes the
    circuit Clifford, so ``--verify`` runs stim on it; the angle changes no ebit."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(rows * cols)
    for _ in range(steps):
        for r in range(rows):
            for c in range(cols - 1):
                qc.rzz(angle, r * cols + c, r * cols + c + 1)
        for r in range(rows - 1):
            for c in range(cols):
                qc.rzz(angle, r * cols + c, (r + 1) * cols + c)
        for q in range(rows * cols):
            qc.rx(angle, q)
    return qc


def case_circuit(case: str) -> tuple[str, object, int, int, int]:
    """``(kind, circuit, qubits, two-qubit gates, QPUs)`` of a case (module docstring)."""
    parts = case.split(":")
    if parts[0] in ("qft", "qft-cz"):
        n, k = int(parts[1]), int(parts[2])
        return parts[0], qft_pattern(n, cz=parts[0] == "qft-cz"), n, n * (n - 1) // 2, k
    if parts[0] == "lattice":
        rows, cols, steps, k = (int(x) for x in parts[1:])
        bonds = rows * (cols - 1) + (rows - 1) * cols
        return "lattice", lattice_trotter(rows, cols, steps), rows * cols, steps * bonds, k
    n, g, k = (int(x) for x in parts)
    return "random", random_circuit(n, g), n, g, k


def measure(case: str, profile: int = 0, verify: bool = False) -> dict:
    """Run one case in this process and return its figures (``profile``: see module doc;
    ``verify``: also time ``dqc.verify`` of the output, after the peak memory is read)."""
    import dqc

    base_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # interpreter, imports
    kind, qc, n, g, k = case_circuit(case)
    net = dqc.Network.all_to_all(k, data_qubits=math.ceil(n / k))
    profiler = cProfile.Profile() if profile else None
    marks: list[tuple[str, float]] = []  # (stage starting, time)

    def stage(name: str, done: int, total: int) -> None:
        marks.append((name, time.perf_counter()))

    start = time.perf_counter()
    if profiler is not None:
        result = profiler.runcall(dqc.compile, qc, net, progress=stage)
    else:
        result = dqc.compile(qc, net, progress=stage)
    seconds = time.perf_counter() - start
    write_start = time.perf_counter()
    written = len(dqc.to_qasm3(result.circuit)) + len(result.report.to_json())
    write_s = time.perf_counter() - write_start
    if profiler is not None:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row = {"circuit": kind, "qubits": n, "2q gates": g, "K": k,
           "ebits": result.report.ebits,
           "lower bound": result.report.ebits_lower_bound,
           "remote gates": result.report.remote_gates,
           "naive": naive_ebits(qc, result.report),
           "compile s": round(seconds, 1), "peak MiB": round(peak_mib),
           "base MiB": round(base_mib),
           "write s": round(write_s, 1), "written MB": round(written / 1e6, 1),
           "stages s": _slowest(marks, 4)}
    if verify:
        verify_start = time.perf_counter()
        outcome = dqc.verify(qc, result.circuit, result.report)
        row["verify s"] = round(time.perf_counter() - verify_start, 1)
        row["verified by"] = outcome.method if outcome.ok else f"FAILED ({outcome.method})"
    return row


def naive_ebits(qc, report) -> int:
    """One ebit per two-qubit gate of ``qc`` as written whose qubits start on different
    QPUs (the compile's start placement: the partitioner's, up to relabelling)."""
    rep = report
    qpu = [rep.qubit_qpu[rep.initial_layout[i]] for i in range(qc.num_qubits)]
    index = {bit: i for i, bit in enumerate(qc.qubits)}
    return sum(1 for inst in qc.data if len(inst.qubits) == 2
               and qpu[index[inst.qubits[0]]] != qpu[index[inst.qubits[1]]])


def _slowest(marks: list[tuple[str, float]], count: int) -> str:
    """The ``count`` longest stages, ``name seconds``, longest first."""
    spans = [(end - begin, name) for (name, begin), (_, end) in zip(marks, marks[1:])]
    return ", ".join(f"{name} {span:.1f}" for span, name in sorted(spans, reverse=True)[:count])


def fitted_exponent(sizes: list[float], values: list[float]) -> float:
    """Slope of log(value) against log(size), least squares (1: linear growth).

    Examples:
        >>> round(fitted_exponent([1e4, 1e5, 1e6], [2.0, 20.0, 200.0]), 3)
        1.0
        >>> round(fitted_exponent([1e4, 1e5], [1.0, 100.0]), 3)
        2.0
    """
    import numpy as np

    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


def series_summary(rows: list[dict]) -> str:
    """The fitted exponents of compile time and of memory above the baseline."""
    sizes = [r["2q gates"] for r in rows]
    time_exp = fitted_exponent(sizes, [max(r["compile s"], 0.05) for r in rows])
    memory_exp = fitted_exponent(sizes, [max(r["peak MiB"] - r["base MiB"], 1) for r in rows])
    return (f"fitted exponent over {', '.join(f'{g:,}' for g in sizes)} two-qubit gates: "
            f"compile time {time_exp:.2f}, memory above the baseline {memory_exp:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=DEFAULT)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scale")
    parser.add_argument("--verify", action="store_true",
                        help="also time dqc.verify of each output (stim-flows: the circuits "
                             "are Clifford)")
    parser.add_argument("--series", metavar="QUBITS:QPUS",
                        help="random circuits at each of --sizes gates, with the fitted "
                             "exponents of time and memory")
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[10_000, 30_000, 100_000, 300_000, 1_000_000])
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile each case and print its N costliest functions (to stdout)")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.profile, args.verify)))
        return
    cases = args.cases
    if args.series:
        qubits, qpus = args.series.split(":")
        cases = [f"{qubits}:{size}:{qpus}" for size in args.sizes]
    rows = []
    for case in cases:
        done = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--one", case,
                               "--profile", str(args.profile)]
                              + (["--verify"] if args.verify else []),
                              capture_output=True, text=True, cwd=HERE.parent)
        if args.profile:
            print(done.stderr.strip(), flush=True)
        if done.returncode:
            print(f"{case}: failed: {done.stderr.strip().splitlines()[-1]}", flush=True)
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(row, flush=True)
    if rows and not args.profile:
        cols = list(rows[0])
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
        if args.series and len(rows) >= 2:
            lines += ["", series_summary(rows)]
            print(lines[-1])
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {args.out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
