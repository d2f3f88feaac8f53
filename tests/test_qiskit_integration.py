"""dqc inside Qiskit: passes, the network as a Target, layouts, routing, the init-stage plugin.

How plugin outputs are verified. A ``transpile(..., init_method="dqc")`` output is the
init stage's circuit (distributed, routed inside each QPU) after Qiskit's translation
and optimization stages. So:

1. the init stage's circuit (``generate_pass_manager`` + ``RouteWithinQPUs`` with the
   same seed — the plugin's exact passes) is checked with ``dqc.verify``: stim
   stabilizer flows with signs on every measurement branch for Clifford circuits;
2. the final circuit is checked structurally: every instruction is supported by the
   Target on its qubits, no two-qubit operation but ``epr`` crosses QPUs, ``epr`` only
   on linked comm qubits, and its ``TranspileLayout`` is dqc's layout;
3. at small size the final circuit is checked against the *original* exactly: both
   are run with ``dqc.adapter.aer.exact_distribution`` (every measurement branch enumerated)
   after the same random single-qubit rotation on each input qubit (at its final
   position in the compiled circuit) and a measurement; the distributions over the
   original's bits and these final measurements must agree to 1e-9, for three random
   product bases (this sees phases and entanglement, not only Z populations).
"""

from __future__ import annotations

import inspect
import pickle

import dqc.passes
import dqc.targets
import numpy as np
import pytest
from dqc.passes import RouteWithinQPUs, generate_pass_manager
from qiskit import ClassicalRegister, QuantumCircuit, transpile
from qiskit.circuit import ControlFlowOp
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.transpiler import CouplingMap, PassManager, Target
from qiskit.transpiler.basepasses import BasePass
from qiskit.transpiler.passes import CountOps, RemoveBarriers
from qiskit.transpiler.preset_passmanagers import generate_preset_pass_manager
from qiskit.transpiler.preset_passmanagers.plugin import list_stage_plugins

import dqc
import dqc.network.physics
from dqc.adapter.aer import exact_distribution, total_variation
from dqc.adapter.layout import attach_layout, full_permutation, read_layout, report_from_circuit
from dqc.adapter.target import (
    NetworkTarget,
    QPUDevice,
    local_coupling_map,
    network_to_target,
    qpu_of_qubit,
    target_to_network,
)
from dqc.errors import DQCError, NetworkError, VerificationError
from dqc.network import Link, Network

# ----------------------------------------------------------------------------- helpers


def _ghz(n: int, *, measure: bool = True) -> QuantumCircuit:
    qc = QuantumCircuit(n, n if measure else 0)
    qc.h(0)
    for t in range(1, n):
        qc.cx(0, t)
    if measure:
        qc.measure(range(n), range(n))
    return qc


def _small_device_network() -> tuple[Network, NetworkTarget]:
    """Two 4-qubit line chips (3 data + 1 comm each): small enough to simulate exactly."""
    chip = GenericBackendV2(4, coupling_map=CouplingMap.from_line(4), seed=1)
    devices = [QPUDevice.from_backend(name, chip, comm=[0]) for name in ("a", "b")]
    network = Network(tuple(d.qpu for d in devices), (Link("a", "b"),))
    return network, network_to_target(network, devices=devices)


def _init_stage(circuit: QuantumCircuit, network: Network, target: Target, seed: int):
    """The plugin's init stage, run by hand: (circuit, property set)."""
    pm = generate_pass_manager(network, seed=seed)
    pm.append(RouteWithinQPUs(target, seed=seed))
    out = pm.run(circuit)
    return attach_layout(out, pm.property_set["dqc_routing"].layout, circuit), pm.property_set


def _instructions(circuit: QuantumCircuit, qubits=None):
    """(operation, outer qubit indices) of every instruction, inside control flow too."""
    for inst in circuit.data:
        qs = [circuit.find_bit(q).index for q in inst.qubits]
        if qubits is not None:
            qs = [qubits[i] for i in qs]
        if isinstance(inst.operation, ControlFlowOp):
            for block in inst.operation.blocks:
                yield from _instructions(block, qs)
        yield inst.operation, qs


def _assert_runs_on(circuit: QuantumCircuit, target: Target, *, native: bool = True) -> None:
    """Every instruction supported on its qubits (``native``; else only two-qubit ones need an
    edge of the chip); nothing but epr crosses QPUs."""
    owner = qpu_of_qubit(target_to_network(target))
    network = target_to_network(target)
    edges = set(local_coupling_map(target).get_edges())
    assert circuit.num_qubits == target.num_qubits
    for op, qs in _instructions(circuit):
        if op.name in ("barrier", "if_else"):
            continue
        if native or op.name == "epr":
            assert target.instruction_supported(op.name, tuple(qs)), (op.name, qs)
        elif len(qs) == 2:
            assert tuple(qs) in edges or tuple(qs[::-1]) in edges, (op.name, qs)
        if len({owner[q] for q in qs}) > 1:
            assert op.name == "epr", (op.name, qs)
            assert network.linked(owner[qs[0]], owner[qs[1]])


def _clifford_names(circuit: QuantumCircuit) -> QuantumCircuit:
    """Each one-qubit gate that is a Clifford, rewritten over h/s/sdg/x/y/z (same unitary up to
    phase); each if_else body that is a Pauli, as that Pauli gate.

    Qiskit's optimization resynthesises one-qubit runs (``u(π, π/4, -π/4)`` is a Clifford
    whose Euler angles are not quarter turns) and translates ``z`` corrections to
    ``rz(π)``; dqc.verify reads gates by name and angle, so the test renames them first.
    A phase inside an if_else body multiplies one measurement branch and is unobservable.
    """
    from qiskit.circuit import IfElseOp
    from qiskit.circuit.library import XGate, YGate, ZGate
    from qiskit.quantum_info import Clifford, Operator

    out = circuit.copy_empty_like()
    for inst in circuit.data:
        op = inst.operation
        if isinstance(op, IfElseOp) and op.params[1] is None and op.num_qubits == 1:
            unitary = Operator(op.params[0]).data
            for pauli in (XGate(), YGate(), ZGate()):
                if abs(abs(np.trace(Operator(pauli).data.conj().T @ unitary)) - 2) < 1e-9:
                    body = op.params[0].copy_empty_like()
                    body.append(pauli, [0])
                    op = IfElseOp(op.condition, body)
                    break
            out.append(op, inst.qubits, inst.clbits)
        elif op.num_qubits == 1 and op.name not in ("measure", "reset", "barrier", "delay"):
            try:
                clifford = Clifford.from_operator(Operator(op))
            except Exception:  # not a Clifford: keep it
                out.append(op, inst.qubits, inst.clbits)
                continue
            out.compose(clifford.to_circuit(), inst.qubits, inplace=True)
        else:
            out.append(op, inst.qubits, inst.clbits)
    return out


def _measure_in_basis(circuit: QuantumCircuit, positions, angles) -> QuantumCircuit:
    out = circuit.copy()
    reg = ClassicalRegister(len(positions), "basis")
    out.add_register(reg)
    for k, (p, (a, b, c)) in enumerate(zip(positions, angles)):
        out.u(a, b, c, p)
        out.measure(p, reg[k])
    return out


def _marginal(dist, keep):
    out: dict[str, float] = {}
    for key, value in dist.items():
        bits = key[::-1]
        kept = "".join(bits[i] for i in keep)[::-1]
        out[kept] = out.get(kept, 0.0) + value
    return out


def assert_same_distributions(original: QuantumCircuit, compiled: QuantumCircuit,
                              final_layout, *, bases: int = 3, seed: int = 0) -> None:
    """Exact outcome distributions agree after random product-basis measurements."""
    rng = np.random.default_rng(seed)
    n, m, mc = original.num_qubits, original.num_clbits, compiled.num_clbits
    keep_c = [*range(m), *range(mc, mc + n)]
    for _ in range(bases):
        angles = rng.uniform(0, 2 * np.pi, size=(n, 3))
        p_orig = exact_distribution(_measure_in_basis(original, range(n), angles))
        p_comp = exact_distribution(_measure_in_basis(compiled, list(final_layout), angles))
        distance = total_variation(p_orig, _marginal(p_comp, keep_c))
        assert distance < 1e-9, distance


# ------------------------------------------------------------------------- 1. passes


def test_every_public_pass_is_importable_and_documents_its_property_set():
    """Each pass in ``dqc.passes`` says what it reads and writes (the keys themselves are
    checked against the code in tests/passes/test_property_set_keys.py)."""
    passes = [getattr(dqc.passes, name) for name in dqc.passes.__all__]
    passes = [p for p in passes if inspect.isclass(p) and issubclass(p, BasePass)]
    assert {p.__name__ for p in passes} >= {
        "UnrollForDistribution", "ElideSwaps", "BuildInteractionGraph", "PartitionQubits",
        "DistributeGates", "RouteWithinQPUs", "WriteTranspileLayout"}
    for cls in passes:
        doc = inspect.getdoc(cls)
        assert "Property set read" in doc and "written" in doc, cls.__name__


def test_generate_pass_manager_takes_user_passes_before_and_after(clifford_circuit):
    """Barriers removed by a user pass first, ops counted by a user pass last; output verifies.

    before:  h q0; barrier; cx q0,q1 ... (6 qubits)     after: 2 QPUs, 1 epr, no barrier
    """
    qc = _ghz(6)
    qc.barrier()
    network = Network.line(2, data_qubits=3, comm_qubits=1)
    pm = PassManager([RemoveBarriers()])
    pm += generate_pass_manager(network, seed=1)
    pm.append(CountOps())
    out = pm.run(qc)
    ps = pm.property_set
    assert "barrier" not in out.count_ops()
    assert ps["count_ops"]["epr"] == 1 == ps["dqc_distribution"].ebits_per_link["qpu0-qpu1"]
    out = attach_layout(out, ps["dqc_distribution"].layout, qc)
    assert dqc.verify(qc, out, report_from_circuit(out, network)).ok
    # default behaviour unchanged: the same ebits as dqc.compile
    other = clifford_circuit(8, 50, 3)
    net = Network.ring(3, data_qubits=3)
    pm = generate_pass_manager(net, seed=4)
    out = attach_layout(pm.run(other), pm.property_set["dqc_distribution"].layout, other)
    result = dqc.compile(other, net, seed=4)
    assert dqc.verify(other, result.circuit, result.report).ok
    assert pm.property_set["dqc_distribution"].ebits_per_link == result.report.ebits_per_link
    outcome = dqc.verify(other, out, report_from_circuit(out, net))
    assert outcome.ok and outcome.method == "stim-flows", str(outcome)


# ------------------------------------------------------------------------- 2. Target


@pytest.mark.parametrize("network", [
    Network.line(3, data_qubits=2, comm_qubits=2),
    Network.star(4, data_qubits=[3, 1, 2, 1], comm_qubits=[2, 1, 1, 1]),
    dqc.targets.load("metro4"),
])
def test_target_numbers_qubits_like_compiled_circuits(network, clifford_circuit):
    """Compiled qubit i is Target qubit i: same QPU, every instruction supported there."""
    target = network_to_target(network)
    qc = clifford_circuit(min(network.total_data_qubits, 7), 40, 5)
    result = dqc.compile(qc, network, seed=2)
    assert dqc.verify(qc, result.circuit, result.report).ok
    assert list(result.report.qubit_qpu) == qpu_of_qubit(network) == target.qpu_of_qubit()
    assert target.num_qubits == result.circuit.num_qubits
    _assert_runs_on(result.circuit, target)


def test_plain_qpus_can_take_a_small_basis(clifford_circuit):
    """basis=("cx", "rz", "sx", "x"): the Target offers those; level-2 output is repeatable
    (with dqc's overcomplete default basis Qiskit 2.6's TwoQubitPeepholeOptimization picks
    among equally good gates differently from run to run)."""
    from qiskit import qasm3

    network = Network.ring(3, data_qubits=3, comm_qubits=2)
    target = network_to_target(network, basis=("cx", "rz", "sx", "x"))
    assert sorted(target.operation_names) == [
        "cx", "delay", "epr", "if_else", "measure", "reset", "rz", "sx", "x"]
    qc = clifford_circuit(8, 50, 2)
    outs = [transpile(qc, target=target, init_method="dqc", seed_transpiler=3,
                      optimization_level=2) for _ in range(3)]
    assert len({qasm3.dumps(out) for out in outs}) == 1
    _assert_runs_on(outs[0], target)
    with pytest.raises(NetworkError, match="at least one two-qubit gate"):
        network_to_target(network, basis=("h", "s"))
    with pytest.raises(NetworkError, match=r"\['ccx'\]|two-qubit gates only"):
        network_to_target(network, basis=("ccx", "cx"))
    with pytest.raises(NetworkError, match=r"\['hadamard'\], which are not"):
        network_to_target(network, basis=("hadamard", "cx"))


# ------------------------------------------------------------------------- 4. layouts


def test_attach_layout_gives_a_transpile_layout_and_metadata():
    """qubits swapped in the input end elsewhere: final_index_layout != initial_index_layout.

    input:  cx q0,q2; swap q0,q1; swap q1,q2; cz q2,q0     (ElideSwaps relabels)
    """
    qc = QuantumCircuit(3, 3)
    qc.cx(0, 2)
    qc.swap(0, 1)
    qc.swap(1, 2)
    qc.cz(2, 0)
    qc.measure(range(3), range(3))
    result = dqc.compile(qc, Network.line(2, data_qubits=2), seed=1)
    report = result.report
    assert dqc.verify(qc, result.circuit, report).ok
    assert report.final_layout != report.initial_layout
    out = attach_layout(result.circuit, report, qc)
    assert out is not result.circuit and result.circuit.layout is None
    tl = out.layout
    assert tl.initial_index_layout(filter_ancillas=True) == list(report.initial_layout)
    assert tl.final_index_layout() == list(report.final_layout)
    assert dict(tl.initial_virtual_layout(filter_ancillas=True).get_virtual_bits()) == {
        q: p for q, p in zip(qc.qubits, report.initial_layout)}
    assert sorted(tl.routing_permutation()) == list(range(out.num_qubits))
    meta = out.metadata["dqc_layout"]
    assert meta["initial_layout"] == list(report.initial_layout)
    assert meta["qubit_qpu"] == list(report.qubit_qpu)
    for clone in (out.copy(), pickle.loads(pickle.dumps(out))):
        back = read_layout(clone)
        assert (back.initial_layout, back.final_layout) == (
            report.initial_layout, report.final_layout)
    assert dqc.verify(qc, out, report_from_circuit(out, Network.line(2, data_qubits=2))).ok
    with pytest.raises(VerificationError, match="no metadata"):
        read_layout(qc)
    # metadata only: OpenQASM 3 export keeps the per-QPU registers (a layout makes qasm3
    # write a physical circuit, $0 $1 ...)
    from qiskit import qasm3

    plain = attach_layout(result.circuit, report, qc, transpile_layout=False)
    assert plain.layout is None and read_layout(plain).final_layout == report.final_layout
    assert qasm3.dumps(plain) == qasm3.dumps(result.circuit)
    assert "qubit[2] qpu0;" in qasm3.dumps(plain) and "$0" in qasm3.dumps(out)


def test_full_permutation_is_a_permutation_and_checks_its_input():
    assert full_permutation([3, 0], [0, 1], 4) == [1, 2, 3, 0]
    with pytest.raises(VerificationError, match="not a set of distinct"):
        full_permutation([0, 0], [1, 2], 3)
    with pytest.raises(VerificationError, match="initial layout has 1"):
        full_permutation([0], [1, 2], 3)


# ------------------------------------------------------------------- 5. routing, plugin


def test_init_plugin_is_registered():
    """After ``pip install -e .`` the entry point ``qiskit.transpiler.init: dqc`` is listed."""
    assert "dqc" in list_stage_plugins("init")


@pytest.mark.parametrize("seed", range(6))
def test_routing_inside_qpus_verifies(seed, clifford_circuit, chip_network):
    """Random Clifford circuits (mid-circuit measurements, resets) on three chips: the routed
    circuit keeps every gate on a chip edge and verifies with stim flows and signs."""
    _, network, target = chip_network()
    qc = clifford_circuit(12, 60, seed, resets=True)
    out, ps = _init_stage(qc, network, target, seed)
    _assert_runs_on(out, target, native=False)
    assert ps["dqc_routing"].swaps > 0
    outcome = dqc.verify(qc, out, report_from_circuit(out, network))
    assert outcome.ok and outcome.method == "stim-flows", str(outcome)


def test_routing_moves_comm_states_back_onto_comm_qubits():
    """On a line a-b-c-comm, the epr of a routed circuit still lands on the comm qubits,
    fresh or reset (the output contract), even when routing parked a comm state elsewhere."""
    network, target = _small_device_network()
    moved = 0
    for seed in range(8):
        qc = _ghz(6, measure=False)
        qc.cx(5, 0)
        qc.cz(3, 1)
        qc.cx(2, 4)
        out, ps = _init_stage(qc, network, target, seed)
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
    network, target = _small_device_network()
    qc = nonclifford_circuit(5, 22, seed)
    out, _ = _init_stage(qc, network, target, seed)
    outcome = dqc.verify(qc, out, report_from_circuit(out, network), max_sim_qubits=0)
    assert outcome.ok and outcome.method == "clifford-skeleton", str(outcome)
    assert_same_distributions(qc, out, read_layout(out).final_layout, seed=seed)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_transpile_with_plugin_on_all_to_all_qpus_verifies(level, clifford_circuit):
    """No coupling maps inside QPUs: the output is dqc's circuit in the QPUs' basis (no SWAP);
    it verifies with stim once Clifford one-qubit gates are named as such (levels 2-3
    resynthesise them, see _clifford_names), and its TranspileLayout is dqc's."""
    network = Network.ring(3, data_qubits=3, comm_qubits=2)
    target = network_to_target(network)
    qc = clifford_circuit(8, 50, level)
    tqc = transpile(qc, target=target, init_method="dqc", seed_transpiler=3,
                    optimization_level=level)
    _assert_runs_on(tqc, target)
    layout = read_layout(tqc)
    assert tuple(tqc.layout.final_index_layout()) == layout.final_layout
    if level < 3:  # level 3's VF2PostLayout may relabel afterwards; circuit.layout follows
        assert tqc.metadata["dqc_layout"]["final_layout"] == list(layout.final_layout)
    outcome = dqc.verify(qc, _clifford_names(tqc), report_from_circuit(tqc, network))
    # "statevector" when a resynthesised block left a non-Clifford-looking gate (cp(π/2)…):
    # then the circuit is simulated on random inputs as well as checked by its skeleton
    assert outcome.ok and outcome.method in ("stim-flows", "statevector"), str(outcome)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_transpile_with_plugin_on_chips(level, clifford_circuit, chip_network):
    """Three chips with coupling maps and an IBM-like basis (cx, rz, sx, x): every gate is
    native and local, the layout is dqc's, and the init stage's circuit verifies."""
    _, network, target = chip_network()
    qc = clifford_circuit(12, 60, 10 + level, resets=True)
    tqc = transpile(qc, target=target, init_method="dqc", seed_transpiler=5,
                    optimization_level=level)
    _assert_runs_on(tqc, target)
    ops = set(tqc.count_ops())
    assert ops <= {"cx", "rz", "sx", "x", "id", "measure", "reset", "epr", "if_else", "barrier"}
    assert "swap" not in ops
    staged, _ = _init_stage(qc, network, target, 5)
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
    network, target = _small_device_network()
    for seed in range(2):
        qc = nonclifford_circuit(5, 18, 20 + seed)
        tqc = transpile(qc, target=target, init_method="dqc", seed_transpiler=seed,
                        optimization_level=level)
        _assert_runs_on(tqc, target)
        assert_same_distributions(qc, tqc, tqc.layout.final_index_layout(), seed=seed)


def test_generate_preset_pass_manager_with_plugin():
    """``generate_preset_pass_manager(optimization_level=1, target=..., init_method="dqc")``."""
    network, target = _small_device_network()
    qc = _ghz(6, measure=False)
    pm = generate_preset_pass_manager(optimization_level=1, target=target, init_method="dqc",
                                      seed_transpiler=7)
    tqc = pm.run(qc)
    _assert_runs_on(tqc, target)
    assert pm.property_set["dqc_distribution"].ebits_per_link == {"a-b": 1}
    routed = pm.property_set["dqc_routing"].layout
    assert tqc.layout.final_index_layout() == list(routed.final_layout)
    assert_same_distributions(qc, tqc, tqc.layout.final_index_layout(), bases=2)
    # many circuits at once (Qiskit may run them in worker processes: the Target pickles)
    many = transpile([qc, qc], target=target, init_method="dqc", seed_transpiler=7)
    assert [t.layout.final_index_layout() for t in many] == [tqc.layout.final_index_layout()] * 2


def test_plugin_refuses_what_it_cannot_do():
    network, target = _small_device_network()
    qc = _ghz(4)
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


def test_layout_plugin_keeps_dqc_placement_where_vf2_gives_up(chip_network):
    """Four all-to-all QPUs, a 16-qubit GHZ: Qiskit's VF2Layout finds no layout for the
    distributed circuit at level 2, so init_method="dqc" alone refuses (rather than let
    SabreLayout re-route across QPUs); with layout_method="dqc" every level 0-3 works, and
    all give the init stage's placement."""
    assert "dqc" in list_stage_plugins("layout")
    network = Network.ring(4, data_qubits=4, comm_qubits=2)
    target = network_to_target(network)
    qc = _ghz(16)
    with pytest.raises(DQCError, match="VF2 gives up.*layout_method='dqc'"):
        transpile(qc, target=target, init_method="dqc", optimization_level=2)
    staged, _ = _init_stage(qc, network, target, 5)
    for level in range(4):
        tqc = transpile(qc, target=target, init_method="dqc", layout_method="dqc",
                        optimization_level=level, seed_transpiler=5)
        _assert_runs_on(tqc, target)
        assert tqc.layout.initial_index_layout(filter_ancillas=True) == list(
            read_layout(staged).initial_layout)
        if level < 3:
            assert tqc.layout.final_index_layout() == list(read_layout(staged).final_layout)
        outcome = dqc.verify(qc, _clifford_names(tqc), report_from_circuit(tqc, network))
        assert outcome.ok, (level, str(outcome))
    # chips too, at level 0
    _, chips, chip_target = chip_network()
    tqc = transpile(_ghz(12), target=chip_target, init_method="dqc", layout_method="dqc",
                    optimization_level=0, seed_transpiler=1)
    _assert_runs_on(tqc, chip_target)
