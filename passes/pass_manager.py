"""The pass manager :func:`dqc.compile` runs, for users to extend."""

from __future__ import annotations

from dqc.passes.distribute_gates import DistributeGates
from dqc.passes.drop_near_identity import DropNearIdentity
from dqc.passes.elide_swaps import ElideSwaps
from dqc.passes.interaction_graph import BuildInteractionGraph
from dqc.passes.partition_qubits import PartitionQubits
from dqc.passes.plan_embedding import PlanEmbedding
from dqc.passes.plan_teledata import PlanTeledata
from dqc.passes.unroll_for_distribution import UnrollForDistribution
from qiskit.transpiler import PassManager
from qiskit.transpiler.basepasses import BasePass

from dqc.network import Network


def generate_pass_manager(network: Network, *, seed: int | None = None,
                          approximation: float | None = None) -> PassManager:
    """The pass manager :func:`dqc.compile` runs: unroll, elide swaps, partition,
    embedding, teledata, distribute (with ``approximation``: drop near-identity
    controlled phases after unrolling, see :class:`DropNearIdentity`).

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(4); _ = qc.h(0)
        >>> for t in range(1, 4): _ = qc.cx(0, t)
        >>> pm = generate_pass_manager(Network.all_to_all(2, data_qubits=2), seed=1)
        >>> out = pm.run(qc)
        >>> pm.property_set["dqc_distribution"].ebits_per_link
        {'qpu0-qpu1': 1}
    """
    return PassManager(compile_passes(network, seed=seed, approximation=approximation))


def compile_passes(network: Network, *, seed: int | None = None,
                   approximation: float | None = None, light: bool = False) -> list[BasePass]:
    """The passes of :func:`generate_pass_manager`, in order.

    ``light=True``: the lighter planning of the second compile of ``dqc.compile(...,
    reuse=True)``, which plans for one data qubit more per QPU and looks for teledata moves
    that reused data qubits make room for: in :class:`PartitionQubits` one METIS run, one
    local-search start and no dry runs (they distribute without reuse, on a network that is
    not the real one); no :class:`PlanEmbedding`; :class:`PlanTeledata`'s sweeps only (no
    layer assignment, no flips on the stays). On the benchmark tables every plan of that
    compile that won came from the sweeps, and the full planning took 1.5-2x as long.

    Examples:
        >>> [type(p).__name__ for p in compile_passes(Network.line(2, data_qubits=1))][:3]
        ['UnrollForDistribution', 'ElideSwaps', 'BuildInteractionGraph']
        >>> [type(p).__name__ for p in compile_passes(Network.line(2, data_qubits=1),
        ...                                           light=True)][3:]
        ['PartitionQubits', 'PlanTeledata', 'DistributeGates']
    """
    approximate = [] if approximation is None else [DropNearIdentity(approximation)]
    planners: list[BasePass] = [
        # (max_dry_run_gates=0: no dry runs, and one local-search start)
        PartitionQubits(network, seed=seed, metis_runs=1, max_dry_run_gates=0),
        PlanTeledata(network, embedding=False, layers=None),
    ] if light else [
        PartitionQubits(network, seed=seed),
        PlanEmbedding(network),
        PlanTeledata(network),
    ]
    return [
        UnrollForDistribution(),
        *approximate,
        ElideSwaps(),
        BuildInteractionGraph(),
        *planners,
        DistributeGates(network),
    ]
