"""The Clifford check in one tableau run on a Choi state, measurements deferred."""

from __future__ import annotations

import pytest
import stim

import dqc
import dqc.verification.stim_check as stim_check
from dqc.verification.stim_deferred import Unsupported, deferred_choi

#: Teleport qubit 0 to qubit 2 through the pair (1, 2), then swap it home: the identity.
TELEPORT = """
    H 1
    CX 1 2
    CX 0 1
    H 0
    M 0 1
    CX rec[-1] 2
    CZ rec[-2] 2
    R 0 1
    SWAP 0 2
"""


def test_teleportation_has_every_flow_with_sign_plus():
    assert deferred_choi(stim.Circuit(TELEPORT), width=3, ins=[0], outs=[0]) == []


@pytest.mark.parametrize(("extra", "flipped"), [("X", ["Z"]), ("Z", ["X"]), ("Y", ["Z", "X"])])
def test_a_pauli_before_the_protocol_flips_the_flows_it_anticommutes_with(extra, flipped):
    program = stim.Circuit(f"{extra} 0\n{TELEPORT}")
    assert deferred_choi(program, width=3, ins=[0], outs=[0]) == [
        (p, 0, "sign") for p in flipped]


def test_a_wrong_correction_breaks_the_flow_it_should_fix():
    """CZ read from the wrong outcome: the life of the other is left entangled (not
    reused) and the X flow fails on half the branches."""
    wrong = stim.Circuit(TELEPORT.replace("CZ rec[-2]", "CZ rec[-1]"))
    assert deferred_choi(wrong, width=3, ins=[0], outs=[0]) == [("X", 0, "random")]


def test_a_correction_that_does_not_matter_may_be_missing():
    """An X on a copy that is only ever measured in the X basis changes nothing: its
    correction can be dropped (the measured copy's life stays entangled with the unread
    outcome, which is harmless). A cat-entangled copy of q0, used for nothing, and
    disentangled again."""
    program = stim.Circuit("""
        H 1
        CX 1 2
        CX 0 1
        M 1
        H 2
        M 2
        CZ rec[-1] 0
        R 1 2
    """)
    assert deferred_choi(program, width=3, ins=[0], outs=[0]) == []


def test_a_missing_correction_breaks_the_x_flow():
    """Without the Z correction, measurement 0's life is never read (so never checked);
    the output then depends on it: the X flow fails on half the branches."""
    missing = stim.Circuit(TELEPORT.replace("CZ rec[-2] 2\n", ""))
    assert deferred_choi(missing, width=3, ins=[0], outs=[0]) == [("X", 0, "random")]


def test_a_qubit_used_after_its_measurement_holds_the_outcome():
    """M 0 then CX 0 1 (no reset): qubit 1 gets the outcome, as after a real measurement,
    so the output (qubit 1 after the swap) is the input measured in Z: its Z flow holds,
    its X flow does not."""
    program = stim.Circuit("M 0\nCX 0 1\nR 0\nSWAP 0 1")
    assert deferred_choi(program, width=2, ins=[0], outs=[0]) == [("X", 0, "random")]


def test_instructions_it_does_not_rewrite_are_left_to_the_reference_sample():
    with pytest.raises(Unsupported):
        deferred_choi(stim.Circuit("H 0\nMPP X0*X1"), width=2, ins=[0], outs=[0])


def test_compiled_clifford_circuits_are_checked_deferred(clifford_circuit, monkeypatch):
    """The check of a compiled circuit takes the deferred path, not the fallback."""
    seen = []

    def spy(*args, **kwargs):
        seen.append(deferred_choi(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(stim_check, "deferred_choi", spy)
    qc = clifford_circuit(12, 120, seed=4)
    result = dqc.compile(qc, dqc.Network.ring(3, data_qubits=4, comm_qubits=1))
    outcome = dqc.verify(qc, result.circuit, result.report)
    assert outcome.ok and outcome.method == "stim-flows" and seen == [[]]
    assert "measurements deferred" in outcome.detail
