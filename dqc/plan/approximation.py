"""Near-identity rotations dropped: an explicit, reported approximation.

Off by default; ``dqc.compile(..., approximation=TOL)`` (``--approximation TOL``) drops
every rotation — ``p``, ``rz``, ``rx``, ``ry``, ``cp``, ``crz``, ``rzz`` — whose angle is
at most ``TOL`` radians from one that is the identity up to a global phase, then cancels
the pairs of inverse gates this leaves next to each other (Qiskit's
``InverseCancellation``: ``cx; cx`` and the like, exact). QFT circuits carry many such
rotations: controlled phases of π/2^k for k up to n − 1, written as ``cp`` or as
``u1; cx; u1; cx; u1``. pytket-dqc drops those below π/2^26 by default.

The error is bounded by the triangle inequality: if ``U`` is the circuit and ``U'`` the
circuit without gates ``G_1 … G_m``, then ``‖U − U'‖ ≤ Σ_i min_φ ‖G_i − e^{iφ} I‖``
(operator norm, ``U'`` up to a global phase). Each of these gates at angle θ has its
eigenvalue phases on an arc of width |θ| (``p``, ``cp``: {0, θ}; ``rz``, ``rx``, ``ry``,
``rzz``, ``crz``: {±θ/2} and 0), so its distance is ``2|sin(θ/4)|``, θ taken modulo the
gate's period up to a global phase (2π; 4π for ``crz``).

For any input state the two output states are then at most that far apart in norm, so
any measurement's outcome distributions differ by at most the bound in total variation;
with mid-circuit measurements each branch's Kraus operator moves by at most the bound.

Examples:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag, dag_to_circuit
    >>> qc = QuantumCircuit(2); _ = qc.cp(1e-9, 0, 1); _ = qc.cp(0.5, 0, 1)
    >>> dag, approx = drop_near_identity(circuit_to_dag(qc), 1e-6)
    >>> list(dag_to_circuit(dag).count_ops().items()), approx.dropped
    ([('cp', 1)], {'cp': 1})
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from qiskit.circuit.library import CXGate, CYGate, CZGate, HGate, SwapGate, XGate, YGate, ZGate
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler.passes import InverseCancellation

from dqc.errors import CircuitInputError

__all__ = ["Approximation", "distance_from_identity", "drop_near_identity"]

#: Period of each gate's angle, up to a global phase.
_PERIOD = {"p": 2 * math.pi, "rz": 2 * math.pi, "rx": 2 * math.pi, "ry": 2 * math.pi,
           "cp": 2 * math.pi, "rzz": 2 * math.pi, "crz": 4 * math.pi}
#: The pairs of inverse gates cancelled after dropping (each is its own inverse).
_SELF_INVERSE = (CXGate(), CYGate(), CZGate(), SwapGate(), HGate(), XGate(), YGate(), ZGate())


@dataclass(frozen=True)
class Approximation:
    """What an approximated compile dropped.

    Attributes:
        tolerance: the largest angle dropped (radians, from the identity).
        dropped: gates dropped, by name.
        error_bound: bound on ``‖U − U'‖`` (operator norm, up to a global phase), the
            sum of the dropped gates' distances from the identity (module docstring).
            Gates are counted after unrolling (``u1`` is ``p``).
    """

    tolerance: float
    dropped: dict[str, int] = field(default_factory=dict)
    error_bound: float = 0.0

    @property
    def count(self) -> int:
        """Gates dropped in all."""
        return sum(self.dropped.values())

    def to_dict(self) -> dict[str, Any]:
        """The ``approximation`` section of the JSON report."""
        return {"tolerance": self.tolerance, "dropped": dict(self.dropped),
                "dropped_total": self.count, "error_bound": self.error_bound,
                "bound": "operator norm up to a global phase; total variation of any "
                         "measurement is at most this"}


def distance_from_identity(name: str, theta: float) -> float | None:
    """``min_φ ‖G(θ) − e^{iφ} I‖`` for the rotations dropped; ``None`` for other gates.

    Examples:
        >>> round(distance_from_identity("cp", math.pi), 12), distance_from_identity("h", 0)
        (1.414213562373, None)
        >>> distance_from_identity("rz", 2 * math.pi)  # -I: the identity up to a phase
        0.0
    """
    if name not in _PERIOD:
        return None
    return 2 * abs(math.sin(math.remainder(theta, _PERIOD[name]) / 4))


def drop_near_identity(dag: DAGCircuit, tolerance: float) -> tuple[DAGCircuit, Approximation]:
    """``dag`` without its rotations within ``tolerance`` of the identity (up to a
    global phase), inverse pairs then cancelled, and what was dropped.

    Conditional gates are kept. Raises:
        CircuitInputError: for a negative or non-finite tolerance.
    """
    if not math.isfinite(tolerance) or tolerance < 0:
        raise CircuitInputError(
            f"approximation tolerance must be a finite angle >= 0 (radians); got {tolerance}")
    dropped: dict[str, int] = {}
    bound = 0.0
    for node in dag.op_nodes():
        name = node.op.name
        if name not in _PERIOD or not node.op.params:
            continue
        theta = math.remainder(float(node.op.params[0]), _PERIOD[name])
        if abs(theta) <= tolerance:
            dag.remove_op_node(node)
            dropped[name] = dropped.get(name, 0) + 1
            bound += 2 * abs(math.sin(theta / 4))
    if dropped:
        dag = InverseCancellation(list(_SELF_INVERSE)).run(dag)
    return dag, Approximation(tolerance, dict(sorted(dropped.items())), bound)
