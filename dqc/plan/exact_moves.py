"""Placements over time, moves, carriers and flips chosen together by one integer program.

:mod:`dqc.plan.teledata` searches moves heuristically, and :mod:`dqc.plan.exact` is exact
only among plans without moves. For a small circuit on two QPUs one hop apart, this
program chooses where every qubit is in every slice (:class:`~dqc.plan.teledata.Timeline`),
and so the moves, together with the copies that carry the remote gates and (when it is
given the circuit's flips) the flips their segments continue through, and HiGHS (SciPy's
:func:`~scipy.optimize.milp`) solves it to optimality. It prices plans as
:func:`~dqc.plan.teledata.time_sliced_cost` does (one ebit per move, one per copy of a
segment within a stay: a move ends the qubit's segments), with the flips on the stays as
:mod:`dqc.plan.teledata_embedding` scores them. A *piece* is a segment as
:func:`~dqc.plan.cost_model.two_qubit_gates` counts it (ended by every flip); an *event*
of a piece is a slice where it has a gate or meets a flip that ends or starts it.

* ``x[q, s]``: qubit q is on QPU 1 in slice s (else 0); each QPU within its data qubits
  in every slice.
* ``m[q, s] >= |x[q, s] - x[q, s - 1]|``: q moves before slice s (one ebit).
* ``y[u, s]``: piece u (of qubit q) has a copy on the other QPU at its event in slice
  s. Between two events of u in slices s' < s the copy is the same one unless q moved:
  ``|y[u, s] - y[u, s']| <= Σ m[q, t]`` for s' < t <= s; a copy costs one ebit where
  it starts: ``c[u, s] >= y[u, s] - y[u, s']`` and ``c[u, s] >= y[u, s] + Σ m[q, t] - 1``
  (at u's first event, ``c >= y - f[i]`` for the flip i that starts u).
* ``f[i]``: the segment continues through flip i (at most one flip per gate); the pieces
  on its two sides then share their copy in its slice: ``|y[u, s] - y[v, s]| <= 1 - f[i]``.
* A remote gate in slice s is carried by a copy of a piece it is diagonal on:
  ``y[u_a, s] + y[u_b, s] >= |x[a, s] - x[b, s]|`` (a side that cannot carry left out),
  and by the partner's alone when it flips the other side's continued segment.
* A mirror: ``d[i] <= |x[q, s] - x[p, s]|`` for q flipped by partner p in slice s; where
  the continued segment has a copy and p is with q, p's piece is copied too:
  ``y[u_p, s] >= y[v, s] + f[i] - 1 - d[i]``.
* Minimise ``Σ m + Σ c``.

On K >= 3 QPUs the same program is written per QPU k, as
:mod:`dqc.plan.exact` writes it: ``x[q, k, s]`` (one QPU per qubit and slice),
``m[q, s] >= x[q, k, s] - x[q, k, s - 1]``, ``y[u, k, s]`` and ``c[u, k, s]`` (piece u
copied to k), and ``z[g]`` (which side carries gate g); its relaxation is weaker, and so
its size rule tighter (:data:`MAX_MANY_ROWS`).

Its optimum is the fewest ebits of any plan with moves between slices and the given
flips (none: the teledata model's space). A plan is priced as the distributor will plan
its covers; where those price the program's flips higher than the program does, the
flips that cost are dropped (:func:`~dqc.plan.embedding.trimmed_plan`), and the plan is
called optimal only when its price meets the program's optimum. With ``stretches=E`` the
slices are cut into E stretches of (nearly) equal length, moves happen only between
stretches (``s`` above counts stretches), and the optimum is the fewest among those
plans: a smaller program for a longer circuit. A size rule (:data:`MAX_ROWS`) and a node
limit (:data:`NODE_LIMIT`), never a clock, keep it deterministic.

On QPUs not all one hop apart, a move or a copy ``d`` hops long costs ``d`` ebits (as
:mod:`dqc.plan.exact` prices copies there), and the program as if all were linked, one
ebit per move and copy, bounds every such plan on the real network: the plan is optimal
when its price meets that bound.

Examples:
    q0 meets q1 three times, then q2 three times, with Hadamards on both qubits before
    every CZ, so that every segment carries one gate. Two QPUs of two data qubits hold
    the three qubits: without moves one group is remote, 3 ebits. Moving q0 to q2
    between the groups (to the free data qubit) costs 1::

        q0 ─H─■─H─■─H─■─H─■─H─■─H─■─       slice 1-3: q0, q1 | q2
        q1 ─H─■─H─■─H─■─┼───┼───┼─         move q0 (1 ebit)
        q2 ─────────────H─■─H─■─H─■─       slice 4-6: q1 | q0, q2

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag
    >>> from dqc.plan.cost_model import two_qubit_gates
    >>> qc = QuantumCircuit(3)
    >>> for t in (1, 1, 1, 2, 2, 2): _ = qc.h(0); _ = qc.h(t); _ = qc.cz(0, t)
    >>> dag = circuit_to_dag(qc)
    >>> plan = exact_moves(Timeline.of(dag), two_qubit_gates(dag), 3, [2, 2])
    >>> plan.ebits, plan.moves, plan.optimal
    (1, (Move(position=11, qubit=0, qpu=1),), True)

    The circuit of :mod:`dqc.plan.teledata_embedding`'s example: no plan without moves
    needs fewer than 5 ebits, nor any with moves and no flips. Trading q0 and q2 before
    the middle costs 2; then one copy of q0's Z segment, continued through ``cx(1, 0)``
    (mirrored by q1, which sits on the copy's QPU), carries both CZs with q2, and one
    copy of q1 carries its CZ with q3 and the CX: 4 in all, proved::

        phase 1 (x3): cz(0,1) ry(0) ry(1) cz(2,3) ry(2) ry(3)      q0 q1 | q2 q3
        middle:       cz(0,2) cz(1,3) cx(1,0) h(2) cz(0,2) ry(1) ry(2)   q1 q2 | q0 q3
        phase 2 (x3): cz(1,2) ry(1) ry(2)                          (local)

    >>> from dqc.plan.embedding import find_flips
    >>> qc = QuantumCircuit(4)
    >>> for _ in range(3):
    ...     _ = qc.cz(0, 1); _ = qc.ry(0.3, 0); _ = qc.ry(0.3, 1)
    ...     _ = qc.cz(2, 3); _ = qc.ry(0.3, 2); _ = qc.ry(0.3, 3)
    >>> _ = qc.cz(0, 2); _ = qc.cz(1, 3); _ = qc.cx(1, 0); _ = qc.h(2); _ = qc.cz(0, 2)
    >>> _ = qc.ry(0.3, 1); _ = qc.ry(0.3, 2)
    >>> for _ in range(3):
    ...     _ = qc.cz(1, 2); _ = qc.ry(0.3, 1); _ = qc.ry(0.3, 2)
    >>> dag = circuit_to_dag(qc)
    >>> timeline, gates = Timeline.of(dag), two_qubit_gates(dag)
    >>> exact_moves(timeline, gates, 4, [2, 2]).ebits
    5
    >>> plan = exact_moves(timeline, gates, 4, [2, 2], flips=find_flips(dag, gates))
    >>> plan.ebits, len(plan.moves), sorted(plan.embedding.through), plan.optimal
    (4, 2, [(21, 0, 'z')], True)
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dqc.errors import DQCError
from dqc.plan.cost_model import TwoQubitGate
from dqc.plan.embedding import EmbeddingPlan, Flip, FlipTable, piece_qubit, trimmed_plan
from dqc.plan.exact import TWO_QPUS, HopPricing
from dqc.plan.integer_program import Rows, Solved, solve
from dqc.plan.teledata import Move, Stays, Timeline, time_sliced_cost
from dqc.plan.teledata_embedding import on_inputs, stay_table

__all__ = ["MAX_MANY_ROWS", "MAX_ROWS", "NODE_LIMIT", "MovesPlan", "exact_moves"]

#: Programs of more rows are not built (QASMBench's seca_n11, 84 gates in 44 slices:
#: 1,545 rows, proved in 4.7 s; sat_n11, 6,260 rows: 168 s, unproved).
MAX_ROWS = 2_000
#: On three QPUs or more, programs of more rows are not built: the relaxation is weak
#: (every qubit a fraction on every QPU in every slice). Random 6-qubit circuits on three
#: QPUs of two: 749 and 923 rows proved in 2.3 and 3.6 s; 1,025-1,939 rows, none proved
#: in 6-11 s.
MAX_MANY_ROWS = 800
#: Branch-and-bound nodes HiGHS may explore.
NODE_LIMIT = 300


@dataclass(frozen=True)
class MovesPlan:
    """What the program found.

    Attributes:
        start: QPU index of every qubit in the first slice.
        moves: the moves (:class:`~dqc.plan.teledata.Move`), in slice order.
        ebits: moves plus copies, as :func:`~dqc.plan.teledata.time_sliced_cost` prices
            them.
        optimal: no plan with moves between slices (between stretches, when
            ``stretches`` is set) and flips (without flips, unless ``with_flips``) needs
            fewer.
        stretches: how many stretches moves were allowed between (``None``: every slice).
        embedding: the flips continued through on the moves' stays, with the gates as
            the distributor walks them (:func:`~dqc.plan.teledata_embedding.on_inputs`;
            its ebits leave out the moves'); ``None`` when the plan continues through
            none.
        with_flips: the program was given the circuit's flips to choose from.
    """

    start: tuple[int, ...]
    moves: tuple[Move, ...]
    ebits: int
    optimal: bool
    stretches: int | None = None
    embedding: EmbeddingPlan | None = None
    with_flips: bool = False


def exact_moves(timeline: Timeline, gates: Sequence[TwoQubitGate], num_qubits: int,
                capacities: Sequence[int], dist: np.ndarray = TWO_QPUS, *,
                flips: Sequence[Flip] = (), stretches: int | None = None,
                max_rows: int | None = None, node_limit: int = NODE_LIMIT
                ) -> MovesPlan | None:
    """The plan of fewest ebits over placements in every slice (or ``stretches`` equal
    stretches of slices), moves, carriers and the ``flips`` to continue through
    (:func:`~dqc.plan.embedding.find_flips`; none by default) on QPUs ``dist`` hops apart
    (module docstring; on QPUs not all linked, optimal when its price meets the fewest
    moves and copies of any such plan); ``None`` beyond the size rule (``max_rows``
    rows, default :data:`MAX_ROWS` on two QPUs and :data:`MAX_MANY_ROWS` on more), or
    when HiGHS finds no plan within ``node_limit`` nodes. Raises :class:`~dqc.DQCError`
    for ``stretches`` below 1."""
    if stretches is not None and stretches < 1:
        raise DQCError(f"exact_moves: stretches must be at least 1, got {stretches}")
    k = len(capacities)
    dist = np.asarray(dist, dtype=int)
    if k < 2 or not gates or dist.shape != (k, k) or timeline.num_slices < 1:
        return None
    table = FlipTable(gates, flips)
    linked = np.array_equal(dist, 1 - np.eye(k, dtype=int))
    program = (_MovesProgram(timeline, table, num_qubits, stretches) if k == 2 else
               _ManyMovesProgram(timeline, table, num_qubits, k, stretches) if linked else
               _HopsMovesProgram(timeline, table, num_qubits, dist, stretches))
    if program.size_rows() > (max_rows if max_rows is not None
                              else MAX_ROWS if k == 2 else MAX_MANY_ROWS):
        return None
    found = program.solve(capacities, node_limit)
    if found.x is None:
        return None
    # fewest moves and copies of any such plan (one ebit each at least, on any network)
    fewest = found if linked else _ManyMovesProgram(
        timeline, table, num_qubits, k, stretches).solve(capacities, node_limit)
    start, moves, chosen = program.read(found.x)
    embedding = None
    if chosen.any():
        stays = Stays.of(timeline, start, moves, dist)
        virtual = stay_table(table, timeline, stays)
        if virtual is None:
            return None
        on_stays = trimmed_plan(virtual, chosen, stays.part, dist,
                                round(found.value) - stays.move_ebits)
        embedding = on_inputs(on_stays, stays, timeline)
        ebits = stays.move_ebits + embedding.ebits
    else:
        ebits = time_sliced_cost(timeline, gates, start, moves, dist).ebits
    return MovesPlan(start, moves, ebits, fewest.optimal and ebits == fewest.dual,
                     stretches, embedding, bool(flips))


class _MovesProgram:
    """Variable indices and rows of the program (module docstring): ``x``, ``m``, then
    ``y`` and ``c`` per *event* of a piece (a stretch where it has a gate or ends at a
    flip), ``f`` per flip and ``d`` per flip of a gate."""

    def __init__(self, timeline: Timeline, table: FlipTable, n: int,
                 stretches: int | None = None) -> None:
        self.timeline, self.table, self.n = timeline, table, n
        total = timeline.num_slices
        parts = total if stretches is None else min(stretches, total)
        # the first slice of each stretch; "slice" s below is stretch s
        self.first = sorted({1 + e * total // parts for e in range(parts)})
        self.slices = len(self.first)
        self.gate_at = [self._stretch(int(p)) for p in table.positions]
        self.flip_at = [self._stretch(int(p)) for p in table.flip_position]
        events: dict[int, set[int]] = {}
        for g, keys in enumerate(table.keys.tolist()):
            for key in keys:
                if key >= 0:
                    events.setdefault(key, set()).add(self.gate_at[g])
        for i, key in enumerate(table.flip_key.tolist()):
            for piece in (key - 1, key):  # the pieces the flip ends and starts
                events.setdefault(piece, set()).add(self.flip_at[i])
        self.events = {key: sorted(at) for key, at in sorted(events.items())}
        self.after = {int(key): i for i, key in enumerate(table.flip_key.tolist())}
        self.y0 = 2 * n * self.slices
        self.copy = {event: self.y0 + 2 * j for j, event in
                     enumerate((key, s) for key, at in self.events.items() for s in at)}
        self.f0 = self.y0 + 2 * len(self.copy)
        self.mirrors = [i for i, f in enumerate(table.flips) if f.gate is not None]
        self.d0 = self.f0 + len(table.flips)
        self.size = self.d0 + len(self.mirrors)

    def solve(self, capacities: Sequence[int], node_limit: int) -> Solved:
        """The program, solved."""
        return solve(self.cost(), self.rows(capacities), self.integrality(),
                     self.upper(capacities), node_limit)

    def _stretch(self, position: int) -> int:
        """The stretch of an op (one before the first two-qubit gate: the first)."""
        return max(1, bisect.bisect_right(self.first, self.timeline.slice_of_position[position]))

    def size_rows(self) -> int:
        """The number of rows :meth:`rows` makes (to check the size rule first)."""
        n, slices, t = self.n, self.slices, self.table
        shared = sum(1 for c in Counter(t.flip_position.tolist()).values() if c > 1)
        return (slices + 2 * n * (slices - 1) + 2 * len(t.gates) + 5 * len(self.mirrors)
                + shared + sum(4 * len(at) - 3 + 2 * (key in self.after)
                               for key, at in self.events.items()))

    def x(self, q: int, s: int) -> int:
        """``x[q, s]``, slices counted from 1."""
        return q * self.slices + s - 1

    def m(self, q: int, s: int) -> int:
        """``m[q, s]``: q moves before slice s (s >= 2)."""
        return (self.n + q) * self.slices + s - 1

    def y(self, key: int, s: int) -> int:
        """``y[u, s]``: piece ``key`` has a copy in slice s (``c[u, s]`` is next)."""
        return self.copy[(key, s)]

    def copy_on(self, key: int, k: int, s: int) -> int:
        """``y[u, k, s]``: piece ``key`` has a copy on QPU k in slice s (``c`` is next; on
        two QPUs only k = 0, the other QPU, is laid out)."""
        return self.copy[(key, s)] + 2 * k

    def rows(self, capacities: Sequence[int]) -> Rows:
        rows = Rows()
        n, slices = self.n, self.slices
        for s in range(1, slices + 1):
            rows.add([(self.x(q, s), 1.0) for q in range(n)], n - capacities[0], capacities[1])
        for q in range(n):
            for s in range(2, slices + 1):
                for sign in (1.0, -1.0):
                    rows.add([(self.m(q, s), 1.0), (self.x(q, s), -sign),
                              (self.x(q, s - 1), sign)], 0, np.inf)
        for key, at in self.events.items():
            self._copy_rows(rows, key, at)
        self._gate_rows(rows)
        self._one_flip_per_gate(rows)
        self._mirror_rows(rows)
        return rows

    def _copy_rows(self, rows: Rows, key: int, at: list[int], k: int = 0) -> None:
        """One piece's copies (on QPU k, :meth:`copy_on`): an ebit where one starts (not
        after a flip it continues through, which joins it to the piece before); the same
        copy between moves."""
        y = self.copy_on(key, k, at[0])
        i = self.after.get(key)
        if i is None:
            rows.add([(y + 1, 1.0), (y, -1.0)], 0, np.inf)
        else:
            f, y_before = self.f0 + i, self.copy_on(key - 1, k, at[0])
            rows.add([(y + 1, 1.0), (y, -1.0), (f, 1.0)], 0, np.inf)
            rows.add([(y_before, 1.0), (y, -1.0), (f, 1.0)], -np.inf, 1)
            rows.add([(y, 1.0), (y_before, -1.0), (f, 1.0)], -np.inf, 1)
        q = piece_qubit(key)
        for s0, s in zip(at, at[1:]):
            y0, y = self.copy_on(key, k, s0), self.copy_on(key, k, s)
            moved = [(self.m(q, t), -1.0) for t in range(s0 + 1, s + 1)]
            rows.add([(y, 1.0), (y0, -1.0), *moved], -np.inf, 0)
            rows.add([(y0, 1.0), (y, -1.0), *moved], -np.inf, 0)
            rows.add([(y + 1, 1.0), (y, -1.0), (y0, 1.0)], 0, np.inf)
            rows.add([(y + 1, 1.0), (y, -1.0), *moved], -1, np.inf)

    def _gate_rows(self, rows: Rows) -> None:
        """A remote gate carried by a copy of a piece it is diagonal on; by the partner's
        when its flip of the other side is continued through."""
        t = self.table
        flipped = {(int(t.flip_gate[i]), int(t.flip_side[i])): i for i in self.mirrors}
        for g, ((a, b), keys) in enumerate(zip(t.qubits.tolist(), t.keys.tolist())):
            s = self.gate_at[g]
            carriers = [(self.y(key, s), 1.0) for key in keys if key >= 0]
            for sign in (1.0, -1.0):
                apart = [(self.x(a, s), -sign), (self.x(b, s), sign)]
                rows.add([*carriers, *apart], 0, np.inf)
                for side in (0, 1):
                    i = flipped.get((g, side))
                    if i is not None:
                        rows.add([(self.y(keys[1 - side], s), 1.0), *apart,
                                  (self.f0 + i, -1.0)], -1, np.inf)

    def _one_flip_per_gate(self, rows: Rows) -> None:
        """At most one flip continued through per gate."""
        at: dict[int, list[int]] = {}
        for i, position in enumerate(self.table.flip_position.tolist()):
            at.setdefault(position, []).append(i)
        for same in at.values():
            if len(same) > 1:
                rows.add([(self.f0 + i, 1.0) for i in same], -np.inf, 1)

    def _mirror_rows(self, rows: Rows) -> None:
        """``d <= |x[q, s] - x[p, s]|`` (q flipped by partner p in slice s); a mirror on
        a copy of q needs p's copy, unless p is with q."""
        t = self.table
        for j, i in enumerate(self.mirrors):
            g, side, s = int(t.flip_gate[i]), int(t.flip_side[i]), self.flip_at[i]
            d = self.d0 + j
            xq, xp = self.x(t.flips[i].qubit, s), self.x(int(t.qubits[g, 1 - side]), s)
            rows.add([(d, 1.0), (xq, -1.0), (xp, -1.0)], -np.inf, 0)
            rows.add([(d, 1.0), (xq, 1.0), (xp, 1.0)], -np.inf, 2)
            partner, own = int(t.keys[g, 1 - side]), int(t.flip_key[i])
            rows.add([(self.y(partner, s), 1.0), (self.y(own, s), -1.0), (self.f0 + i, -1.0),
                      (d, 1.0)], -1, np.inf)

    def cost(self) -> np.ndarray:
        cost = np.zeros(self.size)
        for q in range(self.n):
            cost[self.m(q, 2):self.m(q, 1) + self.slices] = 1
        cost[[y + 1 for y in self.copy.values()]] = 1
        return cost

    def integrality(self) -> np.ndarray:
        out = np.zeros(self.size)
        out[:self.n * self.slices] = 1  # x
        out[list(self.copy.values())] = 1  # y (m and c follow)
        out[self.f0:self.d0] = 1  # f
        return out

    def upper(self, capacities: Sequence[int]) -> np.ndarray:
        upper = np.ones(self.size)
        if capacities[0] == capacities[1]:  # the QPUs swap: the first gate's qubit on 0
            upper[self.x(int(self.table.qubits[0, 0]), self.gate_at[0])] = 0
        return upper

    def read(self, x: np.ndarray) -> tuple[tuple[int, ...], tuple[Move, ...], np.ndarray]:
        """The first slice's placement, the moves and the flips continued through."""
        at = np.round(x[:self.n * self.slices]).astype(int).reshape(self.n, self.slices)
        moves = tuple(Move(self.timeline.slice_start(self.first[s - 1]), q, int(at[q, s - 1]))
                      for s in range(2, self.slices + 1) for q in range(self.n)
                      if at[q, s - 1] != at[q, s - 2])
        return tuple(int(v) for v in at[:, 0]), moves, x[self.f0:self.d0] > 0.5


class _ManyMovesProgram(_MovesProgram):
    """The program on K >= 3 QPUs, each one hop from every other: ``x[q, k, s]`` (one QPU
    per qubit and slice), ``m[q, s] >= x[q, k, s] - x[q, k, s - 1]`` for every k,
    ``y[u, k, s]`` and ``c[u, k, s]`` per event and QPU (piece u copied to k), and
    ``z[g]`` (which side carries gate g), as :class:`~dqc.plan.exact._ManyProgram` writes
    them per QPU."""

    def __init__(self, timeline: Timeline, table: FlipTable, n: int, k: int,
                 stretches: int | None = None) -> None:
        super().__init__(timeline, table, n, stretches)
        self.k = k
        self.y0 = n * self.slices * (k + 1)
        self.copy = {event: self.y0 + 2 * k * j for j, event in enumerate(self.copy)}
        self.f0 = self.y0 + 2 * k * len(self.copy)
        self.z0 = self.f0 + len(table.flips)
        self.size = self.z0 + len(table.gates)

    def size_rows(self) -> int:
        n, slices, k, t = self.n, self.slices, self.k, self.table
        shared = sum(1 for c in Counter(t.flip_position.tolist()).values() if c > 1)
        one_side = int(((t.keys[:, 0] >= 0) != (t.keys[:, 1] >= 0)).sum())
        return (n * slices + k * slices + k * n * (slices - 1)
                + k * (2 * len(t.gates) - one_side + 2 * len(self.mirrors)) + shared
                + k * sum(4 * len(at) - 3 + 2 * (key in self.after)
                          for key, at in self.events.items()))

    def on(self, q: int, k: int, s: int) -> int:
        """``x[q, k, s]``: qubit q is on QPU k in slice s."""
        return (q * self.slices + s - 1) * self.k + k

    def m(self, q: int, s: int) -> int:
        return self.n * self.slices * self.k + q * self.slices + s - 1

    def rows(self, capacities: Sequence[int]) -> Rows:
        rows = Rows()
        n, slices, k = self.n, self.slices, self.k
        for s in range(1, slices + 1):
            for q in range(n):
                rows.add([(self.on(q, j, s), 1.0) for j in range(k)], 1, 1)
            for j in range(k):
                rows.add([(self.on(q, j, s), 1.0) for q in range(n)], 0, capacities[j])
        for q in range(n):
            for s in range(2, slices + 1):
                for j in range(k):
                    rows.add([(self.m(q, s), 1.0), (self.on(q, j, s), -1.0),
                              (self.on(q, j, s - 1), 1.0)], 0, np.inf)
        for key, at in self.events.items():
            for j in range(k):
                self._copy_rows(rows, key, at, j)
        self._gate_rows(rows)
        self._one_flip_per_gate(rows)
        self._mirror_rows(rows)
        return rows

    def _gate_rows(self, rows: Rows) -> None:
        """On every QPU k, in the gate's slice: a remote gate's side on k is reached by
        the other side's copy (``y[u_a, k] + z >= x[b, k] - x[a, k]``, and the same for b
        with ``1 - z``); a side that cannot carry leaves it to the other; a flipped side
        leaves its gate to the partner."""
        t = self.table
        flipped = {(int(t.flip_gate[i]), int(t.flip_side[i])): i for i in self.mirrors}
        for g, (qs, keys) in enumerate(zip(t.qubits.tolist(), t.keys.tolist())):
            z, s = self.z0 + g, self.gate_at[g]
            for k in range(self.k):
                for side, (with_z, low) in enumerate(((1.0, 0), (-1.0, -1))):
                    q, other = qs[side], qs[1 - side]
                    apart = [(self.on(other, k, s), -1.0), (self.on(q, k, s), 1.0)]
                    own = ([(self.copy_on(keys[side], k, s), 1.0)] if keys[side] >= 0
                           else [])
                    if min(keys) >= 0:
                        rows.add([*own, (z, with_z), *apart], low, np.inf)
                    elif own or max(keys) < 0:  # (neither can carry: local)
                        rows.add([*own, *apart], 0, np.inf)
                    i = flipped.get((g, 1 - side))
                    if i is not None:  # the other side continues through: q's copy reaches it
                        rows.add([*own, *apart, (self.f0 + i, -1.0)], -1, np.inf)

    def _mirror_rows(self, rows: Rows) -> None:
        """A mirror on a QPU where the continued segment has a copy needs the partner's
        copy there, unless the partner is on that QPU."""
        t = self.table
        for i in self.mirrors:
            g, side, s = int(t.flip_gate[i]), int(t.flip_side[i]), self.flip_at[i]
            partner, own = int(t.keys[g, 1 - side]), int(t.flip_key[i])
            p = int(t.qubits[g, 1 - side])
            for k in range(self.k):
                rows.add([(self.copy_on(partner, k, s), 1.0), (self.copy_on(own, k, s), -1.0),
                          (self.f0 + i, -1.0), (self.on(p, k, s), 1.0)], -1, np.inf)

    def cost(self) -> np.ndarray:
        cost = np.zeros(self.size)
        for q in range(self.n):
            cost[self.m(q, 2):self.m(q, 1) + self.slices] = 1
        for first in self.copy.values():
            cost[first + 1:first + 2 * self.k:2] = 1
        return cost

    def integrality(self) -> np.ndarray:
        out = np.ones(self.size)
        out[self.n * self.slices * self.k:self.y0] = 0  # m
        for first in self.copy.values():
            out[first + 1:first + 2 * self.k:2] = 0  # c
        return out

    def upper(self, capacities: Sequence[int]) -> np.ndarray:
        """QPUs of equal data qubits are interchangeable: in the first slice, the j-th
        qubit of the first gates goes to one of the first j + 1."""
        upper = np.ones(self.size)
        if len(set(capacities)) == 1:
            active = list(dict.fromkeys(self.table.qubits.ravel().tolist()))
            for j, q in enumerate(active[:self.k]):
                upper[[self.on(q, k, 1) for k in range(j + 1, self.k)]] = 0
        return upper

    def read(self, x: np.ndarray) -> tuple[tuple[int, ...], tuple[Move, ...], np.ndarray]:
        at = np.argmax(x[:self.n * self.slices * self.k].reshape(self.n, self.slices, self.k),
                       axis=2)
        moves = tuple(Move(self.timeline.slice_start(self.first[s - 1]), q, int(at[q, s - 1]))
                      for s in range(2, self.slices + 1) for q in range(self.n)
                      if at[q, s - 1] != at[q, s - 2])
        return tuple(int(v) for v in at[:, 0]), moves, x[self.f0:self.z0] > 0.5


class _HopsMovesProgram(HopPricing, _ManyMovesProgram):
    """The program on QPUs not all one hop apart: a copy ``d`` hops from its qubit costs
    ``d`` ebits, as :class:`~dqc.plan.exact.HopPricing` prices it, and so does a move
    ``d`` hops long (``hm[q, s] >= (dist[j, k] - 1) (x[q, j, s - 1] + x[q, k, s] -
    1)``)."""

    def __init__(self, timeline: Timeline, table: FlipTable, n: int, dist: np.ndarray,
                 stretches: int | None = None) -> None:
        super().__init__(timeline, table, n, len(dist), stretches)
        # per copy event and QPU, then per qubit and slice (moves)
        self.price_hops(dist, len(self.copy) * self.k + n * self.slices)
        self.hm0 = self.h0 + len(self.copy) * self.k
        self.apart = [(j, k) for j in range(self.k) for k in range(self.k) if self.hops[j, k]]

    def size_rows(self) -> int:
        return (super().size_rows() + len(self.copy) * self.k
                + self.n * (self.slices - 1) * len(self.apart))

    def rows(self, capacities: Sequence[int]) -> Rows:
        rows = super().rows(capacities)
        for j, (key, s) in enumerate(self.copy):
            q = piece_qubit(key)
            on = [self.on(q, i, s) for i in range(self.k)]
            for k in range(self.k):
                self.hop_row(rows, self.h0 + j * self.k + k, self.copy_on(key, k, s) + 1, on, k)
        for q in range(self.n):
            for s in range(2, self.slices + 1):
                hm = self.hm0 + q * self.slices + s - 1
                for j, k in self.apart:
                    d = float(self.hops[j, k])
                    rows.add([(hm, 1.0), (self.on(q, j, s - 1), -d), (self.on(q, k, s), -d)],
                             -d, np.inf)
        return rows
