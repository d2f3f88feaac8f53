"""The first things a user meets on the command line: ``--version``, ``--help``,
``dqc targets``, singular counts, and one clean error line for a bad input file.

Every error case: exit status 2, exactly one ``dqc: error:`` line on stderr, no
traceback, no ``-o`` / ``--report`` file (nor a temporary one) left behind.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
from importlib import metadata
from pathlib import Path

import pytest
from qiskit import qasm2

import dqc
from dqc import targets
from dqc.cli import DISTRIBUTION, main
from tests.helpers import ghz, run_cli, write


def assert_exit_2(capsys, *argv: object, leftovers: tuple[Path, ...] = (),
                  contains: tuple[str, ...] = ()) -> str:
    """Run ``dqc argv``; check the one-line error contract; return the line."""
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2, (rc, out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dqc: error: "), err
    for text in contains:
        assert text in lines[0], f"{text!r} not in {lines[0]!r}"
    for path in leftovers:
        assert not path.exists(), f"{path} was left behind"
        assert not list(path.parent.glob(f".{path.name}.*")), "temp file left behind"
    return lines[0]


def compile_error(capsys, tmp_path: Path, src: Path, *contains: str) -> str:
    out, rep = tmp_path / "out.qasm", tmp_path / "r.json"
    return assert_exit_2(capsys, "compile", src, "-o", out, "--report", rep, "--qpus", "2",
                         leftovers=(out, rep), contains=contains)


# ------------------------------------------------------------------- version, help


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_prints_the_installed_version(capsys, flag):
    with pytest.raises(SystemExit) as exc:
        main([flag])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.strip() == f"dqc {metadata.version(DISTRIBUTION)} ({DISTRIBUTION})"
    assert metadata.version(DISTRIBUTION) == dqc.__version__  # pyproject and package agree


def test_version_without_installed_metadata_falls_back(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    assert dqc.cli.version() == dqc.__version__


def test_version_of_the_console_script():
    script = Path(sys.executable).with_name("dqc")
    done = subprocess.run([str(script), "-V"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.strip() == f"dqc {dqc.__version__} ({DISTRIBUTION})"


def test_help_has_examples_and_exits_0(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--version" in out
    examples = out[out.index("examples:"):].splitlines()[1:]
    commands = [line.split()[1] for line in examples if line.startswith("  dqc ")]
    assert {"compile", "estimate", "verify"} <= set(commands)


def test_targets_prints_each_description(capsys):
    rc, out, err = run_cli(capsys, "targets")
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 2 * len(targets.available())
    for name, first, second in zip(targets.available(), lines[::2], lines[1::2]):
        description = targets.description(name)
        assert description, f"preset {name} has no description"
        assert first.split(None, 1) == [name, description]
        assert second.strip() == targets.load(name).summary()


# ------------------------------------------------------------------- singular counts


def test_one_remote_gate_one_qpu_are_singular(capsys, tmp_path):
    bell = write(tmp_path / "bell.qasm", 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\n'
                 "h q[0];\ncx q[0],q[1];\n")
    rc, out, err = run_cli(capsys, "compile", bell, "--qpus", "2", "--verify")
    assert rc == 0, err
    assert f"{bell}: 2 qubits, 2 operations -> 2 QPUs (" in out
    assert "1 remote two-qubit gate)" in out and "gates)" not in out
    assert "verified (" in out
    one = write(tmp_path / "one.qasm",
                'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nh q[0];\n')
    rc, out, err = run_cli(capsys, "compile", one, "--qpus", "1", "--verify")
    assert rc == 0, err
    assert f"{one}: 1 qubit, 1 operation -> 1 QPU (" in out
    assert "verified (" in out


def hand_made_plurals(source: str) -> list[int]:
    """Lines of ``source`` that pluralise by hand: an ``'s'`` on ``!= 1`` or ``> 1`` in
    code, or ``ebit(s)`` in a string (a verb's ``s`` on ``== 1`` is fine)."""
    code = re.compile(r"""['"]s['"] (\* \(|if )[^)]{1,40}(!= ?1|> ?1)""")
    found = {i for i, line in enumerate(source.splitlines(), 1) if code.search(line)}
    texts = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in texts and re.search(r"[a-z]\(s\)", tok.string):
            found.add(tok.start[0])
    return sorted(found)


def test_hand_made_plurals_are_found():
    old = ("how = f\"{k} QPU{'s' if k > 1 else ''}\"\n"
           "x = f\"{n} link{'s' * (n != 1)}\"\nsources = [len(s) for s in succ]\n"
           "why = f\"{ebits} ebit(s) take\"\nok = f\"shape{'s' if n == 1 else ''}\"\n")
    assert hand_made_plurals(old) == [1, 2, 4]


def test_no_hand_made_plural_left():
    """Counts in messages go through dqc.errors.plural."""
    root = Path(dqc.__file__).parent.parent
    found = [f"{path.relative_to(root)}:{i}"
             for folder in ("dqc", "passes", "targets")
             for path in sorted((root / folder).rglob("*.py"))
             for i in hand_made_plurals(path.read_text(encoding="utf-8"))]
    assert not found, found


# ------------------------------------------------------------------- bad input files


def test_empty_file(capsys, tmp_path):
    src = write(tmp_path / "empty.qasm", "")
    msg = compile_error(capsys, tmp_path, src, "empty.qasm is empty", "OPENQASM 3.0;")
    assert "NoneType" not in msg


def test_comment_only_file(capsys, tmp_path):
    src = write(tmp_path / "notes.qasm", "// to do\n/* later */\n")
    compile_error(capsys, tmp_path, src, "notes.qasm is empty")


def test_empty_python_file(capsys, tmp_path):
    src = write(tmp_path / "empty.py", "")
    compile_error(capsys, tmp_path, src, "empty.py", "found 0 circuits")


def test_missing_header_suggests_it(capsys, tmp_path):
    src = write(tmp_path / "nohdr.qasm", "qubit[2] q;\nh q[0];\ncx q[0], q[1];\n")
    compile_error(capsys, tmp_path, src, "nohdr.qasm", "line 2", "no OpenQASM header",
                  """'OPENQASM 3.0; include "stdgates.inc";'""")


def test_missing_header_of_qasm2_suggests_qasm2_header(capsys, tmp_path):
    # the message of the issue: qasm2's "non-builtin custom instruction 'h'"
    src = write(tmp_path / "nohdr2.qasm", "qreg q[2];\nh q[0];\n")
    compile_error(capsys, tmp_path, src, "no OpenQASM header",
                  """'OPENQASM 2.0; include "qelib1.inc";'""")


def test_missing_include_suggests_stdgates(capsys, tmp_path):
    src = write(tmp_path / "noinc.qasm", "OPENQASM 3.0;\nqubit[2] q;\nh q[0];\n")
    compile_error(capsys, tmp_path, src, "line 3, column 1", "gate 'h' is not defined",
                  'include "stdgates.inc";')


def test_unknown_gate_gets_no_include_hint(capsys, tmp_path):
    src = write(tmp_path / "foo.qasm", 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
                "qubit[2] q;\nfoo q[0];\n")
    msg = compile_error(capsys, tmp_path, src, "line 4, column 1", "gate 'foo' is not defined")
    assert "stdgates" not in msg


def test_qasm3_index_out_of_range_has_line_and_column(capsys, tmp_path):
    src = write(tmp_path / "oob.qasm", 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
                "qubit[2] q;\nh q[0];\ncx q[0], q[5];\n")
    compile_error(capsys, tmp_path, src, "oob.qasm", "line 5, column 10",
                  "index out of range: q[5]")


def test_qasm3_syntax_error_has_line_and_column(capsys, tmp_path):
    src = write(tmp_path / "syn.qasm", 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
                "qubit[2] q;\ncx q[0] q[1];\n")
    compile_error(capsys, tmp_path, src, "line 4, column 9")


def test_verify_with_empty_compiled_file(capsys, tmp_path):
    src = write(tmp_path / "ghz.qasm", qasm2.dumps(ghz(4)))
    empty = write(tmp_path / "out.qasm", "")
    rep = write(tmp_path / "r.json", "{}")
    assert_exit_2(capsys, "verify", src, empty, "--report", rep, contains=("out.qasm is empty",))


# ------------------------------------------------------------------- .py inputs


def test_python_input_with_one_circuit_of_any_name(capsys, tmp_path):
    """The README says: `circuit`, else `qc`, else the file's only QuantumCircuit."""
    src = write(tmp_path / "mine.py", "from qiskit import QuantumCircuit\n"
                "my_circuit = QuantumCircuit(4, 4)\nmy_circuit.h(0)\n"
                "for i in range(3):\n    my_circuit.cx(i, i + 1)\n"
                "my_circuit.measure(range(4), range(4))\n")
    out = tmp_path / "out.qasm"
    rc, stdout, err = run_cli(capsys, "compile", src, "--qpus", "2", "-o", out, "--verify")
    assert rc == 0, err
    assert f"{src}: 4 qubits" in stdout and "verified (" in stdout
    readme = (Path(dqc.__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "its only `QuantumCircuit` under any name" in " ".join(readme.split())


def test_python_input_with_two_other_circuits_says_which_name(capsys, tmp_path):
    src = write(tmp_path / "two.py", "from qiskit import QuantumCircuit\n"
                "a = QuantumCircuit(2)\nb = QuantumCircuit(2)\n")
    compile_error(capsys, tmp_path, src, "found 2 circuits: a, b", "name the one to compile")
