"""Transformation pass: route a distributed circuit onto each QPU's own coupling map."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from dqc.passes.requirements import required
from qiskit.circuit import Instruction, QuantumRegister
from qiskit.circuit.library import Reset, SwapGate
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import CouplingMap, Target, TransformationPass
from qiskit.transpiler.passes import SabreSwap

from dqc.adapter.target import local_coupling_map, qpu_of_qubit, target_to_network
from dqc.errors import NetworkError
from dqc.gates import EPRGate
from dqc.plan.distribution import DistributedLayout

_EPR = EPRGate()
_SWAP = SwapGate()
_RESET = Reset()


class _EPRSlot(Instruction):
    """Stand-in for ``epr`` while routing: a directive, so routers need no edge for it."""

    _directive = True

    def __init__(self) -> None:
        super().__init__("dqc_epr_slot", 2, 0, [])


@dataclass(frozen=True)
class Routing:
    """What :class:`RouteWithinQPUs` did.

    Attributes:
        layout: the distributed layout on the routed circuit's qubits.
        swaps: routing SWAPs inserted.
        epr_moves: SWAPs that carried comm states to and from comm qubits.
    """

    layout: DistributedLayout
    swaps: int
    epr_moves: int


class RouteWithinQPUs(TransformationPass):
    """Route a distributed circuit onto the coupling map inside every QPU; no SWAP crosses QPUs.

    The input is the output of :class:`~dqc.passes.DistributeGates` for the network of
    ``target`` (qubit ``i`` is Target qubit ``i``). Two-qubit gates are routed with
    Qiskit's :class:`~qiskit.transpiler.passes.SabreSwap` on the Target's
    *local* coupling map (:func:`dqc.adapter.target.local_coupling_map`: every
    two-qubit instruction but ``epr``), so SWAPs stay inside QPUs. While routing,
    each ``epr`` is a directive that needs no edge; afterwards each Bell-pair half is
    put back on a physical comm qubit of its QPU: if routing left the (fresh,
    ``|0>``) comm state on another qubit ``x``, a chain of SWAPs brings it from ``x``
    to the nearest comm qubit ``p`` (``reset p`` if ``p`` was used since its last
    reset), ``epr`` runs on the comm qubits, and the chain is undone, so the half
    ends on ``x`` where the rest of the routed circuit expects it. ``epr`` thus only
    ever acts on linked comm-qubit pairs, fresh or just reset (the output contract).

    Where data qubits start inside a QPU is chosen too: dqc's slots as they are, or
    the slots exchanged pairwise inside each QPU while that shortens the hop
    distance summed over the QPU's two-qubit gates (comm qubits stay put) — whichever
    routes with fewer SWAPs. When every local gate already sits on an edge
    (all-to-all QPUs) the circuit is returned unchanged.

    Property set read: ``dqc_distribution`` (its layout).
    Property set written: ``dqc_routing`` (:class:`Routing`: the layout with
    ``initial_layout`` and ``final_layout`` on the routed circuit's qubits, routing
    SWAPs, and SWAPs that carried comm states to and from comm qubits).

    Caveats:
        The partition does not know the coupling maps: qubits are placed on QPUs for
        fewest ebits, then routed inside each QPU.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> from qiskit.transpiler import CouplingMap
        >>> from dqc.network import Link, Network
        >>> from dqc.passes import generate_pass_manager
        >>> from dqc.adapter.target import QPUDevice, network_to_target
        >>> line = GenericBackendV2(4, coupling_map=CouplingMap.from_line(4), seed=1)
        >>> devs = [QPUDevice.from_backend(n, line, comm=[3]) for n in ("a", "b")]
        >>> net = Network(tuple(d.qpu for d in devs), (Link("a", "b"),))
        >>> qc = QuantumCircuit(6); _ = qc.cx(0, 3); _ = qc.cx(0, 1); _ = qc.cx(2, 0)
        >>> pm = generate_pass_manager(net, seed=1)
        >>> pm.append(RouteWithinQPUs(network_to_target(net, devices=devs), seed=1))
        >>> routed = pm.run(qc)
        >>> pm.property_set["dqc_routing"].swaps, pm.property_set["dqc_routing"].epr_moves
        (2, 0)
    """

    def __init__(self, target: Target, *, seed: int | None = None, trials: int = 4) -> None:
        super().__init__()
        self.target = target
        self.seed = seed
        self.trials = trials

    def run(self, dag: DAGCircuit) -> DAGCircuit:
        """Route ``dag`` inside each QPU and put every ``epr`` back on comm qubits."""
        layout = required(self, "dqc_distribution", "DistributeGates").layout
        network = target_to_network(self.target)
        owner = qpu_of_qubit(network)
        n = len(owner)
        if dag.num_qubits() != n:
            raise NetworkError(
                f"the distributed circuit has {dag.num_qubits()} qubits but the Target has {n}")
        cmap = local_coupling_map(self.target)
        edges = set(cmap.get_edges())
        index = {q: i for i, q in enumerate(dag.qubits)}
        mapped = all(
            node.op.name == "epr" or (index[node.qargs[0]], index[node.qargs[1]]) in edges
            or (index[node.qargs[1]], index[node.qargs[0]]) in edges
            for node in dag.two_qubit_ops())
        if mapped:
            self.property_set["dqc_routing"] = Routing(layout, 0, 0)
            return dag
        comm = set(layout.comm_qubits)
        placements = [list(range(n))]
        better = _placement(dag, index, cmap, owner, comm)
        if better != placements[0]:
            placements.append(better)
        results: list[tuple] = []
        for place in placements:  # the one needing fewest SWAPs wins, the first on a tie
            routed, perm = self._route(dag, index, place, cmap)
            out, swaps, moves = self._restore_epr(routed, dag, cmap, owner, comm)
            results.append((swaps + moves, len(results), out, swaps, moves, perm, place))
        _, _, out, swaps, moves, perm, place = min(results, key=lambda r: r[:2])
        routed = replace(layout, initial_layout=tuple(place[p] for p in layout.initial_layout),
                         final_layout=tuple(perm[place[p]] for p in layout.final_layout))
        self.property_set["dqc_routing"] = Routing(routed, swaps, moves)
        return out

    def _route(self, dag: DAGCircuit, index: dict, place: list[int],
               cmap: CouplingMap) -> tuple[DAGCircuit, list[int]]:
        """SabreSwap of ``dag`` placed by ``place``; the routed DAG and its permutation."""
        n = len(place)
        # SabreSwap wants a physical circuit: one register "q", qubit i = physical i
        physical = QuantumRegister(n, "q")
        slot_dag = DAGCircuit()
        slot_dag.add_qreg(physical)
        slot_dag.add_clbits(dag.clbits)
        for creg in dag.cregs.values():
            slot_dag.add_creg(creg)
        slot_dag.global_phase = dag.global_phase
        for node in dag.topological_op_nodes():
            op = _EPRSlot() if node.op.name == "epr" else node.op
            slot_dag.apply_operation_back(
                op, tuple(physical[place[index[q]]] for q in node.qargs), node.cargs,
                check=False)
        sabre = SabreSwap(cmap, heuristic="decay", seed=0 if self.seed is None else self.seed,
                          trials=self.trials)
        routed = sabre.run(slot_dag)
        final = sabre.property_set["final_layout"]
        perm = [final[routed.qubits[p]] for p in range(n)] if final is not None else list(
            range(n))
        return routed, perm

    def _restore_epr(self, routed: DAGCircuit, dag: DAGCircuit, cmap: CouplingMap,
                     owner: list[str], comm: set[int]) -> tuple[DAGCircuit, int, int]:
        """The routed circuit on ``dag``'s qubits, every epr slot back on comm qubits."""
        out = dag.copy_empty_like()
        qubits = dag.qubits
        index = {q: i for i, q in enumerate(routed.qubits)}
        last: dict[int, str] = {}  # physical qubit -> name of the last operation on it
        swaps = moves = 0
        graph = cmap.graph.to_undirected(multigraph=False)

        def emit(op: Instruction, qs: tuple[int, ...], cargs: tuple = ()) -> None:
            out.apply_operation_back(op, tuple(qubits[q] for q in qs), cargs, check=False)
            for q in qs:
                last[q] = op.name

        for node in routed.topological_op_nodes():
            qs = tuple(index[q] for q in node.qargs)
            if node.op.name != "dqc_epr_slot":
                if node.op.name == "swap":
                    swaps += 1
                out.apply_operation_back(node.op, tuple(qubits[q] for q in qs), node.cargs,
                                         check=False)
                for q in qs:
                    last[q] = node.op.name
                continue
            paths = [self._path_to_comm(graph, x, comm, owner) for x in qs]
            for path in paths:
                for a, b in zip(path, path[1:]):
                    emit(_SWAP, (a, b))
                moves += 2 * (len(path) - 1)
            ends = tuple(path[-1] for path in paths)
            for p in ends:
                if p in last and last[p] != "reset":
                    emit(_RESET, (p,))
            emit(_EPR, ends)
            for path in reversed(paths):
                for a, b in reversed(list(zip(path, path[1:]))):
                    emit(_SWAP, (a, b))
        return out, swaps, moves

    @staticmethod
    def _path_to_comm(graph, x: int, comm: set[int], owner: list[str]) -> list[int]:
        """Shortest path from ``x`` to the nearest comm qubit of its QPU (ties: lowest index)."""
        if x in comm:
            return [x]
        parent = {x: x}
        frontier = deque([x])
        while frontier:
            layer = sorted(frontier)
            frontier.clear()
            found = sorted(q for q in layer if q in comm)
            if found:
                path = [found[0]]
                while path[-1] != x:
                    path.append(parent[path[-1]])
                return path[::-1]
            for u in layer:
                for v in sorted(graph.neighbors(u)):
                    if v not in parent:
                        parent[v] = u
                        frontier.append(v)
        raise NetworkError(
            f"qubit {x} of QPU {owner[x]!r} reaches no comm qubit on its coupling map")


def _placement(dag: DAGCircuit, index: dict, cmap: CouplingMap, owner: list[str],
               comm: set[int]) -> list[int]:
    """Where to put each qubit at the start: data qubits exchanged inside their QPU.

    Comm qubits stay on the physical comm qubits. Data qubits (used or spare) are
    exchanged pairwise inside their QPU while that lowers the sum, over local
    two-qubit gates, of the hop distance between the gate's qubits — a quick start
    for SabreSwap, which the pass keeps only if it routes with fewer SWAPs.
    """
    n = len(owner)
    dist = cmap.distance_matrix
    nbrs: list[dict[int, int]] = [{} for _ in range(n)]
    for node in dag.two_qubit_ops():
        if node.op.name == "epr":
            continue
        u, v = index[node.qargs[0]], index[node.qargs[1]]
        nbrs[u][v] = nbrs[u].get(v, 0) + 1
        nbrs[v][u] = nbrs[v].get(u, 0) + 1
    place = list(range(n))
    groups: dict[str, list[int]] = {}
    for q in range(n):
        if q not in comm:
            groups.setdefault(owner[q], []).append(q)

    def gain(a: int, b: int) -> float:
        pa, pb = place[a], place[b]
        delta = 0.0
        for c, w in nbrs[a].items():
            if c != b:
                delta += w * (dist[pb, place[c]] - dist[pa, place[c]])
        for c, w in nbrs[b].items():
            if c != a:
                delta += w * (dist[pa, place[c]] - dist[pb, place[c]])
        return -delta

    for group in groups.values():
        for _ in range(20):
            improved = False
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    if (nbrs[a] or nbrs[b]) and gain(a, b) > 1e-9:
                        place[a], place[b] = place[b], place[a]
                        improved = True
            if not improved:
                break
    return place
