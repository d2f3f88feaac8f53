"""dqc — a distributed quantum circuit compiler.

Partition a circuit's qubits over a network of QPUs, rewrite every cross-QPU
interaction into Bell pairs with measurement and feed-forward, and verify the
result. The public surface:

* :class:`Network`, :class:`QPU`, :class:`Link` — the machine;
* :func:`compile` → :class:`CompileResult` (``.circuit``, ``.report``);
* :func:`verify` → :class:`Verification`;
* :func:`estimate` → :class:`Estimate` (``.schedule``: :class:`Schedule`, ``.verdict``:
  :class:`Verdict`), :func:`estimate_sweep`; QPU profiles are :class:`Technology`;
* :class:`DistributedBackend` — the network as a Qiskit backend (runs on qiskit-aer);
* :func:`sweep` — a grid of circuits × networks × parameters × seeds on Dask, into a
  CSV or Parquet table (:mod:`dqc.sweeps`);
* :func:`load_circuit` — OpenQASM 2/3 or a Python file defining a circuit;
* ``dqc.passes`` — the Qiskit passes; ``dqc.targets`` — network presets.

Examples:
    >>> import dqc
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(4); _ = qc.h(0)
    >>> for t in range(1, 4): _ = qc.cx(0, t)
    >>> result = dqc.compile(qc, dqc.Network.line(2, data_qubits=2))
    >>> result.report.ebits
    1
    >>> dqc.verify(qc, result.circuit, result.report).method
    'stim-flows'
"""

from dqc import _aliases, passes, targets  # noqa: F401 - dqc.passes and dqc.targets after `import dqc`
from dqc.adapter.backend import DistributedBackend
from dqc.adapter.qasm3_out import dumps as to_qasm3
from dqc.compile import CompileResult, compile
from dqc.errors import (
    CapacityError,
    CircuitInputError,
    DQCError,
    NetworkError,
    VerificationError,
)
from dqc.estimate import Estimate, estimate, estimate_sweep, requirements
from dqc.estimation.report import Report
from dqc.estimation.schedule import Schedule
from dqc.estimation.verdict import Verdict
from dqc.loading import load_circuit
from dqc.network import QPU, Link, Network
from dqc.network.physics import Technology
from dqc.sweeps import sweep
from dqc.verify import Verification, verify

__all__ = [
    "QPU",
    "CapacityError",
    "CircuitInputError",
    "CompileResult",
    "DQCError",
    "DistributedBackend",
    "Estimate",
    "Link",
    "Network",
    "NetworkError",
    "Report",
    "Schedule",
    "Technology",
    "Verification",
    "Verdict",
    "VerificationError",
    "compile",
    "estimate",
    "estimate_sweep",
    "load_circuit",
    "requirements",
    "sweep",
    "to_qasm3",
    "verify",
]

__version__ = "0.2.0"

_aliases.install()
