"""End-to-end compiles: every compiled circuit here is verified."""

from __future__ import annotations

import math

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qasm3
from qiskit.circuit.library import QFTGate

import dqc
from dqc.errors import CapacityError
from tests.helpers import ghz


@pytest.mark.parametrize("topology", ["all_to_all", "line", "ring", "star"])
@pytest.mark.parametrize("k", [2, 3, 4])
def test_topologies_tight_capacity(topology, k, clifford_circuit, verified):
    n = 12
    net = getattr(dqc.Network, topology)(k, data_qubits=math.ceil(n / k))
    qc = clifford_circuit(n, 120, seed=k)
    result = verified(qc, net, expect="stim-flows")
    report = result.report
    assert sum(report.ebits_per_link.values()) == report.ebits
    assert all(v["used"] <= v["data"] for v in report.qpus.values())
    assert sum(v["used"] for v in report.qpus.values()) == n


def test_output_contract_registers_and_epr():
    """Registers per QPU (data, then comm); every cross-QPU op is an epr on comm qubits."""
    net = dqc.Network.line(3, data_qubits=2, comm_qubits=2)
    result = dqc.compile(ghz(6), net, seed=1)
    out = result.circuit
    assert [r.name for r in out.qregs] == [
        "qpu0", "qpu0_comm", "qpu1", "qpu1_comm", "qpu2", "qpu2_comm"]
    qpu = result.report.qubit_qpu
    for inst in out.data:
        qs = [out.find_bit(q).index for q in inst.qubits]
        if inst.operation.name == "epr":
            assert all(q in result.report.comm_qubits for q in qs)
        elif len(qs) > 1:
            assert len({qpu[q] for q in qs}) == 1, inst
    assert dqc.verify(ghz(6), out, result.report).ok


def test_ghz_chain_costs_one_ebit_per_cut(verified):
    """GHZ chain q0-q1-...-q7 over 2 QPUs: one cut edge, one ebit."""
    result = verified(ghz(8), dqc.Network.all_to_all(2, data_qubits=4))
    assert result.report.ebits == 1


def test_segment_shares_one_ebit():
    """Three CX from q0 (a Z-segment) to qubits on the other QPU share one ebit.

        q0 ─■──■──■─        QPU A: q0, q3
        q1 ─X──┼──┼─        QPU B: q1, q2 ... one cat-entangled copy of q0 on B
        q2 ────X──┼─
        q3 ───────X─   (q3 is local to q0)
    """
    qc = QuantumCircuit(4)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(0, 2)
    qc.cz(0, 3)
    qc.cx(3, 0)  # ends q0's segment
    qc.cx(0, 1)
    net = dqc.Network.all_to_all(2, data_qubits=2)
    pm = dqc.passes.generate_pass_manager(net)
    pm.run(qc)
    part = pm.property_set["dqc_partition"]
    assert part[0] == part[3] and part[1] == part[2] and part[0] != part[1]
    result = dqc.compile(qc, net)
    assert result.report.remote_gates == 3
    assert result.report.ebits == 2  # one per segment of q0 that reaches B
    assert dqc.verify(qc, result.circuit, result.report).ok


def test_multi_hop_swapping_on_a_line():
    """q0 on qpu0 and q1 on qpu2 of a 3-QPU line: the ebit is swapped through qpu1."""
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 2)
    net = dqc.Network.line(3, data_qubits=1, comm_qubits=2)
    pm = dqc.passes.generate_pass_manager(net)
    pm.run(qc)
    part = pm.property_set["dqc_partition"]
    result = dqc.compile(qc, net)
    hops = net.distance(part[0], part[2])
    assert result.report.ebits == hops
    assert dqc.verify(qc, result.circuit, result.report).ok


def test_swapping_needs_two_comm_qubits_at_the_relay():
    qc = QuantumCircuit(3)
    qc.cx(0, 2)
    qc.cx(0, 1)
    qc.cx(1, 2)
    net = dqc.Network.line(3, data_qubits=1, comm_qubits=1)
    with pytest.raises(CapacityError, match=r"qpu1.*1 comm qubit.*needs 2"):
        dqc.compile(qc, net)


def test_zero_comm_qubits_with_remote_gates_is_an_error():
    with pytest.raises(CapacityError, match=r"0 comm qubits"):
        dqc.compile(ghz(4), dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=0))


def test_zero_comm_qubits_fine_when_all_local():
    qc = QuantumCircuit(4)
    qc.cx(0, 1)
    qc.cx(2, 3)
    result = dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=2, comm_qubits=0))
    assert result.report.ebits == 0
    assert dqc.verify(qc, result.circuit, result.report).ok


def test_comm_qubit_reuse_with_one_comm_qubit(clifford_circuit, verified):
    """One comm qubit per QPU: many remote gates, comm qubits reset and reused."""
    net = dqc.Network.all_to_all(3, data_qubits=4, comm_qubits=1)
    result = verified(clifford_circuit(12, 150, seed=3), net)
    assert result.report.ebits > 3
    assert result.circuit.count_ops()["reset"] > 0
    assert len(result.report.comm_qubits) == 3


def test_circuit_wider_than_network():
    with pytest.raises(CapacityError, match=r"40 qubits .* 32 data qubits \(4 QPUs × 8\)"):
        dqc.compile(QuantumCircuit(40), dqc.Network.ring(4, data_qubits=8))


def test_mid_circuit_measurement_and_reset(clifford_circuit, verified):
    qc = clifford_circuit(8, 120, seed=11, mid_measure=True, resets=True)
    ops = qc.count_ops()
    assert ops.get("measure", 0) > 8
    verified(qc, dqc.Network.ring(4, data_qubits=2), expect="stim-flows")


def test_classical_registers_preserved():
    q = QuantumRegister(4, "q")
    a = ClassicalRegister(2, "alpha")
    b = ClassicalRegister(3, "beta")
    qc = QuantumCircuit(q, a, b)
    qc.h(0)
    for _ in range(2):
        qc.cx(0, 1)
        qc.cx(2, 3)
    qc.cx(0, 3)
    qc.measure(0, a[1])
    qc.measure(3, b[2])
    qc.measure(1, b[0])
    result = dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=2))
    out = result.circuit
    assert [(r.name, r.size) for r in out.cregs][:2] == [("alpha", 2), ("beta", 3)]
    assert out.cregs[-1].name == result.report.teleport_register
    assert dqc.verify(qc, out, result.report).ok


def test_teleport_register_name_avoids_clash():
    qc = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(2, "tele"))
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    result = dqc.compile(qc, dqc.Network.all_to_all(2, data_qubits=1))
    names = [r.name for r in result.circuit.cregs]
    assert names[0] == "tele" and len(set(names)) == len(names)
    assert dqc.verify(qc, result.circuit, result.report).ok


def test_barriers_split_per_qpu(verified):
    qc = ghz(4)
    qc.barrier()
    qc.h(0)
    result = verified(qc, dqc.Network.all_to_all(2, data_qubits=2))
    qpu = result.report.qubit_qpu
    for inst in result.circuit.data:
        if inst.operation.name == "barrier":
            assert len({qpu[result.circuit.find_bit(q).index] for q in inst.qubits}) == 1


def test_deterministic_byte_identical(clifford_circuit, verified):
    qc = clifford_circuit(10, 100, seed=5)
    net = dqc.Network.ring(3, data_qubits=4)
    a = verified(qc, net, seed=3)
    b = dqc.compile(qc, net, seed=3)
    assert qasm3.dumps(a.circuit) == qasm3.dumps(b.circuit)
    assert a.report.to_json() == b.report.to_json()


def test_output_reads_back_and_verifies(clifford_circuit):
    qc = clifford_circuit(9, 80, seed=2)
    result = dqc.compile(qc, dqc.Network.star(3, data_qubits=3))
    back = qasm3.loads(dqc.to_qasm3(result.circuit))
    assert dqc.verify(qc, back, result.report.to_dict()).ok


@pytest.mark.parametrize("seed", range(12))
def test_random_clifford_circuits(seed, clifford_circuit, verified):
    """Unseen random Clifford circuits of 20–30 qubits on 2–4 QPUs, all topologies."""
    n = 20 + seed % 11
    k = 2 + seed % 3
    topology = ("all_to_all", "line", "ring", "star")[seed % 4]
    net = getattr(dqc.Network, topology)(k, data_qubits=math.ceil(n / k), comm_qubits=2)
    verified(clifford_circuit(n, 300, seed=100 + seed), net, seed=seed, expect="stim-flows")


@pytest.mark.parametrize("seed", range(6))
def test_random_nonclifford_small(seed, nonclifford_circuit, verified):
    """Unseen random non-Clifford circuits of 6–9 qubits, simulated."""
    n = 6 + seed % 4
    k = 2 + seed % 2
    net = dqc.Network.line(k, data_qubits=math.ceil(n / k), comm_qubits=2)
    verified(nonclifford_circuit(n, 60, seed=200 + seed), net, seed=seed, expect="pauli-rotations")


def test_large_nonclifford_uses_skeleton(verified):
    qc = QuantumCircuit(24)
    qc.append(QFTGate(24), range(24))
    verified(qc, dqc.Network.all_to_all(2, data_qubits=12), expect="pauli-rotations")


def test_single_qpu_network_needs_no_ebits(clifford_circuit, verified):
    result = verified(clifford_circuit(6, 50, seed=1), dqc.Network.all_to_all(1, data_qubits=6))
    assert result.report.ebits == 0


