"""Entanglement purification (recurrence) and storage cutoffs: the formulas, pure.

A link may purify its Bell pairs: a *round* takes two pairs, applies a bilateral CNOT
(each end a CNOT from its half of the first pair, the *source*, onto its half of the
second, the *target*), measures the target halves in Z and sends the outcomes to the
other end; the source pair is kept when the outcomes agree. Two schemes (values of
:data:`SCHEMES`):

* **BBPSSW** — Bennett, Brassard, Popescu, Schumacher, Smolin, Wootters, "Purification
  of noisy entanglement and faithful teleportation via noisy channels", PRL 76, 722
  (1996). Its input is a Werner state of fidelity F (a pair twirled by random bilateral
  rotations); one round keeps the source pair with probability

      p = F² + 2F(1−F)/3 + 5((1−F)/3)²

  and leaves fidelity ``F' = (F² + ((1−F)/3)²) / p``, re-twirled to a Werner state for
  the next round. F' > F only for F > 1/2 (F = 1/2 is a fixed point); :func:`purify`
  refuses BBPSSW on a pair of fidelity ≤ 1/2. For two Werner inputs F₁, F₂ (used here
  when the pair that waited has lost more): ``p = (F₁ + e₁)(F₂ + e₂) + 4 e₁ e₂`` and
  ``F' = (F₁F₂ + e₁e₂) / p`` with ``e = (1 − F)/3``.
* **DEJMPS** — Deutsch, Ekert, Jozsa, Macchiavello, Popescu, Sanpera, "Quantum privacy
  amplification and the security of quantum cryptography over noisy channels", PRL 77,
  2818 (1996). No twirl: it keeps the Bell-diagonal state ``(A, B, C, D)``, the weights
  of Φ+, Ψ−, Ψ+, Φ− (Deutsch et al.'s order). Alice rotates her halves by Rx(π/2), Bob
  his by Rx(−π/2), then the bilateral CNOT and the measurement. For inputs
  ``(A₁, B₁, C₁, D₁)`` and ``(A₂, B₂, C₂, D₂)``::

      N  = (A₁ + B₁)(A₂ + B₂) + (C₁ + D₁)(C₂ + D₂)          (the success probability)
      A' = (A₁A₂ + B₁B₂) / N      B' = (C₁D₂ + D₁C₂) / N
      C' = (C₁C₂ + D₁D₂) / N      D' = (A₁B₂ + B₁A₂) / N

  which for equal inputs is Deutsch et al.'s ``A' = (A² + B²)/N``, ``B' = 2CD/N``,
  ``C' = (C² + D²)/N``, ``D' = 2AB/N``, ``N = (A + B)² + (C + D)²``. The output is not a
  Werner state; its fidelity is A'. On a Werner input the first round equals BBPSSW's;
  later rounds gain more (tests/estimation/test_purification.py checks both schemes
  against a density-matrix simulation of the protocol).

**Local operations err.** Each end's operations in a round err as the technology's
gates do elsewhere in dqc (uniform Pauli errors, :mod:`dqc.adapter.noisy_sim`): the
CNOT with probability ``e2`` one of the 15 two-qubit Paulis after it, each DEJMPS
rotation with ``e1`` one of X, Y, Z after it, and the measurement reports the wrong
outcome with ``em``. A Pauli on either half of a Bell pair permutes the four Bell
states, and the bilateral CNOT maps pairs of Bell states to pairs of Bell states (bit
flips go from source to target, phase flips from target to source), so a round with
these errors stays exact on the 4 × 4 distribution of Bell labels (:func:`noisy_round`;
with no errors it is the formulas above; ``tests/estimation/test_purification.py``
checks it against a density-matrix simulation with the same errors). The model of
noisy local operations follows Briegel, Dür, Cirac and Zoller, "Quantum repeaters
based on entanglement purification", PRL 81, 5932 (1998) (gate noise after the gate,
flipped measurement outcomes), with uniform Pauli rather than depolarising gate noise.
BBPSSW's twirl is taken as free of errors.

**Raw pairs are Werner states** of the link's fidelity. **Storage dephases**: a half
held for t on a memory of coherence time T2 suffers a Z error with probability
``(1 − e^(−t/T2)) / 2`` (pure dephasing), which swaps Φ+ ↔ Φ− and Ψ+ ↔ Ψ−
(A ↔ D, B ↔ C). In a round the first input waits for its partner (its expected
generation time), then both wait one classical round trip for the outcomes.

**Time and pairs** (:func:`purify`), one channel, rounds done depth first: with
``T₀ = 1/rate`` the expected time of one raw pair, round r needs two round-(r−1)
pairs, the local operations and a classical round trip (2 × the link's latency), and
starts over on failure::

    T_r = (2 T_{r−1} + round trip + local) / p_r         raw_r = 2 raw_{r−1} / p_r

(2^r raw pairs when every round succeeds). Depth first, r rounds hold r + 1 pairs at
once: r comm qubits at each end besides the one that keeps the delivered pair.

**Cutoff**: a stored pair older than ``cutoff_s`` is discarded. In a round the first
input must wait ``T_{r−1} + round trip + local``; in this expected-time model a round
whose wait exceeds the cutoff never completes (:attr:`Purified.cutoff_round` names
it; Monte Carlo draws the waits instead, :func:`dqc.estimation.monte_carlo.monte_carlo`).

Examples:
    >>> f, p = bbpssw(0.9)
    >>> round(f, 5), round(p, 5)
    (0.9264, 0.87556)
    >>> state, p = dejmps(werner(0.9), werner(0.9))
    >>> round(state[0], 5) == round(f, 5)        # one round on Werner input: the same
    True
    >>> r = purify(0.9, "dejmps", 2, pair_s=0.01, round_trip_s=0.002)
    >>> round(r.fidelity, 4), round(r.raw_pairs, 3), round(r.time_s, 4)
    (0.9888, 5.263, 0.0602)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["NO_ERRORS", "SCHEMES", "Purified", "bbpssw", "dejmps", "dephase", "dephasing_flip",
           "noisy_round", "purify", "werner"]

#: Purification schemes a link may declare (``"none"``: raw pairs).
SCHEMES = ("none", "bbpssw", "dejmps")

#: A Bell-diagonal state: weights of Φ+, Ψ−, Ψ+, Φ− (Deutsch et al.'s A, B, C, D).
Bell = tuple[float, float, float, float]

#: Error probabilities of one end's local operations: (one-qubit gate, two-qubit gate,
#: measurement).
Errors = tuple[float, float, float]

#: Local operations without errors, at both ends.
NO_ERRORS: tuple[Errors, Errors] = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))

# Bell labels as 2 bits (x: bit flip, z: phase flip): Φ+ 0, Φ− 1, Ψ+ 2, Ψ− 3. A Pauli X,
# Z, Y on either half adds 2, 1, 3 (XOR). Where each weight of a Bell tuple goes, without
# DEJMPS's rotations (also how an output is read) and with them (they exchange Ψ− and Φ−).
_LABELS = (0, 3, 2, 1)
_ROTATED = (0, 1, 2, 3)


def werner(fidelity: float) -> Bell:
    """The Werner state of ``fidelity`` as Bell-diagonal weights.

    Examples:
        >>> werner(0.25)
        (0.25, 0.25, 0.25, 0.25)
    """
    e = (1.0 - fidelity) / 3.0
    return (fidelity, e, e, e)


def dephasing_flip(t_s: float, t2_s: float) -> float:
    """Probability of a Z error on one half stored ``t_s`` with coherence time ``t2_s``.

    Examples:
        >>> dephasing_flip(0.0, 1.0), dephasing_flip(1.0, math.inf)
        (0.0, 0.0)
        >>> round(dephasing_flip(1.0, 1.0), 4)      # (1 - e^-1) / 2
        0.3161
    """
    if t_s <= 0 or math.isinf(t2_s):
        return 0.0
    return (1.0 - math.exp(-t_s / t2_s)) / 2.0


def dephase(state: Bell, flip_a: float, flip_b: float) -> Bell:
    """``state`` after Z errors of probabilities ``flip_a`` and ``flip_b`` on its halves.

    A Z error on either half swaps A ↔ D and B ↔ C; two cancel.

    Examples:
        >>> dephase((1.0, 0.0, 0.0, 0.0), 0.1, 0.0)
        (0.9, 0.0, 0.0, 0.1)
    """
    q = flip_a * (1.0 - flip_b) + flip_b * (1.0 - flip_a)
    a, b, c, d = state
    return (a * (1 - q) + d * q, b * (1 - q) + c * q, c * (1 - q) + b * q, d * (1 - q) + a * q)


def bbpssw(f1: float, f2: float | None = None) -> tuple[float, float]:
    """One BBPSSW round on Werner inputs of fidelities ``f1``, ``f2`` (= ``f1`` if None):
    ``(output fidelity, success probability)`` (module docstring; Bennett et al. 1996).

    Examples:
        >>> f, p = bbpssw(0.5)              # no gain at F = 1/2
        >>> round(f, 12), round(p, 4)
        (0.5, 0.5556)
        >>> bbpssw(1.0)
        (1.0, 1.0)
    """
    if f2 is None:
        f2 = f1
    e1, e2 = (1.0 - f1) / 3.0, (1.0 - f2) / 3.0
    p = (f1 + e1) * (f2 + e2) + 4.0 * e1 * e2
    return (f1 * f2 + e1 * e2) / p, p


def dejmps(s1: Bell, s2: Bell) -> tuple[Bell, float]:
    """One DEJMPS round on Bell-diagonal inputs: ``(output state, success probability)``
    (module docstring; Deutsch et al. 1996).

    Examples:
        >>> state, p = dejmps((0.8, 0.1, 0.1, 0.0), (0.8, 0.1, 0.1, 0.0))
        >>> [round(x, 4) for x in state], round(p, 2)
        ([0.7927, 0.0, 0.0122, 0.1951], 0.82)
    """
    a1, b1, c1, d1 = s1
    a2, b2, c2, d2 = s2
    n = (a1 + b1) * (a2 + b2) + (c1 + d1) * (c2 + d2)
    return ((a1 * a2 + b1 * b2) / n, (c1 * d2 + d1 * c2) / n,
            (c1 * c2 + d1 * d2) / n, (a1 * b2 + b1 * a2) / n), n


@dataclass(frozen=True)
class Purified:
    """What a link delivers per output pair after its purification rounds.

    Attributes:
        scheme: ``none``, ``bbpssw`` or ``dejmps``.
        rounds: recurrence rounds.
        fidelity: fidelity of a delivered pair (A of :attr:`state`).
        state: its Bell-diagonal weights (Φ+, Ψ−, Ψ+, Φ−); Werner for BBPSSW.
        fidelities: fidelity after each round.
        success: success probability of each round.
        raw_pairs: expected raw pairs consumed per delivered pair (2^r if every round
            succeeds).
        time_s: expected time to deliver one pair on one channel.
        waits_s: per round, how long its first input waits (partner, local operations,
            round trip).
        scratch: comm qubits held at each end besides the delivered pair's (= rounds).
        cutoff_s: the link's storage cutoff (None: no cutoff).
        cutoff_round: the first round whose wait exceeds the cutoff (0: none does).
    """

    scheme: str
    rounds: int
    fidelity: float
    state: Bell
    fidelities: tuple[float, ...]
    success: tuple[float, ...]
    raw_pairs: float
    time_s: float
    waits_s: tuple[float, ...]
    scratch: int
    cutoff_s: float | None = None
    cutoff_round: int = 0

    @property
    def rate_hz(self) -> float:
        """Delivered pairs per second on one channel (1 / :attr:`time_s`)."""
        return 1.0 / self.time_s

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for reports."""
        return {"purification": self.scheme, "purification_rounds": self.rounds,
                "cutoff_s": self.cutoff_s, "fidelity": self.fidelity,
                "rate_hz": self.rate_hz, "raw_pairs": self.raw_pairs,
                "round_fidelity": list(self.fidelities), "round_success": list(self.success),
                "round_wait_s": list(self.waits_s), "scratch_comm_qubits": self.scratch,
                "cutoff_round": self.cutoff_round}


def purify(fidelity: float, scheme: str, rounds: int, *, pair_s: float,
           round_trip_s: float, local_s: float = 0.0,
           t2_s: Sequence[float] = (math.inf, math.inf),
           cutoff_s: float | None = None,
           errors: Sequence[Errors] = NO_ERRORS) -> Purified:
    """A link's delivered pair after ``rounds`` of ``scheme`` (module docstring).

    Args:
        fidelity: fidelity of a raw pair (a Werner state).
        scheme: one of :data:`SCHEMES`.
        rounds: recurrence rounds, >= 0 (``none`` needs 0).
        pair_s: expected time of one raw pair (1 / rate).
        round_trip_s: classical round trip (2 × the link's latency).
        local_s: duration of a round's local operations (bilateral CNOT, measurement).
        t2_s: memory T2 at the two ends (dephasing of waiting pairs).
        cutoff_s: storage cutoff (None: none).
        errors: per end, the error probabilities of a one-qubit gate, a two-qubit gate
            and a measurement (:func:`noisy_round`).

    Raises:
        ValueError: an unknown scheme, negative rounds, rounds with ``none``, or BBPSSW
            on a pair of fidelity ≤ 1/2 (where it cannot help).

    Examples:
        >>> r = purify(0.9, "bbpssw", 1, pair_s=0.01, round_trip_s=0.0)
        >>> round(r.fidelity, 5), round(r.raw_pairs, 4), round(r.time_s, 5)
        (0.9264, 2.2843, 0.02284)
        >>> purify(0.5, "bbpssw", 1, pair_s=1.0, round_trip_s=0.0)
        Traceback (most recent call last):
        ...
        ValueError: BBPSSW raises the fidelity only above 1/2; the pair has 0.5
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown purification {scheme!r}; one of {', '.join(SCHEMES)}")
    if rounds < 0 or (scheme == "none" and rounds):
        raise ValueError(f"{rounds} purification rounds with purification {scheme!r}")
    if scheme == "bbpssw" and rounds and fidelity <= 0.5:
        raise ValueError(
            f"BBPSSW raises the fidelity only above 1/2; the pair has {fidelity:g}")
    state, time, raw = werner(fidelity), pair_s, 1.0
    fidelities, success, waits = [], [], []
    cutoff_round = 0
    for r in range(1, rounds + 1):
        wait = time + local_s + round_trip_s
        if cutoff_s is not None and wait > cutoff_s and not cutoff_round:
            cutoff_round = r
        # the first input waits for its partner; then both wait for the outcomes
        first = dephase(state, *(dephasing_flip(time, t) for t in t2_s))
        state, p = _round(scheme, first, state, errors)
        state = dephase(state, *(dephasing_flip(local_s + round_trip_s, t) for t in t2_s))
        time = (2.0 * time + local_s + round_trip_s) / p
        raw = 2.0 * raw / p
        fidelities.append(state[0])
        success.append(p)
        waits.append(wait)
    return Purified(scheme, rounds, state[0], state, tuple(fidelities), tuple(success), raw,
                    time, tuple(waits), rounds, cutoff_s, cutoff_round)


def _round(scheme: str, s1: Bell, s2: Bell,
           errors: Sequence[Errors] = NO_ERRORS) -> tuple[Bell, float]:
    """One round of ``scheme`` (BBPSSW twirls its inputs and output to Werner states)."""
    if any(any(end) for end in errors):
        state, p = noisy_round(scheme, s1, s2, errors)
        return (werner(state[0]) if scheme == "bbpssw" else state), p
    if scheme == "dejmps":
        return dejmps(s1, s2)
    f, p = bbpssw(s1[0], s2[0])
    return werner(f), p


def noisy_round(scheme: str, s1: Bell, s2: Bell,
                errors: Sequence[Errors] = NO_ERRORS) -> tuple[Bell, float]:
    """One round of ``scheme`` with erring local operations at the two ends (module
    docstring): ``(kept pair's Bell weights, success probability)``; ``errors`` per end.

    Examples:
        >>> state, p = noisy_round("bbpssw", werner(0.9), werner(0.9))
        >>> round(state[0], 12) == round(bbpssw(0.9)[0], 12)        # no errors: the formula
        True
        >>> noisy = noisy_round("bbpssw", werner(0.9), werner(0.9), ((0, 0, 0.01), (0, 0, 0)))
        >>> round(noisy[0][0], 4), round(noisy[1], 4)                # a flipped outcome
        (0.9254, 0.868)
    """
    order = _ROTATED if scheme == "dejmps" else _LABELS
    pairs = []
    for state in (s1, s2):
        labels = [0.0] * 4
        for weight, label in zip(state, order):
            labels[label] = weight
        if scheme == "dejmps":  # each end rotates its half of each pair
            for e1, _, _ in errors:
                labels = _xor(labels, [1.0 - e1, e1 / 3, e1 / 3, e1 / 3])
        pairs.append(labels)
    # joint: index 2 * source label + target x bit, after the bilateral CNOT
    joint = [0.0] * 8
    for src in range(4):
        for tgt in range(4):
            x_s, x_t, z_t = src >> 1, tgt >> 1, tgt & 1
            joint[2 * (src ^ z_t) + (x_t ^ x_s)] += pairs[0][src] * pairs[1][tgt]
    for _, e2, em in errors:
        joint = _xor(joint, _end_kernel(e2, em))
    p = math.fsum(joint[2 * src] for src in range(4))
    kept = [joint[2 * label] / p for label in _LABELS]
    return (kept[0], kept[1], kept[2], kept[3]), p


def _end_kernel(e2: float, em: float) -> list[float]:
    """XOR kernel over (source label, target x bit) of one end's CNOT and measurement."""
    gate = [0.0] * 8
    gate[0] = 1.0 - e2
    for pauli in range(16):  # (P on the source half, Q on the target half), not both I
        if pauli:
            gate[2 * (pauli >> 2) + ((pauli & 3) >> 1)] += e2 / 15
    return _xor(gate, [1.0 - em, em] + [0.0] * 6)


def _xor(dist: Sequence[float], kernel: Sequence[float]) -> list[float]:
    """The distribution of a ⊕ b for independent a ~ ``dist``, b ~ ``kernel``."""
    out = [0.0] * len(dist)
    for a, pa in enumerate(dist):
        if pa:
            for b, pb in enumerate(kernel):
                out[a ^ b] += pa * pb
    return out
