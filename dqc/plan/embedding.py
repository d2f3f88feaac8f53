"""Embedding: segments that continue through Pauli flips, mirrored onto their copies.

A Z segment of a qubit q ends at any gate that is not diagonal in Z on it — for
example the target of a CX. But a CX flips q's Z value *controlled by another
qubit's Z value*, and a cat state ``a|00> + b|11>`` of q and its copy stays a cat
state when both members flip together. So q's Z segment may continue through
``cx(s, q)`` if the same CX is *mirrored* onto every open copy of q, controlled by
s's value on that copy's QPU: s itself when it lives there, otherwise a copy of s
(which may cost an ebit). This is the embedding of Andrés-Martínez et al. (2024),
whose H-sandwiched CZ is exactly such a CX: ``h q; cz s, q; h q == cx s, q``.

The flips this module knows (basis of the segment that continues, the gate, what
the mirror needs on the copy's QPU):

======  ====================  ==============================
basis   gate on q             mirror on copy c at QPU k
======  ====================  ==============================
Z       ``x q``               ``x c``
Z       ``cx s, q``           ``cx s_k, c`` (s's Z value at k)
X       ``z q``               ``z c``
X       ``cz q, s``           ``cz c, s_k`` (s's Z value at k)
X       ``cx q, t``           ``cx c, t_k`` (t's X value at k)
======  ====================  ==============================

Each acts on the computational (Z) or Hadamard (X) basis states as a permutation,
the same on q and all its copies, so the cat structure is kept. While q's segment
continues through such a gate, q cannot carry that gate itself (it would have to
open a copy in the other basis with the cat open); its partner must.

Choosing where to continue (:func:`plan_embedding`) is a trade-off: a longer
segment needs fewer copies, but each mirror needs the partner's value on every
QPU with a copy. The plan is a greedy search over the flips, each choice scored
by the minimum per-pair vertex cover with the partner copies the mirrors force
(:func:`embedded_cost`).

Examples:
    q0 talks to q2 on QPU 1, then takes a CX from q1 (on QPU 0, and itself copied
    to QPU 1 for its CZ with q3), then talks to q2 again after q2's H::

        q0 ─■──────⊕──────■─      QPU 0: q0, q1
        q1 ─┼──■───■──────┼─      QPU 1: q2, q3
        q2 ─■──┼───────H──■─
        q3 ────■────────────

    Without embedding q0 and q2 each need two copies for the two CZ (their
    segments end at the CX and the H), and q1 one: 3 ebits. Continuing through
    the CX, one copy of q0 serves both CZ and q1's copy (needed anyway) mirrors
    the CX onto it: 2 ebits::

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag
    >>> qc = QuantumCircuit(4)
    >>> _ = qc.cz(0, 2); _ = qc.cz(1, 3); _ = qc.cx(1, 0); _ = qc.h(2); _ = qc.cz(0, 2)
    >>> dist = np.array([[0, 1], [1, 0]])
    >>> plan = plan_embedding(circuit_to_dag(qc), [0, 0, 1, 1], dist)
    >>> plan.static_ebits, plan.ebits, [(q, basis) for _, q, basis in plan.through]
    (3, 2, [(0, 'z')])

References:
    Andrés-Martínez, Forrer, Mills, Wu, Henaut, Yamamoto, Murao, Duncan,
    "Distributing circuits over heterogeneous, modular quantum computing network
    architectures", Quantum Sci. Technol. 9 045021 (2024), section on embedding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from qiskit.dagcircuit import DAGCircuit

from dqc.plan.cost_model import (
    GateTable,
    SegmentCounter,
    TwoQubitGate,
    _member,
    op_walk,
    two_qubit_gates,
)

#: (gate name, number of qubits, position of q) -> basis of q's segment it flips
FLIPS: dict[tuple[str, int, int], str] = {
    ("x", 1, 0): "z", ("cx", 2, 1): "z",
    ("z", 1, 0): "x", ("cz", 2, 0): "x", ("cz", 2, 1): "x", ("cx", 2, 0): "x",
}

Through = frozenset[tuple[int, int, str]]  # (op position, qubit, basis) a segment continues through


@dataclass(frozen=True)
class Flip:
    """An op that flips ``qubit`` in ``basis``; its segment may continue through it.

    Attributes:
        position: the op's index in the DAG's topological op order.
        qubit: the flipped qubit.
        basis: ``"z"`` or ``"x"``.
        after: the qubit's segment number in ``basis`` right after the op, when
            segments end at every flip (as :func:`dqc.plan.cost_model.two_qubit_gates` counts).
        gate: index in the two-qubit gate list of the op, or ``None`` for ``x``/``z``.
    """

    position: int
    qubit: int
    basis: str
    after: int
    gate: int | None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.position, self.qubit, self.basis)


@dataclass(frozen=True)
class EmbeddingPlan:
    """The flips segments continue through, and the gate list the distributor plans on.

    Attributes:
        through: ``(position, qubit, basis)`` of each flip a segment continues through.
        gates: the two-qubit gates with segments counted through those flips, plus
            one one-sided gate (negative position ``-1 - flip position``) for each
            partner copy a mirror forces on a QPU.
        ebits: ebits of the minimum covers of ``gates``.
        static_ebits: ebits without embedding.
        lower_bound: a bound no embedding choice beats for this placement: the
            covers when segments continue through every flip, at no mirror cost.
        placement: the placement planned for (QPU index per qubit).
        evaluations: how many choices of flips were scored to find this one.
    """

    through: Through
    gates: tuple[TwoQubitGate, ...]
    ebits: int
    static_ebits: int
    lower_bound: int
    placement: tuple[int, ...] = ()
    evaluations: int = field(default=0, compare=False)


def find_flips(dag: DAGCircuit, gates: Sequence[TwoQubitGate]) -> list[Flip]:
    """Every flip of ``dag`` (see the module table), with raw segment numbers."""
    counter = SegmentCounter(dag.num_qubits())
    gate_at = {g.position: i for i, g in enumerate(gates)}
    out = []
    for position, name, qs, dz, dx in op_walk(dag):
        counter.cross(position, qs, dz, dx)
        for basis, diag in (("z", dz), ("x", dx)):
            for pos, q in enumerate(qs):
                if pos not in diag and FLIPS.get((name, len(qs), pos)) == basis:
                    out.append(Flip(position, q, basis, counter.seg[basis][q],
                                    gate_at.get(position)))
    return out


class FlipTable:
    """A circuit's two-qubit gates and flips, as arrays to score many choices of flips
    fast; build it once with :meth:`of` to plan several placements.

    A segment is keyed ``(2 * qubit + basis) << 32 | number`` (basis 0 for Z, 1 for
    X). Continuing through a flip merges the segment it starts into the one before,
    so a segment's number drops by the chosen flips of its qubit and basis at or
    before it.
    """

    def __init__(self, gates: Sequence[TwoQubitGate], flips: Sequence[Flip],
                 key_qubit: Sequence[int] | None = None) -> None:
        """``key_qubit``: the qubit each qubit's segments are keyed by (default: itself;
        :mod:`dqc.plan.teledata_embedding` keys the stays of one qubit by that qubit)."""
        self.gates, self.flips = list(gates), list(flips)
        of = key_qubit.__getitem__ if key_qubit is not None else int
        m = len(gates)
        self.positions = np.fromiter((g.position for g in gates), dtype=np.int64, count=m)
        self.qubits = np.array([g.qubits for g in gates], dtype=np.int64).reshape(m, 2)
        self.keys = np.full((m, 2), -1, dtype=np.int64)
        for i, g in enumerate(gates):
            for side, option in enumerate(g.segments):
                if option is not None:
                    self.keys[i, side] = _key(of(g.qubits[side]), option[0], option[1])
        self.flip_key = np.array([_key(of(f.qubit), f.basis, f.after) for f in flips],
                                 dtype=np.int64)
        self.flip_gate = np.array([-1 if f.gate is None else f.gate for f in flips],
                                  dtype=np.int64)
        self.flip_side = np.array([0 if f.gate is None else gates[f.gate].qubits.index(f.qubit)
                                   for f in flips], dtype=np.int64)
        self.flip_position = np.array([f.position for f in flips], dtype=np.int64)

    @classmethod
    def of(cls, dag: DAGCircuit) -> FlipTable:
        """The table of ``dag``."""
        gates = two_qubit_gates(dag)
        return cls(gates, find_flips(dag, gates))

    def table(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Segment keys counted through the ``chosen`` flips (bool mask), the dense
        segment ids of the gates (-1: cannot carry), and the mirrors' requirements
        as rows ``(flip index, own segment id or -1, partner segment id)``."""
        merged = np.sort(self.flip_key[chosen])
        keys = _through(self.keys, merged)
        valid = keys >= 0
        unique, inverse = np.unique(keys[valid], return_inverse=True)
        ids = np.full(keys.shape, -1, dtype=np.int64)
        ids[valid] = inverse
        with_gate = np.flatnonzero(chosen & (self.flip_gate >= 0))
        gate, side = self.flip_gate[with_gate], self.flip_side[with_gate]
        partner = ids[gate, 1 - side]
        own_key = _through(self.flip_key[with_gate], merged)
        own = np.full(len(with_gate), -1, dtype=np.int64)  # its segment may have no gate
        if len(unique):
            at = np.minimum(np.searchsorted(unique, own_key), len(unique) - 1)
            own = np.where(unique[at] == own_key, at, -1)
        ids[gate, side] = -1  # q cannot carry the gate it is flipped by
        return keys, ids, np.stack([with_gate, own, partner], axis=1)

    def score(self, chosen: np.ndarray, part: np.ndarray, dist: np.ndarray,
              anchor: np.ndarray) -> tuple[int, GateTable, np.ndarray]:
        """Ebits of the covers with the partner copies the mirrors force; the table
        they were made on and the keys of its rows (forced rows appended)."""
        k = int(dist.shape[0])
        keys, ids, needs = self.table(chosen)
        positions, qubits = self.positions, self.qubits
        partner_q = qubits[self.flip_gate[needs[:, 0]], 1 - self.flip_side[needs[:, 0]]]
        partner_key = keys[self.flip_gate[needs[:, 0]], 1 - self.flip_side[needs[:, 0]]]
        forced = np.zeros((len(needs), k), dtype=bool)  # a row already requires it
        while True:
            table = GateTable(positions, qubits, ids)
            cover = table.cover(part, dist)
            # every mirror on a QPU where q has a copy and its partner is not gets a row
            # requiring the partner's copy there (free when the cover has it anyway);
            # it also tells the distributor to keep that copy open until the mirror
            extra = []
            for qpu in range(k):
                lacks = ((needs[:, 1] >= 0) & _member(needs[:, 1] * k + qpu, cover)
                         & (part[partner_q] != qpu) & ~forced[:, qpu])
                forced[lacks, qpu] = True
                extra += [(i, qpu) for i in np.flatnonzero(lacks)]
            if not extra:
                own = part[table.segment_qubit[cover // k]]
                return int(dist[own, cover % k].sum()), table, keys
            rows, qpus = np.array([i for i, _ in extra]), np.array([q for _, q in extra])
            positions = np.concatenate([positions, -1 - self.flip_position[needs[rows, 0]]])
            qubits = np.concatenate([qubits, np.stack([partner_q[rows], anchor[qpus]], axis=1)])
            ids = np.concatenate([ids, np.stack([needs[rows, 2], np.full(len(rows), -1)], axis=1)])
            keys = np.concatenate([keys, np.stack([partner_key[rows], np.full(len(rows), -1)],
                                                  axis=1)])


    def relaxed_bound(self, part: np.ndarray, dist: np.ndarray) -> int:
        """The covers' size when segments continue through every flip of a qubit with a
        remote gate, at no mirror cost: no embedding of ``part`` needs fewer ebits."""
        remote = np.unique(self.qubits[part[self.qubits[:, 0]] != part[self.qubits[:, 1]]])
        keys = _through(self.keys, np.sort(self.flip_key[np.isin(
            np.array([f.qubit for f in self.flips], dtype=np.int64), remote)]))
        valid = keys >= 0
        ids = np.full(keys.shape, -1, dtype=np.int64)
        ids[valid] = np.unique(keys[valid], return_inverse=True)[1]
        return int(GateTable(self.positions, self.qubits, ids).cover(part, dist).size)


def _key(qubit: int, basis: str, number: int) -> int:
    return ((2 * qubit + (basis == "x")) << 32) | number


def piece_qubit(key: int) -> int:
    """The qubit of a segment key (:class:`FlipTable`'s ``(2 * qubit + basis) << 32 |
    number``)."""
    return (key >> 32) >> 1


def _through(keys: np.ndarray, merged: np.ndarray) -> np.ndarray:
    """``keys`` renumbered: minus the merged flip keys of the same qubit and basis up to them."""
    base = keys & ~((1 << 32) - 1)
    drop = np.searchsorted(merged, keys, side="right") - np.searchsorted(merged, base)
    return np.where(keys >= 0, keys - drop, -1)


def _gates(table: GateTable, keys: np.ndarray) -> tuple[TwoQubitGate, ...]:
    """The rows of ``table`` as :class:`TwoQubitGate` (segment numbers from ``keys``)."""
    out = []
    for position, (a, b), (ia, ib), (ka, kb) in zip(table.positions.tolist(),
                                                      table.qubits.tolist(),
                                                      table.segments.tolist(), keys.tolist()):
        out.append(TwoQubitGate(position, (a, b), (_option(ia, ka), _option(ib, kb))))
    return tuple(out)


def _option(segment_id: int, key: int) -> tuple[str, int] | None:
    if segment_id < 0:
        return None
    return ("x" if (key >> 32) & 1 else "z", key & ((1 << 32) - 1))


Scored = tuple[int, GateTable, np.ndarray]  # what FlipTable.score gives


def plan_embedding(circuit: DAGCircuit | FlipTable, part: Sequence[int] | np.ndarray,
                   dist: np.ndarray, *, max_evaluations: int = 4000) -> EmbeddingPlan:
    """Choose the flips to continue through for placement ``part`` (greedy, deterministic).

    Only flips that join two segments with remote gates toward a common QPU are
    tried. First pass: from continuing through all of them (the first flip of each
    gate), each in circuit order is dropped when that lowers the ebits (with the
    partner copies the mirrors force). Second pass: from none, each is added when
    that lowers them. The cheapest result wins (ties: fewer flips). At most
    ``max_evaluations`` evaluations are made; the flips left are not tried.
    """
    part = np.asarray(part, dtype=np.int64)
    dist = np.asarray(dist)
    arrays = circuit if isinstance(circuit, FlipTable) else FlipTable.of(circuit)
    gates, flips = arrays.gates, arrays.flips
    anchor = _anchors(part, dist)
    none = np.zeros(len(flips), dtype=bool)
    static = GateTable.from_gates(gates).plan(part, dist, carriers=False)
    common = _bridging(flips, gates, part)
    useful = sorted(common)
    # one flip per gate at most: the partner of a flip carries the gate, so it cannot
    # be in a flipped segment there itself (cx and cz can flip both their qubits)

    def one_per_gate(indices) -> np.ndarray:
        first: dict[int, int] = {}
        for i in indices:
            first.setdefault(flips[i].position, i)
        mask = none.copy()
        mask[list(first.values())] = True
        return mask

    budget = [max_evaluations]
    seen: dict[bytes, int] = {}  # ebits of every mask scored (the searches meet again)

    def evaluate(mask: np.ndarray) -> tuple[int, Scored | None]:
        """The mask's ebits, and its score unless it was scored before (only the
        ebits are kept: a score holds a table as long as the circuit)."""
        known = seen.get(mask.tobytes())
        if known is not None:
            return known, None
        scored = arrays.score(mask, part, dist, anchor)
        seen[mask.tobytes()] = scored[0]
        return scored[0], scored

    def search(start: np.ndarray, value: bool) -> tuple[int, np.ndarray, Scored | None]:
        """The cheapest mask found from ``start``, with its score (``None``: scored
        before)."""
        ebits, scored = evaluate(start)
        best = (ebits, start, scored)
        budget[0] -= 1
        busy = {flips[i].position for i in np.flatnonzero(start)}
        for i in useful:
            if budget[0] <= 0:
                break
            if value and flips[i].position in busy or best[1][i] == value:
                continue
            trial = best[1].copy()
            trial[i] = value
            budget[0] -= 1
            ebits, scored = evaluate(trial)
            if ebits < best[0]:
                best = (ebits, trial, scored)
                if value:
                    busy.add(flips[i].position)
                else:
                    busy.discard(flips[i].position)
        return best

    # drop passes first: their first tries (flips whose mirrors cost nothing under the
    # static plan; all flips) gain most when the budget is short
    found = [search(one_per_gate(_free(flips, common, gates, part, dist)), False),
             search(one_per_gate(useful), False), search(none, True)]
    candidates = [(static.ebits, 0, none, None),
                  *((c, int(m.sum()), m, scored) for c, m, scored in found)]
    _, _, chosen, known = min(candidates, key=lambda t: (t[0], t[1]))
    ebits, table, keys = known or arrays.score(chosen, part, dist, anchor)
    through = frozenset(flips[i].key for i in np.flatnonzero(chosen))
    return EmbeddingPlan(through, _gates(table, keys), ebits, static.ebits,
                         min(arrays.relaxed_bound(part, dist), static.lower_bound),
                         tuple(part.tolist()), max_evaluations - budget[0])


def _bridging(flips: Sequence[Flip], gates: Sequence[TwoQubitGate], part: np.ndarray,
              ) -> dict[int, set[int]]:
    """The flips that can save an ebit: continuing through them joins two segments
    of their qubit that have remote gates toward a common QPU (possibly across
    segments without remote gates, separated by flips too); index -> those QPUs."""
    reach: dict[tuple[int, str, int], set[int]] = {}
    for g in gates:
        for side in (0, 1):
            option, other = g.segments[side], int(part[g.qubits[1 - side]])
            if option is not None and other != part[g.qubits[side]]:
                reach.setdefault((g.qubits[side], *option), set()).add(other)
    starts = {(f.qubit, f.basis, f.after) for f in flips}  # segments a flip begins
    # the segment with remote gates each walk ends on, remembered for every segment it
    # passes (a qubit with many flips and few remote gates: one walk per flip was
    # quadratic, 17 s for a 300-qubit QFT written with CZ)
    down: dict[tuple[int, str, int], int] = {}
    up: dict[tuple[int, str, int], int] = {}

    def walk(q: int, b: str, at: int, step: int, memo: dict) -> int:
        passed = []
        while (q, b, at) not in memo:
            ahead = at if step < 0 else at + 1  # (the segment that must start at a flip)
            if reach.get((q, b, at)) or (q, b, ahead) not in starts:
                memo[q, b, at] = at
                break
            passed.append(at)
            at += step
        end = memo[q, b, at]
        for seen in passed:
            memo[q, b, seen] = end
        return end

    out = {}
    for i, f in enumerate(flips):
        q, b = f.qubit, f.basis
        before = walk(q, b, f.after - 1, -1, down)
        after = walk(q, b, f.after, 1, up)
        common = reach.get((q, b, before), set()) & reach.get((q, b, after), set())
        if common:
            out[i] = common
    return out


def _copies(gates: Sequence[TwoQubitGate], plan, part: np.ndarray) -> dict[tuple, set[int]]:
    """``(qubit, basis, segment) -> QPUs`` where ``plan`` makes a copy of that segment."""
    out: dict[tuple, set[int]] = {}
    for g in gates:
        carrier = plan.carriers.get(g.position)
        if carrier is None:
            continue
        side = g.qubits.index(carrier)
        basis, segment = g.segments[side]  # type: ignore[misc]
        out.setdefault((carrier, basis, segment), set()).add(int(part[g.qubits[1 - side]]))
    return out


def _free(flips: Sequence[Flip], common: dict[int, set[int]], gates: Sequence[TwoQubitGate],
          part: np.ndarray, dist: np.ndarray) -> list[int]:
    """Of the bridging flips, those whose mirrors need no new copy under the static
    plan: the partner is on, or already copied to, every QPU both segments reach."""
    plan = GateTable.from_gates(gates).plan(part, dist)
    copies = _copies(gates, plan, part)
    out = []
    for i, qpus in common.items():
        f = flips[i]
        if f.gate is not None:
            g = gates[f.gate]
            side = g.qubits.index(f.qubit)
            partner, option = g.qubits[1 - side], g.segments[1 - side]
            there = copies.get((partner, *option), set()) | {int(part[partner])}  # type: ignore[misc]
            if not qpus <= there:
                continue
        out.append(i)
    return out


def embed(dag: DAGCircuit, part: Sequence[int] | np.ndarray, dist: np.ndarray,
          through: Through) -> EmbeddingPlan:
    """The plan for a given set of flips (``(position, qubit, basis)``, at most one per
    gate), however costly; :func:`plan_embedding` chooses them. For tests and experiments.
    """
    table = FlipTable.of(dag)
    known = {f.key for f in table.flips}
    if not through <= known:
        raise ValueError(f"not flips of this circuit: {sorted(through - known)}")
    if len({position for position, _, _ in through}) < len(through):
        raise ValueError("at most one flip per gate can be continued through")
    return embedding_plan(table, np.array([f.key in through for f in table.flips], dtype=bool),
                          part, dist)


def embedding_plan(table: FlipTable, chosen: np.ndarray, part: Sequence[int] | np.ndarray,
                   dist: np.ndarray) -> EmbeddingPlan:
    """The plan that continues through the ``chosen`` flips (bool mask) on ``part``."""
    part = np.asarray(part, dtype=np.int64)
    dist = np.asarray(dist)
    static = GateTable.from_gates(table.gates).plan(part, dist, carriers=False)
    ebits, rows, keys = table.score(chosen, part, dist, _anchors(part, dist))
    through = frozenset(table.flips[i].key for i in np.flatnonzero(chosen))
    return EmbeddingPlan(through, _gates(rows, keys), ebits, static.ebits,
                         min(table.relaxed_bound(part, dist), static.lower_bound),
                         tuple(part.tolist()))


def trimmed_plan(table: FlipTable, chosen: np.ndarray, part: Sequence[int] | np.ndarray,
                 dist: np.ndarray, target: int) -> EmbeddingPlan:
    """:func:`embedding_plan` of the ``chosen`` flips; when it costs more than
    ``target`` (an integer program's value for them), the chosen flip whose drop costs
    fewest is dropped, while that costs no more and the target is not met. The covers
    may carry a gate on the copy of a continued segment where the program used the
    partner's, and so make a mirror cost an ebit that a flip the program counted free
    (it helped nothing) brings in.

    Examples:
        q0's Z segment may continue through ``cx(3, 0)``, which helps nothing here; with
        q0, q3 on QPU 0 and q1, q2 on QPU 1, the covers then carry ``cz(0, 1)`` on q0's
        copy, whose mirror of the CX needs q3's copy too. Dropping the flip gives back
        the program's 2::

        >>> from qiskit import QuantumCircuit
        >>> from qiskit.converters import circuit_to_dag
        >>> qc = QuantumCircuit(4)
        >>> _ = qc.cz(0, 1); _ = qc.cx(3, 0); _ = qc.cz(0, 2); _ = qc.cx(1, 2)
        >>> _ = qc.cx(2, 1); _ = qc.cx(2, 0); _ = qc.cx(2, 1)
        >>> table = FlipTable.of(circuit_to_dag(qc))
        >>> dist = np.array([[0, 1], [1, 0]])
        >>> chosen = np.array([f.key in {(1, 0, "z"), (3, 2, "z")} for f in table.flips])
        >>> embedding_plan(table, chosen, [0, 1, 1, 0], dist).ebits
        3
        >>> plan = trimmed_plan(table, chosen, [0, 1, 1, 0], dist, target=2)
        >>> plan.ebits, sorted(plan.through)
        (2, [(3, 2, 'z')])
    """
    plan = embedding_plan(table, chosen, part, dist)
    while plan.ebits > target and chosen.any():
        tried = []
        for i in np.flatnonzero(chosen):
            trial = chosen.copy()
            trial[i] = False
            tried.append((embedding_plan(table, trial, part, dist), trial))
        fewer, trial = min(tried, key=lambda t: t[0].ebits)  # (the first of the fewest)
        if fewer.ebits > plan.ebits:
            break
        chosen, plan = trial, fewer
    return plan


def _anchors(part: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """The first qubit on each QPU: it stands for the QPU in forced rows."""
    anchor = np.zeros(int(dist.shape[0]), dtype=np.int64)
    for q in range(len(part) - 1, -1, -1):
        anchor[part[q]] = q
    return anchor


@dataclass(frozen=True)
class EmbeddingSearch:
    """What :func:`search_embeddings` found.

    Attributes:
        best: the plan of fewest ebits over the placements tried, if it saves ebits on
            the first placement's static plan; else ``None``.
        static_bound: no embedding of the first placement needs fewer ebits.
        static_ebits: the first placement's static plan (no embedding).
        first: the plan on the first placement, if it saves ebits on its static plan.
        tried: the plan on every placement tried, in the order tried (the first
            placement's first), that saves ebits on its own placement's static plan.
    """

    best: EmbeddingPlan | None
    static_bound: int
    static_ebits: int
    first: EmbeddingPlan | None = None
    tried: tuple[EmbeddingPlan, ...] = ()


def search_embeddings(table: FlipTable, part: Sequence[int],
                      candidates: Sequence[Sequence[int]], dist: np.ndarray, *,
                      work: float) -> EmbeddingSearch:
    """Plan embeddings for ``part``, then for ``candidates`` while the budget lasts.

    ``work`` is the number of evaluations (sets of minimum covers) allowed in all;
    each placement's greedy search uses what the ones before it left.
    """
    budget = max(1, int(work))
    plan = first = plan_embedding(table, np.array(part), dist, max_evaluations=budget)
    budget -= plan.evaluations
    static, seen = plan.static_ebits, {plan.placement}
    bound = plan.lower_bound
    tried = [plan]
    for cand in candidates:
        if budget <= 0:
            break
        if tuple(cand) in seen:
            continue
        seen.add(tuple(cand))
        other = plan_embedding(table, np.array(cand), dist, max_evaluations=budget)
        budget -= other.evaluations
        tried.append(other)
        if other.ebits < plan.ebits:
            plan = other
    return EmbeddingSearch(plan if plan.ebits < static else None, bound, static,
                           first if first.ebits < static else None,
                           tuple(p for p in tried if p.ebits < p.static_ebits))
