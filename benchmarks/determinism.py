"""Same bytes everywhere: the compiled OpenQASM 3 and the JSON report of every benchmark
circuit, compared across Python interpreters and ``PYTHONHASHSEED`` values.

Usage::

    python -m benchmarks.determinism --digests [--qpus 2 4] [--quick]
    python -m benchmarks.determinism [--python python3.12 ...] [--hash-seeds 0 1 4242]
                                     [--qpus 2 4] [--quick]

``--digests`` prints, as JSON, the SHA-256 of the output and of the report of each case
(every ``.qasm`` in ``benchmarks/circuits`` and the generated circuits of
``benchmarks.ebits``, tight capacity, all-to-all, 2 comm qubits, seed 0; ``--quick``: the
four circuits of :data:`QUICK`, which take embedding, teledata and feed-forward paths).
Without it, runs ``--digests`` in one child process per (interpreter, hash seed) — this
interpreter first — and compares: exit status 0 when every child printed the same
digests, 1 with the differing cases listed otherwise. Each interpreter needs dqc
installed in editable mode from this checkout (``pip install -e .``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import dqc
from benchmarks.ebits import CIRCUITS, generated

ROOT = Path(__file__).resolve().parents[1]
#: The quick subset: a dynamic circuit (cc), QFT (embedding), an oracle and an adder.
QUICK = ("cc_n64", "qft_n18", "sat_n11", "bigadder_n18")


def cases(quick: bool) -> list[tuple[str, object]]:
    """(name, circuit) of the benchmark set, or of its quick subset."""
    if quick:
        return [(name, dqc.load_circuit(CIRCUITS / f"{name}.qasm")) for name in QUICK]
    paths = sorted(CIRCUITS.glob("*.qasm"))
    return [(p.stem, dqc.load_circuit(p)) for p in paths] + list(generated())


def digests(qpus: list[int], quick: bool) -> dict[str, str]:
    """``{"<circuit>/K=<k>": "<sha256 of output>:<sha256 of report>"}``; refusals hash
    their message."""
    out: dict[str, str] = {}
    for name, circuit in cases(quick):
        for k in qpus:
            data = math.ceil(circuit.num_qubits / k)  # type: ignore[attr-defined]
            network = dqc.Network.all_to_all(k, data_qubits=data, comm_qubits=2)
            try:
                result = dqc.compile(circuit, network, seed=0)  # type: ignore[arg-type]
                text = dqc.to_qasm3(result.circuit) + "\0" + result.report.to_json()
            except dqc.DQCError as exc:
                text = f"refused: {exc}"
            out[f"{name}/K={k}"] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return out


def compare(pythons: list[str], seeds: list[str], qpus: list[int], quick: bool) -> int:
    """Run :func:`digests` in a child per (interpreter, hash seed); 0 if all agree."""
    runs: dict[str, dict[str, str]] = {}
    for python in pythons:
        for seed in seeds:
            argv = [python, "-m", "benchmarks.determinism", "--digests",
                    "--qpus", *map(str, qpus)] + (["--quick"] if quick else [])
            env = {**os.environ, "PYTHONHASHSEED": seed}
            child = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
            if child.returncode != 0:
                print(f"{python} (PYTHONHASHSEED={seed}) failed:\n{child.stderr}")
                return 1
            version = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                                     capture_output=True, text=True).stdout.strip()
            runs[f"Python {version}, PYTHONHASHSEED={seed}"] = json.loads(child.stdout)
    (first, reference), *others = runs.items()
    print(f"{len(reference)} cases; reference: {first}")
    status = 0
    for label, got in others:
        differ = sorted(k for k in reference if got.get(k) != reference[k])
        print(f"  {label}: " + ("identical" if not differ else
                                 f"{len(differ)} differ: {', '.join(differ)}"))
        status |= bool(differ)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", action="store_true", help="print this run's digests")
    parser.add_argument("--python", nargs="*", default=[],
                        help="other interpreters to compare with (dqc installed in each)")
    parser.add_argument("--hash-seeds", nargs="+", default=["0", "1", "4242"])
    parser.add_argument("--qpus", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--quick", action="store_true", help="four circuits instead of all")
    args = parser.parse_args(argv)
    if args.digests:
        print(json.dumps(digests(args.qpus, args.quick), indent=1, sort_keys=True))
        return 0
    return compare([sys.executable, *args.python], args.hash_seeds, args.qpus, args.quick)


if __name__ == "__main__":
    sys.exit(main())
