"""Teledata by layers (dqc.plan.layer_moves): exact on small cases, verified end to end."""

from __future__ import annotations

import itertools
import random

import pytest
from dqc.passes import PlanTeledata
from dqc.passes.pass_manager import compile_passes
from qiskit import QuantumCircuit
from qiskit.circuit.library import quantum_volume
from qiskit.converters import circuit_to_dag
from qiskit.transpiler import PassManager

import dqc
import dqc.plan.layer_moves as layer_moves
from dqc.network import Network
from dqc.plan.cost_model import TwoQubitGate, two_qubit_gates
from dqc.plan.layer_moves import (
    LayerSettings,
    NoFit,
    assign_layers,
    count_moves,
    layer_groups,
    split_layers,
)
from dqc.plan.teledata import Timeline


def random_layers(num_qubits: int, layers: int, seed: int) -> list[list[tuple[int, ...]]]:
    """Random matchings of all but the odd qubit, as units (pairs, then the idle qubit)."""
    rng = random.Random(seed)
    out = []
    for _ in range(layers):
        order = list(range(num_qubits))
        rng.shuffle(order)
        pairs = sorted(tuple(sorted(order[i:i + 2])) for i in range(0, num_qubits - 1, 2))
        out.append(pairs + [(q,) for q in order[len(pairs) * 2:]])
    return out


def brute_force(units: list[list[tuple[int, ...]]], caps: tuple[int, int]) -> int:
    """Fewest changes of side over every split of every layer that fits ``caps``."""
    def fits(layer, sides):
        load = [0, 0]
        for unit, side in zip(layer, sides):
            load[side] += len(unit)
        return load[0] <= caps[0] and load[1] <= caps[1]

    choices = [[s for s in itertools.product((0, 1), repeat=len(layer)) if fits(layer, s)]
               for layer in units]
    best = None
    for pick in itertools.product(*choices):
        where = [{q: side for unit, side in zip(layer, s) for q in unit}
                 for layer, s in zip(units, pick)]
        cost = sum(a[q] != b[q] for a, b in zip(where, where[1:]) for q in a)
        best = cost if best is None else min(best, cost)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(6))
def test_a_window_as_wide_as_the_circuit_is_exact(seed):
    """7 qubits (3 pairs and an idle qubit per layer), 3 layers, sides of 4 and 3: the
    window program covers every layer at once, so the split is optimal — the same count
    as trying all 4,096 splits."""
    units = random_layers(7, 3, seed)
    sides = split_layers(units, (4, 3), LayerSettings(window=3))
    cost = sum(a[q] != b[q] for a, b in zip(sides, sides[1:]) for q in a)
    assert cost == brute_force(units, (4, 3))
    for layer, side in zip(units, sides):  # every pair on one side, loads within caps
        assert all(side[u[0]] == side[u[-1]] for u in layer)
        assert sum(len(u) for u in layer if side[u[0]] == 1) <= 3
        assert sum(len(u) for u in layer if side[u[0]] == 0) <= 4


@pytest.mark.parametrize("seed", range(4))
def test_bisection_places_every_pair_on_one_qpu_within_its_data_qubits(seed):
    """9 qubits (4 pairs and one idle per layer) on four QPUs of 3: each QPU holds one
    pair, so each half of the first split may take only two pairs although it has 6
    data qubits (three pairs there could not be split again)."""
    units = random_layers(9, 8, seed)
    placements = assign_layers(units, (3, 3, 3, 3))
    for layer, where in zip(units, placements):
        assert all(len({int(where[q]) for q in unit}) == 1 for unit in layer)
        assert max(list(where).count(k) for k in range(4)) <= 3
    assert count_moves(placements) > 0


def test_a_half_without_qubits_is_placed_trivially():
    """Three qubits on four QPUs of two: the first split puts them all on one side, so
    the other half has no unit in any layer (found by the property test in CI)."""
    placements = assign_layers([[(0, 1), (2,)], [(0, 2), (1,)]], (2, 2, 2, 2))
    assert [len(p) for p in placements] == [3, 3]
    assert placements[0][0] == placements[0][1] and placements[1][0] == placements[1][2]
    assert max(list(placements[1]).count(k) for k in range(4)) <= 2


def test_pairs_that_cannot_all_be_local_are_refused():
    """Six qubits in three pairs on two QPUs of three: one pair must straddle."""
    with pytest.raises(NoFit, match="sides of"):
        assign_layers([[(0, 1), (2, 3), (4, 5)]], (3, 3))


def test_layers_join_slices_while_the_pairs_stay_one_matching():
    """cz(0,1) cz(2,3) | cz(0,1) | cz(1,2): the first two slices are one layer."""
    qc = QuantumCircuit(4)
    qc.cz(0, 1)
    qc.cz(2, 3)
    qc.cz(0, 1)
    qc.cz(1, 2)
    dag = circuit_to_dag(qc)
    timeline, gates = Timeline.of(dag), two_qubit_gates(dag)
    layers = layer_groups([timeline.slice_of_position[g.position] for g in gates], gates, 4)
    assert layers.first_slice == (1, 3)
    assert layers.units == (((0, 1), (2, 3)), ((1, 2), (0,), (3,)))
    assert layer_groups([], [TwoQubitGate(0, (0, 1), (None, None))][:0], 2).units == ()


def teledata_plan(circuit: QuantumCircuit, network: Network, **options):
    """dqc.compile's passes up to PlanTeledata (with ``options``); its proposal."""
    passes = compile_passes(network)
    names = [type(p).__name__ for p in passes]
    pm = PassManager(passes[:names.index("PlanTeledata")] + [PlanTeledata(network, **options)])
    pm.run(circuit)
    return pm.property_set["dqc_teledata"]


def test_quantum_volume_moves_fewer_qubits_with_the_layer_assignment(verified):
    """QV-12 on two QPUs of six: every gate local, moves between layers; fewer ebits
    than the sweeps alone, and the compiled circuit verifies."""
    qc = quantum_volume(12, seed=1)
    net = Network.all_to_all(2, data_qubits=6, comm_qubits=2)
    sweeps_only = teledata_plan(qc, net, layers=None)
    layered = teledata_plan(qc, net)
    assert layered.ebits < sweeps_only.ebits
    assert layered.ebits == len(layered.moves)  # all local: the moves are the cost
    result = verified(qc, net)
    assert result.report.ebits == layered.ebits
    assert result.report.moves == len(layered.moves)


def test_four_qpus_verify_and_compile_deterministically():
    """QV-8 on four QPUs of two (bisection twice): the output verifies and
    the compile is deterministic."""
    qc = quantum_volume(8, seed=4)
    net = Network.all_to_all(4, data_qubits=2, comm_qubits=2)
    first = dqc.compile(qc, net)
    outcome = dqc.verify(qc, first.circuit, first.report)
    assert outcome.ok, str(outcome)
    layer_moves._split_kept.cache_clear()  # (the second compile solves the splits again)
    second = dqc.compile(qc, net)
    assert dqc.to_qasm3(first.circuit) == dqc.to_qasm3(second.circuit)
    assert first.report.ebits == second.report.ebits


def test_not_tried_where_moves_would_need_relays():
    """On a line of four QPUs the model cannot see the relays' comm qubits that batches
    of moves need: the sweeps alone plan there."""
    qc = quantum_volume(8, seed=4)
    net = Network.line(4, data_qubits=2, comm_qubits=2)
    assert teledata_plan(qc, net) == teledata_plan(qc, net, layers=None)


def test_a_sweep_window_with_unchanged_neighbours_is_not_solved_again(monkeypatch):
    """A window's program reads only the layers just outside it: in the second sweep a
    window whose neighbours did not change gets its first solution back, and the split
    is the one solving every window again gives (here recomputed with the cache
    bypassed: every call of the solver made, none reused)."""

    units = random_layers(16, 12, 5)
    solves: list[tuple] = []
    real = layer_moves._window

    def counted(units_, sides, start, width, limits, node_limit):
        if width > 1:
            solves.append((start, layer_moves._frozen(sides, start - 1),
                           layer_moves._frozen(sides, start + width)))
        return real(units_, sides, start, width, limits, node_limit)

    monkeypatch.setattr(layer_moves, "_window", counted)
    settings = LayerSettings(both_ways_cells=0)
    sides = split_layers(units, (8, 8), settings)
    assert len(solves) > len(range(0, 12, 2)), "the second sweep ran"
    assert len(set(solves)) == len(solves), "no program solved twice"
    # the same split as solving every window afresh: keys that never match
    monkeypatch.setattr(layer_moves, "_frozen", lambda s, t: object())
    assert split_layers(units, (8, 8), settings) == sides


def test_a_split_asked_again_is_remembered(monkeypatch):
    """QV-16 on 2 QPUs of 8 and on 4 QPUs of 4 asks the same first split (halves of 8
    qubits holding 4 pairs each): the second assignment solves only the new, second
    level of splits, and its first split is the first assignment's. Each call gets
    its own arrays."""
    units = random_layers(16, 6, 11)
    layer_moves._split_kept.cache_clear()
    asked: list[tuple[int, int]] = []
    real = layer_moves.split_layers

    def counted(units_, caps, settings=layer_moves.DEFAULT_LAYERS, pair_caps=None):
        asked.append(caps)
        return real(units_, caps, settings, pair_caps)

    monkeypatch.setattr(layer_moves, "split_layers", counted)
    two = assign_layers(units, (8, 8))
    assert asked == [(8, 8)]
    four = assign_layers(units, (4, 4, 4, 4))
    assert asked == [(8, 8), (4, 4), (4, 4)]  # (the first split remembered)
    assert [(p >= 2).tolist() for p in four] == [(p == 1).tolist() for p in two]
    again = assign_layers(units, (8, 8))
    assert asked == [(8, 8), (4, 4), (4, 4)]
    assert [p.tolist() for p in again] == [p.tolist() for p in two]
    again[0][:] = 0
    assert assign_layers(units, (8, 8))[0].tolist() == two[0].tolist()
