"""Integer programs for SciPy's :func:`~scipy.optimize.milp` (HiGHS): rows, one solve.

Every integer program of :mod:`dqc.plan` is stopped by a node limit, never by a clock,
so that the same input gives the same answer on every machine and load.

Examples:
    Pick one of two variables, the cheaper::

    >>> rows = Rows(); rows.add([(0, 1.0), (1, 1.0)], 1, 1)
    >>> found = solve(np.array([2.0, 1.0]), rows, np.ones(2), np.ones(2), node_limit=10)
    >>> found.x.round().tolist(), found.value, found.optimal
    ([0.0, 1.0], 1.0, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix


class Rows:
    """Linear constraints ``low <= sum(v * x[c]) <= high``, one row at a time."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def __len__(self) -> int:
        return len(self.lo)

    def add(self, entries: list[tuple[int, float]], low: float, high: float) -> None:
        """One row: ``entries`` are ``(variable, coefficient)``."""
        r = len(self.lo)
        for c, v in entries:
            self.rows.append(r)
            self.cols.append(c)
            self.vals.append(v)
        self.lo.append(low)
        self.hi.append(high)

    def constraint(self, size: int) -> LinearConstraint:
        """The rows over ``size`` variables, for ``milp``."""
        matrix = coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lo), size))
        return LinearConstraint(matrix.tocsr(), self.lo, self.hi)


@dataclass(frozen=True)
class Solved:
    """What HiGHS found.

    Attributes:
        x: the best solution found (``None`` when it found none).
        value: its objective (``inf`` without one).
        dual: the ceiling of the proven lower bound (0 without one).
        optimal: ``x`` is proved optimal.
    """

    x: np.ndarray | None
    value: float
    dual: int
    optimal: bool


def solve(cost: np.ndarray, rows: Rows, integrality: np.ndarray, upper: Any,
          node_limit: int) -> Solved:
    """Minimise ``cost @ x`` over ``rows``, ``0 <= x <= upper``, within ``node_limit``
    branch-and-bound nodes (``mip_rel_gap`` 0: optimal means optimal)."""
    size = len(cost)
    res = milp(cost, constraints=rows.constraint(size), integrality=integrality,
               bounds=Bounds(np.zeros(size), upper),
               options={"node_limit": node_limit, "mip_rel_gap": 0.0, "presolve": True})
    x = None if res.x is None else np.asarray(res.x)
    value = math.inf if res.fun is None else float(res.fun)
    dual = getattr(res, "mip_dual_bound", None)
    proven = 0 if dual is None or not np.isfinite(dual) else max(0, math.ceil(dual - 1e-6))
    optimal = res.status == 0 and x is not None
    return Solved(x, value, math.ceil(value - 1e-6) if optimal else proven, optimal)
