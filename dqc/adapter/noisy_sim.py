"""The fidelity model checked by a noisy simulation of the compiled circuit (qiskit-aer).

:func:`simulate_noisy` runs the compiled circuit on ``AerSimulator`` with the errors
the fidelity model (:mod:`dqc.estimation.schedule`) counts, each inserted as an
explicit Pauli channel at its place in the circuit, and measures the figure the
model's ``fidelity.total`` estimates:

* **an ebit** (``epr``, unrolled to ``h; cx``): a Werner state of the fidelity its link
  delivers (:meth:`~dqc.network.Network.delivered`, after purification): X, Y or Z on
  the second half, each with probability (1 − F) / 3. (A DEJMPS-purified pair is not a
  Werner state; its fidelity is kept, its shape is not.)
* **a gate** of the QPU's technology: a uniform Pauli channel on its qubits whose
  total probability of a non-identity Pauli is ``error_1q`` or ``error_2q`` (a gate
  inside an ``if_test`` branch errs only when the branch runs, where the model
  counts it as always applied);
* **a measurement**: the bit flips with probability ``error_measure`` (an X before
  the measurement); a reset, a barrier: no error (as in the model);
* **waiting**: every qubit, between two consecutive operations on it, dephases for
  the gap t the schedule gives it (``Schedule.operations``, lazy or eager timing as
  estimated): Z with probability p = (1 − exp(−t / T2)) / 2, T2 of its QPU. This is
  pure dephasing, the only decoherence the model counts (no T1 / amplitude damping).
  It covers stored Bell halves (from their ``epr`` to their measurement) and idle
  data qubits (from their first operation to their last: as in the model, an input
  is taken to be ready when its first operation starts), and is harmless where a
  qubit holds a basis state (after a measurement or reset).

**The figure.** The model's ``total`` is a product of no-error probabilities: the
probability that the run applies exactly the circuit's unitary, whatever the input.
Its simulated counterpart (``figure="process"``, the default) is the entanglement
(process) fidelity of the run: each input qubit starts in a Bell pair with a
noiseless reference qubit, the noisy compiled circuit runs, the inverse of the
original circuit (without its final measurements) is applied noiselessly to the qubits
that hold its output (``final_layout``), the Bell pairs are undone, and the shots
reading all zeros (comm qubits ignored, i.e. traced out) estimate
⟨Φ|(U†∘E ⊗ I)(Φ)|Φ⟩, with binomial standard error. For Pauli errors on a Clifford
circuit this is the probability that the errors multiply to the identity, which
exceeds the model's figure only by second-order cancellations. ``figure="state"``
gives instead the fidelity ⟨ψ|ρ|ψ⟩ of the output for the all-zeros input, which many
errors leave untouched (a Z on a basis state), so it can lie well above the model.
Either is multiplied by Π (1 − ``error_measure``) over the final measurements (a
readout flip is a classical error independent of the state, so this factor is exact).

:attr:`NoisyCheck.model_placed` is the model evaluated on the waits of the placed
schedule (the ones simulated) instead of the least waits any schedule forces, qubit by
qubit, which the model's own figure uses (:mod:`dqc.estimation.schedule`): the gap
between the two is what the placement loses to its own idling.

Only circuits whose measurements are all final (the last operation on their qubit)
and that have no resets or control flow of their own are supported. qiskit-aer is
the optional ``sim`` extra and is imported lazily; runs use the fusion-off
simulator of :func:`dqc.adapter.aer.aer_simulator`.

Examples:
    >>> import dqc
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
    >>> net = dqc.Network.line(2, data_qubits=1, technology="trapped_ion")
    >>> e = dqc.estimate(qc, net)
    >>> check = simulate_estimate(qc, e, shots=2000, seed=1)
    >>> abs(check.simulated - check.model) <= check.tolerance
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import IfElseOp, Instruction

from dqc.adapter.aer import aer_simulator, marginal_counts
from dqc.errors import CircuitInputError, DQCError
from dqc.estimation.fidelity import placed_keep
from dqc.estimation.formatting import rounded
from dqc.estimation.report import Report
from dqc.estimation.result import Schedule
from dqc.network import Network
from dqc.network.physics import Technology

__all__ = ["ABSOLUTE_TOLERANCE", "NoisyCheck", "simulate_estimate", "simulate_noisy"]

#: The agreement asked of model and simulation: |simulated − model| ≤ max(this, 3σ).
ABSOLUTE_TOLERANCE = 0.03

#: The simulated figures: entanglement (process) fidelity or output-state fidelity.
FIGURES = ("process", "state")

#: Operations that carry no error in the model (nor here).
_FREE = ("barrier", "reset", "delay")

#: Non-identity Paulis on one and two qubits.
_PAULIS_1 = ("X", "Y", "Z")
_PAULIS_2 = tuple(a + b for a in "IXYZ" for b in "IXYZ")[1:]


@dataclass(frozen=True)
class NoisyCheck:
    """The model's fidelity next to a noisy simulation's (module docstring).

    Attributes:
        model: the model's estimate (``Schedule.fidelity.total``).
        simulated: the simulated figure (process or state fidelity) × readout factor.
        stderr: standard error of ``simulated`` (binomial, from the shots).
        shots: number of shots.
        before_readout: the simulated process or state fidelity, before readout.
        figure: ``"process"`` or ``"state"`` (module docstring).
        readout: Π (1 − ``error_measure``) over the final measurements.
        method: what was simulated, in words.
        model_placed: the model's figure with the waits of the placed schedule (the
            simulation's) instead of the least waits (:func:`placed_log_keep`).
    """

    model: float
    simulated: float
    stderr: float
    shots: int
    before_readout: float
    readout: float
    figure: str
    method: str
    model_placed: float | None = None

    @property
    def tolerance(self) -> float:
        """max(:data:`ABSOLUTE_TOLERANCE`, 3 σ): the difference called agreement."""
        return max(ABSOLUTE_TOLERANCE, 3.0 * self.stderr)

    @property
    def agrees(self) -> bool:
        """Whether |simulated − model| ≤ :attr:`tolerance`."""
        return abs(self.simulated - self.model) <= self.tolerance

    def to_dict(self) -> dict[str, Any]:
        """The ``simulation`` section of ``dqc estimate --json``."""
        return {"model_fidelity": rounded(self.model),
                "simulated_fidelity": rounded(self.simulated),
                "stderr": rounded(self.stderr), "shots": self.shots, "figure": self.figure,
                "before_readout": rounded(self.before_readout), "readout": rounded(self.readout),
                "model_placed_fidelity": (None if self.model_placed is None
                                          else rounded(self.model_placed)),
                "tolerance": rounded(self.tolerance), "agrees": self.agrees,
                "method": self.method}

    def summary(self) -> str:
        """``simulated fidelity X ± Y (N shots) vs model Z; ...``, then what was compared."""
        delta = abs(self.simulated - self.model)
        return (f"simulated fidelity {self.simulated:.4f} ± {self.stderr:.4f} "
                f"({self.shots} shots) vs model {self.model:.4f}"
                + (f"; model on the placed schedule's waits {self.model_placed:.4f}"
                   if self.model_placed is not None else "")
                + f"\n  ({self.figure} fidelity x final readout {self.readout:.4f}, qiskit-aer; "
                f"|difference| {delta:.4f} {'<=' if self.agrees else '>'} tolerance "
                f"{self.tolerance:.4f}: {'agree' if self.agrees else 'DISAGREE'})")


METHOD = ("qiskit-aer trajectories; Pauli channels: Werner ebits, uniform gate errors, "
          "readout flips, dephasing Z with (1 - exp(-t/T2))/2 over the scheduled gaps; "
          "figure x final readout")


def simulate_estimate(original: QuantumCircuit, estimated: Any, *, shots: int = 1000,
                      seed: int | None = 0, figure: str = "process") -> NoisyCheck:
    """:func:`simulate_noisy` of an :class:`~dqc.estimation.sweep.Estimate` of ``original``."""
    return simulate_noisy(original, estimated.circuit, estimated.report, estimated.schedule,
                          estimated.network, shots=shots, seed=seed, figure=figure)


def simulate_noisy(original: QuantumCircuit, compiled: QuantumCircuit, report: Report,
                   schedule: Schedule, network: Network, *, shots: int = 1000,
                   seed: int | None = 0, figure: str = "process") -> NoisyCheck:
    """Run ``compiled`` with the model's errors on qiskit-aer; its fidelity next to the model's.

    Args:
        original: the input circuit (only final measurements; no resets or control flow).
        compiled: its compiled circuit on ``network``.
        report: the compile report (``qubit_qpu``, ``comm_qubits``, ``final_layout``).
        schedule: the schedule of ``compiled`` (its fidelity is the model's figure and its
            operation times give the dephasing gaps).
        network: the network.
        shots: number of trajectories.
        seed: simulator seed.

    Returns:
        The :class:`NoisyCheck`.

    Raises:
        DQCError: qiskit-aer is missing, ``shots`` < 1, or the circuits are unsupported.
    """
    if isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise DQCError(f"shots={shots!r}; it must be a positive integer")
    if figure not in FIGURES:
        raise DQCError(f"figure={figure!r}; it must be one of {', '.join(FIGURES)}")
    _require_aer()
    ideal = unitary_part(original)
    techs = [network.qpu(name).profile for name in report.qubit_qpu]
    dropped = final_measurements(compiled, set(report.comm_qubits))
    noisy = noisy_circuit(compiled, schedule, network, report.qubit_qpu, dropped)
    check = fidelity_check(noisy, ideal, report, figure)
    counts = aer_simulator(_method(check)).run(check, shots=shots, seed_simulator=seed).result()
    register = check.cregs[-1]
    indices = [check.find_bit(c).index for c in register]
    zeros = marginal_counts(counts.get_counts(), indices).get("0" * len(indices), 0)
    state = zeros / shots
    readout = math.prod(1.0 - techs[compiled.find_bit(compiled.data[i].qubits[0]).index]
                        .error_measure for i in dropped)
    f = schedule.fidelity
    placed = f.total * math.exp(placed_log_keep(compiled, schedule, techs)
                                - f.log_memory - f.log_idle)
    return NoisyCheck(model=f.total, simulated=state * readout,
                      stderr=readout * math.sqrt(max(state * (1 - state), 0.0) / shots),
                      shots=shots, before_readout=state, readout=readout, figure=figure,
                      method=METHOD, model_placed=placed)


def placed_log_keep(compiled: QuantumCircuit, schedule: Schedule,
                    techs: Sequence[Technology]) -> float:
    """The model's memory × idle factor (log) with the waits of the placed schedule instead
    of the least (forced) ones: Σ :func:`~dqc.estimation.fidelity.keep` (t / T2) over every
    *life* of a qubit (its operations up to a measurement or reset, or the end), t the
    gaps between consecutive operations of that life.

    This is what the simulation's dephasing amounts to at first order; the model's own
    factors (the least wait any schedule forces, qubit by qubit) are at least as large.
    """
    ops_on: dict[int, list[tuple[str, float, float]]] = {}
    for op in sorted(schedule.operations, key=lambda o: o.index):
        for q in op.qubits:
            ops_on.setdefault(q, []).append((op.name, op.start_s, op.end_s))
    return placed_keep((techs[q].t2_s, ops) for q, ops in ops_on.items())


def fidelity_check(noisy: QuantumCircuit, ideal: QuantumCircuit, report: Report,
                   figure: str) -> QuantumCircuit:
    """``noisy`` wrapped so that reading all zeros in its last register has the probability
    of the ``figure`` (module docstring).

    ``"state"``: the inverse of ``ideal`` on the qubits holding the output
    (``final_layout``), then those qubits measured. ``"process"``: first, each input
    qubit (on ``initial_layout``) in a Bell pair with a fresh reference qubit; at the
    end the inverse of ``ideal``, each pair undone (``cx``, ``h``) and output and
    reference qubits measured.
    """
    n = ideal.num_qubits
    if report.births or report.deaths:
        raise DQCError(
            "a fidelity check needs every input qubit on a data qubit of its own from start "
            f"to end; this compile reuses data qubits ({len(report.births)} born later, "
            f"{len(report.deaths)} measured early): compile without reuse to simulate it")
    initial = [report.initial_layout[i] for i in range(n)]
    final = [report.final_layout[i] for i in range(n)]
    out = noisy.copy_empty_like()
    measured = list(final)
    if figure == "process":
        refs = QuantumRegister(n, "reference")
        out.add_register(refs)
        rq = [out.find_bit(q).index for q in refs]
        for q, r in zip(initial, rq):
            out.h(r)
            out.cx(r, q)
        measured += rq
    out.compose(noisy, qubits=range(noisy.num_qubits), clbits=range(noisy.num_clbits),
                inplace=True)
    out.compose(ideal.inverse(), qubits=final, inplace=True)
    if figure == "process":
        for q, r in zip(final, rq):
            out.cx(r, q)
            out.h(r)
    register = ClassicalRegister(len(measured), "fidelity_check")
    out.add_register(register)
    out.measure(measured, list(register))
    return out


def _require_aer() -> None:
    """Raise a DQCError naming the extra to install when qiskit-aer is missing."""
    try:
        import qiskit_aer  # noqa: F401  (lazy: the optional ``sim`` extra)
    except ImportError:  # pragma: no cover - depends on the environment
        raise DQCError('the noisy simulation needs qiskit-aer: '
                       'pip install "dqc-compiler[sim]"') from None


def unitary_part(original: QuantumCircuit) -> QuantumCircuit:
    """``original`` without its final measurements (and barriers); refuse anything else
    that is not a unitary gate.

    Examples:
        >>> qc = QuantumCircuit(1, 1); _ = qc.h(0); _ = qc.measure(0, 0)
        >>> dict(unitary_part(qc).count_ops())
        {'h': 1}
    """
    finals = set(final_measurements(original, set()))
    out = QuantumCircuit(original.num_qubits)
    for i, inst in enumerate(original.data):
        if i in finals or inst.name == "barrier":
            continue
        if inst.name in ("measure", "reset") or inst.is_control_flow() or inst.clbits:
            raise CircuitInputError(
                f"the noisy simulation needs a circuit whose only measurements are final; "
                f"operation #{i} is '{inst.name}'")
        out.append(inst.operation, [original.find_bit(q).index for q in inst.qubits])
    return out


def final_measurements(circuit: QuantumCircuit, comm: set[int]) -> list[int]:
    """Indices of the measurements that are the last operation on their (non-comm) qubit.

    Examples:
        >>> qc = QuantumCircuit(2, 2); _ = qc.measure(0, 0); _ = qc.h(0); _ = qc.measure(1, 1)
        >>> final_measurements(qc, set())
        [2]
    """
    last: dict[int, int] = {}
    for i, inst in enumerate(circuit.data):
        if inst.name == "barrier":
            continue
        for q in inst.qubits:
            last[circuit.find_bit(q).index] = i
    return sorted(i for q, i in last.items()
                  if q not in comm and circuit.data[i].name == "measure")


def dephasing_probability(gap_s: float, t2_s: float) -> float:
    """Z probability of pure dephasing over ``gap_s``: (1 − exp(−t / T2)) / 2.

    Examples:
        >>> round(dephasing_probability(1.0, 1.0), 4)
        0.3161
    """
    return 0.5 * (1.0 - math.exp(-gap_s / t2_s)) if gap_s > 0 else 0.0


def pauli_channel(labels: Sequence[str], total: float) -> Instruction | None:
    """A Pauli channel: each of ``labels`` with probability ``total / len(labels)``
    (None for a zero ``total``)."""
    if total <= 0:
        return None
    from qiskit_aer.noise import pauli_error  # lazy: optional extra

    n = len(labels[0])
    terms = [(label, total / len(labels)) for label in labels]
    return pauli_error([*terms, ("I" * n, 1.0 - total)]).to_instruction()


def noisy_circuit(compiled: QuantumCircuit, schedule: Schedule, network: Network,
                  qubit_qpu: Sequence[str], dropped: Sequence[int]) -> QuantumCircuit:
    """``compiled`` with the model's errors as Pauli channels (module docstring), ``epr``
    unrolled, and the measurements ``dropped`` left out (their waits kept)."""
    out = QuantumCircuit(*compiled.qregs, *compiled.cregs)
    techs = [network.qpu(name).profile for name in qubit_qpu]
    skip = set(dropped)
    last_end: dict[int, float] = {}
    times = {op.index: (op.start_s, op.end_s) for op in schedule.operations}
    for i, inst in enumerate(compiled.data):
        qs = [compiled.find_bit(q).index for q in inst.qubits]
        start, end = times[i]
        for q in qs:
            if q in last_end:
                _append(out, pauli_channel(["Z"], dephasing_probability(
                    start - last_end[q], techs[q].t2_s)), [q])
            last_end[q] = end
        if i in skip:
            continue
        _apply(out, compiled, inst, qs, network, qubit_qpu)
    return out


def _append(out: QuantumCircuit, channel: Instruction | None, qubits: Sequence[int]) -> None:
    """Append ``channel`` on ``qubits`` unless it is None."""
    if channel is not None:
        out.append(channel, list(qubits))


def _apply(out: QuantumCircuit, compiled: QuantumCircuit, inst: Any, qs: list[int],
           network: Network, qubit_qpu: Sequence[str]) -> None:
    """Append ``inst`` on ``qs`` with its errors."""
    name = inst.name
    tech = network.qpu(qubit_qpu[qs[0]]).profile
    if name == "epr":
        link = network.link(qubit_qpu[qs[0]], qubit_qpu[qs[1]])
        if link is None:
            raise DQCError(f"epr on qubits {qs} joins QPUs that share no link")
        out.h(qs[0])
        out.cx(qs[0], qs[1])
        _append(out, pauli_channel(_PAULIS_1, 1.0 - network.delivered(link).fidelity), [qs[1]])
        return
    clbits = [compiled.find_bit(c).index for c in inst.clbits]
    if name == "measure":
        _append(out, pauli_channel(["X"], tech.error_measure), qs)
        out.measure(qs[0], clbits[0])
        return
    if isinstance(inst.operation, IfElseOp):
        op = inst.operation
        blocks = [None if b is None else _noisy_block(b, tech) for b in op.blocks]
        if len(blocks) == 1:
            blocks.append(None)
        out.append(op.replace_blocks([b for b in blocks if b is not None]), qs, clbits)
        return
    if inst.is_control_flow():
        raise CircuitInputError(f"the noisy simulation cannot run control flow '{name}'")
    out.append(inst.operation, qs, clbits)
    if name not in _FREE:
        _append(out, _gate_channel(len(qs), tech), qs)


def _gate_channel(width: int, tech: Technology) -> Instruction | None:
    """The uniform Pauli channel of a gate on ``width`` qubits."""
    if width == 1:
        return pauli_channel(_PAULIS_1, tech.error_1q)
    if width == 2:
        return pauli_channel(_PAULIS_2, tech.error_2q)
    raise CircuitInputError(f"the noisy simulation has no error model for a {width}-qubit gate")


def _noisy_block(block: QuantumCircuit, tech: Technology) -> QuantumCircuit:
    """An ``if_test`` branch with a gate channel after each gate (all on one QPU)."""
    out = block.copy_empty_like()
    for inst in block.data:
        out.append(inst)
        if inst.name in _FREE or inst.is_control_flow():
            continue
        if inst.name == "measure":
            raise CircuitInputError("the noisy simulation cannot run a measurement in a branch")
        _append(out, _gate_channel(len(inst.qubits), tech), inst.qubits)
    return out


def _method(circuit: QuantumCircuit) -> str:
    """``"stabilizer"`` for a Clifford circuit with Pauli noise, else ``"statevector"``
    (trajectories: one pure state per shot)."""
    clifford = {"h", "s", "sdg", "x", "y", "z", "cx", "cz", "cy", "swap", "id", "sx", "sxdg",
                "measure", "reset", "barrier", "if_else", "quantum_channel", "pauli"}
    names = set(circuit.count_ops())
    for inst in circuit.data:
        if isinstance(inst.operation, IfElseOp):
            for block in inst.operation.blocks:
                names |= set(block.count_ops())
    return "stabilizer" if names <= clifford else "statevector"
