"""The distribution builder: walk a partitioned circuit and emit it onto the network's qubits.

Every two-qubit gate between QPUs becomes a *telegate*: the Z-basis value of a
qubit on which the gate is diagonal (its *carrier*) is cat-entangled onto a comm
qubit of the other QPU, the gate runs there, and the copy is cat-disentangled
when the carrier's segment ends.  Pictured for ``cx(a, b)`` with ``a`` on QPU A
and ``b`` on QPU B (``mA``, ``mB`` comm qubits)::

    A:  a ──■──────────────────────────────── Z^s2 ─
    A: mA ─[epr]─⊕─ M=s1
    B: mB ─[epr]──── X^s1 ──■── H ─ M=s2
    B:  b ──────────────────⊕────────────────────────

Between QPUs with no direct link the Bell pair is built by entanglement
swapping along a shortest path. :func:`distribute` runs one distribution (with
re-planning when comm qubits run short); :class:`~dqc.passes.DistributeGates` is the
pass around it.

References:
    Eisert, Jacobs, Papadopoulos, Plenio, "Optimal local implementation of
    nonlocal quantum gates", PRA 62, 052317 (2000).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from qiskit.circuit import (
    ClassicalRegister,
    Clbit,
    Instruction,
    QuantumRegister,
)
from qiskit.circuit.library import (
    Barrier,
    CXGate,
    HGate,
    Measure,
    Reset,
    SwapGate,
    XGate,
    ZGate,
)
from qiskit.dagcircuit import DAGCircuit

from dqc.errors import CapacityError, plural
from dqc.gates import BLOCKS, EPRGate
from dqc.network import Network
from dqc.plan.comm_capacity import (
    CommProblem,
    embedding_mirrors,
    fit_carriers,
    lazy_order,
    planned_uses,
    walk_ranks,
)
from dqc.plan.cost_model import (
    SegmentCounter,
    TwoQubitGate,
    _diagonals,
    _node_diagonals,
    plan_carriers,
    two_qubit_gates,
)
from dqc.plan.embedding import EmbeddingPlan
from dqc.plan.emitted import Emitted
from dqc.plan.epr_order import late_epr_order, put_off
from dqc.plan.lives import Lives
from dqc.plan.teledata import Move, Timeline, time_sliced_cost
from dqc.plan.weighted_cover import lifetime_weights


@dataclass(frozen=True)
class DistributedLayout:
    """Where things are in a distributed circuit.

    Attributes:
        qubit_qpu: QPU name of every output qubit.
        comm_qubits: indices of the output qubits that are comm qubits.
        initial_layout: for input qubit i, the output qubit holding it at the start.
        final_layout: for input qubit i, the output qubit holding it at the end.
        teleport_register: name of the classical register of the protocol's measurements.
        teleports: ``(from, to)`` output qubits of every teledata move, in circuit
            order: the state on ``from`` goes to comm qubit ``to`` at ``from``'s next
            measurement into the teleport register (then usually a ``swap`` brings it
            into a free data qubit). Verification follows wires through these.
        births: ``(q, p, j)``: with reuse (:mod:`dqc.plan.lives`), input qubit q starts on
            output qubit p right after the j-th ``reset`` of p (counted from 1 in circuit
            order), not at the start (where p holds another qubit, or none).
        deaths: ``(q, p, j)``: input qubit q ends on output qubit p after its j-th
            ``reset`` (0: before any); the next reset of p starts another qubit's life.
    """

    qubit_qpu: tuple[str, ...]
    comm_qubits: tuple[int, ...]
    initial_layout: tuple[int, ...]
    final_layout: tuple[int, ...]
    teleport_register: str
    teleports: tuple[tuple[int, int], ...] = ()
    births: tuple[tuple[int, int, int], ...] = ()
    deaths: tuple[tuple[int, int, int], ...] = ()


_FREE, _DIRTY, _HOLD, _PARK = 0, 1, 2, 3  # comm qubit states; _PARK: holds a moving qubit
_EPR = EPRGate()
_MEASURE = Measure()
_H, _X, _Z, _CX, _SWAP = HGate(), XGate(), ZGate(), CXGate(), SwapGate()


#: Largest circuit (two-qubit gates) for which DistributeGates re-plans carriers.
MAX_REPLAN_GATES = 5_000


Diagonals = tuple[tuple[int, ...], tuple[int, ...]]  # Z- and X-diagonal positions


class _Operations:
    """A DAG node's operation and its diagonal positions, one object for every standard
    gate of the same name, parameters and label (``node.op`` builds a new Python gate on
    each read: 15 µs for a controlled phase; the output shares the objects, as it may)."""

    def __init__(self) -> None:
        self.made: dict[tuple, tuple[Instruction, Diagonals]] = {}

    def __call__(self, node) -> tuple[Instruction, Diagonals]:
        if not node.is_standard_gate():
            op = node.op
            return op, _diagonals(op)
        key = (node.name, tuple(node.params), node.label)
        known = self.made.get(key)
        if known is None:
            known = self.made[key] = (node.op, _node_diagonals(node))
        return known


def distribute(network: Network, dag: DAGCircuit, partition: tuple[str, ...],
               permutation: tuple[int, ...] | None = None, moves: tuple[Move, ...] = (), *,
               replans: int = 3, emit: bool = True, embedding: EmbeddingPlan | None = None,
               gates: list[TwoQubitGate] | None = None, fit: bool = True,
               timeline: Timeline | None = None, lives: Lives | None = None
               ) -> tuple[Builder, Emitted | None]:
    """One distribution with re-planning (see :class:`~dqc.passes.DistributeGates`); the
    cheapest run.

    Re-planning runs for circuits of at most :data:`MAX_REPLAN_GATES` two-qubit gates
    (each try is a full walk), and once beyond where evictions more than double the
    planned ebits. The second value is the run's :class:`~dqc.plan.emitted.Emitted`
    (``.circuit()`` builds the circuit); with ``emit=False`` (a dry run), ``None``.
    ``embedding``: segments through flips (:mod:`dqc.plan.embedding`; with moves, planned on
    their stays by :mod:`dqc.plan.teledata_embedding`). ``gates``: ``two_qubit_gates(dag)``,
    if at hand. ``fit``: when copies are still evicted, also try carriers and a walk order
    fitted to the comm qubits (:func:`fit_to_comm`; not with moves). ``timeline``:
    ``Timeline.of(dag)``, if at hand (with moves). ``lives``: reuse data qubits
    (:mod:`dqc.plan.lives`): QPUs may hold more qubits than data qubits over the circuit,
    as long as no more are alive at once.
    """
    permutation = permutation or tuple(range(dag.num_qubits()))
    if gates is None:
        gates = two_qubit_gates(dag)
    builder = Builder(network, dag, gates, partition, permutation, moves, embedding=embedding,
                      timeline=timeline, lives=lives)
    builder.build()
    if builder.num_two_qubit_gates > MAX_REPLAN_GATES:
        # one retry where evictions more than double the plan (a QFT-150 on 8 QPUs with 2
        # comm qubits: 7,586 ebits without it, 518 with it)
        replans = 1 if builder.total_ebits() > 2 * builder.planned_ebits else 0
    weights: dict[tuple, int] = {}
    for _ in range(replans):
        if builder.total_ebits() <= builder.planned_ebits:
            break  # no eviction cost: the plan is met
        for key, count in builder.opens.items():
            weights[key] = max(weights.get(key, 1), count)
        retry = Builder(network, dag, gates, partition, permutation, moves,
                        weight=lambda v, w=dict(weights): w.get(v, 1), embedding=embedding,
                        timeline=timeline, lives=lives)
        retry.build()
        if retry.total_ebits() >= builder.total_ebits():
            break  # (the same run's opens again: the next retry would be this one)
        builder = retry
    if replans and builder.total_ebits() > builder.planned_ebits and not moves:
        # one more try: prefer short-lived copies (they leave comm qubits free)
        life = lifetime_weights(embedding.gates if embedding is not None else gates,
                                builder.initial_qpus)
        retry = Builder(network, dag, gates, partition, permutation, moves,
                        weight=lambda v: life.get(v, 1.0), embedding=embedding, lives=lives)
        retry.build()
        if retry.total_ebits() < builder.total_ebits():
            builder = retry
    if fit and replans and builder.total_ebits() > builder.planned_ebits and not moves:
        builder = fit_to_comm(builder, embedding)
    return builder, builder.emitted() if emit else None


#: Simulations of the comm qubits (:func:`dqc.plan.comm_capacity.simulate`), times remote
#: gates, that two walk orders of :func:`fit_to_comm` may make (each order gets half).
FIT_WORK = 30_000


def fit_to_comm(builder: Builder, embedding: EmbeddingPlan | None) -> Builder:
    """``builder``'s circuit re-distributed with carriers and a walk order fitted to the
    comm qubits (:mod:`dqc.plan.comm_capacity`), when that emits fewer ebits; else
    ``builder``.

    The search runs on the exact replay of the comm qubits, in the plain walk order,
    in the order that opens copies as late as it can, and in that order when it also
    opens first the copies that find a comm qubit free on both QPUs (half of
    :data:`FIT_WORK` each); the best plan is distributed and kept only if it emits
    fewer ebits than ``builder`` did (on ties, the earlier order).
    """
    net, dag, walk = builder.net, builder.dag, builder.walk
    assert walk is not None
    gates = list(embedding.gates) if embedding is not None else builder.gates
    through = embedding.through if embedding is not None else frozenset()
    k = len(net.qpus)
    paths = {(a, b): tuple(builder._path(a, b)[0]) for a in range(k) for b in range(k) if a != b}
    comm = [qpu.comm_qubits for qpu in net.qpus]
    part = builder.initial_qpus
    lives = builder.lives  # (with reuse, every data qubit is free until a birth)
    spare = [qpu.data_qubits if lives is not None else max(0, qpu.data_qubits - part.count(k))
             for k, qpu in enumerate(net.qpus)]
    plain = CommProblem.of(gates, part, builder.dist, comm, embedding_mirrors(through, gates),
                           paths, spare=spare, lives=lives)
    if not plain.gates:
        return builder
    budget = max(4, FIT_WORK // len(plain.gates))
    start = {g.position: walk.carriers[g.position] for g in plain.gates}
    nodes = list(dag.topological_op_nodes())
    index = {node: i for i, node in enumerate(nodes)}
    preds = [[index[p] for p in dag.op_predecessors(node)] for node in nodes]
    candidates: list[tuple[CommProblem, tuple[int, ...] | None]] = [(plain, None)]
    for crowding in (False, True):
        order = lazy_order(preds, plain, start, crowding=crowding)
        rank = walk_ranks(order)
        candidates.append((CommProblem.of(gates, part, builder.dist, comm,
                                          embedding_mirrors(through, gates, rank), paths, rank,
                                          spare, lives), order))
    best: tuple[float, CommProblem, dict[int, int], tuple[int, ...] | None] | None = None
    for problem, walk_order in candidates:
        fitted = fit_carriers(problem, [start], max_evaluations=budget // 2)
        if best is None or fitted.ebits < best[0]:
            best = (fitted.ebits, problem, fitted.carriers, walk_order)
    assert best is not None
    ebits, problem, carriers, walk_order = best
    if ebits >= builder.total_ebits():
        return builder
    retry = Builder(net, dag, builder.gates, builder.partition, builder.permutation,
                    embedding=embedding,
                    fitted=FittedWalk(carriers, planned_uses(problem, carriers),
                                      builder.planned_ebits, walk_order), lives=builder.lives)
    retry.build()
    return retry if retry.total_ebits() < builder.total_ebits() else builder


@dataclass(frozen=True)
class OutputQubits:
    """The output circuit's qubits: per QPU in network order, its data register then its
    comm register (``<name>_comm``).

    Attributes:
        qregs: the registers, in that order.
        qubit_qpu: QPU name of every output qubit.
        comm_pool: per QPU, the indices of its comm qubits.
        data_start: per QPU, the index of its first data qubit.
    """

    qregs: tuple[QuantumRegister, ...]
    qubit_qpu: tuple[str, ...]
    comm_pool: tuple[tuple[int, ...], ...]
    data_start: tuple[int, ...]

    @classmethod
    def of(cls, network: Network) -> OutputQubits:
        """The output qubits of ``network``.

        Examples:
            >>> out = OutputQubits.of(Network.line(2, data_qubits=2, comm_qubits=1))
            >>> [r.name for r in out.qregs], out.comm_pool, out.data_start
            (['qpu0', 'qpu0_comm', 'qpu1', 'qpu1_comm'], ((2,), (5,)), (0, 3))
        """
        qregs: list[QuantumRegister] = []
        qubit_qpu: list[str] = []
        comm_pool, data_start = [], []
        for qpu in network.qpus:
            data_start.append(len(qubit_qpu))
            qregs.append(QuantumRegister(qpu.data_qubits, qpu.name))
            qubit_qpu += [qpu.name] * qpu.data_qubits
            start = len(qubit_qpu)
            if qpu.comm_qubits:
                qregs.append(QuantumRegister(qpu.comm_qubits, f"{qpu.name}_comm"))
            qubit_qpu += [qpu.name] * qpu.comm_qubits
            comm_pool.append(tuple(range(start, start + qpu.comm_qubits)))
        return cls(tuple(qregs), tuple(qubit_qpu), tuple(comm_pool), tuple(data_start))


def place_inputs(network: Network, partition: Sequence[str], out: OutputQubits
                 ) -> tuple[list[int], list[int], list[list[int]]]:
    """Input qubits onto data qubits, in order per QPU: (QPU index of each input qubit,
    its output qubit, per QPU the data qubits left free).

    Raises:
        CapacityError: a QPU gets more qubits than it has data qubits.
    """
    qpu_of = [network.index(name) for name in partition]
    used = [0] * len(network.qpus)
    slot: list[int] = []
    for k in qpu_of:
        if used[k] >= network.qpus[k].data_qubits:
            raise CapacityError(
                f"partition puts {used[k] + 1}+ qubits on QPU '{network.qpus[k].name}', "
                f"which holds {plural(network.qpus[k].data_qubits, 'data qubit')}"
            )
        slot.append(out.data_start[k] + used[k])
        used[k] += 1
    free = [list(range(out.data_start[k] + used[k], out.data_start[k] + qpu.data_qubits))
            for k, qpu in enumerate(network.qpus)]
    return qpu_of, slot, free


@dataclass(frozen=True)
class FittedWalk:
    """Carriers fitted to the comm qubits (:mod:`dqc.plan.comm_capacity`), for a walk in
    plain order without moves.

    Attributes:
        carriers: position of each remote gate -> the qubit that carries it.
        uses: the planned uses of every copy (see :class:`WalkPlan`), mirrors included.
        planned_ebits: the model of the plan it replaces (comm qubits unlimited).
        order: node indices in walk order (default: topological).
    """

    carriers: dict[int, int]
    uses: dict[tuple[int, str, int], list[tuple[int, int]]]
    planned_ebits: int
    order: tuple[int, ...] | None = None


@dataclass(frozen=True)
class WalkPlan:
    """What the walk follows: the order of operations, the moves and the carriers.

    Attributes:
        order: node indices in walk order (topological, or slice by slice with moves).
        rank: walk position of each node index.
        batches: walk position -> the moves ``(qubit, QPU)`` made just before it.
        carriers: position of each remote gate -> the qubit that carries it.
        planned_ebits: what the plan costs if no copy is evicted.
        uses: ``(qubit, basis, QPU)`` -> sorted ``(rank, segment)`` of the gates the plan
            gives that copy.
        move_ranks: per qubit, the walk positions of its moves.
    """

    order: tuple[int, ...]
    rank: tuple[int, ...]
    batches: dict[int, list[tuple[int, int]]]
    carriers: dict[int, int]
    planned_ebits: int
    uses: dict[tuple[int, str, int], list[tuple[int, int]]]
    move_ranks: list[list[int]]


class Builder:
    """One distribution run: the state of comm qubits, open copies and emitted ops.

    :meth:`build` walks the circuit (planned by :meth:`plan_walk`) and emits operations
    into ``ops``; :meth:`emitted` puts them in output order (``.circuit()`` builds it).
    """

    def __init__(self, network: Network, dag: DAGCircuit, gates: list[TwoQubitGate],
                 partition: tuple[str, ...], permutation: tuple[int, ...],
                 moves: tuple[Move, ...] = (), weight=None,
                 embedding: EmbeddingPlan | None = None,
                 fitted: FittedWalk | None = None, timeline: Timeline | None = None,
                 lives: Lives | None = None) -> None:
        n = dag.num_qubits()
        if len(partition) != n:
            raise CapacityError(f"partition has {plural(len(partition), 'entry', 'entries')} "
                                f"for {plural(n, 'qubit')}")
        # the input and how to plan it
        self.net, self.dag, self.gates, self.moves = network, dag, gates, moves
        self.timeline = timeline  # Timeline.of(dag), if at hand
        self.permutation = permutation
        self.partition = partition
        self.weight = weight  # copy -> weight: plan with plan_weighted (see DistributeGates)
        self.fitted = None if moves else fitted  # carriers fitted to the comm qubits
        # segments continue through these flips, mirrored onto open copies
        self.embedding = embedding
        self.mirrors: dict[int, list[tuple[int, str]]] = {}
        for position, q, basis in sorted(self.embedding.through if self.embedding else ()):
            self.mirrors.setdefault(position, []).append((q, basis))
        self.num_two_qubit_gates = len(gates)
        self.planned_ebits = 0
        self.walk: WalkPlan | None = None
        # where things are
        self.out = OutputQubits.of(network)
        # with lives (reuse), a qubit gets a data qubit at its birth and frees it at its death
        self.lives = lives
        self.waits = lives.prefix if lives is not None else ()  # gates waiting for a birth
        self.unborn: set[int] = set()
        self.dead: set[int] = set()
        self.waiting: dict[int, list[tuple]] = {}  # unborn qubit -> its waiting gates
        self.resets: Counter[int] = Counter()  # output qubit -> resets emitted on it
        self.births: list[tuple[int, int, int]] = []
        self.deaths: list[tuple[int, int, int]] = []
        if lives is None:
            self.qpu_of, self.slot, self.free_slots = place_inputs(network, partition, self.out)
        else:
            self.qpu_of = [network.index(name) for name in partition]
            self.slot = [-1] * n
            self.free_slots = [list(range(self.out.data_start[k],
                                          self.out.data_start[k] + qpu.data_qubits))
                               for k, qpu in enumerate(network.qpus)]
            self.unborn = set(range(n))
            self.waiting = {q: [] for q in range(n)}
        self.initial_qpus = tuple(self.qpu_of)
        self.dirty_slots: set[int] = set()  # data qubits left behind by a move (or a death)
        self.born_on = list(self.slot)  # where each qubit starts (with lives: set at birth)
        self.parked: list[list[int]] = [[] for _ in network.qpus]  # qubits waiting on comm
        # comm qubit -> (state, owner); owner of a held copy is (qubit, basis)
        self.state: dict[int, tuple[int, tuple]] = {
            m: (_FREE, ()) for p in self.out.comm_pool for m in p}
        # qubit -> {(basis, qpu): comm qubit holding its cat copy in that basis}
        self.copies: list[dict[tuple[str, int], int]] = [{} for _ in range(n)]
        self.segments = SegmentCounter(n, self.embedding.through if self.embedding else frozenset())
        self.clock = 0
        # what was emitted
        self.ops: list[tuple] = []
        self.comm_bit = {m: i for i, m in enumerate(m for p in self.out.comm_pool for m in p)}
        self.stow_bit: dict[int, int] = {}  # data qubit -> its bit, once it held a copy
        self.stowed = 0  # copies moved from a comm qubit into a free data qubit
        self.num_tele = 0  # size of the teleport register: one bit per comm qubit, if used
        self.ebits: Counter[tuple[int, int]] = Counter()
        self.opens: Counter[tuple[int, str, int, int]] = Counter()  # copy -> times opened
        self.remote_gates = 0
        self.teleports: list[tuple[int, int]] = []
        self.layout: DistributedLayout | None = None
        self.dist = network.distances()
        self.paths: dict[tuple[int, int], tuple[list[int], list[str]]] = {}  # see _path

    @property
    def comm_pool(self) -> tuple[tuple[int, ...], ...]:
        """Per QPU, its comm qubits."""
        return self.out.comm_pool

    @property
    def uses(self) -> dict[tuple[int, str, int], list[tuple[int, int]]]:
        """``(qubit, basis, QPU)`` -> the planned uses of that copy (see :class:`WalkPlan`)."""
        return self.walk.uses if self.walk is not None else {}

    @property
    def move_ranks(self) -> list[list[int]]:
        """Per qubit, the walk positions of its moves."""
        return self.walk.move_ranks if self.walk is not None else []

    # ----- emitting -------------------------------------------------------
    def emit(self, op: Instruction, qubits: tuple[int, ...], clbits: tuple = ()) -> None:
        if op.name == "reset":
            self.resets[qubits[0]] += 1
        self.ops.append(("op", op, qubits, clbits))

    def measure_tele(self, qubit: int) -> int:
        """Measure comm qubit ``qubit`` into its own bit of the teleport register."""
        bit = self.comm_bit.get(qubit)
        if bit is None:  # a stowed copy's data qubit: a bit of its own
            bit = self.stow_bit.setdefault(qubit, len(self.comm_bit) + len(self.stow_bit))
        self.num_tele = len(self.comm_bit) + len(self.stow_bit)
        self.ops.append(("op", _MEASURE, (qubit,), (("tele", bit),)))
        return bit

    def if_bit(self, bit: int, gate: Instruction, qubit: int) -> None:
        self.ops.append(("if", bit, gate, qubit))

    # ----- comm qubits ----------------------------------------------------
    def alloc(self, k: int, protect: set[int], why: str) -> int:
        pool = self.comm_pool[k]
        name = self.net.qpus[k].name
        if not pool:
            raise CapacityError(
                f"QPU '{name}' has 0 comm qubits but {why} needs one; give it at least 1 "
                "(e.g. --comm-qubits 1)"
            )
        free = [m for m in pool if self.state[m][0] in (_FREE, _DIRTY) and m not in protect]
        if not free:
            held = [m for m in pool if self.state[m][0] == _HOLD and m not in protect]
            if not held:
                parked = len(self.parked[k])
                also = f" (with {parked} holding a moving qubit)" if parked else ""
                raise CapacityError(
                    f"QPU '{name}' has {plural(len(pool), 'comm qubit')} "
                    f"but {why} needs {len(protect & set(pool)) + parked + 1} at once{also}"
                )
            # Belady: evict the copy whose next planned use is farthest away; stow it in
            # a free data qubit when it has one ahead, else close it
            victim = max(held, key=lambda m: (self.next_use(*self.state[m][1], k), -m))  # type: ignore[call-arg]
            q, basis = self.state[victim][1]
            if self.free_slots[k] and not self.moves and self.next_use(q, basis, k) < math.inf:
                self.stow(victim, k)
            else:
                self.close_copy(q, basis, k)
            free = [victim]
        fresh = [m for m in free if self.state[m][0] == _FREE]
        m = fresh[0] if fresh else free[0]
        if self.state[m][0] == _DIRTY:
            self.emit(Reset(), (m,))
        self.state[m] = (_DIRTY, ())  # in use by the caller from here on
        protect.add(m)
        return m

    def stow(self, m: int, k: int) -> None:
        """Move the copy held by comm qubit ``m`` of QPU k into a free data qubit there
        (two CX: the data qubit starts in |0>). The copy stays open and its gates run on
        the data qubit, all local: no ebit."""
        s = self.free_slots[k].pop(0)
        if s in self.dirty_slots:
            self.emit(Reset(), (s,))
            self.dirty_slots.discard(s)
        self.emit(_CX, (m, s))
        self.emit(_CX, (s, m))
        q, basis = self.state[m][1]
        self.copies[q][(basis, k)] = s
        self.state[m] = (_DIRTY, ())  # (|0> already, but reset before its next Bell pair)
        self.stowed += 1

    def bell_pair(self, a: int, b: int, protect: set[int]) -> tuple[int, int]:
        """Comm qubits (on QPU a, on QPU b) holding |Φ+>, swapped along a shortest path."""
        path, names = self._path(a, b)
        why = f"a Bell pair between '{names[0]}' and '{names[-1]}'"
        first = self.alloc(path[0], protect, why)
        near = self.alloc(path[1], protect, why)
        self.emit(_EPR, (first, near))
        self._count(path[0], path[1])
        for hop in range(1, len(path) - 1):
            why = (f"entanglement swapping at '{names[hop]}' (path {' - '.join(names)})")
            out = self.alloc(path[hop], protect, why)
            far = self.alloc(path[hop + 1], protect, why)
            self.emit(_EPR, (out, far))
            self._count(path[hop], path[hop + 1])
            # Bell measurement of (near, out) teleports near's entanglement to far
            self.emit(_CX, (near, out))
            self.emit(_H, (near,))
            z_bit = self.measure_tele(near)
            x_bit = self.measure_tele(out)
            self.if_bit(x_bit, _X, far)
            self.if_bit(z_bit, _Z, far)
            for m in (near, out):
                protect.discard(m)
            near = far
        return first, near

    def _path(self, a: int, b: int) -> tuple[list[int], list[str]]:
        """Shortest path from QPU a to QPU b, as indices and names (memoised)."""
        known = self.paths.get((a, b))
        if known is None:
            names = list(self.net.shortest_path(self.net.qpus[a].name, self.net.qpus[b].name))
            known = self.paths[(a, b)] = ([self.net.index(x) for x in names], names)
        return known

    def _count(self, a: int, b: int) -> None:
        self.ebits[(min(a, b), max(a, b))] += 1

    def total_ebits(self) -> int:
        return sum(self.ebits.values())

    def reopened_on(self) -> tuple[int, ...]:
        """The QPUs where a copy of some segment was opened more than once (evicted)."""
        return tuple(sorted({key[3] for key, times in self.opens.items() if times > 1}))

    # ----- copies of carriers ---------------------------------------------
    def _keeper(self, q: int, basis: str, source: int, k: int, protect: set[int]) -> int | None:
        """The QPU on the path from QPU ``source`` to QPU k, nearest to k, where q's
        segment in ``basis`` has a planned use ahead and no copy yet, and which has a comm
        qubit free to keep the copy (the next Bell pair takes a second one, as relaying
        would: no more evictions than swapping through it); ``None`` if there is none.

        Opening the copy there first and fanning out from it costs the same hops as
        swapping through it, and the later copy there costs nothing (on a line of three
        with q at one end and copies at both others, 2 ebits instead of 3 when the far
        copy opens first). A QPU that only relays keeps nothing, and a copy still closes
        after its last planned gate.
        """
        path, _ = self._path(source, k)
        for j in reversed(path[1:-1]):
            if (basis, j) in self.copies[q] or self.next_use(q, basis, j) == math.inf:
                continue
            pool = self.comm_pool[j]  # (a source needs a second comm qubit for the pair)
            if len(pool) > 1 and any(self.state[m][0] in (_FREE, _DIRTY) and m not in protect
                                     for m in pool):
                return j
        return None

    def open_copy(self, q: int, basis: str, k: int, protect: set[int]) -> int:
        """Cat-entangle input qubit q, in the Z or X basis, onto a comm qubit of QPU k.

        In X the same protocol runs conjugated by H: ``h q`` before and after, and
        ``h`` on the copy, which then holds q's X-basis value. The source is q or,
        when nearer to k, an open copy of q in the same basis (all members of the
        cat state are interchangeable), so a segment fans out along a tree of the
        network instead of one swapped path per QPU; a QPU on the way that will need a
        copy of the segment gets it first (:meth:`_keeper`).
        """
        # fan out: copy from the nearest member of q's cat (q itself or an open copy)
        dist = self.dist
        source_qpu, source = self.qpu_of[q], self.slot[q]
        for (b, j), m in sorted(self.copies[q].items()):
            # (a copy is a source only where a second comm qubit can take the Bell pair)
            if b == basis and dist[j, k] < dist[source_qpu, k] and len(self.comm_pool[j]) > 1:
                source_qpu, source = j, m
        # a QPU on the way that will need this copy later keeps one now (same ebits)
        keeper = self._keeper(q, basis, source_qpu, k, protect)
        if keeper is not None:
            source_qpu, source = keeper, self.open_copy(q, basis, keeper, protect)
        if source != self.slot[q]:
            protect.add(source)
        mine, theirs = self.bell_pair(source_qpu, k, protect)
        if basis == "x":
            self.emit(_H, (source,))
        self.emit(_CX, (source, mine))
        bit = self.measure_tele(mine)
        self.if_bit(bit, _X, theirs)
        if basis == "x":
            self.emit(_H, (source,))
            self.emit(_H, (theirs,))
        protect.discard(source)
        protect.discard(mine)
        self.copies[q][(basis, k)] = theirs
        self.state[theirs] = (_HOLD, (q, basis))
        self.opens[(q, basis, self.segments.seg[basis][q], k)] += 1
        return theirs

    def close_copy(self, q: int, basis: str, k: int) -> None:
        """Cat-disentangle q's copy on QPU k: measure it in the conjugate basis, correct q.

        Z copy: ``h``, measure, ``if (bit) { z q }``; X copy: measure, ``if (bit) { x q }``.
        """
        m = self.copies[q].pop((basis, k))
        if basis == "z":
            self.emit(_H, (m,))
        bit = self.measure_tele(m)
        self.if_bit(bit, _Z if basis == "z" else _X, self.slot[q])
        if m in self.state:
            self.state[m] = (_DIRTY, ())
        else:  # a stowed copy's data qubit: free again
            self.release(k, m)

    def release(self, k: int, s: int) -> None:
        """Data qubit s of QPU k is free again (reset before its next use)."""
        self.free_slots[k].append(s)
        self.free_slots[k].sort()
        self.dirty_slots.add(s)

    def next_use(self, q: int, basis: str, k: int) -> float:
        """Rank of the next planned gate using q's copy on QPU k in its current segment.

        ``inf`` when there is none, or when q moves before it (a move ends segments).
        """
        uses = self.uses.get((q, basis, k), [])
        i = bisect.bisect_right(uses, (self.clock, 1 << 62))
        if i < len(uses) and uses[i][1] == self.segments.seg[basis][q]:
            moves = self.move_ranks[q]
            j = bisect.bisect_right(moves, self.clock)
            if j == len(moves) or moves[j] > uses[i][0]:
                return uses[i][0]
        return math.inf

    # ----- teledata --------------------------------------------------------
    def do_moves(self, batch: list[tuple[int, int]]) -> None:
        """Teleport each qubit q of ``batch`` ``(q, QPU)`` to its QPU, all before the next op.

        Moves into a QPU with a free data qubit go first, and among them those out of a
        QPU where a state waits; when none has room (qubits trading places), one state
        waits on a comm qubit of its new QPU until a data qubit there frees up. So at
        most one state waits at a time per cycle of trades, and relays keep two comm
        qubits for swapping. A move to the QPU the qubit is on is nothing.
        """
        batch = [(q, k) for q, k in batch if self.qpu_of[q] != k]
        for q, _ in batch:
            for basis in ("z", "x"):
                self.end_segment(q, basis)
        pending = []
        for q, k in sorted(batch):
            if q in self.unborn or q in self.dead:
                self.qpu_of[q] = k  # (no state to carry: it is born there, or gone)
            else:
                pending.append((q, k))
        while pending:
            # moves with room at their destination, those that free a waiting state first
            ready = sorted(((not self.parked[self.qpu_of[q]], q, k) for q, k in pending
                            if self.free_slots[k]))
            _, q, k = ready[0] if ready else (False, *pending[0])
            pending.remove((q, k))
            src = self.qpu_of[q]
            self.teleport(q, k)
            if self.parked[src]:
                self.land(self.parked[src].pop(0), src)
        if any(self.parked):
            raise CapacityError("internal error: a teledata batch left a qubit on a comm qubit")

    def teleport(self, q: int, k: int) -> None:
        """Teleport input qubit q to a comm qubit of QPU k (one Bell pair per hop)."""
        src, s = self.qpu_of[q], self.slot[q]
        mine, theirs = self.bell_pair(src, k, set())
        self.emit(_CX, (s, mine))
        self.emit(_H, (s,))
        bit = self.measure_tele(mine)
        self.if_bit(bit, _X, theirs)
        self.ops.append(("op", _MEASURE, (s,), (("tele", bit),)))  # reuse the bit
        self.if_bit(bit, _Z, theirs)
        self.teleports.append((s, theirs))
        self.release(src, s)
        self.qpu_of[q] = k
        self.slot[q] = theirs
        self.state[theirs] = (_PARK, (q,))
        self.parked[k].append(q)
        if self.free_slots[k]:
            self.land(self.parked[k].pop(), k)

    def land(self, q: int, k: int) -> None:
        """Swap q's state from its comm qubit into a free data qubit of QPU k."""
        m, s = self.slot[q], self.free_slots[k].pop(0)
        if s in self.dirty_slots:
            self.emit(Reset(), (s,))
            self.dirty_slots.discard(s)
        self.emit(_SWAP, (m, s))
        self.state[m] = (_DIRTY, ())
        self.slot[q] = s

    def end_segment(self, q: int, basis: str) -> None:
        for b, k in [key for key in self.copies[q] if key[0] == basis]:
            self.close_copy(q, b, k)

    # ----- the walk --------------------------------------------------------
    def plan_walk(self, nodes: int) -> WalkPlan:
        """The order to walk ``nodes`` operations in, the moves and the carriers.

        Topological order with the minimum covers of :func:`plan_carriers`; slice by slice
        (:class:`~dqc.plan.teledata.Timeline`) when qubits move, or in plain order with
        weighted covers when re-planning (``weight``).
        """
        gates = list(self.embedding.gates) if self.embedding is not None else self.gates
        n = self.dag.num_qubits()
        order: tuple[int, ...] = tuple(range(nodes))
        rank: tuple[int, ...] = order
        batches: dict[int, list[tuple[int, int]]] = {}
        move_ranks: list[list[int]] = [[] for _ in range(n)]
        where = [list[tuple[int, int]]() for _ in range(n)]  # per qubit: (rank, QPU) from then
        if self.fitted is not None:  # (no moves)
            if self.fitted.order is not None:
                order = self.fitted.order
                rank = walk_ranks(order)
            return WalkPlan(order, rank, batches, dict(self.fitted.carriers),
                            self.fitted.planned_ebits, self.fitted.uses, move_ranks)
        if self.moves or self.weight is not None:
            kept = self.timeline  # (the planner's, if it sliced this circuit)
            timeline = (_static_timeline(nodes) if not self.moves else
                        kept if kept is not None and len(kept.order) == nodes else
                        Timeline.of(self.dag))
            order, rank = timeline.order, timeline.rank
            cost = time_sliced_cost(timeline, gates, self.qpu_of, self.moves, self.dist,
                                    self.weight)
            plan, planned = cost.plan, cost.move_ebits + cost.plan.ebits
            for m in sorted(self.moves, key=lambda m: (timeline.rank_of(m.position), m.qubit)):
                r = timeline.rank_of(m.position)
                batches.setdefault(r, []).append((m.qubit, m.qpu))
                move_ranks[m.qubit].append(r)
                where[m.qubit].append((r, m.qpu))
        else:
            plan = plan_carriers(gates, self.qpu_of, self.dist)
            planned = plan.ebits
        return WalkPlan(order, rank, batches, plan.carriers, planned,
                        _planned_uses(gates, plan.carriers, rank, self.qpu_of, where),
                        move_ranks)

    def build(self) -> None:
        """Walk the circuit: emit the distributed operations into ``self.ops``."""
        dag = self.dag
        nodes = list(dag.topological_op_nodes())
        index = {bit: i for i, bit in enumerate(dag.qubits)}
        qidx = [[index[q] for q in node.qargs] for node in nodes]
        self.walk = walk = self.plan_walk(len(nodes))
        self.planned_ebits = walk.planned_ebits
        batches = dict(walk.batches)
        op_of = _Operations()
        for r, t in enumerate(walk.order):
            self.clock = r
            if r in batches:
                self.do_moves(batches.pop(r))
            self.step(t, *op_of(nodes[t]), qidx[t], nodes[t].cargs, walk.carriers)
        for r in sorted(batches):  # moves after the last operation
            self.clock = r
            self.do_moves(batches[r])
        for q in sorted(self.unborn):  # (only waiting gates, or none)
            self.birth(q)
        for q in range(dag.num_qubits()):
            for basis in ("z", "x"):
                self.end_segment(q, basis)
        ends = {w: i for i, w in enumerate(self.permutation)}  # wire -> input qubit ending there
        self.layout = DistributedLayout(
            qubit_qpu=self.out.qubit_qpu,
            comm_qubits=tuple(m for pool in self.out.comm_pool for m in pool),
            initial_layout=tuple(self.born_on),
            final_layout=tuple(self.slot[w] for w in self.permutation),
            teleport_register=self._tele_name(),
            teleports=tuple(self.teleports),
            births=tuple(self.births),
            deaths=tuple((ends[q], s, j) for q, s, j in self.deaths),
        )

    # ----- lives (reuse) ---------------------------------------------------
    def birth(self, q: int) -> None:
        """Give unborn qubit q a free data qubit of its QPU (reset first if used before)
        and run the gates that waited for it."""
        self.unborn.discard(q)
        s = self.free_data_qubit(self.qpu_of[q], q)
        if s in self.dirty_slots:
            self.emit(Reset(), (s,))
            self.dirty_slots.discard(s)
            self.births.append((q, s, self.resets[s]))
        self.slot[q] = self.born_on[q] = s
        for args in self.waiting.pop(q):
            self.step(*args)

    def free_data_qubit(self, k: int, q: int) -> int:
        """A free data qubit of QPU k for qubit q (an unused one first), closing the
        stowed copy there whose next use is farthest away when none is free."""
        free = self.free_slots[k]
        if not free:
            stowed = [(self.next_use(p, b, j), s, p, b) for p, held in enumerate(self.copies)
                      for (b, j), s in held.items() if j == k and s not in self.state]
            if not stowed:
                raise CapacityError(
                    f"QPU '{self.net.qpus[k].name}' has no free data qubit for input qubit "
                    f"{q} at its first operation: all {self.net.qpus[k].data_qubits} hold "
                    "live qubits")
            _, _, p, b = max(stowed)
            self.close_copy(p, b, k)
        clean = [s for s in free if s not in self.dirty_slots]
        s = clean[0] if clean else free[0]
        free.remove(s)
        return s

    def die(self, q: int) -> None:
        """Qubit q has been measured for the last time: its data qubit is free."""
        for basis in ("z", "x"):
            self.end_segment(q, basis)
        s, k = self.slot[q], self.qpu_of[q]
        self.dead.add(q)
        self.deaths.append((q, s, self.resets[s]))
        self.release(k, s)

    def step(self, t: int, op: Instruction, diagonals: Diagonals, qs: list[int],
             cargs: Sequence[Clbit], carriers: dict[int, int]) -> None:
        """Emit operation ``t`` (``op`` on input qubits ``qs``): end the segments it ends,
        run it locally or as a telegate, and mirror the flips segments continue through."""
        if self.unborn:
            if len(qs) == 1 and qs[0] in self.unborn and t in self.waits[qs[0]]:
                self.waiting[qs[0]].append((t, op, diagonals, qs, cargs, carriers))
                return
            for q in qs:
                if q in self.unborn:
                    self.birth(q)
        if op.name == "barrier":
            self.barrier(qs)
            return
        if op.name in BLOCKS:
            self.block(op, qs)
        through = self.mirrors.get(t, ())
        copies = self.copies
        if any(copies[q] for q in qs):  # (no copies: nothing to end)
            for basis, diag in zip(("z", "x"), diagonals):
                for pos, q in enumerate(qs):
                    if pos not in diag and copies[q] and (q, basis) not in through:
                        self.end_segment(q, basis)
        self.segments.cross(t, qs, *diagonals)
        diags = {"z": diagonals[0], "x": diagonals[1]}
        # the input's bits it reads or writes (a conditional gate: its condition's bits)
        cs = tuple(("in", self.dag.find_bit(c).index) for c in cargs) if cargs else ()
        if len(qs) == 2 and self.qpu_of[qs[0]] != self.qpu_of[qs[1]]:
            flipped = [q for q, _ in through]
            self.remote_gate(op, qs, diags, carriers[t], flipped, cs)
        else:
            self.emit(op, tuple(self.slot[q] for q in qs), cs)
        for q, basis in through:
            self.mirror(op, qs, diags, q, basis)
        if self.lives is not None:
            for q in qs:
                if self.lives.death[q] == t:
                    self.die(q)

    def block(self, op: Instruction, qs: list[int]) -> None:
        """Check that a block (:data:`dqc.gates.BLOCKS`) is on one QPU; it runs there."""
        qpus = sorted({self.qpu_of[q] for q in qs})
        if len(qpus) > 1:
            raise CapacityError(
                f"'{op.name}' on input qubits {qs} must run on one QPU, but they are on "
                f"{', '.join(self.net.qpus[k].name for k in qpus)} (set a placement that "
                "keeps them together)")

    def barrier(self, qs: list[int]) -> None:
        """A barrier on input qubits ``qs``: one barrier per QPU, on its qubits."""
        by_qpu: dict[int, list[int]] = {}
        for q in qs:
            by_qpu.setdefault(self.qpu_of[q], []).append(self.slot[q])
        for k in sorted(by_qpu):
            self.emit(Barrier(len(by_qpu[k])), tuple(by_qpu[k]))

    def remote_gate(self, op, qs, diags, carrier: int, flipped: list[int],
                    cs: tuple = ()) -> None:
        """Run two-qubit ``op`` across QPUs on a copy of its carrier (``cs``: the input
        bits a conditional ``op`` reads; the copy is made whatever their value)."""
        self.remote_gates += 1
        qpus = [self.qpu_of[q] for q in qs]
        # a qubit whose segment continues through this gate cannot carry it
        options = [None if q in flipped else self.segments.option(diags, pos, q)
                   for pos, q in enumerate(qs)]

        def key(pos: int) -> tuple[str, int]:
            return (options[pos][0], qpus[1 - pos])  # type: ignore[index]

        # follow the plan; an open copy of the other possible carrier serves as well
        choice = qs.index(carrier)
        other_pos = 1 - choice
        if key(choice) not in self.copies[carrier] and options[other_pos] is not None and (
                key(other_pos) in self.copies[qs[other_pos]]):
            choice = other_pos
        basis, k = key(choice)
        if (basis, k) not in self.copies[qs[choice]]:
            self.open_copy(qs[choice], basis, k, set())
        carrier, other = qs[choice], qs[1 - choice]
        args = [0, 0]
        args[choice] = self.copies[carrier][(basis, k)]
        args[1 - choice] = self.slot[other]
        self.emit(op, tuple(args), cs)
        if self.next_use(carrier, basis, k) == math.inf:
            self.close_copy(carrier, basis, k)  # its last planned gate: free the comm qubit

    def mirror(self, op, qs, diags, q: int, basis: str) -> None:
        """Apply flip ``op`` of q (whose ``basis`` segment continues) to q's open copies.

        On each copy the same gate runs with q replaced by the copy and its partner
        (if any) by the partner's value on that QPU: the partner itself, or its copy
        there, opened now if needed (see :mod:`dqc.plan.embedding`).
        """
        pos = qs.index(q)
        for (b, k), copy in sorted(self.copies[q].items()):
            if b != basis:
                continue
            args = [0] * len(qs)
            args[pos] = copy
            if len(qs) == 2:
                partner = qs[1 - pos]
                if self.qpu_of[partner] == k:
                    args[1 - pos] = self.slot[partner]
                else:
                    pb = self.segments.option(diags, 1 - pos, partner)[0]  # type: ignore[index]
                    if (pb, k) not in self.copies[partner]:
                        self.open_copy(partner, pb, k, {copy})
                    args[1 - pos] = self.copies[partner][(pb, k)]
            self.emit(op, tuple(args))
            if len(qs) == 2 and self.qpu_of[qs[1 - pos]] != k:
                partner = qs[1 - pos]
                pb = self.segments.option(diags, 1 - pos, partner)[0]  # type: ignore[index]
                if self.next_use(partner, pb, k) == math.inf:
                    self.close_copy(partner, pb, k)

    # ----- output ----------------------------------------------------------
    def _tele_name(self) -> str:
        taken = {r.name for r in self.out.qregs} | {r.name for r in self.dag.cregs.values()}
        name = "tele"
        while name in taken:
            name = "_" + name
        return name

    def ebits_per_link(self) -> dict[str, int]:
        out = {}
        for link in self.net.links:
            a, b = self.net.index(link.a), self.net.index(link.b)
            out[link.key] = self.ebits[(min(a, b), max(a, b))]
        return out

    def _wires(self) -> tuple[list[tuple[int, ...]], list[bool]]:
        """The wires of each emitted operation (output qubits; bits as negative numbers)
        and whether it is put off (an ``epr``, or a comm qubit's ``reset``)."""
        comm = set(self.comm_bit)
        wires: list[tuple[int, ...]] = []
        late: list[bool] = []
        for entry in self.ops:
            if entry[0] == "op":
                _, op, qs, cs = entry
                late.append(put_off(op.name, qs[0] if qs else -1, comm))
                wires.append(qs + tuple([-2 * i - (kind == "in") - 1 for kind, i in cs])
                             if cs else qs)
            else:
                wires.append((entry[3], -2 * entry[1] - 1))
                late.append(False)
        return wires, late

    def emitted(self) -> Emitted:
        """The operations of the last :meth:`build`, each ``epr`` as late as it can come
        (:func:`dqc.plan.epr_order.late_epr_order` over the emitted operations)."""
        dag = self.dag
        in_cregs = [ClassicalRegister(r.size, r.name) for r in dag.cregs.values()]
        clbit_of: dict[int, Clbit] = {}
        for old, new in zip(dag.cregs.values(), in_cregs):
            for j, bit in enumerate(old):
                clbit_of.setdefault(dag.find_bit(bit).index, new[j])
        loose = [i for i in range(dag.num_clbits()) if i not in clbit_of]
        if loose:
            extra = ClassicalRegister(len(loose), "c_extra")
            in_cregs.append(extra)
            for j, i in enumerate(loose):
                clbit_of[i] = extra[j]
        tele = ClassicalRegister(self.num_tele, self._tele_name())
        return Emitted(self.out.qregs, (*in_cregs, *([tele] if self.num_tele else [])),
                       clbit_of, tele, self.ops, late_epr_order(*self._wires()),
                       dag.name or "circuit", dag.global_phase)


def _static_timeline(num_ops: int) -> Timeline:
    """The plain topological order as a timeline (for re-planning without moves)."""
    order = tuple(range(num_ops))
    return Timeline(order, order, (0,) * num_ops, 0)


def _planned_uses(gates: Sequence[TwoQubitGate], carriers: dict[int, int],
                  rank: Sequence[int], qpu_of: Sequence[int],
                  where: list[list[tuple[int, int]]]
                  ) -> dict[tuple[int, str, int], list[tuple[int, int]]]:
    """``(qubit, basis, QPU)`` -> sorted ``(rank, segment)`` of the gates the plan gives
    that copy (``where``: per qubit, ``(rank, QPU)`` of its moves)."""

    def qpu_at(q: int, r: int) -> int:
        k = qpu_of[q]
        for start, dst in where[q]:
            if start <= r:
                k = dst
        return k

    uses: dict[tuple[int, str, int], list[tuple[int, int]]] = {}
    for g in gates:
        if g.position in carriers:
            pos = g.qubits.index(carriers[g.position])
            basis, segment = g.segments[pos]  # type: ignore[misc]
            r = rank[g.at]
            key = (g.qubits[pos], basis, qpu_at(g.qubits[1 - pos], r))
            uses.setdefault(key, []).append((r, segment))
    for planned in uses.values():
        planned.sort()
    return uses
