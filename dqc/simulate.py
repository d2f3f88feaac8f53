"""Verification by simulation for small non-Clifford circuits (Qiskit ``Statevector``).

Both circuits run on the same random input state. Final measurements (the last
operation on their qubit) are compared as a map — the compiled circuit must
measure the qubit holding the same input qubit into the same bit — and removed;
mid-circuit measurements and data resets are deferred onto auxiliary qubits
(``CX`` / ``SWAP``). Teleportation measurements of the compiled circuit are
sampled and their feed-forward applied, so every run follows one random branch;
the compiled state, traced over comm qubits, must equal the input's.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import CXGate, SwapGate
from qiskit.quantum_info import Statevector, random_statevector

from dqc.errors import VerificationError
from dqc.report import Report


def _final_measurements(circuit: QuantumCircuit, bits=None) -> dict[int, int]:
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
        for i in set(last.values())
        if circuit.data[i].operation.name == "measure"
        and (bits is None or circuit.data[i].clbits[0] in bits)
    }


def check_by_statevector(
    original: QuantumCircuit, compiled: QuantumCircuit, rep: Report, *, runs: int, seed: int
) -> str:
    """Compare ``compiled`` with ``original`` on ``runs`` random inputs; raise on mismatch."""
    n = original.num_qubits
    in_bits = {}
    for reg_in, reg_out in zip(original.cregs, compiled.cregs):
        for b_in, b_out in zip(reg_in, reg_out):
            in_bits[b_out] = original.find_bit(b_in).index
    final_o = _final_measurements(original)
    final_c = _final_measurements(compiled, in_bits)
    # final measurements as maps clbit -> input qubit
    map_o = {original.find_bit(original.data[i].clbits[0]).index: q for i, q in final_o.items()}
    holder_end = {p: i for i, p in enumerate(rep.final_layout)}
    map_c = {}
    for i, p in final_c.items():
        bit = compiled.data[i].clbits[0]
        if bit in in_bits:
            map_c[in_bits[bit]] = holder_end.get(p, -1)
    if map_o != map_c:
        raise VerificationError(
            f"final measurements differ: input measures {map_o} (clbit: qubit), "
            f"compiled measures {map_c}"
        )
    # deferred events
    keys: list[tuple] = []
    _events(original, keys, lambda inst, i: i not in final_o, original.find_bit)
    keys.sort()
    aux = {key: n + k for k, key in enumerate(keys)}
    rng = np.random.default_rng(seed)
    comm = set(rep.comm_qubits)
    active = sorted(set(rep.initial_layout) | set(rep.final_layout) | {
        compiled.find_bit(q).index for inst in compiled.data for q in inst.qubits})
    # compiled sim order: data in final order, aux, then everything else
    sim_of = {p: i for i, p in enumerate(rep.final_layout)}
    rest = [p for p in active if p not in sim_of]
    width = n + len(keys)
    for k, p in enumerate(rest):
        sim_of[p] = width + k
    total = width + len(rest)
    for run in range(runs):
        psi = random_statevector(2**n, seed=int(rng.integers(2**31)))
        # original: input i at qubit i, aux after
        state = Statevector(psi).expand(Statevector.from_int(0, 2 ** len(keys))) if keys else Statevector(psi)
        state = _run(original, state, list(range(n)), aux, final_o, None, None, rng, set())
        # compiled: input i at sim_of[initial_layout[i]]
        start = _place(psi.data, n, [sim_of[p] for p in rep.initial_layout], total)
        holder_start = {p: i for i, p in enumerate(rep.initial_layout)}
        out = _run(compiled, Statevector(start), [sim_of.get(p, -1) for p in range(compiled.num_qubits)],
                   aux, final_c, in_bits, holder_start, rng, comm)
        fid = _overlap(state.data, out.data, width)
        if fid < 1 - 1e-6:
            raise VerificationError(
                f"compiled state differs from the input's on random input {run}: fidelity {fid:.6f}"
            )
    return (f"{runs} random input states simulated ({total} qubits), fidelity 1 within 1e-6; "
            f"{len(map_o)} final measurements map to the same bits")


def _overlap(target: np.ndarray, full: np.ndarray, width: int) -> float:
    """Fidelity of ``target`` (on the low ``width`` qubits) with ``full`` traced over the rest.

    ``full`` reshaped as (rest, 2**width) has rows ``<rest = c|full>``; the fidelity
    ``<t|Tr_rest(|full><full|)|t> = sum_c |<t|row_c>|^2``.
    """
    rows = full.reshape(-1, 2**width)
    return float(np.sum(np.abs(rows @ np.conj(target)) ** 2))


def _events(circuit, keys, keep, find_bit) -> None:
    writes: dict[int, int] = {}
    resets: dict[int, int] = {}
    for i, inst in enumerate(circuit.data):
        name = inst.operation.name
        if name == "measure" and keep(inst, i):
            c = find_bit(inst.clbits[0]).index
            keys.append(("measure", c, writes.get(c, 0)))
            writes[c] = writes.get(c, 0) + 1
        elif name == "reset":
            q = find_bit(inst.qubits[0]).index
            keys.append(("reset", q, resets.get(q, 0)))
            resets[q] = resets.get(q, 0) + 1


def _place(psi: np.ndarray, n: int, positions: list[int], total: int) -> np.ndarray:
    """Embed an n-qubit state so that its qubit i sits at ``positions[i]`` of ``total``."""
    full = np.zeros(2**total, dtype=complex)
    full[: 2**n] = psi  # qubits 0..n-1 hold psi, the rest |0>
    tensor = full.reshape([2] * total)  # axis a is qubit total-1-a (little-endian)
    order = list(range(total))
    src = [total - 1 - i for i in range(n)]
    others = [a for a in range(total) if a not in src]
    dst_axes = [total - 1 - p for p in positions]
    free_axes = [a for a in range(total) if a not in dst_axes]
    for s, d in zip(src, dst_axes):
        order[d] = s
    for s, d in zip(others, free_axes):
        order[d] = s
    return np.transpose(tensor, order).reshape(-1)


def _run(circuit, state, sim_index, aux, finals, in_bits, holder, rng, comm) -> Statevector:
    """Run ``circuit`` on ``state``; ``in_bits``/``holder`` None means the input circuit."""
    bits: dict = {}
    writes: dict[int, int] = {}
    resets: dict[int, int] = {}
    for i, inst in enumerate(circuit.data):
        op = inst.operation
        name = op.name
        qs = [sim_index[circuit.find_bit(q).index] for q in inst.qubits]
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
                state.seed(int(rng.integers(2**31)))
                outcome, state = state.measure([qs[0]])
                bits[bit] = outcome == "1"
        elif name == "reset":
            p = circuit.find_bit(inst.qubits[0]).index
            if in_bits is not None and p in comm:
                state.seed(int(rng.integers(2**31)))
                state = state.reset([qs[0]])
                continue
            q = p if holder is None else holder.get(p, -1)
            j = resets.get(q, 0)
            resets[q] = j + 1
            state = state.evolve(SwapGate(), [qs[0], _aux(aux, ("reset", q, j))])
        elif name == "if_else":
            clbit, value = op.condition
            if bits.get(clbit, False) == bool(value):
                body = op.params[0]
                for b in body.data:
                    outer = inst.qubits[body.find_bit(b.qubits[0]).index]
                    state = state.evolve(b.operation, [sim_index[circuit.find_bit(outer).index]])
        else:
            state = state.evolve(op, qs)
    return state


def _aux(aux: dict, key: tuple) -> int:
    if key not in aux:
        raise VerificationError(f"compiled circuit has a {key[0]} event {key[1:]} the input lacks")
    return aux[key]
