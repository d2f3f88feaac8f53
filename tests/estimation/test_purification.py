"""Entanglement purification and storage cutoffs: formulas, schedule, verdict, sweep."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from qiskit import QuantumCircuit

import dqc
from dqc.errors import NetworkError
from dqc.estimation.monte_carlo import draw_delivered
from dqc.estimation.requirements import find_requirements
from dqc.estimation.sweep import parse_sweep, sweep_network
from dqc.estimation.verdict import assess
from dqc.network import Network
from dqc.network.physics import technology
from dqc.network.purification import bbpssw, dejmps, dephase, noisy_round, purify, werner

# --------------------------------------------------------------- the protocol, simulated
_S = math.sqrt(0.5)
_BELL = [np.array(v) * _S for v in ([1, 0, 0, 1], [0, 1, -1, 0], [0, 1, 1, 0], [1, 0, 0, -1])]


def _rx(theta: float) -> np.ndarray:
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return np.array([[c, -1j * s], [-1j * s, c]])


_PAULIS = [np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]),
           np.diag([1.0, -1.0])]


def _on(ops: dict[int, np.ndarray]) -> np.ndarray:
    """The 16 × 16 operator acting with ``ops[k]`` on qubit k (order a1 b1 a2 b2)."""
    out = np.eye(1)
    for k in range(4):
        out = np.kron(out, ops.get(k, np.eye(2)))
    return out


def _pauli_channel(rho: np.ndarray, qubits: tuple[int, ...], error: float) -> np.ndarray:
    """Each non-identity Pauli on ``qubits`` with probability error / (4^len − 1)."""
    if not error:
        return rho
    terms = list(np.ndindex(*(4,) * len(qubits)))[1:]
    out = (1 - error) * rho
    for term in terms:
        u = _on({q: _PAULIS[t] for q, t in zip(qubits, term)})
        out = out + error / len(terms) * (u @ rho @ u.conj().T)
    return out


def _simulate(s1, s2, *, rotate: bool, errors=((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))):
    """One round on density matrices: qubits a1 b1 (source) a2 b2 (target); Alice holds
    a1 a2, Bob b1 b2. ``errors``: per end (Alice, Bob), a uniform Pauli error after each
    rotation and after the CNOT, and a flipped measurement outcome, with these
    probabilities. Returns the kept pair's Bell weights (Φ+, Ψ−, Ψ+, Φ−) and the success
    probability."""
    def state(c):
        return sum(w * np.outer(b, b) for w, b in zip(c, _BELL))
    rho = np.kron(state(s1), state(s2)).astype(complex)
    if rotate:  # DEJMPS: Alice Rx(π/2), Bob Rx(−π/2) on both of their halves
        u = np.kron(np.kron(_rx(math.pi / 2), _rx(-math.pi / 2)),
                    np.kron(_rx(math.pi / 2), _rx(-math.pi / 2)))
        rho = u @ rho @ u.conj().T
        for end, (e1, _, _) in enumerate(errors):
            for qubit in (end, end + 2):
                rho = _pauli_channel(rho, (qubit,), e1)

    def bits(x):
        return [(x >> (3 - k)) & 1 for k in range(4)]

    def index(b):
        return sum(v << (3 - k) for k, v in enumerate(b))
    cnots = np.zeros((16, 16))
    for x in range(16):
        b = bits(x)
        b[2] ^= b[0]
        b[3] ^= b[1]
        cnots[index(b), x] = 1
    rho = cnots @ rho @ cnots.T
    for end, (_, e2, _) in enumerate(errors):
        rho = _pauli_channel(rho, (end, end + 2), e2)
    kept = np.zeros((4, 4), complex)
    flips = [errors[0][2], errors[1][2]]
    for ma, mb in ((0, 0), (0, 1), (1, 0), (1, 1)):
        # kept when the reported outcomes agree: each is flipped with its end's probability
        weight = sum((flips[0] if fa else 1 - flips[0]) * (flips[1] if fb else 1 - flips[1])
                     for fa in (0, 1) for fb in (0, 1) if ma ^ fa == mb ^ fb)
        proj = np.diag([1.0 if bits(x)[2] == ma and bits(x)[3] == mb else 0.0
                        for x in range(16)])
        kept += weight * np.einsum("ijkj->ik", (proj @ rho @ proj).reshape(4, 4, 4, 4))
    p = kept.trace().real
    kept /= p
    return [float((b @ kept @ b).real) for b in _BELL], p


def test_one_bbpssw_round_raises_a_werner_pair_per_the_formula():
    f = 0.9
    e = (1 - f) / 3
    p = f * f + 2 * f * (1 - f) / 3 + 5 * e * e
    out, success = bbpssw(f)
    assert success == pytest.approx(p, abs=1e-15) and p == pytest.approx(0.8755555555555556)
    assert out == pytest.approx((f * f + e * e) / p, abs=1e-15)
    assert out == pytest.approx(0.9263959390862944) and out > f
    simulated, p_sim = _simulate(werner(f), werner(f), rotate=False)
    assert simulated[0] == pytest.approx(out) and p_sim == pytest.approx(p)


def test_bbpssw_does_not_help_at_or_below_one_half_and_purify_refuses():
    assert bbpssw(0.5)[0] == pytest.approx(0.5)
    assert bbpssw(0.4)[0] < 0.4
    with pytest.raises(ValueError, match="only above 1/2"):
        purify(0.5, "bbpssw", 1, pair_s=1.0, round_trip_s=0.0)
    with pytest.raises(NetworkError, match=r"fidelity=0.5; it must be in \(0.5, 1\]"):
        dqc.Link("a", "b", fidelity=0.5, purification="bbpssw", purification_rounds=1)


@pytest.mark.parametrize("s1, s2", [
    (werner(0.8), werner(0.8)),
    ((0.7, 0.1, 0.15, 0.05), (0.8, 0.05, 0.1, 0.05)),
    ((0.6, 0.3, 0.05, 0.05), (0.9, 0.0, 0.02, 0.08)),
])
def test_dejmps_formula_is_the_simulated_protocol(s1, s2):
    state, p = dejmps(s1, s2)
    simulated, p_sim = _simulate(s1, s2, rotate=True)
    assert p == pytest.approx(p_sim) and list(state) == pytest.approx(simulated)


@pytest.mark.parametrize("scheme", ["bbpssw", "dejmps"])
@pytest.mark.parametrize("errors", [
    ((0.0, 0.0, 0.02), (0.0, 0.0, 0.0)),               # one end misreads
    ((0.0, 0.03, 0.0), (0.0, 0.01, 0.0)),              # noisy CNOTs
    ((0.01, 0.02, 0.03), (0.005, 0.04, 0.01)),          # everything errs
])
def test_a_round_with_erring_local_operations_is_the_simulated_protocol(scheme, errors):
    """The label calculation of noisy_round against density matrices with the same
    Pauli errors (after the rotations and the CNOT) and flipped outcomes."""
    s1, s2 = (0.7, 0.1, 0.15, 0.05), (0.8, 0.05, 0.1, 0.05)
    if scheme == "bbpssw":
        s1, s2 = werner(0.85), werner(0.9)
    state, p = noisy_round(scheme, s1, s2, errors)
    simulated, p_sim = _simulate(s1, s2, rotate=scheme == "dejmps", errors=errors)
    assert p == pytest.approx(p_sim, abs=1e-12)
    assert list(state) == pytest.approx(simulated, abs=1e-12)
    assert state[0] < noisy_round(scheme, s1, s2)[0][0]        # errors cost fidelity


def test_measurement_error_by_hand():
    """BBPSSW, one end misreads with probability m: kept when the true outcomes agree and
    the report is right, or disagree and it is wrong; the kept pair is Φ+ from (Φ+, Φ+),
    (Φ−, Φ−) in the first case and (Φ+, Ψ+), (Φ−, Ψ−) in the second."""
    f, m = 0.9, 0.02
    e = (1 - f) / 3
    agree = (f + e) ** 2 + 4 * e * e
    p = (1 - m) * agree + m * (1 - agree)
    state, success = noisy_round("bbpssw", werner(f), werner(f), ((0, 0, m), (0, 0, 0)))
    assert success == pytest.approx(p, abs=1e-15)
    assert state[0] == pytest.approx(((1 - m) * (f * f + e * e) + m * (f * e + e * e)) / p,
                                     abs=1e-15)


def test_dejmps_on_werner_input_leaves_a_bell_diagonal_state_and_beats_bbpssw():
    one = purify(0.8, "dejmps", 1, pair_s=1.0, round_trip_s=0.0)
    assert one.fidelity == pytest.approx(bbpssw(0.8)[0])       # first round: the same
    a, b, c, d = one.state
    assert b == pytest.approx(c) and d > 3 * b                 # not a Werner state
    two = purify(0.8, "dejmps", 2, pair_s=1.0, round_trip_s=0.0)
    twirled = purify(0.8, "bbpssw", 2, pair_s=1.0, round_trip_s=0.0)
    assert two.fidelity > twirled.fidelity > one.fidelity
    assert two.fidelity == pytest.approx(dejmps(one.state, one.state)[0][0])


def test_dephasing_swaps_phi_plus_and_phi_minus():
    assert dephase((1.0, 0.0, 0.0, 0.0), 0.5, 0.0) == (0.5, 0.0, 0.0, 0.5)
    assert dephase(werner(0.9), 0.0, 0.0) == werner(0.9)


# ----------------------------------------------------------- the link in a schedule
_FOREVER = technology("trapped_ion").evolve(t2_s=1e12)  # no dephasing worth counting
_PERFECT = _FOREVER.evolve(error_1q=0.0, error_2q=0.0, error_measure=0.0)


def _net(comm: int = 2, technology=_FOREVER, **link) -> Network:
    base = Network.line(2, data_qubits=1, comm_qubits=comm, rate_hz=100.0, latency_s=0.0,
                        fidelity=0.9, technology=technology)
    return Network(base.qpus, tuple(lk.evolve(**link) for lk in base.links))


def _remote_cx() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    return qc


def _estimate(net: Network, **options):
    e = dqc.estimate(_remote_cx(), net, **options)
    assert dqc.verify(_remote_cx(), e.circuit, e.report).ok
    return e


def test_one_round_lowers_the_rate_by_the_success_probability_and_two_pairs():
    """Error-free local operations (the formula's assumption); with the technology's
    errors the round keeps less (the next test)."""
    raw = _net(technology=_PERFECT)
    net = _net(technology=_PERFECT, purification="bbpssw", purification_rounds=1)
    f, p = bbpssw(0.9)
    delivered = net.delivered(net.links[0])
    local = _FOREVER.gate_1q_s + _FOREVER.gate_2q_s + _FOREVER.measure_s
    assert delivered.raw_pairs == pytest.approx(2 / p)
    assert delivered.time_s == pytest.approx((2 / 100.0 + local) / p)
    assert delivered.rate_hz == pytest.approx(p / (2 / 100.0 + local))
    assert delivered.fidelity == pytest.approx(f, abs=1e-9)
    before, after = _estimate(raw), _estimate(net)
    assert after.schedule.fidelity.link == pytest.approx(f, abs=1e-9)
    assert before.schedule.fidelity.link == pytest.approx(0.9)
    assert after.schedule.link_bounds_s["qpu0-qpu1"] == pytest.approx(delivered.time_s)
    rate = next(r for r in after.verdict.reasons if r.check == "ebit_rate")
    assert rate.figures["capacity_hz"] == pytest.approx(delivered.rate_hz)
    check = next(r for r in after.verdict.reasons if r.check == "purification")
    assert check.status == "ok" and "0.9 -> 0.926" in check.message
    # the purification holds a second comm qubit at each end while the pair is made
    assert after.schedule.peak_comm_qubits == {"qpu0": 2, "qpu1": 2}
    assert before.schedule.peak_comm_qubits == {"qpu0": 1, "qpu1": 1}


def test_the_technology_errors_of_a_round_lower_the_delivered_pair():
    """Trapped-ion gate and readout errors in the round: the delivered pair is
    noisy_round's, below the error-free formula, and the schedule's link factor uses it."""
    net = _net(purification="bbpssw", purification_rounds=1)
    tech = _FOREVER
    errors = [(tech.error_1q, tech.error_2q, tech.error_measure)] * 2
    state, p = noisy_round("bbpssw", werner(0.9), werner(0.9), errors)
    delivered = net.delivered(net.links[0])
    assert delivered.fidelity == pytest.approx(state[0], abs=1e-12)
    assert delivered.fidelity < bbpssw(0.9)[0]
    assert delivered.success == pytest.approx((p,), abs=1e-12)
    assert _estimate(net).schedule.fidelity.link == pytest.approx(state[0], abs=1e-9)


def test_round_trip_is_waited_per_round():
    net = _net(purification="dejmps", purification_rounds=2)
    slow = Network(net.qpus, (net.links[0].evolve(latency_s=1e-3),))
    fast_d, slow_d = net.delivered(net.links[0]), slow.delivered(slow.links[0])
    assert slow_d.waits_s[0] - fast_d.waits_s[0] == pytest.approx(2e-3)
    assert slow_d.time_s > fast_d.time_s


def test_too_few_comm_qubits_for_the_rounds_is_infeasible():
    e = _estimate(_net(comm=1, purification="dejmps", purification_rounds=1))
    check = next(r for r in e.verdict.reasons if r.check == "purification")
    assert e.verdict.status == "infeasible" and check.status == "infeasible"
    assert "0 free" in check.message and check.figures["short"] == 2


def test_purification_that_loses_to_dephasing_says_so():
    leaky = technology("trapped_ion").evolve(t2_s=0.02)
    e = _estimate(_net(technology=leaky, purification="bbpssw", purification_rounds=1))
    check = next(r for r in e.verdict.reasons if r.check == "purification")
    assert check.status == "marginal" and "does not raise the fidelity" in check.message


def test_cutoff_below_the_round_wait_makes_the_verdict_say_so():
    # the first pair waits 1/rate = 10 ms for its partner; cutoff 5 ms
    e = _estimate(_net(purification="bbpssw", purification_rounds=1, cutoff_s=5e-3))
    check = next(r for r in e.verdict.reasons if r.check == "cutoff")
    assert e.verdict.status == "infeasible" and check.status == "infeasible"
    assert check.figures["round_wait_s"] > check.figures["cutoff_s"] == 5e-3
    assert "longer than the cutoff 0.005 s" in check.message


def test_cutoff_below_the_forced_wait_before_use_makes_the_verdict_say_so():
    net = Network(_net().qpus, (_net().links[0].evolve(latency_s=2e-3, cutoff_s=1e-3),))
    e = _estimate(net)
    check = next(r for r in e.verdict.reasons if r.check == "cutoff")
    assert check.status == "infeasible" and check.figures["wait_s"] > 1e-3
    assert "regenerating cannot help" in check.message
    ok = _estimate(Network(net.qpus, (net.links[0].evolve(cutoff_s=1.0),)))
    assert next(r for r in ok.verdict.reasons if r.check == "cutoff").status == "ok"


def test_report_and_summary_show_the_link_model():
    e = _estimate(_net(purification="dejmps", purification_rounds=2, cutoff_s=1.0))
    section = json.loads(json.dumps(e.to_dict()))["schedule"]["purification"]["qpu0-qpu1"]
    assert section["purification"] == "dejmps" and section["purification_rounds"] == 2
    assert section["cutoff_s"] == 1.0 and section["scratch_comm_qubits"] == 2
    assert section["fidelity"] > 0.9 and section["raw_pairs_per_pair"] > 4
    assert "qpu0-qpu1: DEJMPS x2 delivers" in e.summary()
    assert e.report.schedule["purification"] == e.schedule.to_dict()["purification"]


def test_monte_carlo_draws_round_failures_deterministically():
    net = _net(purification="dejmps", purification_rounds=2)
    link = net.links[0]
    delivered = net.delivered(link)
    times = draw_delivered(link, delivered, np.random.default_rng(0), 40_000)
    assert times.mean() == pytest.approx(delivered.time_s, rel=0.02)
    a = _estimate(net, samples=300, seed=5).schedule.monte_carlo
    b = _estimate(net, samples=300, seed=5).schedule.monte_carlo
    assert a == b and a.mean_s == pytest.approx(
        _estimate(net).schedule.makespan_s, rel=0.2)


def test_monte_carlo_with_a_cutoff_discards_late_first_pairs():
    net = _net(purification="bbpssw", purification_rounds=1, cutoff_s=0.01)
    link = net.links[0]
    delivered = net.delivered(link)
    free = _net(purification="bbpssw", purification_rounds=1)
    times = draw_delivered(link, delivered, np.random.default_rng(0), 20_000)
    unlimited = draw_delivered(free.links[0], free.delivered(free.links[0]),
                               np.random.default_rng(0), 20_000)
    assert np.isfinite(times).all() and times.mean() > 1.2 * unlimited.mean()


# -------------------------------------------------------------- sweep, requirements
def test_sweep_keys_purification_rounds_and_cutoff():
    assert parse_sweep("link.purification_rounds=0,1,2") == ("link.purification_rounds",
                                                             [0, 1, 2])
    net = _net(purification="dejmps")
    rows = dqc.estimate_sweep(_remote_cx(), net, "link.purification_rounds", [0, 1, 2])
    links = [r.schedule.fidelity.link for r in rows]
    assert links[0] == pytest.approx(0.9) and links[0] < links[1] < links[2]
    cut = dqc.estimate_sweep(_remote_cx(), net, "link.cutoff_s", [1e-6, 1.0])
    assert [r.verdict.status for r in cut][0] == "infeasible"
    assert next(r for r in cut[1].verdict.reasons if r.check == "cutoff").status == "ok"
    with pytest.raises(NetworkError, match="purification='none'"):
        sweep_network(_net(), "link.purification_rounds", 1)


def test_requirements_on_a_purifying_network():
    net = _net(purification="bbpssw", purification_rounds=1, cutoff_s=1.0)
    r = dqc.compile(_remote_cx(), net)

    def fixed(n):
        return assess(r.circuit, n, qubit_qpu=r.report.qubit_qpu,
                      comm_qubits=r.report.comm_qubits, remote_gates=1)[1]
    req = find_requirements(net, fixed, keys=("link.rate_hz",))
    rate = req.parameters[0]
    assert "purification" in rate.checks and "cutoff" in rate.checks
    assert rate.feasible.status == "found"
    assert fixed(sweep_network(net, "link.rate_hz", rate.feasible.value)).status in (
        "feasible", "marginal")
