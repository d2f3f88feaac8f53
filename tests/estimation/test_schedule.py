"""The scheduler (dqc.estimation.schedule): hand-computed schedules, the validator, monotonicity.

Every compiled circuit here is verified with ``dqc.verify`` and every schedule passes
``check_schedule``. The durations of the hand-computed cases use a technology with
distinct, round figures so that each term of a formula is visible::

    t1 = 1 us (one-qubit gate)   t2 = 10 us (two-qubit gate)   tm = 100 us (measure)
    tr = 1 ms (reset)            L = 2 ms (link latency)        r = link rate (Hz)
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit
from qiskit.circuit import ClassicalRegister, QuantumRegister

import dqc
from dqc.estimation.schedule import check_schedule, schedule
from dqc.estimation.verdict import check_cutoff
from dqc.gates import EPRGate
from dqc.network import QPU, Link, Network
from dqc.network.physics import Technology

T1, T2, TM, TR, L = 1e-6, 1e-5, 1e-4, 1e-3, 2e-3
TECH = Technology(name="test", gate_1q_s=T1, gate_2q_s=T2, measure_s=TM, reset_s=TR,
                  error_1q=1e-4, error_2q=1e-3, error_measure=1e-2, t2_s=0.5,
                  remote_fraction=0.1)


def line(k: int, *, data: int = 1, comm: int = 2, rates: tuple[float, ...] = (10.0,),
         channels: int = 1) -> Network:
    qpus = tuple(QPU(f"qpu{i}", data, comm, TECH) for i in range(k))
    links = tuple(Link(f"qpu{i}", f"qpu{i + 1}", rate_hz=rates[i % len(rates)], latency_s=L,
                       channels=channels) for i in range(k - 1))
    return Network(qpus, links)


def scheduled(circuit, network, report, **kw):
    """Schedule and validate; returns the schedule."""
    s = schedule(circuit, network, qubit_qpu=report.qubit_qpu,
                 comm_qubits=report.comm_qubits, **kw)
    assert check_schedule(s, circuit, network, qubit_qpu=report.qubit_qpu) == []
    return s


class Hand:
    """A distributed circuit written by hand: per QPU a data register and a comm register.

    The hand-computed cases do not depend on how the compiler chooses carriers: the
    protocol is spelled out here, then verified against the input circuit.
    """

    def __init__(self, network: Network, placement: tuple[str, ...], bits: int) -> None:
        self.net = network
        regs = []
        self.data: dict[str, list] = {}
        self.comm: dict[str, list] = {}
        for q in network.qpus:
            d = QuantumRegister(q.data_qubits, q.name)
            c = QuantumRegister(q.comm_qubits, f"{q.name}_comm")
            regs += [d, c]
            self.data[q.name], self.comm[q.name] = list(d), list(c)
        self.tele = ClassicalRegister(bits, "tele")
        self.out = QuantumCircuit(*regs, self.tele)
        self.slots: list = []
        used: dict[str, int] = {}
        for name in placement:
            self.slots.append(self.data[name][used.get(name, 0)])
            used[name] = used.get(name, 0) + 1
        self.placement = placement
        self.next_bit = 0

    def q(self, i: int):
        return self.slots[i]

    def m(self, qpu: str, j: int = 0):
        return self.comm[qpu][j]

    def epr(self, a, b) -> None:
        self.out.append(EPRGate(), [a, b])

    def measure(self, qubit) -> int:
        bit = self.next_bit % self.tele.size
        self.next_bit += 1
        self.out.measure(qubit, self.tele[bit])
        return bit

    def fix(self, bit: int, gate: str, qubit) -> None:
        with self.out.if_test((self.tele[bit], True)):
            getattr(self.out, gate)(qubit)

    def telegate(self, control: int, target: int, mine, theirs) -> None:
        """cx(control, target) with the control cat-entangled onto ``theirs``."""
        self.epr(mine, theirs)
        self.out.cx(self.q(control), mine)
        self.fix(self.measure(mine), "x", theirs)
        self.out.cx(theirs, self.q(target))
        self.out.h(theirs)
        self.fix(self.measure(theirs), "z", self.q(control))

    def report(self) -> dqc.Report:
        index = {q: k for k, q in enumerate(self.out.qubits)}
        qubit_qpu = []
        for q in self.net.qpus:
            qubit_qpu += [q.name] * (q.data_qubits + q.comm_qubits)
        comm = tuple(index[c] for q in self.net.qpus for c in self.comm[q.name])
        layout = tuple(index[s] for s in self.slots)
        ebits = {link.key: 0 for link in self.net.links}
        for inst in self.out.data:
            if inst.name == "epr":
                a, b = (qubit_qpu[index[x]] for x in inst.qubits)
                ebits[self.net.link_key(a, b)] += 1
        return dqc.Report(
            ebits=sum(ebits.values()), ebits_per_link=ebits, remote_gates=0,
            ebits_lower_bound=0, qubit_qpu=tuple(qubit_qpu), comm_qubits=comm,
            initial_layout=layout, final_layout=layout,
            qpus={q.name: {"data": q.data_qubits, "comm": q.comm_qubits, "used": 1}
                  for q in self.net.qpus},
            links=tuple((link.a, link.b) for link in self.net.links), input={}, seed=0,
            partition_cost=0)

    def verified(self, original: QuantumCircuit):
        report = self.report()
        outcome = dqc.verify(original, self.out, report)
        assert outcome.ok, str(outcome)
        return self.out, report


def names(circuit: QuantumCircuit) -> list[str]:
    return [inst.name for inst in circuit.data]


# ------------------------------------------------------------ hand-computed cases
def test_one_remote_cx():
    """One remote CX over one link: makespan = 1/r + 2 L + 2 t2 + 2 tm + 3 t1.

    ::

        qpu0:  q0 ──■──────────────────────────── Z^b2 ─   (Z after b2 arrives: + L + t1)
        qpu0:  m0 ─[epr]─⊕─ M=b1                           (epr 1/r, cx t2, measure tm)
        qpu1:  m1 ─[epr]──── X^b1 ──■── H ─ M=b2           (+ L, x t1, cx t2, h t1, tm)
        qpu1:  q1 ──────────────────⊕───────────
    """
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    net = line(2, rates=(10.0,))
    hand = Hand(net, ("qpu0", "qpu1"), bits=2)
    hand.telegate(0, 1, hand.m("qpu0"), hand.m("qpu1"))
    out, report = hand.verified(qc)
    s = scheduled(out, net, report)
    expected = 1 / 10 + 2 * L + 2 * T2 + 2 * TM + 3 * T1
    assert s.makespan_s == pytest.approx(expected, rel=1e-12)
    assert s.critical_path_s == pytest.approx(expected, rel=1e-12)
    assert s.link_bounds_s == {"qpu0-qpu1": pytest.approx(0.1)}
    assert s.compute_s == pytest.approx(expected - 0.1, rel=1e-12)  # ebits free
    assert s.link_busy == {"qpu0-qpu1": pytest.approx(0.1 / expected)}
    assert s.peak_comm_qubits == {"qpu0": 1, "qpu1": 1}
    # halves held from the pair's arrival to their measurement: qpu0 t2 + tm,
    # qpu1 t2 + tm + L + t1 + t2 + t1 + tm
    held = sorted([T2 + TM, T2 + TM + L + T1 + T2 + T1 + TM])
    assert s.ebit_storage_s == pytest.approx((sum(held) / 2, held[1]))
    assert s.fidelity.link == pytest.approx(net.links[0].fidelity)
    # each half escapes the Z error of dephasing with probability (1 + exp(-t / T2)) / 2,
    # t its hold less its own operations: qpu0 none (cx, measure); qpu1 waits for
    # qpu0's cx and measurement and the message (t2 + tm + L)
    assert s.fidelity.memory == pytest.approx((1 + math.exp(-(T2 + TM + L) / 0.5)) / 2)
    assert s.fidelity.memory_t2 == pytest.approx(sum(held) / 0.5)
    # q0 waits for the disentangle bit between its cx and its Z correction
    idle = (TM + L + 2 * T1 + T2 + TM + L) / 0.5
    assert s.fidelity.idle == pytest.approx((1 + math.exp(-idle)) / 2)
    assert s.fidelity.gates == pytest.approx((1 - 1e-4) ** 3 * (1 - 1e-3) ** 2 * (1 - 1e-2) ** 2)
    assert s.fidelity.total == pytest.approx(
        s.fidelity.link * s.fidelity.memory * s.fidelity.idle * s.fidelity.gates)


def test_compile_report_carries_the_schedule(verified):
    """dqc.compile, the ScheduleOperations pass and dqc.estimation.schedule agree."""
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    net = line(3, rates=(10.0, 40.0))
    result = verified(qc, net)
    s = scheduled(result.circuit, net, result.report)
    assert result.report.schedule == s.to_dict()
    assert result.report.schedule["makespan_s"] > 0.1
    assert result.report.verdict["status"] in ("feasible", "marginal", "infeasible")
    pm = dqc.passes.generate_pass_manager(net, seed=0)
    pm.append(dqc.passes.ScheduleOperations(net))
    pm.run(qc)
    assert pm.property_set["dqc_schedule"].to_dict() == s.to_dict()
    assert pm.property_set["dqc_verdict"].to_dict() == result.report.verdict


def test_chain_through_a_swap():
    """q0 on qpu0, q1 on qpu2 of a line: the pair is swapped at qpu1.

    Both ebits start at 0; the Bell measurement at qpu1 waits for the slower one
    (1 / min(r01, r12)), its bits reach qpu2 after L, the cat-entangle bit from qpu0 after
    2 L (two links), and the disentangle bit goes back over 2 L::

        makespan = max(1/r01, 1/r12) + 4 L + 2 t2 + 2 tm + 3 t1
    """
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    net = line(3, rates=(10.0, 25.0))
    hand = Hand(net, ("qpu0", "qpu1", "qpu2"), bits=5)
    first, near, out_, far = hand.m("qpu0"), hand.m("qpu1", 0), hand.m("qpu1", 1), hand.m("qpu2")
    hand.epr(first, near)
    hand.epr(out_, far)
    hand.out.cx(near, out_)
    hand.out.h(near)
    z_bit, x_bit = hand.measure(near), hand.measure(out_)
    hand.fix(x_bit, "x", far)
    hand.fix(z_bit, "z", far)
    hand.out.cx(hand.q(0), first)
    hand.fix(hand.measure(first), "x", far)
    hand.out.cx(far, hand.q(2))
    hand.out.h(far)
    hand.fix(hand.measure(far), "z", hand.q(0))
    wide = QuantumCircuit(3)
    wide.cx(0, 2)
    out, report = hand.verified(wide)
    assert report.ebits_per_link == {"qpu0-qpu1": 1, "qpu1-qpu2": 1}
    s = scheduled(out, net, report)
    assert s.makespan_s == pytest.approx(0.1 + 4 * L + 2 * T2 + 2 * TM + 3 * T1, rel=1e-12)
    eprs = [op for op in s.operations if op.name == "epr"]
    assert [op.link for op in eprs] == ["qpu0-qpu1", "qpu1-qpu2"]
    # lazy timing would slide the faster pair (25 Hz: 40 ms) and the Bell measurement late
    # by L - 2 t1 (the swap's corrections at qpu2 are needed only when the cat-entangle bit
    # arrives there, 2 L after it was measured), splitting the wait between the halves at
    # qpu1 and qpu2; the placement that dephases least (dqc.estimation.waits) makes both
    # pairs by 0.1 s and leaves the whole wait on the half at qpu2: (1 + e^-x) / 2 is
    # convex, so one wait of 2 x dephases less than two of x
    assert eprs[0].end_s == pytest.approx(0.1)
    assert eprs[1].end_s == pytest.approx(0.1)
    assert eprs[1].start_s == pytest.approx(0.1 - 0.04)
    eager = scheduled(out, net, report, epr_timing="eager")
    assert eager.makespan_s == s.makespan_s
    assert [op.start_s for op in eager.operations if op.name == "epr"] == [0.0, 0.0]
    assert s.peak_comm_qubits == {"qpu0": 1, "qpu1": 2, "qpu2": 1}
    assert s.ebit_storage_s[0] < eager.ebit_storage_s[0]


def _two_telegates(comm: int, channels: int) -> tuple[QuantumCircuit, dqc.Report, Network]:
    """cx(0, 2), cx(1, 3) with q0, q1 on qpu0 and q2, q3 on qpu1."""
    qc = QuantumCircuit(4)
    qc.cx(0, 2)
    qc.cx(1, 3)
    net = line(2, data=2, comm=comm, rates=(10.0,), channels=channels)
    # one comm qubit: the telegates also share their two teleportation bits, as compiled
    hand = Hand(net, ("qpu0", "qpu0", "qpu1", "qpu1"), bits=2 * comm)
    hand.telegate(0, 2, hand.m("qpu0"), hand.m("qpu1"))
    if comm == 1:
        hand.out.reset(hand.m("qpu0"))
        hand.out.reset(hand.m("qpu1"))
        hand.telegate(1, 3, hand.m("qpu0"), hand.m("qpu1"))
    else:
        hand.telegate(1, 3, hand.m("qpu0", 1), hand.m("qpu1", 1))
    out, report = hand.verified(qc)
    return out, report, net


def test_memory_limited_ebit_waits_for_a_comm_qubit():
    """Two telegates, a 2-channel link, one comm qubit per QPU: the second pair waits.

    With 1 comm qubit the second epr starts when the first copy's comm qubit on qpu1 is
    measured and reset (b + tr, b = 1/r + 2 t2 + 2 tm + 2 t1 + L)::

        makespan = 2/r + 4 t2 + 4 tm + 5 t1 + 3 L + tr

    With 2 comm qubits both pairs are made at once: 1/r + 2 L + 2 t2 + 2 tm + 3 t1.
    """
    out, report, net = _two_telegates(comm=1, channels=2)
    s = scheduled(out, net, report)
    b = 0.1 + 2 * T2 + 2 * TM + 2 * T1 + L
    assert s.makespan_s == pytest.approx(2 * 0.1 + 4 * T2 + 4 * TM + 5 * T1 + 3 * L + TR,
                                         rel=1e-12)
    second = [op for op in s.operations if op.name == "epr"][1]
    assert second.start_s == pytest.approx(b + TR)
    assert s.peak_comm_qubits == {"qpu0": 1, "qpu1": 1}
    out2, report2, roomy = _two_telegates(comm=2, channels=2)
    s2 = scheduled(out2, roomy, report2)
    assert s2.makespan_s == pytest.approx(0.1 + 2 * L + 2 * T2 + 2 * TM + 3 * T1, rel=1e-12)
    assert s2.peak_comm_qubits == {"qpu0": 2, "qpu1": 2}
    assert s2.link_bounds_s["qpu0-qpu1"] == pytest.approx(0.1)  # ceil(2 / 2 channels) / r


def test_one_channel_serialises_the_link():
    """Same two telegates on a 1-channel link with 2 comm qubits: the pairs queue."""
    out, report, net = _two_telegates(comm=2, channels=1)
    s = scheduled(out, net, report, epr_timing="eager")
    eprs = [op for op in s.operations if op.name == "epr"]
    assert eprs[1].start_s == pytest.approx(eprs[0].end_s)
    assert s.makespan_s == pytest.approx(2 * 0.1 + 2 * L + 2 * T2 + 2 * TM + 3 * T1, rel=1e-12)
    assert s.link_bounds_s["qpu0-qpu1"] == pytest.approx(0.2)
    assert s.link_busy["qpu0-qpu1"] == pytest.approx(0.2 / s.makespan_s)
    assert s.binding_bound == "link qpu0-qpu1"
    assert s.lower_bound_s == pytest.approx(0.2)
    assert s.critical_path_s < s.lower_bound_s < s.makespan_s


def test_local_circuit_has_no_link_figures():
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.barrier()
    qc.measure([0, 1], [0, 1])
    net = Network((QPU("solo", 2, 0, "trapped_ion"),), ())
    s = schedule(qc, net, qubit_qpu=["solo", "solo"])
    assert check_schedule(s, qc, net, qubit_qpu=["solo", "solo"]) == []
    assert s.makespan_s == pytest.approx(10e-6 + 100e-6 + 200e-6)
    assert s.fidelity.link == 1.0 and s.fidelity.memory == 1.0
    assert s.link_busy == {} and s.peak_comm_qubits == {"solo": 0}


def test_feed_forward_on_a_remote_bit_waits_for_the_latency():
    """An if_test on qpu1 reading a bit measured on qpu0 starts L after the measurement."""
    a, b = QuantumRegister(1, "qpu0"), QuantumRegister(1, "qpu1")
    c = ClassicalRegister(1, "c")
    qc = QuantumCircuit(a, b, c)
    qc.measure(a[0], c[0])
    with qc.if_test((c[0], True)):
        qc.x(b[0])
    net = line(2)
    s = schedule(qc, net, qubit_qpu=["qpu0", "qpu1"])
    assert s.operations[1].start_s == pytest.approx(TM + L)
    assert check_schedule(s, qc, net, qubit_qpu=["qpu0", "qpu1"]) == []


# -------------------------------------------------------------------- validator
def one_telegate(rate: float = 10.0) -> tuple[QuantumCircuit, dqc.Report, Network]:
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    net = line(2, rates=(rate,))
    hand = Hand(net, ("qpu0", "qpu1"), bits=2)
    hand.telegate(0, 1, hand.m("qpu0"), hand.m("qpu1"))
    return (*hand.verified(qc), net)


def test_validator_catches_broken_schedules():
    out, report, net = one_telegate()
    s = scheduled(out, net, report)
    ops = list(s.operations)
    k = next(i for i, op in enumerate(ops) if op.name == "if_else")
    early = ops[:k] + [ops[k].__class__(**{**ops[k].__dict__, "start_s": ops[k].start_s - L,
                                            "end_s": ops[k].end_s - L})] + ops[k + 1:]
    broken = s.__class__(**{**s.__dict__, "operations": tuple(early)})
    problems = check_schedule(broken, out, net, qubit_qpu=report.qubit_qpu)
    assert any("before its bit arrives" in p for p in problems)
    squeezed = s.__class__(**{**s.__dict__, "makespan_s": s.makespan_s / 2})
    problems = check_schedule(squeezed, out, net, qubit_qpu=report.qubit_qpu)
    assert any("below the" in p for p in problems) and any("last end" in p for p in problems)


def test_unlinked_epr_and_cross_qpu_gate_are_errors():
    from dqc.gates import EPRGate

    net = line(3)
    qc = QuantumCircuit(3)
    qc.append(EPRGate(), [0, 2])
    with pytest.raises(dqc.DQCError, match="joins QPUs 'qpu0' and 'qpu2', which share no link"):
        schedule(qc, net, qubit_qpu=["qpu0", "qpu1", "qpu2"])
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    with pytest.raises(dqc.DQCError, match="'cx' #0 acts on qubits of QPUs qpu0, qpu1"):
        schedule(qc, net, qubit_qpu=["qpu0", "qpu1"])
    with pytest.raises(dqc.DQCError, match="qubit_qpu names 1 QPU but the circuit has 2 qubits"):
        schedule(qc, net, qubit_qpu=["qpu0"])
    with pytest.raises(dqc.DQCError, match="samples=-1; it must be a non-negative integer"):
        schedule(qc, net, qubit_qpu=["qpu0", "qpu0"], samples=-1)
    with pytest.raises(dqc.DQCError, match="epr_timing='soon'"):
        schedule(qc, net, qubit_qpu=["qpu0", "qpu0"], epr_timing="soon")


# ------------------------------------------------------------------ Monte Carlo
def test_monte_carlo_is_seeded_and_centred_on_the_expected_time():
    """One remote CX: makespan = D + X with X the ebit time, mean 1/r."""
    out, report, direct = one_telegate()
    a = scheduled(out, direct, report, samples=4000, seed=7)
    b = scheduled(out, direct, report, samples=4000, seed=7)
    assert a.monte_carlo == b.monte_carlo
    mc = a.monte_carlo
    assert mc.samples == 4000 and mc.seed == 7
    assert mc.mean_s == pytest.approx(a.makespan_s, rel=0.05)
    assert mc.min_s >= a.makespan_s - 0.1 and mc.p95_s > mc.mean_s
    # exponential ebit time: p95 = D + 1/r ln 20
    assert mc.p95_s == pytest.approx(a.makespan_s - 0.1 + 0.1 * math.log(20), rel=0.05)
    physical = Network(direct.qpus, (Link("qpu0", "qpu1", length_km=20, attempt_rate_hz=1e4,
                                          efficiency=0.01),))
    c = scheduled(out, physical, report, samples=2000, seed=1)
    period = 20 / 2e5  # heralding round trip binds (1e4 Hz would be 1e-4 s)
    assert c.monte_carlo.mean_s == pytest.approx(c.makespan_s, rel=0.05)
    attempts = (c.monte_carlo.min_s - (c.makespan_s - 1 / physical.links[0].rate_hz)) / period
    assert attempts == pytest.approx(round(attempts), abs=1e-6) and round(attempts) >= 1


# ----------------------------------------------------------------- monotonicity
def _slower(net: Network, factor: float, which: int | None) -> Network:
    links = tuple(link.evolve(rate_hz=link.rate_hz / factor) if which in (None, i) else link
                  for i, link in enumerate(net.links))
    return Network(net.qpus, links, net.name)


def _variants(net: Network, fibre: Link, factor: float, which: int) -> dict[str, Network]:
    """Networks that are worse than ``net`` in one respect each (links only)."""
    return {
        "every link slower": _slower(net, factor, None),
        f"link {which} slower": _slower(net, factor, which),
        "links slower by 0.1 %": _slower(net, 1.001, None),
        "longer fibre": Network(net.qpus, (fibre.evolve(length_km=fibre.length_km * factor),)
                                + net.links[1:]),
        "longer latency": Network(net.qpus, tuple(
            link.evolve(latency_s=link.latency_s * factor + 1e-4) for link in net.links)),
    }


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), factor=st.floats(1.0, 50.0),
       technology=st.sampled_from(["superconducting", "trapped_ion", "nv"]))
def test_slower_links_longer_fibre_and_shorter_t2_never_help(
        clifford_circuit, nonclifford_circuit, seed, factor, technology):
    """Makespan never shrinks and fidelity never rises when a link (or every link) slows,
    a fibre grows or a latency grows; fidelity never rises when T2 shrinks or a link's
    Bell pairs get worse (and the makespan stays).

    Why it holds (module docstring of dqc.estimation.schedule): the makespan, the stored time of
    every ebit half (``memory``) and the lifetime of every data qubit (``idle``) are
    longest paths in one dependency graph, whose edges do not depend on the link
    figures and whose weights (1 / rate, latencies) only grow here.
    """
    rng = random.Random(seed)
    n, k = rng.randint(4, 8), rng.randint(2, 3)
    qc = (clifford_circuit if seed % 2 else nonclifford_circuit)(n, rng.randint(8, 40), seed)
    fibre = Link("qpu0", "qpu1", length_km=rng.uniform(1, 50), attempt_rate_hz=1e6,
                 efficiency=0.01)
    base = Network.ring(k, data_qubits=-(-n // k), comm_qubits=rng.randint(1, 3),
                        rate_hz=rng.choice([10, 1000]), latency_s=rng.choice([0, 1e-3]),
                        technology=technology)
    net = Network(base.qpus, (fibre,) + base.links[1:])
    try:
        result = dqc.compile(qc, net, seed=seed)
    except dqc.CapacityError:
        return
    outcome = dqc.verify(qc, result.circuit, result.report)
    assert outcome.ok, str(outcome)
    ref = scheduled(result.circuit, net, result.report)
    for what, other in _variants(net, fibre, factor, rng.randrange(len(net.links))).items():
        s = scheduled(result.circuit, other, result.report)
        assert s.makespan_s >= ref.makespan_s * (1 - 1e-12), what
        assert s.critical_path_s >= ref.critical_path_s * (1 - 1e-12), what
        assert s.lower_bound_s >= ref.lower_bound_s * (1 - 1e-12), what
        assert s.fidelity.log10_total <= ref.fidelity.log10_total + 1e-12, what
        assert s.fidelity.memory_t2 >= ref.fidelity.memory_t2 * (1 - 1e-12), what
        assert s.fidelity.idle_t2 >= ref.fidelity.idle_t2 * (1 - 1e-12), what
    forgetful = Network(tuple(
        QPU(q.name, q.data_qubits, q.comm_qubits, q.profile.evolve(t2_s=q.profile.t2_s / factor))
        for q in net.qpus), net.links)
    worse = Network(net.qpus, tuple(link.evolve(fidelity=0.5 + (link.fidelity - 0.5) / factor)
                                    for link in net.links))
    for other in (forgetful, worse):
        s = scheduled(result.circuit, other, result.report)
        assert s.makespan_s == ref.makespan_s
        assert s.fidelity.log10_total <= ref.fidelity.log10_total + 1e-12


def test_fidelity_comes_from_the_dependencies_not_the_timing():
    """Lazy and eager timing place Bell pairs differently (different storage in the
    schedule) but the fidelity is the same: it counts the least time each qubit must
    hold its state, a property of the dependency graph."""
    qc = QuantumCircuit(2)
    for _ in range(20):
        qc.t(0)
    qc.cx(0, 1)
    net = line(2, rates=(1e6,))
    hand = Hand(net, ("qpu0", "qpu1"), bits=2)
    for _ in range(20):
        hand.out.t(hand.q(0))
    hand.telegate(0, 1, hand.m("qpu0"), hand.m("qpu1"))
    out, report = hand.verified(qc)
    lazy = scheduled(out, net, report)
    eager = scheduled(out, net, report, epr_timing="eager")
    # the eager pair arrives after 1 us, then both halves wait for the 20 T gates (20 us)
    assert eager.ebit_storage_s[0] == pytest.approx(lazy.ebit_storage_s[0] + 19 * T1)
    assert eager.fidelity == lazy.fidelity


def _merge_comm_qubits(circuit: QuantumCircuit, report: dqc.Report
                       ) -> tuple[QuantumCircuit, list[str], list[int], str] | None:
    """The circuit with one comm qubit fewer: comm qubit b's work moved onto comm qubit a
    of the same QPU, where all of a's operations come before all of b's. None if no
    such pair exists. Returns (circuit, qubit_qpu, comm_qubits, QPU)."""
    span: dict[int, tuple[int, int]] = {}
    for i, inst in enumerate(circuit.data):
        for q in inst.qubits:
            k = circuit.find_bit(q).index
            if k in report.comm_qubits:
                first, last = span.get(k, (i, i))
                span[k] = (min(first, i), max(last, i))
    pairs = [(a, b) for a in sorted(span) for b in sorted(span)
             if a != b and span[a][1] < span[b][0]
             and report.qubit_qpu[a] == report.qubit_qpu[b]]
    if not pairs:
        return None
    a, b = pairs[0]
    keep = [q for k, q in enumerate(circuit.qubits) if k != b]
    merged = QuantumCircuit(keep, *circuit.cregs)
    wire = {q: q for q in keep} | {circuit.qubits[b]: circuit.qubits[a]}
    for inst in circuit.data:
        merged.append(inst.operation, [wire[q] for q in inst.qubits], inst.clbits)
    index = {q: k for k, q in enumerate(circuit.qubits)}
    qubit_qpu = [report.qubit_qpu[index[q]] for q in keep]
    comm = [k for k, q in enumerate(keep) if index[q] in report.comm_qubits]
    return merged, qubit_qpu, comm, report.qubit_qpu[a]


def test_fewer_comm_qubits_never_help_the_same_program(clifford_circuit, nonclifford_circuit):
    """One comm qubit fewer for the same compiled program (two comm qubits of a QPU whose
    uses do not overlap merged into one) never shortens the makespan or raises fidelity.

    Why: the merge only adds dependencies (the merged qubit's operations are ordered),
    so every longest path, hence the makespan and every t_hold and t_idle, can only
    grow. The end-to-end claim (``dqc.estimate`` with fewer comm qubits, which
    recompiles) is not a law: the compiler may then choose another distribution; it is
    not asserted here.
    """
    checked = 0
    for seed in range(40):
        rng = random.Random(seed)
        n, k = rng.randint(4, 8), rng.randint(2, 3)
        maker = clifford_circuit if seed % 2 else nonclifford_circuit
        qc = maker(n, rng.randint(8, 40), seed)
        net = Network.ring(k, data_qubits=-(-n // k), comm_qubits=rng.randint(2, 3),
                           rate_hz=rng.choice([10, 1000]), latency_s=rng.choice([0, 1e-3]),
                           technology=rng.choice(["superconducting", "trapped_ion", "nv"]))
        try:
            result = dqc.compile(qc, net, seed=seed)
        except dqc.CapacityError:
            continue
        merged = _merge_comm_qubits(result.circuit, result.report)
        if merged is None:
            continue
        circuit, qubit_qpu, comm, where = merged
        ref = scheduled(result.circuit, net, result.report)
        smaller = Network(tuple(replace(q, comm_qubits=q.comm_qubits - 1) if q.name == where
                                else q for q in net.qpus), net.links)
        s = schedule(circuit, smaller, qubit_qpu=qubit_qpu, comm_qubits=comm)
        assert check_schedule(s, circuit, smaller, qubit_qpu=qubit_qpu) == []
        assert s.makespan_s >= ref.makespan_s * (1 - 1e-12)
        assert s.fidelity.log10_total <= ref.fidelity.log10_total + 1e-12
        checked += 1
    assert checked >= 15


# ----------------------------------------------------------------- cutoffs
def test_a_cutoff_holds_a_pair_back_and_the_makespan_says_what_it_costs():
    """Two pairs on one channel (T = 1/r = 100 us): pair 1 serves cx(0, 3) after 500 local
    gates (D = 500 t2 = 5 ms), pair 2 serves cx(2, 4) at once, then 1,000 gates on q4.

    Without a cutoff pair 1 is made at [0, T] and its far half waits until D + t2 + tm + L.
    With a cutoff c = 3 ms it is held back so that half waits exactly c: released at
    D + t2 + tm + L − c − T = 4.01 ms. Pair 2 (next on the channel) follows it, and the run,
    whose critical path goes through pair 2, ends later by that release::

        delay = D + t2 + tm + L − c − T = 5 + 0.01 + 0.1 + 2 − 3 − 0.1 ms = 4.01 ms
    """
    cutoff = 3e-3
    plain = line(2, data=3, rates=(1e4,))
    net = Network(plain.qpus, (plain.links[0].evolve(cutoff_s=cutoff),))
    hand = Hand(net, ("qpu0",) * 3 + ("qpu1",) * 3, bits=4)
    pairs = [(hand.m("qpu0", j), hand.m("qpu1", j)) for j in range(2)]
    for mine, theirs in pairs:
        hand.epr(mine, theirs)
    wide = QuantumCircuit(6)
    for _ in range(500):
        hand.out.cx(hand.q(0), hand.q(1))
        wide.cx(0, 1)
    for (control, target), (mine, theirs) in zip(((0, 3), (2, 4)), pairs):
        hand.out.cx(hand.q(control), mine)
        hand.fix(hand.measure(mine), "x", theirs)
        hand.out.cx(theirs, hand.q(target))
        hand.out.h(theirs)
        hand.fix(hand.measure(theirs), "z", hand.q(control))
        wide.cx(control, target)
    for _ in range(1000):
        hand.out.cx(hand.q(4), hand.q(5))
        wide.cx(4, 5)
    out, report = hand.verified(wide)
    before, after = scheduled(out, plain, report), scheduled(out, net, report)
    delay = 500 * T2 + T2 + TM + L - cutoff - 1e-4
    assert after.makespan_s - before.makespan_s == pytest.approx(delay, rel=1e-9)
    eprs = [op for op in after.operations if op.name == "epr"]
    assert eprs[0].start_s == pytest.approx(delay, rel=1e-9)
    assert eprs[1].start_s == pytest.approx(delay + 1e-4, rel=1e-9)
    model = after.link_models["qpu0-qpu1"]
    assert (model.held_back, model.regenerated, model.over_cutoff) == (1, 0, 0)
    assert model.delay_s == pytest.approx(delay, rel=1e-9)
    assert after.ebit_wait_s[1] <= cutoff * (1 + 1e-9)    # no half waits past the cutoff
    reason = check_cutoff(after, net.links[0])
    assert reason.status == "marginal" and "the cutoffs add 0.00401 s" in reason.message
    # Monte Carlo keeps the hold-back: no draw starts pair 1 before its release
    drawn = scheduled(out, net, report, samples=64, seed=1)
    assert drawn.monte_carlo is not None and drawn.monte_carlo.min_s >= delay


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_pass_lower_bounds_equal_two_asap_runs(seed, verified):
    """``unlimited_makespans`` gives, in one pass, exactly the makespans of the two
    lower-bound ASAP runs (no link order; then also Bell pairs instant and free of their
    comm qubits' earlier use), on compiled random circuits with cross-QPU gates."""
    from dqc.estimation.program import build_program
    from dqc.estimation.timing import asap, unlimited_makespans

    rng = random.Random(seed)
    qc = QuantumCircuit(6)
    for _ in range(40):
        a, b = rng.sample(range(6), 2)
        qc.cx(a, b)
        qc.h(rng.randrange(6))
    net = Network.all_to_all(3, data_qubits=2, comm_qubits=1)
    res = verified(qc, net)
    prog = build_program(res.circuit, net, res.report.qubit_qpu, set(res.report.comm_qubits))
    _, cp_end, _ = asap(prog, prog.duration, links=False)
    free = [0.0 if prog.link[i] >= 0 else d for i, d in enumerate(prog.duration)]
    _, compute_end, _ = asap(prog, free, links=False, memory=False)
    assert unlimited_makespans(prog) == (max(cp_end), max(compute_end))
    assert max(compute_end) < max(cp_end)  # (Bell pairs take time: the bounds differ)
