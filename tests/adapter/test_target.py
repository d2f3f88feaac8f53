"""The network as a Qiskit Target and back; QPUs from backends (dqc.adapter.target)."""

import copy
import pickle

import dqc.targets
import networkx as nx
import numpy as np
import pytest
from qiskit import transpile
from qiskit.transpiler import InstructionProperties, Target

import dqc
import dqc.network.physics
from dqc.adapter.target import (
    NetworkTarget,
    QPUDevice,
    local_coupling_map,
    network_to_target,
    qpu_from_backend,
    qpu_of_qubit,
    target_to_network,
)
from dqc.errors import NetworkError
from dqc.gates import EPRGate
from dqc.network import QPU, Link, Network
from tests.helpers import assert_runs_on


def test_target_has_local_gates_per_qpu_and_epr_only_on_linked_comm_pairs():
    """ring of 3 (qubits qpu0: 0 1 | 2 3, qpu1: 4 5 | 6, qpu2: 7 | 8 9; data | comm)."""
    net = Network.ring(3, data_qubits=[2, 2, 1], comm_qubits=[2, 1, 2])
    target = network_to_target(net)
    blocks = {"qpu0": range(0, 4), "qpu1": range(4, 7), "qpu2": range(7, 10)}
    comm = {"qpu0": [2, 3], "qpu1": [6], "qpu2": [8, 9]}
    expected = set()
    for link in net.links:
        for a in comm[link.a]:
            for b in comm[link.b]:
                expected |= {(a, b), (b, a)}
    assert set(target["epr"]) == expected
    for a in range(10):
        for b in range(10):
            same = any(a in r and b in r for r in blocks.values())
            assert target.instruction_supported("cx", (a, b)) == (same and a != b)
    assert set(local_coupling_map(target).get_edges()) == {
        (a, b) for r in blocks.values() for a in r for b in r if a != b}
    for name in ("measure", "reset", "h", "rz", "if_else"):
        assert name in target.operation_names


def test_target_carries_durations_errors_and_t2():
    """Technology figures on gates and qubits; epr: duration 1/rate, error 1 - fidelity."""
    net = Network((QPU("ion", 2, 1, technology="trapped_ion"), QPU("plain", 1, 1)),
                  (Link("ion", "plain", rate_hz=4.0, fidelity=0.95),))
    target = network_to_target(net)
    ion = dqc.network.physics.TECHNOLOGIES["trapped_ion"]
    assert target["cx"][(0, 1)].duration == ion.gate_2q_s
    assert target["cx"][(0, 1)].error == ion.error_2q
    assert target["measure"][(2,)].error == ion.error_measure
    assert target["h"][(0,)].duration == ion.gate_1q_s
    assert target["cx"][(3, 4)] is None                      # no technology: unknown
    assert target.qubit_properties[0].t2 == ion.t2_s
    assert target.qubit_properties[3].t2 is None
    epr = target["epr"][(2, 4)]
    assert epr.duration == pytest.approx(0.25) and epr.error == pytest.approx(0.05)


@pytest.mark.parametrize("network", [
    Network.all_to_all(3, data_qubits=2),
    Network.star(4, data_qubits=[3, 1, 2, 1], comm_qubits=[2, 1, 1, 1]),
    dqc.targets.load("metro4"),
    dqc.targets.load("lab2"),
])
def test_target_round_trips_to_network(network):
    """The network comes back from its Target, after pickling and copying too; and from a
    plain Target (same instructions, no memory of the network) up to names and latency."""
    target = network_to_target(network)
    assert target_to_network(target) == network
    for clone in (pickle.loads(pickle.dumps(target)), copy.deepcopy(target)):
        assert isinstance(clone, NetworkTarget) and target_to_network(clone) == network
        assert clone.operation_names == target.operation_names
    plain = Target(num_qubits=target.num_qubits)
    for name in target.operation_names:
        if name != "if_else":
            plain.add_instruction(target.operation_from_name(name), dict(target[name]),
                                  name=name)
    inferred = target_to_network(plain)
    assert [(q.data_qubits, q.comm_qubits) for q in inferred.qpus] == [
        (q.data_qubits, q.comm_qubits) for q in network.qpus]
    names = dict(zip(network.qpu_names, inferred.qpu_names))
    pairs = {frozenset((names[link.a], names[link.b])): link for link in network.links}
    assert len(inferred.links) == len(network.links)
    for link in inferred.links:
        source = pairs[frozenset((link.a, link.b))]
        assert link.rate_hz == pytest.approx(source.rate_hz)
        assert link.fidelity == pytest.approx(source.fidelity)


def test_target_to_network_explains_what_it_cannot_read():
    from qiskit.circuit.library import CXGate

    no_epr = Target(num_qubits=2)
    no_epr.add_instruction(CXGate(), {(0, 1): None})
    with pytest.raises(NetworkError, match="no 'epr'"):
        target_to_network(no_epr)
    split = Target(num_qubits=4)
    split.add_instruction(CXGate(), {(0, 2): None, (1, 3): None})
    split.add_instruction(EPRGate(), {(2, 3): None})
    with pytest.raises(NetworkError, match="contiguous"):
        target_to_network(split)
    comm_first = Target(num_qubits=4)
    comm_first.add_instruction(CXGate(), {(0, 1): None, (2, 3): None})
    comm_first.add_instruction(EPRGate(), {(0, 2): InstructionProperties(duration=1.0)})
    with pytest.raises(NetworkError, match="before data qubits"):
        target_to_network(comm_first)


def test_qpu_from_backend_keeps_the_chip_coupling_basis_and_figures(heavy_hex):
    """A 10-qubit heavy-hex fragment: local qubits are data then comm; edges and errors kept."""
    backend, fragment = heavy_hex(10, seed=2)
    dev = qpu_from_backend("hexa", backend, qubits=fragment, comm_qubits=2)
    assert dev.qpu == QPU("hexa", 8, 2) and sorted(dev.physical) == sorted(fragment)
    for a, b in dev.coupling:
        pa, pb = dev.physical[a], dev.physical[b]
        assert backend.target.instruction_supported("cx", (pa, pb))
        assert dev.target["cx"][(a, b)].error == backend.target["cx"][(pa, pb)].error
    edges = {(a, b) for a in fragment for b in fragment
             if backend.target.instruction_supported("cx", (a, b))}
    assert len(dev.coupling) == len(edges)
    assert set(dev.target.operation_names) == set(backend.target.operation_names)
    # comm qubits: the most central ones by default, or the ones asked for
    graph = nx.Graph(list(dev.coupling))
    closeness = {q: sum(nx.shortest_path_length(graph, q).values()) for q in graph}
    assert max(closeness[q] for q in (8, 9)) <= min(closeness[q] for q in range(8))
    chosen = QPUDevice.from_backend("hexa", backend, qubits=fragment, comm=[fragment[-1]])
    assert chosen.physical[-1] == fragment[-1] and chosen.comm_qubits == 1


def test_qpu_from_backend_errors_name_the_problem(heavy_hex):
    backend, fragment = heavy_hex(10, seed=2)
    with pytest.raises(NetworkError, match="disconnected"):
        qpu_from_backend("x", backend, qubits=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    with pytest.raises(NetworkError, match=r"qubits \[40\] are not qubits"):
        qpu_from_backend("x", backend, qubits=[0, 40])
    with pytest.raises(NetworkError, match="comm_qubits=3"):
        qpu_from_backend("x", backend, qubits=fragment[:3], comm_qubits=3)
    with pytest.raises(NetworkError, match=r"comm qubits \[18\] are not among"):
        qpu_from_backend("x", backend, qubits=fragment, comm=[18])
    dev = qpu_from_backend("a", backend, qubits=fragment)
    with pytest.raises(NetworkError, match="8 data \\+ 2 comm qubits but the network's QPU"):
        network_to_target(Network.line(2, data_qubits=3), devices=[
            qpu_from_backend("qpu0", backend, qubits=fragment)])
    with pytest.raises(NetworkError, match="unknown QPU 'a'"):
        network_to_target(Network.line(2, data_qubits=3), devices=[dev])


def test_network_target_with_devices_uses_their_edges_and_comm_qubits(chip_network):
    devices, network, target = chip_network()
    starts = np.cumsum([0] + [d.target.num_qubits for d in devices])
    assert target.num_qubits == starts[-1]
    for dev, start in zip(devices, starts):
        local = {(a + start, b + start) for a, b in dev.coupling}
        inside = {e for e in local_coupling_map(target).get_edges()
                  if start <= e[0] < start + dev.target.num_qubits}
        assert inside == local
    comm = {q for qargs in target["epr"] for q in qargs}
    expected = {int(s) + dev.data_qubits + j for dev, s in zip(devices, starts)
                for j in range(dev.comm_qubits)}
    assert comm == expected
    assert "swap" not in target.operation_names and "cx" in target.operation_names


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
    assert_runs_on(result.circuit, target)


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
    assert_runs_on(outs[0], target)
    with pytest.raises(NetworkError, match="at least one two-qubit gate"):
        network_to_target(network, basis=("h", "s"))
    with pytest.raises(NetworkError, match=r"\['ccx'\]|two-qubit gates only"):
        network_to_target(network, basis=("ccx", "cx"))
    with pytest.raises(NetworkError, match=r"\['hadamard'\], which are not"):
        network_to_target(network, basis=("hadamard", "cx"))
