"""WriteTranspileLayout: dqc's placement in the property-set keys Qiskit builds its
TranspileLayout from."""

from __future__ import annotations

import pytest
from dqc.passes import WriteTranspileLayout, generate_pass_manager
from qiskit import QuantumCircuit
from qiskit.transpiler import TranspileLayout

import dqc
from dqc.adapter.layout import read_layout, report_from_circuit
from dqc.network import Network


def test_layout_keys_give_dqc_initial_and_final_layouts():
    """A swap the pipeline elides makes the final layout differ from the initial one::

        q0 ─■──X─      2 QPUs of 2 data qubits (+2 comm each): 8 output qubits,
        q1 ─┼──X─      3 of them input qubits
        q2 ─X────
    """
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 2)
    qc.swap(0, 1)
    net = Network.line(2, data_qubits=2)
    pm = generate_pass_manager(net, seed=1)
    pm.append(WriteTranspileLayout())
    out = pm.run(qc)
    ps = pm.property_set
    placed = ps["dqc_distribution"].layout
    assert placed.initial_layout != placed.final_layout
    assert ps["num_input_qubits"] == 3
    indices = ps["original_qubit_indices"]
    assert sorted(indices.values()) == list(range(out.num_qubits))
    assert [indices[out.qubits[p]] for p in placed.initial_layout] == [0, 1, 2]
    final = ps["final_layout"]
    assert [final[out.qubits[p]] for p in placed.initial_layout] == list(placed.final_layout)
    tl = TranspileLayout.from_property_set(out, ps)
    assert tl.initial_index_layout(filter_ancillas=True) == list(placed.initial_layout)
    assert tl.final_index_layout() == list(placed.final_layout)
    # the metadata reads back as the same layout, and the circuit verifies with it
    back = read_layout(out)
    assert (back.initial_layout, back.final_layout) == (placed.initial_layout,
                                                        placed.final_layout)
    outcome = dqc.verify(qc, out, report_from_circuit(out, net))
    assert outcome.ok, str(outcome)


def test_without_a_distribution_says_what_to_run():
    with pytest.raises(dqc.CircuitInputError, match="run DistributeGates"):
        WriteTranspileLayout()(QuantumCircuit(2))
