"""What a local operation costs: duration and log-fidelity from a technology profile.

Durations and error rates come from the QPU's :class:`~dqc.network.physics.Technology`
(their sources are cited in :mod:`dqc.network.physics`); a barrier takes no time, a
``delay`` its own duration, an ``if_test`` its longest branch.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from qiskit.circuit import (
    ClassicalRegister,
    Clbit,
    ControlFlowOp,
    IfElseOp,
    Instruction,
    QuantumCircuit,
    WhileLoopOp,
)
from qiskit.circuit.classical import expr

from dqc.errors import CircuitInputError
from dqc.network.physics import Technology

__all__ = ["CostTable", "condition_bits", "cost_table", "inst_cost", "op_cost"]

#: Seconds per unit of a ``delay``.
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "ps": 1e-12}

#: Duration and log-fidelity by operation name, and of gates by width (keys 1 and 2).
CostTable = dict[str | int, tuple[float, float]]


def op_cost(op: Instruction, tech: Technology) -> tuple[float, float]:
    """Duration (s) and log-fidelity (Σ log(1 − error)) of a local operation (a
    ``while_loop``: one pass of its body, the least it can take).

    Examples:
        >>> from qiskit.circuit.library import CXGate, Measure
        >>> from dqc.network.physics import technology
        >>> op_cost(CXGate(), technology("trapped_ion"))[0], op_cost(Measure(), technology("nv"))[0]
        (0.0001, 2e-05)
    """
    name = op.name
    costs = cost_table(tech)
    if name in costs:
        return costs[name]
    if name == "delay":
        unit = getattr(op, "unit", "dt")
        if unit not in TIME_UNITS:
            raise CircuitInputError(
                f"delay in unit {unit!r} has no duration in seconds; use s, ms, us or ns")
        return float(op.duration) * TIME_UNITS[unit], 0.0
    if isinstance(op, IfElseOp):
        blocks = [_block_cost(block, tech) for block in op.blocks]
        return max(c[0] for c in blocks), min(c[1] for c in blocks)
    if isinstance(op, WhileLoopOp):  # iterations unknown: one pass of its body
        return _block_cost(op.blocks[0], tech)
    if isinstance(op, ControlFlowOp):
        raise CircuitInputError(
            f"cannot schedule control flow '{name}'; only if_test (feed-forward) and "
            "while_loop (one iteration) are supported")
    return costs[1 if op.num_qubits <= 1 else 2]


@lru_cache(maxsize=256)
def cost_table(tech: Technology) -> CostTable:
    """The :func:`op_cost` that the name alone decides (``barrier``, ``measure``,
    ``reset``) and that of gates by width (keys 1 and 2), once per technology.

    Examples:
        >>> from dqc.network.physics import technology
        >>> cost_table(technology("trapped_ion"))["barrier"]
        (0.0, 0.0)
    """
    return {
        "barrier": (0.0, 0.0),
        "measure": (tech.measure_s, math.log1p(-tech.error_measure)),
        "reset": (tech.reset_s, 0.0),
        1: (tech.gate_1q_s, math.log1p(-tech.error_1q)),
        2: (tech.gate_2q_s, math.log1p(-tech.error_2q)),
    }


def inst_cost(inst: Any, tech: Technology, costs: CostTable | None = None) -> tuple[float, float]:
    """:func:`op_cost` of a ``CircuitInstruction``, without building the operation when
    its name or its being a standard gate decides (``costs``: ``cost_table(tech)``, if at
    hand)."""
    if costs is None:
        costs = cost_table(tech)
    if inst.is_standard_gate():
        return costs[1 if len(inst.qubits) <= 1 else 2]
    name = inst.name
    if name in costs:
        return costs[name]
    return op_cost(inst.operation, tech)


def _block_cost(block: QuantumCircuit, tech: Technology) -> tuple[float, float]:
    """Summed duration and log-fidelity of the operations of one branch."""
    duration, logf = 0.0, 0.0
    for inst in block.data:
        d, f = inst_cost(inst, tech)
        duration += d
        logf += f
    return duration, logf


def condition_bits(op: Instruction) -> list[Clbit]:
    """The classical bits the condition of ``op`` reads (none without a condition).

    Raises:
        CircuitInputError: for a condition on a classical variable.
    """
    cond = getattr(op, "condition", None)
    if cond is None:
        return []
    if isinstance(cond, tuple):
        target = cond[0]
        return [target] if isinstance(target, Clbit) else list(target)
    bits: list[Clbit] = []
    for var in expr.iter_vars(cond):
        if isinstance(var.var, Clbit):
            bits.append(var.var)
        elif isinstance(var.var, ClassicalRegister):
            bits.extend(var.var)
        else:
            raise CircuitInputError("cannot schedule a condition on a classical variable")
    return bits
