"""The circuits of ``benchmarks.scale`` and its naive ebit count, on sizes checked by hand."""

from __future__ import annotations

import dqc
from benchmarks.scale import case_circuit, lattice_trotter, naive_ebits


def test_lattice_step_has_every_bond_once_then_a_field_on_every_qubit():
    qc = lattice_trotter(2, 3, 1)  # qubits 0 1 2 / 3 4 5
    bonds = [tuple(qc.find_bit(q).index for q in inst.qubits)
             for inst in qc.data if inst.name == "rzz"]
    assert bonds == [(0, 1), (1, 2), (3, 4), (4, 5), (0, 3), (1, 4), (2, 5)]
    assert [inst.name for inst in qc.data[7:]] == ["rx"] * 6
    kind, _, qubits, gates, qpus = case_circuit("lattice:2:3:4:2")
    assert (kind, qubits, gates, qpus) == ("lattice", 6, 28, 2)


def test_naive_count_is_the_bonds_the_placement_cuts():
    """A 2 × 2 grid (a square: bonds 0-1, 2-3, 0-2, 1-3) on two QPUs of 2: the best
    split cuts 2 bonds, so one step written as is costs 2 ebits; dqc needs no more."""
    qc = lattice_trotter(2, 2, 1)
    net = dqc.Network.all_to_all(2, data_qubits=2)
    result = dqc.compile(qc, net)
    assert naive_ebits(qc, result.report) == 2
    assert result.report.ebits <= 2
    assert dqc.verify(qc, result.circuit, result.report).ok
