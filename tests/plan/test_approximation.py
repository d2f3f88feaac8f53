"""Near-identity rotations dropped on request, with the error bounded (dqc.plan.approximation)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from qiskit import QuantumCircuit, qasm2
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.quantum_info import Operator

import dqc
from dqc.plan.approximation import distance_from_identity, drop_near_identity
from tests.helpers import ROOT, qft, run_cli


def _dropped(qc: QuantumCircuit, tolerance: float):
    dag, approx = drop_near_identity(circuit_to_dag(qc), tolerance)
    return dag_to_circuit(dag), approx


def test_only_rotations_within_the_tolerance_go_and_the_bound_is_their_sum():
    qc = QuantumCircuit(2)
    qc.cp(1e-9, 0, 1)
    qc.rz(2 * math.pi - 2e-9, 1)  # -I up to 2e-9: near the identity up to a global phase
    qc.crz(2 * math.pi, 0, 1)  # diag(1, 1, -1, -1): Z on the control, not the identity
    qc.cp(0.5, 0, 1)
    out, approx = _dropped(qc, 1e-8)
    assert dict(out.count_ops()) == {"crz": 1, "cp": 1}
    assert approx.dropped == {"cp": 1, "rz": 1}
    assert approx.error_bound == pytest.approx(2 * math.sin(1e-9 / 4) + 2 * math.sin(2e-9 / 4))


def test_a_decomposed_tiny_controlled_phase_vanishes_entirely():
    """``u1(θ/2) c; cx c,t; u1(-θ/2) t; cx c,t; u1(θ/2) t`` is cp(θ) as QASMBench writes
    it: its three phases go, and the two cx, now adjacent, cancel."""
    theta = 1e-9
    qc = QuantumCircuit(2)
    qc.p(theta / 2, 0)
    qc.cx(0, 1)
    qc.p(-theta / 2, 1)
    qc.cx(0, 1)
    qc.p(theta / 2, 1)
    out, approx = _dropped(qc, 1e-8)
    assert len(out.data) == 0 and approx.count == 3


def test_the_bound_holds_for_the_operator():
    qc = qft(7)  # controlled phases pi/2^k: those with k >= 4 are within 0.2 rad
    out, approx = _dropped(qc, 0.2)
    assert approx.count > 0
    # each dropped cp(θ) is closest to the identity times e^{iθ/2}: so is the product
    phase = sum(float(i.operation.params[0]) / 2 for i in qc.data
                if i.name == "cp" and abs(float(i.operation.params[0])) <= 0.2)
    u, v = Operator(qc).data, Operator(out).data
    distance = np.linalg.norm(u - np.exp(1j * phase) * v, ord=2)
    assert 0 < distance <= approx.error_bound + 1e-9


def test_distance_of_a_gate_outside_the_family_is_none():
    assert distance_from_identity("h", 0.0) is None


def test_negative_tolerance_is_refused():
    with pytest.raises(dqc.CircuitInputError, match="tolerance"):
        _dropped(QuantumCircuit(1), -1.0)


def test_an_approximated_compile_is_reported_and_verified_against_what_it_dropped(verified):
    qc = qft(9)
    network = dqc.Network.line(3, data_qubits=3, comm_qubits=2)
    exact = verified(qc, network)
    approx = dqc.compile(qc, network, approximation=0.1)
    outcome = dqc.verify(qc, approx.circuit, approx.report)
    assert outcome.ok and "near-identity gates" in outcome.detail, outcome
    section = approx.report.approximation
    assert section["dropped_total"] > 0 and section["error_bound"] > 0
    assert approx.report.ebits < exact.report.ebits
    assert exact.report.approximation is None and "approximation" not in exact.report.to_dict()
    tampered = dqc.Report.from_dict({**approx.report.to_dict(),
                                     "approximation": {**section, "dropped": {"cp": 1}}})
    assert not dqc.verify(qc, approx.circuit, tampered).ok


def test_cli_option_prints_what_was_dropped_also_in_sweeps(tmp_path, capsys):
    src = tmp_path / "qft.qasm"
    src.write_text(qasm2.dumps(qft(6)))
    code, out, _ = run_cli(capsys, "compile", src, "--qpus", "2", "--approximation", "0.2",
                           "--verify")
    assert code == 0 and "approximation: dropped" in out and "verified (" in out
    code, out, err = run_cli(capsys, "estimate", src, "--qpus", "2", "--approximation", "0.2",
                             "--json")
    assert code == 0, err
    single = json.loads(out)["approximation"]
    assert single["dropped"]  # (the gates within 0.2 rad of the identity)
    code, out, err = run_cli(capsys, "estimate", src, "--qpus", "2", "--approximation", "0.2",
                             "--sweep", "link.rate_hz=10,100", "--json")
    assert code == 0, err
    assert [e["approximation"] for e in json.loads(out)] == [single, single]
    for e in dqc.estimate_sweep(qft(6), dqc.Network.all_to_all(2, data_qubits=3),
                                "link.rate_hz", [10, 100], approximation=0.2):
        assert dqc.verify(qft(6), e.circuit, e.report).ok  # (against what it dropped)


@pytest.mark.parametrize("qpus, peer", [(2, 27), (4, 74)])
def test_qft_n63_with_pytket_dqcs_tolerance_needs_no_more_ebits_than_it(qpus, peer):
    """pytket-dqc drops controlled phases of angle <= pi/2^26 (703 on qft_n63; here
    their halves, the u1 gates QASMBench writes, are <= pi/2^27) and reports 27 / 74."""
    qc = qasm2.load(str(ROOT / "benchmarks" / "circuits" / "qft_n63.qasm"),
                    custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    network = dqc.Network.all_to_all(qpus, data_qubits=math.ceil(63 / qpus), comm_qubits=2)
    result = dqc.compile(qc, network, approximation=math.pi / 2**27)
    assert result.report.approximation["dropped"] == {"p": 3 * 703}
    outcome = dqc.verify(qc, result.circuit, result.report)
    assert outcome.ok, outcome
    assert result.report.ebits <= peer
