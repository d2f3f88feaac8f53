"""Check that a compiled circuit obeys the output contract and equals its input.

Three methods, chosen automatically and always named in the result:

* ``stim-flows`` — the circuit is Clifford: exact for every measurement outcome.
  Measurements into the input's registers and resets of data qubits are deferred
  (``CX`` onto / ``SWAP`` with an auxiliary qubit) in both circuits, which turns the
  input into a unitary ``U``; then for every input and auxiliary qubit and
  ``P ∈ {X, Z}`` the compiled circuit must have the stabilizer flow
  ``P → U P U†`` (``stim.Circuit.has_all_flows(unsigned=True)``), and signs are
  checked on random measurement branches with a Choi state in
  ``stim.TableauSimulator``.
* ``clifford-skeleton`` — non-Clifford circuits: ``stim-flows`` on both circuits
  with every non-Clifford rotation replaced by a Clifford one at the same place
  (diagonal gates stay diagonal). It exercises every telegate, swap and
  correction the compiler emitted, on every measurement branch, but not the
  rotation angles.
* ``statevector`` — small non-Clifford circuits get the skeleton check *and* a
  simulation: both circuits run on random input states with Qiskit's
  ``Statevector`` (teleportation measurements sampled, feed-forward applied),
  final measurements compared as a map and the states compared by fidelity.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np
import stim
from qiskit import QuantumCircuit

from dqc.errors import VerificationError
from dqc.estimation.report import Report
from dqc.passes import UnrollForDistribution
from dqc.verification.deferral import Wires, deferred_events, input_clbits
from dqc.verification.simulate import check_by_statevector, simulation_qubits
from dqc.verification.stim_translation import NonClifford, Translator

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


def verify(
    original: QuantumCircuit,
    compiled: QuantumCircuit,
    report: Report | dict,
    *,
    max_sim_qubits: int = 20,
    shots: int = 256,
    seed: int = 0,
) -> Verification:
    """Check ``compiled`` against ``original`` using the layouts in ``report``.

    Args:
        original: the input circuit as the user gave it.
        compiled: the output of :func:`dqc.compile` (or read back from its QASM 3).
        report: its report (object or dict, e.g. the ``--report`` JSON).
        max_sim_qubits: largest qubit count simulated for non-Clifford circuits.
        shots: random measurement branches for the sign check / simulation.
        seed: seed of those random branches.

    Returns:
        A :class:`Verification`; ``ok`` is False with the reason in ``detail``
        when a check fails.

    Examples:
        >>> import dqc
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
        >>> res = dqc.compile(qc, dqc.Network.line(2, data_qubits=1))
        >>> print(verify(qc, res.circuit, res.report))
        verified (stim-flows): output contract holds (1 epr); 4 flows exact (unsigned) and
        signs on 256 random measurement branches
    """
    rep = report if isinstance(report, Report) else Report.from_dict(report)
    try:
        contract = check_contract(original, compiled, rep)
    except VerificationError as exc:
        return Verification(False, "contract", str(exc))
    unrolled = UnrollForDistribution()(original)
    try:
        try:
            detail = _check_stim(unrolled, compiled, rep, skeleton=False, shots=shots, seed=seed)
            return Verification(True, "stim-flows", f"{contract}; {detail}")
        except NonClifford:
            pass
        skeleton = _check_stim(unrolled, compiled, rep, skeleton=True, shots=shots, seed=seed)
        width = simulation_qubits(original, compiled, rep)
        if width <= max_sim_qubits:
            sim = check_by_statevector(original, compiled, rep, runs=2, seed=seed)
            return Verification(True, "statevector", f"{contract}; {sim}; {skeleton}")
        return Verification(
            True,
            "clifford-skeleton",
            f"{contract}; {skeleton} (rotation angles not checked: simulating would take "
            f"{width} qubits > max_sim_qubits={max_sim_qubits})",
        )
    except VerificationError as exc:
        return Verification(False, "equivalence", str(exc))


def check_contract(original: QuantumCircuit, compiled: QuantumCircuit, rep: Report) -> str:
    """Check the output contract (docs/design.md); return a summary or raise VerificationError."""
    n_out = compiled.num_qubits
    if len(rep.qubit_qpu) != n_out:
        raise VerificationError(
            f"report names a QPU for {len(rep.qubit_qpu)} qubits, the circuit has {n_out}"
        )
    if len(rep.initial_layout) != original.num_qubits:
        raise VerificationError(
            f"report lays out {len(rep.initial_layout)} qubits, the input has {original.num_qubits}"
        )
    comm = set(rep.comm_qubits)
    links = {frozenset(pair) for pair in rep.links}
    clean = {m: True for m in comm}
    per_link: Counter[str] = Counter()
    link_key = {frozenset(pair): f"{pair[0]}-{pair[1]}" for pair in rep.links}
    for inst in compiled.data:
        qs = [compiled.find_bit(q).index for q in inst.qubits]
        name = inst.operation.name
        qpus = {rep.qubit_qpu[q] for q in qs}
        if name == "epr":
            a, b = qs
            if a not in comm or b not in comm:
                raise VerificationError(f"epr on qubits {a}, {b}, which are not both comm qubits")
            pair = frozenset((rep.qubit_qpu[a], rep.qubit_qpu[b]))
            if pair not in links:
                raise VerificationError(
                    f"epr between {rep.qubit_qpu[a]} and {rep.qubit_qpu[b]}, which share no link"
                )
            if not (clean[a] and clean[b]):
                raise VerificationError(f"epr on comm qubit {a if not clean[a] else b} not reset")
            per_link[link_key[pair]] += 1
        elif len(qpus) > 1:
            raise VerificationError(
                f"'{name}' on qubits {qs} spans QPUs {sorted(qpus)}; only epr may cross QPUs"
            )
        for q in qs:
            if q in comm:
                clean[q] = name == "reset"
    total = sum(per_link.values())
    if total != rep.ebits:
        raise VerificationError(f"circuit has {total} epr, report says {rep.ebits}")
    for key, count in rep.ebits_per_link.items():
        if per_link.get(key, 0) != count:
            raise VerificationError(
                f"link {key} carries {per_link.get(key, 0)} epr, report says {count}"
            )
    names_in = [(r.name, r.size) for r in original.cregs]
    names_out = [(r.name, r.size) for r in compiled.cregs[: len(names_in)]]
    if names_in != names_out:
        raise VerificationError(
            f"classical registers changed: input {names_in}, output starts with {names_out}"
        )
    for qpu, info in rep.qpus.items():
        have = sum(1 for q in comm if rep.qubit_qpu[q] == qpu)
        if have > info["comm"]:
            raise VerificationError(f"QPU {qpu} uses {have} comm qubits, has {info['comm']}")
    return f"output contract holds ({total} epr)"


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
    # comm qubits and unused data slots start in |0>
    ancillas = sorted(set(range(n_out)) - set(rep.initial_layout))
    prefix = stim.Circuit()
    if ancillas:
        prefix.append("R", ancillas)
    return s_orig, prefix + s_comp.circuit, aux_o, aux_c, keys, s_comp.snapped + s_orig.snapped


def _check_stim(unrolled, compiled, rep: Report, *, skeleton: bool, shots: int, seed: int) -> str:
    s_orig, s_comp, aux_o, aux_c, keys, snapped = _translate_pair(
        unrolled, compiled, rep, skeleton)
    n = unrolled.num_qubits
    n_out = compiled.num_qubits
    width_o = n + len(keys)
    width_c = n_out + len(keys)
    tableau = stim.Tableau.from_circuit(s_orig.circuit, ignore_noise=True) if len(
        s_orig.circuit) else stim.Tableau(width_o)
    if len(tableau) < width_o:
        tableau = tableau + stim.Tableau(width_o - len(tableau))

    def in_index(j: int) -> int:
        return rep.initial_layout[j] if j < n else aux_c.index[keys[j - n]]

    def out_index(j: int) -> int:
        return rep.final_layout[j] if j < n else aux_c.index[keys[j - n]]

    def mapped(ps: stim.PauliString) -> stim.PauliString:
        out = stim.PauliString(width_c)
        for j in ps.pauli_indices():
            out[out_index(j)] = ps[j]
        out.sign = ps.sign
        return out

    flows, expected = [], []
    for j in range(width_o):
        for pauli, image in (("X", tableau.x_output(j)), ("Z", tableau.z_output(j))):
            inp = stim.PauliString(width_c)
            inp[in_index(j)] = pauli
            out = mapped(image)
            flows.append(stim.Flow(input=inp, output=out))
            expected.append((j, pauli, out))
    if not s_comp.has_all_flows(flows, unsigned=True):
        bad = [f for f in flows if not s_comp.has_flow(f, unsigned=True)]
        raise VerificationError(
            f"{len(bad)} of {len(flows)} stabilizer flows fail, first: {bad[0]}"
        )
    _check_signs(s_comp, expected, width_c, in_index, shots, seed)
    what = "Clifford skeleton: " if skeleton else ""
    return (f"{what}{len(flows)} flows exact (unsigned) and signs on {shots} random "
            "measurement branches")


def _check_signs(s_comp, expected, width_c, in_index, shots, seed) -> None:
    """Signs of every flow on every measurement branch, via a Choi state.

    Bell pairs join reference qubits to the compiled circuit's inputs; after the
    circuit, each expected stabilizer (reference Pauli ⊗ image, with its sign) is
    measured with ``MPP`` and declared a ``DETECTOR``. The reference sample must
    show +1 for every stabilizer (the signs on one branch), and stim's frame
    simulator over ``shots`` random branches must fire no detector: a stabilizer
    whose sign depends on a measurement outcome fires with probability 1/2 a shot.
    """
    n_in = len(expected) // 2
    refs = [width_c + j for j in range(n_in)]
    lines = []
    for j in range(n_in):
        lines.append(f"H {refs[j]}\nCX {refs[j]} {in_index(j)}")
    for j, pauli, out in expected:
        terms = [f"{'!' if out.sign == -1 else ''}{pauli}{refs[j]}"]
        terms += [f"{'_XYZ'[out[k]]}{k}" for k in out.pauli_indices()]
        lines.append("MPP " + "*".join(terms))
    count = len(expected)
    lines += [f"DETECTOR rec[{-count + k}]" for k in range(count)]
    choi = stim.Circuit("\n".join(lines[:n_in])) + s_comp + stim.Circuit("\n".join(lines[n_in:]))
    reference = choi.reference_sample()[-count:]
    if reference.any():
        j, pauli, out = expected[int(np.flatnonzero(reference)[0])]
        raise VerificationError(
            f"sign error: input {pauli} on qubit {j} comes out as {-out} instead of {out}"
        )
    fired = choi.compile_detector_sampler(seed=seed).sample(shots).any(axis=0)
    if fired.any():
        j, pauli, out = expected[int(np.flatnonzero(fired)[0])]
        raise VerificationError(
            f"sign error: input {pauli} on qubit {j} comes out as {out} or {-out} "
            f"depending on measurement outcomes ({shots} random branches sampled)"
        )


