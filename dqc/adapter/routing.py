"""Routing inside QPUs: a distributed circuit onto each QPU's own coupling map.

Qiskit's ``SabreSwap`` routes on the union of the QPUs' coupling maps (no edge between
QPUs), with each ``epr`` a directive that needs no edge; afterwards each Bell-pair half
is put back on a physical comm qubit of its QPU. :class:`~dqc.passes.RouteWithinQPUs` is
the pass around :func:`route_within_qpus`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from qiskit.circuit import Instruction, QuantumRegister
from qiskit.circuit.library import Reset, SwapGate
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import CouplingMap, Target
from qiskit.transpiler.passes import SabreSwap

from dqc.adapter.target import local_coupling_map, qpu_of_qubit, target_to_network
from dqc.errors import NetworkError, plural
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
    """What :func:`route_within_qpus` did.

    Attributes:
        layout: the distributed layout on the routed circuit's qubits.
        swaps: routing SWAPs inserted.
        epr_moves: SWAPs that carried comm states to and from comm qubits.
    """

    layout: DistributedLayout
    swaps: int
    epr_moves: int


def route_within_qpus(dag: DAGCircuit, target: Target, layout: DistributedLayout, *,
                      seed: int | None = None, trials: int = 4) -> tuple[DAGCircuit, Routing]:
    """Route ``dag`` inside each QPU of ``target`` and put every ``epr`` back on comm
    qubits (see :class:`~dqc.passes.RouteWithinQPUs`); the routed DAG and what was done.

    Raises:
        NetworkError: the circuit does not fit the Target, or a qubit reaches no comm
            qubit of its QPU.
    """
    network = target_to_network(target)
    owner = qpu_of_qubit(network)
    n = len(owner)
    if dag.num_qubits() != n:
        raise NetworkError(
            f"the distributed circuit has {plural(dag.num_qubits(), 'qubit')} but the Target "
            f"has {n}")
    cmap = local_coupling_map(target)
    edges = set(cmap.get_edges())
    index = {q: i for i, q in enumerate(dag.qubits)}
    mapped = all(
        node.op.name == "epr" or (index[node.qargs[0]], index[node.qargs[1]]) in edges
        or (index[node.qargs[1]], index[node.qargs[0]]) in edges
        for node in dag.two_qubit_ops())
    if mapped:
        return dag, Routing(layout, 0, 0)
    comm = set(layout.comm_qubits)
    placements = [list(range(n))]
    better = _placement(dag, index, cmap, owner, comm)
    if better != placements[0]:
        placements.append(better)
    results: list[tuple] = []
    for place in placements:  # the one needing fewest SWAPs wins, the first on a tie
        routed, perm = _route(dag, index, place, cmap, seed, trials)
        out, swaps, moves = _restore_epr(routed, dag, cmap, owner, comm)
        results.append((swaps + moves, len(results), out, swaps, moves, perm, place))
    _, _, out, swaps, moves, perm, place = min(results, key=lambda r: r[:2])
    routed = replace(layout, initial_layout=tuple(place[p] for p in layout.initial_layout),
                     final_layout=tuple(perm[place[p]] for p in layout.final_layout))
    return out, Routing(routed, swaps, moves)


def _route(dag: DAGCircuit, index: dict, place: list[int], cmap: CouplingMap,
           seed: int | None, trials: int) -> tuple[DAGCircuit, list[int]]:
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
    sabre = SabreSwap(cmap, heuristic="decay", seed=0 if seed is None else seed,
                      trials=trials)
    routed = sabre.run(slot_dag)
    final = sabre.property_set["final_layout"]
    perm = [final[routed.qubits[p]] for p in range(n)] if final is not None else list(
        range(n))
    return routed, perm

def _restore_epr(routed: DAGCircuit, dag: DAGCircuit, cmap: CouplingMap,
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
        paths = [_path_to_comm(graph, x, comm, owner) for x in qs]
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
