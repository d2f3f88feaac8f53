"""dqc.DistributedBackend: the network as a Qiskit BackendV2 that compiles and runs on Aer."""

from __future__ import annotations

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.primitives import BackendSamplerV2

import dqc
from dqc.adapter.aer import exact_distribution, total_variation, tvd_bound
from dqc.errors import DQCError
from tests.helpers import ghz


def _mid_circuit() -> QuantumCircuit:
    """Mid-circuit measurement, reset and a non-Clifford rotation across three QPUs."""
    q, c = QuantumRegister(5, "q"), ClassicalRegister(5, "c")
    qc = QuantumCircuit(q, c)
    qc.h(0)
    qc.ry(0.7, 3)
    qc.cx(0, 4)
    qc.cx(3, 1)
    qc.measure(1, 1)
    qc.reset(1)
    qc.cx(4, 2)
    qc.rz(0.4, 2)
    qc.h(2)
    qc.measure([0, 2, 3, 4], [0, 2, 3, 4])
    return qc


def test_run_matches_the_exact_distribution_of_the_input(verified):
    """backend.run compiles with dqc and runs the dynamic circuit: counts over the input's
    clbits within the TVD bound of the input's exact distribution; memory per shot."""
    network = dqc.Network.line(3, data_qubits=2, comm_qubits=2)
    backend = dqc.DistributedBackend(network)
    qc = _mid_circuit()
    verified(qc, network)  # what run executes is dqc.compile's circuit, verified here
    shots = 4000
    result = backend.run(qc, shots=shots, memory=True, seed_simulator=5).result()
    counts, memory = result.get_counts(), result.get_memory()
    exact = exact_distribution(qc)
    assert all(len(k) == qc.num_clbits for k in counts)
    assert len(memory) == shots and sum(counts.values()) == shots
    assert {m: memory.count(m) for m in set(memory)} == counts
    assert total_variation(counts, exact) <= tvd_bound(shots, len(exact))
    assert backend.target is backend.target and backend.target.network == network
    assert backend.target.num_qubits == 12


def test_compiled_circuit_runs_as_it_is_and_seed_repeats():
    network = dqc.Network.line(2, data_qubits=3, comm_qubits=1)
    backend = network.to_backend()
    qc = ghz(6)
    compiled = dqc.compile(qc, network, seed=1)
    assert dqc.verify(qc, compiled.circuit, compiled.report).ok
    from dqc.adapter.layout import attach_layout

    tagged = attach_layout(compiled.circuit, compiled.report, qc)
    assert backend.compiled(tagged) is tagged
    first = backend.run(tagged, shots=500, seed_simulator=3).result().get_counts()
    again = backend.run(tagged, shots=500, seed_simulator=3).result().get_counts()
    assert first == again and set(first) == {"000000", "111111"}


def test_sampler_v2_runs_on_the_backend():
    network = dqc.Network.all_to_all(3, data_qubits=2, comm_qubits=2)
    backend = dqc.DistributedBackend(network)
    qc = ghz(5)
    shots = 2000
    pub = BackendSamplerV2(backend=backend).run([qc], shots=shots).result()[0]
    counts = pub.data.c.get_counts()
    exact = exact_distribution(qc)
    assert total_variation(counts, exact) <= tvd_bound(shots, len(exact))


def test_bad_input_is_named():
    backend = dqc.DistributedBackend(dqc.Network.line(2, data_qubits=2))
    with pytest.raises(DQCError, match=r"does not take \['shot'\]"):
        backend.run(ghz(3), shot=10)
    with pytest.raises(DQCError, match="needs a dqc.Network or a NetworkTarget, got int"):
        dqc.DistributedBackend(3)
    wide = ghz(3)
    wide.metadata = {"dqc_layout": {}}
    with pytest.raises(DQCError, match="dqc layout for 3 qubits but this network has 8"):
        backend.run(wide)
