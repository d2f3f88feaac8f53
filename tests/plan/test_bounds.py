"""The placement-independent ebit bound (dqc.plan.bounds): hand-solved optima, soundness
against dqc's own figures (every output verified), brute force on tiny instances."""

from __future__ import annotations

import itertools
import math
import random

import networkx as nx
import numpy as np
import pytest
from dqc.passes import BuildInteractionGraph, ElideSwaps, UnrollForDistribution
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag

import dqc
from dqc.estimation.report import Report
from dqc.plan.bounds import (
    AnyPlacementBound,
    any_placement_bound,
    epoch_milp,
    epochs_of,
    presence_milp,
    separator_bound,
)
from dqc.plan.cost_model import GateTable, two_qubit_gates

TWO = np.array([[0, 1], [1, 0]])


def interaction_graph(qc: QuantumCircuit) -> nx.Graph:
    """The interaction graph dqc.compile builds for ``qc``."""
    dag = circuit_to_dag(ElideSwaps()(UnrollForDistribution()(qc)))
    analysis = BuildInteractionGraph()
    analysis.run(dag)
    return analysis.property_set["dqc_interaction_graph"]


def random_circuit(n: int, gates: int, seed: int, *, diagonal_only: bool = False
                   ) -> QuantumCircuit:
    """``gates`` random two-qubit gates on ``n`` qubits with single-qubit gates between
    them (``diagonal_only``: an H layer, then only cz / cp / rzz and rz)."""
    rng = random.Random(seed)
    qc = QuantumCircuit(n)
    qc.h(range(n))
    for _ in range(gates):
        a, b = rng.sample(range(n), 2)
        kind = rng.choice(["cz", "cp", "rzz"] if diagonal_only else ["cx", "cz", "cp", "h"])
        if kind == "cz":
            qc.cz(a, b)
        elif kind == "cp":
            qc.cp(rng.uniform(0.1, 3), a, b)
        elif kind == "rzz":
            qc.rzz(rng.uniform(0.1, 3), a, b)
        elif kind == "cx":
            qc.cx(a, b)
        else:
            qc.h(a)
        if diagonal_only and rng.random() < 0.3:
            qc.rz(rng.uniform(0.1, 3), a)
    return qc


def brute_force_cover(qc: QuantumCircuit, capacity: int) -> int:
    """Minimum over every placement on two QPUs of ``capacity`` data qubits of the
    per-placement minimum cover (:meth:`GateTable.plan`'s ``lower_bound``)."""
    table = GateTable.from_gates(two_qubit_gates(
        circuit_to_dag(ElideSwaps()(UnrollForDistribution()(qc)))))
    n = qc.num_qubits
    best = math.inf
    for part in itertools.product((0, 1), repeat=n):
        if part.count(0) <= capacity and part.count(1) <= capacity:
            best = min(best, table.plan(list(part), TWO, carriers=False).lower_bound)
    return int(best)


def brute_force_presence(graph: nx.Graph, capacity: int) -> int:
    """The presence model on two QPUs by enumeration: every placement, every set of
    qubits that travel (present on both QPUs), the cheapest that covers each cut edge."""
    n = graph.number_of_nodes()
    best = n
    for part in itertools.product((0, 1), repeat=n):
        if part.count(0) > capacity or part.count(1) > capacity:
            continue
        cut = [(u, v) for u, v in graph.edges() if part[u] != part[v]]
        for size in range(best):
            if any(all(u in t or v in t for u, v in cut)
                   for t in map(set, itertools.combinations(range(n), size))):
                best = size
                break
    return best


# ------------------------------------------------------------ hand-solved optima
def test_ring_of_four_needs_two():
    """Ring 0-1-2-3 on 2 + 2: every split cuts two disjoint edges or all four.

        0 ── 1      {0,1} | {2,3}: cut 1–2, 3–0 (disjoint: 2 travellers)
        │    │      {0,2} | {1,3}: cut all four (0 and 2 travel: 2)
        3 ── 2      {0,3} | {1,2}: like the first
    """
    assert any_placement_bound(nx.cycle_graph(4), [2, 2]) == AnyPlacementBound(
        2, "milp-optimal")


def test_star_hub_travels_once():
    """Star with hub 0 and leaves 1..4 on 3 + 3: the hub goes with two leaves, the other
    two leaves sit on the other QPU and the hub is copied there once: 1 ebit.

        1   2
         \\ /       QPU A: 0, 1, 2     QPU B: 3, 4 (+ a copy of 0)
          0
         / \\
        3   4
    """
    assert any_placement_bound(nx.star_graph(4), [3, 3]).ebits == 1


def test_meeting_on_a_third_qpu_is_allowed():
    """a (forced onto A) and b (forced onto B) both talk to c1, c2, c3 on C and to each
    other: a and b each travel to C (2), cheaper than any cover that keeps each gate on one
    of its own qubits' homes (3). Fillers pin a and b (triangles on QPUs of 3); 2 is also
    the spread bound (9 connected qubits on QPUs of 3 use 3 QPUs: >= 2).

        A: a f1 f2      B: b g1 g2      C: c1 c2 c3
        edges: a–b, a–ci, b–ci, a–f1, a–f2, f1–f2, b–g1, b–g2, g1–g2, c1–c2–c3–c1
    """
    g = nx.Graph()
    c = ["c1", "c2", "c3"]
    g.add_edges_from([("a", "b")] + [(x, y) for x in "ab" for y in c])
    g.add_edges_from([("a", "f1"), ("a", "f2"), ("f1", "f2"),
                      ("b", "g1"), ("b", "g2"), ("g1", "g2")])
    g.add_edges_from(itertools.combinations(c, 2))
    g = nx.convert_node_labels_to_integers(g, ordering="sorted")
    assert any_placement_bound(g, [3, 3, 3], max_size=200) == AnyPlacementBound(
        2, "milp-optimal")


def test_everything_fits_on_one_qpu_is_trivial():
    assert any_placement_bound(nx.complete_graph(4), [4, 4]) == AnyPlacementBound(0, "trivial")


def test_separator_bound_is_exact_on_complete_graphs():
    """K_n on QPUs of c: only one QPU's qubits can stay home, n - c travel."""
    assert separator_bound(nx.complete_graph(30), [10, 10, 10]) == 20
    assert any_placement_bound(nx.complete_graph(30), [10, 10, 10]) == AnyPlacementBound(
        20, "separator")


def test_milp_dual_bound_when_the_node_limit_stops_it():
    """With no nodes allowed, what comes back is still a bound (never above the optimum)."""
    g = nx.random_regular_graph(3, 12, seed=1)
    pairs = sorted((min(u, v), max(u, v)) for u, v in g.edges())
    best, proved = presence_milp(12, pairs, [6, 6])
    stopped, proved_stopped = presence_milp(12, pairs, [6, 6], node_limit=0)
    assert proved and stopped <= best


# ------------------------------------------------------------ brute force
@pytest.mark.parametrize("seed", range(6))
def test_equals_brute_force_over_placements_on_tiny_circuits(seed):
    """≤ 6 qubits on 2 QPUs: the program's optimum equals the enumerated minimum of the
    presence model, and — where every qubit keeps one segment (H layer, then diagonal
    gates only) — the enumerated minimum of the per-placement cover bound."""
    n = 4 + seed % 3
    capacity = math.ceil(n / 2)
    general = random_circuit(n, 8, seed)
    graph = interaction_graph(general)
    assert any_placement_bound(graph, [capacity, capacity]).ebits == \
        brute_force_presence(graph, capacity)
    diagonal = random_circuit(n, 8, seed, diagonal_only=True)
    bound = any_placement_bound(interaction_graph(diagonal), [capacity, capacity])
    assert bound.method in ("milp-optimal", "trivial")
    assert bound.ebits == brute_force_cover(diagonal, capacity)


# ------------------------------------------------------------ soundness and report
@pytest.mark.parametrize("seed", range(12))
def test_never_above_dqc_ebits(seed):
    """On random circuits (2 and 3 QPUs, tight capacity; H gates end epochs), the bound
    in the report is at most the ebits dqc emits; outputs verified."""
    n, k = (6, 2) if seed % 2 else (9, 3)
    qc = random_circuit(n, 14, seed)
    net = dqc.Network.line(k, data_qubits=math.ceil(n / k), comm_qubits=2)
    result = dqc.compile(qc, net)
    assert dqc.verify(qc, result.circuit, result.report).ok
    report = result.report
    assert report.ebits_lower_bound_any_placement <= report.ebits
    assert report.optimal == (report.ebits == report.ebits_lower_bound_any_placement)
    assert report.bound_method in ("epoch-milp-optimal", "epoch-milp-dual", "milp-optimal",
                                   "milp-dual", "separator", "trivial")


def test_the_program_is_skipped_where_it_cannot_prove_more():
    """K_8 on 4 + 4: 4 qubits must travel (the separator bound, exact on cliques); the
    program agrees. A 4-ebit plan is then optimal without running it."""
    assert any_placement_bound(nx.complete_graph(8), [4, 4], achieved=4) == \
        AnyPlacementBound(4, "separator")
    assert any_placement_bound(nx.complete_graph(8), [4, 4]) == \
        AnyPlacementBound(4, "separator")
    pairs = list(itertools.combinations(range(8), 2))
    assert presence_milp(8, pairs, [4, 4]) == (4, True)


def test_epochs_pay_again_after_an_h():
    """q3 meets q1 before its H and q0, q2 after it; capacities 2 + 2.

        q0 ──────────■──■─       the triangle 0–1–3 cannot sit on one QPU of 2;
        q1 ─■────────■──┼─       timeless: {0,1} | {2,3}, q3 travels once: 1.
        q2 ─┼───────■───┼─       With epochs q3's copy dies at its H: one for q1,
        q3 ─■──H────■───■─       one for q0 (2); {0,3} | {1,2} and {1,3} | {0,2}
                                 also need 2. So 2, and dqc reaches it.
    """
    qc = QuantumCircuit(4)
    qc.cz(1, 3)
    qc.h(3)
    qc.cz(0, 1)
    qc.cz(2, 3)
    qc.cz(0, 3)
    dag = circuit_to_dag(qc)
    graph = interaction_graph(qc)
    assert any_placement_bound(graph, [2, 2]) == AnyPlacementBound(1, "milp-optimal")
    assert any_placement_bound(graph, [2, 2], dag=dag) == AnyPlacementBound(
        2, "epoch-milp-optimal")
    result = dqc.compile(qc, dqc.Network.line(2, data_qubits=2))
    assert dqc.verify(qc, result.circuit, result.report).ok
    assert result.report.bound_method == "epoch-milp-optimal"
    assert result.report.ebits_lower_bound_any_placement == 2 == result.report.ebits
    assert result.report.optimal


@pytest.mark.parametrize("seed", range(4))
def test_epoch_program_matches_the_timeless_one_without_boundaries(seed):
    """Only diagonal gates after the first H layer: one epoch per qubit, same optimum."""
    qc = random_circuit(6, 10, seed, diagonal_only=True)
    qc.data = qc.data[6:]  # (drop the H layer: it would open a second epoch for nothing)
    graph = interaction_graph(qc)
    dag = circuit_to_dag(ElideSwaps()(UnrollForDistribution()(qc)))
    assert epochs_of(dag).counts == (1,) * 6
    assert epoch_milp(epochs_of(dag), [3, 3])[0] == any_placement_bound(graph, [3, 3]).ebits


def test_deterministic():
    graph = interaction_graph(random_circuit(10, 30, 7))
    first = any_placement_bound(graph, [5, 5])
    assert all(any_placement_bound(graph, [5, 5]) == first for _ in range(3))


def test_report_says_optimal_and_round_trips():
    """A remote CX on 1 + 1: one ebit, and no placement needs fewer."""
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    result = dqc.compile(bell, dqc.Network.line(2, data_qubits=1))
    assert dqc.verify(bell, result.circuit, result.report).ok
    report = result.report
    assert (report.ebits_lower_bound_any_placement, report.bound_method, report.optimal) == \
        (1, "separator", True)
    assert "lower bound for any placement: 1 (separator); optimal" in str(report)
    assert Report.from_dict(report.to_dict()) == report
