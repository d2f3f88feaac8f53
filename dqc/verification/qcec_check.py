"""Exact equivalence of non-Clifford outputs with MQT QCEC's decision diagrams (``qcec-dd``).

An optional extra (``pip install "dqc-compiler[verify]"``, which installs ``mqt.qcec``).
QCEC compares unitary circuits: both are rewritten by
:func:`dqc.verification.unitary_pair.defer_pair` (its docstring says how, and why a
proof of the pair proves the compile).

Only ``equivalent`` and ``equivalent_up_to_global_phase`` from a decision-diagram
checker count as a proof. Every other answer (``no_information``, ``probably_equivalent``,
a timeout, an unsupported gate) is :class:`NotProved`: the caller falls back to another
method and says so. When no checker proves it, QCEC's simulation checker runs on
:data:`SIMULATIONS` random single-qubit basis states (seeded): a difference it finds is a
counterexample (:class:`~dqc.errors.VerificationError`), its "probably equivalent" is
no proof.

**Numerical limits.** The answer is within floating-point tolerances (:data:`TOLERANCE`
for diagram weights, QCEC's ``trace_threshold`` 1e-8 for the identity test). A wrong
angle off by 1e-6 in a QFT-26 on 3 QPUs is caught; but a correction swapped with a
``cp(θ)`` for ``θ ≈ 1e-4`` (a difference of order ``θ`` in the ancillas' amplitudes) was
accepted there, while the same swap with ``θ ≥ 0.2`` is caught. "Proved" means: equal up
to errors of that order.

The decision-diagram checker is used: the *alternating* one (``G · G'^-1`` kept close to
the identity) when only the compiled circuit acts on ancillary qubits, the
*construction* one otherwise (QCEC refuses alternating there). QCEC's ZX checker is not:
it post-selects ancillary qubits on ``|0>`` and drops scalars, so it cannot tell
``U ⊗ |0>`` from ``(U ⊗ |0> + W ⊗ |1>)/√2`` — it answers "equivalent" for a circuit that
dephases a data qubit through its garbage (see ``tests/verification/test_qcec.py``), and
refuses non-garbage ancillas altogether.

Examples:
    >>> import dqc
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.t(1)
    >>> res = dqc.compile(qc, dqc.Network.line(2, data_qubits=1))
    >>> check_by_qcec(qc, res.circuit, res.report)  # doctest: +SKIP
    'QCEC decision diagrams (alternating): equivalent up to global phase, ...'
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

from qiskit import QuantumCircuit

from dqc.errors import DQCError, VerificationError, plural
from dqc.estimation.report import Report
from dqc.verification.unitary_pair import Deferred, NotProved, defer_pair

__all__ = ["INSTALL_HINT", "METHOD", "NotProved", "QcecMissing", "check_by_qcec",
           "defer_pair", "qcec_available", "require_qcec"]

#: The method name :func:`dqc.verify` reports for a QCEC proof.
METHOD = "qcec-dd"
#: How to install the extra.
INSTALL_HINT = 'pip install "dqc-compiler[verify]"'
#: QCEC answers that prove equivalence (names of ``EquivalenceCriterion``).
PROOFS = ("equivalent", "equivalent_up_to_global_phase")

#: Seconds a QCEC child may run past its timeout before it is killed.
GRACE_S = 5.0
#: Decision-diagram weights closer than this are one (QCEC's default, 2e-13, lets rounding
#: noise from rotations by 2π/2^28 and the like grow diagrams without bound: QFT-29 on 2
#: QPUs runs past 60 s at 1e-10 and takes 0.1 s at 1e-9). The final comparison with the
#: identity has its own threshold, QCEC's ``trace_threshold`` (1e-8).
TOLERANCE = 1e-9
#: Alternating schemes tried in turn, each with an equal share of the time left: which
#: one keeps the diagrams small depends on the circuit (proportional: QFT-29 on 4 QPUs in
#: 0.7 s where lookahead runs past 60 s; lookahead: QFT-25 on 2 in 0.2 s, proportional 5 s).
SCHEMES = ("proportional", "lookahead")
#: When neither proves it: QCEC's simulation checker on this many random single-qubit basis
#: states (seeded): a difference it finds is a counterexample; "probably equivalent" is
#: no proof.
SIMULATIONS = 16
SEED = 20250101


class QcecMissing(DQCError):
    """The QCEC check was asked for and ``mqt.qcec`` is not installed."""


def qcec_available() -> bool:
    """Whether ``mqt.qcec`` can be imported."""
    try:
        import mqt.qcec  # noqa: F401
    except ImportError:
        return False
    return True


def require_qcec() -> None:
    """Raise :class:`QcecMissing`, naming the extra, unless ``mqt.qcec`` imports."""
    if not qcec_available():
        raise QcecMissing(
            "exact verification with QCEC needs mqt.qcec, an optional extra: "
            f"{INSTALL_HINT} (or pip install mqt.qcec)")



def check_by_qcec(unrolled: QuantumCircuit, compiled: QuantumCircuit, rep: Report, *,
                  timeout: float | None = None) -> str:
    """Prove ``compiled`` equivalent to ``unrolled`` with QCEC; return what was proved.

    Raises :class:`~dqc.errors.VerificationError` when QCEC shows the circuits differ,
    :class:`NotProved` when it gives no proof (the reason in the message), and
    :class:`QcecMissing` when ``mqt.qcec`` is not installed. ``timeout`` (seconds, None
    for none) can only turn a proof into :class:`NotProved`, never into a pass.
    """
    require_qcec()
    pair = defer_pair(unrolled, compiled, rep)
    attempts = [("construction", "proportional")] if pair.aux else [
        ("alternating", scheme) for scheme in SCHEMES]
    attempts.append(("simulation", "proportional"))  # can refute, never prove
    what = (f"QCEC decision diagrams on {plural(pair.width, 'qubit')} "
            f"({pair.inputs} input, {pair.aux} auxiliary, "
            f"{pair.width - pair.inputs - pair.aux} comm/measured lives), "
            f"{pair.original.size()} vs {pair.compiled.size()} gates")
    answers = []
    start = time.perf_counter()
    for k, (checker, scheme) in enumerate(attempts):
        left = None if not timeout else timeout - (time.perf_counter() - start)
        share = None if left is None else max(left / (len(attempts) - k), 1e-3)
        begun = time.perf_counter()
        answer = _run_qcec(pair, checker, scheme, share)
        seconds = time.perf_counter() - begun
        if answer in PROOFS and checker != "simulation":
            return (f"{what}, {checker} checker ({scheme} scheme): "
                    f"{answer.replace('_', ' ')} (every input |x>, ancillas |0>; numerical "
                    f"tolerance {TOLERANCE:g}; {seconds:.1f} s)")
        if answer == "not_equivalent" and not pair.copies and not pair.aux:
            how = (f"{SIMULATIONS} simulations of random single-qubit basis states (seeded)"
                   if checker == "simulation" else f"{checker} checker")
            raise VerificationError(f"{what}: not equivalent ({how}; ancillas |0>; angles "
                                    "included)")
        timed_out = share is not None and seconds >= share
        name = checker if checker == "simulation" else scheme
        answers.append(f"{name}: {answer}" + (f" after {seconds:.0f} s" if timed_out else ""))
    if any(a.split(": ")[1].startswith("not_equivalent") for a in answers):
        why = (f"{plural(pair.copies, 'measured qubit')} had to be copied" if pair.copies else
               "the input measures or resets mid-circuit (measured lives need not end in |+>)")
        raise NotProved(f"QCEC answered not_equivalent, but {why}, so that is no proof of a "
                        "difference")
    limit = f" (timeout {timeout:g} s in all)" if timeout else ""
    raise NotProved(f"QCEC answered {'; '.join(answers)}{limit}")


def _run_qcec(pair: Deferred, checker: str, scheme: str, timeout: float | None) -> str:
    """QCEC's answer (an ``EquivalenceCriterion`` name) for ``pair``.

    With a ``timeout`` QCEC runs in a child process (``spawn``) that is killed
    :data:`GRACE_S` after it: QCEC checks its own timeout only between steps, and one
    step can outlast any limit (a run of the fuzz regression case took minutes in one
    checkout and 10 s in another, depending on memory layout). A killed run answers
    ``"timeout"`` — no proof.
    """
    args = (pair.original, pair.compiled, tuple(pair.ancillas), checker, scheme, timeout)
    if not timeout:
        return _qcec_answer(*args)
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_qcec_child, args=(send, *args), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout + GRACE_S):
            return "timeout"
        kind, value = receive.recv()
    except EOFError:  # the child died without an answer
        return "no_information"
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if kind == "not_proved":
        raise NotProved(value)
    return str(value)


def _qcec_child(send: Any, *args: Any) -> None:
    """The child's side of :func:`_run_qcec`: one answer on ``send``."""
    try:
        send.send(("answer", _qcec_answer(*args)))
    except NotProved as exc:
        send.send(("not_proved", str(exc)))
    finally:
        send.close()


def _qcec_answer(original: QuantumCircuit, compiled: QuantumCircuit,
                 ancillas: tuple[int, ...], checker: str, scheme: str,
                 timeout: float | None) -> str:
    """Run QCEC on the two circuits (``ancillas`` start in |0>) with one checker."""
    from mqt.core import load
    from mqt.qcec.pyqcec import (
        ApplicationScheme,
        Configuration,
        EquivalenceCheckingManager,
        StateType,
    )

    try:
        circuits = [load(original), load(compiled)]
    except Exception as exc:  # noqa: BLE001 - any import failure is "no proof"
        raise NotProved(f"QCEC could not read the circuits: {exc}") from None
    for qc in circuits:
        for q in ancillas:
            qc.set_circuit_qubit_ancillary(q)
    config = Configuration()
    execution = config.execution
    execution.run_alternating_checker = checker == "alternating"
    execution.run_construction_checker = checker == "construction"
    execution.run_simulation_checker = checker == "simulation"
    config.simulation.max_sims = SIMULATIONS
    config.simulation.seed = SEED
    config.simulation.state_type = StateType.random_1q_basis
    execution.run_zx_checker = False
    execution.parallel = False
    execution.timeout = float(timeout or 0.0)
    execution.numerical_tolerance = TOLERANCE
    config.functionality.check_partial_equivalence = False
    config.optimizations.reorder_operations = False  # keep the input's aligned order
    config.application.alternating_scheme = getattr(ApplicationScheme, scheme)
    try:
        manager = EquivalenceCheckingManager(circuits[0], circuits[1], config)
        manager.run()
    except Exception as exc:  # noqa: BLE001 - QCEC refusing the pair is "no proof"
        raise NotProved(f"QCEC could not check the circuits: {exc}") from None
    return str(manager.equivalence.name)
