"""KeepDistributedLayout: the ``layout_method="dqc"`` stage keeps dqc's placement."""

from __future__ import annotations

import pytest
from dqc.passes import KeepDistributedLayout, generate_pass_manager
from qiskit import QuantumCircuit, transpile
from qiskit.transpiler.passes.layout.vf2_layout import VF2LayoutStopReason
from qiskit.transpiler.preset_passmanagers.plugin import list_stage_plugins

import dqc
from dqc.adapter.layout import read_layout, report_from_circuit
from dqc.adapter.target import network_to_target
from dqc.errors import DQCError
from dqc.network import Network
from tests.helpers import assert_runs_on, clifford_names, ghz, init_stage


def test_layout_plugin_keeps_dqc_placement_where_vf2_gives_up(chip_network):
    """Four all-to-all QPUs, a 16-qubit GHZ: Qiskit's VF2Layout finds no layout for the
    distributed circuit at level 2, so init_method="dqc" alone refuses (rather than let
    SabreLayout re-route across QPUs); with layout_method="dqc" every level 0-3 works, and
    all give the init stage's placement."""
    assert "dqc" in list_stage_plugins("layout")
    network = Network.ring(4, data_qubits=4, comm_qubits=2)
    target = network_to_target(network)
    qc = ghz(16)
    with pytest.raises(DQCError, match="finds no layout.*layout_method='dqc'"):
        transpile(qc, target=target, init_method="dqc", optimization_level=2)
    staged, _ = init_stage(qc, network, target, 5)
    for level in range(4):
        tqc = transpile(qc, target=target, init_method="dqc", layout_method="dqc",
                        optimization_level=level, seed_transpiler=5)
        assert_runs_on(tqc, target)
        assert tqc.layout.initial_index_layout(filter_ancillas=True) == list(
            read_layout(staged).initial_layout)
        if level < 3:
            assert tqc.layout.final_index_layout() == list(read_layout(staged).final_layout)
        outcome = dqc.verify(qc, clifford_names(tqc), report_from_circuit(tqc, network))
        assert outcome.ok, (level, str(outcome))
    # chips too, at level 0
    _, chips, chip_target = chip_network()
    tqc = transpile(ghz(12), target=chip_target, init_method="dqc", layout_method="dqc",
                    optimization_level=0, seed_transpiler=1)
    assert_runs_on(tqc, chip_target)


def test_the_layout_is_the_identity_on_the_distributed_circuit(pass_verified):
    """After dqc's pipeline, circuit qubit i is physical qubit i, and VF2 counts it found::

        q0 ─H─■──────     2 QPUs of 2 data qubits: the distributed circuit has 2 + 2 data
        q1 ───X──■───     and 2 + 2 comm qubits, laid out as they stand
        q2 ──────X──■─
        q3 ─────────X─
    """
    qc = ghz(4, measure=False)
    net = Network.line(2, data_qubits=2)
    pm = generate_pass_manager(net, seed=1)
    pm.append(KeepDistributedLayout())
    out = pm.run(qc)
    layout = pm.property_set["layout"]
    assert [layout[q] for q in out.qubits] == list(range(8))
    assert pm.property_set["VF2Layout_stop_reason"] is VF2LayoutStopReason.SOLUTION_FOUND
    assert pass_verified(qc, out, net, pm.property_set).ebits == 1


def test_without_the_dqc_init_stage_it_refuses():
    with pytest.raises(DQCError, match="use it with init_method='dqc'"):
        KeepDistributedLayout()(QuantumCircuit(2))
