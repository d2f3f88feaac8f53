"""Transformation pass: tell Qiskit's transpiler where dqc put the input qubits."""

from __future__ import annotations

from dqc.passes.requirements import distributed_layout
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import Layout, TransformationPass
from qiskit.transpiler.basepasses import AnalysisPass

from dqc.adapter.layout import METADATA_KEY, full_permutation, layout_metadata
from dqc.errors import DQCError


class LayoutNotKept(DQCError):
    """Qiskit's default layout stage would not keep this distributed circuit's placement.

    Raised by :class:`WriteTranspileLayout` when its copy of the layout stage finds no
    layout; :class:`~dqc.passes.distribute_for_transpile.DistributeForTranspile` then
    tries another seed.
    """


class WriteTranspileLayout(TransformationPass):
    """Write dqc's placement into the property-set keys Qiskit builds ``TranspileLayout`` from.

    The circuit this pass sees is already physical (qubit ``i`` is Target qubit
    ``i``): distributed, and routed inside each QPU. A Qiskit preset pass manager
    still runs its layout stage afterwards; that stage chooses a layout ``φ`` for
    this physical circuit (the identity with ``layout_method="dqc"``, see
    :class:`~dqc.passes.KeepDistributedLayout`; ``TrivialLayout`` → identity at level
    1; ``VF2Layout`` at levels 2–3) but does not apply it, because ``final_layout`` is
    already set. ``layout_pass`` is a copy of that stage's choice (``None``: the
    identity): this pass runs it on the same circuit to learn ``φ`` and labels input
    qubit ``i`` with the circuit qubit that ``φ`` sends to ``initial_layout[i]``, so
    the ``TranspileLayout`` Qiskit attaches at the end reports exactly dqc's initial
    and final layouts.

    Property set read: ``dqc_routing`` or else ``dqc_distribution`` (their layout).
    Property set written: ``original_qubit_indices``, ``num_input_qubits``,
    ``final_layout`` (Qiskit's keys; see ``TranspileLayout.from_property_set``).
    The circuit's ``metadata["dqc_layout"]`` is set as by :func:`dqc.adapter.layout.attach_layout`.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.transpiler.passes import TrivialLayout
        >>> from dqc.network import Network
        >>> from dqc.passes import generate_pass_manager
        >>> from dqc.adapter.target import network_to_target
        >>> net = Network.line(2, data_qubits=2)
        >>> qc = QuantumCircuit(3); _ = qc.cx(0, 2); _ = qc.swap(0, 1)
        >>> pm = generate_pass_manager(net, seed=1)
        >>> pm.append(WriteTranspileLayout(TrivialLayout(network_to_target(net))))
        >>> # WriteTranspileLayout() (no pass) is the same: the identity
        >>> out = pm.run(qc)
        >>> final = pm.property_set["final_layout"]
        >>> placed = pm.property_set["dqc_distribution"].layout
        >>> [final[out.qubits[p]] for p in placed.initial_layout] == list(placed.final_layout)
        True
    """

    def __init__(self, layout_pass: AnalysisPass | None = None) -> None:
        super().__init__()
        self.layout_pass = layout_pass

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Write the layout keys for ``dag`` (returned with its metadata updated)."""
        layout = distributed_layout(self)
        n_out = dag.num_qubits()
        n_in = len(layout.initial_layout)
        if self.layout_pass is None:
            phi = Layout({q: i for i, q in enumerate(dag.qubits)})
        else:
            self.layout_pass.property_set.clear()
            self.layout_pass.run(dag)
            phi = self.layout_pass.property_set["layout"]
        if phi is None:
            reason = self.layout_pass.property_set["VF2Layout_stop_reason"]  # type: ignore
            raise LayoutNotKept(
                f"Qiskit's default layout stage finds no layout for the distributed circuit "
                f"({reason.value if reason else 'no layout'}: VF2Layout ran out of calls) and "
                "would then re-route it across QPUs; pass layout_method='dqc' (keeps dqc's "
                "placement at any optimization level)")
        position = {phi[q]: i for i, q in enumerate(dag.qubits)}  # physical -> circuit index
        labels = [position[p] for p in layout.initial_layout]
        spare = [i for i in range(n_out) if i not in set(labels)]
        qubits = dag.qubits
        self.property_set["original_qubit_indices"] = {
            **{qubits[i]: k for k, i in enumerate(labels)},
            **{qubits[i]: n_in + j for j, i in enumerate(spare)},
        }
        self.property_set["num_input_qubits"] = n_in
        perm = full_permutation(layout.initial_layout, layout.final_layout, n_out)
        self.property_set["final_layout"] = Layout({qubits[p]: perm[p] for p in range(n_out)})
        dag.metadata = {**(dag.metadata or {}), METADATA_KEY: layout_metadata(layout)}
        return dag
