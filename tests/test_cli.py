"""The ``dqc`` command line, run in-process through :func:`dqc.cli.main`.

Product requirement for every bad input: a non-zero exit status, exactly one
line on stderr starting ``dqc: error:`` that names the problem and its numbers,
no traceback, and no ``-o`` / ``--report`` file left behind.
"""

from __future__ import annotations

import importlib
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from qiskit import QuantumCircuit, qasm2, qasm3

import dqc
from dqc.cli import main
from tests.helpers import ROOT, ghz, run_cli, two_phases, write

REPORT_KEYS = {"ebits", "ebits_per_link", "qubit_qpu", "initial_layout", "final_layout",
               "qpus", "links", "schedule"}
QASMBENCH_GHZ40 = ROOT / "benchmarks" / "circuits" / "ghz_n40.qasm"


# --------------------------------------------------------------------------- helpers


def nonclifford(n: int = 5) -> QuantumCircuit:
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.h(i)
        qc.t(i)
    for i in range(n - 1):
        qc.cp(0.3 * (i + 1), i, (i + 2) % n)
        qc.rzz(0.7, i, i + 1)
    qc.ccx(0, 2, 4)
    return qc


@pytest.fixture
def ghz6(tmp_path: Path) -> Path:
    return write(tmp_path / "ghz6.qasm", qasm2.dumps(ghz(6)))


def assert_clean_error(rc: int, err: str, *leftovers: Path, contains: tuple[str, ...] = ()) -> str:
    """The one-line error contract; returns the message line."""
    assert rc != 0
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got:\n{err}"
    assert lines[0].startswith("dqc: error: "), lines[0]
    for text in contains:
        assert text in lines[0], f"{text!r} not in {lines[0]!r}"
    for path in leftovers:
        assert not path.exists(), f"{path} was left behind"
    # no stray temp files either
    for path in leftovers:
        if path.parent.is_dir():
            assert not list(path.parent.glob(f".{path.name}.*")), "temp file left behind"
    return lines[0]


def compile_ok(capsys, tmp_path: Path, src: Path, *extra: object,
               out_name: str = "out.qasm", report_name: str = "r.json"):
    out, rep = tmp_path / out_name, tmp_path / report_name
    rc, stdout, err = run_cli(capsys, "compile", src, "-o", out, "--report", rep, *extra)
    assert rc == 0, err
    assert err == ""
    assert out.is_file() and rep.is_file()
    compiled = qasm3.loads(out.read_text(encoding="utf-8"))
    report = json.loads(rep.read_text(encoding="utf-8"))
    assert REPORT_KEYS <= report.keys()
    return stdout, compiled, report, out, rep


def verify_ok(capsys, src: Path, out: Path, rep: Path) -> str:
    rc, stdout, err = run_cli(capsys, "verify", src, out, "--report", rep)
    assert rc == 0, stdout + err
    assert stdout.startswith("verified ("), stdout
    assert err == ""
    return stdout


# --------------------------------------------------------------------------- happy paths


def test_compile_qpus_default_all_to_all_and_tight_data_qubits(capsys, tmp_path, ghz6):
    stdout, compiled, report, out, rep = compile_ok(capsys, tmp_path, ghz6, "--qpus", "2")
    assert "6 qubits" in stdout and "2 QPUs" in stdout
    assert f"wrote {out}, {rep}" in stdout
    assert sorted(report["qpus"]) == ["qpu0", "qpu1"]
    assert all(q["data"] == 3 for q in report["qpus"].values())  # ceil(6 / 2)
    assert all(q["comm"] == 2 for q in report["qpus"].values())  # default comm qubits
    assert report["links"] == [["qpu0", "qpu1"]]
    assert report["ebits"] == sum(report["ebits_per_link"].values()) >= 1
    assert compiled.count_ops().get("epr", 0) == report["ebits"]
    assert len(report["initial_layout"]) == len(report["final_layout"]) == 6
    assert len(report["qubit_qpu"]) == compiled.num_qubits
    verify_ok(capsys, ghz6, out, rep)


def test_default_data_qubits_rounds_up(capsys, tmp_path):
    src = write(tmp_path / "g7.qasm", qasm2.dumps(ghz(7)))
    _, _, report, _, _ = compile_ok(capsys, tmp_path, src, "--qpus", "3")
    assert [q["data"] for q in report["qpus"].values()] == [math.ceil(7 / 3)] * 3


def test_all_to_all_links(capsys, tmp_path, ghz6):
    _, _, report, _, _ = compile_ok(capsys, tmp_path, ghz6, "--qpus", "3")
    assert len(report["links"]) == 3


@pytest.mark.parametrize("topology, links", [
    ("line", [["qpu0", "qpu1"], ["qpu1", "qpu2"], ["qpu2", "qpu3"]]),
    ("ring", None),
    ("star", None),
])
def test_topologies(capsys, tmp_path, topology, links):
    src = write(tmp_path / "g8.qasm", qasm2.dumps(ghz(8)))
    _, _, report, out, rep = compile_ok(capsys, tmp_path, src, "--qpus", "4",
                                        "--topology", topology)
    pairs = {frozenset(p) for p in report["links"]}
    if links is not None:
        assert report["links"] == links
    elif topology == "ring":
        assert len(pairs) == 4
        assert all(sum(q in p for p in pairs) == 2 for q in report["qpus"])
    else:  # star: one hub linked to the three others
        assert len(pairs) == 3
        degree = {q: sum(q in p for p in pairs) for q in report["qpus"]}
        assert sorted(degree.values()) == [1, 1, 1, 3]
    verify_ok(capsys, src, out, rep)


def test_target_preset_metro4_40_qubit_ghz(capsys, tmp_path):
    src = write(tmp_path / "ghz40.qasm", qasm2.dumps(ghz(40)))
    stdout, compiled, report, out, rep = compile_ok(capsys, tmp_path, src,
                                                    "--target", "metro4", "--verify")
    assert "(metro4)" in stdout
    assert "verified (stim-flows)" in stdout
    assert sorted(report["qpus"]) == ["qpu0", "qpu1", "qpu2", "qpu3"]
    assert sum(q["used"] for q in report["qpus"].values()) == 40
    assert report["verification"]["ok"] is True
    verify_ok(capsys, src, out, rep)


def test_qasmbench_ghz_n40_on_metro4(capsys, tmp_path):
    stdout, _, _, out, rep = compile_ok(capsys, tmp_path, QASMBENCH_GHZ40,
                                        "--target", "metro4", "--verify")
    assert "verified (" in stdout
    verify_ok(capsys, QASMBENCH_GHZ40, out, rep)


def test_target_toml_file(capsys, tmp_path, ghz6):
    net = write(tmp_path / "net.toml", """
name = "pair"
[[qpu]]
name = "left"
data_qubits = 4
comm_qubits = 1
[[qpu]]
name = "right"
data_qubits = 4
comm_qubits = 1
[[link]]
qpus = ["left", "right"]
rate_hz = 100.0
fidelity = 0.9
latency_s = 1e-5
""")
    stdout, _, report, out, rep = compile_ok(capsys, tmp_path, ghz6, "--target", net)
    assert "(pair)" in stdout
    assert sorted(report["qpus"]) == ["left", "right"]
    assert report["links"] == [["left", "right"]]
    verify_ok(capsys, ghz6, out, rep)


def test_verify_flag_clifford(capsys, tmp_path, ghz6):
    stdout, _, report, _, _ = compile_ok(capsys, tmp_path, ghz6, "--qpus", "2", "--verify")
    assert re.search(r"^verified \(stim-flows\): ", stdout, re.MULTILINE), stdout
    assert report["verification"] == {"ok": True, "method": "stim-flows",
                                      "detail": report["verification"]["detail"]}


def test_verify_flag_nonclifford_is_proved(capsys, tmp_path):
    src = write(tmp_path / "nc.qasm", qasm2.dumps(nonclifford()))
    stdout, _, report, out, rep = compile_ok(capsys, tmp_path, src, "--qpus", "2", "--verify")
    assert "verified (pauli-rotations)" in stdout
    assert report["verification"]["method"] == "pauli-rotations"
    stdout = verify_ok(capsys, src, out, rep)
    assert "(pauli-rotations)" in stdout


def test_openqasm3_input(capsys, tmp_path):
    src = write(tmp_path / "ghz3.qasm", qasm3.dumps(ghz(6)))
    assert src.read_text().startswith("OPENQASM 3")
    _, compiled, report, out, rep = compile_ok(capsys, tmp_path, src, "--qpus", "2", "--verify")
    assert report["ebits"] >= 1
    verify_ok(capsys, src, out, rep)


def test_openqasm2_input_without_header(capsys, tmp_path):
    text = qasm2.dumps(ghz(4)).replace("OPENQASM 2.0;\n", "")
    src = write(tmp_path / "nohdr.qasm", text)
    _, _, _, out, rep = compile_ok(capsys, tmp_path, src, "--qpus", "2")
    verify_ok(capsys, src, out, rep)


def test_python_input(capsys, tmp_path):
    src = write(tmp_path / "build.py", """
from qiskit import QuantumCircuit

circuit = QuantumCircuit(4, 4)
circuit.h(0)
for i in range(3):
    circuit.cx(i, i + 1)
circuit.measure(range(4), range(4))
""")
    stdout, _, report, out, rep = compile_ok(capsys, tmp_path, src, "--qpus", "2", "--verify")
    assert "4 qubits" in stdout
    assert len(report["initial_layout"]) == 4
    verify_ok(capsys, src, out, rep)


def test_compile_without_outputs_prints_summary(capsys, ghz6):
    rc, stdout, err = run_cli(capsys, "compile", ghz6, "--qpus", "2")
    assert rc == 0 and err == ""
    assert "ebits:" in stdout
    assert "wrote" not in stdout


def test_targets_lists_presets(capsys):
    rc, stdout, err = run_cli(capsys, "targets")
    assert rc == 0 and err == ""
    lines = stdout.splitlines()  # per preset: name and description, then its size indented
    names = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert "lab2" in names and "metro4" in names
    after = lines[lines.index(next(line for line in lines if line.startswith("metro4"))) + 1]
    assert after.startswith(" ") and "4 QPUs (ring)" in after


# --------------------------------------------------------------------------- determinism


def test_same_command_twice_is_byte_identical(capsys, tmp_path):
    src = write(tmp_path / "nc.qasm", qasm2.dumps(nonclifford(8)))
    args = ("--qpus", "3", "--topology", "line", "--seed", "5")
    _, _, _, out1, rep1 = compile_ok(capsys, tmp_path, src, *args,
                                     out_name="a.qasm", report_name="a.json")
    _, _, _, out2, rep2 = compile_ok(capsys, tmp_path, src, *args,
                                     out_name="b.qasm", report_name="b.json")
    assert out1.read_bytes() == out2.read_bytes()
    assert rep1.read_bytes() == rep2.read_bytes()


def test_other_seed_is_still_valid(capsys, tmp_path):
    src = write(tmp_path / "nc.qasm", qasm2.dumps(nonclifford(8)))
    for seed in ("1", "12345"):
        _, _, report, out, rep = compile_ok(
            capsys, tmp_path, src, "--qpus", "3", "--seed", seed, "--verify",
            out_name=f"o{seed}.qasm", report_name=f"r{seed}.json")
        assert report["seed"] == int(seed)
        verify_ok(capsys, src, out, rep)


# --------------------------------------------------------------------------- tampering


def _tamper_cases(text: str) -> dict[str, str]:
    block = re.compile(r"if \([^)]*\) \{\s*[xz] [^;]*;\s*\}\n")
    x_line = re.compile(r"(if \([^)]*\) \{\s*)x ")
    assert block.search(text) and x_line.search(text), text
    return {
        "correction deleted": block.sub("", text, count=1),
        "x correction turned into z": x_line.sub(r"\1z ", text, count=1),
    }


@pytest.mark.parametrize("case", ["correction deleted", "x correction turned into z"])
def test_verify_detects_tampering(capsys, tmp_path, ghz6, case):
    _, _, _, out, rep = compile_ok(capsys, tmp_path, ghz6, "--qpus", "2")
    tampered = _tamper_cases(out.read_text())[case]
    assert tampered != out.read_text()
    write(out, tampered)
    rc, stdout, err = run_cli(capsys, "verify", ghz6, out, "--report", rep)
    assert rc == 1
    assert "NOT VERIFIED" in stdout
    assert "Traceback" not in err


def test_verify_detects_report_of_other_circuit(capsys, tmp_path, ghz6):
    _, _, _, out, _ = compile_ok(capsys, tmp_path, ghz6, "--qpus", "2")
    src8 = write(tmp_path / "g8.qasm", qasm2.dumps(ghz(8)))
    _, _, _, _, rep8 = compile_ok(capsys, tmp_path, src8, "--qpus", "2",
                                  out_name="o8.qasm", report_name="r8.json")
    rc, stdout, err = run_cli(capsys, "verify", ghz6, out, "--report", rep8)
    assert rc == 1 and "NOT VERIFIED" in stdout and "Traceback" not in err


# --------------------------------------------------------------------------- bad input


@pytest.fixture
def outs(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "out.qasm", tmp_path / "r.json"


def compile_err(capsys, src, outs, *extra, contains=()) -> str:
    out, rep = outs
    rc, _, err = run_cli(capsys, "compile", src, "-o", out, "--report", rep, *extra)
    return assert_clean_error(rc, err, out, rep, contains=contains)


def test_missing_input_file(capsys, tmp_path, outs):
    compile_err(capsys, tmp_path / "nope.qasm", outs, "--qpus", "2",
                contains=("nope.qasm", "not found"))


def test_malformed_qasm2_names_line(capsys, tmp_path, outs):
    src = write(tmp_path / "bad2.qasm",
                'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncx q[0] q[1];\n')
    compile_err(capsys, src, outs, "--qpus", "2",
                contains=("malformed OpenQASM 2", "bad2.qasm", "line 4, column "))


def test_malformed_qasm3_names_line(capsys, tmp_path, outs):
    src = write(tmp_path / "bad3.qasm",
                'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\ncx q[0] q[1];\n')
    compile_err(capsys, src, outs, "--qpus", "2",
                contains=("malformed OpenQASM 3", "bad3.qasm", "line 4"))


def test_qasm3_lexer_error_is_one_line(capsys, tmp_path, outs):
    # ANTLR's console listener used to print a second stderr line for lexer errors
    src = write(tmp_path / "lex.qasm", "OPENQASM 3.0;\nqubit[2] q;\nh q[0] $$;\n")
    compile_err(capsys, src, outs, "--qpus", "2",
                contains=("malformed OpenQASM 3", "$$"))


def test_qasm3_undefined_gate(capsys, tmp_path, outs):
    src = write(tmp_path / "undef.qasm", "OPENQASM 3.0;\nqubit[2] q;\nfoo q[0];\n")
    compile_err(capsys, src, outs, "--qpus", "2", contains=("malformed OpenQASM 3", "foo"))


def test_unsupported_openqasm_version(capsys, tmp_path, outs):
    src = write(tmp_path / "v4.qasm", "OPENQASM 4.0;\nqubit[2] q;\n")
    compile_err(capsys, src, outs, "--qpus", "2", contains=("OPENQASM 4",))


@pytest.mark.parametrize("name, text", [
    ("if3.qasm", 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[1] c;\n'
                 "h q[0];\nc[0] = measure q[0];\nif (c[0]) { x q[1]; } else { h q[1]; }\n"
                 "cx q[0], q[1];\n"),
    ("if2.qasm", 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[1];\n'
                 "h q[0];\nmeasure q[0] -> c[0];\nif(c==1) x q[1];\ncx q[0],q[1];\n"),
])
def test_classical_control_compiles_and_verifies(capsys, tmp_path, name, text):
    src = write(tmp_path / name, text)
    out = tmp_path / "out.qasm"
    code = main(["compile", str(src), "--qpus", "2", "--data-qubits", "1",
                         "-o", str(out), "--verify"])
    printed = capsys.readouterr().out
    assert code == 0 and "verified (" in printed, printed
    assert "if (c" in out.read_text()


def test_nested_while_loop_is_refused_by_name(capsys, tmp_path, outs):
    src = write(tmp_path / "while.qasm", 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
                "qubit[2] q;\nbit[1] c;\nc[0] = measure q[0];\n"
                "if (c[0]) { while (c[0]) { x q[0]; c[0] = measure q[0]; } }\n"
                "cx q[0], q[1];\n")
    compile_err(capsys, src, outs, "--qpus", "2", contains=("while_loop",))


def test_circuit_wider_than_network(capsys, tmp_path, outs):
    src = write(tmp_path / "ghz40.qasm", qasm2.dumps(ghz(40)))
    compile_err(capsys, src, outs, "--qpus", "4", "--data-qubits", "8",
                contains=("40 qubits", "32 data qubits", "4 QPUs × 8"))


def test_circuit_wider_than_preset(capsys, tmp_path, outs):
    src = write(tmp_path / "ghz41.qasm", qasm2.dumps(ghz(41, measure=False)))
    compile_err(capsys, src, outs, "--target", "metro4",
                contains=("41 qubits", "40 data qubits"))


@pytest.mark.parametrize("qpus", ["0", "-2"])
def test_qpus_not_positive(capsys, ghz6, outs, qpus):
    compile_err(capsys, ghz6, outs, "--qpus", qpus, contains=("--qpus", f"got {qpus}"))


@pytest.mark.parametrize("data", ["0", "-3"])
def test_data_qubits_not_positive(capsys, ghz6, outs, data):
    compile_err(capsys, ghz6, outs, "--qpus", "2", "--data-qubits", data,
                contains=("--data-qubits", f"got {data}"))


def test_comm_qubits_negative(capsys, ghz6, outs):
    compile_err(capsys, ghz6, outs, "--qpus", "2", "--comm-qubits", "-1",
                contains=("--comm-qubits", "got -1"))


def test_zero_comm_qubits_when_remote_gates_needed(capsys, ghz6, outs):
    msg = compile_err(capsys, ghz6, outs, "--qpus", "2", "--comm-qubits", "0",
                      contains=("0 comm qubits",))
    assert re.search(r"QPU 'qpu[01]'", msg), msg


def test_zero_comm_qubits_fine_without_remote_gates(capsys, tmp_path):
    qc = QuantumCircuit(4)
    qc.cx(0, 1)
    qc.cx(2, 3)
    src = write(tmp_path / "local.qasm", qasm2.dumps(qc))
    _, _, report, out, rep = compile_ok(capsys, tmp_path, src, "--qpus", "2",
                                        "--comm-qubits", "0", "--verify")
    assert report["ebits"] == 0


def test_unknown_preset_lists_known(capsys, ghz6, outs):
    compile_err(capsys, ghz6, outs, "--target", "nosuch",
                contains=("nosuch", "lab2", "metro4"))


def test_missing_toml_file(capsys, tmp_path, ghz6, outs):
    compile_err(capsys, ghz6, outs, "--target", tmp_path / "none.toml",
                contains=("none.toml", "not found"))


def test_toml_syntax_error(capsys, tmp_path, ghz6, outs):
    net = write(tmp_path / "broken.toml", "x = [\n")
    compile_err(capsys, ghz6, outs, "--target", net, contains=("broken.toml", "not valid TOML"))


def _net_toml(*, rate="100.0", fidelity="0.9", other="b", link=True) -> str:
    text = """
[[qpu]]
name = "a"
data_qubits = 4
comm_qubits = 2
[[qpu]]
name = "b"
data_qubits = 4
comm_qubits = 2
"""
    if link:
        text += f"""
[[link]]
qpus = ["a", "{other}"]
rate_hz = {rate}
fidelity = {fidelity}
latency_s = 1e-5
"""
    return text


@pytest.mark.parametrize("kwargs, contains", [
    ({"rate": "0"}, ("rate_hz=0", "positive")),
    ({"rate": "-5.0"}, ("rate_hz=-5.0",)),
    ({"fidelity": "1.5"}, ("fidelity=1.5",)),
    ({"other": "zz"}, ("unknown QPU 'zz'",)),
    ({"other": "a"}, ("joins a QPU to itself",)),
    ({"link": False}, ("disconnected",)),
], ids=["rate0", "rate-negative", "fidelity1.5", "unknown-qpu", "self-link", "disconnected"])
def test_invalid_toml_values(capsys, tmp_path, ghz6, outs, kwargs, contains):
    net = write(tmp_path / "net.toml", _net_toml(**kwargs))
    compile_err(capsys, ghz6, outs, "--target", net, contains=("net.toml", *contains))


def test_toml_bad_qpu_value(capsys, tmp_path, ghz6, outs):
    text = _net_toml().replace("data_qubits = 4", "data_qubits = -1", 1)
    net = write(tmp_path / "net.toml", text)
    compile_err(capsys, ghz6, outs, "--target", net, contains=("net.toml", "-1"))


def test_python_input_without_circuit(capsys, tmp_path, outs):
    src = write(tmp_path / "none.py", "x = 1\n")
    compile_err(capsys, src, outs, "--qpus", "2",
                contains=("none.py", "'circuit'", "found 0 circuits"))


def test_python_input_with_two_circuits(capsys, tmp_path, outs):
    src = write(tmp_path / "two.py", "from qiskit import QuantumCircuit\n"
                "a = QuantumCircuit(2)\nb = QuantumCircuit(2)\n")
    compile_err(capsys, src, outs, "--qpus", "2", contains=("found 2 circuits: a, b",))


def test_python_input_that_raises(capsys, tmp_path, outs):
    src = write(tmp_path / "boom.py", "raise ValueError('boom')\n")
    compile_err(capsys, src, outs, "--qpus", "2", contains=("boom.py", "ValueError: boom"))


def test_output_folder_missing(capsys, tmp_path, ghz6):
    out, rep = tmp_path / "nodir" / "out.qasm", tmp_path / "r.json"
    rc, _, err = run_cli(capsys, "compile", ghz6, "-o", out, "--report", rep, "--qpus", "2")
    assert_clean_error(rc, err, out, rep, contains=("nodir", "does not exist"))


def test_report_folder_missing_writes_nothing(capsys, tmp_path, ghz6):
    # the output file must not be written when the report cannot be
    out, rep = tmp_path / "out.qasm", tmp_path / "nodir" / "r.json"
    rc, _, err = run_cli(capsys, "compile", ghz6, "-o", out, "--report", rep, "--qpus", "2")
    assert_clean_error(rc, err, out, rep, contains=("nodir", "does not exist"))


def test_output_is_a_folder(capsys, tmp_path, ghz6):
    rep = tmp_path / "r.json"
    rc, _, err = run_cli(capsys, "compile", ghz6, "-o", tmp_path, "--report", rep, "--qpus", "2")
    assert_clean_error(rc, err, rep, contains=("folder",))


def test_failed_compile_keeps_existing_output(capsys, tmp_path, ghz6):
    out, rep = tmp_path / "out.qasm", tmp_path / "r.json"
    write(out, "old")
    rc, _, err = run_cli(capsys, "compile", ghz6, "-o", out, "--report", rep, "--qpus", "0")
    assert_clean_error(rc, err, rep)
    assert out.read_text() == "old"


# --------------------------------------------------------------------------- verify: bad input


@pytest.fixture
def compiled6(capsys, tmp_path, ghz6):
    _, _, _, out, rep = compile_ok(capsys, tmp_path, ghz6, "--qpus", "2")
    return ghz6, out, rep


def test_verify_report_missing(capsys, tmp_path, compiled6):
    src, out, _ = compiled6
    rc, _, err = run_cli(capsys, "verify", src, out, "--report", tmp_path / "nope.json")
    assert_clean_error(rc, err, contains=("nope.json", "not found"))


@pytest.mark.parametrize("text, contains", [
    ("not json", "not a dqc report"),
    ("[1, 2]", "expected a JSON object"),
    ('{"a": 1}', "no key 'ebits'"),
])
def test_verify_report_not_a_report(capsys, tmp_path, compiled6, text, contains):
    src, out, _ = compiled6
    bad = write(tmp_path / "bad.json", text)
    rc, _, err = run_cli(capsys, "verify", src, out, "--report", bad)
    assert_clean_error(rc, err, contains=("bad.json", contains))


def test_verify_compiled_missing(capsys, tmp_path, compiled6):
    src, _, rep = compiled6
    rc, _, err = run_cli(capsys, "verify", src, tmp_path / "gone.qasm", "--report", rep)
    assert_clean_error(rc, err, contains=("gone.qasm", "not found"))


def test_verify_input_missing(capsys, tmp_path, compiled6):
    _, out, rep = compiled6
    rc, _, err = run_cli(capsys, "verify", tmp_path / "gone.qasm", out, "--report", rep)
    assert_clean_error(rc, err, contains=("gone.qasm", "not found"))


# --------------------------------------------------------------------------- argparse


@pytest.mark.parametrize("argv", [
    ["compile", "x.qasm"],                                   # neither --target nor --qpus
    ["compile", "x.qasm", "--qpus", "2", "--target", "lab2"],  # both
    ["compile", "x.qasm", "--qpus", "two"],
    ["compile", "x.qasm", "--qpus", "2", "--topology", "torus"],
    ["verify", "a.qasm", "b.qasm"],                          # no --report
    [],
])
def test_argparse_errors(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "error:" in err


# --------------------------------------------------------------------------- console script


def test_console_script_entry_point(tmp_path):
    exe = Path(sys.executable).with_name("dqc")
    script = str(exe) if exe.is_file() else shutil.which("dqc")
    assert script, "the `dqc` console script is not installed (pip install -e .)"
    src = write(tmp_path / "ghz.qasm", qasm2.dumps(ghz(4)))
    out, rep = tmp_path / "out.qasm", tmp_path / "r.json"
    ok = subprocess.run([script, "compile", str(src), "-o", str(out), "--report", str(rep),
                         "--qpus", "2", "--verify"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "verified (" in ok.stdout
    assert out.is_file() and rep.is_file()
    bad = subprocess.run([script, "compile", str(tmp_path / "missing.qasm"), "--qpus", "2"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    missing = tmp_path / "missing.qasm"
    assert bad.stderr.splitlines() == [f"dqc: error: input file '{missing}' not found"]


@pytest.mark.parametrize("command", ["compile", "estimate"])
def test_generated_network_options_with_a_target_are_refused(capsys, tmp_path, ghz6, command):
    """--comm-qubits with --target used to be ignored silently."""
    extra = ["-o", tmp_path / "out.qasm"] if command == "compile" else []
    rc, _, err = run_cli(capsys, command, ghz6, "--target", "metro4", "--comm-qubits", "4", *extra)
    msg = assert_clean_error(rc, err, tmp_path / "out.qasm",
                             contains=("--comm-qubits", "--target metro4"))
    assert "generated network" in msg


def test_compile_with_reuse_writes_lives_and_verifies(capsys, tmp_path):
    """The hand-drawn case of tests/helpers.py: 2 ebits, 1 reusing a data qubit."""
    src = tmp_path / "two_phases.qasm"
    src.write_text(qasm2.dumps(two_phases()), encoding="utf-8")
    stdout, compiled, report, out, rep = compile_ok(capsys, tmp_path, src, "--qpus", "2",
                                                    "--reuse")
    assert report["ebits"] == 1 and report["deaths"] and report["births"] == []
    assert "data qubits reused" in stdout
    verify_ok(capsys, src, out, rep)  # (read back from OpenQASM 3)


def test_estimate_with_reuse_in_sweeps_and_requirements(capsys, tmp_path):
    """two_phases: 1 ebit with reuse (2 without), in every compile of --sweep, and in the
    comm-qubit search of --requirements (which recompiles)."""
    src = tmp_path / "two_phases.qasm"
    src.write_text(qasm2.dumps(two_phases()), encoding="utf-8")
    rc, stdout, err = run_cli(capsys, "estimate", src, "--qpus", "2", "--reuse", "--json")
    assert rc == 0, err
    single = json.loads(stdout)
    assert single["ebits"] == 1 and len(single["deaths"]) == 4  # (2 without reuse)
    rc, stdout, err = run_cli(capsys, "estimate", src, "--qpus", "2", "--reuse")
    assert rc == 0 and "data qubits reused: 4 qubits measured" in stdout
    for sweep, reuse, ebits in [("link.rate_hz=10,100", (), [2, 2]),
                                ("link.rate_hz=10,100", ("--reuse",), [1, 1]),
                                ("qpu.comm_qubits=1,2", (), [3, 2]),  # (one comm qubit: 3)
                                ("qpu.comm_qubits=1,2", ("--reuse",), [1, 1])]:
        rc, stdout, err = run_cli(capsys, "estimate", src, "--qpus", "2", *reuse,
                                  "--sweep", sweep, "--json")
        assert rc == 0, err
        assert [e["ebits"] for e in json.loads(stdout)] == ebits
    for reuse in (False, True):  # the sweep's compiled circuits, through the API: verified
        for e in dqc.estimate_sweep(two_phases(), dqc.Network.all_to_all(2, data_qubits=2),
                                    "qpu.comm_qubits", [1, 2], reuse=reuse):
            assert dqc.verify(two_phases(), e.circuit, e.report).ok
    calls = []
    module = importlib.import_module("dqc.estimate")  # (dqc.estimate is the function)
    real = module.estimate

    def checked(circuit, *args, **kwargs):
        calls.append(kwargs["reuse"])
        e = real(circuit, *args, **kwargs)
        assert dqc.verify(circuit, e.circuit, e.report).ok  # every recompile verified
        return e

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, "estimate", checked)
        rc, stdout, err = run_cli(capsys, "estimate", src, "--qpus", "2", "--reuse",
                                  "--requirements", "--json")
    assert rc == 0, err
    assert json.loads(stdout)["ebits"] == 1 and "requirements" in json.loads(stdout)
    assert calls and all(calls)  # every recompile of the comm-qubit search reuses
