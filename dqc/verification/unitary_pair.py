"""Both circuits of a compile as unitaries of one width: the pair the exact checks prove.

The exact non-Clifford checks (:mod:`dqc.verification.pauli_check`,
:mod:`dqc.verification.qcec_check`) compare unitary circuits, so both circuits are first
rewritten into unitary ones of the same width ``W`` (:func:`defer_pair`):

* qubits ``0 .. n-1`` hold the input's qubits (the compiled circuit's physical qubit
  ``initial_layout[i]`` becomes qubit ``i``); then ``A`` auxiliary qubits for the
  input's own mid-circuit measurements (``CX q aux``) and data resets (``SWAP q aux``),
  keyed as in :mod:`dqc.verification.deferral`; then one fresh qubit per *life* of a
  compiled qubit: a comm qubit or spare slot at its first use, and again after each
  reset, since a reset starts a fresh qubit.
* a protocol measurement (teleport register) is deferred: its bit names the measured
  life, and ``if (bit) { P }`` becomes the controlled ``P`` (the deferred-measurement
  principle). A qubit acted on again after its measurement (before any reset) is first
  copied onto a fresh qubit with a ``CX``, and the copy is the control.
* final measurements (the last operation on their qubit) into the input's bits are
  compared as a map — bit ``c`` gets input qubit ``q`` in both, in the same order — and
  removed; ``epr`` becomes ``H; CX``; barriers go.
* every measured life gets an ``H`` at the end, and the compiled circuit ends with
  swaps that bring input qubit ``i`` (at ``final_layout[i]``) to qubit ``i``.

The checks are told that qubits ``n .. W-1`` are *ancillary* (start in ``|0>``) and none is
garbage, and checks ``V |x, 0> = U |x, 0>`` for every ``x``: the compiled circuit's
isometry equals the input's, ancillary outputs included.

**Why that proves the compile.** Deferring measurements and replacing classical control
by quantum control is exact for the channel once the measured qubits are traced out;
the input's deferral is the one the other methods use. If ``V = (U ⊗ 1)`` on ancilla
``|0>`` with every ancilla output ``|0>`` (including the ``H``-rotated measured lives),
then tracing out the comm lives and the measured qubits leaves exactly the input's
channel: the compiled circuit is equivalent, for every outcome of its own measurements.
The check asks for *more* than equivalence — that every measured life ends in ``|+>``
(which it does in teleportation and the cat-entangler/disentangler, where each
measurement outcome is uniform and independent of the data), so a "not equivalent"
answer names a real difference only when the input has no mid-circuit measurement or
reset and no measured qubit had to be copied. Otherwise it is reported as no proof, and
the caller falls back: once the input measures mid-circuit, a protocol measurement can
read a qubit entangled with the input's deferred outcomes, its life does not end in
``|+>``, and the stricter check fails on a correct output (fuzz case 2026006096 without
its ``if``: QCEC said "not equivalent", statevector simulation and Aer sampling agree).
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from qiskit import QuantumCircuit
from qiskit.circuit import Clbit, Gate

from dqc.estimation.report import Report
from dqc.verification.deferral import Wires, deferred_events, input_clbits
from dqc.verification.simulate import matched_final_measurements

__all__ = ["Deferred", "NotProved", "defer_pair"]

_SKIPPED = ("barrier", "delay")


class NotProved(Exception):
    """An exact check gave no proof (no information, a timeout, a circuit it cannot take)."""


@dataclass
class Deferred:
    """The unitary pair handed to QCEC (:func:`defer_pair`).

    Attributes:
        original: the input, deferred, on ``width`` qubits.
        compiled: the compiled circuit, deferred, on ``width`` qubits.
        inputs: ``n``, the input's qubits (the first ``n``).
        aux: auxiliary qubits of the input's deferred measurements and resets (next).
        copies: measured qubits acted on again, copied before use as a control.
        measured: measured lives given a final ``H``.
        ancillas: the qubits that start in ``|0>`` (all but the input's).
        aux_qubits: those of ``ancillas`` that hold the input's deferred measurements and
            resets (the first ``aux`` after the input's, before relabelling).
    """

    original: QuantumCircuit
    compiled: QuantumCircuit
    inputs: int
    aux: int
    copies: int = 0
    measured: int = 0
    ancillas: list[int] = field(default_factory=list)
    aux_qubits: list[int] = field(default_factory=list)

    @property
    def width(self) -> int:
        return self.compiled.num_qubits


def defer_pair(unrolled: QuantumCircuit, compiled: QuantumCircuit, rep: Report) -> Deferred:
    """Both circuits as unitaries of the same width (module docstring); raises
    :class:`~dqc.errors.VerificationError` when the final measurements differ and
    :class:`NotProved` for what cannot be rewritten.

    Examples:
        >>> import dqc
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.t(1)
        >>> res = dqc.compile(qc, dqc.Network.line(2, data_qubits=1))
        >>> pair = defer_pair(qc, res.circuit, res.report)
        >>> pair.inputs, pair.aux, pair.width, pair.measured
        (2, 0, 4, 2)
        >>> sorted(pair.compiled.count_ops().items())
        [('cx', 5), ('h', 7), ('t', 1)]
    """
    finals_o, finals_c = matched_final_measurements(unrolled, compiled, rep)
    keys = deferred_events(unrolled, finals_o)
    n = unrolled.num_qubits
    aux = {key: n + k for k, key in enumerate(keys)}
    builder = _CompiledDeferral(compiled, rep, n, aux, input_clbits(unrolled, compiled),
                                set(finals_c))
    out = builder.run()
    order = _aligned_order(unrolled, compiled, rep)
    original, ends = _defer_original(unrolled, aux, finals_o, out.num_qubits, order)
    for a, b in _permutation_swaps(builder.ends, ends, out.num_qubits):
        out.swap(a, b)
    position = _interleaved(out, n)
    return Deferred(_relabelled(original, position), _relabelled(out, position), n, len(keys),
                    builder.copies, len(builder.measured),
                    sorted(position[q] for q in range(n, out.num_qubits)),
                    sorted(position[q] for q in range(n, n + len(keys))))


def _interleaved(circuit: QuantumCircuit, n: int) -> list[int]:
    """New position of each qubit: every ancilla right after the input qubit it first
    meets (through other ancillas, e.g. both halves of an ``epr``).

    Decision diagrams order their levels by qubit: a comm qubit holding a copy of input
    qubit ``c`` next to ``c`` keeps the correlation local (QFT-29 on 4 QPUs: past 60 s
    with every ancilla above the inputs). Relabelling both circuits alike changes nothing
    else.

    Examples:
        >>> qc = QuantumCircuit(4); _ = qc.h(2); _ = qc.cx(2, 3); _ = qc.cx(0, 2)
        >>> _interleaved(qc, 2)
        [0, 3, 1, 2]
    """
    parent = list(range(circuit.num_qubits))

    def root(q: int) -> int:
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    anchor: dict[int, int] = {q: q for q in range(n)}  # group root -> input qubit
    for inst in circuit.data:
        roots = {root(circuit.find_bit(q).index) for q in inst.qubits}
        known = sorted(anchor[r] for r in roots if r in anchor)
        merged = min(roots)
        for r in roots:
            if r not in anchor:
                parent[r] = merged
        if known and merged not in anchor:
            anchor[merged] = known[0]
    key = {q: (anchor.get(root(q), n), q >= n, q) for q in range(circuit.num_qubits)}
    order = sorted(range(circuit.num_qubits), key=key.__getitem__)
    position = [0] * circuit.num_qubits
    for new, old in enumerate(order):
        position[old] = new
    return position


def _relabelled(circuit: QuantumCircuit, position: list[int]) -> QuantumCircuit:
    out = QuantumCircuit(circuit.num_qubits, global_phase=circuit.global_phase)
    for inst in circuit.data:
        out.append(inst.operation, [position[circuit.find_bit(q).index] for q in inst.qubits])
    return out


def _defer_original(unrolled: QuantumCircuit, aux: dict, finals: dict[int, int],
                    width: int, order: list[int]) -> tuple[QuantumCircuit, list[int]]:
    """The input with its measurements and resets deferred onto ``aux``, ``width`` wide,
    its instructions taken in ``order`` (a topological order of its DAG), its swaps
    elided by relabelling; and the qubit where each input qubit ends."""
    out = QuantumCircuit(width, global_phase=unrolled.global_phase)
    writes: Counter[int] = Counter()
    resets: Counter[int] = Counter()
    at = list(range(unrolled.num_qubits))  # input qubit -> qcec qubit holding its content
    for i in order:
        inst = unrolled.data[i]
        name = inst.operation.name
        qs = [unrolled.find_bit(q).index for q in inst.qubits]
        if name in _SKIPPED or i in finals:
            continue
        if name == "measure":
            c = unrolled.find_bit(inst.clbits[0]).index
            out.cx(at[qs[0]], aux[("measure", c, writes[c])])
            writes[c] += 1
        elif name == "reset":
            wire = at[qs[0]]  # the wire a qubit holds is where its content started
            out.swap(wire, aux[("reset", wire, resets[wire])])
            resets[wire] += 1
        elif name == "swap":
            at[qs[0]], at[qs[1]] = at[qs[1]], at[qs[0]]
        elif isinstance(inst.operation, Gate) and not inst.clbits:
            out.append(inst.operation, [at[q] for q in qs])
        else:
            raise NotProved(f"the input has a '{name}', which QCEC cannot take")
    return out, at


@dataclass
class _CompiledDeferral:
    """Rewrite the compiled circuit (module docstring); :meth:`run` returns it."""

    circuit: QuantumCircuit
    rep: Report
    n: int
    aux: dict
    in_bits: dict[Clbit, int]
    finals: set[int]  # indices of the final measurements (skipped: deferred to the end)
    ops: list = field(default_factory=list)  # (operation, qcec qubits)
    life: dict[int, int] = field(default_factory=dict)  # physical qubit -> qcec qubit now
    fresh: set[int] = field(default_factory=set)  # qcec qubits not acted on yet
    control: dict[Clbit, int] = field(default_factory=dict)  # protocol bit -> qcec qubit
    measured: set[int] = field(default_factory=set)
    copies: int = 0
    width: int = 0
    ends: list[int] = field(default_factory=list)  # qcec qubit of each input qubit at the end

    def run(self) -> QuantumCircuit:
        c, rep = self.circuit, self.rep
        self.life = {p: i for i, p in enumerate(rep.initial_layout)}
        self.width = self.n + len(self.aux)
        in_bits = self.in_bits
        finals = self.finals
        touched_after = _touched_after_measurement(c)
        wires = Wires({p: i for i, p in enumerate(rep.initial_layout)}, rep.teleports)
        writes: Counter[int] = Counter()
        resets: Counter[int] = Counter()
        for i, inst in enumerate(c.data):
            name = inst.operation.name
            ps = [c.find_bit(q).index for q in inst.qubits]
            if name in _SKIPPED or i in finals:
                continue
            if name == "measure" and inst.clbits[0] in in_bits:
                b = in_bits[inst.clbits[0]]
                self._gate_cx(ps[0], self._aux(("measure", b, writes[b])))
                writes[b] += 1
            elif name == "measure":
                wires.measured(ps[0])
                self._protocol_measure(ps[0], inst.clbits[0], i in touched_after)
            elif name == "reset":
                w = wires.wire(ps[0])
                if w is None:
                    self._new_life(ps[0])
                else:
                    self._append_swap(ps[0], self._aux(("reset", w, resets[w])))
                    resets[w] += 1
            elif name == "if_else":
                self._conditional(inst, ps, in_bits)
            elif name == "epr":
                self._append(_std("h"), [self._q(ps[0])])
                self._append(_std("cx"), [self._q(ps[0]), self._q(ps[1])])
            elif name == "swap":
                wires.swap(*ps)
                self._relabel_swap(*ps)
            elif isinstance(inst.operation, Gate) and not inst.clbits:
                self._append(inst.operation, [self._q(p) for p in ps])
            else:
                raise NotProved(f"the compiled circuit has a '{name}', which QCEC cannot take")
        return self._finish(c)

    # qubits and lives
    def _alloc(self) -> int:
        self.width += 1
        return self.width - 1

    def _peek(self, p: int) -> int:
        """The qcec qubit of physical qubit ``p`` now (a fresh one if it has none yet)."""
        if p not in self.life:
            self.life[p] = self._alloc()
            self.fresh.add(self.life[p])
        return self.life[p]

    def _q(self, p: int) -> int:
        """:meth:`_peek`, for an operation that acts on the qubit."""
        q = self._peek(p)
        self.fresh.discard(q)
        return q

    def _new_life(self, p: int) -> None:
        if self._peek(p) in self.fresh:
            return  # a reset of an untouched |0>
        self.life[p] = self._alloc()
        self.fresh.add(self.life[p])

    def _relabel_swap(self, a: int, b: int) -> None:
        """A ``swap`` gate, elided: the two physical qubits exchange their qcec qubits."""
        qa, qb = self._peek(a), self._peek(b)
        self.life[a], self.life[b] = qb, qa

    def _aux(self, key: tuple) -> int:
        if key not in self.aux:
            raise NotProved(f"the compiled circuit has a {key[0]} event {key[1:]} the input's "
                            "deferral does not have")
        return self.aux[key]

    # operations
    def _append(self, op, qubits: list[int]) -> None:
        self.ops.append((op, qubits))

    def _gate_cx(self, p: int, target: int) -> None:
        self._append(_std("cx"), [self._q(p), target])

    def _append_swap(self, p: int, target: int) -> None:
        self._append(_std("swap"), [self._q(p), target])

    def _protocol_measure(self, p: int, bit: Clbit, touched: bool) -> None:
        q = self._q(p)
        if touched:
            copy = self._alloc()
            self._append(_std("cx"), [q, copy])
            self.control[bit] = copy
            self.copies += 1
        else:
            self.control[bit] = q
            self.measured.add(q)

    def _conditional(self, inst, ps: list[int], in_bits: dict) -> None:
        op = inst.operation
        condition = op.condition
        if (len(op.blocks) != 1 or not isinstance(condition, tuple)
                or not isinstance(condition[0], Clbit) or condition[0] in in_bits):
            raise NotProved("a condition other than if (protocol bit) without else")
        bit, value = condition[0], int(condition[1])
        body = op.blocks[0]
        targets = [[self._q(ps[body.find_bit(q).index]) for q in b.qubits] for b in body.data]
        if bit not in self.control:  # never written: reads 0
            if value == 0:
                for b, qs in zip(body.data, targets):
                    self._append(b.operation, qs)
            return
        ctrl = self.control[bit]
        for b, qs in zip(body.data, targets):
            if not isinstance(b.operation, Gate) or b.clbits:
                raise NotProved(f"a conditional '{b.operation.name}', which QCEC cannot take")
            self._append(b.operation.control(1, ctrl_state=value), [ctrl, *qs])

    def _finish(self, c: QuantumCircuit) -> QuantumCircuit:
        """The circuit, measured lives rotated back; :attr:`ends` says where each input
        qubit ends."""
        out = QuantumCircuit(self.width, global_phase=c.global_phase)
        for op, qs in self.ops:
            out.append(op, qs)
        for q in sorted(self.measured):
            out.h(q)
        self.ends = [self.life[p] for p in self.rep.final_layout]
        return out


def _std(name: str) -> Gate:
    from qiskit.circuit.library import CXGate, HGate, SwapGate

    return {"h": HGate(), "cx": CXGate(), "swap": SwapGate()}[name]


def _aligned_order(unrolled: QuantumCircuit, compiled: QuantumCircuit, rep: Report
                   ) -> list[int]:
    """A topological order of the input's instructions that follows the compiled circuit.

    Any topological order of a circuit's DAG is the same circuit, so this only helps
    QCEC's alternating checker keep ``G · G'^-1`` near the identity: each compiled gate on
    a qubit holding an input wire claims the earliest unclaimed input gate of the same name
    on that wire, and the input is then emitted in the order of its claims (Kahn's
    algorithm; unclaimed gates as early as their predecessors allow).
    """
    pending: dict[tuple[str, int], deque[int]] = defaultdict(deque)
    for i, inst in enumerate(unrolled.data):
        for q in inst.qubits:
            pending[(inst.operation.name, unrolled.find_bit(q).index)].append(i)
    rank = [-1] * len(unrolled.data)
    wires = Wires({p: i for i, p in enumerate(rep.initial_layout)}, rep.teleports)
    claimed = 0
    for inst in compiled.data:
        name = inst.operation.name
        ps = [compiled.find_bit(q).index for q in inst.qubits]
        if name == "swap":
            wires.swap(*ps)
        held = [w for w in map(wires.wire, ps) if w is not None]
        if name == "measure":
            if _is_protocol(compiled, inst.clbits[0], rep):
                wires.measured(ps[0])
            continue
        for w in held[:1]:
            queue = pending[(name, w)]
            while queue and rank[queue[0]] >= 0:
                queue.popleft()
            if queue:
                claimed += 1
                rank[queue.popleft()] = claimed
    return _kahn(unrolled, rank)


def _is_protocol(circuit: QuantumCircuit, bit: Clbit, rep: Report) -> bool:
    registers = circuit.find_bit(bit).registers
    return bool(registers) and registers[0][0].name == rep.teleport_register


def _kahn(circuit: QuantumCircuit, rank: list[int]) -> list[int]:
    """Instructions in a topological order (wires: qubits and clbits), smallest rank first;
    unranked (-1) instructions go as soon as they are ready."""
    last: dict = {}
    succ: list[list[int]] = [[] for _ in circuit.data]
    indeg = [0] * len(circuit.data)
    for i, inst in enumerate(circuit.data):
        for bit in (*inst.qubits, *inst.clbits):
            if bit in last:
                succ[last[bit]].append(i)
                indeg[i] += 1
            last[bit] = i
    ready = [(rank[i], i) for i in range(len(indeg)) if indeg[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for k in succ[i]:
            indeg[k] -= 1
            if indeg[k] == 0:
                heapq.heappush(ready, (rank[k], k))
    return order


def _touched_after_measurement(circuit: QuantumCircuit) -> set[int]:
    """Indices of measurements whose qubit is acted on again before any reset of it."""
    touched: set[int] = set()
    nxt: dict[int, str] = {}  # physical qubit -> name of the next operation on it
    for i in range(len(circuit.data) - 1, -1, -1):
        inst = circuit.data[i]
        name = inst.operation.name
        if name in _SKIPPED:
            continue
        ps = [circuit.find_bit(q).index for q in inst.qubits]
        if name == "measure" and nxt.get(ps[0], "reset") != "reset":
            touched.add(i)
        for p in ps:
            nxt[p] = name
    return touched


def _permutation_swaps(source: list[int], target: list[int], width: int
                       ) -> list[tuple[int, int]]:
    """Swaps that bring the qubit at ``source[i]`` to ``target[i]``, for every ``i``.

    Examples:
        >>> _permutation_swaps([2, 0], [0, 1], 3)
        [(0, 2), (1, 2)]
        >>> _permutation_swaps([1, 0], [1, 0], 2)
        []
    """
    at = list(range(width))  # at[position] = original qubit there now
    where = list(range(width))  # where[original qubit] = its position now
    swaps = []
    for s, t in zip(source, target):
        pos = where[s]
        if pos == t:
            continue
        swaps.append((min(t, pos), max(t, pos)))
        other = at[t]
        at[t], at[pos] = s, other
        where[s], where[other] = t, pos
    return swaps
