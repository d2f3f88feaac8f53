"""The verifier catches wrong circuits: mutate correct outputs and expect a failure."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction
from qiskit.circuit.library import CXGate, XGate, ZGate

import dqc
from tests.helpers import without


def _with_extra(circuit: QuantumCircuit, index: int, inst: CircuitInstruction) -> QuantumCircuit:
    out = circuit.copy_empty_like()
    for i, old in enumerate(circuit.data):
        if i == index:
            out._append(inst)
        out._append(old)
    return out


def layered_clifford(n: int, layers: int, seed: int) -> QuantumCircuit:
    """Layers of random H/S/SX on every qubit, then CX on random disjoint pairs.

    The 1-qubit layer between any two CX makes every protocol operation the
    compiler emits necessary, so deleting any one must break equivalence.
    """
    import random

    rng = random.Random(seed)
    qc = QuantumCircuit(n, n)
    for _ in range(layers):
        for q in range(n):
            getattr(qc, rng.choice(("h", "s", "sx")))(q)
        order = rng.sample(range(n), n)
        for a, b in zip(order[::2], order[1::2]):
            qc.cx(a, b)
    qc.measure(range(n), range(n))
    return qc


@pytest.fixture
def clifford_case():
    qc = layered_clifford(9, 8, seed=5)
    result = dqc.compile(qc, dqc.Network.line(3, data_qubits=3), seed=1)
    assert dqc.verify(qc, result.circuit, result.report).ok
    return qc, result


def test_every_single_deletion_of_protocol_ops_is_caught(clifford_case):
    qc, result = clifford_case
    checked = 0
    for i, inst in enumerate(result.circuit.data):
        if inst.operation.name in ("if_else", "epr", "h", "cx", "measure"):
            outcome = dqc.verify(qc, without(result.circuit, i), result.report)
            assert not outcome.ok, f"deleting op {i} ({inst.operation.name}) went unnoticed"
            checked += 1
    assert checked > 50


def test_correction_pauli_swapped_is_caught(clifford_case):
    qc, result = clifford_case
    circuit = result.circuit
    i = next(i for i, inst in enumerate(circuit.data) if inst.operation.name == "if_else")
    inst = circuit.data[i]
    body = inst.operation.params[0]
    new_body = body.copy_empty_like()
    old = body.data[0]
    new_body.append(ZGate() if old.operation.name == "x" else XGate(), old.qubits)
    changed = inst.operation.replace_blocks([new_body, None][:1])
    bad = circuit.copy_empty_like()
    for j, old_inst in enumerate(circuit.data):
        bad._append(old_inst.replace(operation=changed) if j == i else old_inst)
    assert not dqc.verify(qc, bad, result.report).ok


@pytest.mark.parametrize(("extra", "flipped"), [("z", "X"), ("x", "Z"), ("y", "Z")])
def test_sign_error_caught_by_sign_check(clifford_case, extra, flipped):
    """An extra Pauli on input qubit 0 before everything keeps every unsigned flow but
    flips the sign of its flows it anticommutes with (Z flips the X flow, X the Z flow:
    each of the two runs of the sign check catches one kind)."""
    qc, result = clifford_case
    q = result.circuit.qubits[result.report.initial_layout[0]]
    bad = result.circuit.copy_empty_like()
    getattr(bad, extra)(q)
    for inst in result.circuit.data:
        bad._append(inst)
    outcome = dqc.verify(qc, bad, result.report)
    assert not outcome.ok and f"sign error: input {flipped} on qubit 0" in outcome.detail


def test_wrong_measurement_bit_caught(clifford_case):
    qc, result = clifford_case
    circuit = result.circuit
    i = max(i for i, inst in enumerate(circuit.data)
            if inst.operation.name == "measure" and inst.clbits[0] in circuit.cregs[0])
    inst = circuit.data[i]
    other = next(c for c in circuit.cregs[0] if c != inst.clbits[0])
    bad = circuit.copy_empty_like()
    for j, old in enumerate(circuit.data):
        bad._append(old.replace(clbits=(other,)) if j == i else old)
    assert not dqc.verify(qc, bad, result.report).ok


def test_nonclifford_small_mutations_caught(nonclifford_circuit):
    qc = nonclifford_circuit(6, 50, seed=9)
    result = dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=3))
    good = dqc.verify(qc, result.circuit, result.report)
    assert good.ok and good.method == "pauli-rotations"
    ifs = [i for i, inst in enumerate(result.circuit.data) if inst.operation.name == "if_else"]
    assert ifs
    for i in ifs[:6]:
        assert not dqc.verify(qc, without(result.circuit, i), result.report).ok
    rot = next(i for i, inst in enumerate(result.circuit.data)
               if inst.operation.name in ("rx", "ry", "rz", "cp", "crz", "rzz"))
    bad = result.circuit.copy_empty_like()
    for j, inst in enumerate(result.circuit.data):
        if j == rot:
            op = inst.operation.copy()
            op.params = [float(op.params[0]) + 0.1]
            inst = inst.replace(operation=op)
        bad._append(inst)
    outcome = dqc.verify(qc, bad, result.report)
    assert not outcome.ok and outcome.method == "equivalence"


def test_skeleton_catches_missing_correction():
    from qiskit.circuit.library import QFTGate

    qc = QuantumCircuit(24)
    qc.append(QFTGate(24), range(24))
    result = dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=12))
    assert dqc.verify(qc, result.circuit, result.report).method == "pauli-rotations"
    i = next(i for i, inst in enumerate(result.circuit.data) if inst.operation.name == "if_else")
    assert not dqc.verify(qc, without(result.circuit, i), result.report, qcec_timeout=1e-9).ok


def test_contract_cross_qpu_gate_rejected(clifford_case):
    qc, result = clifford_case
    a = result.report.initial_layout[0]
    b = next(p for p in result.report.initial_layout
             if result.report.qubit_qpu[p] != result.report.qubit_qpu[a])
    bad = _with_extra(result.circuit, 0, CircuitInstruction(
        CXGate(), (result.circuit.qubits[a], result.circuit.qubits[b])))
    outcome = dqc.verify(qc, bad, result.report)
    assert not outcome.ok and outcome.method == "contract" and "spans QPUs" in outcome.detail


def test_contract_epr_between_unlinked_qpus():
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    result = dqc.compile(qc, dqc.Network.line(3, data_qubits=1))
    report = result.report.to_dict()
    report["links"] = [["qpu0", "qpu1"]]  # pretend qpu1-qpu2 does not exist
    report["ebits_per_link"] = {"qpu0-qpu1": result.report.ebits_per_link["qpu0-qpu1"]}
    outcome = dqc.verify(qc, result.circuit, report)
    assert not outcome.ok and "share no link" in outcome.detail


def test_contract_epr_on_used_comm_qubit():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.h(0)
    qc.h(1)  # cuts both segments: the second CX needs a second ebit
    qc.cx(0, 1)
    result = dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=1, comm_qubits=1))
    resets = [i for i, inst in enumerate(result.circuit.data) if inst.operation.name == "reset"]
    assert resets
    outcome = dqc.verify(qc, without(result.circuit, resets[0]), result.report)
    assert not outcome.ok and "not reset" in outcome.detail


def test_contract_ebit_count_mismatch(clifford_case):
    qc, result = clifford_case
    report = result.report.to_dict()
    report["ebits"] += 1
    outcome = dqc.verify(qc, result.circuit, report)
    assert not outcome.ok and "report says" in outcome.detail


def test_an_operation_neither_clifford_nor_a_rotation_is_checked_not_raised():
    """DistributeGates run by itself keeps a ``ccx`` (the compile unrolls it first): the
    Clifford skeleton cannot take it, so verification goes on to the other checks and
    says so; a wrong circuit is still rejected, and nothing raises from inside."""
    qc = QuantumCircuit(5)
    qc.h(0)
    qc.cx(0, 3)
    qc.ccx(2, 3, 4)
    qc.cz(1, 4)
    net = dqc.Network.line(2, data_qubits=3, comm_qubits=1)
    props: dict = {"dqc_partition": ("qpu0", "qpu0", "qpu1", "qpu1", "qpu1")}
    out = dqc.passes.DistributeGates(net)(qc, property_set=props)
    assert out.count_ops()["ccx"] == 1
    report = dqc.Report.from_distribution(props["dqc_distribution"], net,
                                          ebits=out.count_ops()["epr"], inputs={})
    outcome = dqc.verify(qc, out, report)
    assert outcome.ok and "no Clifford skeleton: 'ccx'" in outcome.detail
    bad = out.copy()
    bad.x(0)
    assert not dqc.verify(qc, bad, report).ok
    assert dqc.verify(qc, out, report, method="pauli").ok
