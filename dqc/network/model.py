"""The network model: QPUs joined by links that deliver entanglement.

A :class:`Network` is a frozen, validated value: a tuple of :class:`QPU` (data and
communication qubits) and a tuple of :class:`Link` (ebit rate, fidelity, classical
latency). It answers the graph questions the compiler asks (hop distances, shortest
paths, which link joins two QPUs) from caches built once, and reads and writes the
TOML format of ``targets/*.toml``.

Examples:
    >>> net = Network.ring(4, data_qubits=10)
    >>> net.summary()
    '4 QPUs (ring), 40 data + 8 comm qubits, 4 links'
    >>> net.shortest_path("qpu0", "qpu2")
    ('qpu0', 'qpu1', 'qpu2')
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from itertools import combinations
from pathlib import Path
from typing import Any, cast

import networkx as nx
import numpy as np

from dqc.errors import NetworkError
from dqc.network.physics import (
    DEFAULT_TECHNOLOGY,
    HERALDING,
    TECHNOLOGIES,
    TECHNOLOGY_FIELDS,
    Technology,
    link_latency_s,
    link_rate_hz,
)
from dqc.network.physics import technology as resolve_technology

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["QPU", "Link", "Network"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QPU_KEYS = ("name", "data_qubits", "comm_qubits", "technology", *TECHNOLOGY_FIELDS)
_DIRECT_KEYS = ("rate_hz", "latency_s")
_PHYSICAL_KEYS = ("length_km", "loss_db_per_km", "attempt_rate_hz", "efficiency",
                  "electronics_s", "heralding")
_LINK_KEYS = ("qpus", "rate_hz", "fidelity", "latency_s", "channels", *_PHYSICAL_KEYS)
_DEFAULT_KEYS = ("data_qubits", "comm_qubits", "rate_hz", "fidelity", "latency_s", "channels",
                 *_PHYSICAL_KEYS, "technology", *TECHNOLOGY_FIELDS)
#: Link defaults (a direct link when no physical description is given).
DEFAULT_RATE_HZ = 10.0
DEFAULT_LATENCY_S = 1.125e-3
_TOP_KEYS = ("name", "description", "defaults", "qpu", "link")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True, repr=False)
class QPU:
    """One quantum processor: data qubits for the program, comm qubits for ebits.

    Args:
        name: Identifier (``[A-Za-z_][A-Za-z0-9_]*``), used as a register name; it
            must not end with ``_comm`` (reserved for the comm-qubit register).
        data_qubits: Number of data qubits, at least 1.
        comm_qubits: Number of communication qubits (the memory budget), at least 0.
        technology: Its technology profile (gate durations, errors, memory T2): a
            :class:`~dqc.network.physics.Technology` or a preset name (``"superconducting"``,
            ``"trapped_ion"``, ``"nv"``). ``None`` (the default) means unspecified;
            schedules then use :data:`~dqc.network.physics.DEFAULT_TECHNOLOGY` and say so.

    Examples:
        >>> QPU("a", 8)
        QPU(name='a', data_qubits=8, comm_qubits=2)
        >>> QPU("b", 16, technology="trapped_ion").profile.gate_2q_s
        0.0001
    """

    name: str
    data_qubits: int
    comm_qubits: int = 2
    technology: Technology | None = None

    @staticmethod
    def from_backend(name: str, backend: Any, *, comm_qubits: int = 2,
                     qubits: Sequence[int] | None = None,
                     comm: Sequence[int] | None = None) -> Any:
        """A QPU built from a Qiskit backend or ``Target`` (its coupling map and basis).

        Returns a :class:`dqc.adapter.target.QPUDevice`; its ``.qpu`` is the plain QPU.
        See :meth:`dqc.adapter.target.QPUDevice.from_backend`.
        """
        from dqc.adapter.target import QPUDevice  # lazy: forwards to the Qiskit adapter

        return QPUDevice.from_backend(name, backend, comm_qubits=comm_qubits,
                                      qubits=qubits, comm=comm)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _IDENTIFIER.fullmatch(self.name):
            raise NetworkError(
                f"QPU name {self.name!r} is not an identifier "
                "(letters, digits, '_'; not starting with a digit)"
            )
        if self.name.endswith("_comm"):
            raise NetworkError(
                f"QPU name {self.name!r} ends with '_comm', which is reserved for "
                "communication-qubit registers"
            )
        if not _is_int(self.data_qubits) or self.data_qubits < 1:
            raise NetworkError(
                f"QPU {self.name!r} has data_qubits={self.data_qubits!r}; "
                "it must be a positive integer"
            )
        if not _is_int(self.comm_qubits) or self.comm_qubits < 0:
            raise NetworkError(
                f"QPU {self.name!r} has comm_qubits={self.comm_qubits!r}; "
                "it must be a non-negative integer"
            )
        object.__setattr__(self, "data_qubits", int(self.data_qubits))
        object.__setattr__(self, "comm_qubits", int(self.comm_qubits))
        if self.technology is not None:
            try:
                object.__setattr__(self, "technology", resolve_technology(self.technology))
            except NetworkError as e:
                raise NetworkError(f"QPU {self.name!r}: {e}") from None

    @property
    def profile(self) -> Technology:
        """The technology schedules use: :attr:`technology`, or the default profile."""
        return self.technology if self.technology is not None else DEFAULT_TECHNOLOGY

    def __repr__(self) -> str:
        parts = [f"name={self.name!r}", f"data_qubits={self.data_qubits!r}",
                 f"comm_qubits={self.comm_qubits!r}"]
        if self.technology is not None:
            tech = self.technology
            shown = repr(tech.name) if TECHNOLOGIES.get(tech.name) == tech else repr(tech)
            parts.append(f"technology={shown}")
        return f"QPU({', '.join(parts)})"


@dataclass(frozen=True, repr=False)
class Link:
    """A link between two QPUs: ebits at ``rate_hz`` with ``fidelity``, bits with latency.

    A link is given either **directly** (``rate_hz``, ``latency_s``) or **physically**
    (``length_km`` with ``attempt_rate_hz`` and ``efficiency``, optionally
    ``loss_db_per_km``, ``electronics_s``, ``heralding``), in which case ``rate_hz``
    and ``latency_s`` are computed by :func:`dqc.network.physics.link_rate_hz` and
    :func:`dqc.network.physics.link_latency_s` (formulas and sources in :mod:`dqc.network.physics`).

    Args:
        a: Name of one QPU.
        b: Name of the other QPU (different from ``a``).
        rate_hz: Ebits delivered per second per channel, positive and finite
            (default 10 for a direct link; computed for a physical one).
        fidelity: Bell-pair fidelity, in (0.5, 1].
        latency_s: One-way classical latency in seconds, finite and >= 0
            (default 1.125 ms for a direct link; computed for a physical one).
        channels: Ebits the link can generate at the same time (parallel sources or
            multiplexed modes), a positive integer; each channel runs at ``rate_hz``.
        length_km: Fibre length; setting it makes the link physical.
        loss_db_per_km: Fibre loss α (0.2 dB/km: telecom fibre at 1550 nm).
        attempt_rate_hz: Entanglement attempts per second the hardware can make.
        efficiency: η in (0, 1], success probability of one attempt without fibre loss.
        electronics_s: Classical latency added to the fibre flight (detection, control).
        heralding: ``"midpoint"`` (a Bell-state station half way; attempt period
            >= L / c) or ``"sender_receiver"`` (>= 2 L / c).

    Raises:
        NetworkError: On a bad figure, a half-given physical description, or a
            ``rate_hz`` / ``latency_s`` that contradicts the physical one.

    Examples:
        >>> Link("a", "b").key
        'a-b'
        >>> fibre = Link("a", "b", length_km=25, attempt_rate_hz=1e6, efficiency=0.004)
        >>> round(fibre.rate_hz, 2), round(fibre.latency_s, 9)   # 8 kHz attempts x p 1.26e-3
        (10.12, 0.001125)
    """

    a: str
    b: str
    rate_hz: float = None  # type: ignore[assignment]  # resolved in __post_init__
    fidelity: float = 0.99
    latency_s: float = None  # type: ignore[assignment]  # resolved in __post_init__
    channels: int = 1
    length_km: float | None = None
    loss_db_per_km: float = 0.2
    attempt_rate_hz: float | None = None
    efficiency: float | None = None
    electronics_s: float = 1e-3
    heralding: str = "midpoint"

    def __post_init__(self) -> None:
        for end in (self.a, self.b):
            if not isinstance(end, str):
                raise NetworkError(f"link end {end!r} must be a QPU name (a string)")
        if self.a == self.b:
            raise NetworkError(f"link {self.key} joins a QPU to itself")
        if not _is_int(self.channels) or self.channels < 1:
            raise NetworkError(
                f"link {self.key} has channels={self.channels!r}; it must be a positive integer")
        object.__setattr__(self, "channels", int(self.channels))
        if self.physical:
            self._resolve_physics()
        else:
            for attr in ("attempt_rate_hz", "efficiency"):
                if getattr(self, attr) is not None:
                    raise NetworkError(
                        f"link {self.key} has {attr}={getattr(self, attr)!r} but no length_km; "
                        "a physical link needs length_km, attempt_rate_hz and efficiency")
            for attr, default in (("loss_db_per_km", 0.2), ("electronics_s", 1e-3),
                                  ("heralding", "midpoint")):
                if getattr(self, attr) != default:
                    raise NetworkError(
                        f"link {self.key} has {attr}={getattr(self, attr)!r} but no length_km; "
                        "it only applies to a physical link")
            if self.rate_hz is None:
                object.__setattr__(self, "rate_hz", DEFAULT_RATE_HZ)
            if self.latency_s is None:
                object.__setattr__(self, "latency_s", DEFAULT_LATENCY_S)
        checks = (
            ("rate_hz", lambda v: v > 0 and math.isfinite(v), "it must be positive"),
            ("fidelity", lambda v: 0.5 < v <= 1, "it must be in (0.5, 1]"),
            ("latency_s", lambda v: v >= 0 and math.isfinite(v), "it must be >= 0"),
        )
        for attr, ok, rule in checks:
            value = getattr(self, attr)
            if not _is_real(value):
                raise NetworkError(f"link {self.key} has {attr}={value!r}; it must be a number")
            if not ok(value):
                finite = "" if math.isfinite(value) else " and finite"
                raise NetworkError(f"link {self.key} has {attr}={value!r}; {rule}{finite}")
            object.__setattr__(self, attr, float(value))

    def _resolve_physics(self) -> None:
        rules = (
            ("length_km", lambda v: v >= 0 and math.isfinite(v), "it must be >= 0 and finite"),
            ("loss_db_per_km", lambda v: v >= 0 and math.isfinite(v),
             "it must be >= 0 and finite"),
            ("attempt_rate_hz", lambda v: v > 0 and math.isfinite(v),
             "it must be positive and finite"),
            ("efficiency", lambda v: 0 < v <= 1, "it must be in (0, 1]"),
            ("electronics_s", lambda v: v >= 0 and math.isfinite(v),
             "it must be >= 0 and finite"),
        )
        for attr, ok, rule in rules:
            value = getattr(self, attr)
            if value is None:
                raise NetworkError(
                    f"link {self.key} has length_km={self.length_km!r} but no {attr}; "
                    "a physical link needs length_km, attempt_rate_hz and efficiency")
            if not _is_real(value):
                raise NetworkError(f"link {self.key} has {attr}={value!r}; it must be a number")
            if not ok(value):
                raise NetworkError(f"link {self.key} has {attr}={value!r}; {rule}")
            object.__setattr__(self, attr, float(value))
        if self.heralding not in HERALDING:
            raise NetworkError(
                f"link {self.key} has heralding={self.heralding!r}; "
                f"it must be one of {', '.join(map(repr, HERALDING))}")
        length = cast(float, self.length_km)  # all checked above
        rate = link_rate_hz(length, attempt_rate_hz=cast(float, self.attempt_rate_hz),
                            efficiency=cast(float, self.efficiency),
                            loss_db_per_km=self.loss_db_per_km, heralding=self.heralding)
        latency = link_latency_s(length, electronics_s=self.electronics_s)
        for attr, derived, unit in (("rate_hz", rate, "Hz"), ("latency_s", latency, "s")):
            given = getattr(self, attr)
            if given is not None and not (
                _is_real(given) and math.isclose(given, derived, rel_tol=1e-9, abs_tol=1e-15)
            ):
                raise NetworkError(
                    f"link {self.key} has {attr}={given!r} but its physical description "
                    f"(length_km={self.length_km:g}) gives {derived:.6g} {unit}; "
                    f"give {attr} or the physical figures, not both")
            object.__setattr__(self, attr, derived)
        if rate <= 0:
            raise NetworkError(
                f"link {self.key} has rate_hz={rate!r}; it must be positive "
                f"(length_km={self.length_km:g} at {self.loss_db_per_km:g} dB/km leaves "
                "no photons)")

    @property
    def key(self) -> str:
        """The link's name in reports, ``"a-b"`` in declared orientation."""
        return f"{self.a}-{self.b}"

    @property
    def physical(self) -> bool:
        """Whether the link is described physically (``length_km`` is set)."""
        return self.length_km is not None

    def evolve(self, **changes: Any) -> Link:
        """A copy with some fields changed, re-deriving rate and latency when physical.

        Setting ``rate_hz`` or ``latency_s`` on a physical link turns it into a direct
        link (the other derived figure is kept as it was).

        Examples:
            >>> fibre = Link("a", "b", length_km=10, attempt_rate_hz=1e3, efficiency=0.1)
            >>> round(fibre.evolve(length_km=60).rate_hz, 3)         # 12 dB of fibre
            6.31
            >>> fibre.evolve(rate_hz=5.0).physical
            False
        """
        unknown = sorted(set(changes) - {f.name for f in dataclass_fields(self)})
        if unknown:
            raise NetworkError(f"Link has no field {unknown[0]!r}")
        current = {f.name: getattr(self, f.name) for f in dataclass_fields(self)}
        if self.physical:
            if set(changes) & set(_DIRECT_KEYS):
                for k in _PHYSICAL_KEYS:
                    current[k] = Link.__dataclass_fields__[k].default
            else:
                current["rate_hz"] = current["latency_s"] = None
        current.update(changes)
        return Link(**current)

    def __repr__(self) -> str:
        parts = [f"a={self.a!r}", f"b={self.b!r}", f"rate_hz={self.rate_hz!r}",
                 f"fidelity={self.fidelity!r}", f"latency_s={self.latency_s!r}"]
        for f in dataclass_fields(self)[5:]:
            value = getattr(self, f.name)
            if value != f.default:
                parts.append(f"{f.name}={value!r}")
        return f"Link({', '.join(parts)})"


def _per_qpu(value: int | Sequence[int], k: int, what: str) -> list[int]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != k:
            raise NetworkError(f"{what} has {len(value)} values but there are {k} QPUs")
        return list(value)
    return [value] * k  # type: ignore[list-item]


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
    def _build(cls, k: int, pairs: Callable[[int], Iterable[tuple[int, int]]],
               data_qubits: int | Sequence[int], comm_qubits: int | Sequence[int],
               technology: str | Technology | None = None, **link_args: Any) -> Network:
        if not _is_int(k) or k < 1:
            raise NetworkError(f"number of QPUs must be a positive integer, got {k!r}")
        names = [f"qpu{i}" for i in range(k)]
        data = _per_qpu(data_qubits, k, "data_qubits")
        comm = _per_qpu(comm_qubits, k, "comm_qubits")
        tech = None if technology is None else resolve_technology(technology)
        qpus = tuple(QPU(n, d, c, tech) for n, d, c in zip(names, data, comm))
        return cls(qpus, tuple(Link(names[i], names[j], **link_args) for i, j in pairs(k)))

    @classmethod
    def all_to_all(cls, k: int, *, data_qubits: int | Sequence[int],
                   comm_qubits: int | Sequence[int] = 2, rate_hz: float = 10.0,
                   fidelity: float = 0.99, latency_s: float = 1.125e-3,
             technology: str | Technology | None = None) -> Network:
        """``k`` QPUs ``qpu0..qpu{k-1}``, every pair linked, all links alike.

        Args:
            k: Number of QPUs, at least 1.
            data_qubits: Data qubits per QPU: one int, or a sequence of ``k`` ints.
            comm_qubits: Comm qubits per QPU: one int, or a sequence of ``k`` ints.
            rate_hz: Ebit rate of every link.
            fidelity: Ebit fidelity of every link.
            latency_s: Classical latency of every link.
            technology: Technology of every QPU (a preset name or a
                :class:`~dqc.network.physics.Technology`; default: unspecified).

        Examples:
            >>> [l.key for l in Network.all_to_all(3, data_qubits=2).links]
            ['qpu0-qpu1', 'qpu0-qpu2', 'qpu1-qpu2']
        """
        return cls._build(k, lambda n: combinations(range(n), 2), data_qubits, comm_qubits,
                          technology=technology, rate_hz=rate_hz, fidelity=fidelity,
                          latency_s=latency_s)

    @classmethod
    def line(cls, k: int, *, data_qubits: int | Sequence[int],
             comm_qubits: int | Sequence[int] = 2, rate_hz: float = 10.0,
             fidelity: float = 0.99, latency_s: float = 1.125e-3,
             technology: str | Technology | None = None) -> Network:
        """A chain ``qpu0-qpu1-...``; arguments as in :meth:`all_to_all`."""
        return cls._build(k, lambda n: ((i, i + 1) for i in range(n - 1)), data_qubits,
                          comm_qubits, technology=technology, rate_hz=rate_hz, fidelity=fidelity,
                          latency_s=latency_s)

    @classmethod
    def ring(cls, k: int, *, data_qubits: int | Sequence[int],
             comm_qubits: int | Sequence[int] = 2, rate_hz: float = 10.0,
             fidelity: float = 0.99, latency_s: float = 1.125e-3,
             technology: str | Technology | None = None) -> Network:
        """A line closed by ``qpu{k-1}-qpu0`` (k = 2: one link; k = 1: none).

        Examples:
            >>> [l.key for l in Network.ring(3, data_qubits=1).links]
            ['qpu0-qpu1', 'qpu1-qpu2', 'qpu2-qpu0']
        """
        def pairs(n: int) -> list[tuple[int, int]]:
            return [(i, i + 1) for i in range(n - 1)] + ([(n - 1, 0)] if n > 2 else [])

        return cls._build(k, pairs, data_qubits, comm_qubits,
                          technology=technology, rate_hz=rate_hz, fidelity=fidelity,
                          latency_s=latency_s)

    @classmethod
    def star(cls, k: int, *, data_qubits: int | Sequence[int],
             comm_qubits: int | Sequence[int] = 2, rate_hz: float = 10.0,
             fidelity: float = 0.99, latency_s: float = 1.125e-3,
             technology: str | Technology | None = None) -> Network:
        """``qpu0`` is the hub, linked to each other QPU; arguments as in :meth:`all_to_all`."""
        return cls._build(k, lambda n: ((0, i) for i in range(1, n)), data_qubits,
                          comm_qubits, technology=technology, rate_hz=rate_hz, fidelity=fidelity,
                          latency_s=latency_s)

    # ------------------------------------------------------------ (de)serialise
    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the TOML layout; :meth:`from_dict` rebuilds an equal network."""
        d: dict[str, Any] = {"name": self.name} if self.name else {}
        d["qpu"] = [_qpu_dict(q) for q in self.qpus]
        d["link"] = [_link_dict(link) for link in self.links]
        return d

    def to_toml(self) -> str:
        """The network in the TOML format read by :meth:`from_toml`.

        Examples:
            >>> net = Network.line(2, data_qubits=3, rate_hz=5)
            >>> Network.from_dict(tomllib.loads(net.to_toml())) == net
            True
        """
        lines = [f"name = {_toml_str(self.name)}", ""] if self.name else []
        for table, entries in (("qpu", self.to_dict()["qpu"]), ("link", self.to_dict()["link"])):
            for entry in entries:
                lines.append(f"[[{table}]]")
                lines += [f"{k} = {_toml_value(v)}" for k, v in entry.items()]
                lines.append("")
        return "\n".join(lines)

    @classmethod
    def from_toml(cls, path: str | Path) -> Network:
        """Read a network file (format in ``targets/metro4.toml``).

        Raises:
            NetworkError: If the file is missing or unreadable, is not valid TOML, or
                describes an invalid network; the message names the file.
        """
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            raise NetworkError(f"network file '{path}' not found") from None
        except tomllib.TOMLDecodeError as e:
            raise NetworkError(f"network file '{path}' is not valid TOML: {e}") from None
        except UnicodeDecodeError as e:
            raise NetworkError(f"network file '{path}' is not UTF-8 text: {e}") from None
        except OSError as e:
            raise NetworkError(f"cannot read network file '{path}': {e.strerror}") from None
        return cls.from_dict(data, source=str(path))

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
        where = f" of {source}" if source else ""
        if not isinstance(d, Mapping):
            raise NetworkError(f"network description{where} must be a table, got {d!r}")
        _check_keys(d, _TOP_KEYS, "the top level", where)
        defaults = _table(d.get("defaults", {}), "[defaults]", where)
        _check_keys(defaults, _DEFAULT_KEYS, "[defaults]", where)
        qpu_tables = _array(d.get("qpu", []), "qpu", where)
        link_tables = _array(d.get("link", []), "link", where)
        name = d.get("name", "")
        if not isinstance(name, str):
            raise NetworkError(f"name = {name!r}{where} must be a string")
        qpus, links = [], []
        for i, t in enumerate(qpu_tables, 1):
            table = f"[[qpu]] #{i}"
            _check_keys(t, _QPU_KEYS, table, where)
            qpu_name = _value(t, {}, "name", table, where, str)
            args = {k: _value(t, defaults, k, table, where, int)
                    for k in ("data_qubits", "comm_qubits")}
            args["technology"] = _technology(t, defaults, table, where)
            qpus.append(_wrap(QPU, where, qpu_name,
                              **{k: v for k, v in args.items() if v is not _MISSING}))
        for i, t in enumerate(link_tables, 1):
            table = f"[[link]] #{i}"
            _check_keys(t, _LINK_KEYS, table, where)
            ends = t.get("qpus")
            if (not isinstance(ends, list) or len(ends) != 2
                    or not all(isinstance(e, str) for e in ends)):
                raise NetworkError(
                    f"qpus = {ends!r} in {table}{where} must be a list of two QPU names"
                )
            # a link's own description (direct or physical) hides the other kind's defaults
            skip: tuple[str, ...] = ()
            if any(k in t for k in _PHYSICAL_KEYS):
                skip = _DIRECT_KEYS
            elif any(k in t for k in _DIRECT_KEYS):
                skip = _PHYSICAL_KEYS
            kinds = {"channels": int, "heralding": str}
            args = {
                k: _value(t, {} if k in skip else defaults, k, table, where, kinds.get(k, float))
                for k in _LINK_KEYS[1:]
            }
            links.append(_wrap(Link, where, *ends,
                               **{k: v for k, v in args.items() if v is not _MISSING}))
        return _wrap(cls, where, tuple(qpus), tuple(links), name)

    # ------------------------------------------------------------------ display
    def to_target(self, *, devices: Sequence[Any] = (), basis: Sequence[str] | None = None):
        """This network as a Qiskit ``Target`` (see :func:`dqc.adapter.target.network_to_target`).

        Qubit i of every circuit dqc compiles for this network is Target qubit i.
        """
        from dqc.adapter.target import network_to_target  # lazy: forwards to the adapter

        return network_to_target(self, devices=devices, basis=basis)

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
        degrees = sorted(d for _, d in self.graph.degree())
        shape = ""
        if k >= 3:
            if m == k * (k - 1) // 2:
                shape = " (all-to-all)"
            elif m == k and degrees[0] == degrees[-1] == 2:
                shape = " (ring)"
            elif m == k - 1 and degrees[-1] == 2:
                shape = " (line)"
            elif m == k - 1 and degrees[-1] == k - 1:
                shape = " (star)"
        qpus = f"{k} QPU{'s' * (k != 1)}{shape}"
        qubits = f"{self.total_data_qubits} data + {self.total_comm_qubits} comm qubits"
        return f"{qpus}, {qubits}, {m} link{'s' * (m != 1)}"


# ---------------------------------------------------------------- TOML helpers
def _toml_str(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    for ch in sorted({c for c in out if ord(c) < 0x20 or ord(c) == 0x7F}):
        out = out.replace(ch, f"\\u{ord(ch):04x}")
    return f'"{out}"'


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _qpu_dict(q: QPU) -> dict[str, Any]:
    d: dict[str, Any] = {"name": q.name, "data_qubits": q.data_qubits,
                         "comm_qubits": q.comm_qubits}
    if q.technology is not None:
        d["technology"] = q.technology.name
        d.update(q.technology.overrides())
    return d


def _link_dict(link: Link) -> dict[str, Any]:
    d: dict[str, Any] = {"qpus": [link.a, link.b]}
    if link.physical:
        d["fidelity"] = link.fidelity
        for key in _PHYSICAL_KEYS:
            value = getattr(link, key)
            if key in ("length_km", "attempt_rate_hz", "efficiency") or (
                    value != Link.__dataclass_fields__[key].default):
                d[key] = value
    else:
        d.update(rate_hz=link.rate_hz, fidelity=link.fidelity, latency_s=link.latency_s)
    if link.channels != 1:
        d["channels"] = link.channels
    return d


def _check_keys(t: Mapping[str, Any], known: Sequence[str], table: str, where: str) -> None:
    for key in t:
        if key not in known:
            raise NetworkError(
                f"unknown key {key!r} in {table}{where}; known: {', '.join(known)}"
            )


def _table(value: Any, table: str, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise NetworkError(f"{table}{where} must be a table, got {value!r}")
    return value


def _array(value: Any, key: str, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(t, Mapping) for t in value):
        raise NetworkError(f"'{key}'{where} must be an array of tables ([[{key}]])")
    return value


_MISSING = object()
_REQUIRED = ("data_qubits", "name")


def _value(t: Mapping[str, Any], defaults: Mapping[str, Any], key: str, table: str,
           where: str, kind: type) -> Any:
    if key in t:
        value, origin = t[key], table
    elif key in defaults:
        value, origin = defaults[key], "[defaults]"
    elif key in _REQUIRED:
        raise NetworkError(f"{table}{where} has no {key!r}")
    else:
        return _MISSING
    ok = {int: _is_int, float: _is_real, str: lambda v: isinstance(v, str)}[kind](value)
    if not ok:
        what = {int: "an integer", float: "a number", str: "a string"}[kind]
        raise NetworkError(f"{key} = {value!r} in {origin}{where} must be {what}")
    return value


def _technology(t: Mapping[str, Any], defaults: Mapping[str, Any], table: str,
                where: str) -> Any:
    """The QPU's technology: a preset (``technology = "nv"``) with figures overridden."""
    name = _value(t, defaults, "technology", table, where, str)
    figures = {k: _value(t, defaults, k, table, where, float) for k in TECHNOLOGY_FIELDS}
    figures = {k: v for k, v in figures.items() if v is not _MISSING}
    if name is _MISSING:
        if figures:
            raise NetworkError(
                f"{table}{where} sets {next(iter(figures))} but no technology; add "
                f"technology = one of {', '.join(map(repr, TECHNOLOGIES))} (or a new name "
                "with every figure)")
        return _MISSING
    base = TECHNOLOGIES.get(name)
    if base is None:
        missing = [k for k in TECHNOLOGY_FIELDS if k not in figures]
        if missing:
            raise NetworkError(
                f"technology {name!r} in {table}{where} is not a preset "
                f"({', '.join(TECHNOLOGIES)}); a new technology needs every figure, "
                f"missing: {', '.join(missing)}")
        return _wrap(Technology, where, name, **figures)
    return _wrap(base.evolve, where, **figures)


def _wrap(make: Any, where: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return make(*args, **kwargs)
    except NetworkError as e:
        if not where:
            raise
        raise NetworkError(f"{e}{where.replace(' of ', ' (in ', 1)})") from None
