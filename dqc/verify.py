"""Check that a compiled circuit obeys the output contract and equals its input.

Methods, tried in this order and always named in the result:

* ``stim-flows`` — the circuit is Clifford: exact for every measurement outcome.
  Measurements into the input's registers and resets of data qubits are deferred
  (``CX`` onto / ``SWAP`` with an auxiliary qubit) in both circuits, which turns the
  input into a unitary ``U``; then for every input and auxiliary qubit and
  ``P ∈ {X, Z}`` the compiled circuit must have the stabilizer flow
  ``P → U P U†`` with sign +, on every measurement branch: one ``stim.TableauSimulator``
  run on a Choi state with the protocol's measurements deferred
  (:mod:`dqc.verification.stim_deferred`; where that rewrite does not apply,
  ``stim.Circuit.has_all_flows(unsigned=True)`` and signs on random branches).
* ``clifford-skeleton`` — every non-Clifford circuit gets it, and keeps this name when
  nothing below proves the angles: ``stim-flows`` on both circuits with every
  non-Clifford rotation replaced by a Clifford one at the same place (diagonal gates stay
  diagonal). It exercises every telegate, swap and correction the compiler emitted, on
  every measurement branch, but not the rotation angles.
* ``pauli-rotations`` — non-Clifford circuits, any size, no extra dependency: the
  skeleton check *and* an exact proof: measurements deferred, every comm-qubit life a
  fresh ancilla, every rotation of ``U† V`` pulled to the start as a Pauli rotation and
  merged until none is left, the Clifford remainder checked with stim
  (:mod:`dqc.verification.pauli_check`). It proves or gives no proof; it never refutes.
* ``statevector`` — when ``pauli-rotations`` gives no proof and the circuit fits in
  ``max_sim_qubits``: the skeleton check *and* a simulation: both circuits run on random
  input states with Qiskit's ``Statevector`` (teleportation measurements sampled,
  feed-forward applied), final measurements compared as a map and the states compared by
  fidelity (within 1e-6, which an angle off by 1e-3 rad can pass: the Pauli-rotation
  proof, within 1e-9 rad, goes first).
* ``qcec-dd`` — when neither proves it and ``mqt.qcec`` is installed (the ``verify``
  extra), or for any non-Clifford circuit with ``method="qcec"``: the
  skeleton check *and* an exact equivalence check by MQT QCEC's decision diagrams on the
  same deferred pair (:mod:`dqc.verification.qcec_check`), angles included. When neither
  proves it (left-over rotations, no information, a timeout) the result is
  ``clifford-skeleton`` and its detail says why.
"""
from __future__ import annotations

from dataclasses import dataclass

from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag, dag_to_circuit

from dqc.errors import VerificationError, plural
from dqc.estimation.report import Report
from dqc.gates import BLOCKS
from dqc.passes import UnrollForDistribution
from dqc.plan.approximation import drop_near_identity
from dqc.verification import qcec_check
from dqc.verification.branches import branches, deferrable, read_writes, resolve
from dqc.verification.contract import check_contract
from dqc.verification.deferral import input_clbits
from dqc.verification.lives import separate_lives
from dqc.verification.pauli_check import METHOD as PAULI_METHOD
from dqc.verification.pauli_check import check_by_pauli_rotations
from dqc.verification.qcec_check import INSTALL_HINT, check_by_qcec, require_qcec
from dqc.verification.qcec_check import METHOD as QCEC_METHOD
from dqc.verification.simulate import check_by_statevector, simulation_qubits
from dqc.verification.stim_check import NonClifford, Verification, check_stim
from dqc.verification.unitary_pair import NotProved

__all__ = ["METHODS", "Verification", "check_contract", "verify"]

#: What ``method=`` takes: ``auto`` picks by size (module docstring); ``pauli`` and ``qcec``
#: prove every non-Clifford circuit with that method whatever its size (Clifford ones get
#: ``stim-flows``, exact at any size); ``qcec`` needs ``mqt.qcec``.
METHODS = ("auto", "pauli", "qcec")
#: QCEC's time limit per check, in seconds (``qcec_timeout``): reaching it is no proof.
QCEC_TIMEOUT = 60.0


def verify(
    original: QuantumCircuit,
    compiled: QuantumCircuit,
    report: Report | dict,
    *,
    max_sim_qubits: int = 20,
    shots: int = 256,
    seed: int = 0,
    method: str = "auto",
    qcec_timeout: float | None = QCEC_TIMEOUT,
) -> Verification:
    """Check ``compiled`` against ``original`` using the layouts in ``report``.

    Args:
        original: the input circuit as the user gave it.
        compiled: the output of :func:`dqc.compile` (or read back from its QASM 3).
        report: its report (object or dict, e.g. the ``--report`` JSON).
        max_sim_qubits: largest qubit count simulated for non-Clifford circuits.
        shots: random measurement branches for the sign check / simulation.
        seed: seed of those random branches.
        method: ``"auto"``, ``"pauli"`` or ``"qcec"`` (:data:`METHODS`); ``"qcec"`` raises
            :class:`~dqc.verification.qcec_check.QcecMissing` when ``mqt.qcec`` is not
            installed (``pip install "dqc-compiler[verify]"``).
        qcec_timeout: seconds QCEC may take per check (None: no limit). Running out is
            never a pass: the result falls back to ``clifford-skeleton`` and says so.

    Returns:
        A :class:`Verification`; ``ok`` is False with the reason in ``detail``
        when a check fails.

    Examples:
        >>> import dqc
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
        >>> res = dqc.compile(qc, dqc.Network.line(2, data_qubits=1))
        >>> print(verify(qc, res.circuit, res.report))
        verified (stim-flows): output contract holds (1 epr); 4 flows exact with their signs
        on every measurement branch (measurements deferred)
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if method == "qcec":
        require_qcec()
    rep = report if isinstance(report, Report) else Report.from_dict(report)
    try:
        contract = check_contract(original, compiled, rep)
        if rep.births or rep.deaths:
            reused = (f"; data qubits reused ({plural(len(rep.births), 'birth')}, "
                      f"{plural(len(rep.deaths), 'death')}): checked life by life, qubits "
                      "born late starting in |0>")
            compiled, rep = separate_lives(compiled, rep)
            contract += reused
    except VerificationError as exc:
        return Verification(False, "contract", str(exc))
    unrolled = UnrollForDistribution()(original)
    if rep.approximation:
        try:
            unrolled, contract = _approximated(unrolled, rep.approximation, contract)
        except VerificationError as exc:
            return Verification(False, "approximation", str(exc))
    settings = _Settings(max_sim_qubits, shots, seed, method, qcec_timeout)
    try:
        stand_ins = "+stand-ins" if any(inst.name in BLOCKS for inst in unrolled.data) else ""
        if not any(inst.name == "if_else" for inst in unrolled.data):
            name, detail = _equivalence(unrolled, compiled, rep, settings)
            return Verification(True, name + stand_ins, f"{contract}; {detail}")
        in_bits = {c: i for i, c in enumerate(unrolled.clbits)}
        if deferrable(unrolled, in_bits):
            try:
                detail = check_stim(unrolled, compiled, rep, skeleton=False, shots=shots,
                                    seed=seed)
                return Verification(True, "stim-flows" + stand_ins,
                                    f"{contract}; input feed-forward deferred; {detail}")
            except NonClifford:
                pass
        name, detail = _by_branches(unrolled, compiled, rep, in_bits, settings)
        return Verification(True, name + stand_ins, f"{contract}; {detail}")
    except VerificationError as exc:
        return Verification(False, "equivalence", str(exc))


def _approximated(unrolled: QuantumCircuit, recorded: dict, contract: str
                  ) -> tuple[QuantumCircuit, str]:
    """The input with the near-identity gates the report says were dropped, dropped
    again (:mod:`dqc.plan.approximation`): the output is checked against that."""
    dag, again = drop_near_identity(circuit_to_dag(unrolled), float(recorded["tolerance"]))
    if again.dropped != recorded["dropped"]:
        raise VerificationError(
            f"the report says {recorded['dropped']} near-identity gates were dropped at "
            f"tolerance {recorded['tolerance']}; the input has {again.dropped}")
    return dag_to_circuit(dag), (
        f"{contract}; checked against the input without its "
        f"{plural(again.count, 'near-identity gate')} (error <= {again.error_bound:.3g})")


@dataclass(frozen=True)
class _Settings:
    max_sim_qubits: int
    shots: int
    seed: int
    method: str
    qcec_timeout: float | None


def _equivalence(unrolled: QuantumCircuit, compiled: QuantumCircuit, rep: Report,
                 settings: _Settings, branch: bool = False) -> tuple[str, str]:
    """Method and detail of the check of a circuit without input conditions; raises
    VerificationError when it fails. ``branch``: the pair is one classical branch of
    circuits with input feed-forward (:func:`_by_branches`), where QCEC is not used (it
    called 8 of 60 correct fuzz cases "not equivalent" there: see
    :mod:`dqc.verification.unitary_pair`); the Pauli-rotation check only ever proves, so
    it is used there too."""
    shots, seed = settings.shots, settings.seed
    try:
        return "stim-flows", check_stim(unrolled, compiled, rep, skeleton=False, shots=shots,
                                        seed=seed)
    except NonClifford:
        pass
    try:
        skeleton = check_stim(unrolled, compiled, rep, skeleton=True, shots=shots, seed=seed)
        checked = True
    except NonClifford as exc:  # (an operation neither Clifford nor a Pauli rotation)
        skeleton = f"no Clifford skeleton: '{exc}' is neither Clifford nor a Pauli rotation"
        checked = False
    if any(inst.name in BLOCKS for inst in unrolled.data):
        if not checked:
            raise VerificationError(f"not checked: {skeleton}, and the simulator does not "
                                    "run a while_loop")
        return "clifford-skeleton", (
            f"{skeleton} (rotation angles not checked: the simulator does not run a "
            "while_loop)")
    why = []
    if settings.method != "qcec":
        try:
            return PAULI_METHOD, f"{check_by_pauli_rotations(unrolled, compiled, rep)}; {skeleton}"
        except NotProved as exc:
            why.append(f"Pauli rotations gave no proof ({exc})")
    width = simulation_qubits(unrolled, compiled, rep)
    if settings.method == "auto":
        if width <= settings.max_sim_qubits:
            sim = check_by_statevector(unrolled, compiled, rep, runs=2, seed=seed)
            return "statevector", f"{sim}; {skeleton}; {why[0]}"
        why.append(f"simulating would take {plural(width, 'qubit')} > max_sim_qubits="
                   f"{settings.max_sim_qubits}")
    if not branch and settings.method != "pauli" and (
            settings.method == "qcec" or qcec_check.qcec_available()):
        try:
            proof = check_by_qcec(unrolled, compiled, rep, timeout=settings.qcec_timeout)
            return QCEC_METHOD, f"{proof}; {skeleton}"
        except NotProved as exc:
            why.append(f"QCEC gave no proof ({exc})")
    elif settings.method == "auto":
        why.append("QCEC is not used on classical branches" if branch else
                   f"for QCEC install mqt.qcec: {INSTALL_HINT}")
    if not checked:
        raise VerificationError(f"not checked: {skeleton}; {'; '.join(why)}")
    return "clifford-skeleton", f"{skeleton} (rotation angles not checked: {'; '.join(why)})"


#: Methods from the strongest to the weakest: a set of branches is named by its weakest.
_STRENGTH = ("stim-flows", PAULI_METHOD, "statevector", QCEC_METHOD, "clifford-skeleton")


def _by_branches(unrolled: QuantumCircuit, compiled: QuantumCircuit, rep: Report,
                 in_bits: dict, settings: _Settings) -> tuple[str, str]:
    """Check every classical branch (:mod:`dqc.verification.branches`) as a static pair."""
    keys = read_writes(unrolled, in_bits)
    chosen, total = branches(keys, settings.seed)
    compiled_bits = input_clbits(unrolled, compiled)
    methods, detail = set(), ""
    for branch in chosen:
        try:
            method, detail = _equivalence(resolve(unrolled, in_bits, branch),
                                          resolve(compiled, compiled_bits, branch), rep,
                                          settings, branch=True)
        except VerificationError as exc:
            raise VerificationError(f"on classical branch {_name(branch, unrolled)}: {exc}") \
                from None
        methods.add(method)
    weakest = max(methods, key=_STRENGTH.index)
    read = ", ".join(_bit_name(unrolled, i) for i in sorted({i for i, _ in keys})) or "none"
    what = (f"all {plural(total, 'classical branch', 'classical branches')}" if len(chosen) == total
            else f"{len(chosen)} of {total} classical branches (sampled)")
    return f"{weakest}+branches", (
        f"{what} of the measured bits conditions read ({read}) checked, each by {weakest}; "
        f"last: {detail}")


def _bit_name(circuit: QuantumCircuit, index: int) -> str:
    registers = circuit.find_bit(circuit.clbits[index]).registers
    return f"{registers[0][0].name}[{registers[0][1]}]" if registers else f"clbit {index}"


def _name(branch: dict, circuit: QuantumCircuit) -> str:
    return ", ".join(f"{_bit_name(circuit, i)}#{j + 1}={int(v)}"
                     for (i, j), v in sorted(branch.items())) or "(no measured bit read)"
