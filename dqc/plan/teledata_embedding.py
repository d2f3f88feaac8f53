"""Teledata and embedding together: flips chosen on the stays of a time-sliced assignment.

With teledata moves, each stay of a qubit on one QPU is a *virtual qubit* of the cost
model (:class:`~dqc.plan.teledata.Stays`), and a move ends the qubit's segments.
Embedding (:mod:`dqc.plan.embedding`) works on those virtual qubits unchanged: a flip
belongs to the stay it happens in, and its mirror needs the partner's value on the
copy's QPU at that time. :func:`embed_moves` builds the flip table of the virtual
qubits, chooses the flips with :func:`~dqc.plan.embedding.plan_embedding`, and gives the
plan back on input qubits, as the distributor walks it (segment numbers as its
:class:`~dqc.plan.cost_model.SegmentCounter` counts them).

Examples:
    Two QPUs of two data qubits. q0-q1 and q2-q3 work together, then the circuit of
    :mod:`dqc.plan.embedding`'s example, then q1-q2 (RY between the CZs: a new segment
    per gate, and nothing to continue through)::

        phase 1 (x3): cz(0,1) ry(0) ry(1) cz(2,3) ry(2) ry(3)      wants q0 q1 | q2 q3
        middle:       cz(0,2) cz(1,3) cx(1,0) h(2) cz(0,2) ry(1) ry(2)
        phase 2 (x3): cz(1,2) ry(1) ry(2)                          wants q1 with q2

    Without moves, q0 q1 | q2 q3 pays 3 for phase 2 and 2 for the middle (with its
    flip): 5, and no placement does better (a split pair costs 3). Trading q0 and q2
    before phase 2 costs 2; on the stays the middle needs q0's copy for its two CZs with
    q2 (2 copies, or 1 continuing through ``cx(1, 0)``) and q1's for its CZ with q3 (1):
    2 + 2 = 4, against 5 for the moves without the flip::

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag
    >>> from dqc.plan.embedding import FlipTable
    >>> from dqc.plan.teledata import Move, Stays, Timeline
    >>> qc = QuantumCircuit(4)
    >>> for _ in range(3):
    ...     _ = qc.cz(0, 1); _ = qc.ry(0.3, 0); _ = qc.ry(0.3, 1)
    ...     _ = qc.cz(2, 3); _ = qc.ry(0.3, 2); _ = qc.ry(0.3, 3)
    >>> _ = qc.cz(0, 2); _ = qc.cz(1, 3); _ = qc.cx(1, 0); _ = qc.h(2); _ = qc.cz(0, 2)
    >>> _ = qc.ry(0.3, 1); _ = qc.ry(0.3, 2)
    >>> for _ in range(3):
    ...     _ = qc.cz(1, 2); _ = qc.ry(0.3, 1); _ = qc.ry(0.3, 2)
    >>> dag = circuit_to_dag(qc)
    >>> timeline = Timeline.of(dag)
    >>> at = timeline.slice_start(7)  # the first CZ of phase 2
    >>> dist = np.array([[0, 1], [1, 0]])
    >>> stays = Stays.of(timeline, [0, 0, 1, 1], (Move(at, 0, 1), Move(at, 2, 0)), dist)
    >>> plan = embed_moves(FlipTable.of(dag), timeline, stays, dist)
    >>> plan.static_ebits, plan.ebits, sorted(plan.through)
    (3, 2, [(21, 0, 'z')])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from dqc.plan.cost_model import TwoQubitGate
from dqc.plan.embedding import EmbeddingPlan, Flip, FlipTable, plan_embedding
from dqc.plan.teledata import Move, Stays, Timeline

__all__ = ["MovesWithFlips", "cheapest_with_flips", "embed_moves", "on_inputs", "stay_table"]

#: A virtual qubit's segment numbers carry its stay's ordinal above this many bits, so
#: the stays of one qubit are keyed apart while one count runs through them.
STAY_SHIFT = 20


def stay_table(table: FlipTable, timeline: Timeline, stays: Stays) -> FlipTable | None:
    """``table`` on the virtual qubits of ``stays``; ``None`` when a qubit has more
    segments or stays than the keys hold."""
    rank = timeline.rank
    top = max([0, *(o[1] for g in table.gates for o in g.segments if o is not None),
               *(f.after for f in table.flips)])
    if top >= 1 << STAY_SHIFT or max(stays.ordinal) >= 1 << (32 - STAY_SHIFT):
        return None
    ordinal = stays.ordinal

    def number(v: int, n: int) -> int:
        return (ordinal[v] << STAY_SHIFT) | n

    gates = []
    for g in table.gates:
        vs = stays.pair(g.qubits, rank[g.position])
        gates.append(TwoQubitGate(g.position, vs, tuple(  # type: ignore[arg-type]
            None if o is None else (o[0], number(v, o[1])) for o, v in zip(g.segments, vs))))
    flips = []
    for f in table.flips:
        v = stays.at(f.qubit, rank[f.position])
        flips.append(Flip(f.position, v, f.basis, number(v, f.after), f.gate))
    return FlipTable(gates, flips, key_qubit=stays.real)


def embed_moves(table: FlipTable, timeline: Timeline, stays: Stays, dist: np.ndarray, *,
                max_evaluations: int = 4000, below: float = math.inf) -> EmbeddingPlan | None:
    """The flips to continue through on ``stays`` (a start placement and its moves).

    The plan's ``ebits``, ``static_ebits`` and ``lower_bound`` leave out the moves'
    ebits; its gates are on input qubits. ``None`` when the table cannot key the stays
    (see :func:`stay_table`), or when no choice of flips brings the covers below
    ``below`` ebits (the covers through every flip at no mirror cost do not).
    """
    virtual = stay_table(table, timeline, stays) if below > 0 else None
    if virtual is None:
        return None
    part = np.array(stays.part)
    if virtual.relaxed_bound(part, dist) >= below:
        return None
    plan = plan_embedding(virtual, part, dist, max_evaluations=max_evaluations)
    return on_inputs(plan, stays, timeline)


@dataclass(frozen=True)
class MovesWithFlips:
    """Moves and the flips chosen on their stays.

    Attributes:
        start: QPU index of each qubit at the start.
        moves: the moves.
        plan: the flips and covers on the stays (:func:`embed_moves`; its ebits leave out
            the moves').
        move_ebits: ebits of the moves.
    """

    start: tuple[int, ...]
    moves: tuple[Move, ...]
    plan: EmbeddingPlan
    move_ebits: int

    @property
    def ebits(self) -> int:
        """The moves' ebits and the covers'."""
        return self.move_ebits + self.plan.ebits


def cheapest_with_flips(table: FlipTable, timeline: Timeline,
                        candidates: Sequence[tuple[Sequence[int], tuple[Move, ...]]],
                        dist: np.ndarray, *, below: float, evaluations: int
                        ) -> MovesWithFlips | None:
    """Of ``candidates`` (start placement, moves), embedded in order while ``evaluations``
    last, the one that costs fewest ebits with flips on its stays, when that is below
    ``below`` and it continues through some flip; else ``None``."""
    best: MovesWithFlips | None = None
    for start, moves in candidates:
        if evaluations <= 0:
            break
        stays = Stays.of(timeline, start, moves, dist)
        plan = embed_moves(table, timeline, stays, dist, max_evaluations=evaluations,
                           below=below - stays.move_ebits)
        if plan is None:
            continue
        evaluations -= plan.evaluations
        found = MovesWithFlips(tuple(int(k) for k in start), moves, plan, stays.move_ebits)
        if plan.through and found.ebits < below:
            best, below = found, found.ebits
    return best


def on_inputs(plan: EmbeddingPlan, stays: Stays, timeline: Timeline) -> EmbeddingPlan:
    """A plan on the virtual qubits of ``stays`` as the distributor walks it: input
    qubits, segment numbers without the stay's ordinal, and for each copy a mirror
    forces (negative position) a qubit on the copy's QPU at that time in place of the
    virtual qubit that stood for the QPU."""
    mask = (1 << STAY_SHIFT) - 1
    gates = []
    for g in plan.gates:
        a, b = (stays.real[v] for v in g.qubits)
        if g.position < 0:
            r, qpu = timeline.rank[g.at], stays.part[g.qubits[1]]
            there = next((q for q in range(len(stays.starts))
                          if stays.part[stays.at(q, r)] == qpu), None)
            if there is None:
                continue  # (no qubit on that QPU then: the model leaves the copy out)
            b = there
        gates.append(TwoQubitGate(g.position, (a, b), tuple(  # type: ignore[arg-type]
            None if o is None else (o[0], o[1] & mask) for o in g.segments)))
    through = frozenset((p, stays.real[v], basis) for p, v, basis in plan.through)
    return replace(plan, through=through, gates=tuple(gates),
                   placement=stays.part[:len(stays.starts)])
