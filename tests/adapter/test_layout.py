"""dqc.adapter.layout: dqc's layouts as Qiskit TranspileLayouts and circuit metadata."""

from __future__ import annotations

import pickle

import pytest
from qiskit import QuantumCircuit

import dqc
from dqc.adapter.layout import attach_layout, full_permutation, read_layout, report_from_circuit
from dqc.errors import VerificationError
from dqc.network import Network


def test_attach_layout_gives_a_transpile_layout_and_metadata():
    """qubits swapped in the input end elsewhere: final_index_layout != initial_index_layout.

    input:  cx q0,q2; swap q0,q1; swap q1,q2; cz q2,q0     (ElideSwaps relabels)
    """
    qc = QuantumCircuit(3, 3)
    qc.cx(0, 2)
    qc.swap(0, 1)
    qc.swap(1, 2)
    qc.cz(2, 0)
    qc.measure(range(3), range(3))
    result = dqc.compile(qc, Network.line(2, data_qubits=2), seed=1)
    report = result.report
    assert dqc.verify(qc, result.circuit, report).ok
    assert report.final_layout != report.initial_layout
    out = attach_layout(result.circuit, report, qc)
    assert out is not result.circuit and result.circuit.layout is None
    tl = out.layout
    assert tl.initial_index_layout(filter_ancillas=True) == list(report.initial_layout)
    assert tl.final_index_layout() == list(report.final_layout)
    assert dict(tl.initial_virtual_layout(filter_ancillas=True).get_virtual_bits()) == {
        q: p for q, p in zip(qc.qubits, report.initial_layout)}
    assert sorted(tl.routing_permutation()) == list(range(out.num_qubits))
    meta = out.metadata["dqc_layout"]
    assert meta["initial_layout"] == list(report.initial_layout)
    assert meta["qubit_qpu"] == list(report.qubit_qpu)
    for clone in (out.copy(), pickle.loads(pickle.dumps(out))):
        back = read_layout(clone)
        assert (back.initial_layout, back.final_layout) == (
            report.initial_layout, report.final_layout)
    assert dqc.verify(qc, out, report_from_circuit(out, Network.line(2, data_qubits=2))).ok
    with pytest.raises(VerificationError, match="no metadata"):
        read_layout(qc)
    # metadata only: OpenQASM 3 export keeps the per-QPU registers (a layout makes qasm3
    # write a physical circuit, $0 $1 ...)
    from qiskit import qasm3

    plain = attach_layout(result.circuit, report, qc, transpile_layout=False)
    assert plain.layout is None and read_layout(plain).final_layout == report.final_layout
    assert qasm3.dumps(plain) == qasm3.dumps(result.circuit)
    assert "qubit[2] qpu0;" in qasm3.dumps(plain) and "$0" in qasm3.dumps(out)


def test_full_permutation_is_a_permutation_and_checks_its_input():
    assert full_permutation([3, 0], [0, 1], 4) == [1, 2, 3, 0]
    with pytest.raises(VerificationError, match="not a set of distinct"):
        full_permutation([0, 0], [1, 2], 3)
    with pytest.raises(VerificationError, match="initial layout has 1"):
        full_permutation([0], [1, 2], 3)
