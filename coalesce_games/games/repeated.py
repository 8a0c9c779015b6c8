"""G4, the repeated outsourcing game: when is honesty self-enforcing?

A provider earns the margin ``pi = p - c`` per honest task. Cheating (say,
fabricating) adds a one-shot gain ``g`` (the work it did not do); each cheat is
caught with probability ``q = v d`` (the client verifies a share ``v`` of tasks
and a check detects with probability ``d``), and a detection ends the
relationship for good (grim trigger). With discount factor ``delta``::

    honest forever:  pi / (1 - delta)
    cheat forever:   (pi + g) / (1 - delta (1 - q))

Honesty is sustainable iff the first is at least the second, i.e. (the folk
theorem's incentive constraint; Fudenberg and Maskin 1986)::

    delta q pi >= g (1 - delta)
    v*     = g (1 - delta) / (delta d pi)       the minimal verification share
    delta* = g / (g + q pi)                     the minimal patience

So the security budget ``v*`` grows as price pressure lowers the margin
``pi``: halving the margin doubles the verification a client must buy.

The market simulator differs in one rule: a detected cheat is not paid
(``market``: "detections withhold payment"). Then cheating pays
``(pi + g)(1 - q)`` per period and honesty is sustainable iff
``q >= g (1 - delta) / (pi + g (1 - delta))``, a lower share
(:func:`minimal_verification_withheld`).

**Checks against simulation.** :func:`simulated_honesty_value` plays the
repeated game by Monte Carlo with the market's own rules (each task verified
with probability ``v``, outcomes and detection drawn by
:func:`coalesce_games.model.threats.sample_outcomes`, detection blacklists the
provider for good, as fabricators never re-enter) and estimates the cheat's
advantage with a CI; :func:`simulated_minimal_verification` finds where that
advantage crosses zero, with a bootstrap CI. :func:`market_detection_check`
runs the market simulator itself with fabricating rogues and estimates the
per-task detection probability that ``v*`` assumes to be ``v d``.

>>> round(float(minimal_verification(margin=10, gain=8, delta=0.9, detection=0.9)), 4)
0.0988
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import sympy

from coalesce_games.games.intervals import wilson_interval
from coalesce_games.market.config import MarketConfig
from coalesce_games.market.simulation import simulate_many
from coalesce_games.model.threats import FABRICATOR, HONEST, ThreatModel, sample_outcomes
from coalesce_games.validation import as_array, check_int, check_nonnegative, check_probability, check_scalar, make_rng

__all__ = ['MAX_PATH_PERIODS', 'd', 'delta', 'derive', 'finite_horizon', 'g', 'honesty_sustainable', 'margin_sweep', 'market_detection_check', 'minimal_delta', 'minimal_verification', 'minimal_verification_withheld', 'pi', 'simulated_honesty_value', 'simulated_minimal_verification', 'v']

pi, g, delta, v, d = sympy.symbols("pi g delta v d", positive=True)


def derive() -> dict[str, Any]:
    """The G4 derivation step by step, as sympy expressions (LaTeX via ``sympy.latex``).

    >>> steps = derive()
    >>> steps["v_star"]
    g*(1 - delta)/(d*delta*pi)
    """
    q = v * d
    honest = pi / (1 - delta)
    cheat = (pi + g) / (1 - delta * (1 - q))
    constraint = sympy.simplify(sympy.together(honest - cheat))
    numerator = sympy.factor(sympy.numer(sympy.together(honest - cheat)))
    v_star = sympy.solve(sympy.Eq(numerator, 0), v)[0]
    delta_star = sympy.solve(sympy.Eq(numerator, 0), delta)[0]
    return {"honest_value": honest, "cheat_value": cheat, "difference": constraint,
            "numerator": numerator, "v_star": sympy.simplify(v_star),
            "delta_star": sympy.simplify(delta_star)}


def _check(margin: Any, gain: Any, delta_: Any, detection: Any) -> None:
    check_positive_margin = check_nonnegative("margin", margin)
    if np.any(check_positive_margin == 0):
        raise ValueError(f"margin must be > 0 (an honest provider must earn something); got {margin!r}")
    check_nonnegative("gain", gain)
    check_probability("detection", detection)
    dl = as_array("delta", delta_)            # a string, a bool or a complex number is no discount factor
    if np.any((dl <= 0) | (dl >= 1)):
        raise ValueError(f"delta must be in (0, 1); got {delta_!r}")


def minimal_verification(margin: Any, gain: Any, delta: Any, detection: Any) -> np.ndarray:
    """``v* = g (1 - delta) / (delta d pi)``; above 1 means no budget suffices.

    Vectorised over numpy arrays.
    """
    _check(margin, gain, delta, detection)
    det = np.asarray(detection, float)
    with np.errstate(divide="ignore"):
        return np.where(det > 0, np.asarray(gain) * (1 - np.asarray(delta)) /
                        (np.asarray(delta) * np.where(det > 0, det, 1) * np.asarray(margin)), np.inf)


def minimal_delta(margin: Any, gain: Any, verification: Any, detection: Any) -> np.ndarray:
    """``delta* = g / (g + v d pi)``."""
    check_probability("verification", verification)
    _check(margin, gain, 0.5, detection)
    return np.asarray(gain) / (np.asarray(gain) + np.asarray(verification) * np.asarray(detection) * np.asarray(margin))


def honesty_sustainable(margin: float, gain: float, delta: float, verification: float, detection: float) -> bool:
    """Direct comparison of the two discounted values (no closed form used)."""
    _check(margin, gain, delta, detection)
    check_probability("verification", verification)
    q = verification * detection
    return margin / (1 - delta) >= (margin + gain) / (1 - delta * (1 - q)) - 1e-12


def finite_horizon(periods: int, margin: float, gain: float, delta: float, verification: float,
                   detection: float) -> pd.DataFrame:
    """Backward induction over a known, finite number of periods.

    In period t the provider stays honest iff ``delta q W_{t+1} >= g``, where
    ``W_{t+1}`` is the value of the relationship still to come (zero after the
    last period). Cheating is always optimal in the last period, and the
    relationship's value shrinks toward the end, so honesty unravels from the
    end: the table shows in which periods it survives.
    """
    periods = check_int("periods", periods, minimum=1)
    _check(margin, gain, delta, detection)
    check_probability("verification", verification)
    q = verification * detection
    rows, future = [], 0.0
    for t in range(periods, 0, -1):
        honest_value = margin + delta * future
        cheat_value = margin + gain + delta * (1 - q) * future
        honest = honest_value >= cheat_value
        future = honest_value if honest else cheat_value
        rows.append({"period": t, "honest": bool(honest), "continuation": future})
    return pd.DataFrame(rows[::-1])


def margin_sweep(margins: Any, gain: float, delta: float, detection: float) -> pd.DataFrame:
    """v* as price pressure lowers the margin (F5's security budget)."""
    m = check_nonnegative("margins", margins, ndim=1)
    if m.size == 0:
        raise ValueError("margins must not be empty")
    return pd.DataFrame({"margin": m, "v_star": minimal_verification(m, gain, delta, detection)})


def minimal_verification_withheld(margin: Any, gain: Any, delta: Any, detection: Any) -> np.ndarray:
    """v* when a detected cheat is not paid (the market's rule).

    Cheating forever is worth ``(pi + g)(1 - q) / (1 - delta (1 - q))``;
    honesty ``pi / (1 - delta)``. Cross-multiplying, honesty holds iff
    ``q (pi + g (1 - delta)) >= g (1 - delta)``, so with ``q = v d``::

        v*_w = g (1 - delta) / (d (pi + g (1 - delta)))

    By hand at pi = 10, g = 8, delta = 0.9, d = 0.9: 0.8 / (0.9 x 10.8) = 0.0823
    (against 0.0988 when the cheat is paid anyway).

    >>> round(float(minimal_verification_withheld(10, 8, 0.9, 0.9)), 4)
    0.0823
    """
    _check(margin, gain, delta, detection)
    det = np.asarray(detection, float)
    gl = np.asarray(gain, float) * (1 - np.asarray(delta, float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(det > 0, gl / (np.where(det > 0, det, 1) * (np.asarray(margin, float) + gl)), np.inf)


def _threshold(margin: float, gain: float, delta_: float, detection: float, withhold_payment: bool) -> float:
    """v* under the payment rule: paid anyway (:func:`minimal_verification`) or withheld."""
    rule = minimal_verification_withheld if withhold_payment else minimal_verification
    return float(rule(margin, gain, delta_, detection))


def _horizon(delta_: float) -> int:
    """Periods after which delta^t < 1e-10: the truncated tail is below 1e-10 / (1 - delta) periods' payoff."""
    return int(np.ceil(np.log(1e-10) / np.log(delta_)))


def _path_values(margin: float, gain: float, delta_: float, detection: float, grid: np.ndarray,
                 n_paths: int, seed: int, withhold_payment: bool) -> tuple[np.ndarray, np.ndarray]:
    """Discounted values of honest and cheating providers, shape (n_paths, len(grid)).

    Common random numbers: every verification share uses the same uniforms
    (a fresh generator from the same seed), so the curves are comparable.
    """
    H = _horizon(delta_)
    k = n_paths * H
    disc = delta_ ** np.arange(H)
    honest_v = np.empty((n_paths, len(grid)))
    cheat_v = np.empty((n_paths, len(grid)))
    ones, zeros = np.ones(k), np.zeros(k)
    for i, v_ in enumerate(grid):    # one vectorised draw of all paths x periods per share
        threats = ThreatModel(d_fab=detection, verification_share=float(v_))
        for who, target in ((HONEST, honest_v), (FABRICATOR, cheat_v)):
            rng = make_rng([seed, 0x64, who])
            verified = rng.random(k) < v_          # the market's verification rule
            out = sample_outcomes(np.full(k, who, np.int8), ones, ones, verified, zeros, threats, rng)
            detected = out["detected"].reshape(n_paths, H)
            # detection ends the relationship after the period it happens in (blacklist, no re-entry)
            alive = np.cumsum(detected, axis=1) - detected == 0
            per_period = margin + (gain if who == FABRICATOR else 0.0)
            paid = ~detected if withhold_payment else np.ones_like(detected)
            target[:, i] = (alive & paid) @ disc * per_period
    return honest_v, cheat_v


#: the most path-periods (``n_paths x periods``) one verification share may draw: each costs about 100 bytes
#: of work arrays (2 GB at the bound; 2000 paths at delta = 0.9 are 438,000)
MAX_PATH_PERIODS = 2 * 10**7


def _check_sim(margin: Any, gain: Any, delta_: Any, detection: Any, n_paths: Any, seed: Any) -> tuple:
    for name, val in (("margin", margin), ("gain", gain), ("delta", delta_), ("detection", detection)):
        check_scalar(name, val)
    _check(margin, gain, delta_, detection)
    n_paths = check_int("n_paths", n_paths, minimum=2)
    need = n_paths * _horizon(float(delta_))
    if need > MAX_PATH_PERIODS:
        raise ValueError(f"n_paths={n_paths} at delta={float(delta_)!r} draws {need:.3g} path-periods "
                         f"(n_paths x {_horizon(float(delta_))} periods) a verification share; at most "
                         f"{MAX_PATH_PERIODS:.0e} are allowed: use fewer paths")
    return (float(margin), float(gain), float(delta_), float(detection), n_paths, check_int("seed", seed, minimum=0))


def simulated_honesty_value(margin: float, gain: float, delta: float, detection: float, verification: Any,
                            n_paths: int = 2000, seed: int = 0, withhold_payment: bool = False,
                            level: float = 0.95) -> pd.DataFrame:
    """Monte-Carlo values of honesty and of cheating in G4, with the market's rules.

    Each path is one provider's relationship over ``periods = ceil(log 1e-10 / log delta)``
    periods (discount ``delta``; the truncation is below 1e-10 of a period's
    payoff). Each period's task is verified with probability ``v`` and its
    outcome drawn by :func:`coalesce_games.model.threats.sample_outcomes` (a
    fabrication is caught w.p. ``detection`` when verified); a detection ends
    the relationship after that period. The honest provider earns ``margin``
    per period, the cheat ``margin + gain`` (not paid when detected if
    ``withhold_payment``, the market's rule).

    One row per verification share: ``honest_value``, ``cheat_value``,
    ``advantage`` (cheat minus honest, the mean over paths), ``se``,
    ``ci_low``/``ci_high`` (normal interval at ``level``), ``exact`` (the
    closed-form advantage), ``v_star`` (the matching threshold:
    :func:`minimal_verification` or :func:`minimal_verification_withheld`),
    ``predicted`` ("cheat" below v*, else "honest") and ``observed``
    ("cheat" if the CI is above 0, "honest" if below, else "undecided").
    ``n_paths x periods`` is at most :data:`MAX_PATH_PERIODS` (a ValueError
    before anything is drawn).

    >>> t = simulated_honesty_value(10, 8, 0.9, 0.9, [0.05, 0.2], n_paths=500)
    >>> t[["verification", "predicted", "observed"]].values.tolist()
    [[0.05, 'cheat', 'cheat'], [0.2, 'honest', 'honest']]
    """
    margin, gain, delta_, detection, n_paths, seed = _check_sim(margin, gain, delta, detection, n_paths, seed)
    grid = check_probability("verification", verification, ndim=1)
    if grid.size == 0:
        raise ValueError("verification must not be empty; got []")
    check_scalar("level", level, low=0, high=1, low_open=True, high_open=True)
    honest_v, cheat_v = _path_values(margin, gain, delta_, detection, grid, n_paths, seed, bool(withhold_payment))
    adv = cheat_v - honest_v
    mean = adv.mean(axis=0)
    se = adv.std(axis=0, ddof=1) / np.sqrt(n_paths)
    z = NormalDist().inv_cdf((1 + level) / 2)
    q = grid * detection
    paid = (1 - q) if withhold_payment else 1.0
    exact = (margin + gain) * paid / (1 - delta_ * (1 - q)) - margin / (1 - delta_)
    v_star = _threshold(margin, gain, delta_, detection, withhold_payment)
    lo, hi = mean - z * se, mean + z * se
    return pd.DataFrame({
        "verification": grid, "honest_value": honest_v.mean(axis=0), "cheat_value": cheat_v.mean(axis=0),
        "advantage": mean, "se": se, "ci_low": lo, "ci_high": hi, "exact": exact, "v_star": v_star,
        "predicted": np.where(grid < v_star, "cheat", "honest"),
        "observed": np.where(lo > 0, "cheat", np.where(hi < 0, "honest", "undecided"))})


def simulated_minimal_verification(margin: float, gain: float, delta: float, detection: float,
                                   grid: Any = None, n_paths: int = 2000, seed: int = 0,
                                   withhold_payment: bool = False, n_boot: int = 500,
                                   level: float = 0.95) -> pd.Series:
    """The verification share at which cheating stops paying, found by simulation.

    The mean advantage of cheating (:func:`simulated_honesty_value`'s paths,
    common random numbers across ``grid``, default 101 shares in [0, 1]) is
    interpolated linearly to its first zero crossing; the CI is the percentile
    interval over ``n_boot`` bootstrap resamples of the paths. Returns
    ``v_star`` (the closed form), ``v_star_sim``, ``ci_low``, ``ci_high``,
    ``within_ci`` and ``n_paths``. ``v_star_sim`` is ``inf`` when the
    advantage never turns negative on the grid (no share suffices), ``0`` when
    it is negative already at the first share. ``n_paths x periods`` and
    ``n_boot x n_paths`` are each at most :data:`MAX_PATH_PERIODS`.

    >>> r = simulated_minimal_verification(10, 8, 0.9, 0.9, n_paths=500, n_boot=50)
    >>> bool(abs(r.v_star_sim - r.v_star) < 0.02)
    True
    """
    margin, gain, delta_, detection, n_paths, seed = _check_sim(margin, gain, delta, detection, n_paths, seed)
    grid = np.linspace(0, 1, 101) if grid is None else check_probability("grid", grid, ndim=1)
    if grid.size < 2:
        raise ValueError(f"grid must hold at least 2 verification shares; got {grid.tolist()!r}")
    if np.any(np.diff(grid) <= 0):
        raise ValueError(f"grid must be strictly increasing; got {grid.tolist()!r}")
    n_boot = check_int("n_boot", n_boot, minimum=1)
    if n_boot * n_paths > MAX_PATH_PERIODS:
        raise ValueError(f"n_boot={n_boot} resamples of {n_paths} paths need {n_boot * n_paths:.3g} weights; at most "
                         f"{MAX_PATH_PERIODS:.0e} are allowed: use fewer replicates")
    check_scalar("level", level, low=0, high=1, low_open=True, high_open=True)
    honest_v, cheat_v = _path_values(margin, gain, delta_, detection, grid, n_paths, seed, bool(withhold_payment))
    adv = cheat_v - honest_v
    rng = make_rng([seed, 0xB007])
    weights = rng.multinomial(n_paths, np.full(n_paths, 1 / n_paths), size=n_boot) / n_paths
    curves = np.vstack([adv.mean(axis=0), weights @ adv])          # (1 + n_boot, len(grid))
    roots = _first_roots(curves, grid)
    v_star = _threshold(margin, gain, delta_, detection, withhold_payment)
    lo, hi = np.quantile(roots[1:], [(1 - level) / 2, (1 + level) / 2])
    return pd.Series({"v_star": v_star, "v_star_sim": float(roots[0]), "ci_low": float(lo), "ci_high": float(hi),
                      "within_ci": bool(lo <= v_star <= hi), "n_paths": n_paths,
                      "withhold_payment": bool(withhold_payment)})


def _first_roots(curves: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """First down-crossing of zero of each row of ``curves`` over ``grid``, by linear interpolation.

    >>> _first_roots(np.array([[2.0, 1.0, -1.0], [-1.0, -2.0, -3.0], [1.0, 1.0, 1.0]]), np.array([0.0, 0.1, 0.2]))
    array([0.15, 0.  ,  inf])
    """
    neg = curves <= 0
    has = neg.any(axis=1)
    j = np.argmax(neg, axis=1)                   # first grid index with a non-positive advantage
    jp = np.maximum(j - 1, 0)
    rows = np.arange(len(curves))
    y0, y1 = curves[rows, jp], curves[rows, j]
    x0, x1 = grid[jp], grid[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(j == 0, grid[0], x0 + (x1 - x0) * y0 / (y0 - y1))
    return np.where(has, root, np.inf)


def market_detection_check(config: MarketConfig, seeds: Any, margin: float, gain: float, delta: float,
                           level: float = 0.95) -> pd.Series:
    """The market simulator's detection channel against G4's assumption ``q = v d``.

    The market has no provider cost, so ``margin`` and ``gain`` (in the
    market's terms, ``pi = p - c`` and ``g = c``, the work a fabricator skips)
    are inputs; what the simulator supplies is the probability that a
    fabricated task is caught, which G4 takes to be ``v d`` with ``v =
    config.verification_share`` and ``d = config.d_fab``. The check runs
    ``config`` with fabricators only (``rogue_mix = (0, 0, 1)``) over
    ``seeds`` and counts detections per task won by a rogue (with fabricators
    only, every detection is of a fabrication). Returns ``tasks``,
    ``detections``, ``q_predicted``, ``q_sim`` with its Wilson interval
    ``q_low``/``q_high``, ``q_within_ci``, and the repeated game's threshold
    with the simulator's channel: ``v_star`` (closed form) and ``v_star_sim``
    with CI, ``g (1 - delta) v / (delta q pi)`` at ``q_sim`` and at the
    interval's ends (decreasing in ``q``); and the same under the market's
    payment rule, ``v_star_withheld`` (:func:`minimal_verification_withheld`)
    and ``v_star_withheld_sim`` (its ``q`` threshold times ``v / q_sim``).

    What this does not check: the market's fabricators cannot choose to be
    honest (behaviours are fixed), so the provider's incentive itself is
    checked by :func:`simulated_honesty_value`, with the market's rules.
    """
    if not isinstance(config, MarketConfig):
        raise TypeError(f"config must be a MarketConfig; got {type(config).__name__}")
    if config.rogue_share == 0:
        raise ValueError("config.rogue_share must be > 0 (the check needs fabricators); got 0.0")
    if config.verification_share == 0:
        raise ValueError("config.verification_share must be > 0 (no verification detects nothing); got 0.0")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must not be empty; got []")
    check_scalar("level", level, low=0, high=1, low_open=True, high_open=True)
    v_ = config.verification_share
    d_ = config.d_fab
    v_star = float(minimal_verification(margin, gain, delta, d_))
    runs = simulate_many(config.replace(rogue_mix=(0.0, 0.0, 1.0)), seeds).runs
    tasks = int(np.round(runs.rogue_task_share * runs.outsourcing_rate * runs.tasks).sum())
    detections = int(runs.detections.sum())
    if tasks == 0:
        raise ValueError("no task went to a fabricator in these runs; use more days, clients or seeds")
    p_hat = detections / tasks
    (q_lo,), (q_hi,) = wilson_interval(detections, tasks, level)
    scale = gain * (1 - delta) * v_ / (delta * margin)

    def implied(q: float) -> float:
        return float(scale / q) if q > 0 else np.inf

    # the market withholds a detected cheat's payment: the threshold on q is g(1-delta)/(pi + g(1-delta))
    q_w = gain * (1 - delta) / (margin + gain * (1 - delta))
    return pd.Series({"verification": v_, "d_fab": d_, "tasks": tasks, "detections": detections,
                      "q_predicted": v_ * d_, "q_sim": p_hat, "q_low": q_lo, "q_high": q_hi,
                      "q_within_ci": bool(q_lo <= v_ * d_ <= q_hi), "v_star": v_star,
                      "v_star_sim": implied(p_hat), "v_star_low": implied(q_hi), "v_star_high": implied(q_lo),
                      "v_star_within_ci": bool(implied(q_hi) <= v_star <= implied(q_lo)),
                      "v_star_withheld": float(minimal_verification_withheld(margin, gain, delta, d_)),
                      "v_star_withheld_sim": float(q_w * v_ / p_hat) if p_hat > 0 else np.inf})
