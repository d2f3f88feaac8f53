"""dqc.to_qasm3: Qiskit's OpenQASM 3 text, byte for byte, except that angles are exact.

Every compiled circuit here is verified (``verified`` fixture) before it is written.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qasm3
from qiskit.circuit import Parameter

import dqc
from dqc.adapter.qasm3_out import _rounds_an_angle, angle
from tests.helpers import qft, run_cli, write

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "benchmarks" / "circuits").glob("*.qasm"))[:12]


def _params(circuit: QuantumCircuit) -> list[float]:
    """Every numeric gate parameter, in order, blocks included."""
    out: list[float] = []
    for inst in circuit.data:
        for p in inst.operation.params:
            if isinstance(p, QuantumCircuit):
                out += _params(p)
            elif isinstance(p, (int, float)):
                out.append(float(p))
    return out


def _feedforward() -> QuantumCircuit:
    """Conditions on one bit (true and false), on a register, an else and nesting, and
    gates that stdgates.inc lacks (their definitions come first)."""
    q, c, d = QuantumRegister(3, "q"), ClassicalRegister(1, "c"), ClassicalRegister(2, "d")
    qc = QuantumCircuit(q, c, d)
    qc.h(0)
    qc.rzz(0.25, 0, 1)
    qc.measure(0, c[0])
    qc.measure([1, 2], d)
    with qc.if_test((c[0], False)):
        qc.sxdg(1)
    with qc.if_test((d[1], 1)) as orelse:
        qc.y(0)
    with orelse:
        qc.rzz(math.pi / 3, 1, 2)
    with qc.if_test((d, 2)):
        with qc.if_test((c[0], True)):
            qc.cp(1e-12, 0, 2)
    qc.u(0.1, 0.2, 0.3, 1)
    qc.reset(2)
    qc.barrier()
    return qc


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_compiled_examples_are_written_as_qiskit_writes_them(path, verified):
    qc = dqc.load_circuit(path)
    result = verified(qc, dqc.Network.line(2, data_qubits=-(-qc.num_qubits // 2)))
    ours, theirs = dqc.to_qasm3(result.circuit), qasm3.dumps(result.circuit)
    if not _rounds_an_angle(result.circuit):
        assert ours == theirs
    else:  # same lines but for the angles Qiskit rounds
        assert [re.sub(r"\(.*\)", "()", x) for x in ours.splitlines()] == [
            re.sub(r"\(.*\)", "()", x) for x in theirs.splitlines()]
    assert _params(qasm3.loads(ours)) == _params(result.circuit)


def test_feedforward_and_defined_gates_match_qiskit_but_for_the_tiny_angle():
    qc = _feedforward()
    ours, theirs = dqc.to_qasm3(qc), qasm3.dumps(qc)
    assert "cp(1e-12) q[0], q[2];" in ours and "cp(0) q[0], q[2];" in theirs
    assert ours.replace("cp(1e-12)", "cp(0)") == theirs
    assert _params(qasm3.loads(ours)) == _params(qc)


def test_a_qft_with_angles_below_qiskits_rounding_reads_back_exactly(verified):
    """QFT-34 has controlled phases down to π/2^33 ≈ 3.7e-10, which Qiskit writes as 0."""
    qc = qft(34)
    result = verified(qc, dqc.Network.line(2, data_qubits=17))
    assert _rounds_an_angle(result.circuit)
    assert "(0)" in qasm3.dumps(result.circuit) and "(0)" not in dqc.to_qasm3(result.circuit)
    assert _params(qasm3.loads(dqc.to_qasm3(result.circuit))) == _params(result.circuit)


def test_the_cli_writes_exact_angles(capsys, tmp_path):
    src = write(tmp_path / "tiny.qasm", 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\n'
                "h q[0];\ncp(3e-11) q[0],q[1];\nrz(pi/2+1e-12) q[1];\n")
    out = tmp_path / "out.qasm"
    rc, _, _ = run_cli(capsys, "compile", src, "--qpus", "2", "-o", out, "-q")
    assert rc == 0
    back = _params(qasm3.loads(out.read_text()))
    assert 3e-11 in back and math.pi / 2 + 1e-12 in back


@pytest.mark.parametrize("case", ["custom gate", "symbolic", "loose bits", "keyword register"])
def test_what_it_does_not_cover_goes_to_qiskit(case):
    if case == "custom gate":
        inner = QuantumCircuit(2, name="mine")
        inner.cx(0, 1)
        qc = QuantumCircuit(2)
        qc.append(inner.to_gate(), [0, 1])
        qc.rz(1e-12, 0)
    elif case == "symbolic":
        qc = QuantumCircuit(1)
        qc.rz(Parameter("theta"), 0)
    elif case == "loose bits":
        from qiskit.circuit import Qubit
        qc = QuantumCircuit([Qubit(), Qubit()])
        qc.cx(0, 1)
    else:
        qc = QuantumCircuit(QuantumRegister(1, "gate"))
        qc.x(0)
    exact = _rounds_an_angle(qc)
    assert dqc.to_qasm3(qc) == qasm3.dumps(qc, disable_constants=exact)
    assert exact == (case == "custom gate")


def test_open_controls_and_other_gates_named_like_standard_ones_go_to_qiskit():
    qc = QuantumCircuit(2)
    qc.cx(0, 1, ctrl_state=0)
    fake = QuantumCircuit(1, name="h")
    fake.x(0)
    qc.append(fake.to_gate(), [0])
    assert dqc.to_qasm3(qc) == qasm3.dumps(qc)


def test_angle_text():
    assert [angle(v) for v in (math.pi, -math.pi / 4, 2 * math.pi / 3, 0.5, 0.0)] == [
        "pi", "-pi/4", "2*pi/3", "0.5", "0"]
    assert angle(math.pi / 2 + 5e-10) == repr(math.pi / 2 + 5e-10)   # Qiskit: pi/2
    assert angle(-2e-10) == "-2e-10"                                   # Qiskit: 0
