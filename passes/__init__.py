"""The Qiskit passes dqc is made of, importable as ``dqc.passes``.

A user composes them in a Qiskit ``PassManager`` like any other pass;
:func:`generate_pass_manager` returns the one :func:`dqc.compile` runs.

Property-set keys (all prefixed ``dqc_``; each has exactly one writer, which documents it;
``tests/passes/test_property_set_keys.py`` checks this table against the passes'
docstrings and code):

=========================  ======================  ==========================================
key                        written by              read by
=========================  ======================  ==========================================
``dqc_approximation``      DropNearIdentity
``dqc_wire_permutation``   ElideSwaps              DistributeGates
``dqc_interaction_graph``  BuildInteractionGraph   PartitionQubits, PlanEmbedding
``dqc_two_qubit_gates``    BuildInteractionGraph   PartitionQubits, PlanEmbedding,
                                                   PlanTeledata, DistributeGates
``dqc_partition``          PartitionQubits         PlanEmbedding, PlanTeledata,
                                                   DistributeGates
``dqc_placement``          PartitionQubits         PlanEmbedding, PlanTeledata,
                                                   DistributeGates
``dqc_embedding``          PlanEmbedding           PlanTeledata, DistributeGates
``dqc_embedding_others``   PlanEmbedding           DistributeGates
``dqc_embedding_bound``    PlanEmbedding           DistributeGates
``dqc_exact``              PlanEmbedding           PlanTeledata, DistributeGates
``dqc_teledata``           PlanTeledata            DistributeGates
``dqc_distribution``       DistributeGates         KeepDistributedLayout, RouteWithinQPUs,
                                                   ScheduleOperations, WriteTranspileLayout
``dqc_routing``            RouteWithinQPUs         ScheduleOperations, WriteTranspileLayout
``dqc_schedule``           ScheduleOperations
``dqc_verdict``            ScheduleOperations
=========================  ======================  ==========================================

The planners propose (:class:`dqc.plan.partition.Placement`,
:class:`dqc.plan.proposals.Proposal`, :class:`dqc.plan.exact.ExactPlan`); DistributeGates
chooses once (:func:`dqc.plan.proposals.choose`) and records one
:class:`dqc.plan.proposals.Distribution`, from which :func:`dqc.compile` builds the
report (:meth:`dqc.estimation.report.Report.from_distribution`). A user may set
``dqc_partition`` by hand and run DistributeGates alone.

:class:`RouteWithinQPUs` and :class:`WriteTranspileLayout` are for Qiskit Targets
(:mod:`dqc.adapter.target`): they route a distributed circuit onto each QPU's coupling
map and write Qiskit's own layout keys (``original_qubit_indices``, ``num_input_qubits``,
``final_layout``). :class:`DQCInitPlugin` is the ``init_method="dqc"`` stage plugin that
runs them after :func:`generate_pass_manager`; :class:`DQCLayoutPlugin`
(``layout_method="dqc"``) runs :class:`KeepDistributedLayout` to keep that placement.

:class:`ScheduleOperations` is not in :func:`generate_pass_manager`: :func:`dqc.compile`
schedules the circuit it returns (after ordering its Bell pairs) and puts the schedule
and verdict in its report; append the pass to run the same analysis in your own manager.
"""

from __future__ import annotations

from dqc.passes.distribute_gates import DistributedLayout, DistributeGates
from dqc.passes.drop_near_identity import DropNearIdentity
from dqc.passes.elide_swaps import ElideSwaps
from dqc.passes.interaction_graph import BuildInteractionGraph
from dqc.passes.keep_distributed_layout import KeepDistributedLayout
from dqc.passes.partition_qubits import PartitionQubits
from dqc.passes.pass_manager import generate_pass_manager
from dqc.passes.plan_embedding import PlanEmbedding
from dqc.passes.plan_teledata import PlanTeledata
from dqc.passes.route_within_qpus import RouteWithinQPUs
from dqc.passes.schedule_operations import ScheduleOperations
from dqc.passes.stage_plugin import DQCInitPlugin, DQCLayoutPlugin
from dqc.passes.unroll_for_distribution import UnrollForDistribution
from dqc.passes.write_transpile_layout import WriteTranspileLayout

__all__ = [
    "BuildInteractionGraph",
    "DQCInitPlugin",
    "DQCLayoutPlugin",
    "DistributeGates",
    "DistributedLayout",
    "DropNearIdentity",
    "ElideSwaps",
    "KeepDistributedLayout",
    "PartitionQubits",
    "PlanEmbedding",
    "PlanTeledata",
    "RouteWithinQPUs",
    "ScheduleOperations",
    "UnrollForDistribution",
    "WriteTranspileLayout",
    "generate_pass_manager",
]
