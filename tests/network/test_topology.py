"""The topology factories and their table (dqc.network.topology, Network.all_to_all ...)."""

from __future__ import annotations

import pytest

from dqc import cli
from dqc.errors import NetworkError
from dqc.network import Link, Network
from dqc.network.topology import TOPOLOGIES, pairs, recognise


# --------------------------------------------------------------------- factories
def keys(net: Network) -> list[str]:
    return [link.key for link in net.links]


def test_factories_topologies() -> None:
    assert keys(Network.all_to_all(4, data_qubits=1)) == [
        "qpu0-qpu1", "qpu0-qpu2", "qpu0-qpu3", "qpu1-qpu2", "qpu1-qpu3", "qpu2-qpu3",
    ]
    assert keys(Network.line(3, data_qubits=1)) == ["qpu0-qpu1", "qpu1-qpu2"]
    assert keys(Network.ring(4, data_qubits=1)) == [
        "qpu0-qpu1", "qpu1-qpu2", "qpu2-qpu3", "qpu3-qpu0",
    ]
    assert keys(Network.ring(2, data_qubits=1)) == ["qpu0-qpu1"]
    assert keys(Network.star(4, data_qubits=1)) == ["qpu0-qpu1", "qpu0-qpu2", "qpu0-qpu3"]
    for factory in (Network.all_to_all, Network.line, Network.ring, Network.star):
        single = factory(1, data_qubits=3)
        assert single.qpu_names == ("qpu0",) and single.links == ()


def test_factory_options_and_heterogeneous_qubits() -> None:
    net = Network.star(
        3, data_qubits=[8, 2, 4], comm_qubits=(3, 1, 1), rate_hz=5, fidelity=0.9, latency_s=0
    )
    assert [q.data_qubits for q in net.qpus] == [8, 2, 4]
    assert [q.comm_qubits for q in net.qpus] == [3, 1, 1]
    assert net.links == (Link("qpu0", "qpu1", 5.0, 0.9, 0.0), Link("qpu0", "qpu2", 5.0, 0.9, 0.0))


@pytest.mark.parametrize("k", [0, -2, 2.0, True, "3"])
def test_factory_bad_k(k: object) -> None:
    message = f"^number of QPUs must be a positive integer, got {k!r}$"
    with pytest.raises(NetworkError, match=message):
        Network.ring(k, data_qubits=1)  # type: ignore[arg-type]


def test_factory_bad_per_qpu_lengths_and_values() -> None:
    with pytest.raises(NetworkError, match="^data_qubits has 2 values but there are 3 QPUs$"):
        Network.line(3, data_qubits=[1, 2])
    with pytest.raises(NetworkError, match="QPU 'qpu1' has comm_qubits=-1"):
        Network.line(2, data_qubits=1, comm_qubits=[1, -1])
    with pytest.raises(NetworkError, match="link qpu0-qpu1 has fidelity=0.3"):
        Network.all_to_all(2, data_qubits=1, fidelity=0.3)


def test_summary() -> None:
    assert Network.ring(4, data_qubits=10).summary() == (
        "4 QPUs (ring), 40 data + 8 comm qubits, 4 links"
    )
    assert Network.line(4, data_qubits=1).summary().startswith("4 QPUs (line),")
    assert Network.star(4, data_qubits=1).summary().startswith("4 QPUs (star),")
    assert Network.all_to_all(4, data_qubits=1).summary().startswith("4 QPUs (all-to-all),")
    assert Network.line(1, data_qubits=3, comm_qubits=0).summary() == (
        "1 QPU, 3 data + 0 comm qubits, 0 links"
    )
    assert Network.line(2, data_qubits=3).summary() == "2 QPUs, 6 data + 4 comm qubits, 1 link"


# ------------------------------------------------------------------ the table
def test_every_factory_is_its_table_entry() -> None:
    factories = {"all-to-all": Network.all_to_all, "line": Network.line,
                 "ring": Network.ring, "star": Network.star}
    assert list(TOPOLOGIES) == list(factories)
    for name, factory in factories.items():
        for k in (1, 2, 3, 5):
            net = factory(k, data_qubits=2, comm_qubits=1, rate_hz=3.0, technology="nv")
            assert net == Network.from_topology(name, k, data_qubits=2, comm_qubits=1,
                                                rate_hz=3.0, technology="nv")
            assert keys(net) == [f"qpu{i}-qpu{j}" for i, j in pairs(name, k)]
            if k >= 4:  # with 3 QPUs a ring is all-to-all and a star a line
                assert recognise(net.graph) == name


def test_unknown_topology_names_the_known_ones() -> None:
    with pytest.raises(NetworkError, match="^unknown topology 'mesh'; known: all-to-all, line, "
                                           "ring, star$"):
        Network.from_topology("mesh", 3, data_qubits=1)


def test_cli_topologies_come_from_the_table() -> None:
    assert list(cli.TOPOLOGIES) == list(TOPOLOGIES)
    assert cli.TOPOLOGIES["ring"](3, data_qubits=2) == Network.ring(3, data_qubits=2)
