"""Read input circuits: OpenQASM 2, OpenQASM 3, or a Python file that builds one."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
from pathlib import Path

from qiskit import QuantumCircuit, qasm2, qasm3

from dqc.errors import CircuitInputError

_VERSION = re.compile(r"^\s*OPENQASM\s+(\d+)(?:\.\d+)?\s*;", re.MULTILINE)
_QASM2_HINT = re.compile(r"\b(qreg|creg)\b|qelib1\.inc")
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


def qasm_version(text: str) -> int:
    """The OpenQASM major version a program declares.

    Without a header, a program that uses ``qreg``, ``creg`` or ``qelib1.inc``
    is OpenQASM 2 (several published benchmarks omit the header); otherwise 3.

    Examples:
        >>> qasm_version('OPENQASM 2.0;\\ninclude "qelib1.inc";')
        2
        >>> qasm_version('// comment\\nOPENQASM 3.0;')
        3
    """
    code = _COMMENTS.sub("", text)
    match = _VERSION.search(code)
    if match:
        return int(match.group(1))
    return 2 if _QASM2_HINT.search(code) else 3


def loads_qasm(text: str, *, source: str = "<string>") -> QuantumCircuit:
    """Parse OpenQASM 2 or 3 text (the version is detected from its header).

    OpenQASM 2 is read with Qiskit's legacy gate definitions, so the full
    ``qelib1.inc`` gate set (``cu1``, ``rzz``, ...) is understood as standard gates.

    Examples:
        >>> loads_qasm('OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; cx q[0], q[1];').num_qubits
        2
    """
    version = qasm_version(text)
    try:
        if version == 2:
            return qasm2.loads(
                text,
                custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS,
                include_path=(str(Path(source).parent),) if source != "<string>" else (".",),
            )
        if version == 3:
            # ANTLR's default listener prints syntax errors to stderr; the exception says it all.
            with contextlib.redirect_stderr(io.StringIO()):
                return qasm3.loads(text)
    except qasm2.QASM2ParseError as exc:
        raise CircuitInputError(f"malformed OpenQASM 2 in {source}: {exc}") from None
    except qasm3.QASM3ImporterError as exc:
        raise CircuitInputError(f"malformed OpenQASM 3 in {source}: {_first_line(exc)}") from None
    except Exception as exc:  # the QASM 3 parser raises its own exception types
        raise CircuitInputError(
            f"malformed OpenQASM {version} in {source}: {_first_line(exc)}"
        ) from None
    raise CircuitInputError(f"{source} declares OPENQASM {version}; dqc reads versions 2 and 3")


def load_circuit(path: str | Path) -> QuantumCircuit:
    """Load a circuit from a ``.qasm`` file (OpenQASM 2 or 3) or a ``.py`` file.

    A Python file is run and must leave a ``QuantumCircuit`` in a module-level
    variable named ``circuit`` or ``qc`` (or exactly one module-level circuit).

    Raises:
        CircuitInputError: the file is missing, unreadable or malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise CircuitInputError(f"input file '{path}' not found")
    if path.suffix == ".py":
        return _load_python(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CircuitInputError(f"cannot read '{path}': {exc}") from None
    return loads_qasm(text, source=str(path))


def _load_python(path: Path) -> QuantumCircuit:
    try:
        namespace = runpy.run_path(str(path), run_name="__dqc_input__")
    except Exception as exc:
        raise CircuitInputError(
            f"running '{path}' failed: {type(exc).__name__}: {_first_line(exc)}"
        ) from None
    for name in ("circuit", "qc"):
        if isinstance(namespace.get(name), QuantumCircuit):
            return namespace[name]
    found = [k for k, v in namespace.items() if isinstance(v, QuantumCircuit)]
    if len(found) == 1:
        return namespace[found[0]]
    raise CircuitInputError(
        f"'{path}' must define a QuantumCircuit named 'circuit' or 'qc' "
        f"(found {len(found)} circuits: {', '.join(sorted(found)) or 'none'})"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else _parser_position(exc) or type(exc).__name__


def _parser_position(exc: BaseException) -> str | None:
    """Where an ANTLR parse of OpenQASM 3 bailed out (its exceptions carry no message)."""
    todo, steps = [exc], 0
    while todo and steps < 10:
        cur = todo.pop()
        steps += 1
        token = getattr(cur, "offendingToken", None)
        if token is not None and getattr(token, "line", None) is not None:
            return f"line {token.line}, column {token.column + 1}: unexpected {token.text!r}"
        todo.extend(a for a in getattr(cur, "args", ()) if isinstance(a, BaseException))
        if cur.__cause__ is not None:
            todo.append(cur.__cause__)
    return None
