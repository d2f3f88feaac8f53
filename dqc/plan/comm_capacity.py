"""Carrier plans that fit the comm qubits: count the copies open at once, search carriers.

The cost model (:func:`dqc.plan.cost_model.plan_carriers`) counts one ebit per copy
of a segment, as if every copy could stay open from its first gate to its last. A
QPU holds only as many copies at once as it has comm qubits, and opening a copy
also takes a comm qubit, for a moment, on the QPU it is copied from. When more
would be open at once, :class:`~dqc.passes.DistributeGates` closes the open copy
used farthest ahead (Belady's rule) and reopens it later: one more ebit. When that QPU
has a data qubit no input qubit occupies, the copy moves there instead (two local CX)
and stays open: no ebit (plans without teledata moves).

This module plans with that limit instead of discovering it:

* :class:`CommProblem` lists, in walk order, the remote gates (each with the copies
  that could carry it) and the mirrors of an embedding (which need the partner's
  copy on every QPU where the flipped qubit has one open).
* :func:`simulate` replays the distributor's comm qubits for a choice of carriers —
  the same allocation, Belady evictions, reuse of an open copy of the other
  carrier, fan-out from open copies, relays that keep a copy they will need, and
  entanglement swapping on the others — and
  returns the ebits it would emit, evictions (and copies stowed in free data qubits)
  included, without building a circuit.
* :func:`fit_carriers` is a deterministic local search over the carriers on that
  exact cost: move every gate of one copy to the gates' other carriers (a copy that
  crowds a QPU gives way to shorter ones), or one gate alone, keeping each change
  that emits fewer ebits.

Examples:
    Two QPUs of one comm qubit each: q0, q1 on QPU 0, q2, q3 on QPU 1. q0 and q2
    meet twice (gates 0 and 3), q1 and q3 twice in between (gates 1 and 2); gate 3
    waits only for gate 0, gate 2 only for gate 1::

        q0 ─■──────────■─
        q1 ─┼──■──■────┼─
        q2 ─■──┼──┼────■─
        q3 ────■──■──────

    The minimum cover is one copy per pair: 2 ebits if both could be open at once.
    In position order q0's copy must stay open across q1's gates, and with one
    comm qubit it is evicted and reopened: 3. The order that opens each copy as late
    as it can runs gate 3 right after gate 0, and the plan fits::

    >>> from dqc.plan.cost_model import plan_carriers
    >>> gates = [TwoQubitGate(p, qs, (("z", 0), ("z", 0)))
    ...          for p, qs in enumerate([(0, 2), (1, 3), (1, 3), (0, 2)])]
    >>> part, dist = [0, 0, 1, 1], np.array([[0, 1], [1, 0]])
    >>> carriers = plan_carriers(gates, part, dist).carriers
    >>> simulate(CommProblem.of(gates, part, dist, comm=(1, 1)), carriers)
    3
    >>> order = lazy_order([[], [], [1], [0]], CommProblem.of(gates, part, dist, (1, 1)),
    ...                    carriers)
    >>> order, simulate(CommProblem.of(gates, part, dist, (1, 1), rank=walk_ranks(order)),
    ...                 carriers)
    ((0, 3, 1, 2), 2)
"""

from __future__ import annotations

import bisect
import functools
import heapq
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from dqc.plan.cost_model import TwoQubitGate
from dqc.plan.lives import Lives

__all__ = ["CommProblem", "Fitted", "Mirror", "embedding_mirrors", "fit_carriers", "lazy_order",
           "walk_ranks",
           "planned_uses", "simulate"]

Option = tuple[str, int]  # (basis, segment number)
CopyKey = tuple[int, str, int]  # (qubit, basis, QPU it is copied to)

_FREE, _DIRTY, _HOLD = 0, 1, 2  # comm qubit states, as the distributor's
# a replay's comm qubits: state, owner, open copies, open copies per segment, free data
# qubits, clock, ebits, births and deaths taken (CommProblem.slots)
_Snapshot = tuple[list[int], list["CopyKey | None"], dict[CopyKey, tuple[int, int]],
                  dict[tuple[int, str], int], list[int], int, int, int]
_Edit = tuple[CopyKey, int, int, bool]  # a use (rank, segment) added to or taken from a copy


@dataclass(frozen=True)
class Mirror:
    """A flip an embedding continues ``qubit``'s ``basis`` segment through, at walk
    position ``rank``: every open copy of that segment gets the flip, which needs
    ``partner``'s value (in ``option``) on the copy's QPU — a copy of the partner
    where it does not live. ``partner`` is ``None`` for ``x``/``z`` flips."""

    rank: int
    qubit: int
    basis: str
    partner: int | None = None
    option: Option | None = None


@dataclass(frozen=True)
class CommProblem:
    """The remote gates and mirrors of one placement, in walk order, and the network.

    Attributes:
        gates: remote two-qubit gates (``position >= 0``), sorted by position.
        mirrors: the embedding's flips that need a partner's value, by rank.
        part: QPU index of every qubit.
        dist: hop distances between QPUs.
        comm: comm qubits per QPU.
        paths: shortest path (QPU indices) between every pair, as the distributor takes.
        rank: walk position of every op position (the walk order's inverse).
        spare: free data qubits per QPU (none by default): a copy to be evicted that has a
            use ahead is stowed in one instead of closed, as the distributor does.
        slots: with reuse (:mod:`dqc.plan.lives`), where data qubits are taken and freed:
            ``(rank, after, qpu, change)`` in walk order, a birth (``-1``, before the op
            at ``rank``: ``after`` 0) or a death (``+1``, after it: ``after`` 1); ``spare``
            then counts every data qubit, as no qubit is born at the start.
    """

    gates: tuple[TwoQubitGate, ...]
    mirrors: tuple[Mirror, ...]
    part: tuple[int, ...]
    dist: np.ndarray
    comm: tuple[int, ...]
    paths: dict[tuple[int, int], tuple[int, ...]] = field(default_factory=dict)
    rank: tuple[int, ...] = ()
    spare: tuple[int, ...] = ()
    slots: tuple[tuple[int, int, int, int], ...] = ()

    @classmethod
    def of(cls, gates: Sequence[TwoQubitGate], part: Sequence[int], dist: np.ndarray,
           comm: Sequence[int], mirrors: Sequence[Mirror] = (),
           paths: Mapping[tuple[int, int], Sequence[int]] | None = None,
           rank: Sequence[int] | None = None, spare: Sequence[int] = (),
           lives: Lives | None = None) -> CommProblem:
        """The problem of ``gates`` (forced mirror rows, negative positions, are left
        out: :func:`planned_uses` derives them) on placement ``part``, walked in the
        order whose ranks are ``rank`` (default: op positions; mirrors carry ranks).

        ``paths`` defaults to a shortest path of ``dist`` towards lower indices first
        (give the network's own paths to follow the distributor exactly). ``lives``:
        data qubits are reused (:attr:`slots`; ``spare`` should then count them all).
        """
        part = tuple(int(k) for k in part)
        remote_gates = [g for g in gates if g.position >= 0
                        and part[g.qubits[0]] != part[g.qubits[1]]]
        if rank is None:
            rank = range(max((g.position for g in remote_gates), default=-1) + 1)
        rank = tuple(rank)
        remote = tuple(sorted(remote_gates, key=lambda g: rank[g.position]))
        dist = np.asarray(dist)
        table = {pair: tuple(path) for pair, path in (paths or {}).items()}
        for a in range(len(dist)):
            for b in range(len(dist)):
                if a != b and (a, b) not in table:
                    table[(a, b)] = _path(dist, a, b)
        return cls(remote, tuple(sorted(mirrors, key=lambda m: m.rank)), part, dist,
                   tuple(int(c) for c in comm), table, rank, tuple(int(n) for n in spare),
                   () if lives is None else _slots(lives, part, rank))

    @functools.cached_property
    def mirrors_of(self) -> dict[tuple[int, str], tuple[Mirror, ...]]:
        """``(qubit, basis)`` -> the mirrors of that segment with a partner, by rank."""
        out: dict[tuple[int, str], list[Mirror]] = {}
        for m in self.mirrors:
            if m.partner is not None and m.option is not None:
                out.setdefault((m.qubit, m.basis), []).append(m)
        return {key: tuple(ms) for key, ms in out.items()}

    @functools.cached_property
    def carried(self) -> tuple[dict[int, tuple[tuple[CopyKey, int],
                                                tuple[CopyKey, int] | None]], ...]:
        """Per gate of :attr:`gates`, for each qubit that can carry it, the copy (and
        segment) it is carried on and the other side's copy (``None`` when that side
        cannot carry it), as :func:`_copy` gives them: computed once, every replay reads
        them."""
        out = []
        for g in self.gates:
            a, b = _copy(g, 0, self.part), _copy(g, 1, self.part)
            by_carrier: dict[int, tuple[tuple[CopyKey, int], tuple[CopyKey, int] | None]] = {}
            if a is not None:
                by_carrier[g.qubits[0]] = (a, b)
            if b is not None:
                by_carrier[g.qubits[1]] = (b, a)
            out.append(by_carrier)
        return tuple(out)


@dataclass(frozen=True)
class Fitted:
    """Carriers the search chose: ``carriers`` (position -> qubit) and the ``ebits``
    :func:`simulate` gives them; ``evaluations`` made to find them."""

    carriers: dict[int, int]
    ebits: float
    evaluations: int


def _path(dist: np.ndarray, a: int, b: int) -> tuple[int, ...]:
    """A shortest path from QPU a to b by hop distances (lowest next index first)."""
    path = [a]
    while path[-1] != b:
        here = path[-1]
        path.append(next(j for j in range(len(dist))
                         if dist[here, j] == 1 and dist[j, b] == dist[here, b] - 1))
    return tuple(path)


def _copy(g: TwoQubitGate, side: int, part: Sequence[int]) -> tuple[CopyKey, int] | None:
    """The copy that side ``side`` of ``g`` carries it on, and its segment; ``None``
    when that side cannot carry it."""
    option = g.segments[side]
    if option is None:
        return None
    return (g.qubits[side], option[0], part[g.qubits[1 - side]]), option[1]


def planned_uses(problem: CommProblem, carriers: Mapping[int, int]
                 ) -> dict[CopyKey, list[tuple[int, int]]]:
    """``(qubit, basis, QPU)`` -> sorted ``(rank, segment)`` of the gates ``carriers``
    give that copy, and of the mirrors it serves: a mirror needs the partner's copy on
    each QPU where the flipped segment has planned gates both before and after it
    (the copy is open there then, unless evicted)."""
    return _with_mirrors(problem, _gate_uses(problem, carriers))


def _with_mirrors(problem: CommProblem, uses: dict[CopyKey, list[tuple[int, int]]]
                  ) -> dict[CopyKey, list[tuple[int, int]]]:
    """The gates' uses with the mirrors' added (see :func:`planned_uses`)."""
    extra: dict[CopyKey, list[tuple[int, int]]] = {}
    for (q, basis, k), planned in uses.items():
        for m in problem.mirrors_of.get((q, basis), ()):
            if _serves(m, k, planned, problem.part):
                key, segment = _partner_copy(m, k)
                extra.setdefault(key, []).append((m.rank, segment))
    out = dict(uses)
    for key, more in extra.items():
        out[key] = sorted(uses.get(key, []) + more)
    return out


def _gate_uses(problem: CommProblem, carriers: Mapping[int, int]
               ) -> dict[CopyKey, list[tuple[int, int]]]:
    """The gates' part of :func:`planned_uses`: sorted ``(rank, segment)`` per copy."""
    uses: dict[CopyKey, list[tuple[int, int]]] = {}
    for n, g in enumerate(problem.gates):
        (key, segment), _ = problem.carried[n][carriers[g.position]]
        uses.setdefault(key, []).append((problem.rank[g.position], segment))
    for planned in uses.values():
        planned.sort()
    return uses


def _serves(m: Mirror, k: int, planned: list[tuple[int, int]], part: Sequence[int]) -> bool:
    """Mirror ``m`` needs its partner's copy on QPU ``k``, where the flipped segment's
    copy has the gate uses ``planned``."""
    (partner, _, _), _ = _partner_copy(m, k)
    return k != part[partner] and _spans(planned, m.rank)


def _partner_copy(m: Mirror, k: int) -> tuple[CopyKey, int]:
    """The copy on QPU ``k`` of mirror ``m``'s partner, and its segment."""
    assert m.partner is not None and m.option is not None
    return (m.partner, m.option[0], k), m.option[1]


def _spans(uses: list[tuple[int, int]], rank: int) -> bool:
    """A copy with these planned uses is open at ``rank``: uses of one segment on
    both sides."""
    i = bisect.bisect_left(uses, (rank, -1))
    j = bisect.bisect_right(uses, (rank, 1 << 62))
    return 0 < i and j < len(uses) and uses[i - 1][1] == uses[j][1]


def _slots(lives: Lives, part: Sequence[int], rank: Sequence[int]
           ) -> tuple[tuple[int, int, int, int], ...]:
    """:attr:`CommProblem.slots` of ``lives`` on placement ``part`` in walk order
    ``rank`` (a position past ``rank`` keeps its own number, as the default order)."""

    def at(position: int) -> int:
        return rank[position] if position < len(rank) else position

    events = [(at(t), 0, part[q], -1) for q, t in enumerate(lives.birth) if t >= 0]
    events += [(at(t), 1, part[q], 1) for q, t in enumerate(lives.death) if t >= 0]
    return tuple(sorted(events))


class _Replay:
    """The distributor's comm qubits, replayed for one choice of carriers.

    Each copy's planned uses are kept as two lists (ranks, segments), so that the
    next use is one bisection of integers.
    """

    def __init__(self, problem: CommProblem, ranks: dict[CopyKey, list[int]],
                 segments: dict[CopyKey, list[int]]) -> None:
        self.problem = problem
        self.ranks = ranks
        self.segments = segments
        self.pools: list[list[int]] = []
        for c in problem.comm:
            start = sum(len(p) for p in self.pools)
            self.pools.append(list(range(start, start + c)))
        total = sum(problem.comm)
        self.state = [_FREE] * total
        self.owner: list[CopyKey | None] = [None] * total
        # copy -> (comm qubit, or -1 when stowed in a data qubit; segment)
        self.open: dict[CopyKey, tuple[int, int]] = {}
        self.copies_open: dict[tuple[int, str], int] = {}  # (qubit, basis) -> open copies
        self.spare = list(problem.spare or [0] * len(problem.comm))
        self.slot_event = 0  # problem.slots taken so far
        self.clock = 0
        self.ebits = 0
        self.first_open: dict[CopyKey, int] = {}  # copy -> clock it was first opened at

    def snapshot(self) -> _Snapshot:
        """The comm qubits' state now, to :meth:`restore` a later replay to."""
        return (self.state[:], self.owner[:], dict(self.open), dict(self.copies_open),
                self.spare[:], self.clock, self.ebits, self.slot_event)

    def restore(self, snap: _Snapshot) -> None:
        """Take the state of ``snap`` (copied: a snapshot serves many replays)."""
        state, owner, opened, copies_open, spare, self.clock, self.ebits, self.slot_event = snap
        self.state, self.owner, self.spare = state[:], owner[:], spare[:]
        self.open, self.copies_open = dict(opened), dict(copies_open)

    def same_state(self, snap: _Snapshot) -> bool:
        """The comm qubits hold what they held at ``snap`` (clock and ebits aside)."""
        return (self.open == snap[2] and self.owner == snap[1] and self.state == snap[0]
                and self.spare == snap[4] and self.copies_open == snap[3]
                and self.slot_event == snap[7])

    def advance(self, rank: int) -> None:
        """Take the data qubits born at ``rank`` and free those that died before it
        (:attr:`CommProblem.slots`), then set the clock there. A birth on a QPU
        without a free data qubit closes the copy stowed there whose next use is
        farthest ahead, as the distributor does (none: it cannot be carried)."""
        slots = self.problem.slots
        while self.slot_event < len(slots) and slots[self.slot_event][:2] < (rank, 1):
            self.clock, _, k, change = slots[self.slot_event]
            self.slot_event += 1
            if change > 0 or self.spare[k]:
                self.spare[k] += change
                continue
            stowed = [key for key, (m, _) in self.open.items() if m < 0 and key[2] == k]
            if not stowed:
                raise _Infeasible
            self.close(max(stowed, key=lambda key: (self.next_use(key), key)))
            self.spare[k] -= 1
        self.clock = rank

    def next_use(self, key: CopyKey, segment: int | None = None) -> float:
        """Rank of the next planned use of copy ``key`` in ``segment`` (default: the
        segment of the open copy)."""
        ranks = self.ranks.get(key)
        if ranks is None:
            return math.inf
        i = bisect.bisect_right(ranks, self.clock)
        if segment is None:
            segment = self.open[key][1]
        if i < len(ranks) and self.segments[key][i] == segment:
            return ranks[i]
        return math.inf

    def alloc(self, k: int, protect: set[int]) -> int:
        """A comm qubit of QPU k: the first free one, else the first dirty one, else the
        one whose held copy is used farthest ahead, evicted."""
        state = self.state
        chosen = -1
        for m in self.pools[k]:
            if m in protect:
                continue
            if state[m] == _FREE:
                chosen = m
                break
            if state[m] == _DIRTY and chosen < 0:
                chosen = m
        if chosen < 0:
            chosen = self.evict(k, protect)
        state[chosen] = _DIRTY
        protect.add(chosen)
        return chosen

    def evict(self, k: int, protect: set[int]) -> int:
        """Free the comm qubit of QPU k whose copy is used farthest ahead: stowed in a
        free data qubit when it has a use ahead and one is free (as the distributor),
        else closed."""
        held = [m for m in self.pools[k] if self.state[m] == _HOLD and m not in protect]
        if not held:
            raise _Infeasible
        victim = max(held, key=lambda m: (self.next_use(self.owner[m]), -m))  # type: ignore[arg-type]
        key = self.owner[victim]
        assert key is not None
        if self.spare[k] and self.next_use(key) < math.inf:
            self.open[key] = (-1, self.open[key][1])
            self.spare[k] -= 1
            self.state[victim], self.owner[victim] = _DIRTY, None
        else:
            self.close(key)
        return victim

    def bell_pair(self, a: int, b: int, protect: set[int]) -> tuple[int, int]:
        """Comm qubits on QPUs a and b sharing a Bell pair, swapped along the path."""
        path = self.problem.paths[(a, b)]
        first = self.alloc(path[0], protect)
        near = self.alloc(path[1], protect)
        self.ebits += 1
        for hop in range(1, len(path) - 1):
            out = self.alloc(path[hop], protect)
            far = self.alloc(path[hop + 1], protect)
            self.ebits += 1
            protect.discard(near)
            protect.discard(out)
            near = far
        return first, near

    def keeper(self, key: CopyKey, segment: int, source: int, protect: set[int]
               ) -> int | None:
        """The QPU on the path from ``source`` to copy ``key``'s QPU, nearest to it, that
        has a planned use of the same segment ahead and a comm qubit free: it keeps a
        copy on the way (as the distributor's ``Builder._keeper``)."""
        q, basis, k = key
        for j in reversed(self.problem.paths[(source, k)][1:-1]):
            if (q, basis, j) in self.open or self.next_use((q, basis, j), segment) == math.inf:
                continue
            pool = self.pools[j]
            if len(pool) > 1 and any(self.state[m] != _HOLD and m not in protect for m in pool):
                return j
        return None

    def open_copy(self, key: CopyKey, segment: int, protect: set[int]) -> None:
        """Open copy ``key`` from its qubit or its nearest open copy in the same basis,
        through a QPU on the way that keeps one (:meth:`keeper`)."""
        q, basis, k = key
        dist = self.problem.dist
        source_qpu, source = self.problem.part[q], -1
        for j in range(len(self.pools)) if self.copies_open.get((q, basis)) else ():
            held = self.open.get((q, basis, j))
            if held is not None and dist[j, k] < dist[source_qpu, k] and len(self.pools[j]) > 1:
                source_qpu, source = j, held[0]
        keeper = self.keeper(key, segment, source_qpu, protect)
        if keeper is not None:
            self.open_copy((q, basis, keeper), segment, protect)
            source_qpu, source = keeper, self.open[(q, basis, keeper)][0]
        if source >= 0:
            protect.add(source)
        mine, theirs = self.bell_pair(source_qpu, k, protect)
        protect.discard(source)
        protect.discard(mine)
        self.open[key] = (theirs, segment)
        self.first_open.setdefault(key, self.clock)
        self.copies_open[(q, basis)] = self.copies_open.get((q, basis), 0) + 1
        self.state[theirs] = _HOLD
        self.owner[theirs] = key

    def close(self, key: CopyKey) -> None:
        """Close open copy ``key``: its comm qubit (or data qubit) is free again."""
        m, _ = self.open.pop(key)
        left = self.copies_open[key[:2]] - 1
        if left:
            self.copies_open[key[:2]] = left
        else:
            del self.copies_open[key[:2]]
        if m < 0:
            self.spare[key[2]] += 1
            return
        self.state[m] = _DIRTY
        self.owner[m] = None

    def use(self, key: CopyKey, segment: int, protect: set[int]) -> None:
        """Use copy ``key`` (opened if needed), closed after its last planned use."""
        held = self.open.get(key)
        if held is not None and held[1] != segment:
            self.close(key)  # (the distributor ends a segment's copies with it)
            held = None
        if held is None:
            self.open_copy(key, segment, protect)
        if self.next_use(key) == math.inf:
            self.close(key)

    def gate(self, planned: tuple[CopyKey, int], other: tuple[CopyKey, int] | None) -> None:
        """A remote gate: its planned carrier's copy, or the other's when only that is open."""
        if planned[0] not in self.open and other is not None and other[0] in self.open:
            planned = other
        self.use(planned[0], planned[1], set())

    def mirror(self, m: Mirror) -> None:
        """A flip mirrored onto every open copy of the flipped segment."""
        if m.partner is None or m.option is None:
            return
        part = self.problem.part
        copies = [(k, self.open.get((m.qubit, m.basis, k))) for k in range(len(self.pools))]
        for k, held in copies:  # (the copies open when the mirror starts, as the distributor)
            if held is None or part[m.partner] == k:
                continue
            self.use((m.partner, m.option[0], k), m.option[1], {held[0]})


class _Infeasible(Exception):
    """The comm qubits cannot carry an operation (the distributor raises CapacityError)."""


def simulate(problem: CommProblem, carriers: Mapping[int, int], *,
             limit: float = math.inf) -> float:
    """Ebits the distributor emits for ``carriers`` (position -> carrier qubit) with the
    problem's comm qubits, evictions included; ``inf`` when they cannot carry it.

    ``limit``: a replay that reaches that many ebits stops there and returns its count
    so far (at least ``limit``): the ebits only grow, so a caller that asks whether
    ``carriers`` emit fewer than ``limit`` gets the same answer sooner.
    """
    replay = _Replay(problem, *_split(planned_uses(problem, carriers)))
    return _run(problem, replay, carriers, limit=limit)


def _split(uses: dict[CopyKey, list[tuple[int, int]]]
           ) -> tuple[dict[CopyKey, list[int]], dict[CopyKey, list[int]]]:
    """Planned uses as two parallel lists per copy: ranks and segments."""
    return ({key: [r for r, _ in planned] for key, planned in uses.items()},
            {key: [s for _, s in planned] for key, planned in uses.items()})


def _run(problem: CommProblem, replay: _Replay, carriers: Mapping[int, int], *,
         start: tuple[int, int] = (0, 0), limit: float = math.inf,
         checkpoints: list[tuple[int, int, _Snapshot]] | None = None, every: int = 1,
         join: tuple[_Checkpointed, int] | None = None) -> float:
    """Replay the gates from ``start`` (gate index, mirror index) on: the ebits (see
    :func:`simulate` for ``limit``). ``checkpoints`` gets ``replay``'s state at the top of
    every ``every``-th gate: ``(gate index, mirror index, snapshot)``.

    ``join``: a base replay and a gate index from which on every copy's next use is the
    same in both: once the comm qubits hold what the base's held at the same gate, the
    rest is the base's, and so are its further ebits.
    """
    mirrors, rank, gates, carried = problem.mirrors, problem.rank, problem.gates, problem.carried
    i = start[1]
    try:
        for n in range(start[0], len(gates)):
            if checkpoints is not None:
                if n % every == 0:
                    checkpoints.append((n, i, replay.snapshot()))
            elif join is not None and n > start[0] and n >= join[1]:
                snap = join[0].snapshot_at(n)
                if snap is not None and replay.same_state(snap):
                    return replay.ebits + join[0].ebits - snap[6]
            g = gates[n]
            r = rank[g.position]
            while i < len(mirrors) and mirrors[i].rank < r:
                replay.advance(mirrors[i].rank)
                replay.mirror(mirrors[i])
                i += 1
            if replay.ebits >= limit:
                return replay.ebits
            replay.advance(r)
            replay.gate(*carried[n][carriers[g.position]])
        for m in mirrors[i:]:
            replay.advance(m.rank)
            replay.mirror(m)
    except _Infeasible:
        return math.inf
    return replay.ebits


#: Most states :class:`_Checkpointed` keeps (every gate's up to this many gates; beyond, every
#: n-th gate's): a state holds every comm qubit's, and a trial may restart a little earlier.
MAX_CHECKPOINTS = 1024


class _Checkpointed:
    """The replay of one choice of carriers with its state saved at every gate, so that a
    trial that differs from it replays only from the last state both share, and stops
    once the comm qubits hold what the base's held at the same gate after the last
    difference: the same ebits as :func:`simulate` gives the trial, sooner.

    The replays agree up to the first clock at which some copy's next planned use
    differs between them. For a copy whose uses differ first at index ``d``, that is
    the use before it (``d > 0``), or else the first of its first use in either plan
    and the clock the base first opened a copy of the same qubit and basis at (a
    copy's next use is read while it is open, and as a keeper on the way of another).
    """

    def __init__(self, problem: CommProblem, carriers: dict[int, int]) -> None:
        self.problem, self.carriers = problem, carriers
        self.gate_uses = _gate_uses(problem, carriers)
        self.ranks, self.segments = _split(_with_mirrors(problem, self.gate_uses))
        replay = _Replay(problem, self.ranks, self.segments)
        self.checkpoints: list[tuple[int, int, _Snapshot]] = []
        self.every = -(-len(problem.gates) // MAX_CHECKPOINTS) or 1
        self.ebits = _run(problem, replay, carriers, checkpoints=self.checkpoints,
                          every=self.every)
        # per qubit and basis, the first clock a copy of it opened at
        self.first_touch: dict[tuple[int, str], int] = {}
        for (q, basis, _), clock in replay.first_open.items():
            self.first_touch[(q, basis)] = min(clock, self.first_touch.get((q, basis), clock))
        gates, rank = problem.gates, problem.rank
        self.gate_ranks = [rank[g.position] for g in gates]
        # the last clock each checkpoint has replayed (-1: none)
        self.clocks = [self.gate_ranks[n - 1] if n else -1 for n, _, _ in self.checkpoints]
        self.index = {g.position: n for n, g in enumerate(gates)}

    def snapshot_at(self, n: int) -> _Snapshot | None:
        """The state kept at the top of gate ``n``, if one was."""
        j, left = divmod(n, self.every)
        return self.checkpoints[j][2] if not left and j < len(self.checkpoints) else None

    def trial(self, carriers: dict[int, int], changed: Sequence[int], *,
              limit: float = math.inf) -> float:
        """:func:`simulate` of ``carriers``, which differ from the base's at positions
        ``changed``."""
        problem = self.problem
        edits = self._gate_edits(carriers, changed)
        if problem.mirrors:
            edits += self._mirror_edits(edits)
        ranks, segments = dict(self.ranks), dict(self.segments)
        agree = self._apply(edits, ranks, segments)
        j = bisect.bisect_left(self.clocks, agree) - 1
        n, i, snap = self.checkpoints[j]
        replay = _Replay(problem, ranks, segments)
        replay.restore(snap)
        join = bisect.bisect_left(self.gate_ranks, max(r for _, r, _, _ in edits)) + 1
        return _run(problem, replay, carriers, start=(n, i), limit=limit, join=(self, join))

    def _gate_edits(self, carriers: dict[int, int], changed: Sequence[int]) -> list[_Edit]:
        """Each changed gate's use leaves its old copy and joins its new one."""
        problem, edits = self.problem, []
        for p in changed:
            n, r = self.index[p], problem.rank[p]
            (old, segment), _ = problem.carried[n][self.carriers[p]]
            (new, new_segment), _ = problem.carried[n][carriers[p]]
            edits += [(old, r, segment, False), (new, r, new_segment, True)]
        return edits

    def _mirror_edits(self, edits: list[_Edit]) -> list[_Edit]:
        """The mirrors' uses that the gate ``edits`` add or take away: a mirror serves
        a copy's QPU when the flipped segment's copy there spans it (:func:`_serves`)."""
        problem, out = self.problem, []
        touched: dict[CopyKey, list[tuple[int, int]]] = {}
        for key, r, segment, add in edits:
            planned = touched.setdefault(key, list(self.gate_uses.get(key, ())))
            if add:
                bisect.insort(planned, (r, segment))
            else:
                planned.remove((r, segment))
        for (q, basis, k), planned in touched.items():
            before = self.gate_uses.get((q, basis, k), [])
            for m in problem.mirrors_of.get((q, basis), ()):
                now = _serves(m, k, planned, problem.part)
                if now != _serves(m, k, before, problem.part):
                    key, segment = _partner_copy(m, k)
                    out.append((key, m.rank, segment, now))
        return out

    def _apply(self, edits: list[_Edit], ranks: dict[CopyKey, list[int]],
               segments: dict[CopyKey, list[int]]) -> float:
        """Apply ``edits`` to ``ranks``/``segments`` (copies of the base's: a copy's
        ranks are distinct); the clock up to which the replays agree."""
        agree = math.inf
        copied: set[CopyKey] = set()
        for key, r, segment, add in edits:
            if key not in copied:
                copied.add(key)
                ranks[key] = list(ranks.get(key, ()))
                segments[key] = list(segments.get(key, ()))
            base = self.ranks.get(key, [])
            d = bisect.bisect_left(base, r)
            agree = min(agree, base[d - 1] if d else min(self.first_touch.get(key[:2], math.inf),
                                                         r))
            at = bisect.bisect_left(ranks[key], r)
            if add:
                ranks[key].insert(at, r)
                segments[key].insert(at, segment)
            else:
                del ranks[key][at], segments[key][at]
        return agree


def fit_carriers(problem: CommProblem, starts: Sequence[Mapping[int, int]], *,
                 max_evaluations: int = 2000) -> Fitted:
    """Carriers that emit fewest ebits under the comm qubits, by local search.

    From the best of ``starts``, two kinds of change are tried in a fixed order,
    each kept when :func:`simulate` gives fewer ebits, until a full round keeps
    none or ``max_evaluations`` simulations are spent: move every gate a copy
    carries to the gates' other carriers; move one gate to its other carrier.
    Deterministic. Each trial replays from the last state it shares with the
    carriers kept so far (:class:`_Checkpointed`).
    """
    evaluations = 0
    base: _Checkpointed | None = None
    for start in starts:
        evaluations += 1
        tried = _Checkpointed(problem, {g.position: start[g.position] for g in problem.gates})
        if base is None or tried.ebits < base.ebits:
            base = tried
    assert base is not None, "fit_carriers needs a start"
    improved = True
    while improved and evaluations < max_evaluations:
        improved = False
        for trial, changed in _changes(problem, base.carriers):
            if evaluations >= max_evaluations:
                break
            evaluations += 1
            if base.trial(trial, changed, limit=base.ebits) < base.ebits:
                base, improved = _Checkpointed(problem, trial), True
                break
    return Fitted(base.carriers, base.ebits, evaluations)


def _changes(problem: CommProblem, carriers: dict[int, int]
             ) -> Iterator[tuple[dict[int, int], list[int]]]:
    """The changes :func:`fit_carriers` tries, each a new carrier dict and the positions
    it changes (lazily): every copy's gates moved to their other carriers, then every
    gate alone."""
    part = problem.part
    by_copy: dict[tuple[CopyKey, int], list[TwoQubitGate]] = {}
    for g in problem.gates:
        found = _copy(g, g.qubits.index(carriers[g.position]), part)
        assert found is not None
        by_copy.setdefault(found, []).append(g)
    for _, gs in sorted(by_copy.items(), key=lambda item: (-len(item[1]), item[0])):
        if len(gs) > 1 and all(g.segments[0] is not None and g.segments[1] is not None
                               for g in gs):
            trial = dict(carriers)
            for g in gs:
                trial[g.position] = _other(g, carriers[g.position])
            yield trial, [g.position for g in gs]
    for g in problem.gates:
        if g.segments[0] is not None and g.segments[1] is not None:
            trial = dict(carriers)
            trial[g.position] = _other(g, carriers[g.position])
            yield trial, [g.position]


def walk_ranks(order: Sequence[int]) -> tuple[int, ...]:
    """``rank[t]``: the place of ``t`` in ``order`` (a permutation of ``range(len)``)."""
    rank = [0] * len(order)
    for r, t in enumerate(order):
        rank[t] = r
    return tuple(rank)


def _other(g: TwoQubitGate, carrier: int) -> int:
    """The other qubit of ``g``."""
    return g.qubits[1] if carrier == g.qubits[0] else g.qubits[0]


def embedding_mirrors(through: Iterable[tuple[int, int, str]],
                      gates: Sequence[TwoQubitGate],
                      rank: Sequence[int] | None = None) -> tuple[Mirror, ...]:
    """The mirrors of the flips ``through`` (``(position, qubit, basis)``) that have a
    partner: the flip's two-qubit gate in ``gates`` (an embedding's), at walk position
    ``rank[position]`` (default: the position)."""
    at = {g.position: g for g in gates if g.position >= 0}
    out = []
    for position, q, basis in sorted(through):
        g = at.get(position)
        if g is None:
            continue  # an x or z flip: its mirror needs no partner
        side = g.qubits.index(q)
        out.append(Mirror(position if rank is None else rank[position], q, basis,
                          g.qubits[1 - side], g.segments[1 - side]))
    return tuple(sorted(out, key=lambda m: m.rank))


def lazy_order(preds: Sequence[Sequence[int]], problem: CommProblem,
               carriers: Mapping[int, int], *, crowding: bool = False) -> tuple[int, ...]:
    """A topological order of the ops (``preds[t]``: the ops op t waits for) that opens
    each copy as late as it can: an op that would open a copy runs only when nothing
    else can (the lowest position first), so the copies open at once are few and
    each is used in a burst. Deterministic.

    ``crowding``: of the copies that could open next, prefer one whose QPUs both have a
    comm qubit that holds no copy (the QPU it is copied to, and its qubit's QPU, which
    needs one for a moment), then the one with fewest uses left, then the lowest
    position: a QPU that hosts as many copies as it has comm qubits cannot send one of
    its own qubits' copies without evicting.
    """

    n = len(preds)
    waiting = [len(p) for p in preds]
    succs: list[list[int]] = [[] for _ in range(n)]
    for t, ps in enumerate(preds):
        for p in ps:
            succs[p].append(t)
    part, comm = problem.part, problem.comm
    needs: dict[int, tuple[CopyKey, int]] = {}
    left: dict[tuple[CopyKey, int], int] = {}
    for g in problem.gates:
        found = _copy(g, g.qubits.index(carriers[g.position]), part)
        assert found is not None
        needs[g.position] = found
        left[found] = left.get(found, 0) + 1
    is_open: set[tuple[CopyKey, int]] = set()
    hosted = [0] * len(comm)  # open copies per QPU
    runnable: list[int] = []
    blocked: dict[tuple[CopyKey, int], list[int]] = {}

    def ready(t: int) -> None:
        copy = needs.get(t)
        if copy is None or copy in is_open:
            heapq.heappush(runnable, t)
        else:
            heapq.heappush(blocked.setdefault(copy, []), t)

    def rank(copy: tuple[CopyKey, int]) -> tuple[int, ...]:
        if not crowding:
            return (blocked[copy][0],)
        (q, _, k), _ = copy
        crowds = (hosted[k] >= comm[k]) + (hosted[part[q]] >= comm[part[q]])
        return crowds, left[copy], blocked[copy][0]

    for t in range(n):
        if not waiting[t]:
            ready(t)
    order: list[int] = []
    while runnable or blocked:
        if runnable:
            t = heapq.heappop(runnable)
        else:
            copy = min(blocked, key=rank)
            is_open.add(copy)
            hosted[copy[0][2]] += 1
            for u in blocked.pop(copy):
                heapq.heappush(runnable, u)
            continue
        order.append(t)
        used = needs.get(t)
        if used is not None:
            left[used] -= 1
            if not left[used]:
                is_open.discard(used)
                hosted[used[0][2]] -= 1
        for u in succs[t]:
            waiting[u] -= 1
            if not waiting[u]:
                ready(u)
    return tuple(order)
