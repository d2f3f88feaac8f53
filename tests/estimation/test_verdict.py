"""Verdicts (dqc.estimation.verdict): each check follows its figures, and the memory and
buffering checks use the same forced hold times as the fidelity model."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

from dqc.estimate import Estimate, estimate, estimate_sweep
from dqc.estimation.memory import halves_per_qpu
from dqc.estimation.verdict import (
    check_buffering,
    check_ebit_rate,
    check_fidelity,
    check_memory,
    check_remote_fraction,
    ebits_per_link,
    judge,
)
from dqc.network import Network


def test_verdicts_follow_the_figures(ghz, checked) -> None:
    """Fast ion links with few remote gates are feasible; slow links to
    superconducting QPUs are not, because stored ebits outlive T2."""
    qc = ghz(16)
    fast = Network.line(2, data_qubits=8, technology="trapped_ion", rate_hz=1e6,
                        latency_s=1e-6, fidelity=0.999)
    good = checked(estimate(qc, fast), qc)
    assert good.verdict.status == "feasible", good.summary()
    assert all(r.status == "ok" for r in good.verdict.reasons)
    slow = Network.line(2, data_qubits=8, technology="superconducting", rate_hz=10,
                        latency_s=1.125e-3)   # a 25 km optical link (the default before #13)
    bad = checked(estimate(qc, slow), qc)
    assert bad.verdict.status == "infeasible"
    problems = {(r.check, r.status) for r in bad.verdict.problems()}
    assert ("memory", "infeasible") in problems and ("ebit_rate", "marginal") in problems
    memory = next(r for r in bad.verdict.reasons
                  if r.check == "memory" and r.status == "infeasible")
    assert memory.figures["t2_s"] == 89e-6 and memory.figures["ratio"] > 1
    assert "T2 = 8.9e-05 s" in memory.message
    rate = next(r for r in bad.verdict.reasons if r.check == "ebit_rate")
    assert rate.figures["capacity_hz"] == 10 and rate.figures["ratio"] > 1


def test_buffering_verdict_counts_comm_qubits(checked) -> None:
    """Four telegates at once over a fast link with a long latency: one comm qubit per
    QPU cannot hold the ebits the program could use (rate drawn x hold time > 1)."""
    qc = QuantumCircuit(8)
    for _ in range(3):  # keep q0-q3 and q4-q7 together
        for i in range(3):
            qc.cx(i, i + 1)
            qc.cx(i + 4, i + 5)
    for i in range(4):
        qc.h(i)
        qc.cx(i, i + 4)
    net = Network.line(2, data_qubits=4, comm_qubits=1, rate_hz=1e5, latency_s=0.01,
                       technology="trapped_ion")
    e = checked(estimate(qc, net), qc)
    assert e.report.ebits == 4
    buffering = next(r for r in e.verdict.reasons if r.check == "buffering")
    assert buffering.status == "marginal"
    assert buffering.figures["needed"] > buffering.figures["comm_qubits"] == 1


# ------------------------------------------------------- verdict vs fidelity
def _memory(e: Estimate) -> dict[str, dict]:
    return {r.subject: dict(r.figures) for r in e.verdict.reasons if r.check == "memory"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_memory_and_buffering_verdicts_use_the_fidelity_hold_times(seed: int, checked) -> None:
    """The memory check's per-QPU figures add up to the fidelity's memory exposure
    (Σ halves x mean forced hold / T2 = memory_t2), buffering uses the same forced
    holds, and the whole verdict is the same for lazy and eager Bell-pair timing."""
    import numpy as np
    from qiskit.circuit.random import random_circuit

    rng = np.random.default_rng(seed)
    qc = random_circuit(8, 6, max_operands=2, seed=int(rng.integers(1 << 30)))
    net = Network.ring(4, data_qubits=2, technology="nv", rate_hz=20, latency_s=2e-3)
    lazy = checked(estimate(qc, net, seed=seed), qc)
    eager = estimate(qc, net, seed=seed, epr_timing="eager")
    assert lazy.report.ebits > 0
    memory = _memory(lazy)
    assert memory, lazy.summary()
    exposure = sum(m["halves"] * m["ratio"] for m in memory.values())
    assert exposure == pytest.approx(lazy.schedule.fidelity.memory_t2, rel=1e-9)
    assert sum(m["halves"] for m in memory.values()) == 2 * lazy.report.ebits
    for r in lazy.verdict.reasons:
        if r.check == "buffering":
            assert r.figures["hold_s"] == lazy.schedule.link_hold_s[r.subject]
    assert eager.verdict == lazy.verdict
    # the placed schedules store pairs differently, the verdict does not depend on it
    assert eager.schedule.ebit_storage_s != lazy.schedule.ebit_storage_s


def test_memory_verdict_never_improves_with_a_longer_latency(ghz) -> None:
    """A half of a telegate's ebit is stored while the measurement of the other end
    crosses the link: its forced hold grows with the latency, and so does the memory
    check (never better with a longer latency), up to infeasible."""
    net = Network.line(3, data_qubits=2, technology="trapped_ion")
    sweep = estimate_sweep(ghz(6), net, "link.latency_s", [1e-6, 1e-3, 0.1, 2.0])
    assert all(isinstance(e, Estimate) for e in sweep)
    memory = [_memory(e) for e in sweep]
    for qpu in ("qpu0", "qpu1", "qpu2"):
        ratios = [m[qpu]["ratio"] for m in memory if qpu in m]
        assert ratios == sorted(ratios), (qpu, ratios)
    order = {"ok": 0, "marginal": 1, "infeasible": 2}
    worst = [max(order[r.status] for r in e.verdict.reasons if r.check == "memory")
             for e in sweep]
    assert worst == sorted(worst) and worst[0] == 0 and worst[-1] == 2



def test_judge_is_its_checks_in_order(ghz) -> None:
    """judge composes one function per check: ebit rate per link, remote fraction,
    buffering per link, memory per QPU, fidelity; checks with nothing to judge drop out."""
    net = Network.line(3, data_qubits=4, technology="trapped_ion", rate_hz=50)
    e = estimate(ghz(12), net)
    s, remote = e.schedule, e.report.remote_gates
    two_qubit = int(next(r for r in e.verdict.reasons
                         if r.check == "remote_fraction").figures["two_qubit_gates"])
    ebits = ebits_per_link(s, net)
    assert ebits == dict(e.report.ebits_per_link)
    halves = halves_per_qpu(net, ebits)
    expected = [check_ebit_rate(s, link, ebits[link.key]) for link in net.links]
    expected.append(check_remote_fraction(s, net, remote, two_qubit))
    expected += [check_buffering(s, net, link, ebits[link.key]) for link in net.links]
    expected += [check_memory(s, qpu, halves[qpu.name]) for qpu in net.qpus]
    expected.append(check_fidelity(s))
    verdict = judge(s, net, remote_gates=remote, two_qubit_gates=two_qubit)
    assert verdict == e.verdict
    assert verdict.reasons == tuple(r for r in expected if r is not None)
    assert check_ebit_rate(s, net.links[0], 0) is None
    assert check_buffering(s, net, net.links[0], 0) is None
    assert check_remote_fraction(s, net, 0, 10) is None
