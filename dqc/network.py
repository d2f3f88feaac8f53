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
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from dqc.errors import NetworkError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["QPU", "Link", "Network"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QPU_KEYS = ("name", "data_qubits", "comm_qubits")
_LINK_KEYS = ("qpus", "rate_hz", "fidelity", "latency_s")
_DEFAULT_KEYS = ("data_qubits", "comm_qubits", "rate_hz", "fidelity", "latency_s")
_TOP_KEYS = ("name", "description", "defaults", "qpu", "link")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class QPU:
    """One quantum processor: data qubits for the program, comm qubits for ebits.

    Args:
        name: Identifier (``[A-Za-z_][A-Za-z0-9_]*``), used as a register name; it
            must not end with ``_comm`` (reserved for the comm-qubit register).
        data_qubits: Number of data qubits, at least 1.
        comm_qubits: Number of communication qubits (the memory budget), at least 0.

    Examples:
        >>> QPU("a", 8)
        QPU(name='a', data_qubits=8, comm_qubits=2)
    """

    name: str
    data_qubits: int
    comm_qubits: int = 2

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


@dataclass(frozen=True)
class Link:
    """A link between two QPUs: ebits at ``rate_hz`` with ``fidelity``, bits with latency.

    Args:
        a: Name of one QPU.
        b: Name of the other QPU (different from ``a``).
        rate_hz: Ebits delivered per second, positive and finite.
        fidelity: Bell-pair fidelity, in (0.5, 1].
        latency_s: One-way classical latency in seconds, finite and >= 0.

    Examples:
        >>> Link("a", "b").key
        'a-b'
    """

    a: str
    b: str
    rate_hz: float = 10.0
    fidelity: float = 0.99
    latency_s: float = 1.125e-3

    def __post_init__(self) -> None:
        for end in (self.a, self.b):
            if not isinstance(end, str):
                raise NetworkError(f"link end {end!r} must be a QPU name (a string)")
        if self.a == self.b:
            raise NetworkError(f"link {self.key} joins a QPU to itself")
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

    @property
    def key(self) -> str:
        """The link's name in reports, ``"a-b"`` in declared orientation."""
        return f"{self.a}-{self.b}"


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
               **link_args: float) -> Network:
        if not _is_int(k) or k < 1:
            raise NetworkError(f"number of QPUs must be a positive integer, got {k!r}")
        names = [f"qpu{i}" for i in range(k)]
        data = _per_qpu(data_qubits, k, "data_qubits")
        comm = _per_qpu(comm_qubits, k, "comm_qubits")
        qpus = tuple(QPU(n, d, c) for n, d, c in zip(names, data, comm))
        return cls(qpus, tuple(Link(names[i], names[j], **link_args) for i, j in pairs(k)))

    @classmethod
    def all_to_all(cls, k: int, *, data_qubits: int | Sequence[int],
                   comm_qubits: int | Sequence[int] = 2, rate_hz: float = 10.0,
                   fidelity: float = 0.99, latency_s: float = 1.125e-3) -> Network:
        """``k`` QPUs ``qpu0..qpu{k-1}``, every pair linked, all links alike.

        Args:
            k: Number of QPUs, at least 1.
            data_qubits: Data qubits per QPU: one int, or a sequence of ``k`` ints.
            comm_qubits: Comm qubits per QPU: one int, or a sequence of ``k`` ints.
            rate_hz: Ebit rate of every link.
            fidelity: Ebit fidelity of every link.
            latency_s: Classical latency of every link.

        Examples:
            >>> [l.key for l in Network.all_to_all(3, data_qubits=2).links]
            ['qpu0-qpu1', 'qpu0-qpu2', 'qpu1-qpu2']
        """
        return cls._build(k, lambda n: combinations(range(n), 2), data_qubits, comm_qubits,
                          rate_hz=rate_hz, fidelity=fidelity, latency_s=latency_s)

    @classmethod
    def line(cls, k: int, *, data_qubits: int | Sequence[int],
             comm_qubits: int | Sequence[int] = 2, rate_hz: float = 10.0,
             fidelity: float = 0.99, latency_s: float = 1.125e-3) -> Network:
        """A chain ``qpu0-qpu1-...``; arguments as in :meth:`all_to_all`."""
        return cls._build(k, lambda n: ((i, i + 1) for i in range(n - 1)), data_qubits,
                          comm_qubits, rate_hz=rate_hz, fidelity=fidelity, latency_s=latency_s)

    @classmethod
    def ring(cls, k: int, *, data_qubits: int | Sequence[int],
             comm_qubits: int | Sequence[int] = 2, rate_hz: float = 10.0,
             fidelity: float = 0.99, latency_s: float = 1.125e-3) -> Network:
        """A line closed by ``qpu{k-1}-qpu0`` (k = 2: one link; k = 1: none).

        Examples:
            >>> [l.key for l in Network.ring(3, data_qubits=1).links]
            ['qpu0-qpu1', 'qpu1-qpu2', 'qpu2-qpu0']
        """
        def pairs(n: int) -> list[tuple[int, int]]:
            return [(i, i + 1) for i in range(n - 1)] + ([(n - 1, 0)] if n > 2 else [])

        return cls._build(k, pairs, data_qubits, comm_qubits,
                          rate_hz=rate_hz, fidelity=fidelity, latency_s=latency_s)

    @classmethod
    def star(cls, k: int, *, data_qubits: int | Sequence[int],
             comm_qubits: int | Sequence[int] = 2, rate_hz: float = 10.0,
             fidelity: float = 0.99, latency_s: float = 1.125e-3) -> Network:
        """``qpu0`` is the hub, linked to each other QPU; arguments as in :meth:`all_to_all`."""
        return cls._build(k, lambda n: ((0, i) for i in range(1, n)), data_qubits,
                          comm_qubits, rate_hz=rate_hz, fidelity=fidelity, latency_s=latency_s)

    # ------------------------------------------------------------ (de)serialise
    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the TOML layout; :meth:`from_dict` rebuilds an equal network."""
        d: dict[str, Any] = {"name": self.name} if self.name else {}
        d["qpu"] = [
            {"name": q.name, "data_qubits": q.data_qubits, "comm_qubits": q.comm_qubits}
            for q in self.qpus
        ]
        d["link"] = [
            {"qpus": [link.a, link.b], "rate_hz": link.rate_hz, "fidelity": link.fidelity,
             "latency_s": link.latency_s}
            for link in self.links
        ]
        return d

    def to_toml(self) -> str:
        """The network in the TOML format read by :meth:`from_toml`.

        Examples:
            >>> net = Network.line(2, data_qubits=3, rate_hz=5)
            >>> Network.from_dict(tomllib.loads(net.to_toml())) == net
            True
        """
        lines = [f"name = {_toml_str(self.name)}", ""] if self.name else []
        for q in self.qpus:
            lines += ["[[qpu]]", f"name = {_toml_str(q.name)}",
                      f"data_qubits = {q.data_qubits}", f"comm_qubits = {q.comm_qubits}", ""]
        for link in self.links:
            lines += ["[[link]]", f"qpus = [{_toml_str(link.a)}, {_toml_str(link.b)}]",
                      f"rate_hz = {link.rate_hz!r}", f"fidelity = {link.fidelity!r}",
                      f"latency_s = {link.latency_s!r}", ""]
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
            args = {k: _value(t, defaults, k, table, where, int) for k in _QPU_KEYS[1:]}
            qpu_name = _value(t, {}, "name", table, where, str)
            qpus.append(_wrap(QPU, where, qpu_name, **args))
        for i, t in enumerate(link_tables, 1):
            table = f"[[link]] #{i}"
            _check_keys(t, _LINK_KEYS, table, where)
            ends = t.get("qpus")
            if (not isinstance(ends, list) or len(ends) != 2
                    or not all(isinstance(e, str) for e in ends)):
                raise NetworkError(
                    f"qpus = {ends!r} in {table}{where} must be a list of two QPU names"
                )
            args = {k: _value(t, defaults, k, table, where, float) for k in _LINK_KEYS[1:]}
            links.append(_wrap(Link, where, *ends, **args))
        return _wrap(cls, where, tuple(qpus), tuple(links), name)

    # ------------------------------------------------------------------ display
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


_OPTIONAL = {
    "comm_qubits": QPU.__dataclass_fields__["comm_qubits"].default,
    **{k: Link.__dataclass_fields__[k].default for k in _LINK_KEYS[1:]},
}


def _value(t: Mapping[str, Any], defaults: Mapping[str, Any], key: str, table: str,
           where: str, kind: type) -> Any:
    if key in t:
        value, origin = t[key], table
    elif key in defaults:
        value, origin = defaults[key], "[defaults]"
    elif key in _OPTIONAL:
        return _OPTIONAL[key]
    else:
        raise NetworkError(f"{table}{where} has no {key!r}")
    ok = {int: _is_int, float: _is_real, str: lambda v: isinstance(v, str)}[kind](value)
    if not ok:
        what = {int: "an integer", float: "a number", str: "a string"}[kind]
        raise NetworkError(f"{key} = {value!r} in {origin}{where} must be {what}")
    return value


def _wrap(make: Any, where: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return make(*args, **kwargs)
    except NetworkError as e:
        if not where:
            raise
        raise NetworkError(f"{e}{where.replace(' of ', ' (in ', 1)})") from None
