"""Reusing data qubits (dqc.plan.lives, compile(..., reuse=True)): births and deaths."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from dqc.passes.distribute_gates import DistributeGates
from dqc.passes.pass_manager import compile_passes
from qiskit import QuantumCircuit, qasm3
from qiskit.converters import circuit_to_dag
from qiskit.transpiler import PassManager

import dqc
from dqc.adapter.noisy_sim import fidelity_check
from dqc.errors import CapacityError
from dqc.plan.lives import Lives, can_change_hands
from dqc.plan.teledata import Move, Timeline
from tests.helpers import two_phases

CIRCUITS = Path(__file__).resolve().parents[2] / "benchmarks" / "circuits"


NET = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)


def test_lives_of_a_circuit():
    qc = QuantumCircuit(3, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure(1, 0)  # q1 dies here
    qc.x(2)
    qc.measure(2, 1)  # q2: born and dead at its measurement
    lives = Lives.of(circuit_to_dag(qc))
    nodes = list(circuit_to_dag(qc).topological_op_nodes())
    names = [[nodes[t].name for t in sorted(p)] for p in lives.prefix]
    assert names == [["h"], [], ["x"]]
    assert [nodes[t].name if t >= 0 else None for t in lives.death] == [None, "measure",
                                                                        "measure"]


def _layers(n: int, depth: int, measured: bool) -> QuantumCircuit:
    """Brick layers of CZs on n qubits; every qubit is in the first layer."""
    qc = QuantumCircuit(n, n)
    qc.h(range(n))
    for d in range(depth):
        for a in range(d % 2, n - 1, 2):
            qc.cz(a, a + 1)
    if measured:
        qc.measure(range(n), range(n))
    return qc


@pytest.mark.parametrize("qc, changes", [
    (_layers(4, 3, measured=False), False),  # all born in the first layer, none dies
    (_layers(4, 3, measured=True), False),   # each final measurement after every birth
    (_layers(5, 3, measured=True), True),    # q4 waits for the second layer
    (two_phases(), True),
])
def test_whether_a_data_qubit_can_change_hands(qc, changes):
    assert can_change_hands(circuit_to_dag(qc)) is changes


@pytest.mark.parametrize("qc, plannings", [
    (_layers(4, 3, measured=True), 2),  # the plain compile's, the reusing compile's own
    (two_phases(), 3),                  # ... and the one planned for QPUs of 3
])
def test_the_roomier_compile_is_skipped_when_hands_never_change(verified, monkeypatch, qc,
                                                                plannings):
    """Two QPUs of 2. In brick layers on 4 qubits every qubit holds its data qubit from
    the first layer to the end: the compile planned for QPUs of 3 could only find a
    plain placement, so it is not planned. In two_phases it is, lightly: no embedding
    is planned for it (``compile_passes(..., light=True)``)."""
    from dqc.passes import PartitionQubits, PlanEmbedding
    runs: dict[str, int] = {}
    for cls in (PartitionQubits, PlanEmbedding):
        def counted(self, dag, real=cls.run):
            runs[type(self).__name__] = runs.get(type(self).__name__, 0) + 1
            return real(self, dag)
        monkeypatch.setattr(cls, "run", counted)
    plain = verified(qc, NET)
    reused = verified(qc, NET, reuse=True)
    assert reused.report.ebits <= plain.report.ebits
    assert runs == {"PartitionQubits": plannings, "PlanEmbedding": 2}


def test_a_freed_data_qubit_takes_the_moving_qubit(verified):
    qc = two_phases()
    plain = verified(qc, NET)
    reused = verified(qc, NET, reuse=True)
    assert (plain.report.ebits, reused.report.ebits) == (2, 1)
    assert reused.report.moves == 1 and reused.report.births == ()
    assert {q for q, _, _ in reused.report.deaths} == {0, 1, 2, 3}
    assert plain.report.deaths == () and plain.report.births == ()
    assert "data qubits reused" in reused.report.summary()


def test_reuse_is_kept_only_when_it_saves_ebits(verified):
    qc = QuantumCircuit(4, 4)
    qc.cx(0, 1)
    qc.cx(2, 3)
    qc.measure(range(4), range(4))
    result = verified(qc, NET, reuse=True)
    assert result.report.ebits == 0 and result.report.deaths == ()


def test_a_freed_data_qubit_holds_a_copy_the_comm_qubit_cannot(fixed):
    """Two QPUs of three data qubits and one comm qubit: q0, q1, q2 | q3, q4, q5.
    q2 is measured first; then q3 and q4 meet q0 and q1 in turn::

        q0 ──────■─────■──■─────      every cover of the four pairs has two copies in
        q1 ──────┼──■──■──┼──■──■─    use by turns on one QPU (q3's and q4's on qpu0, or
        q2 ─H─M──┼──┼─────┼──┼──┼─    q0's and q1's on qpu1): one comm qubit reopens one
        q3 ──────■──┼──■──┼──■──┼─    at every turn, 4 ebits. Reusing q2's data qubit
        q4 ─────────■─────■─────■─    for one of them: 2, this placement's fewest

    The same placement, distributed with and without reuse (no re-planning)."""
    qc = QuantumCircuit(6, 6)
    qc.h(2)
    qc.measure(2, 2)
    for a, b in [(3, 0), (4, 1), (3, 1), (4, 0), (3, 0), (4, 1)]:
        qc.cz(a, b)
    qc.measure([0, 1, 3, 4, 5], [0, 1, 3, 4, 5])
    net = dqc.Network.all_to_all(2, data_qubits=3, comm_qubits=1)
    part = ("qpu0",) * 3 + ("qpu1",) * 3
    _, plain = fixed(qc, net, part)
    _, reused = fixed(qc, net, part, reuse=True)
    assert (plain.ebits, reused.ebits) == (4, 2)
    assert (2, 2, 0) in reused.deaths and plain.deaths == ()


def test_a_move_before_its_qubit_is_born_is_no_teleport(fixed):
    """A move planned for q2 before its first operation::

        q0 ─H─■────        qpu0: q0, q1 (and q2 after the move), 3 data qubits
        q1 ───X─■──        qpu1: q2 at the start
        q2 ─────X──        (the move goes before the second slice)

    Reusing data qubits, q2 has no state yet: it is born on qpu0, no ebit, no teleport
    (the report counts moves made). Without reuse it is teleported: 1 ebit, 1 move."""
    qc = QuantumCircuit(3, 3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.measure(range(3), range(3))
    net = dqc.Network.all_to_all(2, data_qubits=3, comm_qubits=2)
    move = (Move(Timeline.of(circuit_to_dag(qc)).slice_start(2), 2, 0),)
    _, plain = fixed(qc, net, ("qpu0", "qpu0", "qpu1"), move)
    _, reused = fixed(qc, net, ("qpu0", "qpu0", "qpu1"), move, reuse=True)
    assert (plain.ebits, plain.moves, len(plain.teleports)) == (1, 1, 1)
    assert (reused.ebits, reused.moves, reused.teleports) == (0, 0, ())


@pytest.mark.parametrize("name, k, plain, reused, births", [
    ("adder_n28", 2, 3, 2, 1),   # the carry's QPU has room before its top qubits are born
    ("qugan_n39", 2, 5, 3, 2),   # 19 qubits measured early free their data qubits
])
def test_benchmark_rows_with_reuse(verified, name, k, plain, reused, births):
    qc = QuantumCircuit.from_qasm_file(str(CIRCUITS / f"{name}.qasm"))
    net = dqc.Network.all_to_all(k, data_qubits=math.ceil(qc.num_qubits / k), comm_qubits=2)
    assert verified(qc, net).report.ebits == plain
    result = verified(qc, net, reuse=True)
    assert result.report.ebits == reused
    assert len(result.report.births) == births
    # no QPU ever holds more live qubits than it has data qubits: the output has exactly
    # the network's qubits, and the contract (checked by verify) puts every gate on one QPU
    assert result.circuit.num_qubits == sum(q.data_qubits + q.comm_qubits for q in net.qpus)


def test_reuse_is_deterministic(verified):
    a = verified(two_phases(), NET, reuse=True, seed=3)
    b = verified(two_phases(), NET, reuse=True, seed=3)
    assert qasm3.dumps(a.circuit) == qasm3.dumps(b.circuit)
    assert a.report.to_json() == b.report.to_json()


def test_report_round_trip_keeps_lives(verified):
    qc = two_phases()
    result = verified(qc, NET, reuse=True)
    again = dqc.Report.from_dict(result.report.to_dict())
    assert again.deaths == result.report.deaths and again.births == result.report.births
    assert dqc.verify(qc, result.circuit, again.to_dict()).ok  # (as read from --report JSON)


def test_estimate_with_reuse_is_verified():
    qc = two_phases()
    est = dqc.estimate(qc, NET, reuse=True)
    assert est.report.ebits == 1 and est.report.deaths
    assert dqc.verify(qc, est.circuit, est.report).ok


def test_a_fidelity_simulation_refuses_a_reused_output():
    reused = dqc.compile(two_phases(), NET, reuse=True)
    with pytest.raises(dqc.DQCError, match="reuses data qubits .0 born later, 4 measured early"):
        fidelity_check(reused.circuit, two_phases(), reused.report, "state")




def staggered(n: int, steps: int, seed: int) -> QuantumCircuit:
    """A random Clifford circuit whose qubits start and stop at random steps (each
    measured one step after its last gate): lives for data qubits to be reused by."""
    rng = random.Random(seed)
    qc = QuantumCircuit(n, n)
    start = {q: rng.randrange(steps // 2) for q in range(n)}
    end = {q: start[q] + rng.randrange(steps // 4, steps // 2 + 1) for q in range(n)}
    for t in range(steps + 1):
        for q in range(n):
            if end[q] == t - 1:
                qc.measure(q, q)
        alive = [q for q in range(n) if start[q] <= t <= end[q]]
        if len(alive) >= 2:
            a, b = rng.sample(alive, 2)
            rng.choice([qc.cx, qc.cz, qc.swap])(a, b)
            rng.choice([qc.h, qc.s, qc.x, qc.sdg])(rng.choice(alive))
    for q in range(n):
        if end[q] >= steps:
            qc.measure(q, q)
    return qc


def test_reused_distributions_of_random_circuits_verify(pass_verified):
    """Plans for one more data qubit per QPU, distributed with reuse on the real network:
    each either fits (and verifies) or stops with a CapacityError naming the QPU."""
    net = dqc.Network.all_to_all(2, data_qubits=4, comm_qubits=2)
    roomy = dqc.Network.all_to_all(2, data_qubits=5, comm_qubits=2)
    births = deaths = 0
    for seed in range(24, 40):  # (births are rare: 3 of these 16 have one)
        qc = staggered(8, 30, seed)
        *planners, _ = compile_passes(roomy, seed=seed)
        pm = PassManager([*planners, DistributeGates(net, reuse=True)])
        try:
            out = pm.run(qc)
        except CapacityError as exc:
            assert "has no free data qubit for input qubit" in str(exc)
            continue
        report = pass_verified(qc, out, net, pm.property_set)
        births += len(report.births)
        deaths += len(report.deaths)
    assert births and deaths  # (both kinds of reuse were exercised)
