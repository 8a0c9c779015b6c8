"""The rules that turn a comparison with the paper into a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ['Claim', 'direction_verdict', 'flat_verdict', 'interval_verdict', 'mean_ci', 'threshold_verdict']


def mean_ci(values: Any, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and normal-approximation confidence interval (t for small samples)."""
    from scipy import stats

    x = np.asarray(values, float)
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"values must be a non-empty finite sample; got {x.tolist()[:5]}")
    mean = float(x.mean())
    if x.size == 1:
        return mean, -np.inf, np.inf
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def flat_verdict(values: Any, factor: float = 1.5) -> str:
    """'reproduced' iff the positive ``values`` lie within ``factor`` of each other (max/min).

    Fewer than two values cannot show flatness: 'not assessed'.
    """
    x = np.asarray(values, float)
    if x.size < 2:
        return "not assessed (fewer than 2 configurations)"
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise ValueError(f"values must be positive and finite; got {x.tolist()}")
    return "reproduced" if x.max() / x.min() < factor else "not reproduced"


def interval_verdict(paper: float, low: float, high: float) -> str:
    """'reproduced' iff ``low <= paper <= high``."""
    return "reproduced" if low <= paper <= high else "not reproduced"


def direction_verdict(sign: int, low: float, high: float) -> str:
    """Does our interval for an effect show the claimed sign (+1 or -1)?"""
    if sign not in (1, -1):
        raise ValueError(f"sign must be +1 or -1; got {sign!r}")
    lo, hi = (low, high) if sign == 1 else (-high, -low)
    if lo > 0:
        return "reproduced"
    if hi < 0:
        return "contradicted"
    return "not reproduced (no significant effect)"


def threshold_verdict(value: float, bound: float) -> str:
    """'reproduced' iff ``value < bound``."""
    return "reproduced" if value < bound else "not reproduced"


@dataclass(frozen=True)
class Claim:
    """One row of the report's summary table."""

    finding: str
    claim: str
    paper: str
    analytic: str
    simulated: str
    verdict: str
    rule: str
