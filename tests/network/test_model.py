"""The Network value: validation, lookups, paths, repr (dqc.network.model); random networks."""

from __future__ import annotations

import tomllib

import networkx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dqc.errors import DQCError, NetworkError
from dqc.network import QPU, Link, Network


def net3(**kw: object) -> Network:
    """a - b - c, a line of three QPUs named a, b, c."""
    return Network((QPU("a", 2), QPU("b", 3), QPU("c", 4)), (Link("a", "b"), Link("b", "c")), **kw)


# ----------------------------------------------------------------------- Network
@pytest.mark.parametrize(
    ("qpus", "links", "message"),
    [
        ((), (), "network has no QPUs"),
        ((QPU("a", 1), QPU("a", 2)), (), "duplicate QPU name 'a'"),
        (
            (QPU("a", 1), QPU("b", 1), QPU("c", 1)),
            (Link("a", "b"), Link("a", "x")),
            "link a-x names unknown QPU 'x' (QPUs: a, b, c)",
        ),
        ((QPU("a", 1), QPU("b", 1)), (Link("a", "b"), Link("a", "b")), "duplicate link a-b"),
        ((QPU("a", 1), QPU("b", 1)), (Link("a", "b"), Link("b", "a")), "duplicate link b-a"),
        (
            (QPU("a", 1), QPU("b", 1), QPU("c", 1)),
            (Link("a", "b"),),
            "network is disconnected: {a, b} cannot reach {c}",
        ),
        (
            (QPU("c", 1), QPU("a", 1), QPU("d", 1), QPU("b", 1)),
            (Link("b", "c"),),
            "network is disconnected: {c, b} cannot reach {a} or {d}",
        ),
        ((QPU("a", 1), "b"), (), "qpus[1] is a str, not a QPU"),
        ((QPU("a", 1),), (("a", "b"),), "links[0] is a tuple, not a Link"),
    ],
)
def test_network_validation(qpus: tuple, links: tuple, message: str) -> None:
    with pytest.raises(NetworkError) as info:
        Network(qpus, links)
    assert str(info.value) == message


def test_network_error_is_dqc_error() -> None:
    assert issubclass(NetworkError, DQCError)


def test_single_qpu_without_links_is_fine() -> None:
    net = Network((QPU("solo", 5),), ())
    assert net.distances().tolist() == [[0]]
    assert net.shortest_path("solo", "solo") == ("solo",)


def test_lists_become_tuples_and_network_is_hashable() -> None:
    net = Network([QPU("a", 1), QPU("b", 1)], [Link("a", "b")])
    assert isinstance(net.qpus, tuple) and isinstance(net.links, tuple)
    assert hash(net) == hash(Network((QPU("a", 1), QPU("b", 1)), (Link("a", "b"),)))
    assert len({net, Network.line(2, data_qubits=1)}) == 2


def test_lookups() -> None:
    net = net3()
    assert net.qpu_names == ("a", "b", "c")
    assert net.qpu("b") == QPU("b", 3)
    assert net.index("c") == 2
    assert (net.total_data_qubits, net.total_comm_qubits) == (9, 6)
    with pytest.raises(NetworkError, match=r"^unknown QPU 'x' \(QPUs: a, b, c\)$"):
        net.qpu("x")
    with pytest.raises(NetworkError, match="unknown QPU 'x'"):
        net.index("x")


def test_links_either_orientation() -> None:
    net = net3()
    assert net.link("b", "a") is net.links[0]
    assert net.link("a", "c") is None
    assert net.linked("c", "b") and not net.linked("a", "c")
    assert net.link_key("b", "a") == "a-b"
    with pytest.raises(NetworkError, match="^QPUs 'a' and 'c' are not linked$"):
        net.link_key("a", "c")
    with pytest.raises(NetworkError, match="unknown QPU 'z'"):
        net.link("a", "z")


def test_graph_order_and_attributes() -> None:
    net = Network(
        (QPU("z", 1), QPU("a", 1), QPU("m", 1)), (Link("m", "a"), Link("z", "m"))
    )
    g = net.graph
    assert list(g.nodes) == ["z", "a", "m"]
    assert g.edges["a", "m"]["link"] is net.links[0]
    assert g is net.graph  # cached
    with pytest.raises(networkx.NetworkXError):
        g.add_node("q")  # frozen: the cache cannot be corrupted


def test_distances_and_paths_on_a_line() -> None:
    net = Network.line(4, data_qubits=1)
    d = net.distances()
    assert d.dtype.kind == "i" and d.shape == (4, 4)
    assert d.tolist() == [[abs(i - j) for j in range(4)] for i in range(4)]
    d[0, 0] = 99  # a copy: the cache is unaffected
    assert net.distances()[0, 0] == 0
    assert net.distance("qpu3", "qpu0") == 3
    assert net.shortest_path("qpu0", "qpu3") == ("qpu0", "qpu1", "qpu2", "qpu3")
    with pytest.raises(NetworkError, match="unknown QPU 'qpu9'"):
        net.shortest_path("qpu0", "qpu9")


def test_shortest_path_deterministic_on_ties() -> None:
    # ring of 4: qpu0 -> qpu2 has two shortest paths; the answer never changes
    paths = {Network.ring(4, data_qubits=1).shortest_path("qpu0", "qpu2") for _ in range(5)}
    assert len(paths) == 1
    path = paths.pop()
    assert len(path) == 3 and path[0] == "qpu0" and path[-1] == "qpu2"


# ------------------------------------------------------------ repr, dict, TOML
def test_repr_round_trip() -> None:
    for net in (net3(name="x"), Network.all_to_all(3, data_qubits=[1, 2, 3], latency_s=1e-7)):
        again = eval(repr(net), {"QPU": QPU, "Link": Link, "Network": Network})
        assert again == net and repr(again) == repr(net)
    assert "_cache" not in repr(net3())


# -------------------------------------------------------------------- hypothesis
@st.composite
def networks(draw: st.DrawFn) -> Network:
    """A random connected network: a random spanning tree plus random extra links."""
    k = draw(st.integers(1, 7))
    names = [f"n{i}" for i in range(k)]
    pairs = [(draw(st.integers(0, i - 1)), i) for i in range(1, k)]
    extra = draw(st.lists(st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), max_size=6))
    seen = {frozenset(p) for p in pairs}
    for i, j in extra:
        if i != j and frozenset((i, j)) not in seen:
            seen.add(frozenset((i, j)))
            pairs.append((i, j))
    order = draw(st.permutations(range(len(pairs)))) if pairs else []
    figure = st.floats(0.51, 1.0)
    links = tuple(
        Link(names[pairs[n][1]], names[pairs[n][0]], draw(st.floats(0.01, 1e6)), draw(figure),
             draw(st.floats(0, 1)))
        for n in order
    )
    qpus = tuple(QPU(n, draw(st.integers(1, 50)), draw(st.integers(0, 4))) for n in names)
    return Network(qpus, links, name=draw(st.text(max_size=5)))


@settings(max_examples=60, deadline=None)
@given(networks())
def test_random_networks(net: Network) -> None:
    assert eval(repr(net), {"QPU": QPU, "Link": Link, "Network": Network}) == net
    assert Network.from_dict(net.to_dict()) == net
    assert Network.from_dict(tomllib.loads(net.to_toml())) == net
    d = net.distances()
    assert (d == d.T).all() and (np.diag(d) == 0).all()
    for a in net.qpu_names:
        for b in net.qpu_names:
            path = net.shortest_path(a, b)
            assert path[0] == a and path[-1] == b
            assert len(path) - 1 == net.distance(a, b) == d[net.index(a), net.index(b)]
            assert all(net.linked(x, y) for x, y in zip(path, path[1:]))
    # a fresh, equal network answers the same paths (determinism)
    twin = Network(net.qpus, net.links, net.name)
    assert all(
        twin.shortest_path(a, b) == net.shortest_path(a, b)
        for a in net.qpu_names for b in net.qpu_names
    )
