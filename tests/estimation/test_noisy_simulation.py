"""The fidelity model against a noisy qiskit-aer simulation of the compiled circuit.

Tolerance (stated once, :data:`dqc.adapter.noisy_sim.ABSOLUTE_TOLERANCE`):
|simulated − model| ≤ max(0.03, 3σ), σ the binomial standard error of the shots.

* The model's own figure (``model``, which counts the least wait any schedule forces,
  qubit by qubit) must agree with the simulation within the tolerance on every case:
  GHZ, Bernstein–Vazirani and a QFT, 2–3 QPUs, trapped-ion and superconducting QPUs,
  link fidelities 0.9 and 0.99, each technology's T2 and a tenth of it.
* So must the model evaluated on the waits of the placed schedule (``model_placed``,
  the waits the simulation dephases for); on these circuits the placement that
  dephases least (:mod:`dqc.estimation.waits`) reaches the least waits, so the two
  figures are equal. (Before that placement, the lazy schedule idled qubits longer:
  the model stood up to 0.26 above the simulation, GHZ-6 with T2 = 8.9 us.)
"""

from __future__ import annotations

import json
import math
import sys

import pytest
from qiskit import QuantumCircuit

import dqc
from dqc.adapter.noisy_sim import ABSOLUTE_TOLERANCE, NoisyCheck, simulate_estimate
from dqc.errors import DQCError
from dqc.network.physics import technology
from tests.helpers import ghz, qft, run_cli, write

pytest.importorskip("qiskit_aer")

SHOTS = 2000

#: Link rate and latency per technology: fast enough that T2 is not used up by waiting
#: (ions: 100 Hz photonic link, 1 ms; superconducting: 100 kHz, 1 us microwave link).
LINKS = {"trapped_ion": {"rate_hz": 100.0, "latency_s": 1e-3},
         "superconducting": {"rate_hz": 1e5, "latency_s": 1e-6}}


def bv(n: int, secret: int = 0b1011011) -> QuantumCircuit:
    """Bernstein–Vazirani on ``n`` bits and one ancilla, measured."""
    qc = QuantumCircuit(n + 1, n)
    qc.x(n)
    qc.h(range(n + 1))
    for i in range(n):
        if secret >> i & 1:
            qc.cx(i, n)
    qc.h(range(n))
    qc.measure(range(n), range(n))
    return qc


CIRCUITS = {"ghz6": (ghz(6), 2), "bv5": (bv(5), 3), "qft3": (qft(3), 2)}


def _check(name: str, tech: str, fidelity: float, t2_scale: float) -> NoisyCheck:
    qc, qpus = CIRCUITS[name]
    profile = technology(tech)
    profile = profile.evolve(t2_s=profile.t2_s * t2_scale)
    net = dqc.Network.line(qpus, data_qubits=math.ceil(qc.num_qubits / qpus),
                           technology=profile, fidelity=fidelity, **LINKS[tech])
    return simulate_estimate(qc, dqc.estimate(qc, net, seed=0), shots=SHOTS, seed=1)


CASES = [(name, tech, f, t2) for name in CIRCUITS for tech in LINKS
         for f, t2 in ((0.9, 1.0), (0.99, 0.1))]


@pytest.mark.parametrize(("name", "tech", "fidelity", "t2_scale"), CASES)
def test_model_and_simulation_agree(name: str, tech: str, fidelity: float,
                                    t2_scale: float) -> None:
    check = _check(name, tech, fidelity, t2_scale)
    assert check.model_placed is not None
    assert abs(check.simulated - check.model) <= check.tolerance, check.summary()
    assert abs(check.simulated - check.model_placed) <= check.tolerance, check.summary()
    assert check.model_placed == pytest.approx(check.model, rel=1e-9)


def test_twelve_qubit_ghz_on_three_qpus() -> None:
    """12 data qubits, 3 QPUs (stabilizer simulation): the model's own figure agrees."""
    qc = ghz(12)
    net = dqc.Network.line(3, data_qubits=4, technology="trapped_ion", fidelity=0.95,
                           **LINKS["trapped_ion"])
    check = simulate_estimate(qc, dqc.estimate(qc, net), shots=SHOTS, seed=2)
    assert check.agrees, check.summary()
    assert check.readout == pytest.approx((1 - technology("trapped_ion").error_measure) ** 12)


def test_a_perfect_network_gives_fidelity_one() -> None:
    """No errors anywhere: the wrapped circuit (Bell pairs with references, the compiled
    circuit, the inverse) reads all zeros on every shot, for both figures."""
    perfect = technology("trapped_ion").evolve(error_1q=0.0, error_2q=0.0, error_measure=0.0,
                                               t2_s=1e12)
    qc = qft(3)
    net = dqc.Network.line(3, data_qubits=1, technology=perfect, fidelity=1.0)
    e = dqc.estimate(qc, net)
    for figure in ("process", "state"):
        check = simulate_estimate(qc, e, shots=200, seed=3, figure=figure)
        assert check.simulated == 1.0 and check.model == pytest.approx(1.0)


def test_only_final_measurements_are_supported() -> None:
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    qc.cx(0, 1)
    e = dqc.estimate(qc, dqc.Network.line(2, data_qubits=1))
    with pytest.raises(DQCError, match="only measurements are final"):
        simulate_estimate(qc, e, shots=10)
    with pytest.raises(DQCError, match="shots"):
        simulate_estimate(ghz(2), dqc.estimate(ghz(2), dqc.Network.line(2, data_qubits=1)),
                          shots=0)


def test_missing_aer_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "qiskit_aer", None)  # import raises ImportError
    qc = ghz(2)
    e = dqc.estimate(qc, dqc.Network.line(2, data_qubits=1))
    with pytest.raises(DQCError, match=r'pip install "dqc-compiler\[sim\]"'):
        simulate_estimate(qc, e, shots=10)


def test_cli_prints_and_writes_the_simulation(capsys, tmp_path) -> None:
    src = write(tmp_path / "ghz.qasm", 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[4];\n'
                "creg c[4];\nh q[0];\ncx q[0],q[1];\ncx q[1],q[2];\ncx q[2],q[3];\n"
                "measure q -> c;\n")
    rc, out, _ = run_cli(capsys, "estimate", src, "--qpus", "2", "--technology",
                         "trapped_ion", "--simulate", 500, "-q")
    assert rc == 0 and "simulated fidelity" in out and "(500 shots) vs model" in out
    rc, out, _ = run_cli(capsys, "estimate", src, "--qpus", "2", "--technology",
                         "trapped_ion", "--simulate", 500, "--json")
    section = json.loads(out)["simulation"]
    assert rc == 0 and section["shots"] == 500 and section["figure"] == "process"
    assert abs(section["simulated_fidelity"] - section["model_fidelity"]) <= max(
        ABSOLUTE_TOLERANCE, 3 * section["stderr"]) + 1e-9
    rc, _, err = run_cli(capsys, "estimate", src, "--qpus", "2", "--simulate", 0)
    assert rc != 0 and "--simulate takes a positive number of shots" in err
