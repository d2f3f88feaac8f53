"""A fuzzing campaign: random circuits on random networks, each compiled, verified and
compiled again.

Usage::

    python -m benchmarks.fuzz --cases N [--seed S] [--jobs J] [--out PREFIX]
    python -m benchmarks.fuzz --case SEED     # one case again: its circuit, network, outcome
    python -m benchmarks.fuzz --shrink SEED   # a failing case cut down to a reproducer
    python -m benchmarks.fuzz --merge A.json B.json [--out PREFIX]   # one summary of several

Every case is drawn from its own seed (``S * 1_000_003 + i``), so any case can be rerun
alone. A case is a circuit — a Clifford mix (stim-verified, up to 24 qubits) or a
non-Clifford one (simulated, up to 9 qubits), with any standard gate the unroller accepts,
mid-circuit measurement and reset, barriers, custom gates and up to three ``if_test`` /
``if_else`` on measured bits — on a network of 2–8 QPUs joined as a random tree, a ring, a line, a
star or a dense random graph, with 1–3 comm qubits and 0–2 spare data qubits per QPU and
uneven sizes. The outcome is one of:

* ``verified`` — ``dqc.verify`` proved the output (by the method it names) and, for one
  case in :data:`REPEAT_EVERY`, a second compile gave the same bytes (circuit and report);
* ``refused`` — the compile raised a :class:`dqc.DQCError` subclass; its class and message
  are the reason (e.g. comm qubits that cannot carry a three-qubit block);
* ``failure`` — anything else: another exception, a failed verification or contract, a
  second compile that differs. Each comes with its reproducer (``--case SEED``).

Writes ``PREFIX.md`` and ``PREFIX.json`` (default ``benchmarks/results/fuzz``): cases,
verified by method, refused by reason, failures with reproducers, library versions.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import networkx as nx
from qiskit import QuantumCircuit
from qiskit.circuit import Gate
from qiskit.circuit.library import get_standard_gate_name_mapping

import dqc
from dqc.network import QPU, Link, Network

HERE = Path(__file__).resolve().parent
#: Standard gates the generator draws from (everything Qiskit names but the global phase
#: and the multi-controlled families whose size grows with the circuit).
GATES = {name: gate for name, gate in get_standard_gate_name_mapping().items()
         if name not in ("global_phase", "mcx", "mcphase", "mcu1", "mcx_gray", "ms")
         and gate.num_qubits <= 4 and isinstance(gate, Gate)}
#: Gates whose every parameter at a multiple of pi/2 keeps them Clifford.
CLIFFORD = ("id", "x", "y", "z", "h", "s", "sdg", "sx", "sxdg", "cx", "cy", "cz", "swap",
            "iswap", "ecr", "dcx", "ch", "rz", "rx", "ry", "p", "rzz", "rxx", "ryy", "rzx")
TOPOLOGIES = ("tree", "ring", "line", "star", "dense")
#: Conditions per circuit: verification walks every branch of the input bits they read
#: (2 ** 3 at most here), so more would make cases slow without reaching new code.
MAX_CONDITIONS = 3
#: One case in this many is compiled a second time and compared byte for byte.
REPEAT_EVERY = 4


# ------------------------------------------------------------------ networks


def random_network(rng: random.Random, num_qubits: int) -> Network:
    """2–8 QPUs on a random connected graph, uneven sizes, 1–3 comm and 0–2 spare qubits."""
    k = rng.randint(2, min(8, max(2, num_qubits)))
    sizes = [1] * k
    for _ in range(max(0, num_qubits - k)):
        sizes[rng.randrange(k)] += 1
    qpus = tuple(QPU(f"q{i}", data_qubits=sizes[i] + rng.randint(0, 2),
                     comm_qubits=rng.randint(1, 3)) for i in range(k))
    graph = _graph(rng.choice(TOPOLOGIES), k, rng)
    links = tuple(Link(f"q{a}", f"q{b}") for a, b in sorted(tuple(sorted(e)) for e in graph.edges))
    return Network(qpus, links, name="fuzz")


def _graph(kind: str, k: int, rng: random.Random) -> nx.Graph:
    if kind == "tree" and k > 2:
        return nx.random_labeled_tree(k, seed=rng.randrange(2**31))
    if kind == "ring" and k > 2:
        return nx.cycle_graph(k)
    if kind == "star":
        return nx.star_graph(k - 1)
    if kind == "dense":
        while True:
            graph = nx.gnp_random_graph(k, 0.6, seed=rng.randrange(2**31))
            if nx.is_connected(graph):
                return graph
    return nx.path_graph(k)


# ------------------------------------------------------------------ circuits


def random_circuit(rng: random.Random, clifford: bool) -> QuantumCircuit:
    """A random circuit: gates, custom gates, measurement, reset, barriers, conditions."""
    n = rng.randint(2, 24 if clifford else 9)
    qc = QuantumCircuit(n, n)
    names = sorted(CLIFFORD if clifford else GATES)
    names = [g for g in names if GATES[g].num_qubits <= n]
    conditions = 0
    for _ in range(rng.randint(1, 8 * n)):
        roll = rng.random()
        if roll < 0.06:
            qubit = rng.randrange(n)
            qc.measure(qubit, qubit)
        elif roll < 0.08:
            qc.reset(rng.randrange(n))
        elif roll < 0.10:
            qc.barrier(*rng.sample(range(n), rng.randint(1, n)))
        elif roll < 0.14 and conditions < MAX_CONDITIONS:
            _conditional(qc, rng, names, clifford)
            conditions += 1
        elif roll < 0.17 and n >= 2:
            _custom(qc, rng, names, clifford)
        else:
            _gate(qc, rng, names, clifford)
    if rng.random() < 0.7:
        qc.measure(range(n), range(n))
    return qc


def _angle(rng: random.Random, clifford: bool) -> float:
    if clifford:
        return rng.randrange(4) * math.pi / 2
    choices = [rng.uniform(-math.pi, math.pi), math.pi / 4, math.pi / 2 ** rng.randint(1, 8)]
    return rng.choice(choices)


def _make(name: str, rng: random.Random, clifford: bool) -> Gate:
    gate = GATES[name]
    if not gate.params:
        return gate
    return type(gate)(*[_angle(rng, clifford) for _ in gate.params])


def _gate(qc: QuantumCircuit, rng: random.Random, names: list[str], clifford: bool) -> None:
    name = rng.choice(names)
    qc.append(_make(name, rng, clifford), rng.sample(range(qc.num_qubits), GATES[name].num_qubits))


def _conditional(qc: QuantumCircuit, rng: random.Random, names: list[str], clifford: bool) -> None:
    """``if_test`` (or ``if_else``) on a bit measured just before, 1–2 gates per branch."""
    bit = rng.randrange(qc.num_qubits)
    qc.measure(bit, bit)
    one_qubit = [g for g in names if GATES[g].num_qubits == 1]
    body = names if rng.random() < 0.5 else one_qubit

    def branch(target: QuantumCircuit) -> None:
        for _ in range(rng.randint(1, 2)):
            _gate(target, rng, body, clifford)

    if rng.random() < 0.7:
        with qc.if_test((qc.clbits[bit], rng.randint(0, 1))):
            branch(qc)
    else:
        with qc.if_test((qc.clbits[bit], 1)) as otherwise:
            branch(qc)
        with otherwise:
            branch(qc)


def _custom(qc: QuantumCircuit, rng: random.Random, names: list[str], clifford: bool) -> None:
    """A custom gate of 2–3 qubits, defined by a few random gates."""
    width = rng.randint(2, min(3, qc.num_qubits))
    inner = QuantumCircuit(width, name=f"custom{rng.randrange(100)}")
    fitting = [g for g in names if GATES[g].num_qubits <= width]
    for _ in range(rng.randint(1, 4)):
        _gate(inner, rng, fitting, clifford)
    qc.append(inner.to_gate(), rng.sample(range(qc.num_qubits), width))


# ------------------------------------------------------------------ one case


@dataclass(frozen=True)
class Outcome:
    """What one case gave: ``kind`` is ``verified``, ``refused`` or ``failure``."""

    seed: int
    kind: str
    detail: str
    qubits: int
    qpus: int
    seconds: float


def case_inputs(seed: int) -> tuple[QuantumCircuit, Network]:
    """The circuit and network of case ``seed``."""
    rng = random.Random(seed)
    clifford = rng.random() < 0.5
    circuit = random_circuit(rng, clifford)
    return circuit, random_network(rng, circuit.num_qubits)


#: QCEC's time limit per check in the campaign (when ``mqt.qcec`` is installed): a
#: case it does not prove in time is ``clifford-skeleton``, so the count of each method
#: may differ between machines; failures and refusals do not depend on it.
QCEC_TIMEOUT_S = 5.0


def run_case(seed: int) -> Outcome:
    """Compile, verify and recompile case ``seed``; classify what happened."""
    start = time.perf_counter()
    circuit, network = case_inputs(seed)
    kind, detail = check(circuit, network, seed % 997, repeat=seed % REPEAT_EVERY == 0)
    return Outcome(seed, kind, detail, circuit.num_qubits, len(network.qpus),
                   round(time.perf_counter() - start, 3))


def check(circuit: QuantumCircuit, network: Network, seed: int,
          repeat: bool = True) -> tuple[str, str]:
    """(kind, detail) of compiling ``circuit`` on ``network``: see the module's outcomes;
    with ``repeat``, a second compile must give the same bytes."""
    try:
        first = dqc.compile(circuit, network, seed=seed)
        verdict = dqc.verify(circuit, first.circuit, first.report, max_sim_qubits=16,
                             shots=64, seed=seed, qcec_timeout=QCEC_TIMEOUT_S)
        if not verdict.ok:
            return "failure", f"verification ({verdict.method}): {verdict.detail}"
        if repeat:
            again = dqc.compile(circuit, network, seed=seed)
            if (dqc.to_qasm3(first.circuit), first.report.to_json()) != (
                    dqc.to_qasm3(again.circuit), again.report.to_json()):
                return "failure", "a second compile with the same seed differs"
        return "verified", verdict.method
    except dqc.DQCError as exc:
        return "refused", f"{type(exc).__name__}: {reason(str(exc))}"
    except Exception as exc:  # the point of fuzzing: anything else is a finding
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return "failure", (f"{type(exc).__name__}: {str(exc)[:300]} "
                           f"[{Path(where.filename).name}:{where.lineno}]")


def shrink(seed: int) -> QuantumCircuit:
    """The failing circuit of case ``seed`` with every instruction removed whose removal
    keeps it failing (greedy, to a fixed point): a small reproducer for a regression test."""
    circuit, network = case_inputs(seed)
    if check(circuit, network, seed % 997)[0] != "failure":
        raise ValueError(f"case {seed} does not fail")
    changed = True
    while changed:
        changed = False
        for index in reversed(range(len(circuit.data))):
            trial = circuit.copy_empty_like()
            for i, instruction in enumerate(circuit.data):
                if i != index:
                    trial.append(instruction)
            if check(trial, network, seed % 997)[0] == "failure":
                circuit, changed = trial, True
    return circuit


def reason(message: str) -> str:
    """A refusal's message without its numbers, so that refusals group by reason."""
    words = []
    for word in message.split(";")[0].split():
        words.append("N" if any(ch.isdigit() for ch in word) else word)
    return " ".join(words)[:160]


# ------------------------------------------------------------------ the campaign


def campaign(cases: int, seed: int, jobs: int) -> list[Outcome]:
    """Run ``cases`` cases from ``seed`` on ``jobs`` processes (results in case order)."""
    seeds = [seed * 1_000_003 + i for i in range(cases)]
    if jobs <= 1:
        return [run_case(s) for s in seeds]
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(run_case, seeds, chunksize=8))


def versions() -> dict[str, str]:
    """The interpreter and libraries the campaign ran on."""
    out = {"python": platform.python_version()}
    for dist in ("dqc-compiler", "qiskit", "stim", "numpy", "scipy", "networkx", "pymetis"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def summary(outcomes: list[Outcome], seed: int, seconds: float) -> dict:
    """Counts by kind, method and reason; the failures with their reproducers."""
    kinds = Counter(o.kind for o in outcomes)
    return {
        "cases": len(outcomes), "seed": seed, "seconds": round(seconds, 1),
        "verified": kinds["verified"], "refused": kinds["refused"], "failures": kinds["failure"],
        "verified_by_method": dict(Counter(o.detail for o in outcomes if o.kind == "verified")
                                   .most_common()),
        "refused_by_reason": dict(Counter(o.detail for o in outcomes if o.kind == "refused")
                                  .most_common()),
        "failure_cases": [asdict(o) | {"reproducer": f"python -m benchmarks.fuzz --case {o.seed}"}
                          for o in outcomes if o.kind == "failure"],
        "versions": versions(),
    }


def merged(results: list[dict]) -> dict:
    """One summary of several campaigns (their seeds listed; counts added).

    Examples:
        >>> a = {"cases": 2, "seed": 1, "seconds": 1.0, "verified": 2, "refused": 0,
        ...      "failures": 0, "verified_by_method": {"stim-flows": 2},
        ...      "refused_by_reason": {}, "failure_cases": [], "versions": {}}
        >>> b = dict(a, seed=2, verified_by_method={"stim-flows": 1, "statevector": 1})
        >>> m = merged([a, b])
        >>> m["cases"], m["seed"], m["verified_by_method"]
        (4, '1, 2', {'stim-flows': 3, 'statevector': 1})
    """
    out = {"cases": 0, "seed": ", ".join(str(r["seed"]) for r in results), "seconds": 0.0,
           "verified": 0, "refused": 0, "failures": 0, "failure_cases": [],
           "versions": results[0]["versions"] if results else versions()}
    tallies: dict[str, Counter[str]] = {"verified_by_method": Counter(),
                                        "refused_by_reason": Counter()}
    for r in results:
        for key in ("cases", "seconds", "verified", "refused", "failures"):
            out[key] += r[key]
        out["failure_cases"] += r["failure_cases"]
        for key, tally in tallies.items():
            tally.update(r[key])
    out["seconds"] = round(out["seconds"], 1)
    out.update({key: dict(tally.most_common()) for key, tally in tallies.items()})
    return out


def markdown(result: dict) -> str:
    """The summary as a Markdown page."""
    seeds = "seeds" if ", " in str(result["seed"]) else "seed"
    lines = [f"# Fuzzing campaign: {result['cases']:,} cases ({seeds} {result['seed']})", "",
             f"{result['verified']:,} verified, {result['refused']:,} refused, "
             f"{result['failures']:,} failures, in {result['seconds']:,} s.", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()), "",
             "| verified by | cases |", "|---|---|"]
    lines += [f"| {k} | {v:,} |" for k, v in result["verified_by_method"].items()]
    lines += ["", "| refused because | cases |", "|---|---|"]
    lines += [f"| {k} | {v:,} |" for k, v in result["refused_by_reason"].items()]
    lines += ["", "## Failures", ""]
    lines += [f"- `{f['reproducer']}` ({f['qubits']} qubits, {f['qpus']} QPUs): {f['detail']}"
              for f in result["failure_cases"]] or ["None."]
    return "\n".join(lines) + "\n"


def show_case(seed: int) -> int:
    """Print one case's circuit, network and outcome; 1 if it fails."""
    circuit, network = case_inputs(seed)
    print(dqc.to_qasm3(circuit))
    print(network.to_toml())
    result = run_case(seed)
    print(f"{result.kind}: {result.detail}")
    return int(result.kind == "failure")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--case", type=int, help="rerun one case by its seed")
    parser.add_argument("--shrink", type=int, help="shrink a failing case to a reproducer")
    parser.add_argument("--merge", type=Path, nargs="+", metavar="JSON",
                        help="merge the summaries of earlier campaigns into --out")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "fuzz")
    args = parser.parse_args(argv)
    if args.case is not None:
        return show_case(args.case)
    if args.shrink is not None:
        small = shrink(args.shrink)
        print(dqc.to_qasm3(small))
        print(case_inputs(args.shrink)[1].to_toml())
        print(" ".join(check(small, case_inputs(args.shrink)[1], args.shrink % 997)))
        return 1
    if args.merge:
        result = merged([json.loads(p.read_text(encoding="utf-8")) for p in args.merge])
    else:
        start = time.perf_counter()
        outcomes = campaign(args.cases, args.seed, args.jobs)
        result = summary(outcomes, args.seed, time.perf_counter() - start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    page = markdown(result)
    args.out.with_suffix(".md").write_text(page, encoding="utf-8")
    print(page)
    return int(result["failures"] > 0)


if __name__ == "__main__":
    sys.exit(main())
