"""generate_pass_manager: the pipeline dqc.compile runs, extensible with user passes."""

from __future__ import annotations

from dqc.passes import generate_pass_manager
from qiskit.transpiler import PassManager
from qiskit.transpiler.passes import CountOps, RemoveBarriers

import dqc
from dqc.adapter.layout import attach_layout, report_from_circuit
from dqc.network import Network
from tests.helpers import ghz


def test_generate_pass_manager_takes_user_passes_before_and_after(clifford_circuit):
    """Barriers removed by a user pass first, ops counted by a user pass last; output verifies.

    before:  h q0; barrier; cx q0,q1 ... (6 qubits)     after: 2 QPUs, 1 epr, no barrier
    """
    qc = ghz(6)
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
