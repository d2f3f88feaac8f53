"""The ``dqc`` stage plugins (``init_method="dqc"``, ``layout_method="dqc"``) in Qiskit's
``transpile`` and preset pass managers.

How plugin outputs are verified. A ``transpile(..., init_method="dqc")`` output is the
init stage's circuit (distributed, routed inside each QPU) after Qiskit's translation
and optimization stages. So:

1. the init stage's circuit (``generate_pass_manager`` + ``RouteWithinQPUs`` with the
   same seed — the plugin's exact passes, ``tests.helpers.init_stage``) is checked with
   ``dqc.verify``: stim stabilizer flows with signs on every measurement branch for
   Clifford circuits;
2. the final circuit is checked structurally (``tests.helpers.assert_runs_on``): every
   instruction is supported by the Target on its qubits, no two-qubit operation but
   ``epr`` crosses QPUs, ``epr`` only on linked comm qubits, and its ``TranspileLayout``
   is dqc's layout;
3. at small size the final circuit is checked against the *original* exactly
   (``tests.helpers.assert_same_distributions``: exact distributions in random product
   bases).
"""

from __future__ import annotations

import pytest
from qiskit import transpile
from qiskit.transpiler import CouplingMap
from qiskit.transpiler.preset_passmanagers import generate_preset_pass_manager
from qiskit.transpiler.preset_passmanagers.plugin import list_stage_plugins

import dqc
from dqc.adapter.layout import read_layout, report_from_circuit
from dqc.adapter.target import network_to_target
from dqc.errors import DQCError, NetworkError
from dqc.network import Network
from tests.helpers import (
    assert_runs_on,
    assert_same_distributions,
    clifford_names,
    ghz,
    init_stage,
    small_device_network,
)


def test_init_plugin_is_registered():
    """After ``pip install -e .`` the entry point ``qiskit.transpiler.init: dqc`` is listed."""
    assert "dqc" in list_stage_plugins("init")


@pytest.mark.parametrize("level", [1, 2, 3])
def test_transpile_with_plugin_on_all_to_all_qpus_verifies(level, clifford_circuit):
    """No coupling maps inside QPUs: the output is dqc's circuit in the QPUs' basis (no SWAP);
    it verifies with stim once Clifford one-qubit gates are named as such (levels 2-3
    resynthesise them, see clifford_names), and its TranspileLayout is dqc's."""
    network = Network.ring(3, data_qubits=3, comm_qubits=2)
    target = network_to_target(network)
    qc = clifford_circuit(8, 50, level)
    tqc = transpile(qc, target=target, init_method="dqc", seed_transpiler=3,
                    optimization_level=level)
    assert_runs_on(tqc, target)
    layout = read_layout(tqc)
    assert tuple(tqc.layout.final_index_layout()) == layout.final_layout
    if level < 3:  # level 3's VF2PostLayout may relabel afterwards; circuit.layout follows
        assert tqc.metadata["dqc_layout"]["final_layout"] == list(layout.final_layout)
    outcome = dqc.verify(qc, clifford_names(tqc), report_from_circuit(tqc, network))
    # "pauli-rotations" when a resynthesised block left a non-Clifford-looking gate
    # (cp(π/2)…): then the angles are proved as well as the skeleton checked
    assert outcome.ok and outcome.method in ("stim-flows", "pauli-rotations"), str(outcome)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_transpile_with_plugin_on_chips(level, clifford_circuit, chip_network):
    """Three chips with coupling maps and an IBM-like basis (cx, rz, sx, x): every gate is
    native and local, the layout is dqc's, and the init stage's circuit verifies."""
    _, network, target = chip_network()
    qc = clifford_circuit(12, 60, 10 + level, resets=True)
    tqc = transpile(qc, target=target, init_method="dqc", seed_transpiler=5,
                    optimization_level=level)
    assert_runs_on(tqc, target)
    ops = set(tqc.count_ops())
    assert ops <= {"cx", "rz", "sx", "x", "id", "measure", "reset", "epr", "if_else", "barrier"}
    assert "swap" not in ops
    staged, _ = init_stage(qc, network, target, 5)
    assert tqc.count_ops()["epr"] == staged.count_ops()["epr"]
    assert tqc.layout.initial_index_layout(filter_ancillas=True) == list(
        read_layout(tqc).initial_layout)
    if level < 3:
        assert tqc.layout.initial_index_layout(filter_ancillas=True) == list(
            read_layout(staged).initial_layout)
        assert tqc.layout.final_index_layout() == list(read_layout(staged).final_layout)
    outcome = dqc.verify(qc, staged, report_from_circuit(staged, network))
    assert outcome.ok and outcome.method == "stim-flows", str(outcome)


@pytest.mark.slow
@pytest.mark.parametrize("level", [1, 2, 3])
def test_transpiled_output_on_chips_equals_the_original_exactly(level, nonclifford_circuit):
    """The final (translated, optimised) circuit on two line chips against the original:
    exact distributions in three random product bases (see the module docstring)."""
    network, target = small_device_network()
    for seed in range(2):
        qc = nonclifford_circuit(5, 18, 20 + seed)
        tqc = transpile(qc, target=target, init_method="dqc", seed_transpiler=seed,
                        optimization_level=level)
        assert_runs_on(tqc, target)
        assert_same_distributions(qc, tqc, tqc.layout.final_index_layout(), seed=seed)


def test_generate_preset_pass_manager_with_plugin():
    """``generate_preset_pass_manager(optimization_level=1, target=..., init_method="dqc")``."""
    network, target = small_device_network()
    qc = ghz(6, measure=False)
    pm = generate_preset_pass_manager(optimization_level=1, target=target, init_method="dqc",
                                      seed_transpiler=7)
    tqc = pm.run(qc)
    assert_runs_on(tqc, target)
    assert pm.property_set["dqc_distribution"].ebits_per_link == {"a-b": 1}
    routed = pm.property_set["dqc_routing"].layout
    assert tqc.layout.final_index_layout() == list(routed.final_layout)
    assert_same_distributions(qc, tqc, tqc.layout.final_index_layout(), bases=2)
    # many circuits at once (Qiskit may run them in worker processes: the Target pickles)
    many = transpile([qc, qc], target=target, init_method="dqc", seed_transpiler=7)
    assert [t.layout.final_index_layout() for t in many] == [tqc.layout.final_index_layout()] * 2


def test_plugin_refuses_what_it_cannot_do():
    network, target = small_device_network()
    qc = ghz(4)
    with pytest.raises(DQCError, match="optimization_level=0 needs layout_method='dqc'"):
        transpile(qc, target=target, init_method="dqc", optimization_level=0)
    with pytest.raises(DQCError, match="do not pass initial_layout"):
        transpile(qc, target=target, init_method="dqc", initial_layout=[0, 1, 2, 4])
    for method in ("sabre", "trivial"):
        with pytest.raises(DQCError, match=f"layout_method='{method}' would re-place"):
            transpile(qc, target=target, init_method="dqc", layout_method=method)
    with pytest.raises(NetworkError, match="no 'epr'"):
        transpile(qc, basis_gates=["cx", "rz", "sx"], coupling_map=CouplingMap.from_line(8),
                  init_method="dqc")
    with pytest.raises(DQCError, match="use it with init_method='dqc'"):
        transpile(qc, target=target, layout_method="dqc")


