"""A network as a Qiskit ``Target``, and back; QPUs built from Qiskit backends.

:func:`network_to_target` describes the whole machine to Qiskit: every QPU's data
and comm qubits, numbered exactly as dqc numbers the qubits of a compiled circuit
(per QPU in network order, its data qubits then its comm qubits, so compiled qubit
``i`` is Target qubit ``i``), the QPU's local gates on its own qubits (all-to-all, or
the coupling map and basis of a real device, see :class:`QPUDevice`), and the
``epr`` instruction on every pair of comm qubits of two linked QPUs — the only
instruction that crosses a QPU boundary. :func:`target_to_network` reads the
network back, and :func:`qpu_of_qubit` names the QPU of every Target qubit.

Figures carried into the Target:

* a QPU with a technology profile gives its gates, measurements and resets a
  ``duration`` (s) and ``error``, and its qubits ``QubitProperties(t2=...)``;
* a device QPU keeps its backend's own instruction properties and qubit properties;
* ``epr`` on a link has ``duration = 1 / rate_hz`` (mean time to herald one ebit on
  one channel) and ``error = 1 - fidelity`` (infidelity of the delivered pair).

Examples:
    >>> from dqc.network import Network
    >>> net = Network.line(2, data_qubits=2, comm_qubits=1)
    >>> target = network_to_target(net)
    >>> target.num_qubits, qpu_of_qubit(net)
    (6, ['qpu0', 'qpu0', 'qpu0', 'qpu1', 'qpu1', 'qpu1'])
    >>> sorted(target["epr"])
    [(2, 5), (5, 2)]
    >>> target.instruction_supported("cx", (0, 2)), target.instruction_supported("cx", (2, 3))
    (True, False)
    >>> target_to_network(target) == net
    True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
from qiskit.circuit import IfElseOp, Instruction
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.transpiler import CouplingMap, InstructionProperties, QubitProperties, Target

from dqc.errors import NetworkError, plural
from dqc.gates import ONE_QUBIT_BASIS, TWO_QUBIT_BASIS, EPRGate
from dqc.network import DEFAULT_FIDELITY, DEFAULT_RATE_HZ, QPU, Link, Network

__all__ = [
    "NetworkTarget",
    "QPUDevice",
    "local_coupling_map",
    "network_to_target",
    "qpu_from_backend",
    "qpu_of_qubit",
    "target_to_network",
]

#: Local two-qubit gates of a QPU that has no device: dqc's two-qubit basis and swap.
PLAIN_TWO_QUBIT: tuple[str, ...] = (*TWO_QUBIT_BASIS, "swap")
#: Operations that are not gates but that every qubit of a plain QPU supports.
PLAIN_NON_GATES: tuple[str, ...] = ("measure", "reset", "delay")
_EPR = "epr"


def qpu_of_qubit(network: Network) -> list[str]:
    """The QPU name of every qubit of ``network``, in compiled-circuit (= Target) order.

    Per QPU in network order: its data qubits, then its comm qubits.

    Examples:
        >>> from dqc.network import DEFAULT_FIDELITY, DEFAULT_RATE_HZ, QPU, Link, Network
        >>> qpu_of_qubit(Network((QPU("a", 2, 1), QPU("b", 1, 0)), (Link("a", "b"),)))
        ['a', 'a', 'a', 'b']
    """
    return [q.name for q in network.qpus for _ in range(q.data_qubits + q.comm_qubits)]


def _blocks(network: Network) -> list[tuple[int, int, int]]:
    """Per QPU: (first qubit, number of data qubits, number of comm qubits)."""
    out, start = [], 0
    for q in network.qpus:
        out.append((start, q.data_qubits, q.comm_qubits))
        start += q.data_qubits + q.comm_qubits
    return out


# --------------------------------------------------------------------------- devices
@dataclass(frozen=True, repr=False)
class QPUDevice:
    """A QPU with real hardware: a coupling map, a basis and figures from a Qiskit Target.

    The device's own ``target`` is renumbered to the QPU's local order: qubits
    ``0 .. data_qubits-1`` are data qubits, the last ``comm_qubits`` are comm qubits
    (those wired to the optical interface). ``physical[i]`` is the backend qubit that
    local qubit ``i`` came from. Build one with :meth:`from_backend`.

    Attributes:
        name: The QPU's name (an identifier, as for :class:`~dqc.network.QPU`).
        target: The device Target in local numbering.
        comm_qubits: How many of its qubits (the last ones) are comm qubits.
        physical: Backend qubit of every local qubit.
        source: Where it came from (the backend's name), for display.

    Examples:
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> from qiskit.transpiler import CouplingMap
        >>> backend = GenericBackendV2(5, coupling_map=CouplingMap.from_line(5), seed=1)
        >>> dev = QPUDevice.from_backend("a", backend, comm_qubits=1)
        >>> dev.qpu, dev.physical
        (QPU(name='a', data_qubits=4, comm_qubits=1), (0, 1, 3, 4, 2))
        >>> sorted(dev.coupling)[:3]
        [(0, 1), (1, 0), (1, 4)]
        >>> dev
        QPUDevice(name='a', data_qubits=4, comm_qubits=1, physical=(0, 1, 3, 4, 2),
        source='generic_backend_5q', basis=['cx', 'delay', 'id', 'measure', 'reset', 'rz',
        'sx', 'x'])
    """

    name: str
    target: Target
    comm_qubits: int
    physical: tuple[int, ...]
    source: str = ""

    def __post_init__(self) -> None:
        n = self.target.num_qubits or 0
        qpu = QPU(self.name, max(n - self.comm_qubits, 1), self.comm_qubits)  # validates name
        if n - self.comm_qubits < 1:
            raise NetworkError(
                f"device QPU {self.name!r} has {plural(n, 'qubit')} and "
                f"{plural(self.comm_qubits, 'comm qubit')}; "
                "it needs at least 1 data qubit")
        if len(self.physical) != n:
            raise NetworkError(
                f"device QPU {self.name!r}: physical lists {plural(len(self.physical), 'qubit')}, "
                f"its target has {n}")
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(self.coupling)
        if n > 1 and not nx.is_connected(graph):
            parts = sorted(sorted(c) for c in nx.connected_components(graph))
            raise NetworkError(
                f"device QPU {self.name!r}: its coupling map is disconnected "
                f"({len(parts)} parts, local qubits {parts}); routing inside a QPU needs a "
                "connected one")
        object.__setattr__(self, "_qpu", qpu)

    def __repr__(self) -> str:
        return (f"QPUDevice(name={self.name!r}, data_qubits={self.data_qubits}, "
                f"comm_qubits={self.comm_qubits}, physical={self.physical!r}, "
                f"source={self.source!r}, basis={sorted(self.target.operation_names)!r})")

    @property
    def qpu(self) -> QPU:
        """The :class:`~dqc.network.QPU` to put in a :class:`~dqc.network.Network`."""
        return self._qpu  # type: ignore[attr-defined,no-any-return]

    @property
    def data_qubits(self) -> int:
        """Number of data qubits."""
        return self.qpu.data_qubits

    @property
    def coupling(self) -> tuple[tuple[int, int], ...]:
        """Directed local edges that carry a two-qubit gate, sorted."""
        return tuple(sorted({
            qargs for qargs in (self.target.qargs or ()) if qargs is not None and len(qargs) == 2
        }))

    @classmethod
    def from_backend(cls, name: str, backend: Any, *, comm_qubits: int = 2,
                     qubits: Sequence[int] | None = None,
                     comm: Sequence[int] | None = None) -> QPUDevice:
        """A QPU made of (some of) the qubits of a Qiskit backend or Target.

        Args:
            name: The QPU's name.
            backend: A ``BackendV2`` (its ``.target`` is used) or a ``Target``.
            comm_qubits: How many qubits become comm qubits (ignored when ``comm`` is
                given).
            qubits: Backend qubits to use (default: all); they must be connected.
            comm: Backend qubits to use as comm qubits. Default: the ``comm_qubits``
                most central qubits (smallest total hop distance to the others, ties
                to the lower index), so that data qubits reach them in few swaps.

        Raises:
            NetworkError: On unknown, repeated or disconnected qubits, or too few data
                qubits.

        Examples:
            >>> from qiskit.providers.fake_provider import GenericBackendV2
            >>> backend = GenericBackendV2(4, seed=1)
            >>> QPUDevice.from_backend("b", backend, qubits=[0, 1, 2], comm=[1]).physical
            (0, 2, 1)
        """
        return qpu_from_backend(name, backend, comm_qubits=comm_qubits, qubits=qubits, comm=comm)


def _backend_target(backend: Any) -> tuple[Target, str]:
    if isinstance(backend, Target):
        return backend, backend.description or "target"
    target = getattr(backend, "target", None)
    if not isinstance(target, Target):
        raise NetworkError(
            f"expected a Qiskit BackendV2 or Target, got {type(backend).__name__}")
    return target, str(getattr(backend, "name", "") or type(backend).__name__)


def qpu_from_backend(name: str, backend: Any, *, comm_qubits: int = 2,
                     qubits: Sequence[int] | None = None,
                     comm: Sequence[int] | None = None) -> QPUDevice:
    """Same as :meth:`QPUDevice.from_backend` (which documents the arguments).

    Examples:
        >>> from qiskit.providers.fake_provider import GenericBackendV2
        >>> qpu_from_backend("c", GenericBackendV2(3, seed=1), comm_qubits=1).qpu
        QPU(name='c', data_qubits=2, comm_qubits=1)
    """
    source, label = _backend_target(backend)
    total = source.num_qubits or 0
    chosen = list(range(total)) if qubits is None else [int(q) for q in qubits]
    bad = [q for q in chosen if not 0 <= q < total]
    if bad:
        raise NetworkError(
            f"QPU {name!r}: qubits {bad} are not qubits of {label} (it has {total})")
    if len(set(chosen)) != len(chosen):
        raise NetworkError(f"QPU {name!r}: qubits {chosen} repeat a qubit")
    graph = nx.Graph()
    graph.add_nodes_from(chosen)
    members = set(chosen)
    for qargs in source.qargs or ():
        if qargs is not None and len(qargs) == 2 and set(qargs) <= members:
            graph.add_edge(*qargs)
    if comm is None:
        if not isinstance(comm_qubits, int) or not 0 <= comm_qubits < len(chosen):
            raise NetworkError(
                f"QPU {name!r}: comm_qubits={comm_qubits!r} must be an integer in "
                f"[0, {len(chosen) - 1}] for {plural(len(chosen), 'qubit')} "
                "(at least 1 data qubit)")
        if nx.is_connected(graph):
            lengths = dict(nx.all_pairs_shortest_path_length(graph))
            score = {q: sum(lengths[q].values()) for q in chosen}
        else:
            score = dict.fromkeys(chosen, 0)  # the QPUDevice check reports it
        comm_list = sorted(sorted(chosen, key=lambda q: (score[q], q))[:comm_qubits])
    else:
        comm_list = sorted(int(q) for q in comm)
        stray = [q for q in comm_list if q not in members]
        if stray:
            raise NetworkError(f"QPU {name!r}: comm qubits {stray} are not among its qubits")
    data = sorted(q for q in chosen if q not in set(comm_list))
    order = data + comm_list
    local = {q: i for i, q in enumerate(order)}
    target = Target(description=f"{name} from {label}", num_qubits=len(order), dt=source.dt,
                    qubit_properties=_sub_properties(source, order))
    for op_name in source.operation_names:
        op = source.operation_from_name(op_name)
        if not isinstance(op, Instruction):  # a control-flow class: the network adds it
            continue
        props = source[op_name]
        if props is None or None in props:  # global: available on every (pair of) qubit(s)
            qargs_list = _all_qargs(op.num_qubits, len(order))
            new = {q: props.get(None) if props else None for q in qargs_list}
        else:
            new = {tuple(local[q] for q in qargs): p for qargs, p in props.items()
                   if set(qargs) <= members}
        if new:
            target.add_instruction(op, new, name=op_name)
    return QPUDevice(name, target, len(comm_list), tuple(order), label)


def _sub_properties(source: Target, order: list[int]) -> list[QubitProperties] | None:
    props = source.qubit_properties
    if not props:
        return None
    return [props[q] if props[q] is not None else QubitProperties() for q in order]


def _all_qargs(arity: int, n: int) -> list[tuple[int, ...]]:
    return list(itertools.permutations(range(n), arity))


# --------------------------------------------------------------------------- the target
class NetworkTarget(Target):
    """A Qiskit ``Target`` for a whole network; remembers the network it describes.

    Build it with :func:`network_to_target`. Besides the Target itself it carries
    ``network`` (the :class:`~dqc.network.Network`) and ``devices`` (the
    :class:`QPUDevice` of each device QPU, by name); both survive pickling and
    copying, so ``transpile`` can ship it to worker processes.
    """

    def __init__(self, description: str | None = None, num_qubits: int | None = 0,
                 *args: Any, network: Network | None = None,
                 devices: Mapping[str, QPUDevice] | None = None, **kwargs: Any) -> None:
        # Target is constructed in __new__; nothing else to pass up
        self.network = network
        self.devices = dict(devices or {})

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["dqc"] = (self.network, self.devices)
        return state

    def __setstate__(self, state: dict) -> None:
        self.network, self.devices = state.pop("dqc")
        super().__setstate__(state)

    def qpu_of_qubit(self) -> list[str]:
        """The QPU name of every Target qubit (see :func:`qpu_of_qubit`)."""
        if self.network is None:
            raise NetworkError("this NetworkTarget has no network")
        return qpu_of_qubit(self.network)


def network_to_target(network: Network, *, devices: Iterable[QPUDevice] = (),
                      basis: Sequence[str] | None = None) -> NetworkTarget:
    """A Qiskit Target for the whole network (see the module docstring for its contents).

    Args:
        network: The network.
        devices: Hardware for some QPUs, matched by name; each must have the same
            numbers of data and comm qubits as the network's QPU of that name.
        basis: Gate names (Qiskit standard gates) of the QPUs without a device, each
            on every qubit or ordered pair of qubits of the QPU. Default: dqc's own
            basis (:data:`dqc.gates.ONE_QUBIT_BASIS`, :data:`dqc.gates.TWO_QUBIT_BASIS`
            and ``swap``), so compiled circuits need no translation. Qiskit's
            optimization levels 2-3 resynthesise two-qubit blocks into any gate of an
            overcomplete basis like this one and do not always pick the same one; a
            small basis such as ``("cx", "rz", "sx", "x")`` gives repeatable output.

    Returns:
        A :class:`NetworkTarget` (a ``Target`` that also remembers ``network`` and
        ``devices``).

    Raises:
        NetworkError: A device names no QPU of the network or does not match it.

    Examples:
        >>> from dqc.network import Network
        >>> t = network_to_target(Network.all_to_all(3, data_qubits=1, comm_qubits=1))
        >>> sorted(t["epr"])[:4], "if_else" in t.operation_names
        ([(1, 3), (1, 5), (3, 1), (3, 5)], True)
    """
    one_q, two_q = _plain_basis(basis)
    by_name = _devices_by_name(network, devices)
    blocks = _blocks(network)
    target = NetworkTarget(
        description=f"dqc network {network.name or ''}: {network.summary()}".replace("  ", " "),
        num_qubits=sum(d + c for _, d, c in blocks), dt=_common_dt(network, by_name),
        qubit_properties=_qubit_properties(network, blocks, by_name), network=network,
        devices=by_name)
    for op_name, (op, props) in _local_instructions(network, blocks, by_name,
                                                    one_q, two_q).items():
        target.add_instruction(op, props, name=op_name)
    epr = _epr_properties(network, blocks)
    if epr:
        target.add_instruction(EPRGate(), epr)
    target.add_instruction(IfElseOp, name="if_else")
    return target


def _plain_basis(basis: Sequence[str] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The one- and two-qubit gates of QPUs without a device (``basis`` checked)."""
    if basis is None:
        return ONE_QUBIT_BASIS, PLAIN_TWO_QUBIT
    standard = get_standard_gate_name_mapping()
    unknown = [g for g in basis if g not in standard or g in PLAIN_NON_GATES]
    if unknown:
        raise NetworkError(
            f"basis names {unknown}, which are not Qiskit standard gates")
    one_q = tuple(g for g in basis if standard[g].num_qubits == 1)
    two_q = tuple(g for g in basis if standard[g].num_qubits == 2)
    wider = [g for g in basis if standard[g].num_qubits > 2]
    if wider or not two_q:
        raise NetworkError(
            f"basis {list(basis)} must have one- and two-qubit gates only, at least one "
            "two-qubit gate")
    return one_q, two_q


def _devices_by_name(network: Network, devices: Iterable[QPUDevice]) -> dict[str, QPUDevice]:
    """The devices by QPU name, each checked against the network's QPU of that name."""
    by_name: dict[str, QPUDevice] = {}
    for dev in devices:
        if not isinstance(dev, QPUDevice):
            raise NetworkError(f"devices must be QPUDevice objects, got {type(dev).__name__}")
        qpu = network.qpu(dev.name)
        if (qpu.data_qubits, qpu.comm_qubits) != (dev.data_qubits, dev.comm_qubits):
            raise NetworkError(
                f"device {dev.name!r} has {dev.data_qubits} data + "
                f"{plural(dev.comm_qubits, 'comm qubit')} but the network's QPU has "
                f"{qpu.data_qubits} + {qpu.comm_qubits}")
        if dev.name in by_name:
            raise NetworkError(f"two devices for QPU {dev.name!r}")
        by_name[dev.name] = dev
    return by_name


def _common_dt(network: Network, by_name: Mapping[str, QPUDevice]) -> float | None:
    """The devices' ``dt`` when every QPU has a device and they all agree, else None."""
    dts = {dev.target.dt for dev in by_name.values()}
    if len(dts) == 1 and all(qpu.name in by_name for qpu in network.qpus):
        return dts.pop()
    return None


def _qubit_properties(network: Network, blocks: list[tuple[int, int, int]],
                      by_name: Mapping[str, QPUDevice]) -> list[QubitProperties]:
    """Per Target qubit: its device's qubit properties, or the T2 of its QPU's technology."""
    qubit_props: list[QubitProperties] = []
    for qpu, (_, d, c) in zip(network.qpus, blocks):
        device = by_name.get(qpu.name)
        if device is not None and device.target.qubit_properties:
            qubit_props += list(device.target.qubit_properties)
        else:
            t2 = qpu.technology.t2_s if qpu.technology is not None else None
            qubit_props += [QubitProperties(t2=t2) for _ in range(d + c)]
    return qubit_props


_Table = dict[str, tuple[Instruction, dict[tuple[int, ...], InstructionProperties | None]]]


def _local_instructions(network: Network, blocks: list[tuple[int, int, int]],
                        by_name: Mapping[str, QPUDevice], one_q: Sequence[str],
                        two_q: Sequence[str]) -> _Table:
    """Every QPU-local instruction by name: the operation and its properties per qargs.

    A device QPU brings its own instructions (renumbered to Target qubits); a plain
    QPU has ``one_q`` and the non-gates on every qubit and ``two_q`` on every ordered
    pair, with figures from its technology.
    """
    standard = get_standard_gate_name_mapping()
    table: _Table = {}

    def add(op: Instruction, qargs: tuple[int, ...], props: InstructionProperties | None,
            name: str | None = None) -> None:
        entry = table.setdefault(name or op.name, (op, {}))
        entry[1][qargs] = props

    for qpu, (start, d, c) in zip(network.qpus, blocks):
        device = by_name.get(qpu.name)
        if device is not None:
            for op_name in device.target.operation_names:
                op = device.target.operation_from_name(op_name)
                for qargs, props in device.target[op_name].items():
                    add(op, tuple(start + q for q in qargs), props, op_name)
            continue
        tech = qpu.technology
        local = range(start, start + d + c)
        for name in (*one_q, *PLAIN_NON_GATES):
            props = _plain_props(name, tech)
            for q in local:
                add(standard[name], (q,), props)
        for name in two_q:
            props = _plain_props(name, tech)
            for a, b in itertools.permutations(local, 2):
                add(standard[name], (a, b), props)
    return table


def _epr_properties(network: Network, blocks: list[tuple[int, int, int]]
                    ) -> dict[tuple[int, int], InstructionProperties]:
    """``epr`` on every ordered pair of comm qubits of two linked QPUs, with the link's
    figures (``duration = 1 / rate_hz``, ``error = 1 - fidelity``)."""
    epr: dict[tuple[int, int], InstructionProperties] = {}
    for link in network.links:
        comm_a = _comm_range(blocks[network.index(link.a)])
        comm_b = _comm_range(blocks[network.index(link.b)])
        props = InstructionProperties(duration=1.0 / link.rate_hz, error=1.0 - link.fidelity)
        for a in comm_a:
            for b in comm_b:
                epr[(a, b)] = props
                epr[(b, a)] = props
    return epr


def _comm_range(block: tuple[int, int, int]) -> range:
    start, d, c = block
    return range(start + d, start + d + c)


def _plain_props(name: str, tech: Any) -> InstructionProperties | None:
    if tech is None or name == "delay":
        return None
    if name == "measure":
        return InstructionProperties(duration=tech.measure_s, error=tech.error_measure)
    if name == "reset":
        return InstructionProperties(duration=tech.reset_s)
    if get_standard_gate_name_mapping()[name].num_qubits == 2:
        return InstructionProperties(duration=tech.gate_2q_s, error=tech.error_2q)
    if name == "id":
        return InstructionProperties(duration=tech.gate_1q_s, error=0.0)
    return InstructionProperties(duration=tech.gate_1q_s, error=tech.error_1q)


def local_coupling_map(target: Target) -> CouplingMap:
    """The coupling map of every two-qubit instruction except ``epr``: QPU-local edges.

    This is the graph a router may move qubits along; ``epr`` edges join QPUs and
    carry only Bell pairs, never a SWAP.

    Examples:
        >>> from dqc.network import Network
        >>> cm = local_coupling_map(network_to_target(Network.line(2, data_qubits=1,
        ...                                                        comm_qubits=1)))
        >>> sorted(cm.get_edges())
        [(0, 1), (1, 0), (2, 3), (3, 2)]
    """
    edges = set()
    for name in target.operation_names:
        if name == _EPR:
            continue
        props = target[name]
        if not props:
            continue
        for qargs in props:
            if qargs is not None and len(qargs) == 2:
                edges.add(qargs)
    cm = CouplingMap(sorted(edges))
    for q in range(target.num_qubits or 0):
        if q not in cm.physical_qubits:
            cm.add_physical_qubit(q)
    return cm


def target_to_network(target: Target, *, name: str = "") -> Network:
    """The network a Target describes.

    A :class:`NetworkTarget` returns the network it was built from. Any other Target
    is read from its structure: comm qubits are the qubits of ``epr`` instructions,
    QPUs are the connected groups of qubits joined by other two-qubit instructions,
    each a contiguous block of data qubits followed by its comm qubits (dqc's order;
    QPUs are named ``qpu0``, ``qpu1``, ... by first qubit), links join QPUs with an
    ``epr`` between them, with ``rate_hz = 1 / duration`` and ``fidelity = 1 - error``
    of that ``epr`` when known (defaults otherwise). Technology profiles are not
    recovered from a plain Target.

    Raises:
        NetworkError: The Target has no ``epr`` between some QPUs it would need, or
            its qubits are not in dqc's order.

    Examples:
        >>> from dqc.network import Network
        >>> from qiskit.circuit.library import CXGate
        >>> plain = Target(num_qubits=4)
        >>> plain.add_instruction(CXGate(), {(0, 1): None, (2, 3): None})
        >>> plain.add_instruction(EPRGate(), {(1, 3): InstructionProperties(duration=0.5)})
        >>> net = target_to_network(plain)
        >>> [(q.name, q.data_qubits, q.comm_qubits) for q in net.qpus]
        [('qpu0', 1, 1), ('qpu1', 1, 1)]
        >>> net.links[0].key, net.links[0].rate_hz
        ('qpu0-qpu1', 2.0)
    """
    if isinstance(target, NetworkTarget) and target.network is not None:
        return target.network
    n = target.num_qubits or 0
    if _EPR not in target.operation_names:
        raise NetworkError("the Target has no 'epr' instruction, so no comm qubits or links")
    epr_props = target[_EPR]
    comm = sorted({q for qargs in epr_props if qargs is not None for q in qargs})
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(local_coupling_map(target).get_edges())
    groups = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: c[0])
    qpus, owner = [], {}
    comm_set = set(comm)
    for k, group in enumerate(groups):
        if group != list(range(group[0], group[-1] + 1)):
            raise NetworkError(
                f"QPU of qubits {group} is not a contiguous block of Target qubits; dqc "
                "numbers each QPU's qubits together (data, then comm)")
        flags = [q in comm_set for q in group]
        if flags != sorted(flags):
            raise NetworkError(
                f"QPU of qubits {group} has comm qubits {[q for q in group if q in comm_set]} "
                "before data qubits; dqc numbers data qubits first")
        qpu_name = f"qpu{k}"
        data = flags.count(False)
        if data == 0:
            raise NetworkError(f"QPU of qubits {group} has no data qubit")
        qpus.append(QPU(qpu_name, data, len(group) - data))
        owner.update(dict.fromkeys(group, qpu_name))
    links: dict[tuple[str, str], Link] = {}
    for qargs, props in sorted(epr_props.items(), key=lambda kv: kv[0] or ()):
        if qargs is None:
            raise NetworkError("'epr' is global in this Target; it must name comm-qubit pairs")
        a, b = sorted((owner[qargs[0]], owner[qargs[1]]), key=lambda s: int(s[3:]))
        if a == b or (a, b) in links:
            continue
        rate, fidelity = DEFAULT_RATE_HZ, DEFAULT_FIDELITY
        if props is not None and props.duration:
            rate = 1.0 / props.duration
        if props is not None and props.error is not None and not math.isnan(props.error):
            fidelity = 1.0 - props.error
        links[(a, b)] = Link(a, b, rate_hz=rate, fidelity=fidelity)
    return Network(tuple(qpus), tuple(links.values()), name)

