"""A compiled circuit as arrays: durations, dependencies and link order.

:func:`build_program` reads a distributed circuit once and records, per operation, its
QPU, link, duration, log-fidelity, the predecessors it waits for (with the classical
latency of each bit it reads), the ``epr`` its link must finish first (round-robin
channels) and, for an ``epr``, the earlier use of its comm qubits. Every later step of
:func:`dqc.estimation.schedule.schedule` works on these arrays.

An ``epr`` takes the time its link needs to deliver one pair
(:meth:`dqc.network.Network.delivered`: 1 / rate, or the expected time of its
purification rounds). A link that purifies with r rounds also holds r more comm qubits
at each end while it makes the pair (:mod:`dqc.network.purification`): the ``epr``
borrows r comm qubits of each end that are free at that point of the program (measured
or reset, or never used; those freed longest ago first), waits for their last
operation, and the next operation on each waits for the ``epr``. Where fewer are free,
:attr:`Program.scratch_short` records it (the verdict's ``purification`` check).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from sys import intern
from typing import Any

from qiskit.circuit import Clbit, Instruction, QuantumCircuit

from dqc.errors import DQCError, plural
from dqc.estimation.costs import condition_bits, cost_table, inst_cost, op_cost
from dqc.network import Network
from dqc.plan.emitted import Emitted

__all__ = ["Edges", "Program", "build_program", "classical_messages", "ops_by_qubit",
           "successors"]

#: Successors (or predecessors) of every operation, with their lags.
Edges = list[tuple[tuple[int, float], ...]]


@dataclass
class Program:
    """The circuit as arrays: durations, dependencies, link order."""

    names: list[str]
    qubits: list[tuple[int, ...]]
    qpu: list[int]
    link: list[int]                       # link index for epr, -1 otherwise
    duration: list[float]
    logf: list[float]
    deps: Edges                           # (predecessor, lag), ascending
    resource: list[int]                   # link-capacity predecessor, -1 if none
    eprs_by_link: list[list[int]]
    memory: list[frozenset[int]] = field(default_factory=list)  # an epr's comm-qubit predecessors
    messages: set[tuple[int, int]] = field(default_factory=set)  # (writer op, reading QPU)
    scratch: dict[int, tuple[int, ...]] = field(default_factory=dict)  # epr -> borrowed qubits
    scratch_short: list[tuple[int, int, int, int]] = field(default_factory=list)
    # (epr, QPU index, comm qubits needed, comm qubits free) where too few were free

    def eprs(self) -> list[int]:
        """The ``epr`` operations, in program order (a pass over the links' lists, not
        over every operation)."""
        return sorted(i for on_link in self.eprs_by_link for i in on_link)


_NONE: frozenset[int] = frozenset()  # the memory predecessors of every op but an epr
_NO_LIST: list[tuple[int, float]] = []  # (in place of a list already read)
#: One-qubit operations whose cost their name decides (keys of ``cost_table``).
_BY_NAME = frozenset({"measure", "reset"})


class _Builder:
    """Reads a circuit operation by operation into a :class:`Program`."""

    def __init__(self, circuit: QuantumCircuit | Emitted, network: Network,
                 qubit_qpu: Sequence[str], comm: Collection[int] = ()) -> None:
        self.network = network
        self.qpu_of = [network.index(name) for name in qubit_qpu]
        self.names_of = network.qpu_names
        self.techs = [q.profile for q in network.qpus]
        self.costs = [cost_table(tech) for tech in self.techs]
        self.link_index = {link.key: i for i, link in enumerate(network.links)}
        self.latency = [[network.classical_latency(a, b) for b in self.names_of]
                        for a in self.names_of]
        self.index_of = {q: k for k, q in enumerate(circuit.qubits)}
        # one tuple per qubit for the one-qubit ops, and one string per name: shared by
        # every entry (Qiskit hands out a new string on each read of a name)
        self.alone = {q: (k,) for k, q in enumerate(circuit.qubits)}
        self.prog = Program([], [], [], [], [], [], [], [], [[] for _ in network.links])
        # qubit -> (last op on it, 0.0): one tuple per op, shared by the dependency lists
        # of the ops after it (a large program has millions of these)
        self.last_on_qubit: dict[int, tuple[int, float]] = {}
        self.writer: dict[Clbit, int] = {}
        # control flow by (id, QPU), the operation kept alive: its cost and the bits it
        # reads, once per operation (DistributeGates shares one if_test among the
        # corrections of a bit)
        self.control: dict[tuple[int, int], tuple[Instruction, float, float, list[Clbit]]] = {}
        # comm qubits free at this point of the program, with the op that freed them (-1)
        self.free: dict[int, int] = dict.fromkeys(comm, -1)
        self.comm = frozenset(comm)
        prog = self.prog  # (the columns' appends, bound once: one call per entry)
        self.put = (prog.names.append, prog.qubits.append, prog.qpu.append, prog.link.append,
                    prog.duration.append, prog.logf.append, prog.deps.append,
                    prog.resource.append, prog.memory.append)

    def add(self, i: int, inst: Any) -> None:
        """Append operation ``i`` (a ``CircuitInstruction``) with its dependencies."""
        qargs, index_of = inst.qubits, self.index_of
        qs = (self.alone[qargs[0]] if len(qargs) == 1 else  # (most: one or two qubits)
              (index_of[qargs[0]], index_of[qargs[1]]) if len(qargs) == 2 else
              tuple([index_of[q] for q in qargs]))
        clbits = inst.clbits
        self.add_parts(i, intern(inst.name), qs, clbits,
                       not clbits and inst.is_standard_gate(), inst)

    def add_parts(self, i: int, name: str, qs: tuple[int, ...], clbits: Sequence[Clbit],
                  gate: bool, inst: Any) -> None:
        """:meth:`add` from an instruction's parts: ``gate``, whether its width decides
        its cost (a gate that reads and writes no bit, other than ``epr``); ``inst``, the
        instruction, read only for an operation other than such a gate on one or two
        qubits, ``measure``, ``reset`` and ``epr`` (it may be ``None`` for those)."""
        qpu_of = self.qpu_of
        if len(qs) == 1:  # (most operations: one qubit, or two on one QPU)
            here = qpu_of[qs[0]]
            if name in _BY_NAME or gate:
                cost = self.costs[here][name if name in _BY_NAME else 1]
                self._add_plain(i, name, qs, here, cost, clbits)
                return
            where = [here]
        elif len(qs) == 2:
            a, b = qpu_of[qs[0]], qpu_of[qs[1]]
            if a == b and gate:
                self._add_plain(i, name, qs, a, self.costs[a][2], ())
                return
            where = [a] if a == b else [a, b] if a < b else [b, a]
        else:
            where = sorted({qpu_of[q] for q in qs}) or [0]
        if name == "epr":
            link, here, duration, logf, reads = self._epr(i, qs, where)
        else:
            link = -1
            here, duration, logf, reads = self._local(i, inst, name, where)
        deps, memory = self._dependencies(i, qs, link, reads, here)
        if link >= 0:
            memory = self._borrow(i, qs, link, deps, memory)
        if self.comm:
            self._track_free(i, name, qs)
        for c in clbits:  # (a while_loop's body may write the bits it reads)
            if c not in reads or name == "while_loop":
                self.writer[c] = i
        self._record(name, qs, here, link, duration, logf,
                     tuple(sorted(deps.items())),
                     self._link_order(i, link), memory)

    def _add_plain(self, i: int, name: str, qs: tuple[int, ...], here: int,
                   cost: tuple[float, float], clbits: Sequence[Clbit]) -> None:
        """:meth:`add` for an operation on QPU ``here`` that reads no bit and whose cost
        its name or width decides (a standard gate, ``measure``, ``reset``): its
        predecessors are the last ops on its qubits; it writes ``clbits``."""
        last = self.last_on_qubit
        mine = (i, 0.0)
        a = last.get(qs[0])
        last[qs[0]] = mine
        if len(qs) == 1:
            deps: tuple[tuple[int, float], ...] = (a,) if a is not None else ()
        else:  # (ascending, once each)
            b = last.get(qs[1])
            last[qs[1]] = mine
            deps = (() if b is None else (b,)) if a is None else (a,) if b is None else (
                (a, b) if a[0] < b[0] else (b, a) if a[0] > b[0] else (a,))
        if self.comm and not self.comm.isdisjoint(qs):
            self._track_free(i, name, qs)
        for c in clbits:
            self.writer[c] = i
        self._record(name, qs, here, -1, cost[0], cost[1], deps, -1, _NONE)

    def _record(self, name: str, qs: tuple[int, ...], here: int, link: int, duration: float,
                logf: float, deps: tuple[tuple[int, float], ...], resource: int,
                memory: frozenset[int]) -> None:
        """Append one operation's entries to the program's columns."""
        put = self.put
        put[0](name)
        put[1](qs)
        put[2](here)
        put[3](link)
        put[4](duration)
        put[5](logf)
        put[6](deps)
        put[7](resource)
        put[8](memory)

    def _epr(self, i: int, qs: tuple[int, ...], where: list[int]
             ) -> tuple[int, int, float, float, list[Clbit]]:
        """Link, QPU, duration (1 / rate), log-fidelity and read bits of an ``epr``."""
        names_of, qpu_of = self.names_of, self.qpu_of
        if len(where) != 2:
            raise DQCError(
                f"epr #{i} acts on qubits {list(qs)} of one QPU "
                f"'{names_of[where[0]]}'; an epr joins two linked QPUs")
        a, b = names_of[qpu_of[qs[0]]], names_of[qpu_of[qs[1]]]
        found = self.network.link(a, b)
        if found is None:
            raise DQCError(f"epr #{i} joins QPUs '{a}' and '{b}', which share no link")
        delivered = self.network.delivered(found)
        return self.link_index[found.key], qpu_of[qs[0]], delivered.time_s, 0.0, []

    def _local(self, i: int, inst: Any, name: str, where: list[int]
               ) -> tuple[int, float, float, list[Clbit]]:
        """QPU, duration, log-fidelity and read bits of an operation on one QPU."""
        if len(where) > 1:
            raise DQCError(
                f"operation '{name}' #{i} acts on qubits of QPUs "
                f"{', '.join(self.names_of[k] for k in where)}; only epr may cross QPUs")
        here = where[0]
        if not inst.is_control_flow():
            return (here, *inst_cost(inst, self.techs[here], self.costs[here]), [])
        # a control-flow operation may be rebuilt on every access: read it once
        op = inst.operation
        known = self.control.get((id(op), here))
        if known is None:  # (kept alive, so its id names no other operation)
            known = (op, *op_cost(op, self.techs[here]), condition_bits(op))
            self.control[id(op), here] = known
        _, duration, logf, reads = known
        return here, duration, logf, reads

    def _dependencies(self, i: int, qs: tuple[int, ...], link: int, reads: list[Clbit],
                      here: int) -> tuple[dict[int, float], frozenset[int]]:
        """Predecessors of op ``i`` with their largest lags, and its memory predecessors."""
        deps: dict[int, float] = {}  # predecessor -> largest lag
        last = self.last_on_qubit
        mine = (i, 0.0)
        for q in qs:
            before = last.get(q)
            if before is not None:
                deps[before[0]] = 0.0
            last[q] = mine
        memory = frozenset(deps) if link >= 0 else _NONE
        for c in reads:
            if c in self.writer:
                w = self.writer[c]
                lag = self.latency[self.prog.qpu[w]][here]
                if self.prog.qpu[w] != here:  # the bit is sent once to each QPU reading it
                    self.prog.messages.add((w, here))
                if lag >= deps.get(w, -1.0):
                    deps[w] = lag
        return deps, memory

    def _track_free(self, i: int, name: str, qs: tuple[int, ...]) -> None:
        """A comm qubit is free after a measure or reset, busy after anything else."""
        for q in qs:
            if q not in self.comm:
                continue
            if name in ("measure", "reset"):
                self.free[q] = i
            else:
                self.free.pop(q, None)

    def _borrow(self, i: int, qs: tuple[int, ...], link: int, deps: dict[int, float],
                memory: frozenset[int]) -> frozenset[int]:
        """Comm qubits the purification of ``epr`` ``i`` holds (module docstring)."""
        need = self.network.delivered(self.network.links[link]).scratch
        if not need:
            return memory
        borrowed: list[int] = []
        for q in qs:
            here = self.qpu_of[q]
            free = sorted((at, c) for c, at in self.free.items()
                          if self.qpu_of[c] == here and c not in qs)
            taken = [c for _, c in free[:need]]
            if len(taken) < need:
                self.prog.scratch_short.append((i, here, need, len(taken)))
            borrowed += taken
        extra = set()
        for c in borrowed:
            if c in self.last_on_qubit:
                j = self.last_on_qubit[c][0]
                deps[j] = max(deps.get(j, 0.0), 0.0)
                extra.add(j)
            self.last_on_qubit[c] = (i, 0.0)
            self.free[c] = i
        self.prog.scratch[i] = tuple(borrowed)
        return memory | extra

    def _link_order(self, i: int, link: int) -> int:
        """The ``epr`` of the same link that op ``i`` waits for (channels), -1 if none."""
        if link < 0:
            return -1
        chain = self.prog.eprs_by_link[link]
        channels = self.network.links[link].channels
        resource = chain[-channels] if len(chain) >= channels else -1
        chain.append(i)
        return resource


def build_program(circuit: QuantumCircuit | Emitted, network: Network,
                  qubit_qpu: Sequence[str], comm: Collection[int] = ()) -> Program:
    """Read ``circuit`` (qubit ``k`` on QPU ``qubit_qpu[k]``, ``comm`` its comm qubits)
    into a :class:`Program`; or a distribution's operations before they become a circuit
    (:class:`~dqc.plan.emitted.Emitted`: read once, in order, none of them kept).

    Raises:
        DQCError: if ``qubit_qpu`` does not fit the circuit, an operation other than
            ``epr`` crosses QPUs, or an ``epr`` joins unlinked QPUs.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
        >>> prog = build_program(qc, Network.line(1, data_qubits=2), ["qpu0", "qpu0"])
        >>> prog.names, prog.deps
        (['h', 'cx'], [(), ((0, 0.0),)])
    """
    if len(qubit_qpu) != circuit.num_qubits:
        raise DQCError(
            f"qubit_qpu names {plural(len(qubit_qpu), 'QPU')} but the circuit has "
            f"{plural(circuit.num_qubits, 'qubit')}")
    builder = _Builder(circuit, network, qubit_qpu, comm)
    if isinstance(circuit, Emitted):
        for i, (name, qs, clbits, gate, inst) in enumerate(circuit.parts()):
            builder.add_parts(i, intern(name), qs, clbits, gate, inst)
    else:
        for i, inst in enumerate(circuit.data):
            builder.add(i, inst)
    return builder.prog


def successors(prog: Program) -> Edges:
    """Successors of every operation with their lags (dependencies and link order).

    Each list is in program order (successors are appended as the program is read).
    """
    lists: list[list[tuple[int, float]]] = [[] for _ in prog.names]
    for i, deps in enumerate(prog.deps):
        mine = (i, 0.0)  # (one tuple for every edge into i without a lag)
        for j, lag in deps:
            lists[j].append(mine if lag == 0.0 else (i, lag))
        if prog.resource[i] >= 0:
            lists[prog.resource[i]].append(mine)
    succ: Edges = []
    for i, out in enumerate(lists):  # (as tuples, each list let go as it is read)
        succ.append(tuple(out))
        lists[i] = _NO_LIST
    return succ


def ops_by_qubit(prog: Program) -> dict[int, list[int]]:
    """The operations on each qubit, in program order (qubits in first-use order)."""
    ops_on: dict[int, list[int]] = {}
    for i, qs in enumerate(prog.qubits):
        for q in qs:
            ops_on.setdefault(q, []).append(i)
    return ops_on


def classical_messages(prog: Program, qpu_names: Sequence[str]) -> dict[str, int]:
    """Classical messages per pair of QPUs ``"a-b"`` (network order): one per measured
    bit and QPU that reads it elsewhere (feed-forward of the protocol and of the input).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2, 1); _ = qc.measure(0, 0)
        >>> with qc.if_test((qc.clbits[0], 1)):
        ...     _ = qc.x(1)
        >>> prog = build_program(qc, Network.line(2, data_qubits=1), ["qpu0", "qpu1"])
        >>> classical_messages(prog, ["qpu0", "qpu1"])
        {'qpu0-qpu1': 1}
    """
    pairs = Counter((prog.qpu[w], here) if prog.qpu[w] < here else (here, prog.qpu[w])
                    for w, here in prog.messages)
    out: dict[str, int] = {}
    for (a, b), count in pairs.items():
        key = f"{qpu_names[a]}-{qpu_names[b]}"
        out[key] = out.get(key, 0) + count
    return dict(sorted(out.items()))
