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

from collections.abc import Sequence
from dataclasses import replace

from dqc.passes.requirements import required
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import AnalysisPass

from dqc.errors import DQCError, plural
from dqc.network import Network
from dqc.plan.cost_model import TwoQubitGate, shared_two_qubit_gates
from dqc.plan.embedding import FlipTable, find_flips
from dqc.plan.exact_moves import exact_moves
from dqc.plan.layer_moves import DEFAULT_LAYERS, LayerSettings
from dqc.plan.partition import blocks
from dqc.plan.proposals import Proposal
from dqc.plan.teledata import MovesFound, SearchSettings, Sliced, Timeline, search_moves
from dqc.plan.teledata_embedding import cheapest_with_flips

#: Largest circuit (two-qubit gates) searched from more than one start placement. Each
#: start is a full search (quantum volume 32, 1,536 gates: 2-3x the compile time from
#: three); on the benchmark tables the extra starts paid on circuits of 130-296 gates,
#: and none above.
MAX_START_GATES = 300

#: Largest circuit (two-qubit gates) whose moves get an embedding on their stays.
MAX_EMBEDDED_GATES = 20_000

#: Stretches of slices the integer program of ``PlanTeledata(exact=True)`` moves between
#: when the program over every slice is beyond its size (the two-QPU peer circuits of
#: QASMBench: proved in 1.3-6.9 s each; square_root_n18: 23 s, unproved).
EXACT_STRETCHES = 8

#: How many of the cheapest moves tried get an embedding on their stays.
EMBEDDED_MOVES = 4

#: Evaluations × two-qubit gates for the embedding on the moves' stays, in all (a fifth of
#: :class:`PlanEmbedding`'s ``work``: sat_n11 on a line of 8 QPUs spent 1.3 s at 5e5).
EMBEDDING_WORK = 1e5


class PlanTeledata(AnalysisPass):
    """Propose teledata moves (``dqc_teledata``) when they cost fewer ebits than static.

    Args:
        network: the network (QPU capacities, distances, comm qubits).
        lookahead, thresholds, max_gates, work: the search effort
            (:class:`dqc.plan.teledata.SearchSettings`).
        layers: the layer assignment's effort (:mod:`dqc.plan.layer_moves`: every gate
            local, the fewest moves between layers, for layered circuits such as quantum
            volume); ``None``: only the sweeps.
        embedding: also let segments continue through flips on the stays of the cheapest
            moves found (:mod:`dqc.plan.teledata_embedding`), for circuits of at most
            :data:`MAX_EMBEDDED_GATES` two-qubit gates; proposed when that costs fewer
            ebits than every other plan so far.
        starts: placements searched from: ``dqc_partition``, then (circuits of at most
            :data:`MAX_START_GATES` two-qubit gates) the partitioner's other candidates,
            cheapest on the model first. The cheapest result is proposed (ties: fewer
            moves, then the earlier start). A placement the model ranks second may take
            moves that the first does not (multiplier_n15 on 2 QPUs: 8 ebits static, 6
            with one move, against 7 with none from the first). Larger circuits, the
            placement cheapest on the model when the partitioner's dry runs chose another
            (``square_root_n18`` on 4 QPUs of 6 data and 2 comm qubits: 73 ebits with
            moves from it, 83 from the dry runs' choice).
        exact: also solve the integer program of :mod:`dqc.plan.exact_moves` (placements
            in every slice, moves, carriers and, with ``embedding``, flips together; priced
            by hops where QPUs are not all linked; beyond its size rule, without flips,
            then with moves between :data:`EXACT_STRETCHES` stretches of slices) and
            propose its plan when it costs fewer ebits than every other plan so far. Off
            by default:
            it takes seconds (QASMBench's ``qec9xz_n17``, 32 gates: 4.1 s with flips,
            proving the heuristics' 4 ebits fewest; ``seca_n11``, 84 gates, beyond the
            size rule with flips: 4.7 s without, proving the heuristics' 3 fewest among
            plans with moves and no flips).

    Property set read: ``dqc_partition``; ``dqc_placement``, ``dqc_two_qubit_gates``,
    ``dqc_embedding`` and ``dqc_exact`` if present.
    Property set written: ``dqc_teledata`` (:class:`dqc.plan.proposals.Proposal`): kind
    ``"teledata"`` with its start placement and moves when moves pay (and its
    ``embedding`` when flips on their stays pay too); otherwise kind ``"static"`` — the
    static plan on its placement (the given one, or a relabelling of it that the search
    found cheaper) with its modelled ebits; ``why`` says which. ``None`` when the
    circuit has a ``while_loop`` (its qubits may not move apart).
    """

    def __init__(self, network: Network, *,
                 lookahead: tuple[float, ...] = (0.3, 0.5, 0.6, 0.75, 0.9),
                 thresholds: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0),
                 max_gates: int | None = None, work: float = 3e7,
                 layers: LayerSettings | None = DEFAULT_LAYERS,
                 embedding: bool = True, starts: int = 3, exact: bool = False) -> None:
        super().__init__()
        if starts < 1:
            raise DQCError(f"PlanTeledata needs starts >= 1, got {starts}")
        self.network = network
        self.starts = starts
        self.settings = SearchSettings(lookahead, thresholds, max_gates, work, layers)
        self.embedding = embedding
        self.exact = exact

    def run(self, dag: DAGCircuit) -> None:
        """Search time-sliced assignments from ``dqc_partition`` (and the other starts)."""
        net = self.network
        partition = required(self, "dqc_partition", "PartitionQubits")
        if blocks(dag):  # a move could split a while_loop's qubits: none are planned
            self.property_set["dqc_teledata"] = None
            return
        gates = shared_two_qubit_gates(dag, self.property_set)
        sliced = Sliced.of(dag)  # (the searches from every start share its windows)
        tried = [search_moves(
            dag, gates, start, [q.data_qubits for q in net.qpus],
            [q.comm_qubits for q in net.qpus], net.distances(),
            # (the layer assignment does not depend on the start: it runs from the first)
            self.settings if i == 0 else replace(self.settings, layers=None), sliced=sliced)
            for i, start in enumerate(self._starts(partition, len(gates)))]
        best = min(range(len(tried)),
                   key=lambda i: (tried[i].ebits, len(tried[i].moves), i))
        found, why = tried[best], tried[best].reason
        if best:
            why += (f" on another candidate placement (the partitioner's static plan: "
                    f"{plural(tried[0].static_ebits, 'ebit')})")
        proposal = Proposal(
            "teledata" if found.moves else "static",
            tuple(net.qpus[k].name for k in found.start), found.ebits, found.lower_bound,
            moves=found.moves, why=why, timeline=found.timeline)
        if self.embedding and found.moving and len(gates) <= MAX_EMBEDDED_GATES:
            proposal = self._embedded(dag, gates, found, proposal)
        if self.exact:
            proposal = self._exact(dag, gates, sliced.timeline, proposal)
        self.property_set["dqc_teledata"] = proposal

    def _starts(self, partition: Sequence[str], size: int) -> list[list[int]]:
        """The placements to search from: ``partition``, then (circuits of at most
        :data:`MAX_START_GATES` two-qubit gates) the partitioner's other candidates,
        cheapest on the model first, up to ``starts`` distinct ones in all; larger
        circuits, the placement cheapest on the model when the partitioner's dry runs chose
        another (:attr:`dqc.plan.partition.Placement.cheapest`)."""
        starts = [[self.network.index(name) for name in partition]]
        placement = self.property_set["dqc_placement"]
        if placement is None:
            return starts
        if size > MAX_START_GATES:
            cheapest = list(placement.cheapest)
            return starts + ([cheapest] if cheapest and cheapest not in starts else [])
        for cand in placement.candidates:
            if len(starts) >= self.starts:
                break
            if list(cand) not in starts:
                starts.append(list(cand))
        return starts

    def _exact(self, dag: DAGCircuit, gates: list[TwoQubitGate], timeline: Timeline,
               proposal: Proposal) -> Proposal:
        """The integer program's moves (and flips, with ``embedding``), when they cost
        fewer ebits than ``proposal`` and the other planners' proposals; else
        ``proposal``. Beyond its size rule the program is tried without flips, then
        with moves between :data:`EXACT_STRETCHES` stretches (with flips, then without):
        the first within it is solved."""
        net = self.network
        flips = find_flips(dag, gates) if self.embedding else []
        plan = next(filter(None, (
            exact_moves(timeline, gates, dag.num_qubits(), [q.data_qubits for q in net.qpus],
                        net.distances(), flips=offered, stretches=stretches)
            for stretches in (None, EXACT_STRETCHES)
            for offered in ([flips, []] if flips else [[]]))), None)
        if plan is None or not plan.moves or plan.ebits >= self._best(proposal):
            return proposal
        where = "" if plan.stretches is None else f" between {plan.stretches} stretches"
        through = 0 if plan.embedding is None else len(plan.embedding.through)
        chosen = plural(len(plan.moves), "move") + (
            f" and {plural(through, 'flip')}" if through else "")
        return Proposal(
            "teledata", tuple(net.qpus[k].name for k in plan.start), plan.ebits, plan.ebits,
            moves=plan.moves, embedding=plan.embedding, timeline=timeline,
            why=f"{chosen} chosen by the integer program"
                + (f" (fewest of any plan with moves{where}"
                   + (" and flips)" if plan.with_flips else " and no flips)")
                   if plan.optimal else ""))

    def _best(self, proposal: Proposal) -> int:
        """The fewest ebits of ``proposal`` and the embedding planners' proposals."""
        exact = self.property_set["dqc_exact"]
        embedding = self.property_set["dqc_embedding"]
        return min([proposal.ebits, *([embedding.ebits] if embedding is not None else []),
                    *([exact.embedding.ebits] if exact is not None else [])])

    def _embedded(self, dag: DAGCircuit, gates: list[TwoQubitGate], found: MovesFound,
                  proposal: Proposal) -> Proposal:
        """The cheapest moves tried (:data:`EMBEDDED_MOVES`, while the budget lasts) with
        flips on their stays: the cheapest, when it costs fewer ebits than ``proposal``
        and the other planners' proposals; else ``proposal``."""
        assert found.timeline is not None
        net = self.network
        best = self._best(proposal)
        found_flips = cheapest_with_flips(
            FlipTable(gates, find_flips(dag, gates)), found.timeline,
            found.moving[:EMBEDDED_MOVES], net.distances(), below=best,
            evaluations=max(1, int(EMBEDDING_WORK // len(gates))))
        if found_flips is None:
            return proposal
        plan, moves = found_flips.plan, found_flips.moves
        return Proposal(
            "teledata", tuple(net.qpus[k].name for k in found_flips.start), found_flips.ebits,
            found_flips.move_ebits + plan.lower_bound, moves=moves, embedding=plan,
            timeline=found.timeline,
            why=f"{plural(len(moves), 'move')} and {plural(len(plan.through), 'flip')} save "
                f"{plural(found.static_ebits - found_flips.ebits, 'ebit')}")
