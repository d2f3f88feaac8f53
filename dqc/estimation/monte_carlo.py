"""The makespan when ebit generation times are drawn instead of expected.

A physical link makes attempts every heralding period, each succeeding with
probability rate × period (a geometric number of attempts); a link given directly
takes an exponential time; both have mean 1 / ``rate_hz`` (:mod:`dqc.network.physics`).
A link that purifies (:mod:`dqc.network.purification`) draws its raw pairs so, and each
round succeeds with the model's probability (a failed round starts over with two new
pairs); with a cutoff, a first input whose partner (plus the local operations and the
round trip) takes longer than the cutoff is discarded and the partner waits in its
place. A pair that no draw can deliver within :data:`MAX_TRIES` tries of a round takes
an infinite time (the makespan statistics are then infinite). Every draw is scheduled
as soon as possible with the same dependencies and link order, and with the expected
schedule's hold-backs: a pair the schedule holds back to keep within its link's cutoff
(:func:`~dqc.estimation.timing.hold_back`) is not started before its release there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from dqc.estimation.formatting import rounded
from dqc.estimation.program import Program
from dqc.network import Link, Network
from dqc.network.physics import heralding_period_s
from dqc.network.purification import Purified

__all__ = ["BATCH", "MAX_TRIES", "MonteCarlo", "asap_samples", "draw_delivered", "monte_carlo"]

#: Draws scheduled at once (``progress`` is called after each batch).
BATCH = 512
#: Tries of one purification round (or waits for a partner within the cutoff) after
#: which a draw is given up as never delivered.
MAX_TRIES = 10_000


@dataclass(frozen=True)
class MonteCarlo:
    """Makespan over ``samples`` random draws of ebit generation times.

    Attributes:
        samples: number of draws.
        seed: seed of the random generator.
        mean_s: mean makespan.
        p95_s: 95th percentile of the makespan.
        std_s: standard deviation.
        min_s: shortest makespan drawn.
        max_s: longest makespan drawn.
    """

    samples: int
    seed: int
    mean_s: float
    p95_s: float
    std_s: float
    min_s: float
    max_s: float

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for reports (null for a figure that is infinite: a draw that never
        delivered its pair)."""
        def value(x: float) -> float | None:
            return rounded(x) if np.isfinite(x) else None

        return {"samples": self.samples, "seed": self.seed, "mean_s": value(self.mean_s),
                "p95_s": value(self.p95_s), "std_s": value(self.std_s),
                "min_s": value(self.min_s), "max_s": value(self.max_s)}


def asap_samples(prog: Program, durations: np.ndarray,
                 release: Sequence[float] = ()) -> np.ndarray:
    """Makespan of every sample: ``durations`` has shape (ops, samples); ``release``: the
    earliest start of every op (none: 0)."""
    n, samples = durations.shape
    end = np.zeros_like(durations)
    for i in range(n):
        s = np.full(samples, release[i] if release else 0.0)
        for j, lag in prog.deps[i]:
            np.maximum(s, end[j] + lag, out=s)
        r = prog.resource[i]
        if r >= 0:
            np.maximum(s, end[r], out=s)
        end[i] = s + durations[i]
    return end.max(axis=0) if n else np.zeros(samples)


def _draw(link: Link, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` generation times of one ebit on ``link`` (mean 1 / rate each)."""
    if link.physical:
        # attempts repeat every `period`; each succeeds with p = rate × period
        period = max(1.0 / cast(float, link.attempt_rate_hz),
                     heralding_period_s(cast(float, link.length_km), link.heralding))
        p = min(1.0, link.rate_hz * period)
        return rng.geometric(p, size) * period
    return rng.exponential(1.0 / link.rate_hz, size)


def draw_delivered(link: Link, delivered: Purified, rng: np.random.Generator,
                   size: int) -> np.ndarray:
    """``size`` times to deliver one pair on ``link`` after its purification rounds.

    Examples:
        >>> from dqc.network import Network
        >>> net = Network.line(2, data_qubits=1, rate_hz=100.0, latency_s=0.0)
        >>> link = net.links[0].evolve(purification="bbpssw", purification_rounds=1)
        >>> net = Network(net.qpus, (link,))
        >>> times = draw_delivered(link, net.delivered(link), np.random.default_rng(1), 20000)
        >>> bool(abs(times.mean() / net.delivered(link).time_s - 1) < 0.03)   # the model's mean
        True
    """
    local = delivered.waits_s[0] - 1.0 / link.rate_hz if delivered.rounds else 0.0
    return _level(link, delivered, delivered.rounds, local, rng, size)


def _level(link: Link, delivered: Purified, r: int, after: float,
           rng: np.random.Generator, size: int) -> np.ndarray:
    """Times of ``size`` round-``r`` pairs; ``after`` = local operations + round trip."""
    if r == 0:
        return _draw(link, rng, size)
    out = np.zeros(size)
    todo = np.arange(size)
    cutoff = delivered.cutoff_s
    p = delivered.success[r - 1]
    for _ in range(MAX_TRIES):
        n = todo.size
        if not n:
            return out
        elapsed = _level(link, delivered, r - 1, after, rng, n)
        partner = _level(link, delivered, r - 1, after, rng, n)
        if cutoff is not None:  # a first input that would wait too long is discarded
            late = partner + after > cutoff
            for _ in range(MAX_TRIES):
                if not late.any():
                    break
                elapsed[late] += partner[late]
                partner[late] = _level(link, delivered, r - 1, after, rng, int(late.sum()))
                late &= partner + after > cutoff
            elapsed[late] = np.inf
        out[todo] += elapsed + partner + after
        todo = todo[rng.random(n) >= p]
    out[todo] = np.inf
    return out


def monte_carlo(prog: Program, network: Network, samples: int, seed: int,
                progress: Callable[[int, int], None] | None = None,
                release: Sequence[float] = ()) -> MonteCarlo:
    """Draw ebit generation times (mean 1 / rate each) and schedule every draw
    (``release``: the expected schedule's hold-backs, module docstring)."""
    rng = np.random.default_rng(seed)
    makespans = []
    for first in range(0, samples, BATCH):
        size = min(BATCH, samples - first)
        durations = np.repeat(np.asarray(prog.duration, dtype=float)[:, None], size, axis=1)
        for i, li in enumerate(prog.link):
            if li >= 0:
                link = network.links[li]
                delivered = network.delivered(link)
                durations[i] = (draw_delivered(link, delivered, rng, size)
                                if delivered.rounds else _draw(link, rng, size))
        makespans.append(asap_samples(prog, durations, release))
        if progress is not None:
            progress(first + size, samples)
    values = np.concatenate(makespans)
    return MonteCarlo(
        samples=samples, seed=seed, mean_s=float(values.mean()),
        p95_s=float(np.percentile(values, 95)), std_s=float(values.std()),
        min_s=float(values.min()), max_s=float(values.max()))
