"""Analysis pass: keep the placement dqc chose as Qiskit's layout (the ``dqc`` layout stage)."""

from __future__ import annotations

from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import Layout
from qiskit.transpiler.basepasses import AnalysisPass
from qiskit.transpiler.passes.layout.vf2_layout import VF2LayoutStopReason

from dqc.errors import DQCError


class KeepDistributedLayout(AnalysisPass):
    """Declare the circuit's qubit ``i`` to be physical qubit ``i``: dqc already placed it.

    The layout stage of ``layout_method="dqc"``, after the ``dqc`` init stage (which
    distributes, routes and writes ``original_qubit_indices`` and ``final_layout``, see
    :class:`~dqc.passes.WriteTranspileLayout`). It sets ``layout`` to the identity on
    the circuit's qubits and marks the layout as found, so Qiskit's later
    ``VF2PostLayout`` (levels 1–2) keeps it.

    Property set read: ``dqc_distribution`` (must be present: the ``dqc`` init stage ran).
    Property set written: ``layout`` (identity), ``VF2Layout_stop_reason``
    (``SOLUTION_FOUND``).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.converters import circuit_to_dag
        >>> dag = circuit_to_dag(QuantumCircuit(2))
        >>> p = KeepDistributedLayout()
        >>> p.property_set["dqc_distribution"] = object()
        >>> p.run(dag)
        >>> [p.property_set["layout"][q] for q in dag.qubits]
        [0, 1]
    """

    def run(self, dag: DAGCircuit) -> None:
        """Set the identity layout on ``dag``'s qubits."""
        if self.property_set["dqc_distribution"] is None:
            raise DQCError(
                "layout_method='dqc' keeps the placement of the dqc init stage; use it with "
                "init_method='dqc'")
        layout = Layout({q: i for i, q in enumerate(dag.qubits)})
        for reg in dag.qregs.values():
            layout.add_register(reg)
        self.property_set["layout"] = layout
        self.property_set["VF2Layout_stop_reason"] = VF2LayoutStopReason.SOLUTION_FOUND
