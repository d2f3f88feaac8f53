"""The makespan when ebit generation times are drawn instead of expected.

A physical link makes attempts every heralding period, each succeeding with
probability rate × period (a geometric number of attempts); a link given directly
takes an exponential time; both have mean 1 / ``rate_hz`` (:mod:`dqc.network.physics`).
Every draw is scheduled as soon as possible with the same dependencies and link order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from dqc.estimation.formatting import rounded
from dqc.estimation.program import Program
from dqc.network import Link, Network
from dqc.network.physics import heralding_period_s

__all__ = ["BATCH", "MonteCarlo", "asap_samples", "monte_carlo"]

#: Draws scheduled at once (``progress`` is called after each batch).
BATCH = 512


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
        """Plain dict for reports."""
        return {"samples": self.samples, "seed": self.seed, "mean_s": rounded(self.mean_s),
                "p95_s": rounded(self.p95_s), "std_s": rounded(self.std_s),
                "min_s": rounded(self.min_s), "max_s": rounded(self.max_s)}


def asap_samples(prog: Program, durations: np.ndarray) -> np.ndarray:
    """Makespan of every sample: ``durations`` has shape (ops, samples)."""
    n, samples = durations.shape
    end = np.zeros_like(durations)
    for i in range(n):
        s = np.zeros(samples)
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


def monte_carlo(prog: Program, network: Network, samples: int, seed: int,
                progress: Callable[[int, int], None] | None = None) -> MonteCarlo:
    """Draw ebit generation times (mean 1 / rate each) and schedule every draw."""
    rng = np.random.default_rng(seed)
    makespans = []
    for first in range(0, samples, BATCH):
        size = min(BATCH, samples - first)
        durations = np.repeat(np.asarray(prog.duration, dtype=float)[:, None], size, axis=1)
        for i, li in enumerate(prog.link):
            if li >= 0:
                durations[i] = _draw(network.links[li], rng, size)
        makespans.append(asap_samples(prog, durations))
        if progress is not None:
            progress(first + size, samples)
    values = np.concatenate(makespans)
    return MonteCarlo(
        samples=samples, seed=seed, mean_s=float(values.mean()),
        p95_s=float(np.percentile(values, 95)), std_s=float(values.std()),
        min_s=float(values.min()), max_s=float(values.max()))
