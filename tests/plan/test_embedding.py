"""Embedding: segments that continue through Pauli flips, mirrored onto copies; verified."""

from __future__ import annotations

import random

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.converters import circuit_to_dag

import dqc
from dqc.plan.cost_model import two_qubit_gates
from dqc.plan.embedding import embed, find_flips, plan_embedding
from tests.helpers import CIRCUITS

TWO = np.array([[0, 1], [1, 0]])


def z_through_cx() -> QuantumCircuit:
    """q0's Z segment continues through the target of ``cx(1, 0)``::

        q0 ─■──────⊕──────■─      QPU 0: q0, q1
        q1 ─┼──■───■──────┼─      QPU 1: q2, q3
        q2 ─■──┼───────H──■─
        q3 ────■────────────

    Static: every segment of q0 and of q2 holds one CZ, so the two CZ(q0, q2) need
    two copies, and CZ(q1, q3) one: 3 ebits. Embedded: one copy of q0 on QPU 1
    serves both; the CX is mirrored onto it from q1's copy there, which CZ(q1, q3)
    needs anyway: 2 ebits. Fewer is impossible: CZ(q1, q3) and the CZ(q0, q2)
    pair involve disjoint qubits, each needs an ebit.
    """
    qc = QuantumCircuit(4)
    qc.cz(0, 2); qc.cz(1, 3); qc.cx(1, 0); qc.h(2); qc.cz(0, 2)  # noqa: E702
    return qc


def x_through_cx_control() -> QuantumCircuit:
    """q0's X segment continues through ``cx(0, 1)``, where q0 is the control::

        q0 ─────⊕──■─────────⊕─      QPU 0: q0, q1
        q1 ──⊕──┼──⊕─────────┼─      QPU 1: q2, q3
        q2 ──┼──■───────H────■─
        q3 ──■─────────────────

    Static: the two CX(q2, q0) fall in different segments of both q0 (the CX
    control ends its X segment) and q2 (the H): 2 ebits, plus 1 for CX(q3, q1).
    Embedded: q0's X copy on QPU 1 serves both, the CX(0, 1) mirrored onto it with
    q1's X copy there (made for CX(q3, q1)): 2 ebits, optimal as above.
    """
    qc = QuantumCircuit(4)
    qc.cx(3, 1); qc.cx(2, 0); qc.cx(0, 1); qc.h(2); qc.cx(2, 0)  # noqa: E702
    return qc


def pauli_in_segment() -> QuantumCircuit:
    """An X between two CZ of q0 with q2: static 2 ebits, embedded 1 (the X is mirrored)::

        q0 ─■──X──────■─      QPU 0: q0, q1
        q2 ─■─────H───■─      QPU 1: q2, q3
    """
    qc = QuantumCircuit(4)
    qc.cz(0, 2); qc.x(0); qc.h(2); qc.cz(0, 2)  # noqa: E702
    return qc


@pytest.mark.parametrize("build, static, optimal", [
    (z_through_cx, 3, 2), (x_through_cx_control, 3, 2), (pauli_in_segment, 2, 1)])
def test_hand_drawn_optimum_is_reached_and_verifies(build, static, optimal, fixed):
    qc = build()
    plan = plan_embedding(circuit_to_dag(qc), [0, 0, 1, 1], TWO)
    assert (plan.static_ebits, plan.ebits, plan.lower_bound) == (static, optimal, optimal)
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    out, report = fixed(qc, net, ("qpu0", "qpu0", "qpu1", "qpu1"), embedding=plan)
    assert report.ebits == optimal


def test_compile_embeds_the_bundled_adder(verified):
    """The bundled 28-qubit ripple-carry adder on 2 QPUs: 3 ebits, as pytket-dqc's
    figure in PEERS.md (4 without embedding), and the bound says 3 is optimal here."""
    qc = QuantumCircuit.from_qasm_file(str(CIRCUITS / "adder_n28.qasm"))
    res = verified(qc, dqc.Network.all_to_all(2, data_qubits=14))
    report = res.report
    flips = report.embedded_flips
    assert flips > 0 and f"{flips} flip{'s' * (flips != 1)} embedded" in report.summary()
    assert report.ebits == report.ebits_lower_bound == 3


def test_mirror_with_a_missing_partner_copy_opens_it(fixed):
    """A flip whose partner has no copy where q has one: the mirror forces one (1 ebit),
    so continuing through costs as much as it saves: the plan leaves it, but forced
    through it still verifies."""
    qc = QuantumCircuit(4)
    qc.cz(0, 2); qc.cx(1, 0); qc.h(2); qc.cz(0, 2)  # noqa: E702
    dag = circuit_to_dag(qc)
    assert plan_embedding(dag, [0, 0, 1, 1], TWO).through == frozenset()
    flip = next(f for f in find_flips(dag, two_qubit_gates(dag))
                if (f.qubit, f.basis) == (0, "z"))
    forced = embed(dag, [0, 0, 1, 1], TWO, frozenset({flip.key}))
    assert forced.ebits == 2 and any(g.position < 0 for g in forced.gates)
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    _, report = fixed(qc, net, ("qpu0", "qpu0", "qpu1", "qpu1"), embedding=forced)
    assert report.ebits == 2


def random_through(dag, rng: random.Random, fraction: float = 0.7) -> frozenset:
    """A random set of flips to continue through, at most one per gate."""
    chosen: dict[int, tuple] = {}
    for f in find_flips(dag, two_qubit_gates(dag)):
        if f.position not in chosen and rng.random() < fraction:
            chosen[f.position] = f.key
    return frozenset(chosen.values())


@pytest.mark.parametrize("seed", range(6))
def test_arbitrary_embeddings_verify_with_stim(seed, clifford_circuit, fixed):
    """Random flips continued through, on random Clifford circuits over 3 QPUs of a
    line (mirrors with partner copies swapped over a path), verify exactly."""
    rng = random.Random(seed)
    qc = clifford_circuit(8, 90, seed=seed, resets=True)
    qc = dqc.passes.ElideSwaps()(dqc.passes.UnrollForDistribution()(qc))
    net = dqc.Network.line(3, data_qubits=3, comm_qubits=2)
    part = ("qpu0",) * 3 + ("qpu1",) * 3 + ("qpu2",) * 2
    dag = circuit_to_dag(qc)
    through = random_through(dag, rng)
    assert through
    plan = embed(dag, [net.index(p) for p in part], net.distances(), through)
    fixed(qc, net, part, embedding=plan)


@pytest.mark.parametrize("seed", range(4))
def test_arbitrary_embeddings_verify_by_simulation(seed, nonclifford_circuit, fixed):
    """The same with T, rotations and Toffolis (statevector simulation)."""
    random_circuit = nonclifford_circuit
    rng = random.Random(100 + seed)
    qc = random_circuit(6, 60, seed=seed)
    for _ in range(12):  # more flips: Paulis and CX
        a, b = rng.sample(range(6), 2)
        kind = rng.choice(("cx", "x", "z"))
        qc.cx(a, b) if kind == "cx" else getattr(qc, kind)(a)
    qc = dqc.passes.ElideSwaps()(dqc.passes.UnrollForDistribution()(qc))
    net = dqc.Network.all_to_all(3, data_qubits=2, comm_qubits=2)
    part = ("qpu0", "qpu1", "qpu2", "qpu0", "qpu1", "qpu2")
    dag = circuit_to_dag(qc)
    plan = embed(dag, [net.index(p) for p in part], net.distances(), random_through(dag, rng))
    fixed(qc, net, part, embedding=plan)


def test_one_comm_qubit_still_verifies(fixed):
    """With one comm qubit per QPU, a mirror's partner copy evicts nothing it needs."""
    qc = z_through_cx()
    plan = plan_embedding(circuit_to_dag(qc), [0, 0, 1, 1], TWO)
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=1)
    fixed(qc, net, ("qpu0", "qpu0", "qpu1", "qpu1"), embedding=plan)


def test_embedding_is_deterministic(nonclifford_circuit):
    qc = dqc.passes.UnrollForDistribution()(nonclifford_circuit(10, 200, seed=5))
    dag = circuit_to_dag(qc)
    part = [0] * 5 + [1] * 5
    first = plan_embedding(dag, part, TWO)
    assert plan_embedding(dag, part, TWO) == first


@pytest.mark.parametrize("seed", range(3))
def test_compile_picks_one_plan_and_verifies(seed, nonclifford_circuit, verified):
    """A compile uses teledata moves or embedding (never both: moves end segments), and
    the report's plan matches what was emitted when comm qubits do not run out."""
    qc = nonclifford_circuit(8, 120, seed=seed)
    for q in range(0, 8, 2):
        qc.cx(q + 1, q)
        qc.x(q)
    res = verified(qc, dqc.Network.all_to_all(2, data_qubits=4, comm_qubits=4), seed=seed)
    report = res.report
    assert not (report.moves and report.embedded_flips)
    assert report.ebits_lower_bound <= report.planned_ebits <= report.ebits




def z_through_cz_sandwich() -> QuantumCircuit:
    """:func:`z_through_cx` with its CX written ``h q0; cz q1, q0; h q0``."""
    qc = QuantumCircuit(4)
    qc.cz(0, 2); qc.cz(1, 3); qc.h(0); qc.cz(1, 0); qc.h(0); qc.h(2); qc.cz(0, 2)  # noqa: E702
    return qc


def test_a_hadamard_sandwich_is_embedded_as_the_cx_it_is(fixed):
    """Unrolling folds ``h; cz; h`` into the CX, so the embedding finds the same 2 ebits
    (static 3) as for :func:`z_through_cx`."""
    qc = dqc.passes.UnrollForDistribution()(z_through_cz_sandwich())
    assert dict(qc.count_ops()) == dict(z_through_cx().count_ops())
    plan = plan_embedding(circuit_to_dag(qc), [0, 0, 1, 1], TWO)
    assert (plan.static_ebits, plan.ebits) == (3, 2)
    net = dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=2)
    _, report = fixed(qc, net, ("qpu0", "qpu0", "qpu1", "qpu1"), embedding=plan)
    assert report.ebits == 2


def _bridging_by_walks(flips, gates, part):
    """The bridging flips as first written: one walk per flip over the segments
    without remote gates (quadratic in a qubit's flips), the reference for the
    remembered walks of :func:`dqc.plan.embedding._bridging`."""
    reach = {}
    for g in gates:
        for side in (0, 1):
            option, other = g.segments[side], int(part[g.qubits[1 - side]])
            if option is not None and other != part[g.qubits[side]]:
                reach.setdefault((g.qubits[side], *option), set()).add(other)
    starts = {(f.qubit, f.basis, f.after) for f in flips}
    out = {}
    for i, f in enumerate(flips):
        q, b = f.qubit, f.basis
        before = f.after - 1
        while not reach.get((q, b, before)) and (q, b, before) in starts:
            before -= 1
        after = f.after
        while not reach.get((q, b, after)) and (q, b, after + 1) in starts:
            after += 1
        common = reach.get((q, b, before), set()) & reach.get((q, b, after), set())
        if common:
            out[i] = common
    return out


@pytest.mark.parametrize("seed", range(8))
def test_bridging_flips_are_those_one_walk_per_flip_finds(seed):
    """Random circuits of many flips (H and S on few qubits) and few remote gates, on
    three QPUs: the same flips, with the same QPUs, as walking from every flip."""
    from dqc.plan.embedding import _bridging

    rng = random.Random(seed)
    qc = QuantumCircuit(6)
    for _ in range(120):
        r = rng.random()
        if r < 0.45:
            getattr(qc, rng.choice(["h", "s", "sdg"]))(rng.randrange(6))
        else:
            a, b = rng.sample(range(6), 2)
            getattr(qc, rng.choice(["cx", "cz"]))(a, b)
    dag = circuit_to_dag(qc)
    gates = two_qubit_gates(dag)
    flips = find_flips(dag, gates)
    part = np.array([0, 0, 1, 1, 2, 2])
    expected = _bridging_by_walks(flips, gates, part)
    assert len(flips) > 100 and len(expected) >= 10
    assert _bridging(flips, gates, part) == expected
