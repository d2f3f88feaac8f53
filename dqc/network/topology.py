"""Topologies of generated networks: one table, name -> the QPU pairs to link.

:meth:`Network.from_topology <dqc.network.model.Network.from_topology>` builds
``qpu0 .. qpu{k-1}`` and links the pairs the table gives; ``Network.all_to_all``,
``line``, ``ring`` and ``star`` are that call with a fixed name, and the command
line's ``--topology`` choices are the table's names.
:func:`recognise` reads a topology back off a network's graph (for its summary).

Examples:
    >>> list(TOPOLOGIES)
    ['all-to-all', 'line', 'ring', 'star']
    >>> pairs("ring", 4)
    [(0, 1), (1, 2), (2, 3), (3, 0)]
    >>> recognise(nx.star_graph(3))      # a hub and three leaves
    'star'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, TypedDict, cast

import networkx as nx

from dqc.errors import NetworkError, plural
from dqc.network.physics import Technology, is_int

if TYPE_CHECKING:
    from typing import Required

__all__ = ["TOPOLOGIES", "TopologyOptions", "pairs", "per_qpu", "qpu_count", "recognise"]

#: The QPU index pairs to link among ``k`` QPUs.
PairGenerator = Callable[[int], Iterable[tuple[int, int]]]


class TopologyOptions(TypedDict, total=False):
    """Keyword arguments of every topology factory (documented in ``Network.all_to_all``)."""

    data_qubits: Required[int | Sequence[int]]
    comm_qubits: int | Sequence[int]
    rate_hz: float
    fidelity: float
    latency_s: float
    technology: str | Technology | None


def _all_to_all(k: int) -> Iterable[tuple[int, int]]:
    """Every pair."""
    return combinations(range(k), 2)


def _line(k: int) -> Iterable[tuple[int, int]]:
    """``0-1, 1-2, ..., (k-2)-(k-1)``."""
    return ((i, i + 1) for i in range(k - 1))


def _ring(k: int) -> Iterable[tuple[int, int]]:
    """A line closed by ``(k-1)-0`` (k = 2: one link; k = 1: none)."""
    return [(i, i + 1) for i in range(k - 1)] + ([(k - 1, 0)] if k > 2 else [])


def _star(k: int) -> Iterable[tuple[int, int]]:
    """``0`` is the hub, linked to each other QPU."""
    return ((0, i) for i in range(1, k))


#: Topology name -> the pairs of QPU indices it links, in link order.
TOPOLOGIES: dict[str, PairGenerator] = {
    "all-to-all": _all_to_all,
    "line": _line,
    "ring": _ring,
    "star": _star,
}


def qpu_count(k: object) -> int:
    """``k`` if it is a valid number of QPUs (a positive integer).

    Raises:
        NetworkError: ``k`` is not a positive integer.

    Examples:
        >>> qpu_count(3)
        3
        >>> qpu_count(2.0)
        Traceback (most recent call last):
        dqc.errors.NetworkError: number of QPUs must be a positive integer, got 2.0
    """
    if not is_int(k) or cast(int, k) < 1:
        raise NetworkError(f"number of QPUs must be a positive integer, got {k!r}")
    return int(cast(int, k))


def pairs(topology: str, k: int) -> list[tuple[int, int]]:
    """The QPU index pairs ``topology`` links among ``k`` QPUs, in link order.

    Raises:
        NetworkError: ``topology`` is not in :data:`TOPOLOGIES`.

    Examples:
        >>> pairs("line", 3), pairs("star", 3)
        ([(0, 1), (1, 2)], [(0, 1), (0, 2)])
    """
    if topology not in TOPOLOGIES:
        raise NetworkError(
            f"unknown topology {topology!r}; known: {', '.join(TOPOLOGIES)}")
    return list(TOPOLOGIES[topology](k))


def per_qpu(value: int | Sequence[int], k: int, what: str) -> list[int]:
    """One value per QPU: ``value`` repeated ``k`` times, or a sequence of ``k`` values.

    Raises:
        NetworkError: A sequence of another length than ``k``.

    Examples:
        >>> per_qpu(2, 3, "comm_qubits"), per_qpu([1, 2], 2, "data_qubits")
        ([2, 2, 2], [1, 2])
    """
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != k:
            raise NetworkError(f"{what} has {plural(len(value), 'value')} but there "
                               f"{'is' if k == 1 else 'are'} {plural(k, 'QPU')}")
        return list(value)
    return [value] * k  # type: ignore[list-item]


def recognise(graph: nx.Graph) -> str | None:
    """The topology of a (connected) graph, if it is one of :data:`TOPOLOGIES`.

    Only three or more nodes are told apart (with two, all four are the same).

    Examples:
        >>> recognise(nx.path_graph(3)), recognise(nx.cycle_graph(3)), recognise(nx.star_graph(3))
        ('line', 'all-to-all', 'star')
        >>> recognise(nx.cycle_graph(4)), recognise(nx.lollipop_graph(3, 1)) is None
        ('ring', True)
    """
    k, m = graph.number_of_nodes(), graph.number_of_edges()
    if k < 3:
        return None
    degrees = sorted(d for _, d in graph.degree())
    if m == k * (k - 1) // 2:
        return "all-to-all"
    if m == k and degrees[0] == degrees[-1] == 2:
        return "ring"
    if m == k - 1 and degrees[-1] == 2:
        return "line"
    if m == k - 1 and degrees[-1] == k - 1:
        return "star"
    return None
