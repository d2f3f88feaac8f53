"""Transformation pass: route a distributed circuit onto each QPU's own coupling map."""

from __future__ import annotations

from dqc.passes.requirements import required
from qiskit.dagcircuit import DAGCircuit
from qiskit.transpiler import Target, TransformationPass

from dqc.adapter.routing import Routing, route_within_qpus

__all__ = ["RouteWithinQPUs", "Routing"]


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
        out, routing = route_within_qpus(dag, self.target, layout, seed=self.seed,
                                         trials=self.trials)
        self.property_set["dqc_routing"] = routing
        return out
