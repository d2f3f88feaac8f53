"""The points of a sweep, their input hashes, and the tasks that share one compile.

A point is one circuit on one network with one setting of the grid and one seed. Its
``input_hash`` covers everything its row depends on (the circuit's instructions, the
network with the grid applied, the seed, what is computed), so a results file can tell
which points it already holds.

Points that differ only in parameters the compiler does not read (link rate, latency,
fidelity, channels, physical link figures, every technology figure) share one compile:
:func:`tasks` groups them by (circuit, network *structure*, seed), where the structure is
the QPUs' names, data and comm qubits and which QPUs are linked — all the planner reads.

Examples:
    >>> from dqc.sweeps.spec import parse_spec
    >>> spec = parse_spec({"circuits": [{"family": "ghz", "sizes": [4]}],
    ...                    "networks": [{"factory": "line", "qpus": 2}],
    ...                    "grid": {"link.rate_hz": [10, 100], "qpu.comm_qubits": [1, 2]}})
    >>> pts = expand(spec)
    >>> circuits = {c.name: c.circuit for c in spec.circuits}
    >>> len(pts), [len(t.points) for t in tasks(pts, circuits, spec.compute)]
    (4, [2, 2])
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit

from dqc.errors import DQCError
from dqc.estimate import sweep_network
from dqc.network import Network
from dqc.sweeps.spec import Compute, Spec, SpecError

__all__ = ["Point", "Task", "circuit_digest", "expand", "structure", "tasks"]


@dataclass(frozen=True)
class Point:
    """One point of the grid.

    Attributes:
        index: its position in the grid (the row order of the final table).
        circuit: the circuit's label; ``qubits`` its width.
        network: the network's label; ``net`` the network with ``params`` applied.
        params: ``(key, value)`` of each grid key, in spec order.
        seed: the compiler's seed.
        input_hash: sha256 (hex, 16 digits) of everything the row depends on.
    """

    index: int
    circuit: str
    qubits: int
    network: str
    net: Network
    params: tuple[tuple[str, Any], ...]
    seed: int
    input_hash: str


@dataclass(frozen=True)
class Task:
    """Points that share one compile: same circuit, network structure and seed."""

    circuit: QuantumCircuit
    points: tuple[Point, ...]
    compute: Compute


def circuit_digest(circuit: QuantumCircuit) -> str:
    """sha256 of a circuit's instructions: names, parameters, qubit and bit indices.

    Examples:
        >>> a = QuantumCircuit(2); _ = a.cx(0, 1)
        >>> b = QuantumCircuit(2); _ = b.cx(1, 0)
        >>> circuit_digest(a) == circuit_digest(a.copy()), circuit_digest(a) == circuit_digest(b)
        (True, False)
    """
    h = hashlib.sha256(f"{circuit.num_qubits},{circuit.num_clbits};".encode())
    for inst in circuit.data:
        h.update(inst.operation.name.encode())
        for p in inst.operation.params:
            h.update(np.asarray(p).tobytes() if isinstance(p, np.ndarray) else repr(p).encode())
        h.update(repr([circuit.find_bit(q).index for q in inst.qubits]).encode())
        h.update(repr([circuit.find_bit(c).index for c in inst.clbits]).encode())
    return h.hexdigest()


def structure(net: Network) -> tuple[Any, ...]:
    """What the compiler reads of a network: QPU names and sizes, and the linked pairs.

    Examples:
        >>> a = Network.line(2, data_qubits=2, rate_hz=10)
        >>> structure(a) == structure(Network.line(2, data_qubits=2, rate_hz=99))
        True
    """
    return (tuple((q.name, q.data_qubits, q.comm_qubits) for q in net.qpus),
            tuple((link.a, link.b) for link in net.links))


def _point_network(base: Network, params: Sequence[tuple[str, Any]], where: str) -> Network:
    net = base
    for key, value in params:
        try:
            net = sweep_network(net, key, value)
        except DQCError as exc:
            raise SpecError(f"{where}, {key} = {value:g}: {exc}") from None
    return net


def expand(spec: Spec) -> list[Point]:
    """Every point of ``spec``: circuits × networks × grid × seeds, in that nesting.

    Raises:
        SpecError: a grid value the model rejects on a network (zero rate, a physical
            key on a direct link ...), before any work.
    """
    out: list[Point] = []
    # (reuse joins the key only when on: points stored before it existed keep their keys)
    compute = repr((spec.compute.schedule, spec.compute.verify, spec.compute.requirements,
                    spec.compute.samples) + (("reuse",) if spec.compute.reuse else ()))
    for c in spec.circuits:
        digest = circuit_digest(c.circuit)
        for n in spec.networks:
            base = n.build(c.circuit.num_qubits)
            for params in spec.grid:
                net = _point_network(base, params, f"network {n.name!r} for {c.name}")
                for seed in spec.seeds:
                    text = "\n".join((c.name, digest, n.name, net.to_toml(), repr(params),
                                      str(seed), compute))
                    key = hashlib.sha256(text.encode()).hexdigest()[:16]
                    out.append(Point(len(out), c.name, c.circuit.num_qubits, n.name, net,
                                     params, seed, key))
    return out


def tasks(points: Sequence[Point], circuits: dict[str, QuantumCircuit], compute: Compute,
          *, cache: bool = True) -> list[Task]:
    """Group ``points`` into tasks: one per (circuit, network structure, seed) with
    ``cache`` (the rate points share; the comm-qubit points do not, in the module's
    example), else one per point. ``circuits`` maps labels to circuits."""
    groups: dict[Any, list[Point]] = {}
    for p in points:
        key = (p.circuit, structure(p.net), p.seed) if cache else p.index
        groups.setdefault(key, []).append(p)
    return [Task(circuits[g[0].circuit], tuple(g), compute) for g in groups.values()]
