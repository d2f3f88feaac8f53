"""Physics of links and QPUs: fibre loss, heralding, and technology profiles.

Two things the scheduler needs and the network model stores:

* **Links given physically.** A link of ``length_km`` of fibre with loss
  ``loss_db_per_km`` (0.2 dB/km, standard telecom fibre at 1550 nm), attempt rate
  ``attempt_rate_hz`` and end-to-end efficiency ``efficiency`` (η, the product of
  source, coupling, frequency-conversion, detector and Bell-state-measurement
  efficiencies of one attempt) succeeds per attempt with probability

      p = η · 10^(−α·L/10)

  (docs/design.md "Words"; the fibre transmission 10^(−αL/10) is the standard
  attenuation law, e.g. Sangouard et al., Rev. Mod. Phys. 83, 33 (2011), §II).
  An attempt is only over when its herald has come back, so attempts cannot
  repeat faster than the heralding round trip. **Model chosen: midpoint
  heralding** (both nodes send a photon to a Bell-state measurement station half
  way, which sends the outcome back: L/2 + L/2 = L of flight, as in the NV and
  ion networks of Pompili et al., Science 372, 259 (2021) and Stephenson et al.,
  PRL 124, 110501 (2020)), so the attempt period is at least ``L / c_fibre``. With
  ``heralding = "sender_receiver"`` (one node emits, the other detects and replies,
  no midpoint station) the round trip is ``2 L / c_fibre``. Then

      rate = min(attempt_rate, 1 / t_herald) · p       latency = L / c_fibre + electronics

  with ``c_fibre`` = 2·10^5 km/s (refractive index ≈ 1.5). Multiplexing (many
  modes per attempt) is modelled as parallel ``channels``, not as a faster attempt.

* **QPU technology profiles** (:class:`Technology`): gate durations, gate
  errors and memory T2 of superconducting, trapped-ion and NV-centre nodes, from
  published figures (cited next to each figure in :data:`TECHNOLOGIES`).

Examples:
    >>> round(success_probability(25.0, efficiency=0.5), 4)      # 5 dB of fibre
    0.1581
    >>> heralding_period_s(25.0)                                 # 25 km / 2e5 km/s
    0.000125
    >>> round(link_rate_hz(25.0, attempt_rate_hz=1e6, efficiency=0.5), 1)
    1264.9
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, cast

from dqc.errors import NetworkError

__all__ = [
    "C_FIBRE_KM_S",
    "DEFAULT_TECHNOLOGY",
    "HERALDING",
    "TECHNOLOGIES",
    "Technology",
    "fibre_transmission",
    "heralding_period_s",
    "link_latency_s",
    "link_rate_hz",
    "success_probability",
    "technology",
]

#: Speed of light in optical fibre, km/s (c / n with n ≈ 1.5; docs/design.md "Words").
C_FIBRE_KM_S = 2.0e5
#: Heralding schemes and the fibre flight per attempt they need, in units of L / c_fibre.
HERALDING = {"midpoint": 1.0, "sender_receiver": 2.0}


# ------------------------------------------------------------- checked figures
#: A rule a figure must follow: its test, and what the error message says otherwise.
Rule = tuple[Callable[[float], bool], str]
#: Durations, lengths, losses: finite and not negative.
AT_LEAST_ZERO: Rule = (lambda v: v >= 0 and math.isfinite(v), "it must be >= 0 and finite")
#: Rates and coherence times: finite and above zero.
POSITIVE: Rule = (lambda v: v > 0 and math.isfinite(v), "it must be positive and finite")
#: Error probabilities: in [0, 1).
PROBABILITY: Rule = (lambda v: 0 <= v < 1, "it must be in [0, 1)")
#: Efficiencies and shares: in (0, 1].
FRACTION: Rule = (lambda v: 0 < v <= 1, "it must be in (0, 1]")


def is_int(value: object) -> bool:
    """Whether ``value`` is an integer (numpy integers too), not a bool.

    Examples:
        >>> is_int(3), is_int(3.0), is_int(True)
        (True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: object) -> bool:
    """Whether ``value`` is a real number (numpy floats too), not a bool.

    Examples:
        >>> is_real(0.5), is_real("0.5"), is_real(False)
        (True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(owner: str, attr: str, value: object, rule: Rule) -> float:
    """``value`` as a float if it is a number that follows ``rule``.

    Args:
        owner: What has the figure, for the message (``"link a-b"``).
        attr: The figure's name.
        value: The figure.
        rule: Its test and the words of the message when the test fails.

    Raises:
        NetworkError: ``"<owner> has <attr>=<value>; it must be a number"`` or
            ``"...; <rule>"``.

    Examples:
        >>> check_number("link a-b", "length_km", 3, AT_LEAST_ZERO)
        3.0
        >>> check_number("link a-b", "length_km", -1, AT_LEAST_ZERO)
        Traceback (most recent call last):
        dqc.errors.NetworkError: link a-b has length_km=-1; it must be >= 0 and finite
    """
    if not is_real(value):
        raise NetworkError(f"{owner} has {attr}={value!r}; it must be a number")
    number, (ok, says) = cast(float, value), rule
    if not ok(number):
        raise NetworkError(f"{owner} has {attr}={value!r}; {says}")
    return float(number)


def check_count(owner: str, attr: str, value: object, minimum: int) -> int:
    """``value`` as an int if it is an integer of at least ``minimum`` (0 or 1).

    Raises:
        NetworkError: ``"<owner> has <attr>=<value>; it must be a positive integer"``
            (``non-negative`` for a minimum of 0).

    Examples:
        >>> check_count("QPU 'a'", "comm_qubits", 0, 0)
        0
        >>> check_count("QPU 'a'", "data_qubits", 0, 1)
        Traceback (most recent call last):
        dqc.errors.NetworkError: QPU 'a' has data_qubits=0; it must be a positive integer
    """
    if not is_int(value) or cast(int, value) < minimum:
        kind = "positive" if minimum == 1 else "non-negative"
        raise NetworkError(f"{owner} has {attr}={value!r}; it must be a {kind} integer")
    return int(cast(int, value))


def fibre_transmission(length_km: float, loss_db_per_km: float = 0.2) -> float:
    """Fraction of photons that survive ``length_km`` of fibre: 10^(−αL/10).

    Examples:
        >>> fibre_transmission(50.0)            # 10 dB
        0.1
    """
    return float(10.0 ** (-loss_db_per_km * length_km / 10.0))


def success_probability(length_km: float, *, efficiency: float,
                        loss_db_per_km: float = 0.2) -> float:
    """Heralded-attempt success probability p = η·10^(−αL/10) (module docstring).

    Examples:
        >>> success_probability(0.0, efficiency=0.25)
        0.25
    """
    return efficiency * fibre_transmission(length_km, loss_db_per_km)


def heralding_period_s(length_km: float, heralding: str = "midpoint") -> float:
    """Shortest time between two attempts: the heralding round trip (module docstring).

    Examples:
        >>> heralding_period_s(10.0, "sender_receiver")    # 2 × 10 km / 2e5 km/s
        0.0001
    """
    return HERALDING[heralding] * length_km / C_FIBRE_KM_S


def link_rate_hz(length_km: float, *, attempt_rate_hz: float, efficiency: float,
                 loss_db_per_km: float = 0.2, heralding: str = "midpoint") -> float:
    """Expected ebits per second: min(attempt rate, 1 / heralding period) × p.

    Examples:
        >>> link_rate_hz(0.0, attempt_rate_hz=100.0, efficiency=0.1)
        10.0
    """
    period = heralding_period_s(length_km, heralding)
    attempts = attempt_rate_hz if period == 0 else min(attempt_rate_hz, 1.0 / period)
    return attempts * success_probability(
        length_km, efficiency=efficiency, loss_db_per_km=loss_db_per_km)


def link_latency_s(length_km: float, *, electronics_s: float) -> float:
    """One-way classical latency: L / c_fibre + electronics (detection, control).

    Examples:
        >>> link_latency_s(100.0, electronics_s=0.0)   # docs/design.md: 0.5 ms per 100 km
        0.0005
    """
    return length_km / C_FIBRE_KM_S + electronics_s


@dataclass(frozen=True)
class Technology:
    """What one kind of QPU does and how fast: durations, errors, memory.

    Args:
        name: Label (a preset name, or any identifier for a custom profile).
        gate_1q_s: Duration of a one-qubit gate, seconds.
        gate_2q_s: Duration of a local two-qubit gate, seconds.
        measure_s: Duration of a measurement (including the classical readout).
        reset_s: Duration of a reset.
        error_1q: Error probability of a one-qubit gate, in [0, 1).
        error_2q: Error probability of a two-qubit gate, in [0, 1).
        error_measure: Error probability of a measurement, in [0, 1).
        t2_s: Memory coherence time T2 of a stored qubit, seconds (> 0).
        remote_fraction: Share of two-qubit gates that may be remote before
            communication dominates the run time (docs/design.md rule of thumb).

    Examples:
        >>> TECHNOLOGIES["trapped_ion"].t2_s
        1.0
        >>> technology("superconducting").evolve(t2_s=5e-5).t2_s
        5e-05
    """

    name: str
    gate_1q_s: float
    gate_2q_s: float
    measure_s: float
    reset_s: float
    error_1q: float
    error_2q: float
    error_measure: float
    t2_s: float
    remote_fraction: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise NetworkError(f"technology name {self.name!r} must be a non-empty string")
        for f in fields(self)[1:]:
            if f.name.startswith("error_"):
                rule = PROBABILITY
            elif f.name == "remote_fraction":
                rule = FRACTION
            elif f.name == "t2_s":
                rule = POSITIVE
            else:
                rule = AT_LEAST_ZERO
            value = check_number(f"technology {self.name!r}", f.name, getattr(self, f.name), rule)
            object.__setattr__(self, f.name, value)

    def evolve(self, **changes: Any) -> Technology:
        """A copy with some figures changed (same name); validated like the original."""
        unknown = sorted(set(changes) - set(TECHNOLOGY_FIELDS) - {"name"})
        if unknown:
            raise NetworkError(
                f"unknown technology figure {unknown[0]!r}; known: {', '.join(TECHNOLOGY_FIELDS)}")
        return replace(self, **changes)

    def overrides(self) -> dict[str, float]:
        """Figures that differ from the preset of the same name (all of them if none)."""
        base = TECHNOLOGIES.get(self.name)
        return {
            f: getattr(self, f) for f in TECHNOLOGY_FIELDS
            if base is None or getattr(self, f) != getattr(base, f)
        }


#: The numeric figures of a :class:`Technology`, in declaration order.
TECHNOLOGY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Technology)[1:])

#: Technology presets. Each figure names its source and whether it was checked against a
#: public source ("confirmed": the figure itself was found; "unconfirmed": the source
#: exists but the number was not found in what could be checked; "estimate": read off
#: published ranges, no single quoted number). What was checked is listed in the closing
#: note of issue #5.
TECHNOLOGIES: dict[str, Technology] = {
    # Transmon processor, Google "Willow": Google Quantum AI and collaborators (Acharya et
    # al.), "Quantum error correction below the surface code threshold", Nature 638, 920
    # (2025) (confirmed: title, venue; QEC cycle 1.1 us). Willow figures
    # quoted by Google's announcement (Dec 2024) as relayed by secondary pages: mean 1q
    # error 0.035 %, CZ error 0.33 % (confirmed), T1 "approaching 100 us" (confirmed);
    # measurement error 0.77 % and T2 (CPMG) 89 us from the device spec sheet
    # (unconfirmed: the spec sheet itself was not reachable).
    "superconducting": Technology(
        name="superconducting",
        gate_1q_s=25e-9,       # estimate: ~25 ns microwave pulses (Arute et al., Nature 574,
                               # 505 (2019); unconfirmed)
        gate_2q_s=50e-9,       # estimate: docs/design.md "~50 ns" (CZ tens of ns)
        measure_s=500e-9,      # estimate: measurement is most of the 1.1 us QEC cycle
        reset_s=200e-9,        # estimate: unconditional reset within the same cycle
        error_1q=3.5e-4,       # Willow: 0.035 % (confirmed)
        error_2q=3.3e-3,       # Willow: 0.33 % (confirmed)
        error_measure=7.7e-3,  # Willow spec sheet: 0.77 % (unconfirmed)
        t2_s=89e-6,            # Willow spec sheet: T2,CPMG = 89 us (unconfirmed; T1 ~100 us
                               # confirmed, so T2 of this order is consistent)
        remote_fraction=1e-3,  # docs/design.md: > 0.1 % remote gates -> communication dominates
    ),
    # Trapped ions (QCCD): Moses et al., "A race track trapped-ion quantum processor",
    # PRX 13, 041052 (2023), arXiv:2305.03828 (Quantinuum H2, 171Yb+ qubits; confirmed: title,
    # abstract, SPAM error 1.6(1)e-3). Its 1q and 2q infidelities (2.5e-5 and 1.8e-3 from
    # memory) could not be read off the copies found (unconfirmed); a later H2-56 figure of
    # 99.914 % two-qubit fidelity (secondary sources) is consistent with 1e-3..2e-3.
    # Durations from the review Bruzewicz et al., "Trapped-ion quantum computing: progress
    # and challenges", Appl. Phys. Rev. 6, 021314 (2019) (estimates, unconfirmed here).
    "trapped_ion": Technology(
        name="trapped_ion",
        gate_1q_s=10e-6,       # estimate: 1-50 us Raman/microwave pulses
        gate_2q_s=100e-6,      # estimate: Molmer-Sorensen ~100-300 us (docs/design.md: ~10 us)
        measure_s=200e-6,      # estimate: fluorescence detection, 100s of us
        reset_s=20e-6,         # estimate: optical pumping ~10 us
        error_1q=3e-5,         # H2, Moses 2023 (unconfirmed, see above)
        error_2q=1.8e-3,       # H2, Moses 2023 (unconfirmed, see above)
        error_measure=1.6e-3,  # H2 SPAM 1.6(1)e-3, Moses 2023 (confirmed)
        t2_s=1.0,              # estimate: docs/design.md 1-10 s for ion memories; low end taken
                               # (hyperfine clock qubits reach far more: T2 ~ 70 s in Smith
                               # et al., arXiv:2412.04421 (2024), confirmed)
        remote_fraction=0.1,   # docs/design.md: ~10 % for ions
    ),
    # NV centres in diamond (electron spin = comm qubit, 13C nuclear spins = data):
    # Pompili et al., "Realization of a multinode quantum network of remote solid-state
    # qubits", Science 372, 259 (2021) (confirmed: title, venue); Bradley et al., "A ten-qubit
    # solid-state spin register with quantum memory up to one minute", PRX 9, 031045 (2019)
    # (unconfirmed here). Every NV figure below is an estimate.
    "nv": Technology(
        name="nv",
        gate_1q_s=1e-6,        # estimate: electron microwave pulses ~0.1-1 us
        gate_2q_s=500e-6,      # estimate: electron-nuclear gates ~100s of us (Bradley 2019)
        measure_s=20e-6,       # estimate: single-shot electron readout ~10-20 us
        reset_s=100e-6,        # estimate: charge + spin initialisation ~100 us
        error_1q=1e-3,         # estimate: electron gate fidelity > 99.9 %
        error_2q=1e-2,         # estimate: electron-nuclear gate fidelity ~99 %
        error_measure=3e-2,    # estimate: readout fidelity ~0.95-0.99
        t2_s=1e-3,             # estimate: docs/design.md ~1 ms while the network is in use;
                               # conservative: with dynamical decoupling a remote NV state
                               # decoheres at ~5 Hz (Humphreys et al., "Deterministic delivery
                               # of remote entanglement on a quantum network", arXiv:1712.07567
                               # (2018), confirmed), i.e. ~0.2 s
        remote_fraction=0.1,   # assumption: NV gates as slow as ion gates (docs/design.md: ions)
    ),
}

#: The profile used for a QPU that names no technology: trapped ions.
#:
#: Why ions: the networked-QPU demonstrations of today are trapped-ion modules joined by
#: photonic links — Oxford's distributed quantum computation across an optical network
#: link, Main et al., "Distributed quantum computing across an optical network link",
#: Nature 638, 383 (2025), arXiv:2407.00835 (confirmed: two 88Sr+/43Ca+ modules ~2 m
#: apart, each with dedicated network and circuit qubits, a teleported CZ of 86 %
#: fidelity), on the link of Stephenson et al., PRL 124, 110501 (2020) (the link
#: defaults of :mod:`dqc.network.parts`). Ion memories (T2 ~ 1 s) outlive the
#: milliseconds such a link takes per Bell pair, so the defaults are a configuration
#: that can run, unlike superconducting qubits (T2 ~ 100 us) on an optical link, for
#: which no microwave-to-optical transducer yet delivers usable Bell pairs.
DEFAULT_TECHNOLOGY = TECHNOLOGIES["trapped_ion"]


def technology(name: str | Technology) -> Technology:
    """A technology preset by name (a :class:`Technology` is returned unchanged).

    Raises:
        NetworkError: For an unknown name; the message lists the presets.

    Examples:
        >>> technology("nv").gate_2q_s
        0.0005
    """
    if isinstance(name, Technology):
        return name
    if not isinstance(name, str) or name not in TECHNOLOGIES:
        raise NetworkError(
            f"unknown technology {name!r}; presets: {', '.join(TECHNOLOGIES)}")
    return TECHNOLOGIES[name]
