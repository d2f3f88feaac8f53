"""Write a compiled circuit as OpenQASM 3: exact angles, and fast at a million gates.

:func:`dumps` writes what :func:`qiskit.qasm3.dumps` writes, byte for byte, for the
circuits dqc produces — registers only, gates of Qiskit's standard library (and ``epr``),
measurements, resets, barriers and ``if``/``else`` on one bit or one register — with two
differences:

* **Exact angles.** Qiskit writes each angle through
  :func:`qiskit.circuit.tools.pi_check`, which rounds: a value within 1e-9 of a multiple
  of π over a small integer is written as that fraction, and a value below 1e-9 as ``0``
  (qft_n63 compiled for 2 QPUs had 1,584 gates written as ``p(0)``/``cp(0)``: angles down
  to π/2^62 lost). Here an angle is written as ``pi_check`` writes it only when that text
  reads back as the same float; otherwise as Python's ``repr``, the shortest text that
  does.
* **Speed.** One pass of string formatting over the instructions (angles cached by
  value) instead of Qiskit's syntax tree: at 100,000 two-qubit gates the output of
  ``benchmarks.scale`` takes about a second rather than tens of seconds.

Gate definitions (``epr``, and standard gates that ``stdgates.inc`` lacks, such as
``rzz``) are Qiskit's own: a circuit with one instance of each, in first-use order, is
exported by Qiskit and its definitions are copied. Anything else — other custom gates,
symbolic parameters, classical expressions and variables, other control flow, loose
bits, a layout, register names Qiskit would rename — is written by
:func:`qiskit.qasm3.dumps` (with ``disable_constants=True`` where an angle would
otherwise be rounded, so the text is exact there too).

Examples:
    >>> from qiskit import QuantumCircuit, qasm3
    >>> qc = QuantumCircuit(2, 2)
    >>> _ = qc.h(0); _ = qc.cp(math.pi / 2**40, 0, 1); _ = qc.measure([0, 1], [0, 1])
    >>> print(dumps(qc), end="")
    OPENQASM 3.0;
    include "stdgates.inc";
    bit[2] c;
    qubit[2] q;
    h q[0];
    cp(2.857261873568671e-12) q[0], q[1];
    c[0] = measure q[0];
    c[1] = measure q[1];
    >>> qasm3.dumps(qc).splitlines()[5]       # Qiskit rounds the angle to 0
    'cp(0) q[0], q[1];'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from qiskit import QuantumCircuit, qasm3
from qiskit.circuit import ClassicalRegister, Clbit, ControlledGate, Instruction
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.circuit.tools import pi_check

__all__ = ["STDGATES", "dumps"]

#: Gates ``stdgates.inc`` declares (as Qiskit's exporter maps them), and ``U``.
STDGATES = frozenset({
    "p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "cx", "cy", "cz",
    "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "id", "u1", "u2", "u3"})

#: Names Qiskit's exporter does not let a register take (keywords, constants).
_RESERVED = frozenset({
    "OPENQASM", "angle", "array", "barrier", "bit", "bool", "box", "break", "cal", "complex",
    "const", "continue", "creg", "ctrl", "def", "defcal", "defcalgrammar", "delay", "duration",
    "durationof", "else", "end", "extern", "float", "for", "gate", "gphase", "if", "in",
    "include", "input", "int", "inv", "let", "measure", "mutable", "negctrl", "output", "pow",
    "qreg", "qubit", "reset", "return", "sizeof", "stretch", "uint", "while", "pi", "tau",
    "euler", "U", "CX", "phase", "cphase", "epr"})

#: Standard instructions that are not gate calls.
_NOT_GATES = frozenset({"measure", "reset", "delay", "global_phase", "barrier"})

_IDENTIFIER = re.compile(r"[a-zA-Z_][a-zA-Z_0-9]*")
_STANDARD = get_standard_gate_name_mapping()
_HEADER = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


class _Unsupported(Exception):
    """Something :func:`dumps` leaves to Qiskit's exporter."""


def dumps(circuit: QuantumCircuit) -> str:
    """``circuit`` as OpenQASM 3 text (module docstring).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(1); _ = qc.rz(math.pi / 2, 0); _ = qc.rz(0.1 + 1e-12, 0)
        >>> dumps(qc).splitlines()[3:]
        ['rz(pi/2) q[0];', 'rz(0.10000000000100001) q[0];']
    """
    try:
        return _Writer(circuit).text()
    except _Unsupported:
        return qasm3.dumps(circuit, disable_constants=_rounds_an_angle(circuit))


def angle(value: float) -> str:
    """How :func:`dumps` writes a parameter: ``pi_check``'s text where it reads back as
    the same float, else ``repr``.

    Examples:
        >>> angle(math.pi / 4), angle(3.0), angle(1e-12), angle(math.pi / 4 + 1e-12)
        ('pi/4', '3.0', '1e-12', '0.7853981633984483')
    """
    text = str(pi_check(value, output="qasm"))
    return text if _reads_back(text, value) else repr(float(value))


def _reads_back(text: str, value: float) -> bool:
    """Whether ``text`` (pi_check's: numbers, ``pi``, * / ** and a sign) evaluates to
    ``value`` exactly."""
    try:
        back = eval(text, {"__builtins__": {}, "pi": math.pi})  # noqa: S307 - pi_check's text
    except (SyntaxError, ZeroDivisionError, TypeError, NameError):
        return False
    return isinstance(back, (int, float)) and float(back) == float(value)


def _rounds_an_angle(circuit: QuantumCircuit) -> bool:
    """Whether Qiskit's exporter would round some numeric parameter of ``circuit``."""
    for inst in circuit.data:
        for param in inst.operation.params:
            if isinstance(param, QuantumCircuit):
                if _rounds_an_angle(param):
                    return True
            elif isinstance(param, (int, float)) and not isinstance(param, bool):
                if not _reads_back(str(pi_check(param, output="qasm")), param):
                    return True
    return False


class _Writer:
    """One pass over a circuit of the supported subset (module docstring)."""

    def __init__(self, circuit: QuantumCircuit) -> None:
        _check_registers(circuit)
        self.circuit = circuit
        self.qubit = {q: f"{reg.name}[{k}]" for reg in circuit.qregs for k, q in enumerate(reg)}
        self.clbit = {c: f"{reg.name}[{k}]" for reg in circuit.cregs for k, c in enumerate(reg)}
        self.angles: dict[tuple[type, float], str] = {}
        self.defined: dict[str, Instruction] = {}
        self.names: dict[tuple[type, str, Any], str] = {}
        self.lines: list[str] = []

    def text(self) -> str:
        """The whole program."""
        self.body(self.circuit, list(self.circuit.qubits), list(self.circuit.clbits), "")
        head = [_HEADER, _definitions(list(self.defined.values()))]
        head += [f"bit[{len(reg)}] {reg.name};\n" for reg in self.circuit.cregs]
        head += [f"qubit[{len(reg)}] {reg.name};\n" for reg in self.circuit.qregs]
        return "".join(head) + "".join(self.lines)

    def body(self, circuit: QuantumCircuit, qubits: list, clbits: list, pad: str) -> None:
        """Append the lines of ``circuit`` whose qubits and bits stand for ``qubits`` and
        ``clbits`` of the outer circuit."""
        top = circuit is self.circuit
        outer_q = {} if top else dict(zip(circuit.qubits, qubits))
        outer_c = {} if top else dict(zip(circuit.clbits, clbits))
        for inst in circuit.data:
            qs = [self.qubit[q if top else outer_q[q]] for q in inst.qubits]
            cs = [c if top else outer_c[c] for c in inst.clbits]
            name = inst.operation.name
            if name == "measure":
                self.lines.append(f"{pad}{self.clbit[cs[0]]} = measure {qs[0]};\n")
            elif name == "reset":
                self.lines.append(f"{pad}reset {qs[0]};\n")
            elif name == "barrier":
                self.lines.append(f"{pad}barrier {', '.join(qs)};\n")
            elif name == "if_else":
                self.branch(inst, [q if top else outer_q[q] for q in inst.qubits], cs,
                            outer_c, pad)
            else:
                self.lines.append(f"{pad}{self.call(inst.operation)} {', '.join(qs)};\n")

    def branch(self, inst: Any, qubits: list, clbits: list, outer: dict, pad: str) -> None:
        """An ``if`` (and ``else``) on one bit or one register (``outer``: the enclosing
        block's bits as the top circuit's, empty at the top)."""
        op = inst.operation
        self.lines.append(f"{pad}if ({self.condition(op.condition, outer)}) {{\n")
        true_body, false_body = op.params
        self.body(true_body, qubits, clbits, pad + "  ")
        if false_body is not None:
            self.lines.append(f"{pad}}} else {{\n")
            self.body(false_body, qubits, clbits, pad + "  ")
        self.lines.append(f"{pad}}}\n")

    def condition(self, condition: Any, outer: dict) -> str:
        """``(bit, value)`` or ``(register, value)`` as Qiskit writes it."""
        if not isinstance(condition, tuple):
            raise _Unsupported("a classical expression")
        target, value = condition
        target = outer.get(target, target)
        if isinstance(target, Clbit) and target in self.clbit:
            return self.clbit[target] if value else f"!{self.clbit[target]}"
        if isinstance(target, ClassicalRegister) and target in self.circuit.cregs:
            return f"{target.name} == {int(value)}"
        raise _Unsupported("a condition on bits outside the registers")

    def call(self, op: Instruction) -> str:
        """A gate's name and parameters."""
        key = (type(op), op.name, getattr(op, "ctrl_state", None))
        name = self.names.get(key)
        if name is None:
            name = self.names[key] = self.gate_name(op)
        params = op.params
        if not params:
            return name
        return f"{name}({', '.join(self.param(p) for p in params)})"

    def gate_name(self, op: Instruction) -> str:
        """The name a gate is called by, its definition noted where it needs one."""
        name = op.name
        if name == "epr" and not op.params:
            self.defined.setdefault(name, op)
        elif not _standard(op):
            raise _Unsupported(f"gate {name!r}")
        elif name == "u":
            name = "U"
        elif name not in STDGATES:
            self.defined.setdefault(name, op)
        return name

    def param(self, value: Any) -> str:
        """One numeric parameter (cached by type and value)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise _Unsupported("a symbolic or non-finite parameter")
        key = (type(value), value)
        text = self.angles.get(key)
        if text is None:
            text = self.angles[key] = angle(value)
        return text


def _standard(op: Instruction) -> bool:
    """Whether ``op`` is Qiskit's standard gate of its name, closed controls."""
    cls = _STANDARD.get(op.name)
    if cls is None or type(op) is not type(cls) or op.name in _NOT_GATES:
        return False
    if isinstance(op, ControlledGate):
        return bool(op.ctrl_state == 2**op.num_ctrl_qubits - 1)
    return True


def _check_registers(circuit: QuantumCircuit) -> None:
    """Refuse (to Qiskit's exporter) what it would declare or name otherwise."""
    if circuit.layout is not None or circuit.num_vars or getattr(circuit, "num_stretches", 0):
        raise _Unsupported("a layout or classical variables")
    names = [reg.name for reg in circuit.cregs + circuit.qregs]
    if len(set(names)) != len(names) or any(
            not _IDENTIFIER.fullmatch(n) or n in _RESERVED or n in STDGATES or n in _STANDARD
            for n in names):
        raise _Unsupported("a register name Qiskit would change")
    for bits, regs in ((circuit.qubits, circuit.qregs), (circuit.clbits, circuit.cregs)):
        if sum(len(r) for r in regs) != len(bits) or any(not len(r) for r in regs) or \
                len({b for r in regs for b in r}) != len(bits):
            raise _Unsupported("loose, shared or empty registers")


def _definitions(gates: list[Instruction]) -> str:
    """Qiskit's definitions of ``gates`` (first-use order), or "" for none."""
    if not gates:
        return ""
    width = max(g.num_qubits for g in gates)
    probe = QuantumCircuit(width)
    for gate in gates:
        probe.append(gate, range(gate.num_qubits))
    text = qasm3.dumps(probe)
    head, _, tail = text.partition(f"qubit[{width}] q;\n")
    calls = list(_calls(tail))
    if calls != [g.name if g.name != "u" else "U" for g in gates]:
        raise _Unsupported("a gate Qiskit renames")
    return head[len(_HEADER):]


def _calls(tail: str) -> Iterator[str]:
    """The gate name of each line of a probe's body."""
    for line in tail.splitlines():
        yield re.split(r"[ (]", line, maxsplit=1)[0]
