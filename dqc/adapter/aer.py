"""Run compiled circuits on qiskit-aer and compare their outcome distributions.

A compiled circuit is a dynamic circuit: mid-circuit measurements into the
teleport register, ``if_test`` feed-forward, resets, and the ``epr`` gate.
:func:`run_on_aer` runs it on ``AerSimulator`` (``epr`` unrolled to ``h; cx``) and
returns counts over the *input's* classical bits only — the marginal that must
match the original circuit's distribution. :func:`exact_distribution` gives the
original's distribution exactly (small circuits, by branching on every
measurement), :func:`total_variation` compares two distributions and
:func:`tvd_bound` says how far a correct sample can stray by chance.

Keys are Qiskit-style bitstrings without spaces: the last character is clbit 0.
qiskit-aer is an optional dependency (``pip install qiskit-aer``, or ``pip install ".[sim]"``
from a dqc checkout); only
:func:`run_on_aer` needs it. Aer runs with gate fusion off (:data:`AER_OPTIONS`):
qiskit-aer 0.18.2 fuses gates that follow an ``if_else`` on the same qubit wrongly
from 14 qubits on (where fusion starts by default), and dqc's outputs are exactly
that shape (corrections, then local gates); ``tests/adapter/test_aer.py`` keeps the
regression.

Examples:
    >>> import dqc
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(3, 3); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 2)
    >>> _ = qc.measure(range(3), range(3))
    >>> res = dqc.compile(qc, dqc.Network.line(3, data_qubits=1), seed=1)
    >>> counts = run_on_aer(res.circuit, shots=2000, seed=7)
    >>> sorted(counts)
    ['000', '111']
    >>> total_variation(counts, exact_distribution(qc)) <= tvd_bound(2000, 2)
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Clbit, IfElseOp
from qiskit.quantum_info import Statevector

from dqc.errors import CircuitInputError, DQCError
from dqc.verification.branches import evaluate

__all__ = [
    "AER_OPTIONS",
    "aer_simulator",
    "exact_distribution",
    "input_clbit_indices",
    "marginal_counts",
    "prepare_for_aer",
    "run_on_aer",
    "total_variation",
    "tvd_bound",
]


#: Options dqc gives ``AerSimulator``: fusion off (see the module docstring).
AER_OPTIONS: dict[str, object] = {"fusion_enable": False}


def aer_simulator(method: str = "automatic", **options: object):
    """An ``AerSimulator`` with :data:`AER_OPTIONS` (and ``options``) set.

    Raises:
        DQCError: qiskit-aer is not installed (the message says what to install).
    """
    try:
        from qiskit_aer import AerSimulator  # lazy: optional extra qiskit-aer
    except ImportError:  # pragma: no cover - depends on the environment
        raise DQCError(
            "running circuits needs qiskit-aer: pip install qiskit-aer "
            "(or pip install \".[sim]\" from the dqc checkout)") from None
    return AerSimulator(method=method, **{**AER_OPTIONS, **options})


def prepare_for_aer(circuit: QuantumCircuit) -> QuantumCircuit:
    """The circuit with every ``epr`` replaced by its definition ``h a; cx a, b``.

    Everything else (measure, reset, ``if_test``, the gates of the QPUs' bases)
    runs on ``AerSimulator`` as it is.

    Examples:
        >>> from dqc.gates import EPRGate
        >>> qc = QuantumCircuit(2); _ = qc.append(EPRGate(), [0, 1])
        >>> dict(prepare_for_aer(qc).count_ops())
        {'h': 1, 'cx': 1}
    """
    if "epr" not in circuit.count_ops():
        return circuit
    return circuit.decompose(gates_to_decompose=["epr"])


def input_clbit_indices(circuit: QuantumCircuit, *, teleport_register: str | None = None
                        ) -> list[int]:
    """Indices of the clbits that are not the protocol's (not in the teleport register).

    The teleport register's name is read from ``metadata["dqc_layout"]`` when present
    (see :mod:`dqc.adapter.layout`), else ``teleport_register``, else ``"tele"``.

    Examples:
        >>> from qiskit import ClassicalRegister
        >>> qc = QuantumCircuit(ClassicalRegister(2, "c"), ClassicalRegister(3, "tele"))
        >>> input_clbit_indices(qc)
        [0, 1]
    """
    meta = (circuit.metadata or {}).get("dqc_layout") or {}
    name = teleport_register or meta.get("teleport_register", "tele")
    protocol: set[Clbit] = set()
    for reg in circuit.cregs:
        if reg.name == name:
            protocol.update(reg)
    return [i for i, bit in enumerate(circuit.clbits) if bit not in protocol]


def marginal_counts(counts: Mapping[str, int], indices: list[int]) -> dict[str, int]:
    """Counts over the clbits ``indices`` only (keys as Qiskit prints them, spaces allowed).

    Examples:
        >>> marginal_counts({"01 10": 3, "11 10": 1}, [0, 2])
        {'10': 4}
    """
    out: dict[str, int] = {}
    for key, value in counts.items():
        bits = key.replace(" ", "")
        width = len(bits)
        kept = "".join(bits[width - 1 - i] for i in reversed(indices))
        out[kept] = out.get(kept, 0) + int(value)
    return out


def run_on_aer(circuit: QuantumCircuit, *, shots: int = 4000, seed: int | None = None,
               method: str = "automatic") -> dict[str, int]:
    """Run ``circuit`` on qiskit-aer; counts over the input's clbits.

    Args:
        circuit: A compiled circuit (from :func:`dqc.compile`, or ``transpile`` with
            ``init_method="dqc"``), or any circuit Aer runs.
        shots: Number of shots.
        seed: Simulator seed (``seed_simulator``).
        method: ``AerSimulator`` method (``"automatic"`` picks the stabilizer method
            for Clifford circuits).

    Returns:
        ``{bitstring: count}`` over the clbits outside the teleport register (see
        :func:`input_clbit_indices`), keys without spaces.

    Raises:
        DQCError: qiskit-aer is not installed.
    """
    backend = aer_simulator(method)
    result = backend.run(prepare_for_aer(circuit), shots=shots, seed_simulator=seed).result()
    counts = result.get_counts()
    return marginal_counts(counts, input_clbit_indices(circuit))


def exact_distribution(circuit: QuantumCircuit, *, max_branches: int = 1 << 14,
                       tolerance: float = 1e-12) -> dict[str, float]:
    """The exact distribution of ``circuit``'s classical bits, by branching on measurements.

    Runs a statevector; every ``measure`` splits the run into its two outcomes (with
    their probabilities), every ``reset`` into its two collapse branches. Supports
    unitary gates, ``measure``, ``reset``, ``barrier``, ``delay`` and ``if_test`` on a
    single bit or register (no else-branch expressions); meant for small circuits.

    Args:
        circuit: The circuit (typically the original, uncompiled one).
        max_branches: Give up beyond this many live branches.
        tolerance: Branches below this probability are dropped.

    Returns:
        ``{bitstring: probability}`` over all clbits (clbit 0 last), probabilities
        summing to 1 within ``tolerance``.

    Raises:
        CircuitInputError: On an unsupported operation or too many branches.

    Examples:
        >>> qc = QuantumCircuit(1, 2); _ = qc.h(0); _ = qc.measure(0, 0)
        >>> _ = qc.reset(0); _ = qc.x(0); _ = qc.measure(0, 1)
        >>> exact_distribution(qc)
        {'10': 0.5, '11': 0.5}
    """
    n, m = circuit.num_qubits, circuit.num_clbits
    branches: list[tuple[float, Statevector, tuple[int, ...]]] = [
        (1.0, Statevector.from_label("0" * n), (0,) * m)]
    for inst in circuit.data:
        op = inst.operation
        qs = [circuit.find_bit(q).index for q in inst.qubits]
        cs = [circuit.find_bit(c).index for c in inst.clbits]
        nxt: list[tuple[float, Statevector, tuple[int, ...]]] = []
        for prob, state, bits in branches:
            nxt.extend(_step(circuit, op, qs, cs, prob, state, bits, tolerance))
        branches = nxt
        if len(branches) > max_branches:
            raise CircuitInputError(
                f"exact_distribution: {len(branches)} measurement branches exceed "
                f"max_branches={max_branches}; sample the circuit instead")
    out: dict[str, float] = {}
    for prob, _, bits in branches:
        key = "".join(str(b) for b in reversed(bits))
        out[key] = out.get(key, 0.0) + prob
    return {k: round(v, 12) for k, v in sorted(out.items())}


def _step(circuit, op, qs, cs, prob, state, bits, tolerance):
    name = op.name
    if name in ("barrier", "delay"):
        return [(prob, state, bits)]
    if name in ("measure", "reset"):
        out = []
        for outcome in (0, 1):
            projected = _project(state, qs[0], outcome)
            p = float(np.real(projected.inner(projected)))
            if p * prob <= tolerance:
                continue
            new = Statevector(projected.data / math.sqrt(p))
            new_bits = bits
            if name == "measure":
                new_bits = tuple(outcome if i == cs[0] else b for i, b in enumerate(bits))
            elif outcome:
                new = new.evolve(_x(), [qs[0]])
            out.append((prob * p, new, new_bits))
        return out
    if isinstance(op, IfElseOp):
        taken = evaluate(op.condition, lambda bit: bool(bits[circuit.find_bit(bit).index]))
        block = op.params[0] if taken else op.params[1]
        if block is None:
            return [(prob, state, bits)]
        branches = [(prob, state, bits)]
        outer_q = qs
        outer_c = cs
        for inner in block.data:
            iq = [outer_q[block.find_bit(q).index] for q in inner.qubits]
            ic = [outer_c[block.find_bit(c).index] for c in inner.clbits]
            branches = [b for pr, st, bi in branches
                        for b in _step(circuit, inner.operation, iq, ic, pr, st, bi, tolerance)]
        return branches
    if getattr(op, "_directive", False):
        return [(prob, state, bits)]
    try:
        return [(prob, state.evolve(op, qs), bits)]
    except Exception as exc:  # qiskit raises QiskitError for non-unitary operations
        raise CircuitInputError(
            f"exact_distribution cannot simulate '{name}': {exc}") from exc


def _x():
    from qiskit.circuit.library import XGate

    return XGate()


def _project(state: Statevector, qubit: int, outcome: int) -> Statevector:
    data = state.data.copy()
    idx = np.arange(len(data))
    data[((idx >> qubit) & 1) != outcome] = 0
    return Statevector(data, dims=state.dims())


def total_variation(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """Total variation distance ½ Σ |p(x) − q(x)| between two distributions or count tables.

    Count tables are normalised first.

    Examples:
        >>> total_variation({"0": 30, "1": 70}, {"0": 0.5, "1": 0.5})
        0.2
    """
    sp, sq = float(sum(p.values())), float(sum(q.values()))
    if sp <= 0 or sq <= 0:
        raise DQCError("total_variation of an empty distribution")
    keys = set(p) | set(q)
    return round(0.5 * sum(abs(p.get(k, 0) / sp - q.get(k, 0) / sq) for k in sorted(keys)), 12)


def tvd_bound(shots: int, outcomes: int, *, delta: float = 1e-6) -> float:
    """How far (in total variation) ``shots`` samples of a distribution stray, w.p. ≥ 1 − δ.

    For ``n = shots`` independent samples of a distribution ``p`` with ``K = outcomes``
    possible outcomes and empirical distribution ``p̂``:

    * ``E|p̂_i − p_i| ≤ sqrt(p_i (1 − p_i) / n)`` (Jensen), and by Cauchy–Schwarz
      ``Σ_i sqrt(p_i (1 − p_i)) ≤ sqrt(K (1 − Σ p_i²)) ≤ sqrt(K − 1)``, so
      ``E[TV(p̂, p)] ≤ ½ sqrt((K − 1) / n)``;
    * ``TV(p̂, p)`` changes by at most ``1/n`` when one sample changes, so by
      McDiarmid's inequality ``P(TV − E[TV] ≥ t) ≤ exp(−2 n t²)``.

    Hence ``TV(p̂, p) ≤ ½ sqrt((K − 1)/n) + sqrt(ln(1/δ) / (2n))`` with probability at
    least ``1 − δ``. Compare a sample of the compiled circuit with the *exact*
    distribution of the original (:func:`exact_distribution`); a distance above
    this bound means the circuits differ (or an event of probability ≤ δ happened).

    Examples:
        >>> round(tvd_bound(4000, 8), 4)        # 0.0209 + 0.0416
        0.0625
    """
    if shots < 1 or outcomes < 1 or not 0 < delta < 1:
        raise DQCError(
            f"tvd_bound needs shots >= 1, outcomes >= 1 and 0 < delta < 1; got shots={shots}, "
            f"outcomes={outcomes}, delta={delta}")
    return 0.5 * math.sqrt((outcomes - 1) / shots) + math.sqrt(math.log(1 / delta) / (2 * shots))
