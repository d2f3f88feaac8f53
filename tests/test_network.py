"""Tests of the network model (dqc.network) and the presets (dqc.targets)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import networkx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dqc import targets
from dqc.errors import DQCError, NetworkError
from dqc.network import QPU, Link, Network

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def net3(**kw: object) -> Network:
    """a - b - c, a line of three QPUs named a, b, c."""
    return Network((QPU("a", 2), QPU("b", 3), QPU("c", 4)), (Link("a", "b"), Link("b", "c")), **kw)


# --------------------------------------------------------------------------- QPU
def test_qpu_defaults_and_hashable() -> None:
    q = QPU("a", 5)
    assert q.comm_qubits == 2
    assert hash(q) == hash(QPU("a", 5, 2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"name": "a", "data_qubits": 0},
            "QPU 'a' has data_qubits=0; it must be a positive integer",
        ),
        ({"name": "a", "data_qubits": True}, "QPU 'a' has data_qubits=True; it must be a positive"),
        ({"name": "a", "data_qubits": 2.0}, "QPU 'a' has data_qubits=2.0; it must be a positive"),
        ({"name": "a", "data_qubits": "4"}, "QPU 'a' has data_qubits='4'; it must be a positive"),
        (
            {"name": "a", "data_qubits": 1, "comm_qubits": -1},
            "QPU 'a' has comm_qubits=-1; it must be a non-negative integer",
        ),
        (
            {"name": "my-qpu", "data_qubits": 1},
            "QPU name 'my-qpu' is not an identifier "
            "(letters, digits, '_'; not starting with a digit)",
        ),
        ({"name": "0a", "data_qubits": 1}, "QPU name '0a' is not an identifier"),
        ({"name": "", "data_qubits": 1}, "QPU name '' is not an identifier"),
        ({"name": 3, "data_qubits": 1}, "QPU name 3 is not an identifier"),
        ({"name": "a_comm", "data_qubits": 1}, "QPU name 'a_comm' ends with '_comm'"),
    ],
)
def test_qpu_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(NetworkError) as info:
        QPU(**kwargs)
    assert str(info.value).startswith(message)


def test_qpu_zero_comm_qubits_allowed_and_numpy_ints_normalised() -> None:
    q = QPU("a", np.int64(3), 0)
    assert q == QPU("a", 3, 0)
    assert type(q.data_qubits) is int


# -------------------------------------------------------------------------- Link
def test_link_key_and_defaults() -> None:
    link = Link("b", "a")
    assert link.key == "b-a"
    assert (link.rate_hz, link.fidelity, link.latency_s) == (10.0, 0.99, 1.125e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate_hz": 0}, "link a-b has rate_hz=0; it must be positive"),
        ({"rate_hz": -3.5}, "link a-b has rate_hz=-3.5; it must be positive"),
        ({"rate_hz": math.inf}, "link a-b has rate_hz=inf; it must be positive and finite"),
        ({"rate_hz": math.nan}, "link a-b has rate_hz=nan; it must be positive and finite"),
        ({"rate_hz": "10"}, "link a-b has rate_hz='10'; it must be a number"),
        ({"fidelity": 0.4}, "link a-b has fidelity=0.4; it must be in (0.5, 1]"),
        ({"fidelity": 0.5}, "link a-b has fidelity=0.5; it must be in (0.5, 1]"),
        ({"fidelity": 1.01}, "link a-b has fidelity=1.01; it must be in (0.5, 1]"),
        ({"latency_s": -1}, "link a-b has latency_s=-1; it must be >= 0"),
        ({"latency_s": True}, "link a-b has latency_s=True; it must be a number"),
    ],
)
def test_link_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(NetworkError) as info:
        Link("a", "b", **kwargs)
    assert str(info.value) == message


def test_link_edge_values_accepted() -> None:
    link = Link("a", "b", rate_hz=1, fidelity=1, latency_s=0)
    assert (link.rate_hz, link.fidelity, link.latency_s) == (1.0, 1.0, 0.0)
    assert type(link.rate_hz) is float


def test_link_to_itself() -> None:
    with pytest.raises(NetworkError, match="^link a-a joins a QPU to itself$"):
        Link("a", "a")


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


# ------------------------------------------------------------ repr, dict, TOML
def test_repr_round_trip() -> None:
    for net in (net3(name="x"), Network.all_to_all(3, data_qubits=[1, 2, 3], latency_s=1e-7)):
        again = eval(repr(net), {"QPU": QPU, "Link": Link, "Network": Network})
        assert again == net and repr(again) == repr(net)
    assert "_cache" not in repr(net3())


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


def write(tmp_path: Path, text: str, name: str = "net.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_toml_defaults_table(tmp_path: Path) -> None:
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
def test_toml_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text, "metro.toml")
    with pytest.raises(NetworkError) as info:
        Network.from_toml(path)
    assert str(info.value).startswith(message.format(path=path))


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
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


# ----------------------------------------------------------------------- presets
def test_available_presets() -> None:
    names = targets.available()
    assert names == sorted(names)
    assert {"lab2", "metro4"} <= set(names)


def test_every_preset_loads_and_round_trips() -> None:
    for name in targets.available():
        net = targets.load(name)
        assert net.name == name
        assert Network.from_dict(net.to_dict()) == net


def test_metro4_preset_figures() -> None:
    net = targets.load("metro4")
    ring = Network.ring(4, data_qubits=10, comm_qubits=2, rate_hz=10.0, fidelity=0.99,
                        latency_s=1.125e-3, technology="nv")
    assert net == Network(ring.qpus, ring.links, name="metro4")


def test_lab2_preset_figures() -> None:
    net = targets.load("lab2")
    assert net.qpus == (QPU("alice", 16, 2, "trapped_ion"), QPU("bob", 16, 2, "trapped_ion"))
    assert net.links == (Link("alice", "bob", rate_hz=182.0, fidelity=0.94, latency_s=1e-5),)


def test_preset_files_comment_every_figure() -> None:
    """Each numeric setting in a preset has a comment on its line or on the line above."""
    folder = Path(targets.__file__).parent
    for name in targets.available():
        lines = [line for line in (folder / f"{name}.toml").read_text().splitlines() if line]
        for above, line in zip([""] + lines, lines):
            if line.partition("=")[2].strip()[:1].isdigit():
                assert "#" in line or above.startswith("#"), f"{name}.toml: {line!r} has no source"


def test_load_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, Network.line(2, data_qubits=2).to_toml(), "mine.toml")
    assert targets.load(path) == Network.line(2, data_qubits=2)
    assert targets.load(str(path)) == Network.line(2, data_qubits=2)
    write(tmp_path, Network.line(3, data_qubits=2).to_toml(), "plainfile")
    monkeypatch.chdir(tmp_path)
    assert targets.load("plainfile") == Network.line(3, data_qubits=2)


def test_load_errors(tmp_path: Path) -> None:
    known = ", ".join(targets.available())
    with pytest.raises(NetworkError) as info:
        targets.load("foo")
    assert str(info.value) == (
        f"unknown target 'foo': known presets are {known}; or give a path to a .toml file"
    )
    missing = tmp_path / "nope.toml"
    with pytest.raises(NetworkError, match="nope.toml' not found"):
        targets.load(missing)
    with pytest.raises(NetworkError, match="^network file 'nope.toml' not found$"):
        targets.load("nope.toml")
    with pytest.raises(NetworkError, match="target must be a preset name or a path"):
        targets.load(4)  # type: ignore[arg-type]


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
