"""Analysis pass: schedule a distributed circuit on its network (:mod:`dqc.estimation.schedule`)."""

from __future__ import annotations

from dqc.passes.requirements import distributed_layout, required
from qiskit.converters import dag_to_circuit
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import AnalysisPass

from dqc.estimation.verdict import assess
from dqc.network import Network
from dqc.plan.epr_order import lazy_epr_order


class ScheduleOperations(AnalysisPass):
    """Place every operation in time; judge whether the run is feasible.

    Runs on the output of :class:`~dqc.passes.DistributeGates`, in the operation order
    :func:`dqc.compile` emits (Bell pairs as late as possible in program order), so the
    schedule equals the one in :func:`dqc.compile`'s report.

    Property set read: ``dqc_distribution`` (its layout and remote gates; the layout of
    ``dqc_routing`` when RouteWithinQPUs ran).
    Property set written: ``dqc_schedule`` (:class:`~dqc.estimation.schedule.Schedule`),
    ``dqc_verdict`` (:class:`~dqc.estimation.verdict.Verdict`).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.transpiler import PassManager
        >>> from dqc.passes import generate_pass_manager
        >>> net = Network.line(2, data_qubits=1, rate_hz=100)
        >>> pm = generate_pass_manager(net)
        >>> pm.append(ScheduleOperations(net))
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> _ = pm.run(qc)
        >>> round(pm.property_set["dqc_schedule"].makespan_s, 4)  # 1/rate + 2 latencies
        0.0106
    """

    def __init__(self, network: Network, *, samples: int = 0, seed: int | None = None,
                 epr_timing: str = "lazy") -> None:
        super().__init__()
        self.network = network
        self.samples = samples
        self.seed = seed
        self.epr_timing = epr_timing

    def run(self, dag: DAGCircuit) -> None:
        """Schedule ``dag`` and write ``dqc_schedule`` and ``dqc_verdict``."""
        distribution = required(self, "dqc_distribution", "DistributeGates")
        layout = distributed_layout(self)
        circuit = lazy_epr_order(dag_to_circuit(dag, copy_operations=False),
                                 set(layout.comm_qubits))
        sched, verdict = assess(
            circuit, self.network, qubit_qpu=layout.qubit_qpu, comm_qubits=layout.comm_qubits,
            remote_gates=distribution.remote_gates, samples=self.samples,
            seed=self.seed, epr_timing=self.epr_timing)
        self.property_set["dqc_schedule"] = sched
        self.property_set["dqc_verdict"] = verdict
