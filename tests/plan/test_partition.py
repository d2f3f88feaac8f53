"""dqc.plan.partition: placements within capacity, scored on the cost model."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag

import dqc
from dqc.plan.distribution import distribute
from dqc.plan.partition import SearchLimits, capacity_error, gathered, metis_partition, place
from tests.helpers import CIRCUITS


def two_triangles() -> tuple[QuantumCircuit, nx.Graph]:
    """Two triangles of CX (q0 q1 q2, q3 q4 q5) and one CZ(q2, q3) between them."""
    qc = QuantumCircuit(6)
    for a in (0, 3):
        qc.cx(a, a + 1)
        qc.cx(a, a + 2)
        qc.cx(a + 1, a + 2)
    qc.cz(2, 3)
    graph = nx.Graph()
    graph.add_nodes_from(range(6))
    for inst in qc.data:
        a, b = (qc.find_bit(q).index for q in inst.qubits)
        graph.add_edge(a, b, weight=1)
    return qc, graph


def test_place_cuts_one_edge_and_scores_it():
    qc, graph = two_triangles()
    net = dqc.Network.line(2, data_qubits=3)
    placement = place(circuit_to_dag(qc), graph, net, seed=1)
    assert set(placement.qpus[:3]) == {placement.qpus[0]} != {placement.qpus[3]}
    assert set(placement.qpus[3:]) == {placement.qpus[3]}
    assert (placement.ebits, placement.lower_bound) == (1, 1)


@pytest.mark.parametrize("sizes", [(3, 3), (4, 2), (2, 2, 2)])
def test_metis_respects_every_capacity(sizes):
    _, graph = two_triangles()
    net = dqc.Network.all_to_all(len(sizes), data_qubits=list(sizes))
    part = metis_partition(graph, net, seed=0)
    assert len(part) == 6
    for k, size in enumerate(sizes):
        assert sum(1 for p in part if p == k) <= size


def test_capacity_error_names_uneven_qpus():
    net = dqc.Network.line(2, data_qubits=[3, 2])
    assert str(capacity_error(6, net)) == (
        "circuit has 6 qubits but the network holds 5 data qubits (qpu0: 3, qpu1: 2)")


def test_gathered_puts_each_group_on_the_qpu_holding_most_of_it():
    """Qubits 0, 1, 2 must share a QPU: qpu1 holds two of them, so 0 comes over and
    trades places with 4, the one qubit of no group there (qpu0 has no spare slot)."""
    part = np.array([0, 1, 1, 0, 1, 0])
    out = gathered(part, [(0, 1, 2)], np.array([3, 3]))
    assert out.tolist() == [1, 1, 1, 0, 0, 0]


@pytest.mark.parametrize("cancel, fewest", [(False, 25), (True, 24)])
def test_the_local_search_from_three_starts_does_not_depend_on_the_seed(cancel, fewest):
    """sat_n11 on 4 QPUs of 4: from the one best METIS start, the local search ends at
    27 modelled ebits for seeds 3 and 4 (25 for the others; 25 and 24 with inverse
    pairs cancelled); from the three best starts, every seed ends at the fewest, and
    never above one start's figure."""
    qc = dqc.load_circuit(CIRCUITS / "sat_n11.qasm")
    unroll = dqc.passes.UnrollForDistribution(cancel_inverses=cancel)
    dag = dqc.passes.ElideSwaps().run(unroll.run(circuit_to_dag(qc)))
    graph = dqc.passes.BuildInteractionGraph()
    graph.run(dag)
    net = dqc.Network.all_to_all(4, data_qubits=4, comm_qubits=2)

    def ebits(seed: int, starts: int) -> int:
        return place(dag, graph.property_set["dqc_interaction_graph"], net, seed=seed,
                     limits=SearchLimits(search_starts=starts)).ebits

    one = [ebits(seed, 1) for seed in range(5)]
    three = [ebits(seed, 3) for seed in range(5)]
    assert three == [fewest] * 5
    assert max(one) > fewest and all(t <= o for t, o in zip(three, one))


def test_dry_runs_fit_carriers_to_the_comm_qubits_and_try_every_search_end():
    """multiplier_n45 on a line of 4 QPUs (12 data, 2 comm qubits: 3 data qubits free).
    The local search's ends from the three starts model 126, 127 and 130 ebits;
    distributed (carriers fitted to the comm qubits, crowded copies stowed in free data
    qubits, relays keeping copies they need, as the compile does) they emit 181, 171 and
    160, and two more candidates (138 and 139 on the model) 167 and 158. The dry runs
    compare them by what they emit and keep the 139 (before relays kept copies: 183, 171,
    163, 170 and 162; before copies were stowed the ends emitted 185, 176 and 182 and
    the 127 was kept; without the fitting the dry runs gave 221, 227 and 236)."""
    qc = dqc.load_circuit(CIRCUITS / "multiplier_n45.qasm")
    dag = dqc.passes.ElideSwaps().run(dqc.passes.UnrollForDistribution().run(circuit_to_dag(qc)))
    graph = dqc.passes.BuildInteractionGraph()
    graph.run(dag)
    net = dqc.Network.line(4, data_qubits=12, comm_qubits=2)
    placement = place(dag, graph.property_set["dqc_interaction_graph"], net)
    builder, _ = distribute(net, dag, placement.qpus, emit=False)
    assert (placement.ebits, builder.total_ebits()) == (139, 158)


def test_the_pass_hands_every_limit_to_the_search_by_name():
    limits = dqc.passes.PartitionQubits(dqc.Network.line(2, data_qubits=2), metis_runs=2,
                                        max_dry_runs=5, search_starts=1).limits
    assert (limits.metis_runs, limits.max_dry_runs, limits.search_starts) == (2, 5, 1)
    assert limits.max_relocations == SearchLimits().max_relocations


def test_fewer_than_one_search_start_is_refused_with_its_number():
    with pytest.raises(dqc.DQCError, match="search_starts must be at least 1, got 0"):
        SearchLimits(search_starts=0)
    with pytest.raises(dqc.DQCError, match="PlanTeledata needs starts >= 1, got 0"):
        dqc.passes.PlanTeledata(dqc.Network.line(2, data_qubits=1), starts=0)
