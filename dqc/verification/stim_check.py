"""Clifford circuits checked exactly with stim: stabilizer flows and sign checks.

``stim-flows``: measurements into the input's registers and resets of data qubits are
deferred (``CX`` onto / ``SWAP`` with an auxiliary qubit) in both circuits, which turns
the input into a unitary ``U``; then for every input and auxiliary qubit and
``P ∈ {X, Z}`` the compiled circuit must have the stabilizer flow ``P → U P U†``
(``stim.Circuit.has_all_flows(unsigned=True)``), and signs are checked on random
measurement branches with a Choi state in ``stim.TableauSimulator``. With
``skeleton=True`` every non-Clifford rotation is first replaced by a Clifford one at the
same place (``clifford-skeleton``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import stim

from dqc.errors import VerificationError, plural
from dqc.estimation.report import Report
from dqc.gates import BLOCKS
from dqc.verification.deferral import Wires, deferred_events, input_clbits
from dqc.verification.stim_deferred import Unsupported, deferred_choi
from dqc.verification.stim_translation import NonClifford, Translator

__all__ = ["NonClifford", "Verification", "check_stim"]

_PAULI_NAMES = ("x", "y", "z")


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` checked and found.

    Attributes:
        ok: the compiled circuit passed every check.
        method: ``stim-flows``, ``statevector`` or ``clifford-skeleton``.
        detail: what exactly was checked (or what failed), in words and numbers.
    """

    ok: bool
    method: str
    detail: str

    def to_dict(self) -> dict:
        """Plain-JSON form, as stored in the report."""
        return asdict(self)

    def __str__(self) -> str:
        return f"{'verified' if self.ok else 'NOT VERIFIED'} ({self.method}): {self.detail}"


class _Aux:
    """Auxiliary stim qubits for deferred measurements and resets, keyed by event."""

    def __init__(self, base: int, keys: list[tuple]) -> None:
        self.index = {key: base + i for i, key in enumerate(keys)}

    def get(self, key: tuple) -> int:
        if key not in self.index:
            raise VerificationError(
                f"compiled circuit has a {key[0]} event {key[1:]} the input does not have"
            )
        return self.index[key]


def _translate_pair(unrolled, compiled, rep, skeleton):
    n = unrolled.num_qubits
    keys = deferred_events(unrolled)
    aux_o = _Aux(n, keys)
    s_orig = Translator(
        unrolled, list(range(n)), skeleton=skeleton, aux=aux_o.get,
        measured_bits={bit: unrolled.find_bit(bit).index for bit in unrolled.clbits},
        wires=Wires({q: q for q in range(n)}),
    ).run()
    if s_orig.num_measurements:
        raise VerificationError("internal error: input measurements were not deferred")
    n_out = compiled.num_qubits
    aux_c = _Aux(n_out, keys)
    comm = set(rep.comm_qubits)
    holder = {p: i for i, p in enumerate(rep.initial_layout)}
    s_comp = Translator(
        compiled, list(range(n_out)), skeleton=skeleton, aux=aux_c.get,
        measured_bits=input_clbits(unrolled, compiled),
        wires=Wires({p: w for p, w in holder.items() if p not in comm}, rep.teleports),
    ).run()
    _same_blocks(s_orig.blocks, s_comp.blocks)
    # comm qubits and unused data slots start in |0>
    ancillas = sorted(set(range(n_out)) - set(rep.initial_layout))
    prefix = stim.Circuit()
    if ancillas:
        prefix.append("R", ancillas)
    return s_orig, prefix + s_comp.circuit, aux_o, aux_c, keys, s_comp.snapped + s_orig.snapped


def check_stim(unrolled, compiled, rep: Report, *, skeleton: bool, shots: int, seed: int) -> str:
    s_orig, s_comp, aux_o, aux_c, keys, snapped = _translate_pair(
        unrolled, compiled, rep, skeleton)
    n = unrolled.num_qubits
    width_o = n + len(keys)
    width_c = compiled.num_qubits + len(keys)

    def in_index(j: int) -> int:
        return rep.initial_layout[j] if j < n else aux_c.index[keys[j - n]]

    def out_index(j: int) -> int:
        return rep.final_layout[j] if j < n else aux_c.index[keys[j - n]]

    def flows() -> tuple[list, list]:
        return _expected_flows(s_orig.circuit, width_o, width_c, in_index, out_index)

    undo = _undo(s_orig.circuit, out_index, width_o)
    ins, outs = [in_index(j) for j in range(width_o)], [out_index(j) for j in range(width_o)]
    try:
        problems = deferred_choi(s_comp + undo, width=width_c, ins=ins, outs=outs)
    except Unsupported:
        signs = _flows_then_signs(s_comp, undo, *flows(), width_c, in_index, out_index,
                                  shots, seed)
    else:
        if problems:
            _report(problems, *flows())
        signs = "exact with their signs on every measurement branch (measurements deferred)"
    what = "Clifford skeleton: " if skeleton else ""
    blocks = _count_blocks(unrolled)
    kept = (f"; {plural(blocks, 'while_loop')}: the same body on the same input qubits, "
            "stood in for by a random Clifford in both circuits (a test, not a proof, of "
            "what surrounds it)") if blocks else ""
    return f"{what}{plural(2 * width_o, 'flow')} {signs}{kept}"


def _expected_flows(original: stim.Circuit, width_o: int, width_c: int, in_index, out_index
                    ) -> tuple[list, list]:
    """Every flow the compiled circuit must have — input ``P`` on qubit j to the input's
    image of it, on the output qubits — and ``(j, P, image)`` of each."""
    tableau = stim.Tableau.from_circuit(original, ignore_noise=True) if len(
        original) else stim.Tableau(width_o)
    if len(tableau) < width_o:
        tableau = tableau + stim.Tableau(width_o - len(tableau))
    position = np.array([out_index(j) for j in range(width_o)], dtype=np.int64)

    def mapped(ps: stim.PauliString) -> stim.PauliString:
        xs, zs = ps.to_numpy()
        out_xs = np.zeros(width_c, dtype=np.bool_)
        out_zs = np.zeros(width_c, dtype=np.bool_)
        out_xs[position] = xs
        out_zs[position] = zs
        return stim.PauliString.from_numpy(xs=out_xs, zs=out_zs, sign=ps.sign)

    flows, expected = [], []
    for j in range(width_o):
        for pauli, image in (("X", tableau.x_output(j)), ("Z", tableau.z_output(j))):
            inp = stim.PauliString(width_c)
            inp[in_index(j)] = pauli
            out = mapped(image)
            flows.append(stim.Flow(input=inp, output=out))
            expected.append((j, pauli, out))
    return flows, expected


def _report(problems: list[tuple[str, int, str]], flows: list, expected: list) -> None:
    """Raise for the first failing flow of :func:`deferred_choi`'s ``problems``."""
    broken = [(p, j) for p, j, kind in problems if kind == "random"]
    if broken:
        first = next(f for f, (k, p, _) in zip(flows, expected) if (p, k) == broken[0])
        raise VerificationError(
            f"{len(broken)} of {plural(len(flows), 'stabilizer flow')} fail"
            f"{'s' if len(broken) == 1 else ''}, first: {first}")
    if problems:
        pauli, j, _ = problems[0]
        out = next(o for k, p, o in expected if k == j and p == pauli)
        raise VerificationError(
            f"sign error: input {pauli} on qubit {j} comes out as {-out} instead of {out}")


def _flows_then_signs(s_comp, undo, flows, expected, width_c, in_index, out_index, shots,
                      seed) -> str:
    """Unsigned flows by stim, then the sign check: for a program the deferred run does
    not cover."""
    if not s_comp.has_all_flows(flows, unsigned=True):
        bad = [f for f in flows if not s_comp.has_flow(f, unsigned=True)]
        raise VerificationError(
            f"{len(bad)} of {plural(len(flows), 'stabilizer flow')} fail"
            f"{'s' if len(bad) == 1 else ''}, first: {bad[0]}"
        )
    _check_signs(s_comp, undo, expected, width_c, in_index, out_index, shots, seed)
    branches = plural(shots, "random measurement branch", "random measurement branches")
    return f"exact (unsigned) and signs on {branches}"


def _count_blocks(circuit) -> int:
    return sum(1 for inst in circuit.data if inst.name in BLOCKS)


def _same_blocks(original: list, compiled: list) -> None:
    """Each kept block of the input appears in the compiled circuit, the same operation on
    qubits holding the same input wires (in order), and nothing else does."""
    if len(original) != len(compiled):
        raise VerificationError(
            f"the input has {plural(len(original), 'while_loop')}, the compiled circuit "
            f"{len(compiled)}")
    for (wires, op), (wires_c, op_c) in zip(sorted(original, key=lambda b: b[0]),
                                            sorted(compiled, key=lambda b: b[0])):
        if wires != wires_c or op != op_c:
            raise VerificationError(
                f"'{op.name}' on input qubits {list(wires)} is not in the compiled circuit "
                f"as it is (found '{op_c.name}' on input qubits {list(wires_c)})")


def _undo(original: stim.Circuit, out_index, width_o: int) -> stim.Circuit:
    """The input's (unitary) circuit inverted, its qubit ``j`` moved to ``out_index(j)``:
    appended to the compiled circuit it takes every output back to its input."""
    position = [out_index(j) for j in range(width_o)]
    lines = []
    for inst in original.inverse().flattened():
        targets = inst.targets_copy()
        if not all(t.is_qubit_target for t in targets):
            raise VerificationError(f"internal error: '{inst}' in the input's unitary circuit")
        args = inst.gate_args_copy()
        head = f"{inst.name}({','.join(map(repr, args))})" if args else inst.name
        lines.append(f"{head} {' '.join(str(position[t.value]) for t in targets)}")
    return stim.Circuit("\n".join(lines))


def _reference_runs(program: stim.Circuit, ins: list[int], outs: list[int]
                    ) -> tuple[str, int] | None:
    """The runs on ``|0...0>`` and ``|+...+>`` on stim's reference sample (random outcomes
    taken as 0): ``(pauli, j)`` of the first output that does not come back, or None."""
    ins_text, outs_text = " ".join(map(str, ins)), " ".join(map(str, outs))
    for pauli, before, after in (("Z", "", ""), ("X", f"H {ins_text}", f"H {outs_text}")):
        run = stim.Circuit(before) + program + stim.Circuit(f"{after}\nM {outs_text}")
        wrong = np.flatnonzero(run.reference_sample()[-len(outs):])
        if len(wrong):
            return pauli, int(wrong[0])
    return None


def _check_signs(s_comp, undo, expected, width_c, in_index, out_index, shots, seed) -> None:
    """Signs of every flow on every measurement branch.

    ``undo`` (:func:`_undo`), the input's circuit inverted on the output qubits, follows
    the compiled circuit, so that a correct flow takes each input Pauli to the same Pauli
    on the output qubit of that input, with sign +.

    For a program :func:`~dqc.verification.stim_deferred.deferred_choi` does not cover.

    One branch: stim's reference sample (random outcomes taken as 0) of the compiled
    circuit and ``undo`` on ``|0...0>`` must read 0 on every output qubit (the signs of
    the ``Z`` flows), and on ``|+...+>`` (``H`` before and after) the same (the ``X``
    flows).

    Every branch: a Choi state — Bell pairs join reference qubits to the inputs, each
    flow's Pauli is measured on the reference and the output qubit with ``MPP`` and
    declared a ``DETECTOR`` — and stim's frame simulator over ``shots`` random branches
    must fire no detector: a stabilizer whose sign depends on a measurement outcome fires
    with probability 1/2 a shot. (The frame simulator needs no reference sample.)
    """
    n_in = len(expected) // 2
    wrong = _reference_runs(s_comp + undo, [in_index(j) for j in range(n_in)],
                            [out_index(j) for j in range(n_in)])
    if wrong is not None:
        pauli, j = wrong
        out = next(o for k, p, o in expected if k == j and p == pauli)
        raise VerificationError(
            f"sign error: input {pauli} on qubit {j} comes out as {-out} instead of {out}")
    refs = [width_c + j for j in range(n_in)]
    lines = [f"H {refs[j]}\nCX {refs[j]} {in_index(j)}" for j in range(n_in)]
    finals = [f"MPP {pauli}{refs[j]}*{pauli}{out_index(j)}" for j, pauli, _ in expected]
    count = len(expected)
    finals += [f"DETECTOR rec[{-count + k}]" for k in range(count)]
    choi = (stim.Circuit("\n".join(lines)) + s_comp + undo
            + stim.Circuit("\n".join(finals)))
    fired = choi.compile_detector_sampler(seed=seed).sample(shots).any(axis=0)
    if fired.any():
        j, pauli, out = expected[int(np.flatnonzero(fired)[0])]
        raise VerificationError(
            f"sign error: input {pauli} on qubit {j} comes out as {out} or {-out} "
            f"depending on measurement outcomes "
            f"({plural(shots, 'random branch', 'random branches')} sampled)"
        )
