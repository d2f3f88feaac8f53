"""The sweep spec: a TOML file naming circuits, networks, a grid of parameters and seeds.

A spec (``examples/sweep.toml`` is a complete one)::

    seeds = [0, 1]                      # compiler seeds (default [0])

    [[circuits]]
    file = "benchmarks/circuits/ghz_n40.qasm"   # a file or a glob, relative to the spec
    [[circuits]]
    family = "qft"                      # generated: qft, qv (quantum volume), ghz
    sizes = [6, 8]
    seed = 1                            # qv only: the seed of quantum_volume (default 0)

    [[networks]]
    preset = "metro4"                   # a preset of `dqc targets`
    [[networks]]
    file = "my_network.toml"            # a network TOML file, relative to the spec
    [[networks]]
    factory = "ring"                    # all-to-all, line, ring, star
    qpus = 4
    data_qubits = 10                    # omitted: ceil(circuit qubits / qpus), per circuit
    comm_qubits = 2                     # and rate_hz, fidelity, latency_s, technology
    name = "ring4"                      # optional row label

    [grid]                              # any key of `dqc estimate --sweep`
    mode = "product"                    # or "zip" (every list the same length)
    "link.rate_hz" = [10, 100, 1000]
    "qpu.comm_qubits" = [2, 3]

    [compute]
    schedule = true                     # schedule and verdict (default true)
    verify = false                      # dqc.verify each compiled circuit
    requirements = false                # dqc.requirements per point
    samples = 0                         # Monte Carlo draws of ebit generation times
    reuse = false                       # reuse data qubits (as dqc compile --reuse)
    time_limit_s = 600                  # per point, compile included

Every mistake is a :class:`SpecError` naming the key and its value.

Examples:
    >>> spec = parse_spec({"circuits": [{"family": "ghz", "sizes": [4]}],
    ...                    "networks": [{"factory": "line", "qpus": 2}],
    ...                    "grid": {"link.rate_hz": [10, 100]}})
    >>> [c.name for c in spec.circuits], spec.grid, spec.seeds
    (['ghz_n4'], ((('link.rate_hz', 10.0),), (('link.rate_hz', 100.0),)), (0,))
    >>> parse_spec({"circuits": [{"family": "qft", "sizes": [4]}],
    ...             "networks": [{"preset": "lab2"}], "grid": {"link.speed": [1]}})
    Traceback (most recent call last):
    ...
    dqc.sweeps.spec.SpecError: spec: [grid] key 'link.speed' is not a sweep key; known: ...
"""

from __future__ import annotations

import glob
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit.library import quantum_volume
from qiskit.synthesis import synth_qft_full

import dqc.targets as targets
from dqc.errors import DQCError
from dqc.estimate import SWEEP_KEYS
from dqc.loading import load_circuit
from dqc.network import Network
from dqc.network.toml import tomllib
from dqc.network.topology import TOPOLOGIES

__all__ = ["CircuitSource", "Compute", "NetworkSource", "Spec", "SpecError", "load_spec",
           "parse_spec"]

FAMILIES = ("qft", "qv", "ghz")
_FACTORY_OPTIONS = ("qpus", "data_qubits", "comm_qubits", "rate_hz", "fidelity", "latency_s",
                    "technology", "name")
_INTEGER_KEYS = ("link.channels", "link.purification_rounds", "qpu.comm_qubits")


class SpecError(DQCError):
    """A sweep spec is invalid: the message names the key and its value."""


@dataclass(frozen=True)
class CircuitSource:
    """One circuit of the sweep: its row label and the circuit."""

    name: str
    circuit: QuantumCircuit


@dataclass(frozen=True)
class NetworkSource:
    """One network of the sweep: a fixed network, or a factory sized per circuit.

    Attributes:
        name: the row label.
        network: the network, or None for a factory without ``data_qubits``.
        factory: ``(topology, options)`` to build it per circuit when ``network`` is None.
    """

    name: str
    network: Network | None = None
    factory: tuple[str, tuple[tuple[str, Any], ...]] | None = None

    def build(self, num_qubits: int) -> Network:
        """The network for a circuit of ``num_qubits`` qubits.

        Examples:
            >>> src = NetworkSource("line2", factory=("line", (("qpus", 2),)))
            >>> src.build(5).total_data_qubits      # ceil(5 / 2) per QPU
            6
        """
        if self.network is not None:
            return self.network
        assert self.factory is not None
        topology, options = self.factory
        opts = dict(options)
        qpus = opts.pop("qpus")
        opts.setdefault("data_qubits", max(1, math.ceil(num_qubits / qpus)))
        return Network.from_topology(topology, qpus, **opts)


@dataclass(frozen=True)
class Compute:
    """What to compute per point (the ``[compute]`` table)."""

    schedule: bool = True
    verify: bool = False
    requirements: bool = False
    samples: int = 0
    time_limit_s: float | None = 600.0
    reuse: bool = False


@dataclass(frozen=True)
class Spec:
    """A parsed spec: circuits × networks × grid × seeds, and what to compute.

    ``grid`` is the list of parameter settings, each a tuple of ``(key, value)`` pairs
    (empty: the networks as given).
    """

    circuits: tuple[CircuitSource, ...]
    networks: tuple[NetworkSource, ...]
    grid: tuple[tuple[tuple[str, Any], ...], ...]
    keys: tuple[str, ...]
    seeds: tuple[int, ...] = (0,)
    compute: Compute = field(default_factory=Compute)

    @property
    def size(self) -> int:
        """The number of points."""
        return len(self.circuits) * len(self.networks) * len(self.grid) * len(self.seeds)


def load_spec(path: str | Path) -> Spec:
    """Read and check the spec in TOML file ``path`` (relative paths inside are relative
    to the file's folder)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SpecError(f"sweep spec '{path}' not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"sweep spec '{path}' is not valid TOML: {exc}") from None
    return parse_spec(data, base=path.parent, source=str(path))


def parse_spec(data: Mapping[str, Any], *, base: str | Path = ".",
               source: str = "spec") -> Spec:
    """Check a parsed spec (a dict as :mod:`tomllib` gives it) and build the :class:`Spec`."""
    where = source
    _known(data, ("circuits", "networks", "grid", "seeds", "compute"), "", where)
    circuits = tuple(c for i, entry in enumerate(_entries(data, "circuits", where))
                     for c in _circuits(entry, i, Path(base), where))
    networks = tuple(_network(entry, i, Path(base), where)
                     for i, entry in enumerate(_entries(data, "networks", where)))
    keys, grid = _grid(data.get("grid", {}), where)
    seeds = _int_list(data.get("seeds", [0]), "seeds", where)
    compute = _compute(data.get("compute", {}), where)
    _unique([c.name for c in circuits], "circuit", where)
    _unique([n.name for n in networks], "network", where)
    return Spec(circuits, networks, grid, keys, tuple(seeds), compute)


# ------------------------------------------------------------------------- helpers
def _known(table: Mapping[str, Any], known: Sequence[str], name: str, where: str) -> None:
    for key in table:
        if key not in known:
            label = f"[{name}] key" if name else "key"
            raise SpecError(f"{where}: unknown {label} {key!r}; known: {', '.join(known)}")


def _entries(data: Mapping[str, Any], name: str, where: str) -> list[Mapping[str, Any]]:
    entries = data.get(name)
    if not isinstance(entries, list) or not entries or not all(
            isinstance(e, dict) for e in entries):
        raise SpecError(f"{where}: needs at least one [[{name}]] table, got {entries!r}")
    return entries


def _unique(names: list[str], what: str, where: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise SpecError(f"{where}: two {what}s are named {name!r}; give one a `name`")
        seen.add(name)


def _int_list(value: Any, key: str, where: str) -> list[int]:
    if not isinstance(value, list) or not value or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise SpecError(f"{where}: {key} must be a non-empty list of integers, got {value!r}")
    return list(value)


def _circuits(entry: Mapping[str, Any], i: int, base: Path,
              where: str) -> list[CircuitSource]:
    here = f"{where}: [[circuits]] #{i + 1}"
    _known(entry, ("file", "family", "sizes", "seed", "name"), "circuits", where)
    if ("file" in entry) == ("family" in entry):
        raise SpecError(f"{here} needs exactly one of `file` or `family`, got {dict(entry)!r}")
    if "file" in entry:
        return _files(entry["file"], base, here)
    family = entry["family"]
    if family not in FAMILIES:
        raise SpecError(f"{here}: family {family!r} is not one of {', '.join(FAMILIES)}")
    seed = entry.get("seed", 0)
    return [CircuitSource(_family_name(family, n, seed), generate(family, n, seed))
            for n in _int_list(entry.get("sizes"), "sizes", here)]


def _files(pattern: Any, base: Path, here: str) -> list[CircuitSource]:
    if not isinstance(pattern, str):
        raise SpecError(f"{here}: file must be a path or glob, got {pattern!r}")
    full = pattern if Path(pattern).is_absolute() else str(base / pattern)
    paths = sorted(glob.glob(full)) if glob.has_magic(pattern) else [full]
    if not paths:
        raise SpecError(f"{here}: file {pattern!r} matches no file")
    return [CircuitSource(Path(p).stem, load_circuit(p)) for p in paths]


def _family_name(family: str, n: int, seed: int) -> str:
    return f"qv_n{n}_s{seed}" if family == "qv" else f"{family}_n{n}"


def generate(family: str, n: int, seed: int = 0) -> QuantumCircuit:
    """A generated circuit: ``qft`` (no final swaps), ``qv`` (Qiskit's quantum volume with
    ``seed``) or ``ghz`` (measured), on ``n`` qubits.

    Examples:
        >>> generate("ghz", 3).count_ops()["cx"], generate("qft", 3).num_qubits
        (2, 3)
    """
    if n < 2:
        raise SpecError(f"circuit family {family}: sizes must be at least 2, got {n}")
    if family == "qft":
        return synth_qft_full(n, do_swaps=False)
    if family == "qv":
        return quantum_volume(n, seed=seed)
    qc = QuantumCircuit(n, n)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure(range(n), range(n))
    return qc


def _network(entry: Mapping[str, Any], i: int, base: Path, where: str) -> NetworkSource:
    here = f"{where}: [[networks]] #{i + 1}"
    kinds = [k for k in ("preset", "file", "factory") if k in entry]
    if len(kinds) != 1:
        raise SpecError(f"{here} needs exactly one of `preset`, `file` or `factory`, "
                        f"got {dict(entry)!r}")
    kind = kinds[0]
    if kind != "factory":
        _known(entry, (kind, "name"), "networks", where)
        value = entry[kind]
        if kind == "preset" and value not in targets.available():
            raise SpecError(f"{here}: preset {value!r} is not one of "
                            f"{', '.join(targets.available())}")
        path = value if kind == "preset" else str(base / value)
        net = targets.load(path) if kind == "preset" else Network.from_toml(path)
        return NetworkSource(entry.get("name", Path(value).stem), network=net)
    _known(entry, ("factory", *_FACTORY_OPTIONS), "networks", where)
    factory = entry["factory"]
    if factory not in TOPOLOGIES:
        raise SpecError(f"{here}: factory {factory!r} is not one of {', '.join(TOPOLOGIES)}")
    if not isinstance(entry.get("qpus"), int) or entry["qpus"] < 1:
        raise SpecError(f"{here}: factory needs qpus = a positive integer, "
                        f"got {entry.get('qpus')!r}")
    options = tuple(sorted((k, v) for k, v in entry.items() if k not in ("factory", "name")))
    source = NetworkSource(entry.get("name", f"{factory}{entry['qpus']}"),
                           factory=(factory, options))
    built = source.build(entry["qpus"])  # a bad figure fails now, before any work
    return NetworkSource(source.name, network=built) if "data_qubits" in entry else source


def _grid(table: Any, where: str) -> tuple[tuple[str, ...], tuple[tuple[tuple[str, Any],
                                                                        ...], ...]]:
    if not isinstance(table, dict):
        raise SpecError(f"{where}: [grid] must be a table, got {table!r}")
    mode = table.get("mode", "product")
    if mode not in ("product", "zip"):
        raise SpecError(f"{where}: [grid] mode must be 'product' or 'zip', got {mode!r}")
    keys = tuple(k for k in table if k != "mode")
    if not keys:
        return (), ((),)
    values = [_grid_values(table[k], k, where) for k in keys]
    if mode == "zip" and len({len(v) for v in values}) > 1:
        lengths = ", ".join(f"{k}: {len(v)}" for k, v in zip(keys, values))
        raise SpecError(f"{where}: [grid] mode 'zip' needs lists of one length, got {lengths}")
    rows = itertools.product(*values) if mode == "product" else zip(*values)
    return keys, tuple(tuple(zip(keys, row)) for row in rows)


def _grid_values(values: Any, key: str, where: str) -> list[Any]:
    if key not in SWEEP_KEYS:
        raise SpecError(f"{where}: [grid] key {key!r} is not a sweep key; known: "
                        f"{', '.join(SWEEP_KEYS)}")
    if not isinstance(values, list) or not values:
        raise SpecError(f"{where}: [grid] {key} must be a non-empty list, got {values!r}")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise SpecError(f"{where}: [grid] {key} value {v!r} is not a number")
        if key in _INTEGER_KEYS and not float(v).is_integer():
            raise SpecError(f"{where}: [grid] {key} value {v!r} must be an integer")
        out.append(int(v) if key in _INTEGER_KEYS else float(v))
    return out


def _compute(table: Any, where: str) -> Compute:
    if not isinstance(table, dict):
        raise SpecError(f"{where}: [compute] must be a table, got {table!r}")
    _known(table, ("schedule", "verify", "requirements", "samples", "time_limit_s", "reuse"),
           "compute", where)
    for key in ("schedule", "verify", "requirements", "reuse"):
        if not isinstance(table.get(key, False), bool):
            raise SpecError(f"{where}: [compute] {key} must be true or false, "
                            f"got {table[key]!r}")
    samples = table.get("samples", 0)
    if not isinstance(samples, int) or isinstance(samples, bool) or samples < 0:
        raise SpecError(f"{where}: [compute] samples must be a non-negative integer, "
                        f"got {samples!r}")
    limit = table.get("time_limit_s", 600.0)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0:
        raise SpecError(f"{where}: [compute] time_limit_s must be a positive number of "
                        f"seconds, got {limit!r}")
    return Compute(schedule=table.get("schedule", True), verify=table.get("verify", False),
                   requirements=table.get("requirements", False), samples=samples,
                   time_limit_s=float(limit), reuse=table.get("reuse", False))
