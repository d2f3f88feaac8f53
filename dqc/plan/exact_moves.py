"""Placements over time, moves and carriers chosen together by one integer program.

:mod:`dqc.plan.teledata` searches moves heuristically, and :mod:`dqc.plan.exact` is exact
only among plans without moves. For a small circuit on two QPUs one hop apart, this
program chooses where every qubit is in every slice (:class:`~dqc.plan.teledata.Timeline`),
and so the moves, together with the copies that carry the remote gates, and HiGHS (SciPy's
:func:`~scipy.optimize.milp`) solves it to optimality. It prices plans as
:func:`~dqc.plan.teledata.time_sliced_cost` does: one ebit per move, one per copy of a
segment within a stay (a move ends the qubit's segments), no flips.

* ``x[q, s]``: qubit q is on QPU 1 in slice s (else 0); each QPU within its data qubits
  in every slice.
* ``m[q, s] >= |x[q, s] - x[q, s - 1]|``: q moves before slice s (one ebit).
* ``y[u, s]``: piece u (a segment of q, :func:`~dqc.plan.cost_model.two_qubit_gates`) has
  a copy on the other QPU for its gate in slice s. Between two gates of u in slices
  s' < s, the copy is the same one unless q moved: ``|y[u, s] - y[u, s']| <= Σ m[q, t]``
  for s' < t <= s; a copy costs one ebit where it starts:
  ``c[u, s] >= y[u, s] - y[u, s']`` and ``c[u, s] >= y[u, s] + Σ m[q, t] - 1``.
* A remote gate in slice s is carried by a copy of a piece it is diagonal on:
  ``y[u_a, s] + y[u_b, s] >= |x[a, s] - x[b, s]|`` (a side that cannot carry left out).
* Minimise ``Σ m + Σ c``.

Its optimum is the fewest ebits of any plan with moves between slices and no flips (the
teledata model's space). With ``stretches=E`` the slices are cut into E stretches of
(nearly) equal length, moves happen only between stretches (``s`` above counts stretches),
and the optimum is the fewest among those plans: a smaller program for a longer circuit.
A size rule (:data:`MAX_ROWS`) and a node limit (:data:`NODE_LIMIT`), never a clock, keep
it deterministic.

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
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dqc.errors import DQCError
from dqc.plan.cost_model import TwoQubitGate
from dqc.plan.exact import TWO_QPUS
from dqc.plan.integer_program import Rows, solve
from dqc.plan.teledata import Move, Timeline, time_sliced_cost

__all__ = ["MAX_ROWS", "NODE_LIMIT", "MovesPlan", "exact_moves"]

#: Programs of more rows are not built (QASMBench's seca_n11, 84 gates in 44 slices:
#: 1,545 rows, proved in 4.7 s; sat_n11, 6,260 rows: 168 s, unproved).
MAX_ROWS = 2_000
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
            ``stretches`` is set) and without flips needs fewer.
        stretches: how many stretches moves were allowed between (``None``: every slice).
    """

    start: tuple[int, ...]
    moves: tuple[Move, ...]
    ebits: int
    optimal: bool
    stretches: int | None = None


def exact_moves(timeline: Timeline, gates: Sequence[TwoQubitGate], num_qubits: int,
                capacities: Sequence[int], dist: np.ndarray = TWO_QPUS, *,
                stretches: int | None = None, max_rows: int = MAX_ROWS,
                node_limit: int = NODE_LIMIT) -> MovesPlan | None:
    """The plan of fewest ebits over placements in every slice (or ``stretches`` equal
    stretches of slices), moves and carriers on two QPUs one hop apart (module
    docstring); ``None`` for other networks, beyond the size rule (``max_rows`` rows), or
    when HiGHS finds no plan within ``node_limit`` nodes. Raises :class:`~dqc.DQCError` for
    ``stretches`` below 1."""
    if stretches is not None and stretches < 1:
        raise DQCError(f"exact_moves: stretches must be at least 1, got {stretches}")
    if (len(capacities) != 2 or not gates or not np.array_equal(dist, TWO_QPUS)
            or timeline.num_slices < 1):
        return None
    program = _MovesProgram(timeline, gates, num_qubits, stretches)
    if program.size_rows() > max_rows:
        return None
    rows = program.rows(capacities)
    found = solve(program.cost(), rows, program.integrality(), program.upper(), node_limit)
    if found.x is None:
        return None
    start, moves = program.read(found.x)
    ebits = time_sliced_cost(timeline, gates, start, moves, TWO_QPUS).ebits
    return MovesPlan(start, moves, ebits, found.optimal and ebits == round(found.value),
                     stretches)


class _MovesProgram:
    """Variable indices and rows of the program (module docstring)."""

    def __init__(self, timeline: Timeline, gates: Sequence[TwoQubitGate], n: int,
                 stretches: int | None = None) -> None:
        self.timeline, self.gates, self.n = timeline, list(gates), n
        total = timeline.num_slices
        parts = total if stretches is None else min(stretches, total)
        # the first slice of each stretch; "slice" s below is stretch s
        self.first = sorted({1 + e * total // parts for e in range(parts)})
        self.slices = len(self.first)
        self.slice_of = [bisect.bisect_right(self.first, timeline.slice_of_position[g.at])
                         for g in self.gates]
        # each piece's uses in gate order: (gate index, side)
        self.uses: dict[tuple[int, tuple[str, int]], list[tuple[int, int]]] = {}
        for i, g in enumerate(self.gates):
            for side in (0, 1):
                option = g.segments[side]
                if option is not None:
                    self.uses.setdefault((g.qubits[side], option), []).append((i, side))
        self.copy = {use: 2 * n * self.slices + 2 * j for j, use in
                     enumerate(u for uses in self.uses.values() for u in uses)}
        self.size = 2 * n * self.slices + 2 * len(self.copy)

    def size_rows(self) -> int:
        """The number of rows :meth:`rows` makes (to check the size rule first)."""
        n, slices = self.n, self.slices
        return (slices + 2 * n * (slices - 1) + 2 * len(self.gates)
                + sum(4 * len(uses) - 3 for uses in self.uses.values()))

    def x(self, q: int, s: int) -> int:
        """``x[q, s]``, slices counted from 1."""
        return q * self.slices + s - 1

    def m(self, q: int, s: int) -> int:
        """``m[q, s]``: q moves before slice s (s >= 2)."""
        return (self.n + q) * self.slices + s - 1

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
        for (q, _), uses in self.uses.items():
            self._copy_rows(rows, q, uses)
        for i, g in enumerate(self.gates):
            a, b = g.qubits
            s = self.slice_of[i]
            carriers = [(self.copy[(i, side)], 1.0) for side in (0, 1) if (i, side) in self.copy]
            for sign in (1.0, -1.0):
                rows.add([*carriers, (self.x(a, s), -sign), (self.x(b, s), sign)], 0, np.inf)
        return rows

    def _copy_rows(self, rows: Rows, q: int, uses: list[tuple[int, int]]) -> None:
        """One piece's copies: the same copy between moves, an ebit where one starts."""
        before: tuple[int, int] | None = None  # (y, slice) of the piece's previous gate
        for use in uses:
            y, s = self.copy[use], self.slice_of[use[0]]
            c = y + 1
            if before is None:
                rows.add([(c, 1.0), (y, -1.0)], 0, np.inf)
            else:
                y0, s0 = before
                moved = [(self.m(q, t), -1.0) for t in range(s0 + 1, s + 1)]
                rows.add([(y, 1.0), (y0, -1.0), *moved], -np.inf, 0)
                rows.add([(y0, 1.0), (y, -1.0), *moved], -np.inf, 0)
                rows.add([(c, 1.0), (y, -1.0), (y0, 1.0)], 0, np.inf)
                rows.add([(c, 1.0), (y, -1.0), *moved], -1, np.inf)
            before = (y, s)

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
        return out

    def upper(self) -> np.ndarray:
        upper = np.ones(self.size)
        first = self.gates[0]
        upper[self.x(first.qubits[0], self.slice_of[0])] = 0  # the two QPUs swap
        return upper

    def read(self, x: np.ndarray) -> tuple[tuple[int, ...], tuple[Move, ...]]:
        """The first slice's placement and the moves."""
        at = np.round(x[:self.n * self.slices]).astype(int).reshape(self.n, self.slices)
        moves = tuple(Move(self.timeline.slice_start(self.first[s - 1]), q, int(at[q, s - 1]))
                      for s in range(2, self.slices + 1) for q in range(self.n)
                      if at[q, s - 1] != at[q, s - 2])
        return tuple(int(v) for v in at[:, 0]), moves
