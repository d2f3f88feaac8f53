"""Placement, carriers and embedding chosen together by one integer program.

The heuristics choose a placement (:mod:`dqc.plan.partition`), then the flips to
embed through on it (:mod:`dqc.plan.embedding`), then carriers by minimum cover. For a
small circuit, all three are one integer program, which HiGHS (SciPy's
:func:`~scipy.optimize.milp`) solves to optimality (QPUs each one hop from every other;
other networks below). A *piece* is a segment as
:func:`~dqc.plan.cost_model.two_qubit_gates` counts it (ended by every flip);
continuing through a flip joins the pieces on its two sides into one segment.

* ``x[q]``: qubit q is on QPU 1 (else 0); each QPU within its data qubits.
* ``f[i]``: the segment continues through flip i (at most one flip per gate).
* ``y[u]``: piece u's segment is copied to the other QPU; the two pieces of a
  chosen flip share it: ``|y[u] - y[v]| <= 1 - f[i]``.
* ``c[u] >= y[u] - f[flip before u]``: a copy costs one ebit where its segment starts.
* A remote gate (``x[a] != x[b]``) is carried by a copy of a piece it is diagonal on:
  ``y[u_a] + y[u_b] >= |x[a] - x[b]|`` (a side that cannot carry it left out), and by
  the partner alone when it flips the other qubit's continued segment.
* A mirror: where flip i's segment has a copy (``y[v]``) and the partner s of its
  gate sits with q (``d = |x[q] - x[s]| = 0``), s's piece is copied too:
  ``y[u_s] >= y[v] + f[i] - 1 - d``.
* Minimise ``sum c``.

On K >= 3 QPUs the same program is written per QPU k: ``x[q, k]`` (one per qubit),
``y[u, k]`` and ``c[u, k]`` (piece u copied to k, its ebit), and ``z[g]`` (which side
carries gate g): ``y[u_a, k] + z[g] >= x[b, k] - x[a, k]`` and
``y[u_b, k] + 1 - z[g] >= x[a, k] - x[b, k]`` (a's copy reaches b's QPU, or b's reaches
a's); a mirror needs the partner's copy on k unless the partner is there:
``y[u_s, k] >= y[v, k] + f[i] - 1 - x[s, k]``. QPUs of equal size are interchangeable: the
j-th qubit goes to one of the first j + 1. Its relaxation is weak (every qubit a fraction
on every QPU), so its size rule is tighter (:data:`MAX_MANY_ROWS`).

Its optimum is the fewest ebits of any plan without teledata moves, over every
placement; :class:`~dqc.passes.PlanEmbedding` proposes it when it beats the heuristics'
and the report says so when it is proved.

Other networks (QPUs not all one hop apart: a line, a ring, a star): a copy ``d`` hops
from its qubit's QPU costs ``d`` ebits (:class:`HopPricing`), and no two QPUs are
interchangeable. The program as if every two were linked, one ebit per copy, bounds every
plan without moves on the real network (each ebit puts a segment on at most one more
QPU; see :mod:`dqc.plan.bounds`): the plan's ``lower_bound``, and it is proved optimal
when its price meets that bound.

Comm qubits: the program counts no comm-qubit limit, and its plan may need more copies
open at once than a QPU has comm qubits (the distributor then evicts and reopens them).
When its copies, each live from its first gate to its last, would at some gate number
more on a QPU than that QPU's comm qubits, the program is solved again with that limit
as rows (:attr:`ExactPlan.fitted`); the distributor's figures decide between the plans.
(Not when the heuristics' plan has the proved optimum's ebits and fits already: the
second program could find no better.)

A size rule (:data:`MAX_ROWS`, :data:`MAX_PAIRS`) and a node limit (:data:`NODE_LIMIT`),
never a clock, keep it deterministic.

Examples:
    Five CX. With q1, q3 on QPU 0 and q0, q2 on QPU 1, q3's Z segment continues
    through the CX that q0 flips it by (the mirror on q3's copy needs q0's value on
    QPU 1, where q0 is): one copy of q3 carries both of q3's remote CXs, and one copy
    of q0's Z segment after the CX from q2 carries q0's CXs to q1 and q3: 2 ebits.
    Every placement needs 3 without embedding::

        q0 ─────⊕──■──■──⊕─      QPU 0: q1, q3
        q1 ─────┼──⊕──┼──┼─      QPU 1: q0, q2
        q2 ─⊕───■─────┼──┼─
        q3 ─■─────────⊕──■─

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag
    >>> from dqc.plan.embedding import FlipTable
    >>> qc = QuantumCircuit(4)
    >>> for c, t in [(3, 2), (2, 0), (0, 1), (0, 3), (3, 0)]: _ = qc.cx(c, t)
    >>> plan = exact_plan(FlipTable.of(circuit_to_dag(qc)), 4, [2, 2])
    >>> plan.embedding.placement, sorted(plan.embedding.through), plan.embedding.ebits
    ((1, 0, 1, 0), [(3, 3, 'z')], 2)
    >>> plan.optimal
    True

    Three QPUs of two: q0 meets the five others by CX. Its QPU holds one of them, so
    the other four sit on the other two QPUs, and one copy of q0's Z segment on each
    carries their CXs: 2 ebits, proved fewest::

        q0 ─■──■──■──■──■─
        q1 ─⊕──┼──┼──┼──┼─
        q2 ────⊕──┼──┼──┼─
        q3 ───────⊕──┼──┼─
        q4 ──────────⊕──┼─
        q5 ─────────────⊕─

    >>> qc = QuantumCircuit(6)
    >>> for t in range(1, 6): _ = qc.cx(0, t)
    >>> plan = exact_plan(FlipTable.of(circuit_to_dag(qc)), 6, [2, 2, 2], 1 - np.eye(3))
    >>> plan.embedding.ebits, plan.optimal
    (2, True)

    On a line of the three QPUs, q0's QPU in the middle copies q0 one hop each way: 2
    ebits, the bound, proved again::

    >>> line = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]])
    >>> plan = exact_plan(FlipTable.of(circuit_to_dag(qc)), 6, [2, 2, 2], line)
    >>> plan.embedding.placement[0], plan.embedding.ebits, plan.optimal
    (1, 2, True)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from dqc.plan.cost_model import plan_carriers
from dqc.plan.embedding import EmbeddingPlan, FlipTable, piece_qubit, trimmed_plan
from dqc.plan.integer_program import Rows, Solved, solve

#: Programs of more rows are not built (on the benchmark circuits HiGHS took up to
#: 2 s within this size, 3-12 s at 8,000-10,500 rows).
MAX_ROWS = 8_000
#: On three QPUs or more, programs of more rows are not built: their LP relaxation is
#: weak (every qubit a fraction on every QPU), and HiGHS proved none of the benchmark
#: circuits' programs above it (GHZ-40 on 4 QPUs, 2,946 rows: 4.9 s for a plan of 4
#: ebits against the heuristics' 3; a BV-30 on 4 QPUs, 1,396 rows: proved in 0.4 s).
MAX_MANY_ROWS = 2_000
#: On QPUs not all linked, programs of more rows are not built: their plan is priced by
#: hops and a second program bounds it, neither proved within the node limit above about
#: this size (GHZ-16 on a ring of 4 QPUs, 1,394 rows: 1.7 + 1.9 s, nothing proved; six
#: qubits of 24 random gates on a line of 3, 790-1,001 rows: 7 of 10 proved in 0.5-1.2 s).
MAX_HOPS_ROWS = 1_000
#: Nor for circuits of more interacting qubit pairs: dense circuits (QFT-32, a random
#: 30-qubit Clifford: 330-500 pairs) took 4-25 s at about 1,000-9,000 rows.
MAX_PAIRS = 200
#: Branch-and-bound nodes HiGHS may explore.
NODE_LIMIT = 300
TWO_QPUS = np.array([[0, 1], [1, 0]])


@dataclass(frozen=True)
class ExactPlan:
    """What the program found (or the plan it was given, when that meets the bound).

    Attributes:
        embedding: the plan (its ``placement``, the flips ``through``, ``ebits``).
        optimal: no plan without teledata moves, on any placement, needs fewer ebits.
        fitted: when ``embedding`` would host more copies on a QPU at once than it has
            comm qubits, the program's plan with at most that many (``None`` otherwise).
    """

    embedding: EmbeddingPlan
    optimal: bool
    fitted: EmbeddingPlan | None = None


def exact_plan(table: FlipTable, num_qubits: int, capacities: Sequence[int],
               dist: np.ndarray = TWO_QPUS, *, comm: Sequence[int] | None = None,
               known: EmbeddingPlan | None = None, bound: int = 0,
               max_rows: int | None = None, max_pairs: int = MAX_PAIRS,
               node_limit: int = NODE_LIMIT) -> ExactPlan | None:
    """The plan of fewest ebits over placements, flips and carriers on QPUs each one hop
    from every other (module docstring; ``dist``: hop distances); on other networks,
    priced by hops, optimal when that meets the fewest copies of any plan. ``None``
    beyond the size rule (``max_rows`` rows, default :data:`MAX_ROWS` on two QPUs,
    :data:`MAX_MANY_ROWS` on more, :data:`MAX_HOPS_ROWS` on more not all linked;
    ``max_pairs`` interacting pairs), or when HiGHS finds no plan within ``node_limit``
    nodes.

    ``comm``: comm qubits per QPU. When the plan's copies, each live from its first gate
    to its last (in gate order), would at some gate number more on a QPU than that, the
    program is solved again with that as a limit (:attr:`ExactPlan.fitted`): a plan that
    the distributor can carry with fewer evictions, at a few more copies.

    ``known``: a plan found already (the heuristics'), and ``bound`` a lower bound on
    every plan's ebits (:func:`dqc.plan.bounds.spread_bound`). When ``known`` reaches
    ``bound`` and that many copies (or ``known``'s own copies, each live from its first
    gate to its last, with a comm qubit on every QPU) fit every QPU's comm qubits, the
    program could find neither a cheaper plan nor one that fits the comm qubits better:
    ``known`` is returned as optimal without building it (a 1-ebit plan of a 100-qubit
    Ising chain: about 1 s of HiGHS saved; GHZ-16 on 4 QPUs of 4 with 2 comm qubits, 3
    ebits: 2 s, where HiGHS proved nothing within its node limit).
    """
    k = len(capacities)
    dist = np.asarray(dist, dtype=int)
    if k < 2 or not len(table.gates) or dist.shape != (k, k):
        return None
    if (known is not None and known.ebits <= bound
            and (comm is None or bound <= min(comm)
                 or (min(comm) > 0 and _fits(known, comm, dist)))):
        return ExactPlan(replace(known, lower_bound=known.ebits), True)
    if len(np.unique(np.sort(table.qubits, axis=1), axis=0)) > max_pairs:
        return None
    linked = np.array_equal(dist, 1 - np.eye(k, dtype=int))
    program = (_Program(table) if k == 2 else _ManyProgram(table, k) if linked
               else _HopsProgram(table, dist))
    if program.size_rows() > (max_rows if max_rows is not None else MAX_ROWS if k == 2
                              else MAX_MANY_ROWS if linked else MAX_HOPS_ROWS):
        return None
    found = program.solve(capacities, node_limit)
    if found.x is None:
        return None
    plan = program.plan(found.x, num_qubits, capacities, round(found.value), dist)
    # fewest copies of any plan without moves (one ebit each at least, on any network)
    copies = found if linked else _ManyProgram(table, k).solve(capacities, node_limit)
    optimal = copies.optimal and plan.ebits == copies.dual
    if copies.dual:  # no embedding of this placement (nor of any other) needs fewer
        plan = replace(plan, lower_bound=max(plan.lower_bound, copies.dual))
    fitted = None
    if comm is not None and any(p > c for p, c in zip(program.peak_hosted(found.x), comm)
                                ) and not (optimal and known is not None
                                           and known.ebits <= plan.ebits
                                           and _fits(known, comm, dist)):
        # (a known plan of the optimum's ebits that fits already is what the program
        # within the comm qubits would find at best: 5 s of HiGHS on QRAM-20)
        again = program.solve(capacities, node_limit, comm=comm)
        if again.x is not None:
            fitted = program.plan(again.x, num_qubits, capacities, round(again.value), dist)
    return ExactPlan(plan, optimal, fitted)


class _Program:
    """Variable indices and rows of the program for one :class:`FlipTable`."""

    def __init__(self, table: FlipTable) -> None:
        self.table = table
        keys, flips = table.keys, table.flip_key
        self.pieces = sorted(set(keys[keys >= 0].tolist()) | set(flips.tolist())
                             | set((flips - 1).tolist()))
        self.active = list(dict.fromkeys(table.qubits.ravel().tolist()))  # by first gate
        self.piece = {k: i for i, k in enumerate(self.pieces)}
        self.slot = {q: i for i, q in enumerate(self.active)}
        self.mirrors = [(i, int(table.qubits[f.gate, 1 - table.flip_side[i]]))
                        for i, f in enumerate(table.flips) if f.gate is not None]
        self.pairs = sorted({(min(f, s), max(f, s)) for f, s in
                             ((table.flips[i].qubit, s) for i, s in self.mirrors)})
        self.pair = {p: i for i, p in enumerate(self.pairs)}
        n_x, n_u, n_f = len(self.active), len(self.pieces), len(table.flips)
        self.y0, self.c0, self.f0 = n_x, n_x + n_u, n_x + 2 * n_u
        self.d0 = self.f0 + n_f
        self.size = self.d0 + len(self.pairs)

    @functools.cached_property
    def live(self) -> list[tuple[int, list[int]]]:
        """:func:`_live` of the table (built when the comm qubits are counted)."""
        return _live(self.table)

    def x(self, q: int) -> int:
        return self.slot[q]

    def y(self, key: int) -> int:
        return self.y0 + self.piece[key]

    def c(self, key: int) -> int:
        return self.c0 + self.piece[key]

    def f(self, i: int) -> int:
        return self.f0 + i

    def d(self, q: int, s: int) -> int:
        return self.d0 + self.pair[(min(q, s), max(q, s))]

    def size_rows(self) -> int:
        """The number of rows :meth:`rows` makes, at most (to check the size rule first)."""
        t = self.table
        return (1 + len(self.pieces) + 3 * len(t.flips) + 2 * len(t.gates)
                + 2 * len(self.mirrors) + 4 * len(self.pairs) + len(self.mirrors))

    def rows(self, capacities: Sequence[int]) -> Rows:
        rows = Rows()
        self._capacity_rows(rows, capacities)
        self._piece_rows(rows)
        self._gate_rows(rows)
        self._mirror_rows(rows)
        return rows

    def _capacity_rows(self, rows: Rows, capacities: Sequence[int]) -> None:
        """Each QPU within its data qubits."""
        rows.add([(self.x(q), 1.0) for q in self.active],
                 len(self.active) - capacities[0], capacities[1])

    def _copies(self, key: int) -> list[tuple[int, int]]:
        """The ``(y, c)`` variables of piece ``key``'s copies (one per QPU it may go to)."""
        return [(self.y(key), self.c(key))]

    def _piece_rows(self, rows: Rows) -> None:
        """A copy's ebit where its segment starts; a chosen flip joins two pieces' copies;
        at most one flip per gate."""
        t = self.table
        starts = {int(k): i for i, k in enumerate(t.flip_key.tolist())}
        for key in self.pieces:  # c[u] >= y[u] - f[flip before u]
            before = [(self.f(starts[key]), 1.0)] if key in starts else []
            for y, c in self._copies(key):
                rows.add([(c, 1.0), (y, -1.0), *before], 0, np.inf)
        for i, key in enumerate(t.flip_key.tolist()):  # a chosen flip joins two pieces
            for (y0, _), (y1, _) in zip(self._copies(key - 1), self._copies(key)):
                rows.add([(y0, 1.0), (y1, -1.0), (self.f(i), 1.0)], -np.inf, 1)
                rows.add([(y1, 1.0), (y0, -1.0), (self.f(i), 1.0)], -np.inf, 1)
        at: dict[int, list[int]] = {}
        for i, flip in enumerate(t.flips):
            at.setdefault(flip.position, []).append(i)
        for same in at.values():
            if len(same) > 1:
                rows.add([(self.f(i), 1.0) for i in same], -np.inf, 1)

    def _gate_rows(self, rows: Rows) -> None:
        """Remote gates carried; a flipped side leaves its gate to the partner."""
        t = self.table
        flipped = {(int(t.flip_gate[i]), int(t.flip_side[i])): i for i, _ in self.mirrors}
        for g, ((a, b), keys) in enumerate(zip(t.qubits.tolist(), t.keys.tolist())):
            carriers = [(self.y(k), 1.0) for k in keys if k >= 0]
            for sign in (1.0, -1.0):  # |x[a] - x[b]| from both sides
                apart = [(self.x(a), -sign), (self.x(b), sign)]
                rows.add([*carriers, *apart], 0, np.inf)
                for side in (0, 1):
                    i = flipped.get((g, side))
                    if i is not None:
                        rows.add([(self.y(keys[1 - side]), 1.0), *apart, (self.f(i), -1.0)],
                                 -1, np.inf)

    def _mirror_rows(self, rows: Rows) -> None:
        """``d = |x[q] - x[s]|`` exactly; a mirror needs the partner's copy."""
        t = self.table
        for q, s in self.pairs:
            d, xq, xs = self.d(q, s), self.x(q), self.x(s)
            rows.add([(d, 1.0), (xq, -1.0), (xs, 1.0)], 0, np.inf)
            rows.add([(d, 1.0), (xq, 1.0), (xs, -1.0)], 0, np.inf)
            rows.add([(d, 1.0), (xq, -1.0), (xs, -1.0)], -np.inf, 0)
            rows.add([(d, 1.0), (xq, 1.0), (xs, 1.0)], -np.inf, 2)
        for i, s in self.mirrors:
            flip = t.flips[i]
            partner = int(t.keys[flip.gate, 1 - t.flip_side[i]])
            rows.add([(self.y(partner), 1.0), (self.y(int(t.flip_key[i])), -1.0),
                      (self.f(i), -1.0), (self.d(flip.qubit, s), 1.0)], -1, np.inf)

    def solve(self, capacities: Sequence[int], node_limit: int, *,
              comm: Sequence[int] | None = None) -> Solved:
        """The program (with the comm-qubit rows when ``comm`` is given), solved."""
        rows = self.rows(capacities)
        extra = 0 if comm is None else self._comm_rows(rows, comm)
        pad = np.zeros(extra)  # the comm rows' z: continuous in [0, 1], free of cost
        return solve(np.concatenate([self.cost(), pad]), rows,
                     np.concatenate([self.integrality(), pad]),
                     np.concatenate([self.upper(capacities), pad + 1]), node_limit)

    def plan(self, x: np.ndarray, n: int, capacities: Sequence[int], value: int,
             dist: np.ndarray) -> EmbeddingPlan:
        """The solution ``x`` (of objective ``value``) as a plan, priced on ``dist`` by
        :meth:`FlipTable.score` (:func:`~dqc.plan.embedding.trimmed_plan`)."""
        part, chosen = self.read(x, n, capacities)
        return trimmed_plan(self.table, chosen, part, dist, value)

    def peak_hosted(self, x: np.ndarray) -> list[int]:
        """The most copies of solution ``x`` live at one gate on each QPU."""
        peak = [0, 0]
        for _, keys in self.live:
            hosted = [0, 0]
            for key in keys:
                if x[self.y(key)] > 0.5:
                    hosted[1 - int(round(x[self.x(piece_qubit(key))]))] += 1
            peak = [max(p, h) for p, h in zip(peak, hosted)]
        return peak

    def _comm_rows(self, rows: Rows, comm: Sequence[int]) -> int:
        """At every gate where a piece's span starts, the copies live there and hosted
        by each QPU (``z[h, u] >= y[u]`` with u's qubit on the other QPU) are at most
        its comm qubits. Returns the number of variables added (the ``z``)."""
        pieces = sorted({key for _, keys in self.live for key in keys})
        z = {key: self.size + 2 * i for i, key in enumerate(pieces)}
        for key in pieces:
            x, y = self.x(piece_qubit(key)), self.y(key)
            rows.add([(z[key] + 1, 1.0), (y, -1.0), (x, 1.0)], 0, np.inf)  # hosted by 1
            rows.add([(z[key], 1.0), (y, -1.0), (x, -1.0)], -1, np.inf)  # hosted by 0
        for _, keys in self.live:
            for host in (0, 1):
                rows.add([(z[key] + host, 1.0) for key in keys], -np.inf, comm[host])
        return 2 * len(pieces)

    def cost(self) -> np.ndarray:
        cost = np.zeros(self.size)
        cost[self.c0:self.f0] = 1
        return cost

    def integrality(self) -> np.ndarray:
        out = np.zeros(self.size)
        out[:self.c0] = 1  # x, y
        out[self.f0:self.d0] = 1  # f
        return out

    def upper(self, capacities: Sequence[int]) -> np.ndarray:
        upper = np.ones(self.size)
        if capacities[0] == capacities[1]:  # the QPUs swap: the first qubit on QPU 0
            upper[self.x(self.active[0])] = 0
        return upper

    def read(self, x: np.ndarray, n: int, capacities: Sequence[int]
             ) -> tuple[tuple[int, ...], np.ndarray]:
        """The placement (qubits in no gate on the first QPU with room) and the flips."""
        placed = {q: int(round(x[self.x(q)])) for q in self.active}
        room = [capacities[0], capacities[1]]
        for p in placed.values():
            room[p] -= 1
        part = []
        for q in range(n):
            if q not in placed:
                placed[q] = 0 if room[0] > 0 else 1
                room[placed[q]] -= 1
            part.append(placed[q])
        chosen = x[self.f0:self.d0] > 0.5
        return tuple(part), chosen



class _ManyProgram(_Program):
    """The program on K >= 3 QPUs, each copy one ebit (module docstring): ``x[q, k]``,
    ``y[u, k]`` and ``c[u, k]`` per QPU k, and ``z[g]``: which side carries gate g when
    both can."""

    def __init__(self, table: FlipTable, k: int) -> None:
        super().__init__(table)
        self.k = k
        n_x, n_u = len(self.active), len(self.pieces)
        self.y0 = n_x * k
        self.c0 = self.y0 + n_u * k
        self.f0 = self.c0 + n_u * k
        self.z0 = self.f0 + len(table.flips)
        self.size = self.z0 + len(table.gates)

    def on(self, q: int, k: int) -> int:
        """``x[q, k]``: qubit q is on QPU k."""
        return self.slot[q] * self.k + k

    def size_rows(self) -> int:
        t, k = self.table, self.k
        return (len(self.active) + k + 2 * k * len(self.pieces) + 2 * k * len(t.flips)
                + len(t.flips) + 4 * k * len(t.gates) + k * len(self.mirrors))

    def _capacity_rows(self, rows: Rows, capacities: Sequence[int]) -> None:
        """Each qubit on one QPU, each QPU within its data qubits."""
        for q in self.active:
            rows.add([(self.on(q, k), 1.0) for k in range(self.k)], 1, 1)
        for k in range(self.k):
            rows.add([(self.on(q, k), 1.0) for q in self.active], 0, capacities[k])

    def copy_on(self, key: int, k: int) -> int:
        """``y[u, k]``: piece ``key`` has a copy on QPU k."""
        return self.y0 + self.piece[key] * self.k + k

    def _copies(self, key: int) -> list[tuple[int, int]]:
        first = self.piece[key] * self.k
        return [(self.y0 + first + k, self.c0 + first + k) for k in range(self.k)]

    def _gate_rows(self, rows: Rows) -> None:
        """On every QPU k: a remote gate's side on k is reached by the other side's copy
        (``y[u_a, k] + z >= x[b, k] - x[a, k]``, and the same for b with ``1 - z``); a
        side that cannot carry leaves it to the other; a flipped side leaves its gate to
        the partner."""
        t = self.table
        flipped = {(int(t.flip_gate[i]), int(t.flip_side[i])): i for i, _ in self.mirrors}
        for g, (qs, keys) in enumerate(zip(t.qubits.tolist(), t.keys.tolist())):
            z = self.z0 + g
            for k in range(self.k):
                for side, (with_z, low) in enumerate(((1.0, 0), (-1.0, -1))):
                    q, s = qs[side], qs[1 - side]
                    apart = [(self.on(s, k), -1.0), (self.on(q, k), 1.0)]  # s on k, not q
                    own = [(self.copy_on(keys[side], k), 1.0)] if keys[side] >= 0 else []
                    if min(keys) >= 0:
                        rows.add([*own, (z, with_z), *apart], low, np.inf)
                    elif own or max(keys) < 0:  # (neither can carry: local)
                        rows.add([*own, *apart], 0, np.inf)
                    i = flipped.get((g, 1 - side))
                    if i is not None:  # s's side continues through: q's copy reaches s
                        rows.add([*own, *apart, (self.f(i), -1.0)], -1, np.inf)

    def _mirror_rows(self, rows: Rows) -> None:
        """A mirror on a QPU where the flipped segment has a copy needs the partner's
        copy there, unless the partner is on that QPU."""
        t = self.table
        for i, s in self.mirrors:
            flip = t.flips[i]
            partner = int(t.keys[flip.gate, 1 - t.flip_side[i]])
            own = int(t.flip_key[i])
            for k in range(self.k):
                rows.add([(self.copy_on(partner, k), 1.0), (self.copy_on(own, k), -1.0),
                          (self.f(i), -1.0), (self.on(s, k), 1.0)], -1, np.inf)

    def _comm_rows(self, rows: Rows, comm: Sequence[int]) -> int:
        """At every gate where a piece's span starts, the copies live there on each QPU
        are at most its comm qubits (no variables added)."""
        for _, keys in self.live:
            for k in range(self.k):
                rows.add([(self.copy_on(key, k), 1.0) for key in keys], -np.inf, comm[k])
        return 0

    def peak_hosted(self, x: np.ndarray) -> list[int]:
        peak = [0] * self.k
        for _, keys in self.live:
            hosted = [sum(x[self.copy_on(key, k)] > 0.5 for key in keys)
                      for k in range(self.k)]
            peak = [max(p, h) for p, h in zip(peak, hosted)]
        return peak

    def integrality(self) -> np.ndarray:
        out = np.ones(self.size)
        out[self.c0:self.f0] = 0  # c: continuous
        return out

    def upper(self, capacities: Sequence[int]) -> np.ndarray:
        """QPUs of equal data qubits are interchangeable: the j-th active qubit goes to
        one of the first j + 1."""
        upper = np.ones(self.size)
        if len(set(capacities)) == 1:
            for j, q in enumerate(self.active[:self.k]):
                upper[[self.on(q, k) for k in range(j + 1, self.k)]] = 0
        return upper

    def read(self, x: np.ndarray, n: int, capacities: Sequence[int]
             ) -> tuple[tuple[int, ...], np.ndarray]:
        placed = {q: int(np.argmax(x[self.on(q, 0):self.on(q, 0) + self.k]))
                  for q in self.active}
        room = list(capacities)
        for p in placed.values():
            room[p] -= 1
        part = []
        for q in range(n):
            if q not in placed:
                placed[q] = next(k for k in range(self.k) if room[k] > 0)
                room[placed[q]] -= 1
            part.append(placed[q])
        return tuple(part), x[self.f0:self.z0] > 0.5


class HopPricing:
    """For a program on QPUs not all one hop apart (mixed in before it): the ``d - 1``
    ebits of a copy or move ``d`` hops long beyond its first, as continuous variables
    from ``h0`` on (each up to ``far``, the longest distance less one), each costing one;
    no two QPUs interchangeable (the ends of a line are not its middle)."""

    hops: np.ndarray
    far: int
    h0: int
    size: int

    def price_hops(self, dist: np.ndarray, extra: int) -> None:
        """Price on ``dist``: ``extra`` hop variables after the program's own."""
        self.hops = np.maximum(np.asarray(dist, dtype=int) - 1, 0)
        self.far = int(self.hops.max())
        self.h0 = self.size
        self.size += extra

    def hop_row(self, rows: Rows, h: int, c: int, on: Sequence[int], k: int) -> None:
        """``h >= sum_j hops[j, k] x[j] - far (1 - c)``: a copy to QPU k opened (``c``)
        from QPU j (``on[j]``: the variable of its qubit on j) pays its hops beyond one."""
        rows.add([(h, 1.0), (c, -float(self.far)),
                  *((on[j], -float(self.hops[j, k])) for j in range(len(on))
                    if self.hops[j, k])], -self.far, np.inf)

    def cost(self) -> np.ndarray:
        cost = super().cost()  # type: ignore[misc]
        cost[self.h0:] = 1
        return cost

    def integrality(self) -> np.ndarray:
        out = super().integrality()  # type: ignore[misc]
        out[self.h0:] = 0
        return out

    def upper(self, capacities: Sequence[int]) -> np.ndarray:
        upper = np.ones(self.size)
        upper[self.h0:] = self.far
        return upper


class _HopsProgram(HopPricing, _ManyProgram):
    """The program on QPUs not all one hop apart: a copy ``d`` hops from its qubit's QPU
    costs ``d`` ebits (:class:`HopPricing`: ``h[u, k] >= sum_j (dist[j, k] - 1) x[q, j] -
    (D - 1) (1 - c[u, k])``, D the longest distance)."""

    def __init__(self, table: FlipTable, dist: np.ndarray) -> None:
        super().__init__(table, len(dist))
        self.price_hops(dist, len(self.pieces) * self.k)

    def size_rows(self) -> int:
        return super().size_rows() + len(self.pieces) * self.k

    def rows(self, capacities: Sequence[int]) -> Rows:
        rows = super().rows(capacities)
        for key in self.pieces:
            q, first = piece_qubit(key), self.piece[key] * self.k
            if q in self.slot:  # (else in no two-qubit gate: never copied)
                on = [self.on(q, j) for j in range(self.k)]
                for k in range(self.k):
                    self.hop_row(rows, self.h0 + first + k, self.c0 + first + k, on, k)
        return rows


def _fits(plan: EmbeddingPlan, comm: Sequence[int], dist: np.ndarray) -> bool:
    """The copies of ``plan``'s minimum covers, each live from its first gate to its
    last (in gate order, as :meth:`_Program.peak_hosted`), are at no gate more on a QPU
    than its comm qubits.

    Examples:
        q0 and q2 on QPU 0, q1 and q3 on QPU 1. One copy of q0 on QPU 1 carries its
        CX to q1 and, two gates later, to q3; the cover carries the CX from q2 to q3 in
        between on a copy of q2, also on QPU 1: two copies live there at gate 1::

        >>> from dqc.plan.cost_model import TwoQubitGate
        >>> z, x = ("z", 0), ("x", 0)
        >>> gates = tuple(TwoQubitGate(p, qs, (z, x)) for p, qs in
        ...               [(0, (0, 1)), (1, (2, 3)), (2, (0, 3))])
        >>> plan = EmbeddingPlan(frozenset(), gates, 2, 2, 2, (0, 1, 0, 1))
        >>> _fits(plan, [1, 1], TWO_QPUS), _fits(plan, [1, 2], TWO_QPUS)
        (False, True)
    """
    part = plan.placement
    carriers = plan_carriers(plan.gates, part, dist).carriers
    spans: dict[tuple, tuple[int, int]] = {}
    for g in plan.gates:
        if part[g.qubits[0]] == part[g.qubits[1]]:
            continue
        side = g.qubits.index(carriers[g.position])
        key = (g.qubits[side], g.segments[side], part[g.qubits[1 - side]])
        at = g.position if g.position >= 0 else -1 - g.position  # (a mirror's: its flip)
        first, last = spans.get(key, (at, at))
        spans[key] = (min(first, at), max(last, at))
    events = sorted((at, step, key[2]) for key, (first, last) in spans.items()
                    for at, step in ((first, 1), (last + 1, -1)))
    live = [0] * len(comm)
    for _, step, host in events:  # (at one gate, the copies that ended leave first)
        live[host] += step
        if live[host] > comm[host]:
            return False
    return True


def _live(table: FlipTable) -> list[tuple[int, list[int]]]:
    """For every gate position where a piece's span (its first to its last gate)
    starts, in order: the pieces whose spans include it."""
    spans: dict[int, tuple[int, int]] = {}
    for position, keys in zip(table.positions.tolist(), table.keys.tolist()):
        for key in keys:
            if key >= 0:
                first, last = spans.get(key, (position, position))
                spans[key] = (min(first, position), max(last, position))
    starts = sorted({first for first, _ in spans.values()})
    return [(t, [key for key in sorted(spans) if spans[key][0] <= t <= spans[key][1]])
            for t in starts]
