"""Check that a compiled circuit obeys the output contract and equals its input.

Three methods, chosen automatically and always named in the result:

* ``stim-flows`` — the circuit is Clifford: exact for every measurement outcome.
  Measurements into the input's registers and resets of data qubits are deferred
  (``CX`` onto / ``SWAP`` with an auxiliary qubit) in both circuits, which turns the
  input into a unitary ``U``; then for every input and auxiliary qubit and
  ``P ∈ {X, Z}`` the compiled circuit must have the stabilizer flow
  ``P → U P U†`` (``stim.Circuit.has_all_flows(unsigned=True)``), and signs are
  checked on random measurement branches with a Choi state in
  ``stim.TableauSimulator``.
* ``clifford-skeleton`` — non-Clifford circuits: ``stim-flows`` on both circuits
  with every non-Clifford rotation replaced by a Clifford one at the same place
  (diagonal gates stay diagonal). It exercises every telegate, swap and
  correction the compiler emitted, on every measurement branch, but not the
  rotation angles.
* ``statevector`` — small non-Clifford circuits get the skeleton check *and* a
  simulation: both circuits run on random input states with Qiskit's
  ``Statevector`` (teleportation measurements sampled, feed-forward applied),
  final measurements compared as a map and the states compared by fidelity.
"""
from __future__ import annotations

from qiskit import QuantumCircuit

from dqc.errors import VerificationError, plural
from dqc.estimation.report import Report
from dqc.passes import UnrollForDistribution
from dqc.verification.contract import check_contract
from dqc.verification.simulate import check_by_statevector, simulation_qubits
from dqc.verification.stim_check import NonClifford, Verification, check_stim

__all__ = ["Verification", "check_contract", "verify"]


def verify(
    original: QuantumCircuit,
    compiled: QuantumCircuit,
    report: Report | dict,
    *,
    max_sim_qubits: int = 20,
    shots: int = 256,
    seed: int = 0,
) -> Verification:
    """Check ``compiled`` against ``original`` using the layouts in ``report``.

    Args:
        original: the input circuit as the user gave it.
        compiled: the output of :func:`dqc.compile` (or read back from its QASM 3).
        report: its report (object or dict, e.g. the ``--report`` JSON).
        max_sim_qubits: largest qubit count simulated for non-Clifford circuits.
        shots: random measurement branches for the sign check / simulation.
        seed: seed of those random branches.

    Returns:
        A :class:`Verification`; ``ok`` is False with the reason in ``detail``
        when a check fails.

    Examples:
        >>> import dqc
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
        >>> res = dqc.compile(qc, dqc.Network.line(2, data_qubits=1))
        >>> print(verify(qc, res.circuit, res.report))
        verified (stim-flows): output contract holds (1 epr); 4 flows exact (unsigned) and
        signs on 256 random measurement branches
    """
    rep = report if isinstance(report, Report) else Report.from_dict(report)
    try:
        contract = check_contract(original, compiled, rep)
    except VerificationError as exc:
        return Verification(False, "contract", str(exc))
    unrolled = UnrollForDistribution()(original)
    try:
        try:
            detail = check_stim(unrolled, compiled, rep, skeleton=False, shots=shots, seed=seed)
            return Verification(True, "stim-flows", f"{contract}; {detail}")
        except NonClifford:
            pass
        skeleton = check_stim(unrolled, compiled, rep, skeleton=True, shots=shots, seed=seed)
        width = simulation_qubits(original, compiled, rep)
        if width <= max_sim_qubits:
            sim = check_by_statevector(original, compiled, rep, runs=2, seed=seed)
            return Verification(True, "statevector", f"{contract}; {sim}; {skeleton}")
        return Verification(
            True,
            "clifford-skeleton",
            f"{contract}; {skeleton} (rotation angles not checked: simulating would take "
            f"{plural(width, 'qubit')} > max_sim_qubits={max_sim_qubits})",
        )
    except VerificationError as exc:
        return Verification(False, "equivalence", str(exc))
