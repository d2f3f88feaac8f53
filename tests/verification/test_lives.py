"""Verification of outputs that reuse data qubits (dqc.verification.lives): it proves the
right ones and refuses tampered ones."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from qiskit import QuantumCircuit

import dqc
from dqc.adapter.layout import attach_layout, read_layout, report_from_circuit
from dqc.errors import VerificationError

CIRCUITS = Path(__file__).resolve().parents[2] / "benchmarks" / "circuits"


@pytest.fixture(scope="module")
def qugan():
    """qugan_n39 on two QPUs of 20 data qubits, reused: 2 births, 19 deaths."""
    qc = QuantumCircuit.from_qasm_file(str(CIRCUITS / "qugan_n39.qasm"))
    net = dqc.Network.all_to_all(2, data_qubits=math.ceil(qc.num_qubits / 2), comm_qubits=2)
    result = dqc.compile(qc, net, reuse=True)
    assert result.report.births and result.report.deaths
    return qc, net, result


def test_the_reused_output_verifies(qugan):
    qc, _, result = qugan
    outcome = dqc.verify(qc, result.circuit, result.report)
    assert outcome.ok, str(outcome)
    assert "data qubits reused (2 births, 19 deaths)" in outcome.detail


def test_without_its_lives_the_report_does_not_verify(qugan):
    qc, _, result = qugan
    rep = replace(result.report, births=(), deaths=())
    assert not dqc.verify(qc, result.circuit, rep).ok


def test_a_birth_at_the_wrong_reset_does_not_verify(qugan):
    qc, _, result = qugan
    (q, p, j), *rest = result.report.births
    for wrong in (j + 1, j - 1):
        rep = replace(result.report, births=((q, p, wrong), *rest))
        assert not dqc.verify(qc, result.circuit, rep).ok


def test_a_birth_without_its_reset_does_not_verify(qugan):
    qc, _, result = qugan
    (_, p, j), *_ = result.report.births
    out = result.circuit.copy_empty_like()
    seen = 0
    for inst in result.circuit.data:
        if inst.operation.name == "reset" and result.circuit.find_bit(inst.qubits[0]).index == p:
            seen += 1
            if seen == j:
                continue  # the previous life's state leaks into the born qubit
        out.append(inst)
    assert not dqc.verify(qc, out, result.report).ok


def test_a_death_must_end_in_a_measurement(qugan):
    qc, _, result = qugan
    dead = {q for q, _, _ in result.report.deaths}
    alive = next(q for q in range(qc.num_qubits) if q not in dead)  # (never measured)
    p = result.report.final_layout[alive]
    rep = replace(result.report, deaths=(*result.report.deaths, (alive, p, 0)))
    outcome = dqc.verify(qc, result.circuit, rep)
    assert not outcome.ok


def test_layout_metadata_carries_the_lives(qugan):
    qc, net, result = qugan
    with pytest.raises(VerificationError, match="reuses data qubits"):
        attach_layout(result.circuit, result.report, qc)
    out = attach_layout(result.circuit, result.report, qc, transpile_layout=False)
    layout = read_layout(out)
    assert (layout.births, layout.deaths) == (result.report.births, result.report.deaths)
    assert dqc.verify(qc, out, report_from_circuit(out, net)).ok
