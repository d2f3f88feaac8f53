"""Transformation pass: the ``dqc`` init stage, retried until Qiskit's layout stage keeps it."""

from __future__ import annotations

from dqc.passes.pass_manager import generate_pass_manager
from dqc.passes.route_within_qpus import RouteWithinQPUs
from dqc.passes.write_transpile_layout import LayoutNotKept, WriteTranspileLayout
from qiskit.converters import circuit_to_dag, dag_to_circuit
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import Target, TransformationPass
from qiskit.transpiler.basepasses import AnalysisPass

from dqc.adapter.target import target_to_network


class DistributeForTranspile(TransformationPass):
    """Distribute, route inside QPUs and write the layout; retry seeds the layout stage rejects.

    Runs :func:`dqc.passes.generate_pass_manager` for the network of ``target``,
    :class:`~dqc.passes.RouteWithinQPUs` and :class:`~dqc.passes.WriteTranspileLayout`
    (with ``layout_pass``, a copy of what Qiskit's default layout stage will run) with
    seed ``seed``. Qiskit's ``VF2Layout`` (levels 2–3) searches a layout by graph
    structure alone, within a call limit; on networks of all-to-all QPUs it sometimes
    exhausts the limit on a distributed circuit although the identity fits, and the
    layout stage would then re-place and re-route the circuit across QPUs. When the
    prediction says so (:class:`~dqc.passes.write_transpile_layout.LayoutNotKept`),
    the distribution is run again with seeds ``seed + 1``, ``seed + 2``, ... (another
    equally valid distribution, usually of the same cost) up to ``attempts`` in all;
    the first one the layout stage keeps is the output. Deterministic for a seed.

    ``screen`` (optional) is a cheaper copy of ``layout_pass`` (``VF2Layout`` with a
    smaller first call limit and the same second one): the search is deterministic, so
    when the cheap copy finds a layout the full search finds the same one, and a seed
    whose circuit the cheap copy fails on is skipped quickly. Only if every seed fails
    the screen are the seeds tried again with the full search.

    Property set written: everything the inner passes write (``dqc_distribution``,
    ``dqc_routing``, Qiskit's layout keys) and ``dqc_transpile_seed`` (the seed that
    was kept).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from dqc.network import Network
        >>> from dqc.adapter.target import network_to_target
        >>> target = network_to_target(Network.line(2, data_qubits=2))
        >>> qc = QuantumCircuit(3); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(0, 2)
        >>> p = DistributeForTranspile(target, seed=4)
        >>> out = p(qc)
        >>> out.count_ops()["epr"], p.property_set["dqc_transpile_seed"]
        (1, 4)
    """

    def __init__(self, target: Target, *, seed: int = 0,
                 layout_pass: AnalysisPass | None = None,
                 screen: AnalysisPass | None = None, attempts: int = 8) -> None:
        super().__init__()
        self.screen = screen
        self.target = target
        self.seed = seed
        self.layout_pass = layout_pass
        self.attempts = attempts

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """The distributed, routed circuit whose layout the layout stage keeps."""
        circuit = dag_to_circuit(dag)
        network = target_to_network(self.target)
        failure: LayoutNotKept | None = None
        tries = [(self.seed + k, self.screen or self.layout_pass) for k in range(self.attempts)]
        if self.screen is not None:
            tries += [(self.seed + k, self.layout_pass) for k in range(self.attempts)]
        for seed, predict in tries:
            pm = generate_pass_manager(network, seed=seed)
            pm.append(RouteWithinQPUs(self.target, seed=seed))
            pm.append(WriteTranspileLayout(predict))
            try:
                out = pm.run(circuit)
            except LayoutNotKept as exc:
                failure = exc
                continue
            for key, value in pm.property_set.items():
                self.property_set[key] = value
            self.property_set["dqc_transpile_seed"] = seed
            return circuit_to_dag(out)
        assert failure is not None
        raise LayoutNotKept(f"{failure} (tried seeds {self.seed}..{self.seed + self.attempts - 1})")
