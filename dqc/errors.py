"""The exceptions dqc raises.

Every error a user can cause (bad input, an impossible network, a circuit that
does not fit) is a :class:`DQCError` whose message restates the failed
condition with its numbers. ``DQCError`` subclasses Qiskit's
``TranspilerError`` so that it crosses the pass-manager boundary unchanged.
"""

from __future__ import annotations

from qiskit.transpiler.exceptions import TranspilerError


class DQCError(TranspilerError):
    """Root of every error dqc raises on purpose.

    Examples:
        >>> str(DQCError("circuit has 40 qubits but the network holds 32 data qubits"))
        'circuit has 40 qubits but the network holds 32 data qubits'
    """

    def __str__(self) -> str:
        return str(self.message)


class NetworkError(DQCError):
    """A network description is invalid (unknown QPU, bad rate, disconnected, ...)."""


class CircuitInputError(DQCError):
    """An input circuit cannot be read or contains an operation dqc cannot distribute."""


class CapacityError(DQCError):
    """The circuit does not fit the network (data qubits or communication qubits)."""


class VerificationError(DQCError):
    """A compiled circuit is not equivalent to its input or breaks the output contract."""
