"""Translate Qiskit circuits (as dqc emits and reads them) into stim circuits.

Used by :mod:`dqc.verify`. Clifford gates map exactly; with ``skeleton=True``
every rotation by a non-Clifford angle is replaced by the same rotation by
π/2 (``t`` → ``s``), which keeps Z-diagonal gates Z-diagonal and non-diagonal
gates non-diagonal, so the skeleton of a compiled circuit is the compiled
skeleton of its input.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import stim
from qiskit import QuantumCircuit
from qiskit.circuit import Clbit
from qiskit.quantum_info import random_clifford

from dqc.errors import VerificationError
from dqc.gates import BLOCKS
from dqc.verification.deferral import Wires

_FIXED: dict[str, list[tuple]] = {
    "id": [], "x": [("X",)], "y": [("Y",)], "z": [("Z",)], "h": [("H",)],
    "s": [("S",)], "sdg": [("S_DAG",)], "sx": [("SQRT_X",)], "sxdg": [("SQRT_X_DAG",)],
    "cx": [("CX",)], "cy": [("CY",)], "cz": [("CZ",)], "swap": [("SWAP",)],
    "epr": [("H", 0), ("CX",)],
}
_QUARTER = {  # rotation axis -> stim gate for k quarter turns (k = 0..3)
    "z": ("I", "S", "Z", "S_DAG"),
    "x": ("I", "SQRT_X", "X", "SQRT_X_DAG"),
    "y": ("I", "SQRT_Y", "Y", "SQRT_Y_DAG"),
    "zz": ("I", "SQRT_ZZ", "ZZ", "SQRT_ZZ_DAG"),
}
_PAULI_CONTROL = {"x": "CX", "y": "CY", "z": "CZ"}


class NonClifford(Exception):
    """A gate has no exact Clifford translation."""


def quarter_turns(theta: float, skeleton: bool) -> int:
    """``theta`` in quarter turns (0..3); a non-Clifford angle is 1 in a skeleton.

    Examples:
        >>> quarter_turns(math.pi, False), quarter_turns(-math.pi / 2, False)
        (2, 3)
        >>> quarter_turns(0.3, True)
        1
    """
    k = theta / (math.pi / 2)
    r = round(k)
    if abs(k - r) > 1e-9:
        if not skeleton:
            raise NonClifford(f"angle {theta}")
        return 1
    return r % 4


@dataclass
class StimCircuit:
    """A translated circuit and what the translation saw."""

    circuit: stim.Circuit = field(default_factory=stim.Circuit)
    num_measurements: int = 0
    snapped: int = 0  # gates replaced by their Clifford skeleton
    blocks: list = field(default_factory=list)  # (wires, operation) of each kept block
    lines: list[str] = field(default_factory=list)  # stim text, parsed once at the end


class Translator:
    """Translate one Qiskit circuit into stim, with hooks for dqc's verification.

    Args:
        circuit: the circuit.
        qubit_index: stim qubit of each circuit qubit (by position).
        skeleton: replace non-Clifford rotations (see module docstring).
        aux: ``(event, index, occurrence) -> stim qubit`` for deferred events, where
            event is ``"measure"`` (index: input clbit) or ``"reset"`` (index: input qubit).
        measured_bits: ``clbit -> input clbit index``; the j-th measurement into such
            a clbit becomes ``CX q aux[("measure", index, j)]`` (deferred measurement).
        wires: the wire each circuit qubit holds (see :class:`dqc.verification.deferral.Wires`); the
            j-th reset of a qubit holding wire w becomes ``SWAP q aux[("reset", w, j)]``,
            a reset of a qubit holding no wire (a comm qubit) stays a reset.
    """

    def __init__(self, circuit: QuantumCircuit, qubit_index: list[int], *, skeleton: bool,
                 aux: Callable[[tuple], int], measured_bits: dict[Clbit, int],
                 wires: Wires) -> None:
        self.qc = circuit
        self.qubit_index = qubit_index
        self.stim_qubit = {q: qubit_index[k] for k, q in enumerate(circuit.qubits)}
        self.skeleton = skeleton
        self.aux = aux
        self.measured_bits = measured_bits
        self.wires = wires
        self.out = StimCircuit()
        self.record: dict[Clbit, int] = {}
        self.writes: dict[Clbit, int] = {}
        self.resets: dict[int, int] = {}

    def run(self) -> StimCircuit:
        for inst in self.qc.data:
            self._instruction(inst)
        self.out.circuit = stim.Circuit("\n".join(self.out.lines))
        self.out.lines = []
        return self.out

    def _q(self, bit) -> int:
        return self.stim_qubit[bit]

    def _append(self, name: str, targets: list) -> None:
        if name != "I":
            self.out.lines.append(f"{name} {' '.join(map(str, targets))}")

    def _instruction(self, inst) -> None:
        op = inst.operation
        name = op.name
        qs = [self._q(q) for q in inst.qubits]
        if name in ("barrier", "delay"):
            return
        if name == "measure":
            clbit = inst.clbits[0]
            if clbit in self.measured_bits:
                j = self.writes.get(clbit, 0)
                self.writes[clbit] = j + 1
                self._append("CX", [qs[0], self.aux(("measure", self.measured_bits[clbit], j))])
            else:
                self.wires.measured(self.qc.find_bit(inst.qubits[0]).index)
                self._append("M", qs)
                self.record[clbit] = self.out.num_measurements
                self.out.num_measurements += 1
            return
        if name == "reset":
            wire = self.wires.wire(self.qc.find_bit(inst.qubits[0]).index)
            if wire is not None:
                j = self.resets.get(wire, 0)
                self.resets[wire] = j + 1
                self._append("SWAP", [qs[0], self.aux(("reset", wire, j))])
            else:
                self._append("R", qs)
            return
        if name == "swap":
            self.wires.swap(*(self.qc.find_bit(q).index for q in inst.qubits))
        if name == "if_else":
            self._feed_forward(inst)
            return
        if name in BLOCKS:
            self._surrogate(inst, qs)
            return
        try:
            self._gate(name, [float(p) for p in op.params], qs)
        except NonClifford:
            raise
        except (TypeError, ValueError) as exc:
            raise VerificationError(f"cannot translate '{name}' to stim: {exc}") from None

    def _gate(self, name: str, params: list[float], qs: list[int]) -> None:
        if name in _FIXED:
            for entry in _FIXED[name]:
                targets = qs if len(entry) == 1 else [qs[entry[1]]]
                self._append(entry[0], targets)
            return
        sk = self.skeleton
        if name in ("t", "tdg"):
            if not sk:
                raise NonClifford(name)
            self.out.snapped += 1
            self._append("S" if name == "t" else "S_DAG", qs)
        elif name in ("rz", "p", "u1"):
            self._rotation("z", params[0], qs)
        elif name in ("rx", "ry"):
            self._rotation(name[1], params[0], qs)
        elif name in ("u", "u3", "u2"):  # u(θ, φ, λ) = rz(φ) ry(θ) rz(λ) up to phase
            theta, phi, lam = (math.pi / 2, *params) if name == "u2" else params
            self._rotation("z", lam, qs)
            self._rotation("y", theta, qs)
            self._rotation("z", phi, qs)
        elif name == "rzz":
            self._rotation("zz", params[0], qs)
        elif name == "cp":  # diag(1, 1, 1, e^{iθ}): identity or CZ
            k = self._turns(params[0], 2)  # half turns
            self._append("CZ" if k % 2 else "I", qs)
        elif name == "crz":  # |1><1| ⊗ rz(θ): rz(2π·m) = ±I, rz(π) = -iZ
            k = self._turns(params[0], 2)  # half turns of θ, 0..3
            if k % 2:
                self._append("CZ", qs)
                self._append("S_DAG" if k == 1 else "S", [qs[0]])
            elif k == 2:
                self._append("Z", [qs[0]])
        else:
            raise NonClifford(name)

    def _turns(self, theta: float, per_half: int) -> int:
        """``theta`` in half turns (0..3); a non-Clifford angle is 1 in a skeleton."""
        k = theta / math.pi
        r = round(k)
        if abs(k - r) > 1e-9:
            if not self.skeleton:
                raise NonClifford(f"angle {theta}")
            self.out.snapped += 1
            return 1
        return r % 4

    def _rotation(self, axis: str, theta: float, qs: list[int]) -> None:
        k = theta / (math.pi / 2)
        if abs(k - round(k)) > 1e-9:
            if not self.skeleton:
                raise NonClifford(f"angle {theta}")
            self.out.snapped += 1
        gate = _QUARTER[axis][quarter_turns(theta, True)]
        if gate == "ZZ":
            self._append("Z", qs)
        else:
            self._append(gate, qs)

    def _feed_forward(self, inst) -> None:
        op = inst.operation
        condition = op.condition
        if op.params[1] is not None or not isinstance(condition, tuple):
            raise VerificationError("feed-forward must be 'if (bit) { paulis }' with no else")
        clbit, value = condition
        if clbit in self.measured_bits:
            self._deferred_feed_forward(inst, clbit, value)
            return
        if not isinstance(clbit, Clbit) or clbit not in self.record:
            raise VerificationError(
                "feed-forward is conditioned on a bit no protocol measurement wrote"
            )
        lookback = self.out.num_measurements - self.record[clbit]
        body: QuantumCircuit = op.params[0]
        for binst in body.data:
            bname = binst.operation.name
            if bname not in _PAULI_CONTROL:
                raise VerificationError(
                    f"feed-forward applies '{bname}'; only Pauli corrections (x, y, z) are verified"
                )
            outer = inst.qubits[body.find_bit(binst.qubits[0]).index]
            q = self._q(outer)
            if not value:
                self._append(bname.upper(), [q])
            self.out.lines.append(f"{_PAULI_CONTROL[bname]} rec[-{lookback}] {q}")

    def _deferred_feed_forward(self, inst, clbit: Clbit, value) -> None:
        """``if (bit) { P q }`` on an input bit: ``C-P(aux, q)``, where ``aux`` holds the
        bit's last deferred measurement (deferred measurement principle); a bit never
        written reads 0 (see :mod:`dqc.verification.branches`)."""
        body: QuantumCircuit = inst.operation.params[0]
        j = self.writes.get(clbit, 0)
        for binst in body.data:
            bname = binst.operation.name
            if bname not in _PAULI_CONTROL:
                raise VerificationError(
                    f"'{bname}' conditioned on an input bit cannot be deferred in stim")
            q = self._q(inst.qubits[body.find_bit(binst.qubits[0]).index])
            if not value:
                self._append(bname.upper(), [q])
            if j:
                aux = self.aux(("measure", self.measured_bits[clbit], j - 1))
                self._append(_PAULI_CONTROL[bname], [aux, q])

    def _surrogate(self, inst, qs: list[int]) -> None:
        """A block kept whole (a ``while_loop``): record it with the input wires its qubits
        hold, and stand in a random Clifford for it, drawn from those wires and the
        occurrence (so the input's and the compiled copy's get the same one)."""
        wires = tuple(self.wires.wire(self.qc.find_bit(q).index) for q in inst.qubits)
        if None in wires:
            raise VerificationError(
                f"'{inst.name}' acts on a qubit that holds no input state")
        seen = sum(1 for w, _ in self.out.blocks if w == wires)
        self.out.blocks.append((wires, inst.operation))
        seed = zlib.crc32(repr((wires, seen)).encode())
        stand_in = random_clifford(len(qs), seed=seed).to_circuit()
        for gate in stand_in.data:
            self._gate(gate.name, [], [qs[stand_in.find_bit(q).index] for q in gate.qubits])
