"""The network model: QPUs joined by links that deliver entanglement.

A :class:`Network` is a frozen, validated value: a tuple of :class:`QPU` (data and
communication qubits) and a tuple of :class:`Link` (ebit rate, fidelity, classical
latency). It answers the graph questions the compiler asks (hop distances, shortest
paths, which link joins two QPUs) from caches built once. Its parts are defined in
:mod:`dqc.network.parts`, the topology factories' table in :mod:`dqc.network.topology`,
the TOML format of ``targets/*.toml`` in :mod:`dqc.network.toml`; the methods here
forward to them.

Examples:
    >>> net = Network.ring(4, data_qubits=10)
    >>> net.summary()
    '4 QPUs (ring), 40 data + 8 comm qubits, 4 links'
    >>> net.shortest_path("qpu0", "qpu2")
    ('qpu0', 'qpu1', 'qpu2')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from dqc.errors import NetworkError, plural
from dqc.network import toml
from dqc.network.parts import DEFAULT_FIDELITY, DEFAULT_LATENCY_S, DEFAULT_RATE_HZ, QPU, Link
from dqc.network.physics import Technology
from dqc.network.physics import technology as resolve_technology
from dqc.network.purification import Purified, purify
from dqc.network.topology import pairs, per_qpu, qpu_count, recognise

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from dqc.network.topology import TopologyOptions

__all__ = ["DEFAULT_FIDELITY", "DEFAULT_LATENCY_S", "DEFAULT_RATE_HZ", "QPU", "Link", "Network"]


@dataclass(frozen=True)
class Network:
    """QPUs and the links between them; validated, hashable, connected.

    Args:
        qpus: The QPUs, in order (their order is the QPU index everywhere).
        links: The links; each names two QPUs of ``qpus``; at most one per pair.
        name: Optional label, e.g. the preset name.

    Raises:
        NetworkError: On duplicate or unknown names, bad figures, duplicate links, or a
            disconnected network.

    Examples:
        >>> net = Network((QPU("a", 4), QPU("b", 4)), (Link("a", "b"),))
        >>> net.linked("b", "a"), net.total_data_qubits
        (True, 8)
        >>> eval(repr(net)) == net
        True
    """

    qpus: tuple[QPU, ...]
    links: tuple[Link, ...]
    name: str = ""
    _cache: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "qpus", tuple(self.qpus))
        object.__setattr__(self, "links", tuple(self.links))
        if not isinstance(self.name, str):
            raise NetworkError(f"network name {self.name!r} must be a string")
        for i, qpu in enumerate(self.qpus):
            if not isinstance(qpu, QPU):
                raise NetworkError(f"qpus[{i}] is a {type(qpu).__name__}, not a QPU")
        for i, link in enumerate(self.links):
            if not isinstance(link, Link):
                raise NetworkError(f"links[{i}] is a {type(link).__name__}, not a Link")
        if not self.qpus:
            raise NetworkError("network has no QPUs")
        index: dict[str, int] = {}
        for i, qpu in enumerate(self.qpus):
            if qpu.name in index:
                raise NetworkError(f"duplicate QPU name {qpu.name!r}")
            index[qpu.name] = i
        names = ", ".join(index)
        pairs: dict[tuple[str, str], Link] = {}
        for link in self.links:
            for end in (link.a, link.b):
                if end not in index:
                    raise NetworkError(
                        f"link {link.key} names unknown QPU {end!r} (QPUs: {names})"
                    )
            if (link.a, link.b) in pairs:
                raise NetworkError(f"duplicate link {link.key}")
            pairs[(link.a, link.b)] = pairs[(link.b, link.a)] = link
        graph = nx.Graph()
        graph.add_nodes_from(index)
        for link in self.links:
            graph.add_edge(link.a, link.b, link=link)
        components = [
            sorted(c, key=index.__getitem__) for c in nx.connected_components(graph)
        ]
        if len(components) > 1:
            components.sort(key=lambda c: index[c[0]])
            parts = ["{" + ", ".join(c) + "}" for c in components]
            raise NetworkError(
                f"network is disconnected: {parts[0]} cannot reach {' or '.join(parts[1:])}"
            )
        self._cache.update(index=index, pairs=pairs, graph=nx.freeze(graph))

    # ----------------------------------------------------------------- lookups
    @property
    def qpu_names(self) -> tuple[str, ...]:
        """QPU names in network order."""
        return tuple(q.name for q in self.qpus)

    def index(self, name: str) -> int:
        """Position of QPU ``name`` in :attr:`qpus`.

        Examples:
            >>> Network.line(3, data_qubits=2).index("qpu2")
            2
        """
        try:
            return self._cache["index"][name]  # type: ignore[no-any-return]
        except (KeyError, TypeError):
            raise NetworkError(
                f"unknown QPU {name!r} (QPUs: {', '.join(self.qpu_names)})"
            ) from None

    def qpu(self, name: str) -> QPU:
        """The QPU called ``name``; :class:`NetworkError` if there is none."""
        return self.qpus[self.index(name)]

    @property
    def total_data_qubits(self) -> int:
        """Sum of data qubits over all QPUs."""
        return sum(q.data_qubits for q in self.qpus)

    @property
    def total_comm_qubits(self) -> int:
        """Sum of communication qubits over all QPUs."""
        return sum(q.comm_qubits for q in self.qpus)

    @property
    def graph(self) -> nx.Graph:
        """Frozen networkx graph: nodes in QPU order, edges in link order, attr ``link``."""
        return self._cache["graph"]  # type: ignore[no-any-return]

    def link(self, a: str, b: str) -> Link | None:
        """The link joining ``a`` and ``b`` (either orientation), or None."""
        self.index(a), self.index(b)
        return self._cache["pairs"].get((a, b))  # type: ignore[no-any-return]

    def linked(self, a: str, b: str) -> bool:
        """Whether a link joins ``a`` and ``b``."""
        return self.link(a, b) is not None

    def link_key(self, a: str, b: str) -> str:
        """Key (``"a-b"``, declared orientation) of the link joining ``a`` and ``b``.

        Examples:
            >>> Network.ring(3, data_qubits=1).link_key("qpu0", "qpu2")
            'qpu2-qpu0'
        """
        link = self.link(a, b)
        if link is None:
            raise NetworkError(f"QPUs {a!r} and {b!r} are not linked")
        return link.key

    def delivered(self, link: Link) -> Purified:
        """What ``link`` delivers per pair after its purification rounds (none: the raw
        pair): fidelity, expected time and raw pairs (:func:`dqc.network.purification.purify`).

        Rounds wait a classical round trip (2 × ``latency_s``) and the slower end's local
        operations (a one-qubit rotation, a two-qubit gate, a measurement); waiting pairs
        dephase with the T2 of each end's technology, and each end's operations err with
        its technology's error rates (:func:`~dqc.network.purification.noisy_round`).

        Examples:
            >>> net = Network.line(2, data_qubits=1, rate_hz=100.0, latency_s=1e-3)
            >>> round(net.delivered(net.links[0]).time_s, 6)        # the raw pair: 1 / rate
            0.01
            >>> link = net.links[0].evolve(purification="bbpssw", purification_rounds=1)
            >>> net = Network(net.qpus, (link,))
            >>> d = net.delivered(link)
            >>> round(d.fidelity, 4), round(d.raw_pairs, 3), d.scratch
            (0.9447, 2.177, 1)
        """
        cache = self._cache.setdefault("delivered", {})
        if link not in cache:
            ends = [self.qpu(link.a).profile, self.qpu(link.b).profile]
            local = max(t.gate_1q_s + t.gate_2q_s + t.measure_s for t in ends)
            cache[link] = purify(link.fidelity, link.purification, link.purification_rounds,
                                 pair_s=1.0 / link.rate_hz, round_trip_s=2.0 * link.latency_s,
                                 local_s=local, t2_s=[t.t2_s for t in ends],
                                 cutoff_s=link.cutoff_s,
                                 errors=[(t.error_1q, t.error_2q, t.error_measure)
                                         for t in ends])
        return cache[link]  # type: ignore[no-any-return]

    # ------------------------------------------------------------------- paths
    def _paths(self) -> dict[str, dict[str, tuple[str, ...]]]:
        if "paths" not in self._cache:
            self._cache["paths"] = {
                src: {dst: tuple(p) for dst, p in row.items()}
                for src, row in nx.all_pairs_shortest_path(self.graph)
            }
        return self._cache["paths"]  # type: ignore[no-any-return]

    def shortest_path(self, a: str, b: str) -> tuple[str, ...]:
        """A shortest path from ``a`` to ``b``, both included; deterministic.

        Examples:
            >>> Network.line(3, data_qubits=1).shortest_path("qpu2", "qpu0")
            ('qpu2', 'qpu1', 'qpu0')
        """
        self.index(a), self.index(b)
        return self._paths()[a][b]

    def distance(self, a: str, b: str) -> int:
        """Hop count between ``a`` and ``b`` (0 for the same QPU)."""
        return len(self.shortest_path(a, b)) - 1

    def classical_latency(self, a: str, b: str) -> float:
        """One-way latency of a classical message from ``a`` to ``b`` (0 on the same QPU).

        Classical messages take the path of least total latency (classical routing
        is free to differ from the hop-shortest path used for entanglement swapping).

        Examples:
            >>> Network.line(3, data_qubits=1, latency_s=0.002).classical_latency("qpu0", "qpu2")
            0.004
        """
        self.index(a), self.index(b)
        if "latency" not in self._cache:
            self._cache["latency"] = dict(
                nx.all_pairs_dijkstra_path_length(
                    self.graph, weight=lambda u, v, d: d["link"].latency_s)
            )
        return float(self._cache["latency"][a][b])

    def distances(self) -> np.ndarray:
        """All-pairs hop counts, a K×K int array indexed by QPU position (a fresh copy).

        Examples:
            >>> Network.line(3, data_qubits=1).distances().tolist()
            [[0, 1, 2], [1, 0, 1], [2, 1, 0]]
        """
        if "distances" not in self._cache:
            names, paths = self.qpu_names, self._paths()
            self._cache["distances"] = np.array(
                [[len(paths[a][b]) - 1 for b in names] for a in names], dtype=np.int64
            )
        return self._cache["distances"].copy()  # type: ignore[no-any-return]

    # --------------------------------------------------------------- factories
    @classmethod
    def from_topology(cls, topology: str, k: int, *, data_qubits: int | Sequence[int],
                      comm_qubits: int | Sequence[int] = 2, rate_hz: float = DEFAULT_RATE_HZ,
                      fidelity: float = DEFAULT_FIDELITY, latency_s: float = DEFAULT_LATENCY_S,
                      technology: str | Technology | None = None) -> Network:
        """``k`` QPUs ``qpu0..qpu{k-1}`` linked as a topology of
        :data:`dqc.network.topology.TOPOLOGIES`; the other arguments as in :meth:`all_to_all`.

        Raises:
            NetworkError: An unknown topology, a ``k`` that is not a positive integer,
                a per-QPU sequence of another length than ``k``, or a bad figure.

        Examples:
            >>> Network.from_topology("star", 3, data_qubits=2) == Network.star(3, data_qubits=2)
            True
        """
        k = qpu_count(k)
        edges = pairs(topology, k)
        names = [f"qpu{i}" for i in range(k)]
        data = per_qpu(data_qubits, k, "data_qubits")
        comm = per_qpu(comm_qubits, k, "comm_qubits")
        tech = None if technology is None else resolve_technology(technology)
        qpus = tuple(QPU(n, d, c, tech) for n, d, c in zip(names, data, comm))
        return cls(qpus, tuple(Link(names[i], names[j], rate_hz=rate_hz, fidelity=fidelity,
                                    latency_s=latency_s) for i, j in edges))

    @classmethod
    def all_to_all(cls, k: int, **options: Unpack[TopologyOptions]) -> Network:
        """``k`` QPUs ``qpu0..qpu{k-1}``, every pair linked, all links alike.

        Args:
            k: Number of QPUs, at least 1.
            **options: Keyword arguments:

                * ``data_qubits``: Data qubits per QPU: one int, or a sequence of ``k``
                  ints (required).
                * ``comm_qubits``: Comm qubits per QPU: one int, or a sequence of ``k``
                  ints (default 2).
                * ``rate_hz``: Ebit rate of every link (default 182 Hz).
                * ``fidelity``: Ebit fidelity of every link (default 0.94).
                * ``latency_s``: Classical latency of every link (default 10 us).
                * ``technology``: Technology of every QPU (a preset name or a
                  :class:`~dqc.network.physics.Technology`; default: unspecified, scheduled as
                  ``trapped_ion``).

            The defaults are the Oxford trapped-ion network (Stephenson et al. 2020,
            Main et al. 2025; why in :data:`dqc.network.parts.DEFAULT_RATE_HZ` and
            :data:`dqc.network.physics.DEFAULT_TECHNOLOGY`).

        Examples:
            >>> [l.key for l in Network.all_to_all(3, data_qubits=2).links]
            ['qpu0-qpu1', 'qpu0-qpu2', 'qpu1-qpu2']
        """
        return cls.from_topology("all-to-all", k, **options)

    @classmethod
    def line(cls, k: int, **options: Unpack[TopologyOptions]) -> Network:
        """A chain ``qpu0-qpu1-...``; arguments as in :meth:`all_to_all`."""
        return cls.from_topology("line", k, **options)

    @classmethod
    def ring(cls, k: int, **options: Unpack[TopologyOptions]) -> Network:
        """A line closed by ``qpu{k-1}-qpu0`` (k = 2: one link; k = 1: none).

        Examples:
            >>> [l.key for l in Network.ring(3, data_qubits=1).links]
            ['qpu0-qpu1', 'qpu1-qpu2', 'qpu2-qpu0']
        """
        return cls.from_topology("ring", k, **options)

    @classmethod
    def star(cls, k: int, **options: Unpack[TopologyOptions]) -> Network:
        """``qpu0`` is the hub, linked to each other QPU; arguments as in :meth:`all_to_all`."""
        return cls.from_topology("star", k, **options)

    # ------------------------------------------------------------ (de)serialise
    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the TOML layout; :meth:`from_dict` rebuilds an equal network."""
        return toml.to_dict(self.name, self.qpus, self.links)

    def to_toml(self) -> str:
        """The network in the TOML format read by :meth:`from_toml`.

        Examples:
            >>> from dqc.network.toml import tomllib
            >>> net = Network.line(2, data_qubits=3, rate_hz=5)
            >>> Network.from_dict(tomllib.loads(net.to_toml())) == net
            True
        """
        return toml.dumps(self.to_dict())

    @classmethod
    def from_toml(cls, path: str | Path) -> Network:
        """Read a network file (format in ``targets/metro4.toml``).

        Raises:
            NetworkError: If the file is missing or unreadable, is not valid TOML, or
                describes an invalid network; the message names the file.
        """
        return cls.from_dict(toml.read(path), source=str(path))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str | None = None) -> Network:
        """Build a network from the TOML layout (``qpu``, ``link``, ``defaults``, ...).

        Args:
            d: The parsed document.
            source: File name for error messages.

        Examples:
            >>> Network.from_dict({"qpu": [{"name": "a", "data_qubits": 3}]}).qpus
            (QPU(name='a', data_qubits=3, comm_qubits=2),)
        """
        return toml.from_dict(cls, d, source)

    # ------------------------------------------------------------------ display
    def to_target(self, *, devices: Sequence[Any] = (), basis: Sequence[str] | None = None):
        """This network as a Qiskit ``Target`` (see :func:`dqc.adapter.target.network_to_target`).

        Qubit i of every circuit dqc compiles for this network is Target qubit i.
        """
        from dqc.adapter.target import network_to_target  # lazy: forwards to the adapter

        return network_to_target(self, devices=devices, basis=basis)

    def to_backend(self, *, devices: Sequence[Any] = (), seed: int = 0) -> Any:
        """This network as a Qiskit backend (see :class:`dqc.adapter.backend.DistributedBackend`).

        ``run`` compiles circuits with dqc and executes them on qiskit-aer.
        """
        from dqc.adapter.backend import DistributedBackend  # lazy: forwards to the adapter

        return DistributedBackend(self, devices=devices, seed=seed)

    @classmethod
    def from_target(cls, target: Any) -> Network:
        """The network a Target built by :meth:`to_target` describes."""
        from dqc.adapter.target import target_to_network  # lazy: forwards to the adapter

        return target_to_network(target)

    def qpu_of_qubit(self) -> list[str]:
        """For each physical qubit of :meth:`to_target` (and of compiled circuits), its QPU.

        Examples:
            >>> Network.line(2, data_qubits=1, comm_qubits=1).qpu_of_qubit()
            ['qpu0', 'qpu0', 'qpu1', 'qpu1']
        """
        from dqc.adapter.target import qpu_of_qubit  # lazy: forwards to the adapter

        return qpu_of_qubit(self)

    def summary(self) -> str:
        """One line: QPU count (topology when recognisable), qubits, links.

        Examples:
            >>> Network.star(4, data_qubits=[4, 2, 2, 2], comm_qubits=1).summary()
            '4 QPUs (star), 10 data + 4 comm qubits, 3 links'
        """
        k, m = len(self.qpus), len(self.links)
        shape = recognise(self.graph)
        shape = f" ({shape})" if shape else ""
        qpus = f"{plural(k, 'QPU')}{shape}"
        qubits = f"{self.total_data_qubits} data + {self.total_comm_qubits} comm qubits"
        return f"{qpus}, {qubits}, {plural(m, 'link')}"
