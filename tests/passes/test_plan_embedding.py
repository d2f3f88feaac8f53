"""PlanEmbedding: the flips segments continue through, proposed when they save ebits."""

from __future__ import annotations

import pytest
from dqc.passes.plan_embedding import _distinct
from qiskit import QuantumCircuit

import dqc
from dqc.plan.embedding import EmbeddingPlan


def test_a_pauli_inside_a_segment_is_mirrored_and_saves_an_ebit(pass_verified):
    """An X between two CZ of q0 with q2: static 2 ebits (the X ends q0's Z segment, the
    H q2's), embedded 1 (q0's segment continues through the X, mirrored on its copy)::

        q0 ─■──X──────■─      QPU 0: q0, q1
        q1 ─────────────
        q2 ─■─────H───■─      QPU 1: q2, q3 (QPU 2 empty)
        q3 ─────────────
    """
    qc = QuantumCircuit(4)
    qc.cz(0, 2)
    qc.x(0)
    qc.h(2)
    qc.cz(0, 2)
    # (no integer program: it would put q0 with q2, at no ebit)
    net = dqc.Network.all_to_all(3, data_qubits=2, comm_qubits=2)
    props: dict = {"dqc_partition": ("qpu0", "qpu0", "qpu1", "qpu1")}
    dqc.passes.PlanEmbedding(net, exact=False)(qc, property_set=props)
    plan = props["dqc_embedding"]
    assert (plan.kind, plan.name, plan.ebits, plan.lower_bound) == (
        "embedding", "embedding (1 flip)", 1, 1)
    assert plan.embedding.static_ebits == 2 and props["dqc_embedding_bound"] == 1
    assert plan.why == "1 flip saves 1 ebit"
    out = dqc.passes.DistributeGates(net)(qc, property_set=props)
    report = pass_verified(qc, out, net, props)
    assert report.ebits == 1 and report.embedded_flips == 1


def test_nothing_to_embed_proposes_nothing():
    """Only local gates: no search, no proposal, no bound."""
    qc = QuantumCircuit(2)
    qc.h(0)
    props: dict = {"dqc_partition": ("qpu0", "qpu1")}
    dqc.passes.PlanEmbedding(dqc.Network.line(2, data_qubits=1))(qc, property_set=props)
    assert props["dqc_embedding"] is None and props["dqc_embedding_bound"] is None


def test_plan_embedding_without_a_partition_says_what_to_run():
    qc = QuantumCircuit(4)
    qc.cz(0, 2)
    with pytest.raises(dqc.CircuitInputError, match="PartitionQubits"):
        dqc.passes.PlanEmbedding(dqc.Network.all_to_all(2, data_qubits=2))(qc)


def test_the_other_placements_plans_leave_out_relabelled_repeats():
    """Four qubits on two QPUs: groups {q0, q1} and {q2, q3}. The same groups with the
    QPUs' names swapped, the same flips and ebits, is the same plan (kept once); other
    flips or other groups are other plans; the best is never repeated among them."""
    def plan(placement, through=frozenset(), ebits=2):
        return EmbeddingPlan(frozenset(through), (), ebits, 3, 1, placement)

    best = plan((0, 0, 1, 1))
    relabelled = plan((1, 1, 0, 0))
    flips = plan((1, 1, 0, 0), {(4, 0, "z")})
    regrouped = plan((0, 1, 0, 1))
    kept = _distinct([relabelled, flips, regrouped, plan((1, 0, 1, 0))], best)
    assert kept == [flips, regrouped]
