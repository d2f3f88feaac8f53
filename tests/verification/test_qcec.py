"""Exact verification with MQT QCEC (``qcec-dd``): proofs at scale and mutations caught."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import QFTGate

import dqc
from dqc.verification import qcec_check
from tests.helpers import without
from tests.verification.mutations import MUTATIONS, measured_and_reset

pytest.importorskip("mqt.qcec")


def qft(n: int) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    qc.append(QFTGate(n), range(n))
    return qc


@pytest.fixture(scope="module")
def qft26():
    """QFT-26 on 3 QPUs: above the simulator's 20 qubits, angles down to π/2^25."""
    qc = qft(26)
    return qc, dqc.compile(qc, dqc.Network.all_to_all(3, data_qubits=9))


@pytest.fixture(scope="module")
def qft10():
    """QFT-10 on 3 QPUs, checked with ``method="qcec"``: the mutations below are refuted
    in about a second here (on the QFT-26 each took QCEC 20-80 s: an early difference
    spreads through every later gate)."""
    qc = qft(10)
    return qc, dqc.compile(qc, dqc.Network.all_to_all(3, data_qubits=4))


def test_proves_qft26_on_3_qpus(qft26):
    qc, result = qft26
    outcome = dqc.verify(qc, result.circuit, result.report, method="qcec")
    assert outcome.ok and outcome.method == "qcec-dd", outcome
    assert "equivalent" in outcome.detail and "Clifford skeleton" in outcome.detail


def test_forced_method_below_the_simulator_limit():
    qc = qft(6)
    qc.t(2)
    result = dqc.compile(qc, dqc.Network.line(2, data_qubits=3))
    assert dqc.verify(qc, result.circuit, result.report).method == "pauli-rotations"
    forced = dqc.verify(qc, result.circuit, result.report, method="qcec")
    assert forced.ok and forced.method == "qcec-dd"


def test_mid_circuit_measurement_and_reset_use_the_construction_checker():
    qc = measured_and_reset()
    result = dqc.compile(qc, dqc.Network.line(2, data_qubits=2))
    outcome = dqc.verify(qc, result.circuit, result.report, method="qcec")
    assert outcome.ok and outcome.method == "qcec-dd", outcome
    assert "construction checker" in outcome.detail


@pytest.mark.parametrize("mutation", [m for m in MUTATIONS if m != "correction swapped"])
def test_catches_mutation(qft10, mutation):
    qc, result = qft10
    for wrong in MUTATIONS[mutation](result):
        _refuted_by_qcec(qc, wrong, result.report)
        outcome = dqc.verify(qc, wrong, result.report, method="qcec")
        assert not outcome.ok and outcome.method == "equivalence", outcome


def test_catches_rotation_swapped_with_a_correction():
    """A QFT-8 on 2 QPUs (in the QFT-26 every phase after such a correction is below 0.01;
    with ``cp(θ)`` for ``θ ~ 1e-4`` the difference, about θ/2 on ancilla amplitudes, stays
    under QCEC's identity threshold: see qcec_check's docstring)."""
    qc = qft(8)
    result = dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=4))
    for wrong in MUTATIONS["correction swapped"](result):
        _refuted_by_qcec(qc, wrong, result.report)
        assert not dqc.verify(qc, wrong, result.report, method="qcec").ok


def _refuted_by_qcec(qc: QuantumCircuit, circuit: QuantumCircuit, report) -> None:
    """QCEC itself (not only the Clifford skeleton) finds ``circuit`` not equivalent."""
    from dqc.passes import UnrollForDistribution

    with pytest.raises(dqc.VerificationError, match="not equivalent"):
        qcec_check.check_by_qcec(UnrollForDistribution()(qc), circuit, report, timeout=120)


def test_deleted_correction_is_caught(qft26):
    qc, result = qft26
    i = next(i for i, inst in enumerate(result.circuit.data) if inst.operation.name == "if_else")
    assert not dqc.verify(qc, without(result.circuit, i), result.report).ok


def test_no_information_is_not_a_proof(monkeypatch, qft26):
    qc, result = qft26
    monkeypatch.setattr(qcec_check, "_run_qcec", lambda *args: "no_information")
    outcome = dqc.verify(qc, result.circuit, result.report, method="qcec")
    assert outcome.ok and outcome.method == "clifford-skeleton"
    assert "QCEC gave no proof" in outcome.detail and "no_information" in outcome.detail


@pytest.mark.parametrize("answer", ["probably_equivalent", "equivalent_up_to_phase",
                                    "probably_not_equivalent"])
def test_only_equivalent_answers_prove(monkeypatch, qft26, answer):
    qc, result = qft26
    monkeypatch.setattr(qcec_check, "_run_qcec", lambda *args: answer)
    outcome = dqc.verify(qc, result.circuit, result.report, method="qcec")
    assert outcome.method == "clifford-skeleton" and answer in outcome.detail


def test_timeout_falls_back():
    qc = qft(24)
    result = dqc.compile(qc, dqc.Network.line(4, data_qubits=6))
    outcome = dqc.verify(qc, result.circuit, result.report, method="qcec", qcec_timeout=1e-6)
    assert outcome.ok and outcome.method == "clifford-skeleton", outcome
    assert "QCEC gave no proof" in outcome.detail


def test_missing_qcec_names_the_extra(monkeypatch):
    """Named when the Pauli-rotation check gives no proof and QCEC is not installed."""
    from dqc.verification import pauli_check
    from dqc.verification.unitary_pair import NotProved

    def no_proof(pair):
        raise NotProved("stand-in")

    monkeypatch.setattr(qcec_check, "qcec_available", lambda: False)
    monkeypatch.setattr(pauli_check, "prove_pair", no_proof)
    qc = qft(3)
    result = dqc.compile(qc, dqc.Network.line(2, data_qubits=2))
    with pytest.raises(qcec_check.QcecMissing, match=r'pip install "dqc-compiler\[verify\]"'):
        dqc.verify(qc, result.circuit, result.report, method="qcec")
    big = qft(22)
    result = dqc.compile(big, dqc.Network.line(2, data_qubits=11))
    outcome = dqc.verify(big, result.circuit, result.report)
    assert outcome.method == "clifford-skeleton" and "dqc-compiler[verify]" in outcome.detail


def test_unknown_method_rejected():
    qc = qft(2)
    result = dqc.compile(qc, dqc.Network.line(2, data_qubits=1))
    with pytest.raises(ValueError, match="method"):
        dqc.verify(qc, result.circuit, result.report, method="zx")


def test_zx_checker_would_accept_dephasing_garbage():
    """Why ``qcec-dd`` does not use QCEC's ZX checker: it post-selects ancillas on |0> and
    drops scalars, so a circuit that dephases its data qubit through an ancilla (a
    different channel) comes out "equivalent"; the decision diagrams say it is not."""
    from mqt.core import load
    from mqt.qcec import verify

    original = QuantumCircuit(2)
    original.rz(0.3, 0)
    original.h(0)
    compiled = original.copy()
    compiled.h(1)
    compiled.cz(1, 0)  # the ancilla now holds which-path information: dephasing
    circuits = [load(original), load(compiled)]
    for qc in circuits:
        qc.set_circuit_qubit_ancillary(1)
        qc.set_circuit_qubit_garbage(1)
    zx = verify(*circuits, run_zx_checker=True, run_alternating_checker=False,
                run_construction_checker=False, run_simulation_checker=False)
    assert zx.equivalence.name == "equivalent"
    dd = verify(*circuits, run_zx_checker=False, run_alternating_checker=True,
                run_construction_checker=False, run_simulation_checker=False)
    assert dd.equivalence.name == "not_equivalent"


def test_cli_verify_method_qcec(tmp_path, capsys):
    from qiskit import qasm3

    from dqc.cli import main

    qc = qft(8)
    src = tmp_path / "qft8.qasm"
    src.write_text(qasm3.dumps(qc.decompose()), encoding="utf-8")
    out, report = tmp_path / "out.qasm", tmp_path / "report.json"
    assert main(["compile", str(src), "--qpus", "2", "--topology", "line", "-o", str(out),
                 "--report", str(report), "-q"]) == 0
    capsys.readouterr()
    assert main(["verify", str(src), str(out), "--report", str(report),
                 "--method", "qcec"]) == 0
    assert "verified (qcec-dd)" in capsys.readouterr().out
