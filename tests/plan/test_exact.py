"""dqc.plan.exact: placement, carriers and embedding by one integer program (two QPUs)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from dqc.passes import ElideSwaps, UnrollForDistribution
from dqc.passes.pass_manager import compile_passes
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag
from qiskit.transpiler import PassManager

import dqc
from dqc.plan.embedding import FlipTable, _anchors, embedding_plan, search_embeddings
from dqc.plan.exact import TWO_QPUS, _Program, exact_plan
from tests.helpers import random_flips

CIRCUITS = Path(__file__).resolve().parents[2] / "benchmarks" / "circuits"


def _brute_force(table: FlipTable, n: int, caps: list[int], dist=None) -> int:
    """The fewest ebits of any placement and any flips (at most one per gate), on
    ``len(caps)`` QPUs each one hop from every other (or ``dist`` apart: a copy ``d``
    hops away costs ``d``)."""
    best = None
    dist = 1 - np.eye(len(caps), dtype=int) if dist is None else dist
    positions = sorted({f.position for f in table.flips})
    per_gate = [[None] + [i for i, f in enumerate(table.flips) if f.position == p]
                for p in positions]
    for part in itertools.product(range(len(caps)), repeat=n):
        if any(part.count(k) > cap for k, cap in enumerate(caps)):
            continue
        for pick in itertools.product(*per_gate):
            chosen = np.zeros(len(table.flips), dtype=bool)
            chosen[[i for i in pick if i is not None]] = True
            part_ = np.array(part)
            ebits = table.score(chosen, part_, dist, _anchors(part_, dist))[0]
            best = ebits if best is None else min(best, ebits)
    assert best is not None
    return best


def _drawn() -> QuantumCircuit:
    """The module docstring's five CX."""
    qc = QuantumCircuit(4)
    for c, t in [(3, 2), (2, 0), (0, 1), (0, 3), (3, 0)]:
        qc.cx(c, t)
    return qc


@pytest.mark.parametrize("circuit", [_drawn()] + [random_flips(s) for s in (2, 3, 9, 16, 18, 29)])
def test_it_equals_the_best_of_every_placement_and_every_embedding(circuit):
    """On small circuits the program's plan costs what the best of every placement (on
    2 + 2 data qubits) with every choice of flips costs, and it says it is optimal. On
    the drawn one embedding is needed: every placement's static plan costs 3, the
    program's 2."""
    table = FlipTable.of(circuit_to_dag(circuit))
    found = exact_plan(table, 4, [2, 2])
    assert found is not None and found.optimal
    assert found.embedding.ebits == _brute_force(table, 4, [2, 2])
    assert found.embedding.lower_bound == found.embedding.ebits
    if circuit == _drawn():
        assert (found.embedding.ebits, found.embedding.static_ebits) == (2, 3)


@pytest.mark.parametrize("caps", [[2, 1], [1, 2]])
def test_on_qpus_of_different_sizes_it_does_not_swap_them(caps):
    """QPUs of 2 and 1 data qubits are not interchangeable: the first qubit (q2, of the
    first CX) must be free to go to either. q2 meets q0 and q1 by CX on one Z segment,
    so alone on the small QPU it costs 1 ebit; on the large one, 2."""
    table = FlipTable.of(circuit_to_dag(random_flips(1, 3, 8)))
    found = exact_plan(table, 3, caps)
    assert found is not None and found.optimal
    assert found.embedding.ebits == _brute_force(table, 3, caps) == 1
    assert found.embedding.placement[2] == caps.index(1)


def test_out_of_its_reach_it_says_none():
    """A program above the row limit: None."""
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    table = FlipTable.of(circuit_to_dag(qc))
    assert exact_plan(table, 2, [1, 1], max_rows=2) is None
    assert exact_plan(table, 2, [1, 1]) is not None
    assert exact_plan(table, 2, [1, 1, 1], 1 - np.eye(3, dtype=int)) is not None


@pytest.mark.parametrize("seed, caps", [(0, [2, 2, 1]), (8, [2, 2, 1]), (24, [2, 2, 1]),
                                        (9, [2, 2, 2]), (11, [2, 2, 2]), (17, [2, 2, 2])])
def test_on_three_qpus_it_equals_the_best_of_every_placement_and_embedding(seed, caps):
    """Five qubits on three QPUs each one hop from the others: the program's plan costs
    what the best placement with the best flips costs, proved optimal (with QPUs of
    equal size, whose order it fixes, and without)."""
    table = FlipTable.of(circuit_to_dag(random_flips(seed, 5, 8)))
    found = exact_plan(table, 5, caps, 1 - np.eye(3, dtype=int))
    assert found is not None and found.optimal
    assert found.embedding.ebits == _brute_force(table, 5, caps)


LINE = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]])


@pytest.mark.parametrize("seed, optimal", [(1, False), (8, False), (9, True), (11, True)])
def test_on_a_line_it_equals_the_best_priced_by_hops_and_bounds_by_copies(seed, optimal):
    """Three qubits of eight random ops on a line of three QPUs of one (a copy between
    the ends costs 2): the program's plan costs what the best placement with the best
    flips costs on the line; its lower bound is the fewest copies of any plan (every QPU
    one hop from the others), which no network beats; optimal exactly when the two meet
    (seeds 1 and 8: 4 on the line, 3 copies; seeds 9 and 11: 2 and 2)."""
    table = FlipTable.of(circuit_to_dag(random_flips(seed, 3, 8)))
    found = exact_plan(table, 3, [1, 1, 1], LINE)
    assert found is not None
    copies = _brute_force(table, 3, [1, 1, 1])
    assert found.embedding.ebits == _brute_force(table, 3, [1, 1, 1], LINE) >= copies
    assert found.embedding.lower_bound == copies
    assert found.optimal == optimal == (found.embedding.ebits == copies)


def test_on_a_line_the_report_gives_the_fewest_without_moves_when_proved(verified):
    """q0 meets five qubits on a line of three QPUs of two: q0's QPU in the middle
    copies q0's segment one hop each way, 2 ebits, which the fewest copies of any plan
    (2: the four others q0's QPU cannot hold sit on two other QPUs) proves fewest::

        q0 ─■──■──■──■──■─      qpu0: two of q1..q5
        q1 ─X──┼──┼──┼──┼─      qpu1: q0 and one of them
        q2 ────X──┼──┼──┼─      qpu2: the other two
        q3 ───────X──┼──┼─
        q4 ──────────X──┼─
        q5 ─────────────X─
    """
    qc = QuantumCircuit(6)
    for t in range(1, 6):
        qc.cx(0, t)
    result = verified(qc, dqc.Network.line(3, data_qubits=2, comm_qubits=2))
    assert result.report.ebits == result.report.fewest_without_moves == 2


def test_on_three_qpus_the_program_beats_the_heuristics_and_the_compile_takes_it(
        verified, monkeypatch):
    """Six qubits on three QPUs of two, nine two-qubit gates: without the program the
    compile emits 4 ebits; the program proves 3 the fewest of any plan without moves,
    and the compile emits 3. Both verified."""
    qc = random_flips(33, 6, 16)
    net = dqc.Network.all_to_all(3, data_qubits=2, comm_qubits=6)
    result = verified(qc, net)
    assert result.report.ebits == result.report.fewest_without_moves == 3
    monkeypatch.setattr("dqc.passes.plan_embedding.exact_plan", lambda *a, **k: None)
    assert verified(qc, net).report.ebits == 4


def test_a_plan_at_the_spread_bound_is_optimal_without_the_program(monkeypatch):
    """A chain of 4 on two QPUs of 2: some qubit must reach the other QPU, so no plan
    needs fewer than 1 ebit (the spread bound); the split 0, 1 | 2, 3 needs one copy::

        q0 ─■───────     QPU 0: q0, q1
        q1 ─■──■────     QPU 1: q2, q3
        q2 ────■──■─     (gate 1 is remote: one copy)
        q3 ───────■─

    Given that plan and the bound, it comes back proved optimal and no program is built;
    with a bound it does not meet (or a QPU without a comm qubit for it) it is solved."""
    table, plan = _cz_plan([(0, 1), (1, 2), (2, 3)], 4, [0, 0, 1, 1])
    assert plan.ebits == 1 and exact_plan(table, 4, [2, 2]).embedding.ebits == 1
    monkeypatch.setattr("dqc.plan.exact._Program.solve", _refused)
    found = exact_plan(table, 4, [2, 2], comm=[1, 1], known=plan, bound=1)
    assert found is not None and found.optimal and found.embedding == replace(plan,
                                                                             lower_bound=1)
    assert found.fitted is None
    for kwargs in ({"bound": 0}, {"bound": 1, "comm": [0, 1]}):
        with pytest.raises(AssertionError, match="solved"):
            exact_plan(table, 4, [2, 2], known=plan, **kwargs)


def test_a_plan_at_the_bound_whose_copies_fit_is_optimal_without_the_program(monkeypatch):
    """A chain of 6 on three QPUs of 2 with one comm qubit each: 2 ebits at least (the
    spread bound), more than one comm qubit, but the chain's plan opens one copy per cut,
    each used once, so its copies fit::

        q0 ─■──────────────     QPU 0: q0, q1
        q1 ─■──■───────────     QPU 1: q2, q3    (cuts 1-2 and 3-4: one copy each)
        q2 ────■──■────────     QPU 2: q4, q5
        q3 ───────■──■─────
        q4 ──────────■──■──
        q5 ─────────────■──

    It comes back proved optimal and no program is built, on all-linked QPUs and on a
    line. Where two copies would be open at once on a QPU of one comm qubit (q0's and
    q2's on QPU 1, both used at the second CZ of the circuit below, as in ``_fits``'s
    example) the program is solved::

        q0 ─■─────■─     QPU 0: q0, q2
        q1 ─■─────┼─     QPU 1: q1, q3
        q2 ────■──┼─
        q3 ────■──■─
    """
    monkeypatch.setattr("dqc.plan.exact._Program.solve", _refused)
    for dist in (1 - np.eye(3, dtype=int), LINE):
        table, plan = _cz_plan([(a, a + 1) for a in range(5)], 6, [0, 0, 1, 1, 2, 2], dist)
        found = exact_plan(table, 6, [2, 2, 2], dist, comm=[1, 1, 1], known=plan, bound=2)
        assert plan.ebits == 2 and found is not None and found.optimal
    table, plan = _cz_plan([(0, 1), (2, 3), (0, 3)], 4, [0, 1, 0, 1])
    with pytest.raises(AssertionError, match="solved"):
        exact_plan(table, 4, [2, 2], comm=[1, 1], known=plan, bound=plan.ebits)


def _cz_plan(pairs, n: int, part: list[int], dist=TWO_QPUS):
    """The flip table of CZ on ``pairs`` of ``n`` qubits, and its plan on ``part``
    without embedding."""
    qc = QuantumCircuit(n)
    for a, b in pairs:
        qc.cz(a, b)
    table = FlipTable.of(circuit_to_dag(qc))
    return table, embedding_plan(table, np.zeros(len(table.flips), dtype=bool), part, dist)


def _refused(*args, **kwargs):
    raise AssertionError("solved")


def test_a_known_optimum_within_the_comm_qubits_spares_the_second_solve(monkeypatch):
    """The chain of 4 above: its optimum, the split 0, 1 | 2, 3 with one copy, fits one
    comm qubit per QPU. When the program's own optimum would crowd the comm qubits
    (``peak_hosted`` says so here), a known plan of the optimum's ebits that fits is what
    the program within the comm qubits would find at best: it is not solved again. A
    known plan of more ebits (0, 2 | 1, 3: two copies) does not spare it::

        q0 ─■───────     0, 1 | 2, 3: gate 1 remote, 1 copy
        q1 ─■──■────     0, 2 | 1, 3: all three remote; q1 carries two: 2
        q2 ────■──■─
        q3 ───────■─
    """
    qc = QuantumCircuit(4)
    for a, b in [(0, 1), (1, 2), (2, 3)]:
        qc.cz(a, b)
    table = FlipTable.of(circuit_to_dag(qc))
    none = np.zeros(len(table.flips), dtype=bool)
    best = embedding_plan(table, none, [0, 0, 1, 1], TWO_QPUS)
    worse = embedding_plan(table, none, [0, 1, 0, 1], TWO_QPUS)
    assert (best.ebits, worse.ebits) == (1, 2)
    solves = []
    solve = _Program.solve

    def counted(self, *args, **kwargs):
        solves.append(kwargs.get("comm"))
        return solve(self, *args, **kwargs)

    monkeypatch.setattr(_Program, "solve", counted)
    monkeypatch.setattr(_Program, "peak_hosted", lambda self, x: [2, 2])
    found = exact_plan(table, 4, [2, 2], comm=[1, 1], known=best)
    assert found is not None and found.optimal and found.embedding.ebits == 1
    assert found.fitted is None and solves == [None]
    solves.clear()
    found = exact_plan(table, 4, [2, 2], comm=[1, 1], known=worse)
    assert found is not None and found.fitted is not None and solves == [None, [1, 1]]


def test_the_compile_skips_the_program_at_the_bound_with_the_same_circuit(
        verified, monkeypatch):
    """A 12-qubit CZ chain on two QPUs of 6: the partitioner's plan needs 1 ebit, the
    spread bound. The compile reports it proved fewest, as it did with the program solved
    (the bound taken away), emits the same circuit, and verifies."""
    qc = QuantumCircuit(12)
    for q in range(11):
        qc.h(q)
        qc.cz(q, q + 1)
    net = dqc.Network.all_to_all(2, data_qubits=6, comm_qubits=2)
    with monkeypatch.context() as m:
        m.setattr("dqc.passes.plan_embedding.spread_bound", lambda graph, caps: 0)
        solved = verified(qc, net)
    assert solved.report.fewest_without_moves == 1
    monkeypatch.setattr("dqc.plan.exact._Program.solve", _refused)
    result = verified(qc, net)
    assert result.report.ebits == result.report.fewest_without_moves == 1
    assert result.circuit == solved.circuit


def test_the_compile_takes_the_program_s_plan_when_cheaper(verified, nonclifford_circuit):
    """A random 12-qubit circuit on two QPUs of 6: the greedy search's best plan costs
    more than the program's 9 ebits (proved optimal without moves); the compile emits
    that plan, reports it proved, and verifies."""
    qc = nonclifford_circuit(12, 120, 2)
    net = dqc.Network.all_to_all(2, data_qubits=6, comm_qubits=6)
    *analysis, _ = compile_passes(net)
    pm = PassManager(analysis)
    pm.run(qc)
    ps = pm.property_set
    dag = ElideSwaps().run(UnrollForDistribution().run(circuit_to_dag(qc)))
    greedy = search_embeddings(FlipTable.of(dag), [net.index(q) for q in ps["dqc_partition"]],
                               ps["dqc_placement"].candidates, net.distances(), work=1e9)
    assert min(greedy.static_ebits, greedy.best.ebits if greedy.best else 99) > 9
    assert (ps["dqc_exact"].embedding.ebits, ps["dqc_exact"].optimal) == (9, True)
    result = verified(qc, net)
    assert result.report.ebits == result.report.fewest_without_moves == 9


def test_a_plan_within_the_comm_qubits_when_the_copies_would_crowd_them(verified):
    """sat_n11 on two QPUs of 6 data and 2 comm qubits. The program's plan (9 on its
    model) would host more than 2 copies on a QPU at once; solved again with at most 2
    live per QPU (spans in gate order) it costs 12 on the model, and distributed it emits
    14: fewer than the 18 of the static plan (the program's plan emits 34). (Before the
    unroller cancelled inverse pairs: 17 against 19.)"""
    qc = dqc.load_circuit(CIRCUITS / "sat_n11.qasm")
    net = dqc.Network.all_to_all(2, data_qubits=6, comm_qubits=2)
    dag = ElideSwaps().run(UnrollForDistribution().run(circuit_to_dag(qc)))
    found = exact_plan(FlipTable.of(dag), 11, [6, 6], comm=[2, 2])
    assert found is not None and found.fitted is not None
    assert (found.embedding.ebits, found.fitted.ebits) == (9, 12)
    assert exact_plan(FlipTable.of(dag), 11, [6, 6], comm=[6, 6]).fitted is None
    result = verified(qc, net)
    assert result.report.ebits == 14


def test_under_comm_limits_every_proposal_is_distributed_and_the_fewest_kept(verified):
    """sat_n11 on two QPUs of 7 data and 2 comm qubits: the program's plan (7 on its
    model) emits 15 when its copies crowd the comm qubits, so the other proposals are
    distributed too; the plan within the comm qubits emits 9, fewer than the greedy
    embedding's 11 (the figure before the program)."""
    qc = dqc.load_circuit(CIRCUITS / "sat_n11.qasm")
    result = verified(qc, dqc.Network.all_to_all(2, data_qubits=7, comm_qubits=2))
    assert result.report.fewest_without_moves == 7
    assert result.report.ebits == 9


def test_it_can_be_turned_off():
    """``PlanEmbedding(exact=False)``: no program, no ``dqc_exact``."""
    qc = _drawn()
    net = dqc.Network.all_to_all(2, data_qubits=2)
    props: dict = {"dqc_partition": ("qpu0", "qpu0", "qpu1", "qpu1")}
    dqc.passes.PlanEmbedding(net, exact=False)(qc, property_set=props)
    assert props["dqc_exact"] is None
    dqc.passes.PlanEmbedding(net)(qc, property_set=props)
    assert props["dqc_exact"].embedding.ebits == 2
