"""Longest paths searched together give the one-by-one searches' values to the bit.

``longest_paths_together`` carries a vector of path lengths per operation; the forced
holds use it for searches spanning more than ``LONG_SPAN`` operations. Both must agree
exactly with ``longest_paths`` (the report's figures must not depend on which ran).
"""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest
from qiskit import QuantumCircuit

import dqc
from dqc.estimation import fidelity, paths
from dqc.estimation.memory import after_eprs
from dqc.estimation.program import build_program, ops_by_qubit, successors


def random_program(rng: random.Random, n: int) -> tuple[SimpleNamespace, list]:
    """A random DAG in program order: each op has up to 3 earlier predecessors, some
    edges with a lag; durations with many distinct binary fractions (rounding shows)."""
    duration = [rng.choice([0.0, 0.1, 0.3, 1.7, 2.5e-3]) * rng.random() for _ in range(n)]
    succ: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for i in range(1, n):
        for j in sorted(rng.sample(range(i), min(i, rng.randint(0, 3)))):
            succ[j].append((i, rng.choice([0.0, 0.0, 1e-3 * rng.random()])))
    return SimpleNamespace(duration=duration), [tuple(s) for s in succ]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("together", [512, 4])  # (4: several passes, in source order)
def test_together_equals_one_by_one(seed: int, together: int, monkeypatch) -> None:
    monkeypatch.setattr(paths, "TOGETHER", together)
    rng = random.Random(seed)
    prog, succ = random_program(rng, 300)
    searches = []
    for _ in range(25):
        source = rng.randrange(250)
        last = rng.randrange(source, 300)
        searches.append((source, last, set(rng.sample(range(source, 300), 8)) | {last}))
    together = paths.longest_paths_together(prog, succ, searches)
    for (source, last, targets), got in zip(searches, together):
        alone = paths.longest_paths(prog, succ, source, last, from_end=True)[0]
        assert got == {t: alone[t] for t in targets if t <= last and t in alone}


def test_nothing_to_search() -> None:
    prog, succ = random_program(random.Random(0), 5)
    assert paths.longest_paths_together(prog, succ, []) == []


def test_forced_holds_do_not_depend_on_which_searches_go_together(monkeypatch) -> None:
    """A compiled circuit's forced holds with every search alone and with every search
    together (LONG_SPAN and ALONE_VISITS 0): the same figures, exactly."""
    qc = QuantumCircuit(8)
    rng = random.Random(3)
    for _ in range(120):
        a, b = rng.sample(range(8), 2)
        qc.cx(a, b)
        qc.t(rng.randrange(8))
    net = dqc.Network.line(4, data_qubits=2, comm_qubits=2)
    result = dqc.compile(qc, net, seed=1)
    assert dqc.verify(qc, result.circuit, result.report).ok
    prog = build_program(result.circuit, net, result.report.qubit_qpu,
                         set(result.report.comm_qubits))
    succ = successors(prog)
    ops_on = ops_by_qubit(prog)
    after = after_eprs(prog, ops_on)
    qpu_of = [net.index(name) for name in result.report.qubit_qpu]

    def holds():
        h = fidelity.forced_holds(prog, succ, after, net, qpu_of, ops_on)
        return h.exposure, h.log_keep, h.per_link, h.per_qpu, h.waits, h.late

    monkeypatch.setattr(fidelity, "LONG_SPAN", 10**9)
    alone = holds()
    monkeypatch.setattr(fidelity, "LONG_SPAN", 0)
    assert holds() == alone  # (each search small enough to run alone)
    monkeypatch.setattr(fidelity, "ALONE_VISITS", 0)
    assert holds() == alone  # (every search together)
    assert alone[0] > 0  # (ebits were held: the comparison is not of empty figures)
