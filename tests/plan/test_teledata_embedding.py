"""Teledata and embedding together (dqc.plan.teledata_embedding): flips on the stays of
moves, planned, distributed and verified."""

from __future__ import annotations

import random

import numpy as np
import pytest
from dqc.passes.pass_manager import compile_passes
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.transpiler import PassManager

import dqc
from dqc.plan.embedding import FlipTable, embedding_plan
from dqc.plan.proposals import Proposal
from dqc.plan.teledata import Move, Stays, Timeline, time_sliced_cost
from dqc.plan.teledata_embedding import on_inputs, stay_table
from tests.conftest import random_circuit, random_clifford_circuit


def both_pay() -> QuantumCircuit:
    """Pairs, the embedding example, then a new pair (RY between CZs: nothing continues)::

        phase 1 (x3): cz(0,1) ry(0) ry(1) cz(2,3) ry(2) ry(3)      wants q0 q1 | q2 q3
        middle:       cz(0,2) cz(1,3) cx(1,0) h(2) cz(0,2) ry(1) ry(2)
        phase 2 (x3): cz(1,2) ry(1) ry(2)                          wants q1 with q2

    On two QPUs of two data qubits the optimum is 4 ebits:

    * Without moves: q0 q1 | q2 q3 pays 3 for phase 2 and 2 for the middle (its two
      CZs of q0 and q2 share a copy of q0 continuing through ``cx(1, 0)``; the CZ of q1
      and q3 needs its own): 5. Any other placement splits a pair of phase 1 (3) and
      q0 q2 | q1 q3 also phase 2 (3): more.
    * With moves (tight: only trades, 2 ebits each): one trade from q0 q1 | q2 q3 to a
      placement with q1 and q2 together, and the middle on either side of it still has
      two remote CZs on disjoint qubits (2): 4. Without the flip the middle needs 3: 5.
    """
    qc = QuantumCircuit(4)
    for _ in range(3):
        qc.cz(0, 1); qc.ry(0.3, 0); qc.ry(0.3, 1)  # noqa: E702
        qc.cz(2, 3); qc.ry(0.3, 2); qc.ry(0.3, 3)  # noqa: E702
    qc.cz(0, 2); qc.cz(1, 3); qc.cx(1, 0); qc.h(2); qc.cz(0, 2)  # noqa: E702
    qc.ry(0.3, 1); qc.ry(0.3, 2)  # noqa: E702
    for _ in range(3):
        qc.cz(1, 2); qc.ry(0.3, 1); qc.ry(0.3, 2)  # noqa: E702
    return qc


def test_a_circuit_gets_moves_and_embedding_when_both_pay(verified):
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    result = verified(both_pay(), net)
    report = result.report
    assert report.ebits == 4 and report.moves == 2 and report.embedded_flips == 1
    assert report.fewest_without_moves == 5  # the integer program's proof, without moves


def test_either_alone_costs_five(pass_verified):
    """Without the flips on the moves' stays the same compile gives 5 (the embedding, or
    the moves): the gain is the combination's."""
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    passes = compile_passes(net, seed=0)
    teledata = next(p for p in passes if isinstance(p, dqc.passes.PlanTeledata))
    teledata.embedding = False
    pm = PassManager(passes)
    out = pm.run(both_pay())
    assert pm.property_set["dqc_distribution"].ebits == 5
    assert pm.property_set["dqc_teledata"].embedding is None
    pass_verified(both_pay(), out, net, pm.property_set)


def _dag(qc: QuantumCircuit):
    """The circuit as DistributeGates sees it (unrolled; swaps as three CX)."""
    qc = qc.decompose(gates_to_decompose=["swap"])
    return circuit_to_dag(PassManager([dqc.passes.UnrollForDistribution()]).run(qc))


@pytest.mark.parametrize("seed", range(12))
def test_random_moves_with_random_flips_verify(seed, pass_verified):
    """Random moves and a random choice of flips on their stays (at most one per gate):
    distributed and verified; with a comm qubit per data qubit, no more ebits than the
    model. Seeds 8-11: a line of three QPUs (moves and copies over two hops), with
    mid-circuit measurements and resets."""
    rng = random.Random(seed)
    n = 6
    qc = (random_clifford_circuit(n, 40, seed, resets=True) if seed >= 8 else
          random_clifford_circuit(n, 40, seed, measure=False) if seed % 2
          else random_circuit(n, 40, seed))
    comm = (1, 2, n)[seed % 3]
    net = (dqc.Network.line(3, data_qubits=n - 1, comm_qubits=max(2, comm)) if seed >= 8
           else dqc.Network.all_to_all(2, data_qubits=n - 1, comm_qubits=comm))
    dag = _dag(qc)
    timeline = Timeline.of(dag)
    part = [0, 0, 1, 1, 2, 2] if seed >= 8 else [0, 0, 0, 1, 1, 1]
    where, moves = list(part), []
    for s in sorted(rng.sample(range(2, timeline.num_slices + 1), 3)):
        q = rng.randrange(n)
        to = rng.choice([k for k in range(len(net.qpus)) if k != where[q]])
        if where.count(to) < n - 1:
            moves.append(Move(timeline.slice_start(s), q, to))
            where[q] = to
    dist = net.distances()
    stays = Stays.of(timeline, part, moves, dist)
    virtual = stay_table(FlipTable.of(dag), timeline, stays)
    assert virtual is not None
    chosen, used = np.zeros(len(virtual.flips), dtype=bool), set()
    for i, f in enumerate(virtual.flips):
        if f.position not in used and rng.random() < 0.5:
            chosen[i] = True
            used.add(f.position)
    plan = on_inputs(embedding_plan(virtual, chosen, np.array(stays.part), dist), stays,
                     timeline)
    assert plan.through and moves
    names = tuple(net.qpus[k].name for k in part)
    props = {"dqc_partition": names, "dqc_teledata": Proposal(
        "teledata", names, 0, 0, moves=tuple(moves), embedding=plan)}
    circuit = dag_to_circuit(dag)
    out = dqc.passes.DistributeGates(net, replans=0)(circuit, property_set=props)
    pass_verified(circuit, out, net, props)
    distribution = props["dqc_distribution"]
    assert distribution.plan.moves and distribution.plan.embedding is plan
    if comm == n:
        assert distribution.ebits <= stays.move_ebits + plan.ebits


@pytest.mark.parametrize("seed", range(4))
def test_the_stays_table_without_flips_is_the_time_sliced_cost(seed):
    """No flip chosen: the covers on the stays cost what the teledata model says."""
    rng = random.Random(seed)
    dag = _dag(random_clifford_circuit(6, 60, seed, measure=False))
    timeline = Timeline.of(dag)
    part = [0, 1, 2, 0, 1, 2]
    moves = tuple(Move(timeline.slice_start(s), rng.randrange(6), rng.randrange(3))
                  for s in sorted(rng.sample(range(2, timeline.num_slices + 1), 4)))
    dist = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]])
    table = FlipTable.of(dag)
    stays = Stays.of(timeline, part, moves, dist)
    virtual = stay_table(table, timeline, stays)
    assert virtual is not None
    plan = embedding_plan(virtual, np.zeros(len(virtual.flips), dtype=bool),
                          np.array(stays.part), dist)
    cost = time_sliced_cost(timeline, table.gates, part, moves, dist)
    assert plan.ebits == plan.static_ebits == cost.ebits - cost.move_ebits
