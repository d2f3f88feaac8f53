"""Distribute a circuit over two real-looking chips with Qiskit's own ``transpile``.

Each QPU is a Qiskit device (here ``GenericBackendV2``: a 7-qubit fragment of a
heavy-hex lattice and a 5-qubit line) with its own coupling map and basis
(cx, rz, sx, x). ``init_method="dqc"`` (the stage plugin dqc registers) distributes
the circuit and routes it inside each chip; Qiskit translates and optimises it.
The script checks that nothing but ``epr`` crosses the chips, prints where the
input qubits ended up, and compares the output distribution on qiskit-aer with
the original's exact one.

Run: ``python examples/transpile_with_plugin.py`` (after ``pip install -e ".[sim]"``,
which registers the plugin).
"""

from __future__ import annotations

import networkx as nx
from qiskit import QuantumCircuit, transpile
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.transpiler import CouplingMap

import dqc
from dqc.adapter.aer import exact_distribution, run_on_aer, total_variation, tvd_bound
from dqc.adapter.target import QPUDevice, network_to_target

SHOTS = 4000


def network_and_target():
    """Two chips joined by one link: their QPUDevices, the Network and its Target."""
    hex_map = CouplingMap.from_heavy_hex(3)
    heavy_hex = GenericBackendV2(hex_map.size(), coupling_map=hex_map, seed=5)
    fragment = list(nx.bfs_tree(nx.Graph(list(hex_map.get_edges())), 0))[:7]
    line = GenericBackendV2(5, coupling_map=CouplingMap.from_line(5), seed=6)
    devices = [QPUDevice.from_backend("hexa", heavy_hex, qubits=fragment, comm_qubits=2),
               QPUDevice.from_backend("line", line, comm_qubits=1)]
    network = dqc.Network(tuple(d.qpu for d in devices), (dqc.Link("hexa", "line"),))
    return devices, network, network_to_target(network, devices=devices)


def circuit() -> QuantumCircuit:
    """A 7-qubit circuit with a mid-circuit measurement."""
    qc = QuantumCircuit(7, 7)
    qc.h(0)
    for t in range(1, 7):
        qc.cx(0, t)
    qc.rz(0.4, 3)
    qc.measure(6, 6)
    qc.reset(6)
    qc.cx(2, 6)
    qc.ry(0.8, 5)
    qc.cz(5, 1)
    qc.h(5)
    qc.measure(range(6), range(6))
    return qc


def main() -> float:
    """Transpile with the plugin, check locality, run on Aer; return the distance."""
    _, network, target = network_and_target()
    qc = circuit()
    tqc = transpile(qc, target=target, init_method="dqc", seed_transpiler=7)
    owner = target.qpu_of_qubit()
    for inst in tqc.data:
        qubits = [tqc.find_bit(q).index for q in inst.qubits]
        if len(qubits) == 2 and inst.operation.name != "barrier":
            assert target.instruction_supported(inst.operation.name, tuple(qubits)), inst
            crosses = owner[qubits[0]] != owner[qubits[1]]
            assert not crosses or inst.operation.name == "epr", inst
    print(f"{network.summary()}; output operations: {dict(tqc.count_ops())}")
    print(f"input qubit -> output qubit at the end: {tqc.layout.final_index_layout()} "
          f"(QPUs {[owner[p] for p in tqc.layout.final_index_layout()]})")
    counts = run_on_aer(tqc, shots=SHOTS, seed=99)
    exact = exact_distribution(qc)
    distance = total_variation(counts, exact)
    bound = tvd_bound(SHOTS, len(exact))
    print(f"total variation distance to the exact distribution {distance:.4f} over {SHOTS} "
          f"shots (bound for a correct circuit: {bound:.4f}): "
          f"{'same distribution' if distance <= bound else 'DIFFERENT'}")
    return distance


if __name__ == "__main__":
    main()
