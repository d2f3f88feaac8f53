"""Verification by simulation for small non-Clifford circuits (Qiskit ``Statevector``).

Both circuits run on the same random input state. Final measurements (the last
operation on their qubit) are compared as a map — the compiled circuit must
measure the qubit holding the same input qubit into the same bit — and removed;
mid-circuit measurements and data resets are deferred onto auxiliary qubits
(``CX`` / ``SWAP``). Teleportation measurements of the compiled circuit are
sampled and their feed-forward applied, so every run follows one random branch;
the compiled state, traced over comm qubits, must equal the input's.

Comm qubits share simulator qubits: each *life* of a comm qubit (from a reset,
or its first use, to its last operation before the next reset) gets a slot by
interval colouring, so the simulation needs the data qubits, the auxiliary
qubits and only as many comm slots as are ever alive at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import CXGate, SwapGate
from qiskit.quantum_info import Statevector, random_statevector

from dqc.errors import VerificationError, plural
from dqc.estimation.report import Report
from dqc.verification.branches import condition_bits
from dqc.verification.deferral import Wires, deferred_events, input_clbits


@dataclass(frozen=True)
class _Plan:
    """How the compiled circuit maps onto simulator qubits."""

    fixed: dict[int, int]  # non-comm output qubit -> simulator index
    qargs: list[list[int]]  # per instruction: simulator index of each qubit
    fresh: list[list[int]]  # per instruction: slots to reset before it (a new comm life)
    width: int  # data + auxiliary qubits (compared with the input)
    total: int  # simulator qubits


def final_measurements(circuit: QuantumCircuit, bits=None) -> dict[int, int]:
    """Instruction index -> qubit, for measurements that are the last op on their qubit.

    With ``bits``, only measurements into those clbits count (protocol
    measurements of comm qubits are never final: their feed-forward follows).
    """
    last: dict[int, int] = {}
    for i, inst in enumerate(circuit.data):
        if inst.operation.name in ("barrier", "delay"):
            continue
        for q in inst.qubits:
            last[circuit.find_bit(q).index] = i
    return {
        i: circuit.find_bit(circuit.data[i].qubits[0]).index
        for i in sorted(set(last.values()))
        if circuit.data[i].operation.name == "measure"
        and (bits is None or circuit.data[i].clbits[0] in bits)
    }


def _final_in_compiled(compiled: QuantumCircuit, in_bits: dict, rep: Report,
                       final_bits: set[int]) -> tuple[dict[int, int], dict[int, int]]:
    """The compiled circuit's final measurements: (instruction index -> qubit, and
    input bit -> the input qubit whose state it measures).

    A measurement into an input bit counts as final when it is the last write of a bit
    the input measures finally, no later instruction reads that bit, and nothing measures
    the same state again. Operations may still follow on the state: a teledata move of a
    qubit already measured (the planner may move it to make room). The state is followed
    through the output's swaps and moves to where it ends; the report's final layout says
    which input qubit that is. Skipping such a measurement in the simulation is the
    deferred-measurement principle: the state comparison at the end checks that whatever
    follows moves the state unchanged, so measuring it at the end gives the same bit.
    """
    start = {p: p for p in rep.initial_layout}  # each state named by where it starts
    states = Wires(start, rep.teleports)
    last: dict[int, tuple[int, int, int]] = {}  # input bit -> (index, qubit, state)
    last_of_state: dict[int, int] = {}  # state -> index of its last measurement
    read_after: set[int] = set()  # input bits read by a later condition
    for i, inst in enumerate(compiled.data):
        name = inst.operation.name
        condition = getattr(inst.operation, "condition", None)
        if condition is not None:
            read_after.update(in_bits[b] for b in condition_bits(condition) if b in in_bits)
        if name == "swap":
            states.swap(*(compiled.find_bit(q).index for q in inst.qubits))
        elif name == "measure":
            q = compiled.find_bit(inst.qubits[0]).index
            bit = inst.clbits[0]
            if bit in in_bits:
                state = states.wire(q)
                last[in_bits[bit]] = (i, q, -1 if state is None else state)
                read_after.discard(in_bits[bit])
                if state is not None:
                    last_of_state[state] = i
            else:
                states.measured(q)
    ends = {state: q for q, state in states.holder.items()}
    holder_end = {p: i for i, p in enumerate(rep.final_layout)}
    finals: dict[int, int] = {}
    mapping: dict[int, int] = {}
    for bit, (i, q, state) in last.items():
        if bit in final_bits and bit not in read_after and last_of_state.get(state) == i:
            finals[i] = q
            mapping[bit] = holder_end.get(ends.get(state, -1), -1)
    return finals, mapping


def _plan(compiled: QuantumCircuit, rep: Report, width: int) -> _Plan:
    comm = set(rep.comm_qubits)
    fixed = {p: i for i, p in enumerate(rep.final_layout)}
    touched = sorted({compiled.find_bit(q).index for inst in compiled.data for q in inst.qubits})
    for p in list(rep.initial_layout) + [p for p in touched if p not in comm]:
        fixed.setdefault(p, width + len(fixed) - len(rep.final_layout))
    base = width + len(fixed) - len(rep.final_layout)
    # lives of comm qubits: [start, end] instruction ranges split at resets
    lives: list[list[int]] = []  # [start, end, qubit]
    current: dict[int, list[int]] = {}
    for i, inst in enumerate(compiled.data):
        for q in inst.qubits:
            p = compiled.find_bit(q).index
            if p not in comm:
                continue
            if inst.operation.name == "reset" or p not in current:
                current[p] = [i, i, p]
                lives.append(current[p])
            else:
                current[p][1] = i
    free: list[int] = []
    busy: list[tuple[int, int]] = []  # (end, slot)
    slot_of_life: dict[tuple[int, int], int] = {}
    count = 0
    for start, end, p in sorted(lives):
        busy.sort()
        while busy and busy[0][0] < start:
            free.append(busy.pop(0)[1])
        free.sort()
        if free:
            slot = free.pop(0)
        else:
            slot, count = base + count, count + 1
        busy.append((end, slot))
        slot_of_life[(p, start)] = slot
    qargs: list[list[int]] = []
    fresh: list[list[int]] = []
    life_now: dict[int, int] = {}
    for i, inst in enumerate(compiled.data):
        row, new = [], []
        for q in inst.qubits:
            p = compiled.find_bit(q).index
            if p in comm:
                if (p, i) in slot_of_life:
                    life_now[p] = slot_of_life[(p, i)]
                    if inst.operation.name != "reset":
                        new.append(life_now[p])
                row.append(life_now[p])
            else:
                row.append(fixed[p])
        qargs.append(row)
        fresh.append(new)
    return _Plan(fixed, qargs, fresh, width, base + count)


def simulation_qubits(original: QuantumCircuit, compiled: QuantumCircuit, rep: Report) -> int:
    """How many qubits :func:`check_by_statevector` would simulate."""
    finals = final_measurements(original)
    width = original.num_qubits + len(deferred_events(original, finals))
    return _plan(compiled, rep, width).total


def matched_final_measurements(original: QuantumCircuit, compiled: QuantumCircuit, rep: Report
                               ) -> tuple[dict[int, int], dict[int, int]]:
    """The final measurements of both circuits (instruction index -> qubit), checked to
    read the same input qubit into each bit; raises VerificationError when they differ.

    What counts as final in the compiled circuit: :func:`_final_in_compiled`.
    """
    in_bits = input_clbits(original, compiled)
    final_o = final_measurements(original)
    map_o = {original.find_bit(original.data[i].clbits[0]).index: q for i, q in final_o.items()}
    final_c, map_c = _final_in_compiled(compiled, in_bits, rep, set(map_o))
    if map_o != map_c:
        raise VerificationError(
            f"final measurements differ: input measures {map_o} (clbit: qubit), "
            f"compiled measures {map_c}"
        )
    return final_o, final_c


def check_by_statevector(
    original: QuantumCircuit, compiled: QuantumCircuit, rep: Report, *, runs: int, seed: int
) -> str:
    """Compare ``compiled`` with ``original`` on ``runs`` random inputs; raise on mismatch."""
    n = original.num_qubits
    in_bits = input_clbits(original, compiled)
    final_o, final_c = matched_final_measurements(original, compiled, rep)
    keys = deferred_events(original, final_o)
    aux = {key: n + k for k, key in enumerate(keys)}
    width = n + len(keys)
    plan = _plan(compiled, rep, width)
    identity = _Plan({}, [[original.find_bit(q).index for q in inst.qubits]
                          for inst in original.data], [[] for _ in original.data], width, width)
    holder_start = {p: i for i, p in enumerate(rep.initial_layout)}
    rng = np.random.default_rng(seed)
    for run in range(runs):
        psi = random_statevector(2**n, seed=int(rng.integers(2**31))).data
        state = _run(original, Statevector(_place(psi, n, list(range(n)), width)), identity,
                     aux, final_o, None, Wires({q: q for q in range(n)}), rng)
        positions = [plan.fixed[p] for p in rep.initial_layout]
        out = _run(compiled, Statevector(_place(psi, n, positions, plan.total)), plan,
                   aux, final_c, in_bits, Wires(dict(holder_start), rep.teleports), rng)
        fid = _overlap(state.data, out.data, width)
        if fid < 1 - 1e-6:
            raise VerificationError(
                f"compiled state differs from the input's on random input {run}: fidelity {fid:.6f}"
            )
    bits = len({original.data[i].clbits[0] for i in final_o})
    return (f"{plural(runs, 'random input state')} simulated ({plural(plan.total, 'qubit')}), "
            f"fidelity 1 within 1e-6; {plural(bits, 'final measurement')} map"
            f"{'s' if bits == 1 else ''} to the same bits")


def _overlap(target: np.ndarray, full: np.ndarray, width: int) -> float:
    """Fidelity of ``target`` (on the low ``width`` qubits) with ``full`` traced over the rest.

    ``full`` reshaped as (rest, 2**width) has rows ``<rest = c|full>``; the fidelity
    ``<t|Tr_rest(|full><full|)|t> = sum_c |<t|row_c>|^2``.
    """
    rows = full.reshape(-1, 2**width)
    return float(np.sum(np.abs(rows @ np.conj(target)) ** 2))


def _place(psi: np.ndarray, n: int, positions: list[int], total: int) -> np.ndarray:
    """Embed an n-qubit state so that its qubit i sits at ``positions[i]`` of ``total``."""
    full = np.zeros(2**total, dtype=complex)
    full[: 2**n] = psi  # qubits 0..n-1 hold psi, the rest |0>
    tensor = full.reshape([2] * total)  # axis a is qubit total-1-a (little-endian)
    src = [total - 1 - i for i in range(n)]
    dst = [total - 1 - p for p in positions]
    order = [0] * total
    for s_axis, d_axis in zip(src, dst):
        order[d_axis] = s_axis
    rest_src = [a for a in range(total) if a not in src]
    rest_dst = [a for a in range(total) if a not in dst]
    for s_axis, d_axis in zip(rest_src, rest_dst):
        order[d_axis] = s_axis
    return np.transpose(tensor, order).reshape(-1)


def _run(circuit, state, plan: _Plan, aux, finals, in_bits, wires, rng) -> Statevector:
    """Run ``circuit`` on ``state``; ``in_bits`` None means the input circuit.

    Measurements into the input's bits and resets of data qubits are deferred onto
    ``aux``; protocol measurements are sampled and their feed-forward applied.
    """
    bits: dict = {}
    writes: dict[int, int] = {}
    resets: dict[int, int] = {}
    for i, inst in enumerate(circuit.data):
        op = inst.operation
        name = op.name
        qs = plan.qargs[i]
        for slot in plan.fresh[i]:
            state = _sample(state.reset, [slot], rng)
        if name in ("barrier", "delay") or i in finals:
            continue
        if name == "measure":
            bit = inst.clbits[0]
            if in_bits is None or bit in in_bits:
                c = circuit.find_bit(bit).index if in_bits is None else in_bits[bit]
                j = writes.get(c, 0)
                writes[c] = j + 1
                state = state.evolve(CXGate(), [qs[0], _aux(aux, ("measure", c, j))])
            else:
                wires.measured(circuit.find_bit(inst.qubits[0]).index)
                outcome, state = _sample(state.measure, [qs[0]], rng)
                bits[bit] = outcome == "1"
        elif name == "reset":
            wire = wires.wire(circuit.find_bit(inst.qubits[0]).index)
            if wire is None:  # a comm qubit (or spare slot): a real reset
                state = _sample(state.reset, qs, rng)
                continue
            j = resets.get(wire, 0)
            resets[wire] = j + 1
            state = state.evolve(SwapGate(), [qs[0], _aux(aux, ("reset", wire, j))])
        elif name == "if_else":
            clbit, value = op.condition
            if bits.get(clbit, False) == bool(value):
                body = op.params[0]
                for b in body.data:
                    state = state.evolve(
                        b.operation, [qs[body.find_bit(q).index] for q in b.qubits])
        else:
            if name == "swap":
                wires.swap(*(circuit.find_bit(q).index for q in inst.qubits))
            state = state.evolve(op, qs)
    return state


def _sample(method, qargs, rng):
    """Call ``Statevector.measure`` / ``reset`` with a seed drawn from ``rng``."""
    method.__self__.seed(int(rng.integers(2**31)))
    return method(qargs)


def _aux(aux: dict, key: tuple) -> int:
    if key not in aux:
        raise VerificationError(f"compiled circuit has a {key[0]} event {key[1:]} the input lacks")
    return aux[key]
