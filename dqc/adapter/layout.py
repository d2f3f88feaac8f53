"""Where each input qubit starts and ends in a compiled circuit, in Qiskit's terms.

A compiled circuit is laid out and permuted: input qubit ``i`` starts on output
qubit ``initial_layout[i]`` and ends on ``final_layout[i]`` (teledata, elided
SWAPs and routing move states). :func:`attach_layout` writes both into the circuit
so that results can be read back per input qubit:

* ``circuit.layout`` — a Qiskit :class:`~qiskit.transpiler.TranspileLayout`:
  ``initial_index_layout(filter_ancillas=True)`` is ``initial_layout`` and
  ``final_index_layout()`` is ``final_layout``; comm qubits and unused data
  qubits are its ancillas (register ``ancilla``).
* ``circuit.metadata["dqc_layout"]`` — plain JSON: ``initial_layout``,
  ``final_layout``, ``qubit_qpu`` (QPU of every output qubit), ``comm_qubits`` and
  ``teleport_register`` (the register of the protocol's measurements); and, when there are
  any, ``teleports`` (teledata moves) and ``births`` and ``deaths`` (reused data qubits,
  see :class:`~dqc.estimation.report.Report`). It survives
  :mod:`pickle` and ``QuantumCircuit.copy``; :func:`read_layout` reads it back and
  :func:`report_from_circuit` makes a report :func:`dqc.verify` accepts from it.

Examples:
    >>> import dqc
    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(3); _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.cx(1, 2)
    >>> res = dqc.compile(qc, dqc.Network.line(2, data_qubits=2), seed=1)
    >>> out = attach_layout(res.circuit, res.report)
    >>> out.layout.initial_index_layout(filter_ancillas=True) == list(res.report.initial_layout)
    True
    >>> out.layout.final_index_layout() == list(res.report.final_layout)
    True
    >>> out.metadata["dqc_layout"]["qubit_qpu"]
    ['qpu0', 'qpu0', 'qpu0', 'qpu0', 'qpu1', 'qpu1', 'qpu1', 'qpu1']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from qiskit import QuantumCircuit, QuantumRegister
from qiskit.circuit import Qubit
from qiskit.transpiler import Layout, TranspileLayout

from dqc.errors import VerificationError, plural
from dqc.estimation.report import Report
from dqc.network import Network
from dqc.plan.distribution import DistributedLayout
from dqc.plan.proposals import Distribution, Proposal

__all__ = [
    "METADATA_KEY",
    "attach_layout",
    "full_permutation",
    "layout_metadata",
    "read_layout",
    "report_from_circuit",
]

#: The key of the layout in ``QuantumCircuit.metadata``.
METADATA_KEY = "dqc_layout"


class _HasLayout(Protocol):
    @property
    def qubit_qpu(self) -> Sequence[str]: ...
    @property
    def comm_qubits(self) -> Sequence[int]: ...
    @property
    def initial_layout(self) -> Sequence[int]: ...
    @property
    def final_layout(self) -> Sequence[int]: ...
    @property
    def teleport_register(self) -> str: ...
    @property
    def teleports(self) -> Sequence[tuple[int, int]]: ...
    @property
    def births(self) -> Sequence[tuple[int, int, int]]: ...
    @property
    def deaths(self) -> Sequence[tuple[int, int, int]]: ...


def full_permutation(initial: Sequence[int], final: Sequence[int], num_qubits: int) -> list[int]:
    """A permutation ``p`` of ``range(num_qubits)`` with ``p[initial[i]] == final[i]``.

    Positions that hold no input qubit at the start (comm qubits, spare data qubits)
    are sent, in increasing order, to the positions no input qubit ends on. Where
    ancillas end is not meaningful (they hold no input state); this choice only makes
    the map a permutation, as Qiskit's ``TranspileLayout.final_layout`` requires.

    Raises:
        VerificationError: A layout repeats a qubit or names one out of range.

    Examples:
        >>> full_permutation([0, 2], [2, 3], 4)
        [2, 0, 3, 1]
    """
    for name, seq in (("initial", initial), ("final", final)):
        if len(set(seq)) != len(seq) or any(not 0 <= p < num_qubits for p in seq):
            raise VerificationError(
                f"{name} layout {list(seq)} is not a set of distinct qubits below {num_qubits}")
    if len(initial) != len(final):
        raise VerificationError(
            f"initial layout has {plural(len(initial), 'qubit')}, final layout {len(final)}")
    perm = dict(zip(initial, final))
    starts = [p for p in range(num_qubits) if p not in perm]
    ends = sorted(set(range(num_qubits)) - set(perm.values()))
    perm.update(zip(starts, ends))
    return [perm[p] for p in range(num_qubits)]


def layout_metadata(layout: _HasLayout) -> dict[str, Any]:
    """The JSON form stored under ``metadata["dqc_layout"]``.

    Args:
        layout: A :class:`~dqc.passes.DistributedLayout` or a
            :class:`~dqc.estimation.report.Report`.

    Examples:
        >>> from dqc.passes import DistributedLayout
        >>> layout_metadata(DistributedLayout(("a", "a"), (1,), (0,), (0,), "tele"))["comm_qubits"]
        [1]
    """
    data: dict[str, Any] = {
        "initial_layout": [int(p) for p in layout.initial_layout],
        "final_layout": [int(p) for p in layout.final_layout],
        "qubit_qpu": [str(q) for q in layout.qubit_qpu],
        "comm_qubits": [int(p) for p in layout.comm_qubits],
        "teleport_register": str(layout.teleport_register),
    }
    for key in ("teleports", "births", "deaths"):  # (teledata, reused data qubits only)
        if getattr(layout, key):
            data[key] = [[int(v) for v in entry] for entry in getattr(layout, key)]
    return data


def attach_layout(circuit: QuantumCircuit, layout: _HasLayout,
                  original: QuantumCircuit | None = None, *,
                  inplace: bool = False, transpile_layout: bool = True) -> QuantumCircuit:
    """The compiled circuit with its layout as a ``TranspileLayout`` and as metadata.

    Args:
        circuit: A compiled circuit (``dqc.compile(...).circuit``).
        layout: Its :class:`~dqc.estimation.report.Report` or
            :class:`~dqc.passes.DistributedLayout`.
        original: The input circuit; its qubits become the ``TranspileLayout``'s
            virtual qubits (default: a fresh register ``q`` of the right size).
        inplace: Change ``circuit`` itself instead of a copy.
        transpile_layout: Set ``circuit.layout`` too (not only the metadata). Note that
            ``qiskit.qasm3.dumps`` writes a circuit that has a layout as a *physical*
            circuit (qubits ``$0``, ``$1``, ..., only those used, no registers), so keep
            it off for circuits exported with their per-QPU registers. A compile that
            reuses data qubits (``births``, ``deaths``) has no ``TranspileLayout``: input
            qubits share data qubits over time, which a Qiskit layout cannot say.

    Returns:
        The circuit (a copy unless ``inplace``) with ``.metadata["dqc_layout"]`` and
        (``transpile_layout``) ``.layout`` set.

    Raises:
        VerificationError: The layout does not fit the circuits (sizes, repeats), or
            reuses data qubits and ``transpile_layout`` is set.
    """
    n_out = circuit.num_qubits
    n_in = len(layout.initial_layout)
    if len(layout.qubit_qpu) != n_out:
        raise VerificationError(
            f"layout names a QPU for {plural(len(layout.qubit_qpu), 'qubit')}, the circuit has "
            f"{n_out}")
    if original is not None and original.num_qubits != n_in:
        raise VerificationError(
            f"layout places {plural(n_in, 'input qubit')}, the original circuit has "
            f"{original.num_qubits}")
    reused = bool(layout.births or layout.deaths)
    if reused and transpile_layout:
        raise VerificationError(
            "this compile reuses data qubits (input qubits share them over time), which a "
            "Qiskit TranspileLayout cannot express; use transpile_layout=False and the "
            f"metadata[{METADATA_KEY!r}] (births, deaths)")
    perm = [] if reused else full_permutation(layout.initial_layout, layout.final_layout,
                                              n_out)
    out = circuit if inplace else circuit.copy()
    out.metadata = {**(out.metadata or {}), METADATA_KEY: layout_metadata(layout)}
    if not transpile_layout:
        return out
    inputs: list[Qubit] = list(original.qubits) if original is not None else list(
        QuantumRegister(n_in, "q"))
    taken = set(layout.initial_layout)
    spare = [p for p in range(n_out) if p not in taken]
    ancilla = list(QuantumRegister(len(spare), "ancilla")) if spare else []
    initial = Layout({**{q: int(p) for q, p in zip(inputs, layout.initial_layout)},
                      **dict(zip(ancilla, spare))})
    mapping = {**{q: i for i, q in enumerate(inputs)},
               **{q: n_in + j for j, q in enumerate(ancilla)}}
    out._layout = TranspileLayout(
        initial_layout=initial,
        input_qubit_mapping=mapping,
        final_layout=Layout({out.qubits[p]: perm[p] for p in range(n_out)}),
        _input_qubit_count=n_in,
        _output_qubit_list=list(out.qubits),
    )
    return out


def read_layout(circuit: QuantumCircuit) -> DistributedLayout:
    """The :class:`~dqc.passes.DistributedLayout` of a compiled circuit.

    ``qubit_qpu``, ``comm_qubits`` and ``teleport_register`` come from
    ``metadata["dqc_layout"]``; the initial and final layouts from ``circuit.layout``
    when the circuit has one (it is authoritative: Qiskit keeps it up to date when a
    later pass relabels physical qubits, e.g. ``VF2PostLayout`` at optimization level
    3), else from the metadata.

    Raises:
        VerificationError: The circuit carries no dqc layout.

    Examples:
        >>> qc = QuantumCircuit(2, metadata={"dqc_layout": {"initial_layout": [0],
        ...     "final_layout": [0], "qubit_qpu": ["a", "a"], "comm_qubits": [1],
        ...     "teleport_register": "tele"}})
        >>> read_layout(qc).comm_qubits
        (1,)
    """
    data = (circuit.metadata or {}).get(METADATA_KEY)
    if not isinstance(data, dict):
        raise VerificationError(
            f"circuit {circuit.name!r} has no metadata[{METADATA_KEY!r}]; compile it with dqc "
            "(and attach_layout) or transpile it with init_method='dqc'")
    initial, final = tuple(data["initial_layout"]), tuple(data["final_layout"])
    if circuit.layout is not None:
        initial = tuple(circuit.layout.initial_index_layout(filter_ancillas=True))
        final = tuple(circuit.layout.final_index_layout(filter_ancillas=True))
    return DistributedLayout(
        qubit_qpu=tuple(data["qubit_qpu"]),
        comm_qubits=tuple(data["comm_qubits"]),
        initial_layout=initial,
        final_layout=final,
        teleport_register=data.get("teleport_register", "tele"),
        teleports=tuple((a, b) for a, b in data.get("teleports", ())),
        births=tuple((q, p, j) for q, p, j in data.get("births", ())),
        deaths=tuple((q, p, j) for q, p, j in data.get("deaths", ())),
    )


def report_from_circuit(circuit: QuantumCircuit, network: Network) -> Report:
    """A :class:`~dqc.estimation.report.Report` for a compiled circuit that came without one.

    For circuits from ``transpile(..., init_method="dqc")`` (or any circuit with a dqc
    layout, see :func:`read_layout`), so that :func:`dqc.verify` can check them:
    layouts from :func:`read_layout`, ebits counted per link from the circuit's
    ``epr`` gates, QPUs and links from ``network``. Figures the circuit does not
    carry (remote gates, lower bound, partition cost, seed) are 0.

    Examples:
        >>> import dqc
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
        >>> net = dqc.Network.line(2, data_qubits=1)
        >>> res = dqc.compile(qc, net)
        >>> rep = report_from_circuit(attach_layout(res.circuit, res.report), net)
        >>> rep.ebits_per_link, dqc.verify(qc, res.circuit, rep).ok
        ({'qpu0-qpu1': 1}, True)
    """
    layout = read_layout(circuit)
    owner = layout.qubit_qpu
    if len(owner) != circuit.num_qubits:
        raise VerificationError(
            f"layout names a QPU for {plural(len(owner), 'qubit')}, the circuit has "
            f"{circuit.num_qubits}")
    per_link = dict.fromkeys((link.key for link in network.links), 0)
    for inst in circuit.data:
        if inst.operation.name == "epr":
            a, b = (owner[circuit.find_bit(q).index] for q in inst.qubits)
            link = network.link(a, b)
            if link is None:
                raise VerificationError(f"epr between {a} and {b}, which share no link")
            per_link[link.key] += 1
    placement = tuple(owner[p] for p in layout.initial_layout)
    distribution = Distribution(layout=layout, ebits_per_link=per_link, remote_gates=0,
                                plan=Proposal("static", placement, 0, 0, why="read back"))
    return Report.from_distribution(distribution, network, ebits=sum(per_link.values()),
                                    inputs={"qubits": len(layout.initial_layout)})
