"""Teledata by layers: every gate local, the fewest moves (exact windows, bisection).

Quantum volume and other brickwork circuits are *layers* of disjoint pairs: the
two-qubit gates of a layer form a matching, and each pair meets once, for a block
of gates, before the next layer pairs the qubits afresh. On such circuits the
cheapest plan keeps every gate local and moves qubits between layers (one ebit per
hop; a general two-qubit block costs two or three ebits as telegates). What is
left is to choose, for every layer, a placement in which each pair shares a QPU —
with at most as many qubits per QPU as it has data qubits — so that consecutive
placements differ in as few qubits as possible.

:func:`layer_groups` cuts the circuit's slices (:class:`~dqc.plan.teledata.Timeline`)
into layers: consecutive slices join while their pairs still form one matching.
A *unit* of a layer is a pair, or a qubit without a gate in it. The placements are
found by recursive bisection of the QPUs (:func:`assign_layers`): split the QPUs in
two halves, choose a side for every unit of every layer, recurse into each half
with the units on that side (a qubit that enters a half is placed freely: its move
is paid already). Each split is the integer program

    minimise   Σ_t Σ_q [side_t(q) ≠ side_{t-1}(q)]   (qubits in the half at t-1 and t)
    subject to the units of each layer on each side fit that side's data qubits,

solved by large-neighbourhood search (:func:`split_layers`): layer by layer first,
then repeated sweeps that re-solve windows of :attr:`LayerSettings.window` layers
exactly with SciPy's ``milp`` (HiGHS), the layers around them fixed, keeping each
window that lowers the count. Node limits and a sweep count bound the work, never
a clock, so the result depends only on the circuit.

Examples:
    Four qubits on two QPUs of two. The pairs change every layer::

        layer 0: (0,1) (2,3)    layer 1: (0,2) (1,3)    layer 2: (0,1) (2,3)

    Each layer holds one pair per QPU, and going from one layer's pairs to the
    next's changes the QPU of two qubits whichever pair goes where: the optimum is
    4 moves.

    >>> units = [[(0, 1), (2, 3)], [(0, 2), (1, 3)], [(0, 1), (2, 3)]]
    >>> placements = assign_layers(units, (2, 2))
    >>> [p.tolist() for p in placements], count_moves(placements)
    ([[0, 0, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0]], 4)

    A qubit without a pair in a layer is a unit of its own, and may wait where it
    will be needed next: qubit 2 rests in layer 1 and is already beside qubit 1
    for layer 2::

        layer 0: (0,1) (2,3)    layer 1: (0,3)    layer 2: (1,2)

    >>> units = [[(0, 1), (2, 3)], [(0, 3), (1,), (2,)], [(1, 2), (0,), (3,)]]
    >>> count_moves(assign_layers(units, (2, 2)))
    2
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from dqc.plan.cost_model import TwoQubitGate

__all__ = ["DEFAULT_LAYERS", "LayerSettings", "Layers", "NoFit", "assign_layers",
           "count_moves", "layer_groups", "split_layers"]

Unit = tuple[int, ...]


class NoFit(Exception):
    """No placement keeps every pair of some layer on one QPU within the data qubits
    (e.g. 15 pairs on two QPUs of 15)."""


Side = dict[int, int]  # qubit -> 0 (first half) or 1 (second half)


@dataclass(frozen=True)
class LayerSettings:
    """Effort and scope of the layer assignment.

    Attributes:
        window: layers re-solved together in the sweeps.
        node_limit: branch-and-bound nodes per window program.
        sweeps: most sweeps over the layers (fewer when a sweep gains nothing).
        max_cells: layers × qubits above which the assignment is not tried.
        both_ways_cells: up to this many (layer, qubit) cells in a split, the search also
            runs from the last layer back (local search: two starts find more; QV-20 on
            2 QPUs, seeds 0–4: 64.0 moves on average, 64.8 from the first layer only).
        min_busy: least fraction of (layer, qubit) cells in a pair: below it the circuit
            is not layered, and keeping every gate local costs more than it saves
            (quantum volume and Ising brickwork are at 0.97–1; QFTs at 0.5–0.52, where
            all-local costs 80 moves against the static plan's 16 ebits for QFT-32 on
            2 QPUs).
    """

    window: int = 4
    node_limit: int = 200
    sweeps: int = 2
    max_cells: int = 4096
    min_busy: float = 0.75
    both_ways_cells: int = 400


#: The default effort (a module-level value, for argument defaults).
DEFAULT_LAYERS = LayerSettings()


@dataclass(frozen=True)
class Layers:
    """The layers of a circuit.

    Attributes:
        first_slice: per layer, its first slice (1-based, as :class:`Timeline`'s).
        units: per layer, its pairs and then its qubits without a gate, each a tuple.
        busy: fraction of (layer, qubit) cells in a pair.
    """

    first_slice: tuple[int, ...]
    units: tuple[tuple[Unit, ...], ...]
    busy: float


def layer_groups(slice_of_gate: Sequence[int], gates: Sequence[TwoQubitGate],
                 num_qubits: int) -> Layers:
    """Consecutive slices joined while their pairs form one matching.

    ``slice_of_gate[i]`` is the slice of ``gates[i]``.

    Examples:
        >>> from dqc.plan.cost_model import TwoQubitGate
        >>> gs = [TwoQubitGate(i, q, ()) for i, q in enumerate([(0, 1), (0, 1), (1, 2)])]
        >>> layer_groups([1, 2, 3], gs, 3)
        Layers(first_slice=(1, 3), units=(((0, 1), (2,)), ((1, 2), (0,))), busy=0.6666666666666666)
    """
    by_slice: dict[int, list[tuple[int, int]]] = {}
    for s, g in zip(slice_of_gate, gates, strict=True):
        a, b = g.qubits
        by_slice.setdefault(s, []).append((min(a, b), max(a, b)))
    firsts: list[int] = []
    layers: list[dict[int, int]] = []
    for s in sorted(by_slice):
        partner = layers[-1] if layers else None
        fits = partner is not None and all(partner.get(a, b) == b and partner.get(b, a) == a
                                           for a, b in by_slice[s])
        if not fits:
            firsts.append(s)
            layers.append({})
            partner = layers[-1]
        assert partner is not None
        for a, b in by_slice[s]:
            partner[a], partner[b] = b, a
    units = tuple(
        tuple(sorted({(min(a, b), max(a, b)) for a, b in partner.items()}))
        + tuple((q,) for q in range(num_qubits) if q not in partner)
        for partner in layers)
    cells = len(layers) * num_qubits
    busy = sum(len(p) for p in layers) / cells if cells else 0.0
    return Layers(tuple(firsts), units, busy)


def count_moves(placements: Sequence[Sequence[int]]) -> int:
    """Qubits whose QPU differs between consecutive placements, summed."""
    return sum(int(np.count_nonzero(np.asarray(a) != np.asarray(b)))
               for a, b in zip(placements, placements[1:]))


def assign_layers(units: Sequence[Sequence[Unit]], caps: Sequence[int],
                  settings: LayerSettings = DEFAULT_LAYERS) -> list[np.ndarray]:
    """Per layer, the QPU of every qubit: each unit on one QPU, within ``caps``.

    Recursive bisection of the QPUs, in index order (contiguous halves, so that on a
    line the first split is the middle link); each split by :func:`split_layers`.
    """
    num_qubits = sum(len(u) for u in units[0]) if units else 0
    out = [np.zeros(num_qubits, dtype=np.int64) for _ in units]
    _bisect([list(layer) for layer in units], list(range(len(caps))), caps, settings, out)
    return out


def _bisect(units: list[list[Unit]], qpus: list[int], caps: Sequence[int],
            settings: LayerSettings, out: list[np.ndarray]) -> None:
    if len(qpus) == 1:
        for t, layer in enumerate(units):
            for unit in layer:
                out[t][list(unit)] = qpus[0]
        return
    half = len(qpus) // 2
    low, high = qpus[:half], qpus[half:]
    sides = _remembered_split(tuple(tuple(layer) for layer in units),
                              (int(sum(caps[k] for k in low)), int(sum(caps[k] for k in high))),
                              settings, (int(sum(caps[k] // 2 for k in low)),
                                         int(sum(caps[k] // 2 for k in high))))
    for side, group in ((0, low), (1, high)):
        part = [[u for u in layer if sides[t][u[0]] == side] for t, layer in enumerate(units)]
        _bisect(part, group, caps, settings, out)


def _remembered_split(units: tuple[tuple[Unit, ...], ...], caps: tuple[int, int],
                      settings: LayerSettings, pair_caps: tuple[int, int]) -> list[Side]:
    """:func:`split_layers`, remembered for the last :data:`SPLITS_KEPT` questions in
    this process (fresh dicts each time).

    One circuit compiled for several QPU counts or topologies asks the same splits
    again: QV-32 splits its 32 qubits into halves of 16 holding 8 pairs each on 2, 4
    and 8 QPUs of 16, 8 and 4, and on 2 QPUs joined by a link or in a line.
    """
    return [dict(side) for side in _split_kept(units, caps, settings, pair_caps)]


#: Layer splits :func:`assign_layers` keeps for questions asked again (see
#: :func:`_remembered_split`).
SPLITS_KEPT = 32


@functools.lru_cache(maxsize=SPLITS_KEPT)
def _split_kept(units: tuple[tuple[Unit, ...], ...], caps: tuple[int, int],
                settings: LayerSettings, pair_caps: tuple[int, int]) -> tuple[Side, ...]:
    return tuple(split_layers(units, caps, settings, pair_caps))


def split_layers(units: Sequence[Sequence[Unit]], caps: tuple[int, int],
                 settings: LayerSettings = DEFAULT_LAYERS,
                 pair_caps: tuple[int, int] | None = None) -> list[Side]:
    """A side (0 or 1) for every unit of every layer, with the fewest changes of side.

    A qubit that is in ``units`` at layer t-1 and t counts when its side changes; the
    units of each side fit ``caps`` qubits, and at most ``pair_caps`` of them are pairs
    (default ``caps // 2``; a side of QPUs with 3 data qubits each holds one pair per
    QPU). Layer by layer first (each layer's program given the one before), then sweeps
    of windows (see the module docstring); for at most
    :attr:`LayerSettings.both_ways_cells` (layer, qubit) cells also starting from the
    last layer, keeping the better.

    Examples:
        Two layers, sides of two: keeping (0, 1) on one side costs nothing.

        >>> split_layers([[(0, 1), (2, 3)], [(0, 1), (2,), (3,)]], (2, 2))
        [{0: 0, 1: 0, 2: 1, 3: 1}, {0: 0, 1: 0, 2: 1, 3: 1}]
    """
    limits = (caps, pair_caps or (caps[0] // 2, caps[1] // 2))
    sides = _search(units, limits, settings)
    cells = sum(len(unit) for layer in units for unit in layer)
    if cells <= settings.both_ways_cells:  # also from the last layer back; keep the better
        backward = _search(units[::-1], limits, settings)[::-1]
        if _changes(units, backward, 0, len(units)) < _changes(units, sides, 0, len(units)):
            sides = backward
    return sides


Limits = tuple[tuple[int, int], tuple[int, int]]  # (qubits per side, pairs per side)


def _search(units: Sequence[Sequence[Unit]], limits: Limits,
            settings: LayerSettings) -> list[Side]:
    """Layer-by-layer start, then the window sweeps.

    A window's program reads only the layers just outside it, so a window whose
    neighbours have not changed since it was last solved gets its earlier solution
    (``solved``), not a second solve of the same program.
    """
    sides: list[Side | None] = [None] * len(units)
    for t in range(len(units)):
        first = _window(units, sides, t, 1, limits, settings.node_limit)
        if first is None:
            raise NoFit(f"no split of layer {t}'s units fits sides of {limits[0]} qubits")
        sides[t] = first[0]
    done: list[Side] = [s for s in sides if s is not None]
    best = _changes(units, done, 0, len(units))
    step = max(1, settings.window // 2)
    solved: dict[tuple, list[Side] | None] = {}
    for _ in range(settings.sweeps):
        for start in range(0, len(units), step):
            key = (start, _frozen(done, start - 1), _frozen(done, start + settings.window))
            if key not in solved:
                solved[key] = _window(units, done, start, settings.window, limits,
                                      settings.node_limit)
            new = solved[key]
            if new is None:  # no split within the node limit: the layers stay
                continue
            end = start + len(new)
            trial = done[:start] + new + done[end:]
            if _changes(units, trial, start, end) < _changes(units, done, start, end):
                done = trial
        total = _changes(units, done, 0, len(units))
        if total >= best:
            break
        best = total
    return done


def _frozen(sides: Sequence[Side], t: int) -> tuple[tuple[int, int], ...] | None:
    """Layer ``t``'s sides as a key (``None`` outside the layers)."""
    return tuple(sorted(sides[t].items())) if 0 <= t < len(sides) else None


def _changes(units: Sequence[Sequence[Unit]], sides: Sequence[Side], start: int,
             end: int) -> int:
    """Changes of side between layers start-1 .. end (clipped to the layers)."""
    total = 0
    for t in range(max(1, start), min(len(sides), end + 1)):
        before, now = sides[t - 1], sides[t]
        total += sum(1 for q, s in now.items() if q in before and before[q] != s)
    return total


def _window(units: Sequence[Sequence[Unit]], sides: Sequence[Side | None], start: int,
            width: int, limits: Limits, node_limit: int) -> list[Side] | None:
    """Layers start .. start+width-1 re-solved exactly, the others as in ``sides``
    (``None`` when HiGHS finds no split within ``node_limit`` nodes).

    Variables: z (unit on side 1) for each unit of the window's layers, then y ≥ |z - z'|
    for each qubit in consecutive window layers. A change against a fixed neighbour
    layer is linear in z.
    """
    caps, pair_caps = limits
    layers = range(start, min(len(units), start + width))
    index: list[dict[int, int]] = []  # per window layer: qubit -> z variable
    starts: list[int] = []  # per window layer: z variable of its first unit
    count = 0
    for t in layers:
        starts.append(count)
        index.append({q: count + u for u, unit in enumerate(units[t]) for q in unit})
        count += len(units[t])
    cost = [0.0] * count
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def constraint(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        for col, val in entries:
            rows.append(len(lower))
            cols.append(col)
            vals.append(val)
        lower.append(lo)
        upper.append(hi)

    if not count:  # no qubit in these layers on this side of the split
        return [{} for _ in layers]
    if start == 0:
        cost[0] += 0.5  # the first unit on side 0 (breaks the mirror symmetry; < 1 change)
    for i, t in enumerate(layers):
        sizes = [(starts[i] + u, float(len(unit))) for u, unit in enumerate(units[t])]
        total = sum(len(unit) for unit in units[t])
        constraint(sizes, total - caps[0], caps[1])
        pairs = [(z, 1.0) for z, size in sizes if size == 2]
        constraint(pairs, len(pairs) - pair_caps[0], pair_caps[1])
        fixed = [] if i > 0 else ([sides[t - 1]] if t > 0 else [])
        if i == len(layers) - 1 and t + 1 < len(units):
            fixed.append(sides[t + 1])
        for neighbour in fixed:
            if neighbour is None:
                continue
            for q, z in index[i].items():
                if q in neighbour:  # |z - s| = z if s = 0, 1 - z if s = 1
                    cost[z] += 1.0 if neighbour[q] == 0 else -1.0
        if i > 0:
            for q, z in index[i].items():
                if q in index[i - 1]:
                    y = len(cost)
                    cost.append(1.0)
                    z0 = index[i - 1][q]
                    constraint([(y, 1.0), (z, -1.0), (z0, 1.0)], 0.0, np.inf)
                    constraint([(y, 1.0), (z, 1.0), (z0, -1.0)], 0.0, np.inf)
    n = len(cost)
    integrality = np.zeros(n)
    integrality[:count] = 1
    matrix = sp.csr_array((vals, (rows, cols)), shape=(len(lower), n))
    result = milp(np.array(cost), constraints=LinearConstraint(matrix, lower, upper),
                  integrality=integrality, bounds=Bounds(np.zeros(n), np.ones(n)),
                  options={"node_limit": node_limit})
    if result.x is None:
        return None
    x = np.round(result.x[:count]).astype(int)
    return [{q: int(x[z]) for q, z in index[i].items()} for i in range(len(index))]
