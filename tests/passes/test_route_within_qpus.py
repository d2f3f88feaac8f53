"""RouteWithinQPUs: a distributed circuit routed onto each QPU's coupling map, no SWAP
across QPUs, Bell-pair halves back on comm qubits; every routed circuit verified."""

from __future__ import annotations

import pytest

import dqc
from dqc.adapter.layout import read_layout, report_from_circuit
from tests.helpers import (
    assert_runs_on,
    assert_same_distributions,
    ghz,
    init_stage,
    small_device_network,
)


@pytest.mark.parametrize("seed", range(6))
def test_routing_inside_qpus_verifies(seed, clifford_circuit, chip_network):
    """Random Clifford circuits (mid-circuit measurements, resets) on three chips: the routed
    circuit keeps every gate on a chip edge and verifies with stim flows and signs."""
    _, network, target = chip_network()
    qc = clifford_circuit(12, 60, seed, resets=True)
    out, ps = init_stage(qc, network, target, seed)
    assert_runs_on(out, target, native=False)
    assert ps["dqc_routing"].swaps > 0
    outcome = dqc.verify(qc, out, report_from_circuit(out, network))
    assert outcome.ok and outcome.method == "stim-flows", str(outcome)


def test_routing_moves_comm_states_back_onto_comm_qubits():
    """On a line a-b-c-comm, the epr of a routed circuit still lands on the comm qubits,
    fresh or reset (the output contract), even when routing parked a comm state elsewhere."""
    network, target = small_device_network()
    moved = 0
    for seed in range(8):
        qc = ghz(6, measure=False)
        qc.cx(5, 0)
        qc.cz(3, 1)
        qc.cx(2, 4)
        out, ps = init_stage(qc, network, target, seed)
        moved += ps["dqc_routing"].epr_moves
        assert dqc.verify(qc, out, report_from_circuit(out, network)).ok
    assert moved > 0  # the restore path was exercised


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_routing_of_non_clifford_circuits_is_exact(seed, nonclifford_circuit):
    """Non-Clifford circuits on two 4-qubit line chips: the routed circuit's skeleton verifies
    (stim) and its exact distributions match the original's in three random product bases.
    (dqc.verify's statevector method assumes comm states stay on comm qubits, which routing
    breaks, so it is run with max_sim_qubits=0.)"""
    network, target = small_device_network()
    qc = nonclifford_circuit(5, 22, seed)
    out, _ = init_stage(qc, network, target, seed)
    outcome = dqc.verify(qc, out, report_from_circuit(out, network), max_sim_qubits=0)
    # the exact checks prove it (they follow no comm state to a qubit)
    assert outcome.ok and outcome.method == "pauli-rotations", str(outcome)
    assert_same_distributions(qc, out, read_layout(out).final_layout, seed=seed)
