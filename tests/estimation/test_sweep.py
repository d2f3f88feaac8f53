"""Sweep keys, values and networks (dqc.estimation.sweep)."""

from __future__ import annotations

import pytest

import dqc
from dqc.errors import DQCError, NetworkError
from dqc.estimation.sweep import SWEEP_KEYS, check_key, parse_sweep, sweep_network
from dqc.network import Network


def test_sweep_length_needs_physical_links() -> None:
    ring = dqc.targets.load("metro_ring")
    longer = sweep_network(ring, "link.length_km", 50.0)
    assert longer.links[0].rate_hz < ring.links[0].rate_hz
    assert longer.links[0].latency_s > ring.links[0].latency_s
    with pytest.raises(NetworkError, match=r"^sweeping link.length_km needs physical links, "
                                           r"but link qpu0-qpu1 is given directly"):
        sweep_network(dqc.targets.load("metro4"), "link.length_km", 50.0)
    with pytest.raises(NetworkError, match="length_km=-1.0; it must be >= 0"):
        sweep_network(ring, "link.length_km", -1.0)


@pytest.mark.parametrize(
    ("key", "value", "error", "message"),
    [
        ("link.rate", 1.0, DQCError, "unknown sweep key 'link.rate'; known: link.rate_hz"),
        ("link.rate_hz", 0.0, NetworkError, "link qpu0-qpu1 has rate_hz=0.0; it must be positive"),
        ("qpu.t2_s", 0.0, NetworkError, "has t2_s=0.0; it must be positive and finite"),
        ("qpu.t2_s", -2.0, NetworkError, "has t2_s=-2.0; it must be positive and finite"),
        ("link.latency_s", -1.0, NetworkError, "has latency_s=-1.0; it must be >= 0"),
        ("qpu.comm_qubits", -1, NetworkError, "has comm_qubits=-1; it must be a non-negative"),
    ],
)
def test_bad_sweep_values(key: str, value: float, error: type, message: str) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        sweep_network(Network.line(2, data_qubits=1), key, value)


def test_parse_sweep() -> None:
    assert parse_sweep("link.rate_hz=1,10, 1e3") == ("link.rate_hz", [1.0, 10.0, 1000.0])
    assert parse_sweep("link.channels=1,2") == ("link.channels", [1, 2])
    with pytest.raises(DQCError, match="must look like KEY=V1,V2"):
        parse_sweep("link.rate_hz")
    with pytest.raises(DQCError, match="value 'fast' of link.rate_hz is not a number"):
        parse_sweep("link.rate_hz=1,fast")
    with pytest.raises(DQCError, match="value '1.5' of qpu.comm_qubits must be an integer"):
        parse_sweep("qpu.comm_qubits=1.5")


def test_every_key_is_accepted_and_unknown_ones_are_not() -> None:
    for key in SWEEP_KEYS:
        check_key(key)
    with pytest.raises(DQCError, match="unknown sweep key 'qpu.speed'"):
        check_key("qpu.speed")
    assert parse_sweep("link.channels=2.0") == ("link.channels", [2])
    assert isinstance(parse_sweep("link.channels=2")[1][0], int)
