"""The result of :func:`dqc.estimation.schedule.schedule`: placed operations and figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from dqc.estimation.fidelity import Fidelity
from dqc.estimation.formatting import rounded
from dqc.estimation.monte_carlo import MonteCarlo
from dqc.network.purification import Purified

__all__ = ["LinkModel", "Schedule", "ScheduledOp", "ScheduledOps"]


@dataclass(frozen=True)
class ScheduledOp:
    """One operation of the circuit, placed in time.

    Attributes:
        index: position in ``circuit.data``.
        name: operation name (``epr``, ``cx``, ``measure``, ``if_else``, ...).
        qubits: indices of its qubits in the circuit.
        qpu: the QPU it runs on; for an ``epr``, the QPU of its first qubit.
        link: for an ``epr``, the key of its link; ``""`` otherwise.
        start_s: start time, seconds from the start of the program.
        end_s: end time.
    """

    index: int
    name: str
    qubits: tuple[int, ...]
    qpu: str
    link: str
    start_s: float
    end_s: float



class ScheduledOps(Sequence[ScheduledOp]):
    """Every operation of a schedule, as :class:`ScheduledOp`, made when read.

    A compiled circuit of 100,000 two-qubit gates has about 900,000 operations; this
    keeps their columns (names, qubits, QPU and link indices, times) and builds an
    operation only when it is indexed or iterated.

    Examples:
        >>> ops = ScheduledOps(["h", "epr"], [(0,), (0, 1)], [0, 0], [-1, 0], [0.0, 0.0],
        ...                    [1e-6, 1e-3], ["qpu0", "qpu1"], ["qpu0-qpu1"])
        >>> len(ops), ops[1].link, [op.name for op in ops]
        (2, 'qpu0-qpu1', ['h', 'epr'])
    """

    def __init__(self, names: Sequence[str], qubits: Sequence[tuple[int, ...]],
                 qpu: Sequence[int], link: Sequence[int], start: Sequence[float],
                 end: Sequence[float], qpu_names: Sequence[str],
                 link_keys: Sequence[str]) -> None:
        self._columns = (names, qubits, qpu, link, start, end)
        self._qpu_names, self._link_keys = qpu_names, link_keys

    def __len__(self) -> int:
        return len(self._columns[0])

    @property
    def names(self) -> Sequence[str]:
        """The name of every operation (a column, without building the operations)."""
        return self._columns[0]

    @property
    def qubits(self) -> Sequence[tuple[int, ...]]:
        """The qubit indices of every operation."""
        return self._columns[1]

    @overload
    def __getitem__(self, i: int) -> ScheduledOp: ...
    @overload
    def __getitem__(self, i: slice) -> list[ScheduledOp]: ...

    def __getitem__(self, i: int | slice) -> ScheduledOp | list[ScheduledOp]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"operation {i} of {len(self)}")
        names, qubits, qpu, link, start, end = self._columns
        return ScheduledOp(i, names[i], qubits[i], self._qpu_names[qpu[i]],
                           self._link_keys[link[i]] if link[i] >= 0 else "", start[i], end[i])

    def __iter__(self) -> Iterator[ScheduledOp]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ScheduledOps({len(self)} operations)"

    def ebits_per_link(self) -> dict[str, int]:
        """``epr`` operations per link key (links without one are left out)."""
        counts = Counter(self._columns[3])
        counts.pop(-1, None)
        return {self._link_keys[k]: n for k, n in sorted(counts.items())}

    def qpus(self) -> set[str]:
        """The QPUs some operation runs on."""
        return {self._qpu_names[k] for k in set(self._columns[2])}


@dataclass(frozen=True)
class LinkModel:
    """A link that purifies or has a cutoff: what it delivers and what the run costs it.

    Attributes:
        delivered: the pair it delivers (:meth:`dqc.network.Network.delivered`).
        ebits: delivered pairs the run uses.
        regenerated: pairs that still wait longer than the cutoff before their first use
            in the placed schedule (where holding pairs back did not settle), discarded
            and made again (counted as ceil((wait − cutoff) / (cutoff + pair time)) each:
            made, held for the cutoff, discarded, made again until one arrives in time).
            Their time is not added to the makespan.
        raw_pairs: expected raw pairs the run consumes, (ebits + regenerated) ×
            ``delivered.raw_pairs``.
        wait_s: the longest least wait of a half before its first use (0 without a
            cutoff): what no schedule can shorten.
        over_cutoff: halves whose least wait exceeds the cutoff.
        scratch_short: ``(epr index, QPU, comm qubits needed, free)`` where the
            purification found fewer free comm qubits at an end than it holds.
        held_back: pairs the schedule starts later than the link could make them, so
            that none waits longer than the cutoff (:func:`~dqc.estimation.timing.hold_back`).
        delay_s: what holding pairs back adds to the makespan (every cutoff of the
            network together).
    """

    delivered: Purified
    ebits: int
    regenerated: int
    raw_pairs: float
    wait_s: float
    over_cutoff: int
    scratch_short: tuple[tuple[int, str, int, int], ...]
    held_back: int = 0
    delay_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for reports (the link's settings first)."""
        d = self.delivered
        return {"purification": d.scheme, "purification_rounds": d.rounds,
                "cutoff_s": d.cutoff_s, "fidelity": rounded(d.fidelity),
                "rate_hz": rounded(d.rate_hz), "raw_pairs_per_pair": rounded(d.raw_pairs),
                "round_fidelity": [rounded(f) for f in d.fidelities],
                "round_success": [rounded(p) for p in d.success],
                "round_wait_s": [rounded(w) for w in d.waits_s],
                "scratch_comm_qubits": d.scratch, "ebits": self.ebits,
                "raw_pairs": rounded(self.raw_pairs), "regenerated": self.regenerated,
                "wait_s": rounded(self.wait_s), "over_cutoff": self.over_cutoff,
                "held_back": self.held_back, "delay_s": rounded(self.delay_s),
                "scratch_short": len(self.scratch_short)}


@dataclass(frozen=True)
class Schedule:
    """A placed circuit: operation times, bounds, link and memory use, fidelity.

    Attributes:
        operations: every operation of the circuit with its start and end
            (:class:`ScheduledOps`, in circuit order).
        makespan_s: end of the last operation.
        critical_path_s: lower bound: longest dependency chain (durations and
            classical latencies) with unlimited link channels.
        link_bounds_s: lower bound per link, ``ceil(ebits / channels) / rate_hz``.
        compute_s: the critical path if ebits were free (instant) and comm qubits
            unlimited: the time the computation itself needs, latencies included.
        critical_path: indices (in ``circuit.data``) of the operations on the chain that
            ends last, in time order.
        link_busy: per link, time spent generating ebits / (makespan × channels).
        peak_comm_qubits: per QPU, most comm qubits reserved at once (from the start
            of an ``epr`` to the measurement of the qubit).
        mean_comm_qubits: per QPU, time-averaged number of reserved comm qubits.
        ebit_storage_s: ``(mean, max)`` time an ebit half is held (arrival to measurement).
        ebit_wait_s: ``(mean, max)`` time an ebit half waits before its first use.
        link_hold_s: per link, mean forced hold t_hold (module docstring: the least
            storage any valid schedule gives) of its ebit halves.
        qpu_hold_s: per QPU, ``(mean, max)`` forced hold t_hold of the ebit halves
            stored there; Σ over QPUs of halves × mean / T2 is ``fidelity.memory_t2``.
        fidelity: the estimate and its factors.
        technology: per QPU, the technology profile used (``" (default)"`` when the QPU
            names none).
        epr_timing: ``"lazy"`` or ``"eager"``.
        monte_carlo: makespan statistics when samples were drawn, else None.
        critical_path_split: time on the critical path spent on ebits (``epr_s``), local
            operations (``gates_s``) and classical messages (``classical_s``).
        classical_messages: per pair of QPUs ``"a-b"``, the measured bits sent from one
            to the other (protocol corrections and the input's own conditions).
        link_models: per link that purifies or has a cutoff, its :class:`LinkModel`.
    """

    operations: ScheduledOps
    makespan_s: float
    critical_path_s: float
    link_bounds_s: dict[str, float]
    compute_s: float
    critical_path: tuple[int, ...]
    link_busy: dict[str, float]
    peak_comm_qubits: dict[str, int]
    mean_comm_qubits: dict[str, float]
    ebit_storage_s: tuple[float, float]
    ebit_wait_s: tuple[float, float]
    link_hold_s: dict[str, float]
    qpu_hold_s: dict[str, tuple[float, float]]
    fidelity: Fidelity
    technology: dict[str, str]
    epr_timing: str = "lazy"
    monte_carlo: MonteCarlo | None = None
    critical_path_split: dict[str, float] = field(default_factory=dict)
    classical_messages: dict[str, int] = field(default_factory=dict)
    link_models: dict[str, LinkModel] = field(default_factory=dict)

    @property
    def lower_bounds(self) -> dict[str, float]:
        """Every lower bound by name: ``"critical path"`` and ``"link a-b"``."""
        out = {"critical path": self.critical_path_s}
        out.update({f"link {k}": v for k, v in self.link_bounds_s.items()})
        return out

    @property
    def lower_bound_s(self) -> float:
        """The largest lower bound."""
        return max(self.lower_bounds.values())

    @property
    def binding_bound(self) -> str:
        """Name of the largest lower bound (first one on ties)."""
        bounds = self.lower_bounds
        return max(bounds, key=bounds.__getitem__)

    def to_dict(self) -> dict[str, Any]:
        """The ``schedule`` section of the JSON report (operations not included)."""
        ratio = self.makespan_s / self.lower_bound_s if self.lower_bound_s > 0 else 1.0
        d: dict[str, Any] = {
            "status": "computed",
            "model": (f"deterministic expected times, as soon as possible then {self.epr_timing}, "
                      "round-robin link channels"),
            "makespan_s": rounded(self.makespan_s),
            "lower_bound_s": rounded(self.lower_bound_s),
            "bound": self.binding_bound,
            "makespan_over_bound": rounded(ratio),
            "lower_bounds": {
                "critical_path_s": rounded(self.critical_path_s),
                "links_s": {k: rounded(v) for k, v in self.link_bounds_s.items()},
            },
            "compute_s": rounded(self.compute_s),
            "critical_path": {"operations": len(self.critical_path),
                              **{k: rounded(v) for k, v in self.critical_path_split.items()}},
            "link_busy": {k: rounded(v) for k, v in self.link_busy.items()},
            "peak_comm_qubits": dict(self.peak_comm_qubits),
            "mean_comm_qubits": {k: rounded(v) for k, v in self.mean_comm_qubits.items()},
            "ebit_storage_s": {"mean": rounded(self.ebit_storage_s[0]),
                               "max": rounded(self.ebit_storage_s[1])},
            "ebit_wait_s": {"mean": rounded(self.ebit_wait_s[0]),
                            "max": rounded(self.ebit_wait_s[1])},
            "classical_messages": dict(self.classical_messages),
            "fidelity": self.fidelity.to_dict(),
            "technology": dict(self.technology),
        }
        if self.link_models:
            d["purification"] = {k: m.to_dict() for k, m in self.link_models.items()}
        if self.monte_carlo is not None:
            d["monte_carlo"] = self.monte_carlo.to_dict()
        return d
