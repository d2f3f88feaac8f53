"""Hostile and broken inputs, generated: every one gives exit status 2 and one
``dqc: error:`` line, or (when the corruption happens to leave a valid program) a
verified output — never a traceback, a hang or a partial output file.

The corruptions are seeded, so a failure names its reproducer: the source, the kind
and the seed.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from qiskit import qasm3

from dqc.loading import MAX_QUBITS, loads_qasm, qasm_version
from tests.helpers import qft, run_cli

ROOT = Path(__file__).resolve().parents[1]
CIRCUITS = ROOT / "benchmarks" / "circuits"


def _qasm3_source() -> str:
    qc = qft(6)
    qc.measure_all()
    return qasm3.dumps(qc)


SOURCES = {
    "sat_n11": (CIRCUITS / "sat_n11.qasm").read_text(encoding="utf-8"),
    "qft_n18": (CIRCUITS / "qft_n18.qasm").read_text(encoding="utf-8"),
    "qft6_qasm3": _qasm3_source(),
}

# ---------------------------------------------------------------- QASM corruptions


def _truncate(text: str, rng: random.Random) -> bytes:
    return text[: rng.randrange(1, len(text) - 1)].encode()


def _flip_bytes(text: str, rng: random.Random) -> bytes:
    data = bytearray(text.encode())
    for _ in range(3):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _drop_semicolon(text: str, rng: random.Random) -> bytes:
    # a semicolon after the header, so the program is no longer well formed
    spots = [i for i, ch in enumerate(text) if ch == ";"][2:]
    cut = rng.choice(spots)
    return (text[:cut] + text[cut + 1:]).encode()


def _resize_register(text: str, rng: random.Random, size: str) -> bytes:
    match = re.search(r"(qreg \w+\[|qubit\[)\d+\]", text)
    assert match, "source has no register"
    return (text[:match.start()] + match.group(1) + size + "]" + text[match.end():]).encode()


def _huge_register(text: str, rng: random.Random) -> bytes:
    return _resize_register(text, rng, rng.choice(["1000000000", "10" + "0" * 40]))


def _negative_register(text: str, rng: random.Random) -> bytes:
    return _resize_register(text, rng, f"-{rng.randrange(1, 9)}")


def _undefined_gate(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines()
    gates = [i for i, line in enumerate(lines)
             if line.startswith(("h ", "cx ", "x ", "cp(", "cu1(", "ccx ", "t ", "rz("))]
    i = rng.choice(gates)
    lines[i] = "frobnicate" + lines[i][lines[i].index(" "):]
    return "\n".join(lines).encode()


def _deep_nesting(text: str, rng: random.Random) -> bytes:
    depth = rng.choice([200, 2000])
    register = re.search(r"qreg (\w+)\[|qubit\[\d+\] (\w+)", text)
    assert register, "source has no register"
    qubit = f"{register.group(1) or register.group(2)}[0]"
    if qasm_version(text) == 2:  # gate definitions, each calling the one before
        gates = "gate g0 a { x a; }\n" + "".join(
            f"gate g{i} a {{ g{i - 1} a; }}\n" for i in range(1, depth))
        return (text + "\n" + gates + f"g{depth - 1} {qubit};\n").encode()
    angle = "(" * depth + "0.1" + ")" * depth
    return (text + f"\nrz({angle}) {qubit};\n").encode()


def _not_utf8(text: str, rng: random.Random) -> bytes:
    data = text.encode()
    at = rng.randrange(len(data))
    return data[:at] + b"\xff\xfe\xc3" + data[at:]


CORRUPTIONS = {
    "truncate": _truncate, "flip_bytes": _flip_bytes, "drop_semicolon": _drop_semicolon,
    "huge_register": _huge_register, "negative_register": _negative_register,
    "undefined_gate": _undefined_gate, "deep_nesting": _deep_nesting, "not_utf8": _not_utf8,
}


def _assert_refused_or_verified(capsys, tmp_path: Path, *args: object) -> tuple[int, str]:
    out = tmp_path / "out.qasm"
    rc, _, err = run_cli(capsys, "compile", *args, "-o", out, "--verify", "-q")
    if rc == 0:  # the corruption left a valid program: it compiled and verified
        assert out.is_file()
        return rc, err
    lines = err.strip().splitlines()
    assert rc == 2, err
    assert len(lines) == 1 and lines[0].startswith("dqc: error: "), err
    assert "Traceback" not in err
    assert not out.exists(), "a refused input must not leave an output file"
    return rc, lines[0]


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_corrupted_qasm_is_refused_in_one_line(capsys, tmp_path, source, kind):
    rng = random.Random(f"{source}/{kind}")
    path = tmp_path / f"{source}_{kind}.qasm"
    path.write_bytes(CORRUPTIONS[kind](SOURCES[source], rng))
    rc, line = _assert_refused_or_verified(capsys, tmp_path, path, "--qpus", 2)
    if kind in ("huge_register", "negative_register", "undefined_gate", "deep_nesting",
                "not_utf8"):
        assert rc == 2  # these never leave a valid program
    if kind == "huge_register":
        assert f"at most {MAX_QUBITS:,} qubits" in line
    if kind == "undefined_gate":
        assert "frobnicate" in line and "line " in line
    if kind == "not_utf8":
        assert "utf-8" in line.lower()


def test_a_billion_qubits_fail_fast_in_a_fresh_process(tmp_path):
    """``qreg q[1000000000];`` used to exhaust memory (killed by the kernel)."""
    path = tmp_path / "huge.qasm"
    path.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1000000000];\nh q[0];\n')
    run = subprocess.run([sys.executable, "-m", "dqc", "compile", str(path), "--qpus", "2",
                          "-o", str(tmp_path / "out.qasm")],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 2
    assert run.stderr == (f"dqc: error: {path} declares 1,000,000,000 qubits; "
                          f"dqc compiles at most {MAX_QUBITS:,} qubits\n")
    assert not (tmp_path / "out.qasm").exists()


def test_the_size_rule_admits_the_scale_case():
    """10,000 qubits (the scale benchmark's largest) and 100,000 bits read fine."""
    qc = loads_qasm("OPENQASM 3.0;\nqubit[10000] q;\nbit[100000] c;\n")
    assert (qc.num_qubits, qc.num_clbits) == (10_000, 100_000)


def test_the_size_rule_counts_every_register():
    with pytest.raises(Exception, match=r"declares 100,001 qubits"):
        loads_qasm("OPENQASM 2.0;\nqreg a[50000];\nqreg b[50001];\n")
    with pytest.raises(Exception, match=r"declares 1,000,001 bits"):
        loads_qasm("OPENQASM 3.0;\nqubit q;\nbit[1000001] c;\n")


@pytest.mark.parametrize("text, where", [
    ('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nfoo q[0];', "line 4, column 1"),
    ('OPENQASM 2.0;\nqreg q[-2];', "line 2, column 8"),
    ('OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\n  h r[0];', "line 4, column 5"),
])
def test_parse_errors_name_line_and_column(text, where):
    with pytest.raises(Exception, match=where):
        loads_qasm(text)


# ---------------------------------------------------------------- TOML corruptions

METRO4 = (ROOT / "targets" / "metro4.toml").read_text(encoding="utf-8")
_LINK3 = '[[link]]\nqpus = ["qpu2", "qpu3"]\n'
_LINK4 = '[[link]]\nqpus = ["qpu3", "qpu0"]\n'

#: (name, corrupted text, a word the one-line error must contain)
TOML_CORRUPTIONS = [
    ("missing link qpus", METRO4.replace('qpus = ["qpu2", "qpu3"]', ""), "qpus"),
    ("missing data_qubits", METRO4.replace("data_qubits = 10  # assumption, see above", "", 1),
     "data_qubits"),
    ("extra key", METRO4.replace('name = "qpu1"', 'name = "qpu1"\ncolour = "red"'), "colour"),
    ("mistyped key", METRO4.replace("rate_hz = 10.0", "rate_hertz = 10.0"), "rate_hertz"),
    ("string for a number", METRO4.replace("fidelity = 0.99", 'fidelity = "high"'), "fidelity"),
    ("negative rate", METRO4.replace("rate_hz = 10.0", "rate_hz = -10.0"), "rate_hz"),
    ("zero rate", METRO4.replace("rate_hz = 10.0", "rate_hz = 0.0"), "rate_hz"),
    ("nan fidelity", METRO4.replace("fidelity = 0.99", "fidelity = nan"), "fidelity"),
    ("fidelity above one", METRO4.replace("fidelity = 0.99", "fidelity = 1.5"), "fidelity"),
    ("infinite latency", METRO4.replace("latency_s = 1.125e-3", "latency_s = inf"), "latency_s"),
    ("negative comm qubits", METRO4.replace("comm_qubits = 2", "comm_qubits = -1"), "comm_qubits"),
    ("duplicate QPU names", METRO4.replace('name = "qpu3"', 'name = "qpu2"'), "qpu2"),
    ("self-loop", METRO4.replace('qpus = ["qpu3", "qpu0"]', 'qpus = ["qpu3", "qpu3"]'), "qpu3"),
    ("unknown QPU", METRO4.replace('qpus = ["qpu3", "qpu0"]', 'qpus = ["qpu3", "qpu9"]'), "qpu9"),
    ("disconnected", METRO4.replace(_LINK3, "").replace(_LINK4, ""), "connected"),
    ("truncated", METRO4[: METRO4.index("[[link]]") + 4], "TOML"),
]


@pytest.mark.parametrize("name, text, word", TOML_CORRUPTIONS, ids=[c[0] for c in TOML_CORRUPTIONS])
def test_corrupted_network_toml_is_refused_in_one_line(capsys, tmp_path, name, text, word):
    assert text != METRO4, "the corruption must change the file"
    target = tmp_path / "net.toml"
    target.write_text(text, encoding="utf-8")
    for command in ("compile", "estimate"):
        out = tmp_path / "out.qasm"
        extra = ["-o", out] if command == "compile" else []
        rc, _, err = run_cli(capsys, command, CIRCUITS / "sat_n11.qasm", "--target", target, *extra)
        lines = err.strip().splitlines()
        assert rc == 2, err
        assert len(lines) == 1 and lines[0].startswith("dqc: error: "), err
        assert word.lower() in lines[0].lower(), lines[0]
        assert not out.exists()


def test_toml_that_is_not_utf8_is_refused(capsys, tmp_path):
    target = tmp_path / "net.toml"
    target.write_bytes(METRO4.encode()[:200] + b"\xff\xfe" + METRO4.encode()[200:])
    rc, _, err = run_cli(capsys, "estimate", CIRCUITS / "sat_n11.qasm", "--target", target)
    assert rc == 2 and err.startswith("dqc: error: ") and len(err.strip().splitlines()) == 1
