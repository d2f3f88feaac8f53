"""Exact equivalence of non-Clifford outputs by Pauli rotations (``pauli-rotations``).

No extra dependency: stim's tableaux and NumPy. Both circuits are first made unitaries
``U`` (the input) and ``V`` (the compiled circuit) of one width, measurements deferred
and every comm-qubit life a fresh ancilla (:func:`~dqc.verification.unitary_pair.defer_pair`,
whose docstring says why the pair stands for the compile).
Both are translated by Qiskit into Clifford gates and ``rz`` rotations (angles that are
multiples of π/2 become Clifford gates), and the *miter* ``M = U† V`` is formed, and:

1. **Every rotation is pulled to the start.** Writing the miter's gates in time order,
   ``rz(θ)`` on qubit ``q`` after the Clifford prefix ``C`` equals ``C · exp(-iθ/2 P)``
   with ``P = C† Z_q C``, a Pauli string read off the inverse tableau of ``C`` (kept by
   stim, one ``prepend`` per gate). So ``M = C_M · R_N ··· R_1`` with ``R_k =
   exp(-iθ_k/2 P_k)``, ``R_1`` applied first, ``C_M`` the Clifford part of ``M``.
2. **Ancillas start in |0>.** On the inputs ``|x> ⊗ |0>`` a Pauli ``P_d ⊗ Z_A`` (only
   ``I`` or ``Z`` on the ancillas) acts as ``P_d ⊗ 1``, and so does its rotation, which
   keeps the ancillas in ``|0>``; the ``Z``'s are dropped. A rotation with ``X`` or ``Y``
   on an ancilla leaves the method without a proof (:class:`NotProved`). The auxiliary
   qubits of the input's own deferred measurements and resets are used by both circuits
   alike (a rotation after a reset acts on one): they are treated as inputs, which proves
   more than needed (``V |x, a, 0> = U |x, a, 0>`` for every ``a``, not only ``a = 0``).
3. **Rotations merge.** ``R_P(a)`` and a later ``R_P(b)`` (same Pauli up to sign; a sign
   flips the angle) become ``R_P(a + b)`` when every rotation between them commutes with
   ``P`` (then ``R_P(b)`` moves past them). A rotation whose angle reaches a multiple of
   2π is ``±1`` and goes. Merging repeats until nothing changes.
4. **What is left must be nothing.** If no rotation is left, ``M |x, 0> = C_M |x, 0>``
   up to a global phase. The Clifford ``C_M`` is checked with a Choi state in
   ``stim.TableauSimulator``: every input (and auxiliary) qubit in a Bell pair with a
   reference qubit, the comm/measured lives ``|0>``; after ``C_M`` every ``X_i X_ref_i``
   and ``Z_i Z_ref_i`` must read +1 with certainty. Those stabilizers fix the inputs and
   references to the Bell pairs, so the lives are left in a state ``|g>`` of their own
   that does not depend on the input: ``C_M |x, 0> = |x> ⊗ |g>`` for every ``x`` up to one
   global phase, hence ``V |x, 0> = (U |x>) ⊗ |g>``. Tracing out the lives (measured or
   discarded) leaves exactly the input's channel. This asks less than ``qcec-dd``, whose
   lives must end in ``|0>``: a measured qubit that had to be copied, or a protocol
   measurement entangled with the input's own deferred outcomes, is no obstacle here.

Every step is an identity, so a proof is a proof; the converse does not hold: rotations
left over (a different but equivalent decomposition, a commutation the Pauli picture does
not see) or an ``X`` on an ancilla give :class:`NotProved` with the reason, never a
"not equivalent". Angles are compared within :data:`ANGLE_TOLERANCE` radians.

Examples:
    >>> import dqc
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.t(1); _ = qc.cp(0.3, 0, 1)
    >>> res = dqc.compile(qc, dqc.Network.line(2, data_qubits=1))
    >>> proof = check_by_pauli_rotations(qc, res.circuit, res.report)
    >>> print(proof)  # doctest: +NORMALIZE_WHITESPACE
    Pauli rotations on 4 qubits (2 input, 0 auxiliary, 2 comm/measured lives): 8 rotations
    of the compiled circuit and its input cancel, Clifford remainder is the identity on the
    inputs (lives left in a fixed state)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import stim
from qiskit import QuantumCircuit, transpile

from dqc.errors import plural
from dqc.estimation.report import Report
from dqc.verification.unitary_pair import Deferred, NotProved, defer_pair

__all__ = ["ANGLE_TOLERANCE", "METHOD", "check_by_pauli_rotations", "prove_pair"]

#: The method name :func:`dqc.verify` reports for a proof by this module.
METHOD = "pauli-rotations"
#: Merged angles within this many radians of a multiple of 2π are zero; angles within it
#: of a multiple of π/2 are Clifford gates.
ANGLE_TOLERANCE = 1e-9
#: Merged-away rotations kept before :class:`_Rotations` compacts its arrays (at least).
COMPACT_AT = 1024
#: Qiskit gate -> stim gate of its *inverse* (prepended to the inverse tableau).
_INVERSE = {"h": "H", "s": "S_DAG", "sdg": "S", "x": "X", "y": "Y", "z": "Z", "sx": "SQRT_X_DAG",
            "sxdg": "SQRT_X", "cx": "CX", "cz": "CZ", "cy": "CY", "swap": "SWAP"}
_BASIS = [*_INVERSE, "rz"]
#: rz(k·π/2) for k = 1, 2, 3 as Clifford gates (up to a global phase).
_QUARTER_TURNS = {1: "s", 2: "z", 3: "sdg"}
_SKIPPED = ("id", "barrier", "delay")


def check_by_pauli_rotations(unrolled: QuantumCircuit, compiled: QuantumCircuit,
                             rep: Report) -> str:
    """Prove ``compiled`` equivalent to ``unrolled`` (module docstring); return what was
    proved. Raises :class:`NotProved` when the method cannot, with the reason."""
    return prove_pair(defer_pair(unrolled, compiled, rep))


def prove_pair(pair: Deferred) -> str:
    """Prove ``pair.compiled |x, 0> = (pair.original |x>) ⊗ |g>`` for every ``x`` and one
    state ``|g>`` of the comm/measured lives (module docstring), or raise
    :class:`NotProved`."""
    basic = _clifford_rz(pair.compiled).compose(_clifford_rz(pair.original).inverse())
    fresh = sorted(set(pair.ancillas) - set(pair.aux_qubits))
    frame = _Frame(pair.width, set(fresh))
    for inst in basic.data:
        qubits = [basic.find_bit(q).index for q in inst.qubits]
        frame.apply(inst.name, qubits, inst.params)
    total = frame.rotations.total
    left = frame.rotations.settle()
    what = (f"Pauli rotations on {plural(pair.width, 'qubit')} ({pair.inputs} input, "
            f"{pair.aux} auxiliary, {pair.width - pair.inputs - pair.aux} comm/measured lives)")
    if left:
        raise NotProved(f"{what}: {left} of {plural(total, 'rotation')} left after merging")
    _check_clifford_identity(frame.inverse, fresh, pair.width)
    return (f"{what}: {plural(total, 'rotation')} of the compiled circuit and its input "
            "cancel, Clifford remainder is the identity on the inputs (lives left in a fixed "
            "state)")


def _clifford_rz(circuit: QuantumCircuit) -> QuantumCircuit:
    """``circuit`` in Clifford gates and ``rz`` (Qiskit's translation). Each circuit is
    translated before the input is inverted: the inverse of a translated gate is then the
    translation's gates inverted in reverse, rotation for rotation (translating the
    inverse ``u(-θ, -λ, -φ)`` gives other Euler angles, which do not cancel)."""
    try:
        return transpile(circuit, basis_gates=_BASIS, optimization_level=0)
    except Exception as exc:  # noqa: BLE001 - a gate Qiskit cannot translate: no proof
        raise NotProved(f"Qiskit could not write the circuits in Clifford+rz: {exc}") from None


@dataclass
class _Frame:
    """The inverse tableau of the Clifford prefix, and the rotations pulled to the start."""

    width: int
    ancillas: set[int]
    inverse: stim.Tableau = field(init=False)
    rotations: _Rotations = field(init=False)
    _gates: dict[str, stim.Tableau] = field(default_factory=dict)
    _ancilla_mask: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.inverse = stim.Tableau(self.width)
        self.rotations = _Rotations(self.width)
        mask = np.zeros(self.width, dtype=bool)
        mask[sorted(self.ancillas)] = True
        self._ancilla_mask = mask

    def apply(self, name: str, qubits: list[int], params: list) -> None:
        if name in _SKIPPED:
            return
        if name == "rz":
            try:
                theta = float(params[0])
            except TypeError:  # an unbound parameter
                raise NotProved(f"a rotation by {params[0]}, not a number") from None
            quarter = theta / (math.pi / 2)
            k = round(quarter)
            if abs(quarter - k) * math.pi / 2 < ANGLE_TOLERANCE:
                if k % 4:
                    self.apply(_QUARTER_TURNS[k % 4], qubits, [])
                return
            self._rotate(qubits[0], theta)
            return
        if name not in _INVERSE:
            raise NotProved(f"a '{name}' gate after translation to Clifford+rz")
        gate = self._gates.get(name)
        if gate is None:
            gate = self._gates[name] = stim.Tableau.from_named_gate(_INVERSE[name])
        self.inverse.prepend(gate, qubits)

    def _rotate(self, q: int, theta: float) -> None:
        pauli = self.inverse.z_output(q)
        xs, zs = pauli.to_numpy()
        if np.any(xs & self._ancilla_mask):
            raise NotProved(f"a rotation acts on an ancilla as X or Y ({pauli})")
        zs = zs & ~self._ancilla_mask
        sign = pauli.sign.real
        self.rotations.add(xs, zs, theta * sign)


class _Rotations:
    """Pauli rotations in the order they act, merged as they come (module docstring, 3).

    Paulis are bit-packed (64 qubits a word); a dictionary finds the latest live rotation
    with the same Pauli, and one vectorised test checks that every live rotation after it
    commutes with the new one. When more than half of the rotations kept have merged away,
    the arrays are compacted (order kept), so that the test reads live rotations rather
    than the dead ones between (a miter's two halves cancel from the middle out, and
    without it the test grew with every rotation of the circuit).
    """

    def __init__(self, width: int) -> None:
        self.words = max(1, (width + 63) // 64)
        self.x = np.zeros((64, self.words), dtype=np.uint64)
        self.z = np.zeros((64, self.words), dtype=np.uint64)
        self.theta = np.zeros(64)
        self.alive = np.zeros(64, dtype=bool)
        self.size = 0
        self.total = 0
        self.dead = 0  # merged away, still in the arrays
        self.latest: dict[bytes, list[int]] = {}

    def add(self, xs: np.ndarray, zs: np.ndarray, theta: float) -> None:
        self.total += 1
        self._add(_pack(xs, self.words), _pack(zs, self.words), theta)

    def _add(self, x: np.ndarray, z: np.ndarray, theta: float) -> None:
        if not (x.any() or z.any()):
            return  # a rotation about the identity: a global phase
        key = x.tobytes() + z.tobytes()
        stack = self.latest.get(key)
        while stack and not self.alive[stack[-1]]:
            stack.pop()
        if stack and not self._blocked(stack[-1], x, z):
            i = stack[-1]
            self.theta[i] += theta
            if _is_zero(self.theta[i]):
                self.alive[i] = False
                stack.pop()
                self.dead += 1
                if self.dead > max(COMPACT_AT, self.size // 2):
                    self._compact()
            return
        self._append(key, x, z, theta)

    def _compact(self) -> None:
        """Drop the rotations merged away, keeping the order of the live ones."""
        live = np.flatnonzero(self.alive[: self.size])
        new = np.full(self.size, -1, dtype=np.int64)
        new[live] = np.arange(len(live))
        n = len(live)
        self.x[:n], self.z[:n], self.theta[:n] = self.x[live], self.z[live], self.theta[live]
        self.alive[:n], self.alive[n:] = True, False
        self.latest = {key: kept for key, stack in self.latest.items()
                       if (kept := [int(new[i]) for i in stack if new[i] >= 0])}
        self.size, self.dead = n, 0

    def _blocked(self, i: int, x: np.ndarray, z: np.ndarray) -> bool:
        """Whether a live rotation after ``i`` anticommutes with Pauli ``(x, z)``."""
        span = slice(i + 1, self.size)
        live = self.alive[span]
        if not live.any():
            return False
        overlap = np.bitwise_xor.reduce((self.x[span] & z) ^ (self.z[span] & x), axis=1)
        return bool(np.any(_parity(overlap) & live))

    def _append(self, key: bytes, x: np.ndarray, z: np.ndarray, theta: float) -> None:
        if self.size == len(self.theta):
            grow = len(self.theta)
            self.x = np.concatenate([self.x, np.zeros_like(self.x)])
            self.z = np.concatenate([self.z, np.zeros_like(self.z)])
            self.theta = np.concatenate([self.theta, np.zeros(grow)])
            self.alive = np.concatenate([self.alive, np.zeros(grow, dtype=bool)])
        i = self.size
        self.x[i], self.z[i], self.theta[i], self.alive[i] = x, z, theta, True
        self.size += 1
        self.latest.setdefault(key, []).append(i)

    def settle(self) -> int:
        """Merge again from scratch until nothing changes; return how many are left."""
        left = int(self.alive[: self.size].sum())
        while left:
            live = np.flatnonzero(self.alive[: self.size])
            x, z, theta = self.x[live], self.z[live], self.theta[live]
            self.size, self.latest, self.dead = 0, {}, 0
            self.alive[:] = False
            for k in range(len(live)):
                self._add(x[k], z[k], float(theta[k]))
            now = int(self.alive[: self.size].sum())
            if now == left:
                break
            left = now
        return left


def _pack(bits: np.ndarray, words: int) -> np.ndarray:
    """Booleans to little-endian 64-bit words (qubit ``q`` is bit ``q % 64`` of word
    ``q // 64``)."""
    padded = np.zeros(words * 64, dtype=bool)
    padded[: len(bits)] = bits
    return np.packbits(padded, bitorder="little").view(np.uint64)


def _parity(words: np.ndarray) -> np.ndarray:
    """Parity of the set bits of each 64-bit word."""
    v = words.copy()
    for shift in (32, 16, 8, 4):
        v ^= v >> np.uint64(shift)
    return ((np.uint64(0x6996) >> (v & np.uint64(0xF))) & np.uint64(1)).astype(bool)


def _is_zero(theta: float) -> bool:
    """Whether an angle is a multiple of 2π (a rotation by it is ±1)."""
    turns = theta / (2 * math.pi)
    return abs(turns - round(turns)) * 2 * math.pi < ANGLE_TOLERANCE


def _check_clifford_identity(inverse: stim.Tableau, lives: list[int], width: int) -> None:
    """Raise :class:`NotProved` unless the Clifford whose inverse tableau is ``inverse``
    maps every ``|x> ⊗ |0>`` (``|0>`` on ``lives``, ``x`` on the other qubits) to
    ``|x> ⊗ |g>`` for one ``|g>``, up to one global phase (module docstring, 4)."""
    inputs = sorted(set(range(width)) - set(lives))
    sim = stim.TableauSimulator()
    sim.set_num_qubits(width + len(inputs))
    for k, q in enumerate(inputs):
        sim.h(width + k)
        sim.cx(width + k, q)
    sim.do_tableau(inverse.inverse(), list(range(width)))
    for k, q in enumerate(inputs):
        for p in "XZ":
            stabilizer = stim.PauliString(width + len(inputs))
            stabilizer[q] = stabilizer[width + k] = p
            if sim.peek_observable_expectation(stabilizer) != 1:
                raise NotProved(f"the Clifford remainder does not keep input qubit {q} ({p})")
