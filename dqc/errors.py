"""The exceptions dqc raises.

Every error a user can cause (bad input, an impossible network, a circuit that
does not fit) is a :class:`DQCError` whose message restates the failed
condition with its numbers. ``DQCError`` subclasses Qiskit's
``TranspilerError`` so that it crosses the pass-manager boundary unchanged.
:func:`plural` words every count in a message ("1 QPU", "3 QPUs").
"""

from __future__ import annotations

from qiskit.transpiler.exceptions import TranspilerError


def plural(count: float, noun: str, plural_form: str | None = None) -> str:
    """``count`` and ``noun``, singular for exactly one, plural otherwise.

    Args:
        count: How many (an int, or a float printed with ``:g``).
        noun: The singular noun, possibly several words (``"remote two-qubit gate"``).
        plural_form: The plural when it is not ``noun + "s"`` (``"ebit halves"``).

    Examples:
        >>> plural(1, "QPU"), plural(3, "QPU"), plural(0, "remote two-qubit gate")
        ('1 QPU', '3 QPUs', '0 remote two-qubit gates')
        >>> plural(1, "ebit half", "ebit halves"), plural(2, "ebit half", "ebit halves")
        ('1 ebit half', '2 ebit halves')
    """
    shown = f"{count:g}" if isinstance(count, float) else str(count)
    if count == 1:
        return f"{shown} {noun}"
    return f"{shown} {plural_form if plural_form is not None else noun + 's'}"


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
