"""G1's learning dynamics set beside the simulated market (devolution, F5 and F7).

The dynamics themselves (replicator dynamics and fictitious play on any
bimatrix game) are :mod:`coalesce_games.solvers.learning`'s; this module asks
what they say about the outsourcing stage game and compares it with the market.

**Devolution** (F5): in G1 with no verification, the provider population
drifts to fabrication and the client population to local execution or
unprotected outsourcing; with a verification rate above the inspection core's
``v* = c / (d p)`` (:mod:`coalesce_games.games.inspection`) honesty pays.

**Against the simulator** (:func:`compare_with_simulator`): the market's
fabricators cannot change their behaviour, but the clients' choices select
among them; the share of outsourced tasks won by rogues is the simulator's
empirical frequency of the provider strategy "Fabricate". It is set beside
the provider population's replicator trajectory in G1 against the client mix
the market plays (outsource, verifying a share ``v``).

>>> from coalesce_games.games.stage import StageParameters, stage_game
>>> from coalesce_games.solvers.learning import replicator
>>> traj = replicator(stage_game(StageParameters()), steps=50)
>>> list(traj.columns[:4])
['t', 'client:Local', 'client:Outsource', 'client:Verify']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.games.intervals import wilson_interval
from coalesce_games.games.stage import StageParameters, stage_game
from coalesce_games.market.config import MarketConfig
from coalesce_games.market.simulation import simulate_many
from coalesce_games.solvers.learning import provider_replicator
from coalesce_games.validation import check_int, check_scalar

__all__ = ['compare_with_simulator', 'indifference_verification', 'simulator_frequencies']


def indifference_verification(par: StageParameters) -> float:
    """The verification share at which G1's provider is indifferent between Honest and Fabricate.

    The client outsources and verifies a share ``v``: the provider's payoffs
    are ``(1 - v) B[Outsource] + v B[Verify]``; Fabricate pays ``p (1 - v d)``
    and Honest ``p - c``, so ``v = c / (d p)`` (the inspection core's
    equilibrium verification rate). ``inf`` when no share deters fabrication.

    >>> round(indifference_verification(StageParameters(price=20, cost=8, d_fab=0.9)), 4)
    0.4444
    """
    B = stage_game(par).B
    gap0 = B[1, 1] - B[1, 0]          # Fabricate minus Honest, no verification
    gap1 = B[2, 1] - B[2, 0]          # ... every task verified
    if gap0 <= 0:
        return 0.0
    if gap1 >= 0:
        return float("inf")
    return float(gap0 / (gap0 - gap1))


def simulator_frequencies(config: MarketConfig, seeds: Any, window: int = 6, level: float = 0.95) -> pd.DataFrame:
    """The simulator's empirical frequency of rogue providers among outsourced tasks, over time.

    Runs ``config`` for each seed and pools the hourly ``steps`` into windows
    of ``window`` hours: ``hour`` (window start), ``outsourced``, ``rogue``,
    ``rogue_share`` and its Wilson interval ``ci_low``/``ci_high`` (NaN in a
    window without outsourced tasks). ``window`` is 1 to the run's
    ``days x 24`` hours (one window then pools the whole run); longer is
    refused.
    """
    if not isinstance(config, MarketConfig):
        raise TypeError(f"config must be a MarketConfig; got {type(config).__name__}")
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must not be empty; got []")
    window = check_int("window", window, minimum=1)
    if window > config.days * 24:
        raise ValueError(f"window must be at most the run's {config.days * 24} hours (days={config.days}); "
                         f"got {window!r}")
    check_scalar("level", level, low=0, high=1, low_open=True, high_open=True)
    steps = simulate_many(config, seeds).steps
    steps["hour"] = steps["hour"] // window * window
    agg = steps.groupby("hour", sort=True)[["outsourced", "rogue"]].sum().reset_index()
    k, n = agg["rogue"].to_numpy(int), agg["outsourced"].to_numpy(int)
    lo, hi = wilson_interval(k, n, level)
    agg["rogue_share"] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    agg["ci_low"], agg["ci_high"] = lo, hi
    return agg


def compare_with_simulator(config: MarketConfig, seeds: Any, par: StageParameters | None = None,
                           window: int = 6, horizon: float = 10.0, level: float = 0.95) -> pd.DataFrame:
    """G1's provider replicator trajectory beside the simulator's rogue share, hour by hour.

    The market is ``config`` with fabricators as its only rogues
    (``rogue_mix = (0, 0, 1)``; G1 does not punish spoofing, so other rogues
    have no counterpart). The model: G1 with ``par`` (default
    :class:`~coalesce_games.games.StageParameters`) and the market's
    ``d_fab``, the provider population starting at ``(1 - rogue_share,
    rogue_share)`` over (Honest, Fabricate), the clients outsourcing and
    verifying the market's ``verification_share`` (:func:`provider_replicator`).
    Model time ``[0, horizon]`` is mapped linearly onto the run's hours: the
    time scale is a free parameter, so what is compared is the direction of
    change and which strategy takes over, not the speed.

    Columns: ``hour``, the simulator's ``outsourced``, ``rogue``,
    ``rogue_share``, ``ci_low``, ``ci_high`` (:func:`simulator_frequencies`)
    and ``model_rogue_share`` (the Fabricate share at the window's midpoint).
    ``attrs``: ``v`` (verification share), ``v_threshold``
    (:func:`indifference_verification`), ``predicted`` ("grows" if ``v`` is
    below the threshold, else "shrinks"), ``initial`` (the rogue share of
    providers at the start, the model's starting Fabricate share),
    ``sim_late`` (the pooled rogue share of outsourced tasks over the second
    half of the run) with its Wilson interval ``sim_late_ci``, ``model_late``
    (the mean model share over the second half), ``sim_direction`` and
    ``model_direction`` ("grows" when the late share, its whole CI for the
    simulator, is above ``initial``, "shrinks" when below, else "flat") and
    ``agree``.

    Known difference: the market's fabricators cannot turn honest, so any
    positive verification share removes them by blacklisting; the simulator
    "shrinks" also for ``0 < v < v_threshold``, where G1's incentives
    predict growth. The two agree at ``v = 0`` (devolution) and at
    ``v >= v_threshold``.
    """
    if not isinstance(config, MarketConfig):
        raise TypeError(f"config must be a MarketConfig; got {type(config).__name__}")
    if config.rogue_share == 0:
        raise ValueError("config.rogue_share must be > 0 (the comparison needs rogue providers); got 0.0")
    check_scalar("horizon", horizon, low=0, low_open=True)
    cfg = config.replace(rogue_mix=(0.0, 0.0, 1.0))
    par = StageParameters() if par is None else par
    if not isinstance(par, StageParameters):
        raise TypeError(f"par must be StageParameters; got {type(par).__name__}")
    par = StageParameters(**{**par.__dict__, "d_fab": cfg.d_fab})
    sim = simulator_frequencies(cfg, seeds, window, level)
    game = stage_game(par).subgame([0, 1, 2], [0, 1])
    v = cfg.verification_share
    hours = cfg.days * 24
    traj = provider_replicator(game, [0.0, 1 - v, v], steps=hours + 1, horizon=horizon,
                               y0=[1 - cfg.rogue_share, cfg.rogue_share])
    mid = np.minimum(sim["hour"].to_numpy() + window / 2, hours).round().astype(int)
    sim["model_rogue_share"] = traj["provider:Fabricate"].to_numpy()[mid]
    late = sim["hour"].to_numpy() >= hours / 2
    k2, n2 = int(sim.rogue[late].sum()), int(sim.outsourced[late].sum())
    if n2 == 0:
        raise ValueError("no outsourced task in the second half of the run; use more days, clients or seeds")
    lo, hi = wilson_interval(k2, n2, level)
    initial = cfg.rogue_share
    model_full = traj["provider:Fabricate"].to_numpy()
    model_late = float(model_full[int(np.ceil(hours / 2)):].mean())

    def direction(low: float, high: float) -> str:
        return "grows" if low > initial else "shrinks" if high < initial else "flat"

    v_thr = indifference_verification(par)
    sim_dir = direction(float(lo[0]), float(hi[0]))
    model_dir = direction(model_late - 1e-9, model_late + 1e-9)
    sim.attrs.update({"v": v, "v_threshold": v_thr, "predicted": "grows" if v < v_thr else "shrinks",
                      "initial": initial, "sim_late": k2 / n2, "sim_late_ci": (float(lo[0]), float(hi[0])),
                      "sim_direction": sim_dir, "model_late": model_late, "model_direction": model_dir,
                      "agree": sim_dir == model_dir})
    return sim
