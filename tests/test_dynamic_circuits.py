"""Dynamic circuits in the input: compiled, verified, scheduled, and mutations caught."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qasm2
from qiskit.circuit import CircuitInstruction, IfElseOp
from qiskit.circuit.classical import expr

import dqc
from tests.helpers import assert_same_distributions, run_cli

CIRCUITS = Path(__file__).resolve().parent.parent / "benchmarks" / "circuits"


def teleport_chain() -> QuantumCircuit:
    """Teleport a (Clifford) state from qubit 0 to 2 with Pauli corrections on measured bits."""
    qc = QuantumCircuit(QuantumRegister(3, "q"), ClassicalRegister(3, "c"))
    qc.h(0)
    qc.s(0)
    qc.h(1)
    qc.cx(1, 2)
    qc.cx(0, 1)
    qc.h(0)
    qc.measure(0, 0)
    qc.measure(1, 1)
    with qc.if_test((qc.clbits[1], 1)):
        qc.x(2)
    with qc.if_test((qc.clbits[0], 1)):
        qc.z(2)
    qc.measure(2, 2)
    return qc


def register_conditions(*, plain: bool = False) -> QuantumCircuit:
    """Conditions on a register, an expression, if/else and a switch over 4 qubits;
    ``plain``: the same written with if/else only and the loop written out."""
    qc = QuantumCircuit(QuantumRegister(4, "q"), ClassicalRegister(2, "c"))
    qc.h(0)
    qc.h(1)
    qc.measure(0, 0)
    qc.measure(1, 1)
    with qc.if_test((qc.cregs[0], 2)) as else_:
        qc.cx(2, 3)
        qc.t(3)
    with else_:
        qc.h(3)
    with qc.if_test(expr.bit_xor(qc.clbits[0], qc.clbits[1])):
        qc.cz(0, 3)
    if plain:
        with qc.if_test((qc.cregs[0], 0)) as else_:
            qc.cx(3, 1)
        with else_:
            qc.ry(0.3, 2)
        qc.cx(0, 2)
        qc.cx(0, 2)
        return qc
    with qc.switch(qc.cregs[0]) as case:
        with case(0):
            qc.cx(3, 1)
        with case(case.DEFAULT):
            qc.ry(0.3, 2)
    with qc.for_loop(range(2)):
        qc.cx(0, 2)
    return qc


def _condition_of(inst: CircuitInstruction, circuit: QuantumCircuit):
    return inst.operation.condition


def _input_conditioned(compiled: QuantumCircuit) -> list[int]:
    """Positions of the if_tests that read the input's own bits (register ``c``)."""
    own = set(compiled.cregs[0])
    return [i for i, inst in enumerate(compiled.data)
            if inst.name == "if_else" and own & set(inst.clbits)]


def _mutated(compiled: QuantumCircuit, position: int, how: str) -> QuantumCircuit:
    """``compiled`` with the if_test at ``position`` changed: ``unconditional`` (the
    message never arrives and the operation runs anyway), ``dropped`` (it never runs)
    or ``other_value`` (a tuple condition on the other input bit, or on another value
    of its register)."""
    out = compiled.copy_empty_like()
    for i, inst in enumerate(compiled.data):
        if i != position:
            out._append(inst)
            continue
        op, body = inst.operation, inst.operation.blocks[0]
        if how == "unconditional":
            for inner in body.data:
                out._append(inner.replace(
                    qubits=[inst.qubits[body.find_bit(q).index] for q in inner.qubits],
                    clbits=[inst.clbits[body.find_bit(c).index] for c in inner.clbits]))
        elif how == "other_value":
            target, value = op.condition
            if isinstance(target, ClassicalRegister):
                condition = (target, (value + 1) % 2**target.size)
            else:
                condition = (next(b for b in compiled.cregs[0] if b != target), value)
            out._append(CircuitInstruction(IfElseOp(condition, body), inst.qubits,
                                           tuple(compiled.cregs[0])))
    return out


@pytest.mark.parametrize("qpus", [2, 3])
def test_teleportation_with_pauli_feed_forward_is_deferred_into_stim(verified, qpus):
    network = dqc.Network.line(qpus, data_qubits=3 // qpus + 1, comm_qubits=1)
    result = verified(teleport_chain(), network, expect="stim-flows")
    outcome = dqc.verify(teleport_chain(), result.circuit, result.report)
    assert "input feed-forward deferred" in outcome.detail


def test_register_conditions_are_checked_branch_by_branch(verified):
    qc = register_conditions()
    result = verified(qc, dqc.Network.line(2, data_qubits=2, comm_qubits=2))
    outcome = dqc.verify(qc, result.circuit, result.report)
    assert outcome.method == "pauli-rotations+branches", outcome
    assert "all 4 classical branches" in outcome.detail
    assert result.report.ebits >= 1


def _same_as_input(reference: QuantumCircuit, compiled: QuantumCircuit,
                   result: dqc.CompileResult, *, inputs: int = 3) -> bool:
    """Whether ``compiled`` has ``reference``'s exact outcome distributions (the input's
    bits, then every input qubit measured at its final place in three random product
    bases) on ``inputs`` random product input states — independent of dqc's verifier:
    Statevector over every measurement branch."""
    rng = np.random.default_rng(7)
    n = reference.num_qubits
    for _ in range(inputs):
        angles = rng.uniform(0, 2 * np.pi, size=(n, 3))
        ref, out = reference.copy_empty_like(), compiled.copy_empty_like()
        for q in range(n):
            ref.u(*angles[q], q)
            out.u(*angles[q], result.report.initial_layout[q])
        try:
            assert_same_distributions(ref.compose(reference), out.compose(compiled),
                                      result.report.final_layout)
        except AssertionError:
            return False
    return True


def test_compiled_dynamic_circuit_has_the_input_distribution_exactly():
    """Independent of dqc's verifier: exact outcome distributions (every branch)."""
    result = dqc.compile(register_conditions(), dqc.Network.line(2, data_qubits=2,
                                                                  comm_qubits=2))
    assert _same_as_input(register_conditions(plain=True), result.circuit, result)


def test_output_has_no_nested_control_flow_switch_or_loop():
    result = dqc.compile(register_conditions(), dqc.Network.line(2, data_qubits=2,
                                                                  comm_qubits=2))
    names = result.circuit.count_ops()
    assert not {"switch_case", "for_loop", "while_loop", "box"} & set(names)
    for inst in result.circuit.data:
        if inst.name == "if_else":
            assert len(inst.operation.blocks) == 1
            assert all(not b.operation.blocks for b in inst.operation.blocks[0].data
                       if hasattr(b.operation, "blocks"))


@pytest.mark.parametrize("how", ["unconditional", "dropped", "other_value"])
def test_mutated_classical_control_is_caught(how):
    """Each mutation that changes what the circuit does is caught (the exact
    distribution tells which do), and none that does not."""
    qc = register_conditions()
    result = dqc.compile(qc, dqc.Network.line(2, data_qubits=2, comm_qubits=2))
    reference = register_conditions(plain=True)
    caught = []
    for position in _input_conditioned(result.circuit):
        inst = result.circuit.data[position]
        if how == "other_value" and not isinstance(inst.operation.condition, tuple):
            continue
        mutant = _mutated(result.circuit, position, how)
        outcome = dqc.verify(qc, mutant, result.report)
        assert outcome.ok is _same_as_input(reference, mutant, result), (position, outcome)
        caught.append(not outcome.ok)
    assert len(caught) >= (2 if how == "other_value" else 6) and any(caught), caught


@pytest.mark.parametrize("how", ["unconditional", "dropped", "other_bit"])
def test_mutated_pauli_feed_forward_is_caught_by_deferral(how):
    qc = teleport_chain()
    result = dqc.compile(qc, dqc.Network.line(3, data_qubits=1, comm_qubits=1))
    positions = _input_conditioned(result.circuit)
    assert len(positions) == 2
    for position in positions:
        outcome = dqc.verify(qc, _mutated(result.circuit, position, how), result.report)
        assert not outcome.ok, (position, outcome)


def test_a_bit_used_on_another_qpu_is_sent_and_its_latency_charged():
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
    network = dqc.Network.line(2, data_qubits=1, comm_qubits=1)
    e = dqc.estimate(qc, network)
    assert e.report.schedule["classical_messages"] == {"qpu0-qpu1": 1}
    ops = {op.name: op for op in e.schedule.operations}
    latency = network.classical_latency("qpu0", "qpu1")
    assert latency > 0
    assert ops["if_else"].start_s >= ops["measure"].end_s + latency - 1e-15
    assert "classical messages: qpu0-qpu1 1" in str(e.report)


@pytest.mark.parametrize("qpus", [2, 4, 8])
@pytest.mark.parametrize("topology", ["all_to_all", "line"])
def test_cc_n64_compiles_and_verifies(qpus, topology):
    qc = qasm2.load(str(CIRCUITS / "cc_n64.qasm"),
                    custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    network = getattr(dqc.Network, topology)(qpus, data_qubits=64 // qpus, comm_qubits=2)
    result = dqc.compile(qc, network)
    outcome = dqc.verify(qc, result.circuit, result.report)
    assert outcome.ok and outcome.method == "stim-flows+branches", outcome
    assert "all 2 classical branches" in outcome.detail


def test_cli_compiles_and_verifies_cc_n64(tmp_path, capsys):
    out = tmp_path / "cc.qasm"
    code, stdout, _ = run_cli(capsys, "compile", CIRCUITS / "cc_n64.qasm", "--qpus", "4",
                              "--topology", "line", "-o", out, "--verify")
    assert code == 0
    assert "verified (stim-flows+branches)" in stdout
    assert "classical messages:" in stdout
    assert "if (c0 == 0)" in out.read_text()


def test_the_backend_runs_a_dynamic_input_with_the_input_distribution():
    """DistributedBackend compiles the dynamic input and Aer runs the compiled dynamic
    circuit; counts match the exact distribution of the if/else-only version."""
    from dqc.adapter.aer import exact_distribution, total_variation, tvd_bound

    qc, reference = register_conditions(), register_conditions(plain=True)
    for circuit in (qc, reference):
        circuit.measure_all()
    backend = dqc.DistributedBackend(dqc.Network.line(2, data_qubits=2, comm_qubits=2))
    counts = backend.run(qc, shots=4000, seed_simulator=5).result().get_counts()
    counts = {key.replace(" ", ""): value for key, value in counts.items()}
    exact = exact_distribution(reference)
    assert total_variation(counts, exact) <= tvd_bound(4000, len(exact))


def repeat_until_success() -> QuantumCircuit:
    """A while_loop on qubits 1 and 2 between gates that cross any 2-QPU split."""
    qc = QuantumCircuit(QuantumRegister(4, "q"), ClassicalRegister(1, "c"))
    qc.h(0)
    qc.cx(0, 3)
    qc.h(1)
    qc.measure(1, 0)
    with qc.while_loop((qc.clbits[0], 1)):
        qc.h(1)
        qc.cx(1, 2)
        qc.measure(1, 0)
    qc.cx(2, 0)
    qc.cx(3, 1)
    return qc


def test_a_while_loop_is_kept_whole_on_one_qpu(verified):
    qc = repeat_until_success()
    result = verified(qc, dqc.Network.line(2, data_qubits=2, comm_qubits=1),
                      expect="stim-flows+stand-ins")
    (loop,) = [inst for inst in result.circuit.data if inst.name == "while_loop"]
    qpus = {result.report.qubit_qpu[result.circuit.find_bit(q).index] for q in loop.qubits}
    assert len(qpus) == 1
    assert result.report.ebits >= 1
    assert result.report.schedule["status"] == "computed"


def test_a_while_loop_on_the_wrong_qubits_is_caught():
    qc = repeat_until_success()
    result = dqc.compile(qc, dqc.Network.line(2, data_qubits=2, comm_qubits=1))
    out = result.circuit.copy_empty_like()
    for inst in result.circuit.data:
        if inst.name == "while_loop":
            inst = inst.replace(qubits=inst.qubits[::-1])
        out._append(inst)
    outcome = dqc.verify(qc, out, result.report)
    assert not outcome.ok and "while_loop" in outcome.detail, outcome


def test_a_while_loop_wider_than_every_qpu_is_refused_with_its_numbers():
    qc = QuantumCircuit(4, 1)
    with qc.while_loop((qc.clbits[0], 1)):
        qc.cx(0, 1)
        qc.cx(1, 2)
        qc.measure(2, 0)
    with pytest.raises(dqc.CapacityError, match=r"while_loop keeps 3 qubits \[0, 1, 2\]"):
        dqc.compile(qc, dqc.Network.line(2, data_qubits=2, comm_qubits=1))


def test_a_placement_that_splits_a_while_loop_is_refused():
    qc = repeat_until_success()
    props = {"dqc_partition": ("qpu0", "qpu0", "qpu1", "qpu1")}
    network = dqc.Network.line(2, data_qubits=2, comm_qubits=1)
    with pytest.raises(dqc.CapacityError, match="must run on one QPU"):
        dqc.passes.DistributeGates(network)(
            dqc.passes.UnrollForDistribution()(qc), property_set=props)
