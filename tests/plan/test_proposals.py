"""dqc.plan.proposals: the planners' proposals ranked on the model, and the one choice
between them on what they emit."""

from __future__ import annotations

from dataclasses import replace

from dqc.passes.pass_manager import compile_passes
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag
from qiskit.transpiler import PassManager

import dqc
from dqc.plan.cost_model import two_qubit_gates
from dqc.plan.embedding import EmbeddingPlan
from dqc.plan.proposals import Proposal, choose, ranked
from dqc.plan.teledata import Move, Timeline
from tests.helpers import CIRCUITS, qft

LINE = dqc.Network.line(2, data_qubits=1)
EMBEDDED = EmbeddingPlan(through=frozenset({(0, 0, "z")}), gates=(), ebits=1,
                         static_ebits=1, lower_bound=1)


def one_cz() -> QuantumCircuit:
    """``q0 ─H─■─`` / ``q1 ───■─`` on two QPUs: the static plan costs 1 ebit."""
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cz(0, 1)
    return qc


def test_a_lone_static_proposal_stands_alone():
    """Nothing else proposed (or a teledata proposal without moves): the static plan as
    given, not re-scored."""
    gates = two_qubit_gates(circuit_to_dag(one_cz()))
    static = Proposal("static", ("qpu0", "qpu1"), 7, 0, why="as the partitioner left it")
    assert ranked(LINE, gates, static) == [static]
    no_moves = Proposal("static", ("qpu1", "qpu0"), 1, 1)
    assert ranked(LINE, gates, static, teledata=no_moves) == [static]


def test_cheapest_first_ties_embedding_then_teledata_then_static():
    """All three at 1 ebit keep the order embedding, teledata, static (re-scored on the
    teledata start); a cheaper teledata plan goes first."""
    gates = two_qubit_gates(circuit_to_dag(one_cz()))
    start = ("qpu0", "qpu1")
    static = Proposal("static", start, 5, 0)
    embedding = Proposal("embedding", start, 1, 1, embedding=EMBEDDED)
    teledata = Proposal("teledata", start, 1, 1, moves=(Move(1, 0, 1),))
    order = ranked(LINE, gates, static, embedding=embedding, teledata=teledata)
    assert [p.kind for p in order] == ["embedding", "teledata", "static"]
    assert (order[2].ebits, order[2].lower_bound, order[2].why) == (
        1, 1, "re-scored on the start")
    cheaper = Proposal("teledata", start, 0, 0, moves=(Move(1, 0, 1),))
    order = ranked(LINE, gates, static, embedding=embedding, teledata=cheaper)
    assert [p.kind for p in order] == ["teledata", "embedding", "static"]



def test_moves_from_another_placement_keep_the_static_plan_on_the_partitioners():
    """PlanTeledata may start its moves from another candidate placement: the static plan
    is re-scored on that start, and the static plan on the partitioner's placement stays
    in the ranking too (a fuzz case, seed 3003, had only plans on the other placement
    left, and none fitted its comm qubits)."""
    gates = two_qubit_gates(circuit_to_dag(one_cz()))
    static = Proposal("static", ("qpu0", "qpu1"), 1, 1)
    teledata = Proposal("teledata", ("qpu1", "qpu0"), 0, 0, moves=(Move(1, 0, 0),))
    order = ranked(LINE, gates, static, teledata=teledata)
    assert [(p.kind, p.placement, p.ebits) for p in order] == [
        ("teledata", ("qpu1", "qpu0"), 0), ("static", ("qpu1", "qpu0"), 1),
        ("static", ("qpu0", "qpu1"), 1)]
    assert [p.placement for p in ranked(LINE, gates, static, teledata=replace(
        teledata, placement=static.placement))] == [static.placement] * 2

def _qft_with_a_round_trip():
    """QFT-10 on two QPUs of 6 data qubits and 1 comm qubit, q0 sent to the other QPU at
    slice 3 and back at slice 6 (modelled: 0 ebits, so it ranks first)."""
    qc = dqc.passes.ElideSwaps()(dqc.passes.UnrollForDistribution()(qft(10)))
    dag = circuit_to_dag(qc)
    timeline = Timeline.of(dag)
    moves = (Move(timeline.slice_start(3), 0, 1), Move(timeline.slice_start(6), 0, 0))
    net = dqc.Network.all_to_all(2, data_qubits=6, comm_qubits=1)
    part = ("qpu0",) * 5 + ("qpu1",) * 5
    gates = two_qubit_gates(dag)
    options = ranked(net, gates, Proposal("static", part, 0, 0),
                     teledata=Proposal("teledata", part, 0, 0, moves=moves))
    assert [p.kind for p in options] == ["teledata", "static"]
    return qc, dag, net, options


def test_choose_keeps_the_proposal_that_emits_fewest_ebits(pass_verified):
    """With one comm qubit the moves make the copies thrash: the static plan, second on
    the model, emits fewer ebits and is kept, and ``why`` says so."""
    qc, dag, net, options = _qft_with_a_round_trip()
    distribution, emitted = choose(net, dag, options, replans=3)
    circuit = emitted.circuit()
    assert distribution.plan.kind == "static"
    assert distribution.why.startswith("2 teledata moves emitted ")
    assert distribution.why.endswith(f"the static plan {distribution.ebits}")
    report = pass_verified(qc, circuit, net, {"dqc_distribution": distribution})
    assert report.moves == 0 and report.ebits == distribution.ebits


def test_choose_skips_a_proposal_whose_lower_bound_reaches_the_fewest_emitted(pass_verified):
    """The same two proposals, the static one given a lower bound equal to what the
    moves emit: it cannot emit fewer, so it is not distributed and the moves are kept
    (without that bound it wins, as above)."""
    qc, dag, net, options = _qft_with_a_round_trip()
    moves_alone, _ = choose(net, dag, options[:1], replans=3)
    bounded = [options[0], replace(options[1], lower_bound=moves_alone.ebits)]
    distribution, emitted = choose(net, dag, bounded, replans=3)
    assert (distribution.plan.kind, distribution.why) == ("teledata", "")
    assert distribution.ebits == moves_alone.ebits
    report = pass_verified(qc, emitted.circuit(), net, {"dqc_distribution": distribution})
    assert report.ebits == moves_alone.ebits


def test_choose_without_replans_distributes_the_first(pass_verified):
    """``replans=0``: no comparison, the model's cheapest is distributed as it is."""
    qc, dag, net, options = _qft_with_a_round_trip()
    distribution, emitted = choose(net, dag, options, replans=0)
    circuit = emitted.circuit()
    assert (distribution.plan.kind, distribution.why) == ("teledata", "")
    report = pass_verified(qc, circuit, net, {"dqc_distribution": distribution})
    assert report.moves == 2
    kept, _ = choose(net, dag, options, replans=3)
    assert kept.ebits < distribution.ebits


def test_a_static_plan_chosen_over_moves_says_why(pass_verified):
    """When the static plan is cheapest on the model and emits what it models, ``why``
    compares it with the teledata proposal."""
    qc = one_cz()
    dag = circuit_to_dag(qc)
    static = Proposal("static", ("qpu0", "qpu1"), 1, 1)
    teledata = Proposal("teledata", ("qpu0", "qpu1"), 3, 1,
                        moves=(Move(1, 0, 1), Move(1, 1, 0)))
    options = ranked(LINE, two_qubit_gates(dag), static, teledata=teledata)
    distribution, emitted = choose(LINE, dag, options)
    circuit = emitted.circuit()
    assert distribution.plan.kind == "static"
    assert distribution.why == "the static plan (1 ebit) beats 2 teledata moves (3)"
    assert pass_verified(qc, circuit, LINE, {"dqc_distribution": distribution}).ebits == 1


def test_a_plan_the_comm_qubits_cannot_carry_gives_way_to_the_next(verified):
    """Found by tests/test_properties.py: on 3 all-to-all QPUs with 1 comm qubit each, the
    cheapest plan's teledata moves made a Bell pair while a comm qubit held a waiting
    state ("needs 2 at once"); the next proposal fits and is distributed instead."""
    qc = QuantumCircuit(5)
    for a, b in [(0, 3), (4, 2), (0, 4), (2, 3), (2, 3)]:
        qc.cx(a, b)
    qc.swap(1, 2)
    qc.cx(4, 1)
    qc.measure_all()
    result = verified(qc, dqc.Network.all_to_all(3, data_qubits=2, comm_qubits=1))
    assert result.report.ebits >= 1


def test_the_embeddings_on_the_other_placements_tried_are_distributed_too(verified):
    """sat_n11 on a line of 4 QPUs (3 data, 2 comm qubits each). The embedding search's
    best plan is on another candidate placement (28 on the model, 29 on the
    partitioner's), but its copies crowd the comm qubits: it emits 52, the static plan
    50, the plan on the partitioner's placement 46, and the plan on a third placement
    (35 on the model) 44. PlanEmbedding proposes them all, the partitioner's first;
    the compile keeps the 44 (45 before relays kept the copies they need; 47 when only
    the partitioner's was proposed; 46 before copies were stowed in free data qubits)."""
    qc = dqc.load_circuit(CIRCUITS / "sat_n11.qasm")
    net = dqc.Network.line(4, data_qubits=3, comm_qubits=2)
    *analysis, _ = compile_passes(net)
    pm = PassManager(analysis)
    pm.run(qc)
    best, others = pm.property_set["dqc_embedding"], pm.property_set["dqc_embedding_others"]
    start = others[0]
    assert start.placement == pm.property_set["dqc_partition"] != best.placement
    assert (best.ebits, start.ebits) == (28, 29)
    # in the order tried (the last three on the partitioner's relocations)
    assert [p.ebits for p in others] == [29, 29, 35, 30, 43, 44, 65, 42]
    assert verified(qc, net).report.ebits == 44
