"""How long, how well, and can it run at all: :func:`estimate` and parameter sweeps.

:func:`estimate` compiles a circuit onto a network, schedules the result
(:mod:`dqc.estimation.schedule`) and judges it (:mod:`dqc.estimation.verdict`);
:func:`estimate_sweep` does
that for each value of one network parameter, e.g. every link's ``rate_hz``.

Sweep keys (:data:`SWEEP_KEYS`) set one field of **every** link or QPU; they, the
result types (:class:`Estimate`, :class:`SweepFailure`) and the text
(:func:`render_sweep`, :func:`tty_progress`) live in :mod:`dqc.estimation.sweep` and
:mod:`dqc.estimation.render` and are re-exported here.

Every value is compiled afresh (with the same seed), so a sweep shows what dqc would
produce on each network. A value on which the circuit does not fit (a
:class:`~dqc.errors.CapacityError`, e.g. one comm qubit where entanglement swapping needs
two) does not stop the sweep: it comes back as a :class:`SweepFailure` carrying the
reason, and the other values are computed. Values the model rejects (zero rate,
negative length, ...) are still refused before any work.

Examples:
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(3); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 2)
    >>> net = Network.line(3, data_qubits=1, technology="trapped_ion")
    >>> result = estimate(qc, net)
    >>> result.report.ebits, round(result.schedule.makespan_s, 2), result.verdict.status
    (2, 0.01, 'marginal')
    >>> sweep = estimate_sweep(qc, net, "link.rate_hz", [10, 100])
    >>> [round(e.schedule.makespan_s, 2) for e in sweep]
    [0.1, 0.01]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from qiskit import QuantumCircuit

from dqc.compile import compile as compile_circuit
from dqc.errors import CapacityError
from dqc.estimation.render import StageCallback, tty_progress
from dqc.estimation.requirements import PARAMETERS, Requirements, find_requirements
from dqc.estimation.sweep import (
    SWEEP_KEYS,
    Estimate,
    SweepFailure,
    parse_sweep,
    render_sweep,
    sweep_network,
)
from dqc.estimation.verdict import Verdict, assess
from dqc.network import Network

__all__ = ["SWEEP_KEYS", "Estimate", "Requirements", "SweepFailure", "estimate",
           "estimate_sweep", "parse_sweep", "render_sweep", "requirements", "sweep_network",
           "tty_progress"]


def estimate(circuit: QuantumCircuit, network: Network, *, seed: int | None = None,
             samples: int = 0, epr_timing: str = "lazy",
             progress: Callable[[int, int], None] | None = None,
             approximation: float | None = None,
             stages: StageCallback | None = None, reuse: bool = False) -> Estimate:
    """Compile ``circuit`` onto ``network``, schedule it, and judge the result.

    Args:
        circuit: the circuit to run (as for :func:`dqc.compile`).
        network: the network.
        seed: seed of the compiler and of the Monte Carlo draws (None means 0).
        samples: Monte Carlo draws of ebit generation times (0: expected times only).
        epr_timing: ``"lazy"`` or ``"eager"`` (see :mod:`dqc.estimation.schedule`).
        progress: called with (samples drawn, samples) during the Monte Carlo draws.
        approximation: as for :func:`dqc.compile` (``None``: exact).
        stages: the compile's stage progress (``progress`` of :func:`dqc.compile`).
        reuse: as for :func:`dqc.compile` (reuse data qubits when that saves ebits).

    Returns:
        The :class:`Estimate`.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> e = estimate(qc, Network.line(2, data_qubits=1, rate_hz=1), samples=100, seed=3)
        >>> e.schedule.monte_carlo.samples, e.schedule.makespan_s > 1
        (100, True)
    """
    result = compile_circuit(circuit, network, seed=seed, approximation=approximation,
                             progress=stages, reuse=reuse)
    report = result.report
    sched, verdict = assess(result.circuit, network, qubit_qpu=report.qubit_qpu,
                            comm_qubits=report.comm_qubits, remote_gates=report.remote_gates,
                            samples=samples, seed=seed, epr_timing=epr_timing,
                            progress=progress)
    return Estimate(network, result.circuit, report, sched, verdict)



def estimate_sweep(circuit: QuantumCircuit, network: Network, key: str,
                   values: Sequence[float], *, seed: int | None = None, samples: int = 0,
                   epr_timing: str = "lazy",
                   progress: Callable[[int, int], None] | None = None,
                   approximation: float | None = None, reuse: bool = False
                   ) -> tuple[Estimate | SweepFailure, ...]:
    """:func:`estimate` on ``network`` with ``key`` set to each of ``values``.

    A value on which the circuit does not fit (:class:`~dqc.errors.CapacityError`)
    gives a :class:`SweepFailure` in its place and the sweep goes on.

    Args:
        circuit: the circuit.
        network: the base network.
        key: a :data:`SWEEP_KEYS` entry.
        values: the values to try, in order.
        seed: as for :func:`estimate`.
        samples: as for :func:`estimate`.
        epr_timing: as for :func:`estimate`.
        progress: called with (done, total) after each value.
        approximation: as for :func:`estimate`.
        reuse: as for :func:`estimate`.

    Returns:
        One :class:`Estimate` (or :class:`SweepFailure`) per value, in order, each with
        ``sweep = (key, value)``.

    Raises:
        DQCError: for an unknown key or a value the model rejects (before any work),
            and any error of :func:`estimate` other than a CapacityError.
    """
    networks = [sweep_network(network, key, v) for v in values]  # fail before any work
    out: list[Estimate | SweepFailure] = []
    for k, (value, net) in enumerate(zip(values, networks)):
        try:
            e = estimate(circuit, net, seed=seed, samples=samples, epr_timing=epr_timing,
                         approximation=approximation, reuse=reuse)
        except CapacityError as exc:
            out.append(SweepFailure(net, (key, value), str(exc)))
        else:
            out.append(replace(e, sweep=(key, value)))
        if progress is not None:
            progress(k + 1, len(values))
    return tuple(out)



def requirements(circuit: QuantumCircuit, network: Network, *, seed: int | None = None,
                 keys: Sequence[str] = PARAMETERS,
                 estimated: Estimate | None = None, approximation: float | None = None,
                 reuse: bool = False) -> Requirements:
    """What would it take: per parameter, the least value for ``feasible`` and ``marginal``.

    Link rate, link fidelity and memory T2 are searched on the circuit compiled for
    ``network`` (one value for all links / QPUs, or a common factor where they differ);
    comm qubits per QPU recompile at each count. Method, tolerances and the
    ``buffering`` check's monotonicity: :mod:`dqc.estimation.requirements`.

    Args:
        circuit: the circuit (as for :func:`estimate`).
        network: the network.
        seed: the compiler's seed (None means 0).
        keys: the parameters to search (default: all four).
        estimated: the :func:`estimate` of ``circuit`` on ``network`` if already made
            (it is not compiled again; made with the same ``approximation`` and
            ``reuse``).
        approximation: as for :func:`estimate`, for every compile of the search.
        reuse: as for :func:`estimate`, for every compile of the search.

    Returns:
        The :class:`~dqc.estimation.requirements.Requirements`.

    Examples:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2); _ = qc.cx(0, 1)
        >>> req = requirements(qc, Network.line(2, data_qubits=1), keys=("qpu.comm_qubits",))
        >>> comm = req.parameters[0]
        >>> comm.marginal.value, comm.feasible.status     # one comm qubit per QPU suffices
        (1, 'unreachable')
        >>> comm.feasible.failing, comm.feasible.cannot_fix   # the default link is too slow
        (('ebit_rate qpu0-qpu1',), ('remote_fraction',))
    """
    first = estimated if estimated is not None else estimate(
        circuit, network, seed=seed, approximation=approximation, reuse=reuse)
    report = first.report

    def fixed(net: Network) -> Verdict:
        return assess(first.circuit, net, qubit_qpu=report.qubit_qpu,
                      comm_qubits=report.comm_qubits, remote_gates=report.remote_gates)[1]

    def recompiled(net: Network) -> Verdict:
        return estimate(circuit, net, seed=seed, approximation=approximation,
                        reuse=reuse).verdict

    return find_requirements(network, fixed, recompile=recompiled, keys=keys)
