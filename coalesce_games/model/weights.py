"""The TOPSIS criteria weights: task factors and the responsiveness update.

A client weighs cost, reliability, latency and security; each task scales those
weights by its budget, value, latency limit and sensitivity (the weight factors,
``papers/model.md`` section 4), and the weights follow the market with
responsiveness ``beta``, the weight of the newest observation::

    w_t = normalise((1 - beta) w_{t-1} + beta w_market(t))

>>> update_weights([0.4, 0.25, 0.2, 0.15], [0.25, 0.25, 0.25, 0.25], beta=0.7).round(3).tolist()
[0.295, 0.25, 0.235, 0.22]
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np

from coalesce_games import data
from coalesce_games.model.tasks import Tasks
from coalesce_games.validation import as_array, check_probability, check_weights

__all__ = ['WeightFactors', 'market_weights', 'task_weight_factors', 'task_weights', 'update_weights', 'weight_factor_constants', 'weight_factors_one', 'weights_update']


def update_weights(previous: Any, market: Any, beta: float) -> np.ndarray:
    """``normalise((1 - beta) w_prev + beta w_market)`` (MODEL.md section 4)."""
    check_probability("beta", beta)
    w_prev = check_weights("previous", previous)
    w_mkt = check_weights("market", market)
    return check_weights("weights", (1 - beta) * w_prev + beta * w_mkt)


def market_weights(base: Any, pressure: Any) -> np.ndarray:
    """Criteria weights raised by observed market pressure: ``normalise(base (1 + pressure))``.

    ``pressure`` per criterion (cost, reliability, latency, security) is a
    non-negative signal: price index above 1, failure rate, share of late
    tasks, incident rate; leading axes (one row per run) broadcast.
    """
    w = check_weights("base", base, size=4)
    p = as_array("pressure", pressure)
    if p.ndim == 0 or p.shape[-1] != 4:
        raise ValueError(f"pressure must have 4 entries on its last axis; got shape {p.shape}")
    if (p < 0).any():
        raise ValueError(f"pressure must be >= 0; got {p.tolist()}")
    return check_weights("weights", w * (1 + p))


def task_weight_factors(tasks: Tasks, params: dict | None = None) -> np.ndarray:
    """Each task's multipliers of the four TOPSIS weights, shape (m, 4) (1 where none applies).

    Cost x1.2 when budget < 0.3 value; latency x1.3 when max latency < 30 min;
    security x1.4 for high data sensitivity.
    """
    k = weight_factor_constants(params)
    factors = np.ones((len(tasks), 4))
    factors[:, 0] = np.where(tasks.budget < k.cost_budget_share * tasks.value, k.cost_multiplier, 1.0)
    factors[:, 2] = np.where(tasks.max_latency < k.latency_urgent_min, k.latency_multiplier, 1.0)
    factors[:, 3] = np.where(tasks.sensitivity > k.high_sensitivity, k.security_multiplier, 1.0)
    return factors


class WeightFactors(NamedTuple):
    """The thresholds and multipliers of :func:`task_weight_factors`, for compiled code."""

    cost_budget_share: float
    cost_multiplier: float
    latency_urgent_min: float
    latency_multiplier: float
    high_sensitivity: float
    security_multiplier: float


def weight_factor_constants(params: dict | None = None) -> WeightFactors:
    """:func:`task_weight_factors`' constants from ``data/parameters.toml``."""
    d = (data.parameters_view() if params is None else params)["decision"]
    return WeightFactors(*(float(d[key]) for key in WeightFactors._fields))


@numba.njit(cache=True, nogil=True)
def weight_factors_one(budget: float, value: float, max_latency: float, sensitivity: float, k: WeightFactors,
                       out: np.ndarray) -> None:  # pragma: no cover (compiled)
    """One task's row of :func:`task_weight_factors` into ``out`` (4,), in compiled code (equal: tested).

    >>> out = np.empty(4)
    >>> weight_factors_one(50.0, 200.0, 20.0, 0.9, weight_factor_constants(), out)   # tight budget, urgent, sensitive
    >>> out.tolist()
    [1.2, 1.0, 1.3, 1.4]
    """
    out[0] = k.cost_multiplier if budget < k.cost_budget_share * value else 1.0
    out[1] = 1.0
    out[2] = k.latency_multiplier if max_latency < k.latency_urgent_min else 1.0
    out[3] = k.security_multiplier if sensitivity > k.high_sensitivity else 1.0


def task_weights(base: np.ndarray, tasks: Tasks, params: dict | None = None) -> np.ndarray:
    """Per-task TOPSIS weights with the paper's multipliers (:func:`task_weight_factors`), renormalised, (m, 4).

    ``base`` is (4,) or one row per task.
    """
    w = np.asarray(base, float) * task_weight_factors(tasks, params)
    return w / w.sum(axis=1, keepdims=True)


@numba.njit(cache=True, nogil=True)
def _normalised(w: np.ndarray) -> np.ndarray:  # pragma: no cover (compiled)
    return w / (((w[0] + w[1]) + w[2]) + w[3])       # numpy's order of summing four weights


@numba.njit(cache=True, nogil=True)
def weights_update(current: np.ndarray, base: np.ndarray, price_index: float, success_share: float,
                   late_share: float, incident_share: float, beta: float) -> None:  # pragma: no cover (compiled)
    """:meth:`CoalescePolicy.observe` for one run in compiled code, updating ``current`` in place.

    ``w <- normalise((1 - beta) w + beta normalise(base (1 + pressure)))``
    with pressure (price index above 1, failure rate, late share, incident
    share), operation for operation as :func:`update_weights` of
    :func:`market_weights` computes it (tested equal).
    """
    pressure = np.array([max(price_index - 1.0, 0.0), 1.0 - success_share, late_share, incident_share])
    market = _normalised(_normalised(_normalised(base) * (1 + pressure)))
    current[:] = _normalised((1 - beta) * _normalised(current) + beta * market)
