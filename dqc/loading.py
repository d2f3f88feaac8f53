"""Read input circuits: OpenQASM 2, OpenQASM 3, or a Python file that builds one."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
import sys
from pathlib import Path
from typing import Any

from qiskit import QuantumCircuit, qasm2, qasm3
from qiskit.circuit.library import get_standard_gate_name_mapping

from dqc.errors import CircuitInputError, plural
from dqc.gates import check_nesting

_VERSION = re.compile(r"^\s*OPENQASM\s+(\d+)(?:\.\d+)?\s*;", re.MULTILINE)
_QASM2_HINT = re.compile(r"\b(qreg|creg)\b|qelib1\.inc")
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
STANDARD_GATES = frozenset(get_standard_gate_name_mapping())

#: The most qubits an input may declare. It admits the largest circuits dqc is built
#: for (10,000 qubits and 1,000,000 two-qubit gates compile in a few GiB) with room to
#: spare, and refuses before parsing a declaration that would exhaust the machine
#: (``qreg q[1000000000];``).
MAX_QUBITS = 100_000
#: The most classical bits an input may declare (ten per qubit of :data:`MAX_QUBITS`).
MAX_CLBITS = 10 * MAX_QUBITS
_REGISTERS = re.compile(
    r"\b(?P<kind>qreg|creg)\s+\w+\s*\[\s*(?P<size>\d+)\s*\]"
    r"|\b(?P<kind3>qubit|bit)\s*\[\s*(?P<size3>\d+)\s*\]")


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
    Errors name the source and, where the parser knows it, the line and column; an
    empty program and a program without an ``OPENQASM`` header that fails to parse
    say so and name the header line to add.

    Raises:
        CircuitInputError: the text is empty, malformed, or declares another version.

    Examples:
        >>> loads_qasm('OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; cx q[0], q[1];').num_qubits
        2
        >>> try:
        ...     loads_qasm('OPENQASM 3.0; include "stdgates.inc";\\nqubit[2] q;\\nh q[2];')
        ... except CircuitInputError as exc:
        ...     print(exc)
        malformed OpenQASM 3 in <string>: line 3, column 3: index out of range: q[2]
    """
    if not _COMMENTS.sub("", text).strip():
        raise CircuitInputError(
            f"{source} is empty: expected an OpenQASM 2 or 3 program starting with "
            f"'OPENQASM 3.0;' (or 'OPENQASM 2.0;')")
    _check_size(text, source)
    version = qasm_version(text)
    try:
        circuit = _parse(text, version, source)
    except CircuitInputError as exc:
        if _VERSION.search(_COMMENTS.sub("", text)):
            raise
        header = HEADERS[version]
        raise CircuitInputError(
            f"{exc}; the file has no OpenQASM header: start it with '{header}'") from None
    check_nesting(circuit, source)
    return circuit


def _check_size(text: str, source: str) -> None:
    """Refuse a program whose register declarations exceed :data:`MAX_QUBITS` qubits
    or :data:`MAX_CLBITS` bits, before the parser allocates them.

    Literal sizes are counted (``qreg q[n];``, ``qubit[n] q;``, ``creg``, ``bit``);
    single ``qubit q;`` declarations are left to the parser.

    Examples:
        >>> try:
        ...     _check_size("qreg q[1000000000];", "x.qasm")
        ... except CircuitInputError as exc:
        ...     print(exc)
        x.qasm declares 1,000,000,000 qubits; dqc compiles at most 100,000 qubits
    """
    code = _COMMENTS.sub("", text)
    qubits = bits = 0
    for match in _REGISTERS.finditer(code):
        digits = match.group("size") or match.group("size3")
        size = int(digits) if len(digits) <= 18 else 10**18
        if (match.group("kind") or match.group("kind3")) in ("qreg", "qubit"):
            qubits += size
        else:
            bits += size
    for count, limit, what in ((qubits, MAX_QUBITS, "qubit"), (bits, MAX_CLBITS, "bit")):
        if count > limit:
            shown = f"{count:,}" if count < 10**18 else "more than 10**18"
            raise CircuitInputError(
                f"{source} declares {shown} {what}s; dqc compiles at most {limit:,} {what}s")


#: The header lines to suggest for a program without one, by version.
HEADERS = {2: 'OPENQASM 2.0; include "qelib1.inc";', 3: 'OPENQASM 3.0; include "stdgates.inc";'}


def _parse(text: str, version: int, source: str) -> QuantumCircuit:
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
        raise CircuitInputError(
            f"malformed OpenQASM 2 in {source}: {_qasm2_message(exc)}") from None
    except RecursionError:
        raise CircuitInputError(
            f"malformed OpenQASM {version} in {source}: expressions or blocks nest too deeply "
            f"for the parser (Python's recursion limit, {sys.getrecursionlimit():,})") from None
    except Exception as exc:  # the QASM 3 parser and importer raise their own exception types
        message = _qasm3_message(exc, text)
        if "is not defined" in message and _VERSION.search(_COMMENTS.sub("", text)):
            message += _include_hint(message, text)
        raise CircuitInputError(f"malformed OpenQASM {version} in {source}: {message}") from None
    raise CircuitInputError(f"{source} declares OPENQASM {version}; dqc reads versions 2 and 3")


#: The OpenQASM 2 parser's position prefix (``"<input>:4,0: ..."``, column from 0).
_QASM2_POSITION = re.compile(r"""^["']?<input>:(\d+),(\d+): (.*?)["']?$""", re.DOTALL)


def _qasm2_message(exc: BaseException) -> str:
    """The OpenQASM 2 parser's message as ``line L, column C: what`` (columns from 1).

    Examples:
        >>> _qasm2_message(ValueError("<input>:2,7: needed an integer, but instead saw -"))
        'line 2, column 8: needed an integer, but instead saw -'
    """
    text = str(exc).strip()
    match = _QASM2_POSITION.match(text)
    if match is None:
        return _first_line(exc)
    what = match.group(3).splitlines()[0] if match.group(3) else "syntax error"
    return f"line {match.group(1)}, column {int(match.group(2)) + 1}: {what}"


def load_circuit(path: str | Path) -> QuantumCircuit:
    """Load a circuit from a ``.qasm`` file (OpenQASM 2 or 3) or a ``.py`` file.

    A Python file is run (not as ``__main__``) and must leave a ``QuantumCircuit`` in a
    module-level variable named ``circuit`` (or else ``qc``); a file whose only
    module-level ``QuantumCircuit`` has another name (``bell = QuantumCircuit(2)``) gives
    that one, and a file with several and neither name is an error.

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
            return check_nesting(namespace[name], str(path))
    found = [k for k, v in namespace.items() if isinstance(v, QuantumCircuit)]
    if len(found) == 1:
        return check_nesting(namespace[found[0]], str(path))
    raise CircuitInputError(
        f"'{path}' must define a QuantumCircuit named 'circuit' or 'qc' "
        f"(found {plural(len(found), 'circuit')}: {', '.join(sorted(found)) or 'none'}); "
        "name the one to compile 'circuit'"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else _parser_position(exc) or type(exc).__name__


#: The importer's own position prefix (``"3,0: gate 'foo' is not defined."``).
_IMPORTER_POSITION = re.compile(r'^"?(\d+),(\d+): (.*?)"?$')
#: The lexer's position prefix (``"L10:C4: token recognition error at: ..."``).
_LEXER_POSITION = re.compile(r"^L(\d+):C(\d+): (.*)$")


def _qasm3_message(exc: BaseException, text: str) -> str:
    """One line for an OpenQASM 3 error: ``line L, column C: what``, where known.

    The position comes from the innermost syntax-tree node the importer was converting
    (its ``span``), so errors raised without one (an out-of-range index) get it too.
    """
    message = _first_line(exc)
    lexer = _LEXER_POSITION.match(message)
    if lexer:  # the lexer's own position, columns from 0
        return f"line {lexer.group(1)}, column {int(lexer.group(2)) + 1}: {lexer.group(3)}"
    match = _IMPORTER_POSITION.match(message)
    if match:
        message = _unquoted(match.group(3))
    elif message.startswith("line "):  # the parser's own position (a syntax error)
        return message
    message = _unquoted(message.rstrip(".")).rstrip(".")
    span = _innermost_span(exc)
    if span is None:
        if not match:
            return message
        return f"line {match.group(1)}, column {int(match.group(2)) + 1}: {message}"
    lines = text.splitlines()
    line = lines[span.start_line - 1] if 0 < span.start_line <= len(lines) else ""
    where = f"line {span.start_line}"
    symbol = re.search(r"Undefined symbol '(\w+)'", message)
    if symbol and not 0 <= span.start_column < len(line):  # (the importer's column is off)
        found = re.search(rf"\b{re.escape(symbol.group(1))}\b", line)
        return f"{where}, column {found.start() + 1}: {message}" if found else f"{where}: {message}"
    if 0 <= span.start_column < len(line):
        where += f", column {span.start_column + 1}"
        part = line[span.start_column:span.end_column + 1].strip()
        if span.end_line == span.start_line and part and part != line.strip():
            message += f": {part}"  # the offending part of a longer statement
    return f"{where}: {message}"


def _unquoted(text: str) -> str:
    """``text`` without the quotes that wrap all of it (``"'Size must be ...'"``)."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _include_hint(message: str, text: str) -> str:
    """Suggest ``stdgates.inc`` for a standard gate used without it."""
    gate = re.search(r"gate '(\w+)' is not defined", message)
    if gate and gate.group(1) in STANDARD_GATES and "stdgates.inc" not in text:
        return " (add 'include \"stdgates.inc\";' after the header)"
    return ""


def _innermost_span(exc: BaseException) -> Any:
    """The ``span`` of the innermost syntax-tree node in the importer's frames."""
    found = None
    seen: set[int] = set()
    chain: BaseException | None = exc
    while chain is not None and id(chain) not in seen:
        seen.add(id(chain))
        tb = chain.__traceback__
        while tb is not None:
            for value in tb.tb_frame.f_locals.values():
                span = getattr(value, "span", None)
                if span is not None and hasattr(span, "start_line"):
                    found = span
                    break
            tb = tb.tb_next
        if found is not None:
            return found
        chain = chain.__cause__ or chain.__context__
    return None


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
