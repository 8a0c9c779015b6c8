"""The explorer's simulated views: the market at a point and the rogue share against ``v``.

The market at a point is :func:`coalesce_games.market.simulation.simulate_many`
of :meth:`ExplorerControls.market_config` over the point's seeds; each metric
is summarised by its mean over the seeds and the 95% t-interval of that mean
(``mean +- t(0.975, n - 1) s / sqrt(n)``). The curve runs the same market at
``v = 0, 0.1, ..., 1`` with the same seeds (common random numbers: the curve's
points differ only by ``v``).

Both are cached by the market controls alone (the compiled kernels are cached
on disk by numba), so moving ``delta``, ``pi`` or ``g`` never re-simulates.
A market the configuration refuses (a rogue share too small to make one rogue
provider of 30) gives a view with a message and no numbers.

By hand: seeds' values 1, 2, 3, 4, 5, 6, 7, 8 have mean 4.5, s = 2.449 and
t(0.975, 7) = 2.365, so the interval is 4.5 +- 2.048:

>>> iv = interval([1, 2, 3, 4, 5, 6, 7, 8])
>>> round(iv.mean, 3), round(iv.low, 3), round(iv.high, 3)
(4.5, 2.452, 6.548)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from coalesce_games.explorer.controls import ExplorerControls
from coalesce_games.market.simulation import simulate_many
from coalesce_games.validation import as_array

__all__ = ["METRICS", "V_GRID", "Interval", "MarketView", "interval", "market_view", "rogue_curve"]

#: the market's metrics the explorer shows, with their labels
METRICS = {"rogue_task_share": "rogue share of outsourced tasks", "cost_reduction": "cost reduction",
           "realised_loss": "realised loss (USD)"}
#: the verification shares of the rogue-share curve
V_GRID = np.round(np.linspace(0.0, 1.0, 11), 10)


@dataclass(frozen=True)
class Interval:
    """A mean over seeds and the 95% t-interval of that mean."""

    mean: float
    low: float
    high: float


def interval(values: Any) -> Interval:
    """Mean and 95% t-interval of the mean of at least two finite values (module text)."""
    x = as_array("values", values, ndim=1)
    if x.size < 2:
        raise ValueError(f"values must hold at least 2 numbers for an interval; got {x.size}")
    mean = float(x.mean())
    half = float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return Interval(mean, mean - half, mean + half)


@dataclass(frozen=True)
class MarketView:
    """The market at a point: ``summary`` (metric -> :class:`Interval`) or, with no market, a ``message``."""

    summary: dict[str, Interval]
    seeds: tuple[int, ...]
    message: str = ""


def _market_config_or_message(c: ExplorerControls, verification: float | None = None) -> tuple[Any, str]:
    try:
        return c.market_config(verification), ""
    except ValueError as exc:
        return None, f"no market at this point: {exc}"


@lru_cache(maxsize=64)
def _market(c: ExplorerControls) -> MarketView:
    cfg, message = _market_config_or_message(c)
    if cfg is None:
        return MarketView({}, tuple(c.seed_list()), message)
    runs = simulate_many(cfg, c.seed_list()).runs
    return MarketView({key: interval(runs[key].to_numpy()) for key in METRICS}, tuple(c.seed_list()))


def _market_point(c: ExplorerControls) -> ExplorerControls:
    """The point with the controls the market ignores set to their defaults (the cache's key)."""
    base = ExplorerControls()
    return c.replace(delta=base.delta, margin=base.margin, gain=base.gain)


def market_view(c: ExplorerControls) -> MarketView:
    """The simulated market at a point (cached by the market controls).

    >>> view = market_view(ExplorerControls(rogue_share=0.01))
    >>> view.message
    'no market at this point: rogue_share 0.01 of 30 contractors is no provider'
    """
    if not isinstance(c, ExplorerControls):
        raise TypeError(f"c must be ExplorerControls; got {type(c).__name__}")
    return _market(_market_point(c))


@lru_cache(maxsize=32)
def _curve(c: ExplorerControls) -> tuple[pd.DataFrame, str]:
    cfgs = []
    for v in V_GRID:
        cfg, message = _market_config_or_message(c, float(v))
        if cfg is None:
            return pd.DataFrame(columns=["verification", "mean", "low", "high"]), message
        cfgs.append(cfg)
    runs = simulate_many(cfgs, c.seed_list()).runs
    rows = [interval(part.to_numpy()) for _, part in runs.groupby("config", sort=True)["rogue_task_share"]]
    frame = pd.DataFrame({"verification": V_GRID, "mean": [r.mean for r in rows],
                          "low": [r.low for r in rows], "high": [r.high for r in rows]})
    return frame, ""


def rogue_curve(c: ExplorerControls) -> tuple[pd.DataFrame, str]:
    """The rogue share of outsourced tasks against ``v`` (mean and 95% interval over the point's seeds).

    Returns the frame (columns ``verification``, ``mean``, ``low``, ``high``;
    one row per :data:`V_GRID` share) and a message (empty unless the market
    has no configuration at the point, when the frame is empty). The point's
    own ``v`` does not enter: the curve is cached across moves of ``v``.

    >>> frame, message = rogue_curve(ExplorerControls(rogue_share=0.0))
    >>> message, len(frame), float(frame["mean"].abs().max())      # no rogues, no rogue share
    ('', 11, 0.0)
    """
    if not isinstance(c, ExplorerControls):
        raise TypeError(f"c must be ExplorerControls; got {type(c).__name__}")
    frame, message = _curve(_market_point(c).replace(verification=0.0))
    return frame.copy(), message
