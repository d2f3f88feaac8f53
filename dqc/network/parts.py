"""The parts of a network: a :class:`QPU` and a :class:`Link` between two QPUs.

Both are frozen, validated values; :class:`~dqc.network.model.Network` puts them
together. A link is either direct (its ebit rate and latency given) or physical (its
fibre given; rate and latency derived by :mod:`dqc.network.physics`).

Examples:
    >>> QPU("a", 4, 1)
    QPU(name='a', data_qubits=4, comm_qubits=1)
    >>> Link("a", "b", rate_hz=5.0).key
    'a-b'
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from typing import Any, cast

from dqc.errors import NetworkError
from dqc.network.physics import (
    AT_LEAST_ZERO,
    DEFAULT_TECHNOLOGY,
    FRACTION,
    HERALDING,
    POSITIVE,
    TECHNOLOGIES,
    Rule,
    Technology,
    check_count,
    check_number,
    is_real,
    link_latency_s,
    link_rate_hz,
)
from dqc.network.physics import technology as resolve_technology
from dqc.network.purification import SCHEMES

__all__ = ["DEFAULTS_TEXT", "DEFAULT_FIDELITY", "DEFAULT_LATENCY_S", "DEFAULT_LINKS_TEXT",
           "DEFAULT_RATE_HZ", "QPU", "Link"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Link defaults (a direct link when no physical description is given): the photonic
#: link between two trapped-ion modules ~2 m apart of Stephenson et al., "High-rate,
#: high-fidelity entanglement of qubits across an elementary quantum network",
#: PRL 124, 110501 (2020) — 182 Bell pairs per second at fidelity 0.94 (the figures of
#: ``targets/lab2.toml``; unconfirmed there, quoted from the paper's abstract) — the link
#: on which Main et al., Nature 638, 383 (2025) ran the first distributed quantum
#: algorithm (:data:`~dqc.network.physics.DEFAULT_TECHNOLOGY` says why ions). Latency:
#: ~10 ns of flight over 2 m, so heralding and control electronics set it, ~10 us
#: (estimate, as in ``targets/lab2.toml``).
DEFAULT_RATE_HZ = 182.0
DEFAULT_LATENCY_S = 1e-5
DEFAULT_FIDELITY = 0.94
#: The defaults in words, for messages that say a default was assumed.
DEFAULT_LINKS_TEXT = (f"{DEFAULT_RATE_HZ:g} Hz photonic links of fidelity {DEFAULT_FIDELITY:g} "
                      f"and {DEFAULT_LATENCY_S * 1e6:g} us latency "
                      "(Oxford ion network: Stephenson et al. 2020, Main et al. 2025)")
DEFAULTS_TEXT = f"{DEFAULT_TECHNOLOGY.name} QPUs joined by {DEFAULT_LINKS_TEXT}"
#: The figures that describe a link directly, and those that describe it physically.
DIRECT_KEYS = ("rate_hz", "latency_s")
PHYSICAL_KEYS = ("length_km", "loss_db_per_km", "attempt_rate_hz", "efficiency",
                 "electronics_s", "heralding")
#: The figures of purification and storage (:mod:`dqc.network.purification`).
PURIFICATION_KEYS = ("purification", "purification_rounds", "cutoff_s")
#: The figures of a physical link: the rule each follows.
_PHYSICAL_RULES: tuple[tuple[str, Rule], ...] = (
    ("length_km", AT_LEAST_ZERO),
    ("loss_db_per_km", AT_LEAST_ZERO),
    ("attempt_rate_hz", POSITIVE),
    ("efficiency", FRACTION),
    ("electronics_s", AT_LEAST_ZERO),
)
#: The figures of every link; " and finite" is added to the words for an infinite value.
_LINK_RULES: tuple[tuple[str, Rule], ...] = (
    ("rate_hz", (lambda v: v > 0 and math.isfinite(v), "it must be positive")),
    ("fidelity", (lambda v: 0.5 < v <= 1, "it must be in (0.5, 1]")),
    ("latency_s", (lambda v: v >= 0 and math.isfinite(v), "it must be >= 0")),
)
_NEEDS = "a physical link needs length_km, attempt_rate_hz and efficiency"


@dataclass(frozen=True, repr=False)
class QPU:
    """One quantum processor: data qubits for the program, comm qubits for ebits.

    Args:
        name: Identifier (``[A-Za-z_][A-Za-z0-9_]*``), used as a register name; it
            must not end with ``_comm`` (reserved for the comm-qubit register).
        data_qubits: Number of data qubits, at least 1.
        comm_qubits: Number of communication qubits (the memory budget), at least 0.
        technology: Its technology profile (gate durations, errors, memory T2): a
            :class:`~dqc.network.physics.Technology` or a preset name (``"superconducting"``,
            ``"trapped_ion"``, ``"nv"``). ``None`` (the default) means unspecified;
            schedules then use :data:`~dqc.network.physics.DEFAULT_TECHNOLOGY` and say so.

    Examples:
        >>> QPU("a", 8)
        QPU(name='a', data_qubits=8, comm_qubits=2)
        >>> QPU("b", 16, technology="trapped_ion").profile.gate_2q_s
        0.0001
    """

    name: str
    data_qubits: int
    comm_qubits: int = 2
    technology: Technology | None = None

    @staticmethod
    def from_backend(name: str, backend: Any, *, comm_qubits: int = 2,
                     qubits: Sequence[int] | None = None,
                     comm: Sequence[int] | None = None) -> Any:
        """A QPU built from a Qiskit backend or ``Target`` (its coupling map and basis).

        Returns a :class:`dqc.adapter.target.QPUDevice`; its ``.qpu`` is the plain QPU.
        See :meth:`dqc.adapter.target.QPUDevice.from_backend`.
        """
        from dqc.adapter.target import QPUDevice  # lazy: forwards to the Qiskit adapter

        return QPUDevice.from_backend(name, backend, comm_qubits=comm_qubits,
                                      qubits=qubits, comm=comm)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _IDENTIFIER.fullmatch(self.name):
            raise NetworkError(
                f"QPU name {self.name!r} is not an identifier "
                "(letters, digits, '_'; not starting with a digit)"
            )
        if self.name.endswith("_comm"):
            raise NetworkError(
                f"QPU name {self.name!r} ends with '_comm', which is reserved for "
                "communication-qubit registers"
            )
        owner = f"QPU {self.name!r}"
        object.__setattr__(self, "data_qubits", check_count(owner, "data_qubits",
                                                            self.data_qubits, 1))
        object.__setattr__(self, "comm_qubits", check_count(owner, "comm_qubits",
                                                            self.comm_qubits, 0))
        if self.technology is not None:
            try:
                object.__setattr__(self, "technology", resolve_technology(self.technology))
            except NetworkError as e:
                raise NetworkError(f"QPU {self.name!r}: {e}") from None

    @property
    def profile(self) -> Technology:
        """The technology schedules use: :attr:`technology`, or the default profile."""
        return self.technology if self.technology is not None else DEFAULT_TECHNOLOGY

    def __repr__(self) -> str:
        parts = [f"name={self.name!r}", f"data_qubits={self.data_qubits!r}",
                 f"comm_qubits={self.comm_qubits!r}"]
        if self.technology is not None:
            tech = self.technology
            shown = repr(tech.name) if TECHNOLOGIES.get(tech.name) == tech else repr(tech)
            parts.append(f"technology={shown}")
        return f"QPU({', '.join(parts)})"


@dataclass(frozen=True, repr=False)
class Link:
    """A link between two QPUs: ebits at ``rate_hz`` with ``fidelity``, bits with latency.

    A link is given either **directly** (``rate_hz``, ``latency_s``) or **physically**
    (``length_km`` with ``attempt_rate_hz`` and ``efficiency``, optionally
    ``loss_db_per_km``, ``electronics_s``, ``heralding``), in which case ``rate_hz``
    and ``latency_s`` are computed by :func:`dqc.network.physics.link_rate_hz` and
    :func:`dqc.network.physics.link_latency_s` (formulas and sources in :mod:`dqc.network.physics`).

    Args:
        a: Name of one QPU.
        b: Name of the other QPU (different from ``a``).
        rate_hz: Ebits delivered per second per channel, positive and finite
            (default 182, the Oxford ion link (module constants); computed for a
            physical one).
        fidelity: Bell-pair fidelity, in (0.5, 1] (default 0.94, the Oxford ion link).
        latency_s: One-way classical latency in seconds, finite and >= 0
            (default 10 us for a direct link; computed for a physical one).
        channels: Ebits the link can generate at the same time (parallel sources or
            multiplexed modes), a positive integer; each channel runs at ``rate_hz``.
        length_km: Fibre length; setting it makes the link physical.
        loss_db_per_km: Fibre loss α (0.2 dB/km: telecom fibre at 1550 nm).
        attempt_rate_hz: Entanglement attempts per second the hardware can make.
        efficiency: η in (0, 1], success probability of one attempt without fibre loss.
        electronics_s: Classical latency added to the fibre flight (detection, control).
        heralding: ``"midpoint"`` (a Bell-state station half way; attempt period
            >= L / c) or ``"sender_receiver"`` (>= 2 L / c).
        purification: ``"none"`` (default), ``"bbpssw"`` or ``"dejmps"``: the recurrence
            scheme of :mod:`dqc.network.purification` (Bennett et al. 1996, Deutsch et
            al. 1996).
        purification_rounds: recurrence rounds per delivered pair, an integer >= 0
            (default 0; more than 0 needs a scheme).
        cutoff_s: storage cutoff: a stored half older than this is discarded and its
            pair regenerated; positive and finite, or None (default: no cutoff).

    Raises:
        NetworkError: On a bad figure, a half-given physical description, or a
            ``rate_hz`` / ``latency_s`` that contradicts the physical one.

    Examples:
        >>> Link("a", "b").key
        'a-b'
        >>> fibre = Link("a", "b", length_km=25, attempt_rate_hz=1e6, efficiency=0.004)
        >>> round(fibre.rate_hz, 2), round(fibre.latency_s, 9)   # 8 kHz attempts x p 1.26e-3
        (10.12, 0.001125)
    """

    a: str
    b: str
    rate_hz: float = None  # type: ignore[assignment]  # resolved in __post_init__
    fidelity: float = DEFAULT_FIDELITY
    latency_s: float = None  # type: ignore[assignment]  # resolved in __post_init__
    channels: int = 1
    length_km: float | None = None
    loss_db_per_km: float = 0.2
    attempt_rate_hz: float | None = None
    efficiency: float | None = None
    electronics_s: float = 1e-3
    heralding: str = "midpoint"
    purification: str = "none"
    purification_rounds: int = 0
    cutoff_s: float | None = None

    def __post_init__(self) -> None:
        for end in (self.a, self.b):
            if not isinstance(end, str):
                raise NetworkError(f"link end {end!r} must be a QPU name (a string)")
        if self.a == self.b:
            raise NetworkError(f"link {self.key} joins a QPU to itself")
        object.__setattr__(self, "channels", check_count(f"link {self.key}", "channels",
                                                         self.channels, 1))
        if self.physical:
            self._resolve_physics()
        else:
            self._resolve_direct()
        for attr, (ok, says) in _LINK_RULES:
            value = getattr(self, attr)
            if is_real(value) and not math.isfinite(value):
                says += " and finite"
            object.__setattr__(self, attr, check_number(f"link {self.key}", attr, value,
                                                        (ok, says)))
        self._check_purification()

    def _check_purification(self) -> None:
        """The scheme, its rounds and the cutoff (:mod:`dqc.network.purification`)."""
        owner = f"link {self.key}"
        if self.purification not in SCHEMES:
            raise NetworkError(
                f"{owner} has purification={self.purification!r}; "
                f"it must be one of {', '.join(map(repr, SCHEMES))}")
        rounds = check_count(owner, "purification_rounds", self.purification_rounds, 0)
        object.__setattr__(self, "purification_rounds", rounds)
        if rounds and self.purification == "none":
            raise NetworkError(
                f"{owner} has purification_rounds={rounds} but purification='none'; "
                "name a scheme ('bbpssw' or 'dejmps')")
        if self.cutoff_s is not None:
            object.__setattr__(self, "cutoff_s", check_number(owner, "cutoff_s", self.cutoff_s,
                                                              POSITIVE))

    def _resolve_direct(self) -> None:
        """A direct link: no physical figure set; rate and latency default."""
        for attr in ("attempt_rate_hz", "efficiency"):
            if getattr(self, attr) is not None:
                raise NetworkError(
                    f"link {self.key} has {attr}={getattr(self, attr)!r} but no length_km; "
                    f"{_NEEDS}")
        for attr in ("loss_db_per_km", "electronics_s", "heralding"):
            if getattr(self, attr) != link_default(attr):
                raise NetworkError(
                    f"link {self.key} has {attr}={getattr(self, attr)!r} but no length_km; "
                    "it only applies to a physical link")
        if self.rate_hz is None:
            object.__setattr__(self, "rate_hz", DEFAULT_RATE_HZ)
        if self.latency_s is None:
            object.__setattr__(self, "latency_s", DEFAULT_LATENCY_S)

    def _resolve_physics(self) -> None:
        """A physical link: its figures checked, rate and latency derived from them."""
        for attr, rule in _PHYSICAL_RULES:
            value = getattr(self, attr)
            if value is None:
                raise NetworkError(
                    f"link {self.key} has length_km={self.length_km!r} but no {attr}; {_NEEDS}")
            object.__setattr__(self, attr, check_number(f"link {self.key}", attr, value, rule))
        if self.heralding not in HERALDING:
            raise NetworkError(
                f"link {self.key} has heralding={self.heralding!r}; "
                f"it must be one of {', '.join(map(repr, HERALDING))}")
        length = cast(float, self.length_km)  # all checked above
        rate = link_rate_hz(length, attempt_rate_hz=cast(float, self.attempt_rate_hz),
                            efficiency=cast(float, self.efficiency),
                            loss_db_per_km=self.loss_db_per_km, heralding=self.heralding)
        latency = link_latency_s(length, electronics_s=self.electronics_s)
        for attr, derived, unit in (("rate_hz", rate, "Hz"), ("latency_s", latency, "s")):
            given = getattr(self, attr)
            if given is not None and not (
                is_real(given) and math.isclose(given, derived, rel_tol=1e-9, abs_tol=1e-15)
            ):
                raise NetworkError(
                    f"link {self.key} has {attr}={given!r} but its physical description "
                    f"(length_km={self.length_km:g}) gives {derived:.6g} {unit}; "
                    f"give {attr} or the physical figures, not both")
            object.__setattr__(self, attr, derived)
        if rate <= 0:
            raise NetworkError(
                f"link {self.key} has rate_hz={rate!r}; it must be positive "
                f"(length_km={self.length_km:g} at {self.loss_db_per_km:g} dB/km leaves "
                "no photons)")

    @property
    def key(self) -> str:
        """The link's name in reports, ``"a-b"`` in declared orientation."""
        return f"{self.a}-{self.b}"

    @property
    def physical(self) -> bool:
        """Whether the link is described physically (``length_km`` is set)."""
        return self.length_km is not None

    def evolve(self, **changes: Any) -> Link:
        """A copy with some fields changed, re-deriving rate and latency when physical.

        Setting ``rate_hz`` or ``latency_s`` on a physical link turns it into a direct
        link (the other derived figure is kept as it was).

        Examples:
            >>> fibre = Link("a", "b", length_km=10, attempt_rate_hz=1e3, efficiency=0.1)
            >>> round(fibre.evolve(length_km=60).rate_hz, 3)         # 12 dB of fibre
            6.31
            >>> fibre.evolve(rate_hz=5.0).physical
            False
        """
        unknown = sorted(set(changes) - {f.name for f in dataclass_fields(self)})
        if unknown:
            raise NetworkError(f"Link has no field {unknown[0]!r}")
        current = {f.name: getattr(self, f.name) for f in dataclass_fields(self)}
        if self.physical:
            if set(changes) & set(DIRECT_KEYS):
                for k in PHYSICAL_KEYS:
                    current[k] = link_default(k)
            else:
                current["rate_hz"] = current["latency_s"] = None
        current.update(changes)
        return Link(**current)

    def __repr__(self) -> str:
        parts = [f"a={self.a!r}", f"b={self.b!r}", f"rate_hz={self.rate_hz!r}",
                 f"fidelity={self.fidelity!r}", f"latency_s={self.latency_s!r}"]
        for f in dataclass_fields(self)[5:]:
            value = getattr(self, f.name)
            if value != f.default:
                parts.append(f"{f.name}={value!r}")
        return f"Link({', '.join(parts)})"



def link_default(name: str) -> Any:
    """The default of :class:`Link` field ``name``."""
    return Link.__dataclass_fields__[name].default
