"""Transformation pass: drop near-identity rotations (an explicit approximation)."""

from __future__ import annotations

from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import TransformationPass

from dqc.plan.approximation import drop_near_identity


class DropNearIdentity(TransformationPass):
    """Remove every rotation within ``tolerance`` radians of the identity (up to a global
    phase) and cancel the inverse pairs this leaves (:mod:`dqc.plan.approximation`).

    Not in :func:`generate_pass_manager` unless asked for (``approximation=``): the
    output then implements the input only up to the bound it records
    (:mod:`dqc.plan.approximation`). Run it after :class:`UnrollForDistribution`.

    Property set read: none.
    Property set written: ``dqc_approximation``
    (:class:`dqc.plan.approximation.Approximation`: the tolerance, the gates dropped by
    name and the bound on the error they cause).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2); _ = qc.cp(1e-9, 0, 1); _ = qc.cx(0, 1)
        >>> p = DropNearIdentity(1e-8); out = p(qc)
        >>> dict(out.count_ops()), p.property_set["dqc_approximation"].dropped
        ({'cx': 1}, {'cp': 1})
    """

    def __init__(self, tolerance: float) -> None:
        super().__init__()
        self.tolerance = tolerance

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Drop the near-identity gates of ``dag`` and record what was dropped."""
        dag, approximation = drop_near_identity(dag, self.tolerance)
        self.property_set["dqc_approximation"] = approximation
        return dag
