"""Purification and cutoff keys of a link: fields, TOML round trip, error messages."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dqc.errors import NetworkError
from dqc.network import Link, Network

_QPUS = '[[qpu]]\nname = "a"\ndata_qubits = 2\n[[qpu]]\nname = "b"\ndata_qubits = 2\n'


def test_link_defaults_and_repr() -> None:
    link = Link("a", "b")
    assert (link.purification, link.purification_rounds, link.cutoff_s) == ("none", 0, None)
    pure = Link("a", "b", purification="dejmps", purification_rounds=2, cutoff_s=0.5)
    assert "purification='dejmps'" in repr(pure) and "cutoff_s=0.5" in repr(pure)
    assert eval(repr(pure)) == pure
    assert pure.evolve(rate_hz=3.0).purification_rounds == 2


def test_toml_round_trip(tmp_path: Path) -> None:
    base = Network.line(3, data_qubits=2)
    links = (base.links[0].evolve(purification="bbpssw", purification_rounds=1, cutoff_s=0.02),
             base.links[1].evolve(purification="dejmps"))
    net = Network(base.qpus, links)
    assert Network.from_dict(tomllib.loads(net.to_toml())) == net
    path = tmp_path / "net.toml"
    path.write_text(net.to_toml())
    assert Network.from_toml(path) == net
    assert "cutoff_s = 0.02" in net.to_toml() and "purification_rounds = 1" in net.to_toml()
    assert "purification" not in base.to_toml()


def test_toml_defaults_table_sets_purification(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text('[defaults]\npurification = "dejmps"\npurification_rounds = 1\n'
                    + _QPUS + '[[link]]\nqpus = ["a", "b"]\ncutoff_s = 1\n')
    link = Network.from_toml(path).links[0]
    assert (link.purification, link.purification_rounds, link.cutoff_s) == ("dejmps", 1, 1.0)


@pytest.mark.parametrize("line, message", [
    ('purification = "bbpsw"',
     "link a-b has purification='bbpsw'; it must be one of 'none', 'bbpssw', 'dejmps'"),
    ('purification = "dejmps"\npurification_rounds = -1',
     "link a-b has purification_rounds=-1; it must be a non-negative integer"),
    ('purification = "dejmps"\npurification_rounds = 1.5',
     "purification_rounds = 1.5 in [[link]] #1 (link a-b) of {path} must be an integer"),
    ("purification_rounds = 2",
     "link a-b has purification_rounds=2 but purification='none'"),
    ("cutoff_s = 0", "link a-b has cutoff_s=0; it must be positive and finite"),
    ("cutoff_s = inf", "link a-b has cutoff_s=inf; it must be positive and finite"),
    ('cutoff_s = "1 ms"', "cutoff_s = '1 ms' in [[link]] #1 (link a-b) of {path} must be a number"),
    ("purification = 1", "purification = 1 in [[link]] #1 (link a-b) of {path} must be a string"),
])
def test_toml_errors_name_the_key_the_link_and_the_value(tmp_path: Path, line: str,
                                                        message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(_QPUS + f'[[link]]\nqpus = ["a", "b"]\n{line}\n')
    with pytest.raises(NetworkError) as info:
        Network.from_toml(path)
    assert message.format(path=path) in str(info.value)
    assert str(path) in str(info.value)
