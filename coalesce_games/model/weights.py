"""The TOPSIS criteria weights: task factors and the responsiveness update.

A client weighs cost, reliability, latency and security; each task scales those
weights by its budget, value, latency limit and sensitivity (the weight factors,
``papers/model.md`` section 4.2), and the weights follow the market with
responsiveness ``beta``, the weight of the newest observation::

    w_t = normalise((1 - beta) w_{t-1} + beta w_market(t))

Each formula is written once, compiled, for one task or one run
(:func:`weight_factors_one`, :func:`task_weights_one`, :func:`follow_market`);
the array functions are compiled loops over them.

>>> blend_weights([0.4, 0.25, 0.2, 0.15], [0.25, 0.25, 0.25, 0.25], beta=0.7).round(3).tolist()
[0.295, 0.25, 0.235, 0.22]
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np

from coalesce_games import data
from coalesce_games.model.cost_terms import ewma_one
from coalesce_games.model.tasks import Tasks
from coalesce_games.validation import as_array, check_probability, check_weights

__all__ = ['WeightFactors', 'blend_weights', 'follow_market', 'market_weights', 'task_weight_factors', 'task_weights',
           'task_weights_one', 'weight_factor_constants', 'weight_factors_one', 'weight_noise_step']


def market_weights(base: Any, pressure: Any) -> np.ndarray:
    """Criteria weights raised by observed market pressure: ``normalise(base (1 + pressure))``
    (:func:`market_weights_one` per row).

    ``pressure`` per criterion (cost, reliability, latency, security) is a
    non-negative signal: price index above 1, failure rate, share of late
    tasks, incident rate; leading axes (one row per run) broadcast.
    """
    w = check_weights("base", base, size=4, normalise=False)
    if w.ndim != 1:
        raise ValueError(f"base must be one vector of 4 weights; got shape {w.shape}")
    p = as_array("pressure", pressure)
    if p.ndim == 0 or p.shape[-1] != 4:
        raise ValueError(f"pressure must have 4 entries on its last axis; got shape {p.shape}")
    if (p < 0).any():
        raise ValueError(f"pressure must be >= 0; got {p.tolist()}")
    rows = np.broadcast_to(p, np.broadcast_shapes(p.shape, w.shape)).reshape(-1, 4)
    out = np.empty(rows.shape)
    for r in range(len(rows)):
        market_weights_one(w, np.ascontiguousarray(rows[r]), out[r])
    return out.reshape(p.shape)


def task_weight_factors(tasks: Tasks, params: dict | None = None) -> np.ndarray:
    """Each task's multipliers of the four TOPSIS weights, shape (m, 4) (:func:`weight_factors_one` per task).

    Cost x1.2 when budget < 0.3 value; latency x1.3 when max latency < 30 min;
    security x1.4 for high data sensitivity; 1 where none applies.
    """
    k, m = weight_factor_constants(params), len(tasks)
    out = np.empty((m, 4))
    _factor_rows(*_task_columns(tasks), k, out)
    return out


def _task_columns(tasks: Tasks) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(getattr(tasks, f), float) for f in ("budget", "value", "max_latency", "sensitivity"))


@numba.njit(cache=True, nogil=True, _nrt=False)
def _factor_rows(budget, value, max_latency, sensitivity, k, out) -> None:  # pragma: no cover (compiled)
    for i in range(len(out)):
        weight_factors_one(budget[i], value[i], max_latency[i], sensitivity[i], k, out[i])


class WeightFactors(NamedTuple):
    """The thresholds and multipliers of the weight factors, for compiled code."""

    cost_budget_share: float
    cost_multiplier: float
    latency_urgent_min: float
    latency_multiplier: float
    high_sensitivity: float
    security_multiplier: float


def weight_factor_constants(params: dict | None = None) -> WeightFactors:
    """The weight factors' constants from ``data/parameters.toml``."""
    d = (data.parameters_view() if params is None else params)["decision"]
    return WeightFactors(*(float(d[key]) for key in WeightFactors._fields))


@numba.njit(cache=True, nogil=True, inline="always")
def weight_factors_one(budget: float, value: float, max_latency: float, sensitivity: float, k: WeightFactors,
                       out: np.ndarray) -> None:  # pragma: no cover (compiled)
    """One task's multipliers of the four weights into ``out`` (4,).

    >>> out = np.empty(4)
    >>> weight_factors_one(50.0, 200.0, 20.0, 0.9, weight_factor_constants(), out)   # tight budget, urgent, sensitive
    >>> out.tolist()
    [1.2, 1.0, 1.3, 1.4]
    """
    out[0] = k.cost_multiplier if budget < k.cost_budget_share * value else 1.0
    out[1] = 1.0
    out[2] = k.latency_multiplier if max_latency < k.latency_urgent_min else 1.0
    out[3] = k.security_multiplier if sensitivity > k.high_sensitivity else 1.0


@numba.njit(cache=True, nogil=True, inline="always")
def task_weights_one(base: np.ndarray, budget: float, value: float, max_latency: float, sensitivity: float,
                     k: WeightFactors, factor: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover (compiled)
    """One task's TOPSIS weights into ``out`` (4,): ``base`` times the task's factors, normalised
    (``factor`` (4,) is work space).

    >>> out = np.empty(4)
    >>> task_weights_one(np.array([0.4, 0.25, 0.2, 0.15]), 50.0, 200.0, 60.0, 0.1, weight_factor_constants(),
    ...                  np.empty(4), out)
    >>> (out * 1.08).round(6).tolist()         # cost x1.2: 0.48 of 1.08
    [0.48, 0.25, 0.2, 0.15]
    """
    weight_factors_one(budget, value, max_latency, sensitivity, k, factor)
    for c in range(4):
        out[c] = base[c] * factor[c]
    _normalise_into(out, out)


def task_weights(base: np.ndarray, tasks: Tasks, params: dict | None = None) -> np.ndarray:
    """Per-task TOPSIS weights with the paper's multipliers, renormalised, (m, 4) (:func:`task_weights_one`).

    ``base`` is (4,) or one row per task.
    """
    m = len(tasks)
    base = np.asarray(base, float)
    if base.shape not in ((4,), (m, 4)):
        raise ValueError(f"base weights must have shape (4,) or ({m}, 4); got {base.shape}")
    out = np.empty((m, 4))
    _weight_rows(base.reshape(-1, 4), *_task_columns(tasks), weight_factor_constants(params), np.empty(4), out)
    return out


@numba.njit(cache=True, nogil=True, _nrt=False)
def _weight_rows(base, budget, value, max_latency, sensitivity, k, factor, out) -> None:  # pragma: no cover (compiled)
    for i in range(len(out)):
        task_weights_one(base[min(i, len(base) - 1)], budget[i], value[i], max_latency[i], sensitivity[i], k, factor,
                         out[i])


@numba.njit(cache=True, nogil=True, inline="always")
def _normalise_into(w: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover (compiled)
    """``out = w / sum(w)`` for four weights, summed in numpy's order (``out`` may be ``w``)."""
    total = ((w[0] + w[1]) + w[2]) + w[3]
    for c in range(4):
        out[c] = w[c] / total


@numba.njit(cache=True, nogil=True)
def market_weights_one(base: np.ndarray, pressure: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """``out = normalise(normalise(base) (1 + pressure))`` for one run."""
    _normalise_into(base, out)
    for c in range(4):
        out[c] = out[c] * (1 + pressure[c])
    _normalise_into(out, out)


@numba.njit(cache=True, nogil=True)
def _blend_into(current: np.ndarray, market: np.ndarray, beta: float,
                work: np.ndarray) -> None:  # pragma: no cover (compiled)
    """``current <- normalise(ewma(normalise(current), normalise(market), beta))`` (Eq. 10's average, per
    weight); ``work`` (2, 4) is work space."""
    now, target = work[0], work[1]
    _normalise_into(current, now)
    _normalise_into(market, target)
    for c in range(4):
        current[c] = ewma_one(now[c], target[c], beta)
    _normalise_into(current, current)


@numba.njit(cache=True, nogil=True)
def follow_market(current: np.ndarray, base: np.ndarray, price_index: float, success_share: float,
                  late_share: float, incident_share: float, beta: float,
                  work: np.ndarray) -> None:  # pragma: no cover (compiled)
    """One run's hourly weight step, in place: ``current`` blends towards :func:`market_weights_one` of the
    hour's pressure (price index above 1, failure rate, late share, incident share) with responsiveness
    ``beta``; ``work`` (4, 4) is work space.

    >>> w = np.array([0.4, 0.25, 0.2, 0.15])
    >>> follow_market(w, w.copy(), 1.0, 1.0, 0.0, 1.0, 1.0, np.empty((4, 4)))   # all incidents; beta 1
    >>> (w * 1.15).round(6).tolist()
    [0.4, 0.25, 0.2, 0.3]
    """
    pressure, market = work[0], work[1]
    pressure[0], pressure[1] = max(price_index - 1.0, 0.0), 1.0 - success_share
    pressure[2], pressure[3] = late_share, incident_share
    market_weights_one(base, pressure, market)
    _blend_into(current, market, beta, work[2:])


def blend_weights(previous: Any, market: Any, beta: float) -> np.ndarray:
    """``normalise((1 - beta) w_prev + beta w_market)``, row by row (``papers/model.md``, section 4.5).

    >>> blend_weights([1, 0, 0, 0], [0, 1, 0, 0], beta=0.25).tolist()
    [0.75, 0.25, 0.0, 0.0]
    """
    check_probability("beta", beta)
    w_prev = check_weights("previous", previous, size=4, normalise=False)
    w_mkt = check_weights("market", market, size=4, normalise=False)
    shape = np.broadcast_shapes(w_prev.shape, w_mkt.shape)
    out = np.array(np.broadcast_to(w_prev, shape)).reshape(-1, 4)
    targets = np.broadcast_to(w_mkt, shape).reshape(-1, 4)
    work = np.empty((2, 4))
    for r in range(len(out)):
        _blend_into(out[r], np.ascontiguousarray(targets[r]), float(beta), work)
    return out.reshape(shape)


@numba.njit(cache=True, nogil=True, inline="always")
def weight_noise_step(weights: np.ndarray, step: np.ndarray) -> None:  # pragma: no cover (compiled)
    """The published code's stand-in for Eq. 12, in place: ``w <- |w + step| / sum |w + step|``, ``step`` a
    draw of ``0.01 N(0, 0.1)`` per weight (``papers/model.md`` section 7.5).

    >>> w = np.array([0.4, 0.25, 0.2, 0.15])
    >>> weight_noise_step(w, np.array([0.1, -0.3, 0.0, 0.0]))     # |0.5, -0.05, 0.2, 0.15| / 0.9
    >>> (w * 0.9).round(12).tolist()
    [0.5, 0.05, 0.2, 0.15]
    """
    total = 0.0
    for c in range(len(weights)):
        weights[c] = abs(weights[c] + step[c])
        total += weights[c]
    for c in range(len(weights)):
        weights[c] /= total
