"""ElideSwaps: a SWAP becomes a relabelling of the wires after it, recorded as a permutation."""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.circuit.library import PermutationGate
from qiskit.quantum_info import Operator

import dqc


def test_swaps_leave_the_circuit_and_the_permutation_says_where_states_end():
    """Two swaps in a row: at the end wire 0 of the input holds what output wire 1 holds,
    wire 1 output wire 2, wire 2 output wire 0 (q0's state never moved)::

        input:  q0 ─H─X─────────     output:  q0 ─H──X──
                q1 ───X──X──X───              q1 ────┼──
                q2 ──────X──■───              q2 ────■──     cx(2, 1) acts on wires 0, 2
    """
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.swap(0, 1)
    qc.swap(1, 2)
    qc.cx(2, 1)
    p = dqc.passes.ElideSwaps()
    out = p(qc)
    assert [(i.operation.name, [out.find_bit(q).index for q in i.qubits])
            for i in out.data] == [("h", [0]), ("cx", [0, 2])]
    perm = p.property_set["dqc_wire_permutation"]
    assert perm == (1, 2, 0)
    # the same unitary once output wire perm[i] is put back on wire i
    restored = out.copy()
    restored.append(PermutationGate(list(perm)), range(3))
    assert Operator(restored).equiv(Operator(qc))




def test_swaps_become_relabelling(verified):
    """A SWAP between QPUs costs nothing: the final layout records the permutation.

        q0 ─H─■─X─      q0 on qpu0, q1 on qpu1 (tight): swap(q0, q1) is elided,
        q1 ───X─X─      so the final layout exchanges their output qubits.
    """
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.swap(0, 1)
    qc.x(0)
    qc.measure([0, 1], [0, 1])
    result = verified(qc, dqc.Network.all_to_all(2, data_qubits=1), expect="stim-flows")
    report = result.report
    assert report.ebits == 1
    assert report.final_layout == tuple(reversed(report.initial_layout))
    assert "swap" not in result.circuit.count_ops()
