"""Property tests: random Clifford circuits on random networks always verify."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import QuantumCircuit, qasm3

import dqc

ONE = ("h", "s", "sdg", "x", "z", "sx")
TWO = ("cx", "cz", "cy", "swap")


@st.composite
def circuits(draw) -> QuantumCircuit:
    n = draw(st.integers(2, 9))
    qc = QuantumCircuit(n, n)
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.sampled_from(("1q", "2q", "2q", "measure", "reset")))
        if kind == "1q":
            getattr(qc, draw(st.sampled_from(ONE)))(draw(st.integers(0, n - 1)))
        elif kind == "2q":
            a, b = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
            getattr(qc, draw(st.sampled_from(TWO)))(a, b)
        elif kind == "measure":
            qc.measure(draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)))
        else:
            qc.reset(draw(st.integers(0, n - 1)))
    qc.measure(range(n), range(n))
    return qc


@st.composite
def networks(draw, n: int) -> dqc.Network:
    k = draw(st.integers(1, 4))
    topology = draw(st.sampled_from(("all_to_all", "line", "ring", "star")))
    spare = draw(st.integers(0, 2))
    comm = draw(st.integers(2, 3))
    return getattr(dqc.Network, topology)(k, data_qubits=math.ceil(n / k) + spare,
                                          comm_qubits=comm)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_clifford_circuits_on_random_networks_verify(data):
    qc = data.draw(circuits())
    net = data.draw(networks(qc.num_qubits))
    seed = data.draw(st.integers(0, 3))
    result = dqc.compile(qc, net, seed=seed)
    outcome = dqc.verify(qc, result.circuit, result.report)
    assert outcome.ok and outcome.method == "stim-flows", str(outcome)
    report = result.report
    assert report.ebits == sum(report.ebits_per_link.values())
    assert report.ebits == result.circuit.count_ops().get("epr", 0)
    assert all(q["used"] <= q["data"] for q in report.qpus.values())
    again = dqc.compile(qc, net, seed=seed)
    assert qasm3.dumps(again.circuit) == qasm3.dumps(result.circuit)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_one_comm_qubit_either_works_or_says_why(data):
    """With one comm qubit per QPU, only relays of swaps can fail — with a clear error."""
    qc = data.draw(circuits())
    k = data.draw(st.integers(2, 4))
    topology = data.draw(st.sampled_from(("all_to_all", "line")))
    net = getattr(dqc.Network, topology)(k, data_qubits=math.ceil(qc.num_qubits / k),
                                         comm_qubits=1)
    try:
        result = dqc.compile(qc, net)
    except dqc.CapacityError as exc:
        assert topology == "line" and "entanglement swapping" in str(exc)
        return
    assert dqc.verify(qc, result.circuit, result.report).ok
