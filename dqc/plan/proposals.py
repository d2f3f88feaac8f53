"""The plans the planners propose, and the one place that chooses between them.

Each planning pass proposes a :class:`Proposal`: a start placement with its teledata
moves (:class:`~dqc.passes.PlanTeledata`), its embedding
(:class:`~dqc.passes.PlanEmbedding`), or neither (the static plan of
:class:`~dqc.passes.PartitionQubits`), with the ebits the cost model gives it and a
lower bound. :func:`choose` ranks them by the model, distributes the cheapest and —
when comm-qubit limits make it emit more than its model — the others too, and keeps
the one that emits fewest ebits. Its :class:`Distribution` is what
:class:`~dqc.passes.DistributeGates` records and what the report is built from.

Examples:
    >>> from qiskit import QuantumCircuit
    >>> from qiskit.converters import circuit_to_dag
    >>> from dqc.network import Network
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
    >>> net = Network.line(2, data_qubits=1, comm_qubits=1)
    >>> static = Proposal("static", ("qpu0", "qpu1"), ebits=1, lower_bound=1)
    >>> result, circuit = choose(net, circuit_to_dag(qc), [static])
    >>> result.ebits_per_link, result.plan.name, result.plan.ebits
    ({'qpu0-qpu1': 1}, 'the static plan', 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qiskit.dagcircuit import DAGCircuit

from dqc.errors import CapacityError, plural
from dqc.network import Network
from dqc.plan.cost_model import TwoQubitGate, plan_carriers, two_qubit_gates
from dqc.plan.distribution import MAX_REPLAN_GATES, Builder, DistributedLayout, distribute
from dqc.plan.embedding import EmbeddingPlan
from dqc.plan.emitted import Emitted
from dqc.plan.exact import ExactPlan
from dqc.plan.lives import Lives
from dqc.plan.teledata import Move, Timeline

__all__ = ["Distribution", "Proposal", "choose", "ranked"]


@dataclass(frozen=True)
class Proposal:
    """One way to distribute a circuit, as a planner proposes it.

    Attributes:
        kind: ``"static"``, ``"embedding"`` or ``"teledata"``.
        placement: QPU name of each input qubit at the start.
        ebits: what the cost model says it costs if no copy is ever evicted.
        lower_bound: no choice of carriers needs fewer ebits for this placement (and
            these moves, or any embedding of it).
        moves: teledata moves (kind ``"teledata"``), in circuit order.
        embedding: the flips segments continue through (kind ``"embedding"``, or kind
            ``"teledata"`` with flips on the moves' stays).
        why: how the planner came to it, in a few words.
        timeline: the slices of the circuit the moves were planned on, if the planner
            kept them (the distributor walks by them; else it slices the circuit again).
    """

    kind: str
    placement: tuple[str, ...]
    ebits: int
    lower_bound: int
    moves: tuple[Move, ...] = ()
    embedding: EmbeddingPlan | None = None
    why: str = ""
    timeline: Timeline | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """How reasons name it: ``the static plan``, ``embedding (2 flips)``, ``3 teledata
        moves``, ``3 teledata moves with embedding (2 flips)``."""
        parts = [plural(len(self.moves), "teledata move")] if self.moves else []
        if self.embedding is not None:
            parts.append(f"embedding ({plural(len(self.embedding.through), 'flip')})")
        return " with ".join(parts) or "the static plan"


@dataclass(frozen=True)
class Distribution:
    """A distributed circuit's facts (what :class:`~dqc.passes.DistributeGates` records).

    Attributes:
        layout: where every input qubit starts and ends, QPU of every output qubit.
        ebits_per_link: ``{"a-b": n}`` for every link, in network order.
        remote_gates: two-qubit gates of the input that crossed QPUs.
        plan: the proposal distributed by.
        why: why that plan and not the model's cheapest (``""`` when it is).
    """

    layout: DistributedLayout
    ebits_per_link: dict[str, int]
    remote_gates: int
    plan: Proposal
    why: str = ""

    @property
    def ebits(self) -> int:
        """Ebits emitted (Bell pairs over all links)."""
        return sum(self.ebits_per_link.values())


def ranked(network: Network, gates: Sequence[TwoQubitGate], static: Proposal,
           embedding: Proposal | None = None, teledata: Proposal | None = None,
           exact: ExactPlan | None = None, also: Sequence[Proposal] = ()) -> list[Proposal]:
    """The proposals to distribute by, cheapest on the model first (ties: embedding,
    teledata, static).

    ``static`` stands alone when there is nothing else. Otherwise the static plan is
    re-scored on the start placement (``teledata``'s when given: it may relabel), with
    the embedding's bound when the embedding is on that placement; ``static`` joins too
    when its placement is another (moves searched from another candidate). The integer
    program's plan (``exact``) joins, first, when it costs fewer ebits than all of them;
    its plan within the comm qubits, when it has one, always joins (ranked by its model:
    distributed when the plans before it emit more than their models, see
    :func:`choose`), and so do the proposals of ``also`` (the embeddings on the other
    placements the search tried).
    """
    options = [p for p in (embedding, teledata) if p is not None and (p.moves or p.embedding)]
    if options:
        start = teledata.placement if teledata is not None else static.placement
        plan = plan_carriers(gates, [network.index(name) for name in start],
                             network.distances())
        bound = plan.lower_bound
        if embedding is not None and embedding.placement == start:
            bound = min(bound, embedding.lower_bound)
        options.append(Proposal("static", start, plan.ebits, bound,
                                why="re-scored on the start"))
        if static.placement != start:  # (moves searched from another candidate placement)
            options.append(static)
    else:
        options = [static]
    if exact is not None and exact.fitted is not None:  # (after the others on ties)
        options.append(_exact(network, exact.fitted, "integer program within the "
                                                     "comm qubits"))
    options.extend(also)
    if exact is not None and exact.embedding.ebits < min(p.ebits for p in options):
        options.insert(0, _exact(network, exact.embedding, "integer program over placements "
                                 "and flips" + (" (optimal without moves)" if exact.optimal
                                                else "")))
    return sorted(options, key=lambda p: p.ebits)


def _exact(network: Network, plan: EmbeddingPlan, why: str) -> Proposal:
    """A plan of :mod:`dqc.plan.exact` as a proposal."""
    return Proposal("embedding", tuple(network.qpus[k].name for k in plan.placement),
                    plan.ebits, plan.lower_bound, embedding=plan, why=why)


def choose(network: Network, dag: DAGCircuit, options: Sequence[Proposal], *,
           permutation: Sequence[int] | None = None, replans: int = 3,
           gates: list[TwoQubitGate] | None = None, lives: Lives | None = None
           ) -> tuple[Distribution, Emitted]:
    """Distribute by ``options[0]``; when comm-qubit limits make it emit more than its
    model, distribute the others too (those whose lower bound is below the fewest
    emitted so far) and keep the one that emits fewest ebits.

    Args:
        network: the QPUs and links.
        dag: the circuit.
        options: proposals, cheapest on the model first (:func:`ranked`).
        permutation: the wire permutation of elided swaps (see ``ElideSwaps``).
        replans: re-planning rounds of each distribution (0: none, and no comparison).
        gates: ``two_qubit_gates(dag)``, if at hand.
        lives: reuse data qubits (:mod:`dqc.plan.lives`).

    Returns:
        The distribution's facts and its operations (``.circuit()`` builds the
        distributed circuit).
    """
    gates = two_qubit_gates(dag) if gates is None else gates
    perm = tuple(permutation) if permutation is not None else tuple(range(dag.num_qubits()))

    def run(p: Proposal) -> tuple[Builder, Emitted | None]:
        return distribute(network, dag, p.placement, perm, p.moves, replans=replans,
                          embedding=p.embedding, gates=gates, timeline=p.timeline, lives=lives)

    chosen, (builder, emitted), why = _first_that_fits(options, run)
    if (len(options) > 1 and replans and builder.total_ebits() > builder.planned_ebits
            and builder.num_two_qubit_gates <= MAX_REPLAN_GATES):
        first = builder.total_ebits()
        for option in options[options.index(chosen) + 1:]:
            if option.lower_bound >= builder.total_ebits():
                continue  # (its bound: it cannot emit fewer)
            try:
                other, again = run(option)
            except CapacityError:
                continue
            if other.total_ebits() < builder.total_ebits():
                chosen, builder, emitted = option, other, again
        if chosen is not options[0]:
            why = (f"{options[0].name} emitted {plural(first, 'ebit')} under comm-qubit limits, "
                   f"{chosen.name} {builder.total_ebits()}")
    elif not why:
        moving = next((p for p in options if p.moves), None)
        if moving is not None and chosen is not moving:
            why = (f"{chosen.name} ({plural(chosen.ebits, 'ebit')}) beats "
                   f"{moving.name} ({moving.ebits})")
    assert emitted is not None and builder.layout is not None
    return Distribution(layout=builder.layout, ebits_per_link=builder.ebits_per_link(),
                        remote_gates=builder.remote_gates, plan=chosen, why=why), emitted


def _first_that_fits(options: Sequence[Proposal], run) -> tuple[Proposal, tuple, str]:
    """The first proposal the comm qubits can carry, its run, and why earlier ones were
    passed over ("" for the first); the first proposal's error if none fits.

    A plan's model assumes it can be carried out; a move that must wait on a comm
    qubit, or a copy held while a Bell pair is made, may need more comm qubits at once
    than a QPU has (e.g. one), and the next proposal may not.
    """
    errors: list[CapacityError] = []
    for option in options:
        try:
            return option, run(option), "; ".join(
                f"{skipped.name} needs more comm qubits: {err}"
                for skipped, err in zip(options, errors))
        except CapacityError as exc:
            errors.append(exc)
    raise errors[0]
