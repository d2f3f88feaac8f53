"""dqc.estimation.requirements and dqc.estimate.requirements: the least value of each
parameter, checked against figures solved by hand from the schedule."""

from __future__ import annotations

import math

import pytest
from qiskit import QuantumCircuit

from dqc.errors import CapacityError
from dqc.estimate import estimate, requirements, sweep_network
from dqc.estimation.requirements import (
    FIDELITY_TOLERANCE,
    RELATIVE_TOLERANCE,
    find_requirements,
)
from dqc.estimation.verdict import FIDELITY_MARGINAL, MEMORY_MARGINAL, Verdict, assess
from dqc.network import Link, Network
from dqc.network.physics import TECHNOLOGIES


def _remote_cx() -> QuantumCircuit:
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


def _fixed(e):
    """The verdict of ``e``'s compiled circuit on another network of the same shape."""
    def evaluate(net: Network) -> Verdict:
        return assess(e.circuit, net, qubit_qpu=e.report.qubit_qpu,
                      comm_qubits=e.report.comm_qubits, remote_gates=e.report.remote_gates)[1]
    return evaluate


def _statuses(verdict: Verdict, check: str) -> set[str]:
    return {r.status for r in verdict.reasons if r.check == check}


def _one_cx(checked, **options):
    qc = _remote_cx()
    net = Network.line(2, data_qubits=1, technology="trapped_ion", **options)
    return qc, net, checked(estimate(qc, net), qc)


def test_rate_of_one_remote_cx_is_one_ebit_per_compute_time(checked) -> None:
    """One ebit, free ebits would finish in compute_s: the link must give 1 / compute_s."""
    qc, net, e = _one_cx(checked)
    req = requirements(qc, net, keys=("link.rate_hz",), estimated=e).parameters[0]
    expected = 1 / e.schedule.compute_s
    assert req.scope == "value" and req.current == net.links[0].rate_hz
    assert req.feasible.status == "found"
    assert expected <= req.feasible.value <= expected * (1 + RELATIVE_TOLERANCE)
    # the ebit_rate check flips there: ok at the answer, marginal just below the figure
    evaluate = _fixed(e)
    at = evaluate(sweep_network(net, "link.rate_hz", req.feasible.value))
    below = evaluate(sweep_network(net, "link.rate_hz", expected * (1 - RELATIVE_TOLERANCE)))
    assert _statuses(at, "ebit_rate") == {"ok"} and _statuses(below, "ebit_rate") == {"marginal"}
    # ebit_rate is never worse than marginal and one pair is held only by gates: no
    # rate is too slow for "marginal"
    assert req.marginal.status == "any" and req.marginal.value is None
    # one of one two-qubit gates is remote: the rate cannot fix that
    assert req.feasible.cannot_fix == ("remote_fraction",)
    assert req.marginal.cannot_fix == ()


def test_link_fidelity_of_one_remote_cx_divides_the_threshold_by_the_other_factors(
        checked) -> None:
    """fidelity check: F x memory x idle >= 0.9 (0.5 for marginal); memory and idle do
    not depend on F, so F = 0.9 / (memory x idle)."""
    qc, net, e = _one_cx(checked)
    req = requirements(qc, net, keys=("link.fidelity",), estimated=e).parameters[0]
    f = e.schedule.fidelity
    for bound, threshold in ((req.feasible, FIDELITY_MARGINAL), (req.marginal, 0.5)):
        expected = threshold / (f.memory * f.idle)
        assert bound.status == "found"
        assert expected <= bound.value <= expected + FIDELITY_TOLERANCE
    assert req.checks == ("fidelity",)
    assert set(req.feasible.cannot_fix) == {"ebit_rate qpu0-qpu1", "remote_fraction"}


def test_t2_of_one_remote_cx_from_the_forced_holds(checked) -> None:
    """memory: mean hold / T2 < 0.1 on every QPU; fidelity: F_link x Π (1 + exp(-t / T2)) / 2
    >= 0.9 over the waiting half and the one idle data qubit (each t fixed by the
    circuit, so the product rises with T2 and a bisection of this expression solves it).
    The larger bound is the answer."""
    qc, net, e = _one_cx(checked)
    req = requirements(qc, net, keys=("qpu.t2_s",), estimated=e).parameters[0]
    t2 = net.qpus[0].profile.t2_s
    f = e.schedule.fidelity
    holds = [mean for mean, _ in e.schedule.qpu_hold_s.values()]   # one half per QPU
    ion = net.qpus[0].profile
    # the memory factor counts each half's hold less its own operations: the qpu0 half
    # (cx, measure) waits for nothing; the qpu1 half (x, cx, h, measure) waits for them
    # and the message
    waits = [ion.gate_2q_s + ion.measure_s + net.links[0].latency_s,
             f.idle_t2 * t2]                          # q0 waits for the disentangle bit
    link_f = net.links[0].fidelity

    def least_t2(threshold: float) -> float:
        def ok(t: float) -> bool:
            return link_f * math.prod((1 + math.exp(-w / t)) / 2 for w in waits) >= threshold
        lo, hi = 1e-9, 1e3
        for _ in range(200):
            mid = math.sqrt(lo * hi)
            lo, hi = (lo, mid) if ok(mid) else (mid, hi)
        return hi

    hold = max(holds)
    feasible = max(hold / MEMORY_MARGINAL, least_t2(FIDELITY_MARGINAL))
    marginal = max(hold, least_t2(0.5))
    for bound, expected in ((req.feasible, feasible), (req.marginal, marginal)):
        assert bound.status == "found"
        assert expected * (1 - 1e-9) <= bound.value <= expected * (1 + RELATIVE_TOLERANCE)
    assert req.scope == "value" and req.current == t2


def test_comm_qubits_recompile_and_a_relay_needs_two(checked) -> None:
    """Three one-qubit QPUs in a line, three qubits all interacting: one pair of them
    sits at the ends, so the middle QPU swaps entanglement and needs 2 comm qubits."""
    qc = QuantumCircuit(3)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.cx(0, 2)
    net = Network.line(3, data_qubits=1, technology="trapped_ion")
    with pytest.raises(CapacityError, match="needs 2"):
        estimate(qc, sweep_network(net, "qpu.comm_qubits", 1))
    two = checked(estimate(qc, sweep_network(net, "qpu.comm_qubits", 2)), qc)
    assert two.verdict.status != "infeasible"
    req = requirements(qc, net, keys=("qpu.comm_qubits",)).parameters[0]
    assert req.marginal.status == "found" and req.marginal.value == 2
    assert req.to_dict()["marginal"]["value"] == 2 and req.current == 2


def test_heterogeneous_rates_are_scaled_by_one_factor(checked) -> None:
    """Links of 50 and 400 Hz (fidelity 0.99, so that two pairs keep the fidelity check
    ok): the factor is the largest (ebits / compute_s) / rate."""
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qpus = Network.line(3, data_qubits=1, technology="trapped_ion").qpus
    net = Network(qpus, (Link("qpu0", "qpu1", rate_hz=50.0, fidelity=0.99),
                         Link("qpu1", "qpu2", rate_hz=400.0, fidelity=0.99)))
    e = checked(estimate(qc, net), qc)
    req = requirements(qc, net, keys=("link.rate_hz",), estimated=e).parameters[0]
    ebits = e.report.ebits_per_link
    expected = max(ebits[link.key] / e.schedule.compute_s / link.rate_hz for link in net.links)
    assert req.scope == "factor" and req.current == 1.0
    assert expected <= req.feasible.value <= expected * (1 + RELATIVE_TOLERANCE)
    assert req.to_dict()["scope"] == "factor"


def test_unreachable_when_memory_alone_sinks_the_fidelity(checked) -> None:
    """T2 of 1 ms against millisecond holds: even perfect links leave the fidelity check
    failing, so link fidelity alone cannot make it feasible; memory is listed."""
    qc = QuantumCircuit(8)
    qc.h(0)
    for t in range(1, 8):
        qc.cx(0, t)
    short = TECHNOLOGIES["trapped_ion"].evolve(t2_s=2e-3)
    net = Network.line(2, data_qubits=4, technology=short)
    e = checked(estimate(qc, net), qc)
    perfect = _fixed(e)(sweep_network(net, "link.fidelity", 1.0))
    assert _statuses(perfect, "fidelity") != {"ok"}                      # by hand: fails at F = 1
    req = requirements(qc, net, keys=("link.fidelity",), estimated=e).parameters[0]
    assert req.feasible.status == "unreachable" and req.feasible.value is None
    assert req.feasible.failing == ("fidelity",)
    assert any(c.startswith("memory") for c in req.feasible.cannot_fix)
    assert "not reachable by this parameter alone" in requirements(
        qc, net, keys=("link.fidelity",), estimated=e).summary()


def test_answers_are_least_passing_values(checked, ghz) -> None:
    """On a GHZ state over 3 QPUs every found value passes and a value just below fails
    (at the bisection's tolerance), for each continuous parameter and level."""
    qc = ghz(9)
    net = Network.line(3, data_qubits=3, technology="trapped_ion", comm_qubits=1)
    e = checked(estimate(qc, net), qc)
    evaluate = _fixed(e)
    reqs = find_requirements(net, evaluate, keys=("link.rate_hz", "link.fidelity", "qpu.t2_s"))
    ok = {"feasible": {"ok"}, "marginal": {"ok", "marginal"}}
    for req in reqs.parameters:
        for bound in (req.feasible, req.marginal):
            if bound.status != "found":
                continue
            below = (bound.value - 2 * FIDELITY_TOLERANCE if req.key == "link.fidelity"
                     else bound.value * (1 - 2 * RELATIVE_TOLERANCE))

            def passes(value: float, req=req, bound=bound) -> bool:
                v = evaluate(sweep_network(net, req.key, value))
                return all(r.status in ok[bound.level] for r in v.reasons
                           if r.check in req.checks)
            assert passes(bound.value) and not passes(below), (req.key, bound)


def test_unknown_parameter_is_refused() -> None:
    net = Network.line(2, data_qubits=1)
    with pytest.raises(ValueError, match="unknown requirement 'link.speed'; known: link.rate_hz"):
        find_requirements(net, lambda n: Verdict("feasible", ()), keys=("link.speed",))
