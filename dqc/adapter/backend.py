"""A network as a Qiskit ``BackendV2``: compile with dqc, run the dynamic circuit on Aer.

:class:`DistributedBackend` is what a Qiskit user hands to ``transpile``, a
Sampler or their own code: its :attr:`~DistributedBackend.target` is the network's
Target (:func:`dqc.adapter.target.network_to_target`) and :meth:`~DistributedBackend.run`
compiles every input circuit with :func:`dqc.compile` (a circuit already compiled
for this network, recognised by its ``metadata["dqc_layout"]``, runs as it is) and
executes the compiled *dynamic* circuit — Bell pairs, mid-circuit measurements,
feed-forward — on qiskit-aer with gate fusion off (see :mod:`dqc.adapter.aer`).
Counts and per-shot memory come back over the input's own classical bits (the
protocol's teleport register is marginalised away), so the result reads as if the
original circuit had run.

``transpile(qc, backend)`` without ``init_method`` is plain Qiskit on the whole
network's Target: it lays the circuit out and routes it over every two-qubit edge,
``epr`` included, so it is *not* a distributed circuit; use
``transpile(qc, backend, init_method="dqc")`` or just ``backend.run(qc)``.

Examples:
    >>> import dqc
    >>> from qiskit import QuantumCircuit
    >>> backend = DistributedBackend(dqc.Network.line(2, data_qubits=2, comm_qubits=1))
    >>> qc = QuantumCircuit(3, 3); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 2)
    >>> _ = qc.measure(range(3), range(3))
    >>> counts = backend.run(qc, shots=200, seed_simulator=1).result().get_counts()
    >>> sorted(counts)
    ['000', '111']
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from qiskit import QuantumCircuit
from qiskit.providers import BackendV2, JobStatus, JobV1, Options
from qiskit.result import Result

from dqc.adapter.aer import aer_simulator, input_clbit_indices, prepare_for_aer
from dqc.adapter.layout import METADATA_KEY
from dqc.adapter.target import NetworkTarget, QPUDevice, network_to_target
from dqc.errors import DQCError
from dqc.network import Network

__all__ = ["DistributedBackend", "DistributedJob"]


class DistributedJob(JobV1):
    """A finished run of :class:`DistributedBackend` (it runs synchronously)."""

    def __init__(self, backend: DistributedBackend, job_id: str, result: Result) -> None:
        super().__init__(backend, job_id)
        self._result = result

    def submit(self) -> None:
        """Nothing to submit: the job ran when it was made."""

    def result(self) -> Result:
        """The :class:`~qiskit.result.Result` (counts and memory over the input's clbits)."""
        return self._result

    def status(self) -> JobStatus:
        """Always ``DONE``."""
        return JobStatus.DONE


class DistributedBackend(BackendV2):
    """A Qiskit backend for a network of QPUs: compile with dqc, run on qiskit-aer.

    Args:
        network: The :class:`~dqc.network.Network`, or a :class:`NetworkTarget` built by
            :func:`~dqc.adapter.target.network_to_target` (which keeps its devices).
        devices: Chips for some QPUs (:meth:`QPU.from_backend <dqc.network.QPU.from_backend>`),
            as for :func:`~dqc.adapter.target.network_to_target`.
        seed: Seed of :func:`dqc.compile` for circuits that are not compiled yet.

    Run options (``backend.run(circuits, shots=..., memory=..., seed_simulator=...)``):
    ``shots`` (default 1024), ``memory`` (per-shot bitstrings, default False),
    ``seed_simulator`` (Aer's seed; default None).

    Raises:
        DQCError: From :meth:`run`, when qiskit-aer is missing (naming what to install)
            or a circuit cannot be compiled for the network.
    """

    def __init__(self, network: Network | NetworkTarget, *, devices: Iterable[QPUDevice] = (),
                 seed: int = 0) -> None:
        if isinstance(network, NetworkTarget):
            target = network
        elif isinstance(network, Network):
            target = network_to_target(network, devices=devices)
        else:
            raise DQCError(
                f"DistributedBackend needs a dqc.Network or a NetworkTarget, got "
                f"{type(network).__name__}")
        if target.network is None:
            raise DQCError("DistributedBackend needs a NetworkTarget that knows its network")
        super().__init__(name=f"dqc_{target.network.name or 'network'}",
                         description=target.description, backend_version="1")
        self._target = target
        self.network: Network = target.network
        self.seed = seed

    @property
    def target(self) -> NetworkTarget:
        """The network's Target (qubit ``i`` is qubit ``i`` of every compiled circuit)."""
        return self._target

    @property
    def max_circuits(self) -> None:
        """No limit on circuits per job."""
        return None

    @classmethod
    def _default_options(cls) -> Options:
        return Options(shots=1024, memory=False, seed_simulator=None)

    def compiled(self, circuit: QuantumCircuit) -> QuantumCircuit:
        """``circuit`` compiled for this network (as it is if it already was)."""
        if METADATA_KEY in (circuit.metadata or {}):
            if circuit.num_qubits != self.target.num_qubits:
                raise DQCError(
                    f"circuit {circuit.name!r} carries a dqc layout for "
                    f"{circuit.num_qubits} qubits but this network has "
                    f"{self.target.num_qubits}")
            return circuit
        from dqc.compile import compile as dqc_compile  # lazy: forward to the top layer

        return dqc_compile(circuit, self.network, seed=self.seed).circuit

    def run(self, run_input: QuantumCircuit | Sequence[QuantumCircuit],
            **options: Any) -> DistributedJob:
        """Compile (unless compiled) and run ``run_input`` on Aer; see the class docstring."""
        circuits = [run_input] if isinstance(run_input, QuantumCircuit) else list(run_input)
        unknown = sorted(set(options) - set(self.options.__dict__))
        if unknown:
            raise DQCError(
                f"DistributedBackend.run does not take {unknown}; it takes shots, memory "
                "and seed_simulator")
        opts = {**self.options.__dict__, **options}
        shots, memory = int(opts["shots"]), bool(opts["memory"])
        compiled = [self.compiled(c) for c in circuits]
        simulator = aer_simulator()
        aer_result = simulator.run([prepare_for_aer(c) for c in compiled], shots=shots,
                                   memory=True, seed_simulator=opts["seed_simulator"]).result()
        results = []
        for k, (original, out) in enumerate(zip(circuits, compiled)):
            keep = input_clbit_indices(out)
            shots_memory = [_kept(m, keep) for m in aer_result.get_memory(k)]
            counts: dict[str, int] = {}
            for bits in shots_memory:
                counts[bits] = counts.get(bits, 0) + 1
            data: dict[str, Any] = {"counts": {_hex(b): n for b, n in counts.items()}}
            if memory:
                data["memory"] = [_hex(b) for b in shots_memory]
            kept = {out.clbits[i] for i in keep}
            cregs = [r for r in out.cregs if set(r) <= kept]
            header = {"name": original.name, "memory_slots": len(keep),
                      "creg_sizes": [[r.name, r.size] for r in cregs],
                      "clbit_labels": [[r.name, i] for r in cregs for i in range(r.size)],
                      "metadata": original.metadata}
            results.append({"shots": shots, "success": True, "data": data,
                            "header": header, "seed_simulator": opts["seed_simulator"]})
        job_id = str(uuid.uuid4())
        result = Result.from_dict({
            "backend_name": self.name, "backend_version": "1", "job_id": job_id,
            "success": True, "results": results})
        return DistributedJob(self, job_id, result)


def _hex(bits: str) -> str:
    return hex(int(bits, 2)) if bits else "0x0"


def _kept(bits: str, keep: list[int]) -> str:
    """The clbits ``keep`` of one shot's bitstring (Qiskit order, spaces allowed)."""
    flat = bits.replace(" ", "")
    width = len(flat)
    return "".join(flat[width - 1 - i] for i in reversed(keep))
