"""The cost report of a compiled circuit (the JSON of ``dqc compile --report``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from dqc.errors import DQCError, plural
from dqc.estimation.formatting import fmt_time
from dqc.network import Network
from dqc.plan.bounds import AnyPlacementBound
from dqc.plan.proposals import Distribution

#: What a report built without a schedule says (``dqc.compile`` always computes one:
#: :mod:`dqc.estimation.schedule`, :mod:`dqc.estimation.verdict`).
NOT_COMPUTED = {"status": "not computed", "reason": "the scheduler was not run"}


@dataclass(frozen=True)
class Report:
    """What a compiled circuit costs and where its qubits are.

    Attributes:
        ebits: number of ``epr`` in the circuit (one ebit each).
        ebits_per_link: ``{"qpuA-qpuB": n}`` for every link, in network order.
        remote_gates: two-qubit gates of the (unrolled) input that crossed QPUs.
        ebits_lower_bound: no choice of carriers needs fewer ebits for this placement
            and these moves (minimum vertex covers of the segment graph plus one per
            move; without moves, of the segments continued through every flip, so no
            embedding goes lower either). ``ebits`` exceeds it when comm qubits run
            out or Bell pairs are swapped over several links.
        ebits_lower_bound_any_placement: no placement at all (nor carriers, embedding or
            teledata moves) needs fewer ebits for this circuit and these QPU capacities:
            the presence bound of :mod:`dqc.plan.bounds`.
        bound_method: how that bound was proved: ``"epoch-milp-optimal"``,
            ``"epoch-milp-dual"``, ``"milp-optimal"``, ``"milp-dual"``, ``"separator"``
            or ``"trivial"`` (:class:`dqc.plan.bounds.AnyPlacementBound`).
        optimal: ``ebits`` equals ``ebits_lower_bound_any_placement``: no plan of dqc's
            kinds uses fewer ebits.
        fewest_without_moves: the fewest ebits of any plan without teledata moves (any
            placement, carriers and embedding), proved by the integer program of
            :mod:`dqc.plan.exact` (two QPUs, small circuits); ``None`` when not proved.
        qubit_qpu: QPU name of every output qubit.
        comm_qubits: indices of the output qubits that are comm qubits.
        initial_layout: for input qubit i, the output qubit holding it at the start.
        final_layout: for input qubit i, the output qubit holding it at the end.
        qpus: ``{name: {"data": n, "comm": m, "used": k}}`` (``used``: data qubits that
            hold an input qubit at its start).
        links: ``[[qpuA, qpuB], ...]`` in network order.
        input: figures of the input circuit (qubits, clbits, gates on 2+ qubits).
        seed: the seed the compile used.
        partition_cost: the partitioner's objective (sum of gate weight × hops).
        teleport_register: name of the register of the protocol's measurements.
        teleports: ``[from, to]`` output qubits of each teledata move, in circuit order
            (the state on ``from`` is teleported to comm qubit ``to``).
        births: ``[q, p, j]``: with reuse (``compile(..., reuse=True)``,
            :mod:`dqc.plan.lives`), input qubit q starts on output qubit p right after the
            j-th ``reset`` of p (from 1, in circuit order), where another qubit lived
            before; its ``initial_layout`` entry is p.
        deaths: ``[q, p, j]``: input qubit q ends, measured, on output qubit p after its
            j-th ``reset`` (0: before any); the next reset of p frees it for another
            qubit. Its ``final_layout`` entry is p.
        moves: number of teledata moves made (each costs one ebit per hop; with reuse, a
            planned move of a qubit not yet born or already measured for the last time is
            a relabelling, not made).
        planned_ebits: what the plan (covers plus moves) costs if no copy is ever
            evicted, each copy priced by its hops from its qubit; ``ebits`` exceeds it
            only when comm qubits run out, and is below it when copies between QPUs
            without a link fan out from copies on the way.
        embedded_flips: flips (CX targets and controls, X and Z) that segments
            continue through, mirrored onto their copies (:mod:`dqc.plan.embedding`).
        schedule: the deterministic schedule (:meth:`dqc.estimation.schedule.Schedule.to_dict`):
            ``makespan_s``, ``lower_bound_s`` and its bounds, ``link_busy``,
            ``peak_comm_qubits``, ebit storage, ``fidelity`` with its factors;
            ``{"status": "not computed", ...}`` in a report built without one.
        verdict: ``status`` (feasible / marginal / infeasible) and ``reasons``, each with
            its numbers (:meth:`dqc.estimation.verdict.Verdict.to_dict`); likewise.
        verification: what :func:`dqc.verify` found, when it was run.
        approximation: what an approximated compile dropped (tolerance, gates by name,
            error bound: :meth:`dqc.plan.approximation.Approximation.to_dict`); ``None``
            for an exact compile.
    """

    ebits: int
    ebits_per_link: dict[str, int]
    remote_gates: int
    ebits_lower_bound: int
    qubit_qpu: tuple[str, ...]
    comm_qubits: tuple[int, ...]
    initial_layout: tuple[int, ...]
    final_layout: tuple[int, ...]
    qpus: dict[str, dict[str, int]]
    links: tuple[tuple[str, str], ...]
    input: dict[str, int]
    seed: int
    partition_cost: int
    teleport_register: str = "tele"
    teleports: tuple[tuple[int, int], ...] = ()
    births: tuple[tuple[int, int, int], ...] = ()
    deaths: tuple[tuple[int, int, int], ...] = ()
    moves: int = 0
    planned_ebits: int = 0
    embedded_flips: int = 0
    schedule: dict[str, Any] = field(default_factory=lambda: dict(NOT_COMPUTED))
    verdict: dict[str, Any] = field(default_factory=lambda: dict(NOT_COMPUTED))
    verification: dict[str, Any] | None = None
    approximation: dict[str, Any] | None = None
    ebits_lower_bound_any_placement: int = 0
    bound_method: str = "trivial"
    optimal: bool = False
    fewest_without_moves: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON types (lists, dicts, numbers, strings)."""
        d = asdict(self)
        for key in ("qubit_qpu", "comm_qubits", "initial_layout", "final_layout"):
            d[key] = list(d[key])
        d["teleports"] = [list(pair) for pair in self.teleports]
        for key in ("births", "deaths"):
            d[key] = [list(entry) for entry in getattr(self, key)]
        d["links"] = [list(pair) for pair in self.links]
        for key in ("verification", "approximation"):
            if d[key] is None:
                del d[key]
        return d

    def to_json(self) -> str:
        """The report as deterministic, indented JSON text (ends with a newline)."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_distribution(cls, distribution: Distribution, network: Network, *,
                          ebits: int, inputs: dict[str, int], seed: int = 0,
                          partition_cost: int = 0,
                          schedule: dict[str, Any] | None = None,
                          verdict: dict[str, Any] | None = None,
                          any_placement: AnyPlacementBound | None = None) -> Report:
        """The report of a distribution — the one place a report is built.

        Args:
            distribution: what :class:`~dqc.passes.DistributeGates` recorded.
            network: the network it ran on.
            ebits: ``epr`` gates in the output circuit (checked against the per-link
                counts).
            inputs: figures of the input circuit (``qubits``, ...).
            seed: the compile's seed.
            partition_cost: the partitioner's modelled ebits.
            schedule, verdict: their ``to_dict()`` (not computed when ``None``).
            any_placement: the placement-independent bound
                (:func:`dqc.plan.bounds.any_placement_bound`; trivial 0 when ``None``).

        Raises:
            DQCError: the per-link counts disagree with ``ebits`` (an internal error).
        """
        per_link = distribution.ebits_per_link
        if sum(per_link.values()) != ebits:
            raise DQCError(f"internal error: {plural(sum(per_link.values()), 'ebit')} "
                           f"counted per link but {plural(ebits, 'epr gate')} in the circuit")
        plan, layout = distribution.plan, distribution.layout
        used = dict.fromkeys(network.qpu_names, 0)
        for p in set(layout.initial_layout):
            used[layout.qubit_qpu[p]] += 1
        bound = any_placement or AnyPlacementBound(0, "trivial")
        return cls(
            ebits=ebits, ebits_per_link=per_link, remote_gates=distribution.remote_gates,
            ebits_lower_bound=int(plan.lower_bound), qubit_qpu=layout.qubit_qpu,
            comm_qubits=layout.comm_qubits, initial_layout=layout.initial_layout,
            final_layout=layout.final_layout,
            qpus={q.name: {"data": q.data_qubits, "comm": q.comm_qubits, "used": used[q.name]}
                  for q in network.qpus},
            links=tuple((link.a, link.b) for link in network.links), input=inputs,
            seed=seed, partition_cost=int(partition_cost),
            teleport_register=layout.teleport_register, teleports=layout.teleports,
            births=layout.births, deaths=layout.deaths, moves=len(layout.teleports),
            planned_ebits=int(plan.ebits),
            embedded_flips=len(plan.embedding.through) if plan.embedding else 0,
            schedule=dict(NOT_COMPUTED) if schedule is None else schedule,
            verdict=dict(NOT_COMPUTED) if verdict is None else verdict,
            ebits_lower_bound_any_placement=bound.ebits, bound_method=bound.method,
            optimal=ebits == bound.ebits)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        """Rebuild a report from :meth:`to_dict` output (e.g. a ``--report`` file)."""
        return cls(
            ebits=d["ebits"],
            ebits_per_link=dict(d["ebits_per_link"]),
            remote_gates=d.get("remote_gates", 0),
            ebits_lower_bound=d.get("ebits_lower_bound", 0),
            qubit_qpu=tuple(d["qubit_qpu"]),
            comm_qubits=tuple(d["comm_qubits"]),
            initial_layout=tuple(d["initial_layout"]),
            final_layout=tuple(d["final_layout"]),
            qpus={k: dict(v) for k, v in d["qpus"].items()},
            links=tuple((a, b) for a, b in d["links"]),
            input=dict(d.get("input", {})),
            seed=d.get("seed", 0),
            partition_cost=d.get("partition_cost", 0),
            teleport_register=d.get("teleport_register", "tele"),
            teleports=tuple((a, b) for a, b in d.get("teleports", ())),
            births=tuple((q, p, j) for q, p, j in d.get("births", ())),
            deaths=tuple((q, p, j) for q, p, j in d.get("deaths", ())),
            moves=d.get("moves", 0),
            planned_ebits=d.get("planned_ebits", 0),
            embedded_flips=d.get("embedded_flips", 0),
            schedule=dict(d.get("schedule", NOT_COMPUTED)),
            verdict=dict(d.get("verdict", NOT_COMPUTED)),
            verification=d.get("verification"),
            approximation=d.get("approximation"),
            ebits_lower_bound_any_placement=d.get("ebits_lower_bound_any_placement", 0),
            bound_method=d.get("bound_method", "trivial"),
            optimal=d.get("optimal", False),
            fewest_without_moves=d.get("fewest_without_moves"),
        )

    def __str__(self) -> str:
        """``print(report)`` shows :meth:`summary`; ``repr(report)`` keeps every field.

        Examples:
            >>> import dqc
            >>> from qiskit import QuantumCircuit
            >>> bell = QuantumCircuit(2); _ = bell.h(0); _ = bell.cx(0, 1)
            >>> report = dqc.compile(bell, dqc.Network.line(2, data_qubits=1)).report
            >>> for line in str(report).splitlines()[:2]:
            ...     print(line)
            ebits: 1 (lower bound for this placement 1; 1 remote two-qubit gate)
            lower bound for any placement: 1 (separator); optimal
            >>> str(report) == report.summary(), repr(report).startswith("Report(ebits=1, ")
            (True, True)
        """
        return self.summary()

    def gap_text(self) -> str:
        """``ebits / any-placement bound - 1`` as a percentage, ``"optimal"`` when they
        are equal, ``"unbounded"`` when the bound is 0 and ebits are not.

        Examples:
            >>> import dataclasses
            >>> r = Report(3, {}, 0, 0, (), (), (), (), {}, (), {}, 0, 0,
            ...            ebits_lower_bound_any_placement=2)
            >>> r.gap_text(), dataclasses.replace(r, optimal=True).gap_text()
            ('+50%', 'optimal')
        """
        bound = self.ebits_lower_bound_any_placement
        if self.optimal:
            return "optimal"
        if bound == 0:
            return "unbounded"
        return f"+{100 * (self.ebits / bound - 1):.0f}%"

    def option_lines(self) -> list[str]:
        """What the compile's options did, one line each: data qubits reused, gates
        dropped by the approximation (none when neither was asked for or did anything)."""
        lines = []
        if self.births or self.deaths:
            lines.append(f"data qubits reused: {plural(len(self.deaths), 'qubit')} measured "
                         f"for the last time free theirs, {plural(len(self.births), 'qubit')} "
                         "later take one (no placement-independent bound with reuse)")
        if self.approximation:
            a = self.approximation
            lines.append(
                f"approximation: dropped {plural(a['dropped_total'], 'near-identity gate')} "
                f"(angle <= {a['tolerance']:.3g} rad); output within {a['error_bound']:.3g} "
                "of the input (operator norm)")
        return lines

    def summary(self) -> str:
        """A few human lines: ebits, per link, QPU use."""
        lines = [
            f"ebits: {self.ebits} (lower bound for this placement {self.ebits_lower_bound}; "
            f"{plural(self.remote_gates, 'remote two-qubit gate')}"
            + (f"; {plural(self.moves, 'teledata move')}" if self.moves else "")
            + (f"; {plural(self.embedded_flips, 'flip')} embedded"
               if self.embedded_flips else "") + ")"
        ]
        lines.append(
            f"lower bound for any placement: {self.ebits_lower_bound_any_placement} "
            f"({self.bound_method})" + ("; optimal" if self.optimal else
                                        f"; gap {self.gap_text()}"))
        if self.fewest_without_moves is not None:
            lines.append(f"fewest ebits of any plan without teledata moves: "
                         f"{self.fewest_without_moves} (integer program, proved)")
        lines += self.option_lines()
        used = [(k, v) for k, v in self.ebits_per_link.items() if v]
        if used:
            lines.append("per link: " + ", ".join(f"{k} {v}" for k, v in used))
        if self.schedule.get("status") == "computed":
            s = self.schedule
            fidelity = s["fidelity"]
            total = (f"{fidelity['total']:.3g}" if fidelity["total"] > 0
                     else f"1e{round(fidelity['log10_total'])}")
            problems = sorted({r["check"] for r in self.verdict.get("reasons", [])
                               if r["status"] != "ok"})
            why = f" ({', '.join(problems)})" if problems else ""
            lines.append(
                f"schedule: makespan {fmt_time(s['makespan_s'])} (lower bound "
                f"{fmt_time(s['lower_bound_s'])}), fidelity {total}; verdict: "
                f"{self.verdict.get('status')}{why}")
            messages = s.get("classical_messages", {})
            if messages:
                lines.append("classical messages: " + ", ".join(
                    f"{k} {v}" for k, v in messages.items()))
        lines.append(
            "QPU use: " + ", ".join(
                f"{k} {v['used']}/{v['data']} data, {v['comm']} comm" for k, v in self.qpus.items()
            )
        )
        return "\n".join(lines)
