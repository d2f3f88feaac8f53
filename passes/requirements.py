"""What a pass needs from the passes before it, with the error that says which to run."""

from __future__ import annotations

from typing import Any

from qiskit.passmanager.base_tasks import GenericPass

from dqc.errors import CircuitInputError
from dqc.plan.distribution import DistributedLayout


def required(pass_: GenericPass, key: str, producer: str) -> Any:
    """``pass_.property_set[key]``, or an error naming ``producer``, the pass to run first.

    Examples:
        >>> from dqc.passes import PlanTeledata
        >>> from dqc.network import Network
        >>> try:
        ...     required(PlanTeledata(Network.line(2, data_qubits=1)), "dqc_partition",
        ...              "PartitionQubits")
        ... except CircuitInputError as exc:
        ...     print(exc)
        PlanTeledata needs 'dqc_partition' in the property set; run PartitionQubits first
    """
    value = pass_.property_set[key]
    if value is None:
        raise CircuitInputError(
            f"{type(pass_).__name__} needs '{key}' in the property set; run {producer} first")
    return value


def distributed_layout(pass_: GenericPass) -> DistributedLayout:
    """The layout of the circuit ``pass_`` is handed: RouteWithinQPUs' (``dqc_routing``)
    when it ran, else DistributeGates' (``dqc_distribution``), else the error naming
    DistributeGates."""
    routing = pass_.property_set["dqc_routing"]
    if routing is not None:
        return routing.layout
    return required(pass_, "dqc_distribution", "DistributeGates").layout
