"""Analysis pass: move qubits between QPUs over time (teledata) where that saves ebits.

The static partition keeps every qubit on one QPU for the whole circuit. When the
interaction pattern changes over time (quantum volume, many arithmetic circuits) it
can be cheaper to teleport a qubit's state to the QPU it is about to work with (one
ebit per hop) than to teleport each of its gates. This pass searches time-sliced
assignments (:func:`dqc.plan.teledata.search_moves`): walking the slices of the
circuit, it trades qubits between QPUs — or moves one into a free data qubit — whenever
the decay-weighted interactions ahead gain more than ``threshold`` × the move's ebits
(the *overall extreme exchange* of Park et al., with a lookahead as in Baker et al.'s
FGP-rOEE). Several lookahead/threshold settings are tried and, on layered circuits
(quantum volume, brickwork), a placement per layer that keeps every gate local with
the fewest moves (:mod:`dqc.plan.layer_moves`, exact windows solved by HiGHS); each
is scored by the true cost (moves plus the vertex-cover plan), and the result is kept
only if it beats the static partition. So the choice between moving the state and
teleporting the gates is made on the actual ebit count.

Examples:
    Two QPUs of two qubits. First q0 works with q1 and q2 with q3, then q0 with q2
    and q1 with q3, each time with CX in both directions (a new segment per gate)::

        phase 1 (×3): cx(0,1) cx(1,0) cx(2,3) cx(3,2)
        phase 2 (×3): cx(0,2) cx(2,0) cx(1,3) cx(3,1)

    Any static placement leaves one phase's 12 gates remote (12 ebits); trading q1
    and q2 between the phases costs 2::

    >>> from qiskit import QuantumCircuit
    >>> from dqc.network import Network
    >>> qc = QuantumCircuit(4)
    >>> for _ in range(3): _ = qc.cx(0, 1); _ = qc.cx(1, 0); _ = qc.cx(2, 3); _ = qc.cx(3, 2)
    >>> for _ in range(3): _ = qc.cx(0, 2); _ = qc.cx(2, 0); _ = qc.cx(1, 3); _ = qc.cx(3, 1)
    >>> p = PlanTeledata(Network.all_to_all(2, data_qubits=2))
    >>> props = {"dqc_partition": ("qpu0", "qpu0", "qpu1", "qpu1")}
    >>> _ = p(qc, property_set=props); plan = props["dqc_teledata"]
    >>> plan.kind, plan.ebits, len(plan.moves), plan.why
    ('teledata', 2, 2, '2 moves save 10 ebits')

References:
    Park, Ahn, Kim et al. (OEE): overall extreme exchange for k-way partitioning.
    Baker, Duckering, Hoover, Chong, "Time-sliced quantum circuit partitioning for
    modular architectures", CF '20 (FGP-rOEE).
"""

from __future__ import annotations

from dqc.passes.requirements import required
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import AnalysisPass

from dqc.network import Network
from dqc.plan.cost_model import shared_two_qubit_gates
from dqc.plan.layer_moves import DEFAULT_LAYERS, LayerSettings
from dqc.plan.partition import blocks
from dqc.plan.proposals import Proposal
from dqc.plan.teledata import SearchSettings, search_moves


class PlanTeledata(AnalysisPass):
    """Propose teledata moves (``dqc_teledata``) when they cost fewer ebits than static.

    Args:
        network: the network (QPU capacities, distances, comm qubits).
        lookahead, thresholds, max_gates, work: the search effort
            (:class:`dqc.plan.teledata.SearchSettings`).
        layers: the layer assignment's effort (:mod:`dqc.plan.layer_moves`: every gate
            local, the fewest moves between layers, for layered circuits such as quantum
            volume); ``None``: only the sweeps.

    Property set read: ``dqc_partition``; ``dqc_two_qubit_gates`` if present.
    Property set written: ``dqc_teledata`` (:class:`dqc.plan.proposals.Proposal`): kind
    ``"teledata"`` with its start placement and moves when moves pay; otherwise kind
    ``"static"`` — the static plan on its placement (the given one, or a relabelling of
    it that the search found cheaper) with its modelled ebits; ``why`` says which.
    ``None`` when the circuit has a ``while_loop`` (its qubits may not move apart).
    """

    def __init__(self, network: Network, *,
                 lookahead: tuple[float, ...] = (0.3, 0.5, 0.6, 0.75, 0.9),
                 thresholds: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0),
                 max_gates: int | None = None, work: float = 3e7,
                 layers: LayerSettings | None = DEFAULT_LAYERS) -> None:
        super().__init__()
        self.network = network
        self.settings = SearchSettings(lookahead, thresholds, max_gates, work, layers)

    def run(self, dag: DAGCircuit) -> None:
        """Search time-sliced assignments starting from ``dqc_partition``."""
        net = self.network
        partition = required(self, "dqc_partition", "PartitionQubits")
        if blocks(dag):  # a move could split a while_loop's qubits: none are planned
            self.property_set["dqc_teledata"] = None
            return
        found = search_moves(
            dag, shared_two_qubit_gates(dag, self.property_set),
            [net.index(name) for name in partition], [q.data_qubits for q in net.qpus],
            [q.comm_qubits for q in net.qpus], net.distances(), self.settings)
        self.property_set["dqc_teledata"] = Proposal(
            "teledata" if found.moves else "static",
            tuple(net.qpus[k].name for k in found.start), found.ebits, found.lower_bound,
            moves=found.moves, why=found.reason, timeline=found.timeline)
