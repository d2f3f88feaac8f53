"""Teledata: qubits that move between QPUs, planned on the true ebit cost and verified."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit, qasm3
from qiskit.circuit.library import quantum_volume
from qiskit.converters import circuit_to_dag

import dqc
from dqc.plan.teledata import Move, Timeline
from tests.helpers import without


def trade_places() -> QuantumCircuit:
    """q0-q1 and q2-q3 interact, then q0-q2 and q1-q3 (CX both ways: a segment per gate).

        phase 1 (×3): cx(0,1) cx(1,0) cx(2,3) cx(3,2)
        phase 2 (×3): cx(0,2) cx(2,0) cx(1,3) cx(3,1)

    On two QPUs of two data qubits, any static placement leaves one phase remote:
    12 ebits. Trading q1 and q2 between the phases costs 2, which is optimal
    (some gate of each phase pairs qubits that no placement of the other keeps local).
    """
    qc = QuantumCircuit(4, 4)
    for _ in range(3):
        qc.cx(0, 1); qc.cx(1, 0); qc.cx(2, 3); qc.cx(3, 2)  # noqa: E702
    for _ in range(3):
        qc.cx(0, 2); qc.cx(2, 0); qc.cx(1, 3); qc.cx(3, 1)  # noqa: E702
    qc.measure(range(4), range(4))
    return qc


def test_trading_places_costs_two_ebits(verified):
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    res = verified(trade_places(), net, expect="stim-flows")
    assert res.report.ebits == 2 and res.report.moves == 2
    assert res.report.ebits_lower_bound == 2
    assert res.report.initial_layout != res.report.final_layout
    assert len(res.report.teleports) == 2


def test_static_when_moves_do_not_pay(verified):
    """One remote CZ: a telegate (1 ebit) is as cheap as a move; no move is made."""
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cz(0, 1)
    res = verified(qc, dqc.Network.line(2, data_qubits=1))
    assert res.report.ebits == 1 and res.report.moves == 0 and res.report.teleports == ()


def test_one_comm_qubit_makes_no_trades(verified):
    """Trading places on full QPUs parks a state on a comm qubit: it needs two."""
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=1)
    res = verified(trade_places(), net)
    assert res.report.moves == 0


def test_spare_data_qubit_allows_single_moves(verified):
    """With a spare data qubit a qubit can move alone (no trade)."""
    net = dqc.Network.all_to_all(2, data_qubits=3, comm_qubits=1)
    res = verified(trade_places(), net)
    assert res.report.ebits <= 2 < 12


@pytest.mark.parametrize("seed", range(3))
def test_quantum_volume_moves_verify_by_simulation(seed, verified):
    qc = quantum_volume(8, seed=seed).decompose()
    res = verified(qc, dqc.Network.all_to_all(2, data_qubits=4, comm_qubits=2),
                   expect="pauli-rotations")
    assert res.report.moves > 0
    assert res.report.ebits >= res.report.ebits_lower_bound


def _fan_out() -> QuantumCircuit:
    """q0 meets q1, then q2 (the move goes before the second slice)."""
    qc = QuantumCircuit(3, 3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(0, 2)
    qc.measure(range(3), range(3))
    return qc


def test_moves_over_a_swapped_path_verify(fixed):
    """A move between the ends of a line takes one Bell pair per hop (swapping)."""
    qc = _fan_out()
    net = dqc.Network.line(3, data_qubits=2, comm_qubits=2)
    dag = circuit_to_dag(qc)
    position = Timeline.of(dag).slice_start(2)
    out, report = fixed(qc, net, ("qpu0", "qpu0", "qpu2"), (Move(position, 0, 2),))
    assert report.ebits == 2  # two hops; cx(0, 2) is then local
    assert out.count_ops()["swap"] == 1


def test_a_move_to_where_the_qubit_is_is_nothing(fixed):
    """q0 "moves" to qpu0, where it already is: no teleport, the ebit of cx(0, 2) as
    without the move (before, a Bell pair from a QPU to itself failed deep inside)."""
    qc = _fan_out()
    net = dqc.Network.line(2, data_qubits=2, comm_qubits=2)
    position = Timeline.of(circuit_to_dag(qc)).slice_start(2)
    part = ("qpu0", "qpu0", "qpu1")
    out, report = fixed(qc, net, part, (Move(position, 0, 0),))
    _, plain = fixed(qc, net, part)
    assert (report.ebits, len(report.teleports), plain.ebits) == (1, 0, 1)
    assert "swap" not in out.count_ops()


def test_measured_and_reset_qubits_move(fixed):
    """Mid-circuit measurements and resets of a moved qubit keep their keys."""
    qc = QuantumCircuit(3, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure(0, 0)
    qc.reset(0)
    qc.h(0)
    qc.cx(0, 2)
    qc.reset(0)
    qc.x(0)
    qc.cx(2, 0)
    qc.measure(0, 1)
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    dag = circuit_to_dag(qc)
    position = Timeline.of(dag).slice_start(2)
    fixed(qc, net, ("qpu0", "qpu0", "qpu1"), (Move(position, 0, 1),))


@pytest.mark.parametrize("seed", range(4))
def test_random_moves_verify(seed, clifford_circuit, fixed):
    """Arbitrary moves (trades between full QPUs) on random Clifford circuits verify."""
    import random

    rng = random.Random(seed)
    qc = clifford_circuit(8, 80, seed=seed, resets=True)
    net = dqc.Network.ring(3, data_qubits=3, comm_qubits=2)
    part = ["qpu0"] * 3 + ["qpu1"] * 3 + ["qpu2"] * 2
    where = [int(p[-1]) for p in part]
    qc = dqc.passes.ElideSwaps()(dqc.passes.UnrollForDistribution()(qc))
    timeline = Timeline.of(circuit_to_dag(qc))
    moves = []
    for s in sorted(rng.sample(range(2, max(3, timeline.num_slices)), 3)):
        a, b = rng.sample(range(8), 2)
        if where[a] == where[b]:
            continue
        where[a], where[b] = where[b], where[a]
        position = timeline.slice_start(s)
        moves += [Move(position, a, where[a]), Move(position, b, where[b])]
    assert moves
    out, report = fixed(qc, net, tuple(part), tuple(moves))
    assert report.moves == len(moves) and len(report.teleports) == len(moves)


def test_dropping_a_teleport_correction_is_caught(verified):
    qc = trade_places()
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    res = verified(qc, net)
    assert res.report.moves == 2
    # the Z correction right after the Bell measurement of a data qubit
    data_qubits = {res.circuit.qubits[p] for p in res.report.initial_layout}
    bell = [i for i, inst in enumerate(res.circuit.data)
            if inst.operation.name == "measure" and inst.qubits[0] in data_qubits
            and res.circuit.find_bit(inst.clbits[0]).registers[0][0].name == "tele"]
    assert len(bell) == 2
    broken = without(res.circuit, bell[0] + 1)
    assert res.circuit.data[bell[0] + 1].operation.name == "if_else"
    outcome = dqc.verify(qc, broken, res.report)
    assert not outcome.ok


def test_misreported_teleports_are_caught(verified):
    qc = trade_places()
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    res = verified(qc, net)
    report = res.report.to_dict()
    report["teleports"] = []
    outcome = dqc.verify(qc, res.circuit, report)
    assert not outcome.ok and "teledata" in outcome.detail


def test_teledata_output_is_deterministic(verified):
    qc = quantum_volume(10, seed=3).decompose()
    net = dqc.Network.all_to_all(2, data_qubits=5, comm_qubits=2)
    first = verified(qc, net, seed=4)
    again = dqc.compile(qc, net, seed=4)
    assert first.report.moves > 0
    assert qasm3.dumps(first.circuit) == qasm3.dumps(again.circuit)
    assert first.report.to_json() == again.report.to_json()


def test_schedules_of_moves_validate(verified):
    """The scheduler's validator accepts circuits with moves (parked states included)."""
    from dqc.estimation.schedule import check_schedule, schedule

    qc = quantum_volume(8, seed=1).decompose()
    net = dqc.Network.all_to_all(2, data_qubits=4, comm_qubits=2)
    res = verified(qc, net)
    assert res.report.moves > 0
    s = schedule(res.circuit, net, qubit_qpu=res.report.qubit_qpu,
                 comm_qubits=res.report.comm_qubits)
    assert check_schedule(s, res.circuit, net, qubit_qpu=res.report.qubit_qpu) == []
    assert s.makespan_s >= s.lower_bound_s > 0


@pytest.mark.parametrize("seed", [0, 2])
def test_trades_on_a_line_leave_relays_two_comm_qubits(seed, verified):
    """Found by the benchmark: on a line, a state waiting on a relay's comm qubit left it
    one comm qubit for swapping another move's Bell pair through it. Moves that free a
    waiting state now go first, so each cycle of trades completes before the next."""
    qc = quantum_volume(8, seed=seed).decompose()
    res = verified(qc, dqc.Network.line(4, data_qubits=2, comm_qubits=2))
    assert res.report.moves > 0




def test_sparse_interactions_equal_the_dense_matrix():
    """Two slices of pairs with weights 1 and 0.5 on 5 qubits: the sparse matrix the
    sweep uses holds exactly the dense sums (the pair (0, 1) appears in both slices:
    1.5), its rows are its columns, and conn sums each row per QPU."""
    import numpy as np

    from dqc.plan.teledata import _Interactions

    first, second = np.array([[0, 1], [2, 3]]), np.array([[1, 0], [3, 4]])
    f = _Interactions.of([(first, 1.0), (second, 0.5)], 5)
    dense = np.zeros((5, 5))
    for pairs, w in ((first, 1.0), (second, 0.5)):
        np.add.at(dense, (pairs[:, 0], pairs[:, 1]), w)
        np.add.at(dense, (pairs[:, 1], pairs[:, 0]), w)
    assert dense[0, 1] == 1.5 and dense[3, 4] == 0.5
    assert np.array_equal(f.block(np.arange(5)), dense)
    assert np.array_equal(f.block(np.array([1, 3])), dense[np.ix_([1, 3], [1, 3])])
    nbrs, w = f.row(3)
    assert nbrs.tolist() == [2, 4] and w.tolist() == [1.0, 0.5]
    part = np.array([0, 0, 1, 1, 1])
    onehot = np.eye(2)[part]
    assert np.array_equal(f.conn(part, 2), dense @ onehot)


def test_swap_candidates_keep_each_qpus_strongest():
    """Past the limit, the strongest pulls and two qubits per QPU stay: on QPU 1 the
    only qubits are 3 (pull 2) and 4 (pull 0, a partner that makes room)."""
    import numpy as np

    from dqc.plan.teledata import _strongest

    kept = _strongest(np.arange(5), np.array([0.0, 3.0, 1.0, 2.0, 0.0]),
                      np.array([0, 0, 0, 1, 1]), 1)
    assert kept.tolist() == [1, 2, 3, 4]


def test_planners_have_no_gate_limit_by_default():
    """PlanTeledata and PlanEmbedding plan circuits of any size unless given
    ``max_gates``; with it, a larger circuit keeps the static plan and says why."""
    from dqc.passes import PlanEmbedding, PlanTeledata

    net = dqc.Network.all_to_all(2, data_qubits=2)
    qc = trade_places()
    props = {"dqc_partition": ("qpu0", "qpu0", "qpu1", "qpu1")}
    PlanTeledata(net)(qc, property_set=props)
    assert props["dqc_teledata"].moves
    PlanTeledata(net, max_gates=10)(qc, property_set=props)
    assert not props["dqc_teledata"].moves
    assert props["dqc_teledata"].why == "24 two-qubit gates > max_gates=10"
    assert PlanEmbedding(net).max_gates is None


def _reference_exchange(f, part, caps, dist, threshold, swaps, limit):
    """The greedy exchange written plainly: the whole n × K gain matrix rebuilt at
    every step (what ``_exchange`` computes incrementally)."""
    import numpy as np

    from dqc.plan.teledata import _strongest

    n, k = len(part), len(caps)
    locked = np.zeros(n, dtype=bool)
    idx = np.arange(n)
    hop = float(dist[dist > 0].min())
    while True:
        conn = f.conn(part, k)
        load = np.bincount(part, minlength=k)
        own = conn[idx, part]
        desire = conn - own[:, None]
        desire[idx, part] = -np.inf
        desire[locked] = -np.inf
        best_score, best = 0.0, None
        free = caps - load
        if free.any():
            score = desire - threshold * dist[part]
            score[:, free <= 0] = -np.inf
            u, q = np.unravel_index(int(np.argmax(score)), score.shape)
            if score[u, q] > best_score + 1e-9:
                best_score, best = float(score[u, q]), ("move", int(u), int(q))
        if swaps:
            pull = desire.max(axis=1)
            cand = np.flatnonzero(pull + pull.max() > best_score + threshold * 2 * hop)
            if len(cand) > limit:
                cand = _strongest(cand, pull, part, limit)
            if len(cand) > 1:
                pc = part[cand]
                m = conn[cand][:, pc] - own[cand][:, None]
                gain = m + m.T - 2 * f.block(cand)
                score = gain - threshold * 2 * dist[np.ix_(pc, pc)]
                score[pc[:, None] == pc[None, :]] = -np.inf
                score[locked[cand]] = -np.inf
                score[:, locked[cand]] = -np.inf
                i, j = np.unravel_index(int(np.argmax(score)), score.shape)
                if score[i, j] > best_score + 1e-9:
                    best = ("swap", int(cand[i]), int(cand[j]))
        if best is None:
            return
        kind, a, b = best
        if kind == "move":
            part[a] = b
            locked[a] = True
        else:
            part[a], part[b] = part[b], part[a]
            locked[a] = locked[b] = True


@pytest.mark.parametrize("seed", range(6))
def test_exchange_equals_the_plain_rule(seed, monkeypatch):
    """The sweep's exchange keeps its pulls up to date row by row and scores single
    moves only against QPUs with room; on random windows (with and without spare data
    qubits, on a line and all-to-all, with the trade candidates limited to 8 so that
    every pull counts) it makes exactly the trades of the plain rule."""
    import numpy as np

    from dqc.plan import teledata
    from dqc.plan.teledata import _exchange, _Interactions

    monkeypatch.setattr(teledata, "MAX_SWAP_CANDIDATES", 8)
    rng = np.random.default_rng(seed)
    n, k = 60, 4
    pairs = [rng.choice(n, size=(25, 2), replace=True) for _ in range(3)]
    pairs = [p[p[:, 0] != p[:, 1]] for p in pairs]
    f = _Interactions.of([(p, 0.6 ** j) for j, p in enumerate(pairs)], n)
    line = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(float)
    dist = line if seed % 2 else (1 - np.eye(k))
    caps = np.full(k, n // k + (seed % 3 == 0))  # spare data qubits in some cases
    start = rng.permutation(np.repeat(np.arange(k), n // k))
    for threshold in (0.25, 0.5, 1.0):
        ours, plain = start.copy(), start.copy()
        _exchange(f, ours, caps, dist, threshold, swaps=True)
        _reference_exchange(f, plain, caps, dist, threshold, True, 8)
        assert ours.tolist() == plain.tolist()
        assert (ours != start).any() or threshold == 1.0  # (something moved)


def test_distributor_reuses_the_planners_slices_only_when_they_fit(pass_verified):
    """The teledata proposal carries the Timeline its moves were planned on; the
    distributor walks by it, and slices the circuit again when it does not cover the
    DAG. Same circuit either way, and it verifies."""
    from dqc.plan.distribution import distribute

    net = dqc.Network.all_to_all(2, data_qubits=2)
    qc = trade_places()
    props = {"dqc_partition": ("qpu0", "qpu0", "qpu1", "qpu1")}
    dqc.passes.PlanTeledata(net)(qc, property_set=props)
    proposal = props["dqc_teledata"]
    assert proposal.moves and proposal.timeline is not None
    dag = circuit_to_dag(qc)
    assert proposal.timeline == Timeline.of(dag)
    other = Timeline.of(circuit_to_dag(QuantumCircuit(4)))  # (covers no operation)
    outs = [distribute(net, dag, proposal.placement, None, proposal.moves,
                       timeline=t)[1].circuit()
            for t in (None, proposal.timeline, other)]
    assert outs[0] == outs[1] == outs[2]
    out = dqc.passes.DistributeGates(net)(qc, property_set=props)
    assert out == outs[0]
    pass_verified(qc, out, net, props)


def test_searches_from_several_starts_share_the_windows(monkeypatch):
    """``search_moves`` from two starts with one :class:`Sliced`: the lookahead windows
    the grid reuses are built once, and each search finds what it finds alone."""
    import numpy as np

    import dqc.plan.teledata as teledata
    from dqc.plan.cost_model import two_qubit_gates
    from dqc.plan.teledata import SearchSettings, Sliced, search_moves

    dag = circuit_to_dag(trade_places())
    gates = two_qubit_gates(dag)
    dist = np.array([[0, 1], [1, 0]])
    settings = SearchSettings(layers=None)
    starts = ([0, 0, 1, 1], [0, 1, 0, 1])
    alone = [search_moves(dag, gates, s, [2, 2], [2, 2], dist, settings) for s in starts]
    built = []
    original = teledata._windows
    monkeypatch.setattr(teledata, "_windows",
                        lambda pairs, n, decay: built.append(decay) or original(pairs, n, decay))
    sliced = Sliced.of(dag)
    shared = [search_moves(dag, gates, s, [2, 2], [2, 2], dist, settings, sliced=sliced)
              for s in starts]
    assert [(f.start, f.moves, f.ebits) for f in shared] == \
        [(f.start, f.moves, f.ebits) for f in alone]
    assert sorted(built) == sorted(settings.lookahead)  # once each, for both starts
    assert set(sliced.windows) == set(settings.lookahead)


@pytest.mark.parametrize("seed", range(6))
def test_idle_windows_are_those_the_exchange_leaves_alone(seed):
    """A window the sweep skips (:func:`_idle`: no qubit's weight to other QPUs, less
    its weight to its own, above ``threshold`` × the shortest hop) is one where
    :func:`_exchange` changes nothing; on random sparse windows at thresholds around the
    weights, both kinds occur. Edge cases: a qubit whose remote weight is exactly one
    hop's threshold is idle and left alone; one whose own-QPU weight makes the
    difference is idle at that threshold and moves just below it."""
    import numpy as np

    from dqc.plan.teledata import _exchange, _idle, _Interactions

    rng = np.random.default_rng(seed)
    n, k = 24, 3
    line = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(float)
    dist = line if seed % 2 else (1 - np.eye(k))
    caps = np.full(k, n // k + (seed % 3 == 0))
    kinds = set()
    for _ in range(40):
        pairs = [rng.choice(n, size=(3, 2), replace=True) for _ in range(3)]
        pairs = [p[p[:, 0] != p[:, 1]] for p in pairs]
        f = _Interactions.of([(p, 0.5 ** j) for j, p in enumerate(pairs)], n)
        part = rng.permutation(np.repeat(np.arange(k), n // k))
        for threshold in (0.25, 0.5, 1.0, 1.5, 2.5):
            idle = _idle(f, part, threshold * 1.0)
            after = part.copy()
            _exchange(f, after, caps, dist, threshold, swaps=True)
            kinds.add((idle, bool((after != part).any())))
            assert not idle or (after == part).all()
    assert {(True, False), (False, True)} <= kinds
    edge = _Interactions.of([(np.array([[0, 1], [2, 3]]), 1.0)], 4)
    part = np.array([0, 1, 0, 1])  # each qubit's remote weight: exactly 1.0
    assert _idle(edge, part, 1.0) and not _idle(edge, part, 0.99)
    after = part.copy()
    _exchange(edge, after, np.array([2, 2]), 1 - np.eye(2), 1.0, swaps=True)
    assert after.tolist() == part.tolist()
    # q0 and q1: 1.0 to each other across the QPUs, 0.5 to q2 and q3 on their own: each
    # gains at most 0.5 by moving alone (there is room for one)
    held = _Interactions.of([(np.array([[0, 1]]), 1.0), (np.array([[0, 2], [1, 3]]), 0.5)], 4)
    assert _idle(held, part, 0.5) and not _idle(held, part, 0.49)
    for threshold, moved in ((0.5, False), (0.49, True)):
        after = part.copy()
        _exchange(held, after, np.array([3, 3]), 1 - np.eye(2), threshold, swaps=True)
        assert (after != part).any() == moved


def test_sweeps_skipping_idle_windows_find_the_same_moves(monkeypatch):
    """Quantum volume on 3 QPUs: every sweep setting makes the same moves whether idle
    windows are skipped or handed to :func:`_exchange`."""
    import numpy as np

    import dqc.plan.teledata as teledata
    from dqc.plan.cost_model import two_qubit_gates
    from dqc.plan.teledata import Sliced, _slice_pairs, _sweep, _windows

    dag = circuit_to_dag(quantum_volume(9, seed=3).decompose())
    timeline = Sliced.of(dag).timeline
    pairs = _slice_pairs(timeline, two_qubit_gates(dag))
    part, caps, dist = np.repeat(np.arange(3), 3), np.full(3, 3), 1 - np.eye(3)

    def sweeps():
        return [_sweep(_windows(pairs, 9, decay), part, caps, dist, threshold, swaps=True,
                       timeline=timeline)
                for decay in (0.3, 0.6, 0.9) for threshold in (0.5, 1.0, 2.0)]

    skipped = []
    idle = teledata._idle
    monkeypatch.setattr(teledata, "_idle", lambda *a: skipped.append(idle(*a)) or skipped[-1])
    skipping = sweeps()
    monkeypatch.setattr(teledata, "_idle", lambda f, part, one_hop: False)
    plain = sweeps()
    assert [(s.tolist(), m) for s, m in skipping] == [(s.tolist(), m) for s, m in plain]
    assert any(m for _, m in plain) and any(skipped) and not all(skipped)
