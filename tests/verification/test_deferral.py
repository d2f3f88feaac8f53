"""dqc.verification.deferral: measurement and reset keys per bit and per wire."""

from __future__ import annotations

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from dqc.verification.deferral import Wires, deferred_events, input_clbits


def test_wires_follow_swaps_and_teleports():
    """Swaps exchange the wires two qubits hold; a measured qubit of a teleport hands its
    wire to the far qubit, and later measurements of it hold nothing."""
    w = Wires({0: 0, 1: 1, 2: 2}, teleports=[(1, 3)])
    w.swap(0, 1)
    assert (w.wire(0), w.wire(1)) == (1, 0)
    w.measured(1)  # qubit 1 (holding wire 0) is teleported to qubit 3
    assert (w.wire(1), w.wire(3)) == (None, 0)


def test_reset_keys_follow_the_wire_through_swaps():
    """Resetting q0, swapping, then resetting q1 resets wire 0 twice::

        q0 ─|0>─X────────
        q1 ─────X──|0>───   keys: ("reset", 0, 0), ("reset", 0, 1); measures per bit
    """
    qc = QuantumCircuit(2, 2)
    qc.reset(0)
    qc.swap(0, 1)
    qc.reset(1)
    qc.measure(1, 1)
    qc.measure(0, 1)
    assert deferred_events(qc) == [("measure", 1, 0), ("measure", 1, 1),
                                   ("reset", 0, 0), ("reset", 0, 1)]
    assert deferred_events(qc, skip={3}) == [("measure", 1, 0), ("reset", 0, 0),
                                             ("reset", 0, 1)]


def test_input_clbits_pairs_registers_in_order():
    """Compiled registers that follow the input's (here ``tele``) map to nothing."""
    a, b = ClassicalRegister(2, "a"), ClassicalRegister(1, "b")
    original = QuantumCircuit(QuantumRegister(1), a, b)
    ca, cb = ClassicalRegister(2, "a"), ClassicalRegister(1, "b")
    tele = ClassicalRegister(2, "tele")
    compiled = QuantumCircuit(QuantumRegister(3), ca, cb, tele)
    assert input_clbits(original, compiled) == {ca[0]: 0, ca[1]: 1, cb[0]: 2}
