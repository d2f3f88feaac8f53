"""A validator for schedules, independent of how they were built.

Each operation lasts its duration and starts after the previous operation on each of
its qubits and after the measurement of each bit it reads plus the classical latency
between the two QPUs; no link generates more ebits at once than its channels; no QPU
reserves more comm qubits at once than it has; the makespan is the last end and is at
least every lower bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qiskit.circuit import Clbit, QuantumCircuit

from dqc.errors import plural
from dqc.estimation.costs import condition_bits, op_cost
from dqc.estimation.memory import peak_level
from dqc.estimation.result import Schedule, ScheduledOp
from dqc.network import Network

__all__ = ["check_schedule"]

Spans = dict[str, list[tuple[float, float]]]


def check_schedule(sched: Schedule, circuit: QuantumCircuit, network: Network, *,
                   qubit_qpu: Sequence[str], rel_tol: float = 1e-9) -> list[str]:
    """Every way ``sched`` breaks the rules it must keep; an empty list if none.

    Checked independently of how the schedule was built: each operation lasts its
    duration and starts after the previous operation on each of its qubits and after
    the measurement of each bit it reads plus the classical latency between the two
    QPUs; no link generates more ebits at once than its channels; no QPU reserves more
    comm qubits at once than it has; the makespan is the last end and is at least
    every lower bound.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> import dqc
        >>> from dqc.estimation.schedule import schedule
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> net = dqc.Network.line(2, data_qubits=1)
        >>> result = dqc.compile(qc, net)
        >>> s = schedule(result.circuit, net, qubit_qpu=result.report.qubit_qpu)
        >>> check_schedule(s, result.circuit, net, qubit_qpu=result.report.qubit_qpu)
        []
    """
    ops = sched.operations
    if len(ops) != len(circuit.data):
        return [f"schedule has {plural(len(ops), 'operation')}, the circuit {len(circuit.data)}"]
    tol = rel_tol * max(sched.makespan_s, 1e-300)
    qpu_of = list(qubit_qpu)
    problems, link_spans = _check_operations(sched, circuit, network, qpu_of, tol, rel_tol)
    problems += _check_links(link_spans, network, tol)
    problems += _check_comm_qubits(_comm_reservations(ops, qpu_of, sched.makespan_s),
                                   network, tol)
    problems += _check_makespan(sched, tol)
    return problems


def _check_operations(sched: Schedule, circuit: QuantumCircuit, network: Network,
                      qpu_of: list[str], tol: float, rel_tol: float
                      ) -> tuple[list[str], Spans]:
    """Names, durations and waits of every operation; the ebit intervals of each link."""
    problems: list[str] = []
    ready: dict[int, float] = {}
    bit_ready: dict[Clbit, tuple[float, str]] = {}
    link_spans: Spans = {}
    for op, inst in zip(sched.operations, circuit.data):
        qs = [circuit.find_bit(q).index for q in inst.qubits]
        if op.name != inst.operation.name or tuple(qs) != op.qubits:
            problems.append(f"op #{op.index} is {op.name} {op.qubits} in the schedule "
                            f"but {inst.operation.name} {tuple(qs)} in the circuit")
            continue
        here = qpu_of[qs[0]] if qs else op.qpu
        duration = _duration(op, inst, qs, here, network, qpu_of, link_spans)
        if duration is None:
            problems.append(f"epr #{op.index} joins unlinked QPUs")
            continue
        if abs(op.end_s - op.start_s - duration) > tol + rel_tol * duration:
            problems.append(f"{op.name} #{op.index} lasts {op.end_s - op.start_s:.9g} s, "
                            f"not {duration:.9g} s")
        reads = condition_bits(inst.operation)
        problems += _wait_problems(op, qs, here, reads, ready, bit_ready, network, tol)
        for q in qs:
            ready[q] = op.end_s
        for c in inst.clbits:
            if c not in reads:
                bit_ready[c] = (op.end_s, here)
    return problems, link_spans


def _duration(op: ScheduledOp, inst: Any, qs: list[int], here: str, network: Network,
              qpu_of: list[str], link_spans: Spans) -> float | None:
    """How long ``op`` must last (None for an ``epr`` between unlinked QPUs); an
    ``epr``'s interval is recorded under its link."""
    if op.name != "epr":
        return op_cost(inst.operation, network.qpu(here).profile)[0]
    link = network.link(qpu_of[qs[0]], qpu_of[qs[1]])
    if link is None:
        return None
    link_spans.setdefault(link.key, []).append((op.start_s, op.end_s))
    return 1.0 / link.rate_hz


def _wait_problems(op: ScheduledOp, qs: list[int], here: str, reads: list[Clbit],
                   ready: dict[int, float], bit_ready: dict[Clbit, tuple[float, str]],
                   network: Network, tol: float) -> list[str]:
    """``op`` starting before one of its qubits is free or one of its bits has arrived."""
    problems = []
    for q in qs:
        if q in ready and op.start_s + tol < ready[q]:
            problems.append(f"{op.name} #{op.index} starts at {op.start_s:.9g} s before "
                            f"qubit {q} is free at {ready[q]:.9g} s")
    for c in reads:
        if c in bit_ready:
            t, src = bit_ready[c]
            need = t + network.classical_latency(src, here)
            if op.start_s + tol < need:
                problems.append(
                    f"{op.name} #{op.index} on {here} starts at {op.start_s:.9g} s before "
                    f"its bit arrives from {src} at {need:.9g} s")
    return problems


def _check_links(link_spans: Spans, network: Network, tol: float) -> list[str]:
    """No link generates more ebits at once than it has channels."""
    problems = []
    for key, spans in link_spans.items():
        channels = next(link for link in network.links if link.key == key).channels
        top = peak_level(spans, tol)
        if top > channels:
            problems.append(f"link {key} generates {plural(top, 'ebit')} at once with "
                            f"{plural(channels, 'channel')}")
    return problems


def _comm_reservations(ops: Sequence[ScheduledOp], qpu_of: list[str],
                       makespan: float) -> Spans:
    """Per QPU, comm qubits reserved from their epr's start to their next measurement
    or reset (to the makespan if none)."""
    opened: dict[int, float] = {}
    reserved: Spans = {}
    for op in ops:
        for q in op.qubits:
            if op.name == "epr":
                opened[q] = op.start_s
            elif op.name in ("measure", "reset") and q in opened:
                reserved.setdefault(qpu_of[q], []).append((opened.pop(q), op.end_s))
    for q, since in opened.items():
        reserved.setdefault(qpu_of[q], []).append((since, makespan))
    return reserved


def _check_comm_qubits(reserved: Spans, network: Network, tol: float) -> list[str]:
    """No QPU reserves more comm qubits at once than it has."""
    problems = []
    for name, qpu in zip(network.qpu_names, network.qpus):
        top = peak_level(reserved.get(name, []), tol)
        if top > qpu.comm_qubits:
            problems.append(f"QPU {name} reserves {plural(top, 'comm qubit')} at once but has "
                            f"{qpu.comm_qubits}")
    return problems


def _check_makespan(sched: Schedule, tol: float) -> list[str]:
    """The makespan is the last end and is at least every lower bound."""
    problems = []
    last = max((op.end_s for op in sched.operations), default=0.0)
    if abs(last - sched.makespan_s) > tol:
        problems.append(f"makespan {sched.makespan_s:.9g} s is not the last end {last:.9g} s")
    for bound, value in sched.lower_bounds.items():
        if sched.makespan_s + tol < value:
            problems.append(f"makespan {sched.makespan_s:.9g} s is below the {bound} bound "
                            f"{value:.9g} s")
    return problems
