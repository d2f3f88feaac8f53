"""The Qiskit passes dqc is made of, importable as ``dqc.passes``.

A user composes them in a Qiskit ``PassManager`` like any other pass;
:func:`generate_pass_manager` returns the one :func:`dqc.compile` runs.

Property-set keys (all prefixed ``dqc_``):

================================  ==========================  =========================
key                               written by                  read by
================================  ==========================  =========================
``dqc_wire_permutation``          ElideSwaps                  DistributeGates
``dqc_interaction_graph``         BuildInteractionGraph       PartitionQubits
``dqc_partition``                 PartitionQubits             DistributeGates
``dqc_partition_cost``            PartitionQubits
``dqc_lower_bound``               PartitionQubits
``dqc_layout``                    DistributeGates
``dqc_ebits_per_link``            DistributeGates
``dqc_remote_gates``              DistributeGates
================================  ==========================  =========================
"""

from __future__ import annotations

from dqc.passes.distribute_gates import DistributedLayout, DistributeGates
from dqc.passes.elide_swaps import ElideSwaps
from dqc.passes.interaction_graph import BuildInteractionGraph
from dqc.passes.partition_qubits import PartitionQubits
from dqc.passes.unroll_for_distribution import UnrollForDistribution
from qiskit.transpiler import PassManager

from dqc.network import Network

__all__ = [
    "BuildInteractionGraph",
    "DistributeGates",
    "DistributedLayout",
    "ElideSwaps",
    "PartitionQubits",
    "UnrollForDistribution",
    "generate_pass_manager",
]


def generate_pass_manager(network: Network, *, seed: int | None = None) -> PassManager:
    """The pass manager :func:`dqc.compile` runs: unroll, elide swaps, partition, distribute.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(4); _ = qc.h(0)
        >>> for t in range(1, 4): _ = qc.cx(0, t)
        >>> pm = generate_pass_manager(Network.all_to_all(2, data_qubits=2), seed=1)
        >>> out = pm.run(qc)
        >>> pm.property_set["dqc_ebits_per_link"]
        {'qpu0-qpu1': 1}
    """
    return PassManager(
        [
            UnrollForDistribution(),
            ElideSwaps(),
            BuildInteractionGraph(),
            PartitionQubits(network, seed=seed),
            DistributeGates(network),
        ]
    )
