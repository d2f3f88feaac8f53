"""Networks in TOML and as dicts: round trips, defaults, error messages (dqc.network.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dqc.errors import NetworkError
from dqc.network import QPU, Link, Network


def test_dict_and_toml_round_trip() -> None:
    net = Network(
        (QPU("a", 2, 0), QPU("b", 7, 5)),
        (Link("b", "a", rate_hz=182.0, fidelity=0.94, latency_s=1e-5),),
        name='odd "name"\twith\\escapes',
    )
    assert Network.from_dict(net.to_dict()) == net
    assert Network.from_dict(tomllib.loads(net.to_toml())) == net
    assert "name" not in Network.line(2, data_qubits=1).to_dict()


def test_toml_file_round_trip(tmp_path: Path) -> None:
    net = Network.ring(5, data_qubits=[1, 2, 3, 4, 5], rate_hz=123.5, latency_s=2.5e-4)
    path = tmp_path / "five.toml"
    path.write_text(net.to_toml())
    assert Network.from_toml(path) == net
    assert Network.from_toml(str(path)) == net


def test_toml_defaults_table(tmp_path: Path, write) -> None:
    path = write(tmp_path, """
name = "n"
description = "ignored"
[defaults]
data_qubits = 4
comm_qubits = 1
rate_hz = 3
fidelity = 0.8
[[qpu]]
name = "a"
[[qpu]]
name = "b"
data_qubits = 6
[[link]]
qpus = ["a", "b"]
latency_s = 0.5
""")
    net = Network.from_toml(path)
    assert net == Network(
        (QPU("a", 4, 1), QPU("b", 6, 1)), (Link("a", "b", 3.0, 0.8, 0.5),), name="n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[qpu]]\nname = "a"\ndata_qubits = 1\n[[qpu]]\nname = "b"\ndata_qubits = 1\n'
            '[[link]]\nqpus = ["a", "b"]\n[[link]]\nqpus = ["b", "a"]\nrate = 3\n',
            "unknown key 'rate' in [[link]] #2 of {path}; "
            "known: qpus, rate_hz, fidelity, latency_s",
        ),
        (
            'title = "x"\n',
            "unknown key 'title' in the top level of {path}; known: name, description, defaults",
        ),
        (
            '[defaults]\nrate = 1\n',
            "unknown key 'rate' in [defaults] of {path}; known: data_qubits, comm_qubits",
        ),
        (
            '[[qpu]]\nname = "a"\nsize = 3\n',
            "unknown key 'size' in [[qpu]] #1 of {path}; known: name, data_qubits, comm_qubits",
        ),
        (
            "[[qpu]]\nname = \"a\"\ndata_qubits = 'ten'\n",
            "data_qubits = 'ten' in [[qpu]] #1 of {path} must be an integer",
        ),
        (
            '[defaults]\ndata_qubits = 2.5\n[[qpu]]\nname = "a"\n',
            "data_qubits = 2.5 in [defaults] of {path} must be an integer",
        ),
        (
            '[[qpu]]\nname = "a"\ndata_qubits = 1\n[[link]]\nqpus = ["a", "a"]\nfidelity = "hi"\n',
            "fidelity = 'hi' in [[link]] #1 of {path} must be a number",
        ),
        ('[[qpu]]\nname = "a"\n', "[[qpu]] #1 of {path} has no 'data_qubits'"),
        ("[[qpu]]\ndata_qubits = 3\n", "[[qpu]] #1 of {path} has no 'name'"),
        ("[[qpu]]\nname = 7\ndata_qubits = 3\n", "name = 7 in [[qpu]] #1 of {path} must be a"),
        ("[qpu]\nname = 'a'\n", "'qpu' of {path} must be an array of tables ([[qpu]])"),
        ('[[link]]\nqpus = "a-b"\n', "qpus = 'a-b' in [[link]] #1 of {path} must be a list of two"),
        ("name = 3\n", "name = 3 of {path} must be a string"),
        (
            '[[qpu]]\nname = "a"\ndata_qubits = 0\n',
            "QPU 'a' has data_qubits=0; it must be a positive integer (in {path})",
        ),
        (
            '[[qpu]]\nname = "a"\ndata_qubits = 1\n[[link]]\nqpus = ["a", "b"]\n',
            "link a-b names unknown QPU 'b' (QPUs: a) (in {path})",
        ),
        ("", "network has no QPUs (in {path})"),
        ("[[qpu]\n", "network file '{path}' is not valid TOML: "),
    ],
)
def test_toml_errors(tmp_path: Path, text: str, message: str, write) -> None:
    path = write(tmp_path, text, "metro.toml")
    with pytest.raises(NetworkError) as info:
        Network.from_toml(path)
    assert str(info.value).startswith(message.format(path=path))


def test_toml_syntax_error_has_line_and_column(tmp_path: Path, write) -> None:
    path = write(tmp_path, 'name = "x"\n[[qpu]\n')
    with pytest.raises(NetworkError, match=r"net\.toml' is not valid TOML: .*line 2"):
        Network.from_toml(path)


def test_toml_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="^network file 'x.toml' not found$"):
        Network.from_toml("x.toml")
    with pytest.raises(NetworkError, match="cannot read network file"):
        Network.from_toml(tmp_path)


def test_from_dict_without_source_keeps_model_messages() -> None:
    with pytest.raises(NetworkError, match="^duplicate QPU name 'a'$"):
        Network.from_dict({"qpu": [{"name": "a", "data_qubits": 1}] * 2})
    with pytest.raises(NetworkError, match="^unknown key 'x' in the top level; known:"):
        Network.from_dict({"x": 1})
