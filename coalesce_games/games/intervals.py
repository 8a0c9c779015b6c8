"""Wilson score intervals for the shares that the games compare with simulation.

>>> lo, hi = wilson_interval([7, 0], [20, 0])
>>> round(float(lo[0]), 4), round(float(hi[0]), 4), bool(np.isnan(lo[1]))
(0.1812, 0.5671, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import binomtest

__all__ = ['wilson_interval']


def wilson_interval(successes: Any, trials: Any, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``successes / trials`` (scipy), elementwise; NaN where ``trials`` is 0."""
    k = np.atleast_1d(np.asarray(successes, int))
    n = np.atleast_1d(np.asarray(trials, int))
    lo, hi = np.full(k.shape, np.nan), np.full(k.shape, np.nan)
    for i in np.flatnonzero(n > 0):
        ci = binomtest(int(k[i]), int(n[i])).proportion_ci(level, method="wilson")
        lo[i], hi[i] = ci.low, ci.high
    return lo, hi
