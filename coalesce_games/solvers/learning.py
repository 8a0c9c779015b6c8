"""Learning dynamics on bimatrix games: replicator dynamics and fictitious play.

Two populations, row players and column players, adjust their mix of
strategies towards what pays (Taylor and Jonker 1978; Brown 1951). Both are
nashpy's implementations, returned as tidy DataFrames with labelled columns
(``client:<row label>``, ``provider:<column label>``: in this toolkit the row
player is the client and the column player the provider).
:func:`provider_replicator` moves the column population alone against a fixed
row mix. What these dynamics say about the outsourcing games (devolution, F5)
is in :mod:`coalesce_games.games.dynamics`.

>>> from coalesce_games.solvers.game import Game
>>> pennies = Game([[1, -1], [-1, 1]], row_labels=["H", "T"], col_labels=["H", "T"])
>>> traj = replicator(pennies, steps=50)
>>> list(traj.columns)
['t', 'client:H', 'client:T', 'provider:H', 'provider:T']
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.solvers._checks import check_int, check_probability, check_scalar
from coalesce_games.solvers.bounds import MAX_ITERATIONS, MAX_STEPS, check_size
from coalesce_games.solvers.game import Game

__all__ = ['fictitious_play', 'honest_share_after', 'provider_replicator', 'replicator']


def _labels(game: Game) -> list[str]:
    return [f"client:{r}" for r in game.row_labels] + [f"provider:{c}" for c in game.col_labels]


def replicator(game: Game, steps: int = 200, horizon: float = 20.0,
               x0: Any = None, y0: Any = None) -> pd.DataFrame:
    """Two-population (asymmetric) replicator dynamics from uniform (or given) mixes, at ``steps`` time
    points (at most :data:`~coalesce_games.solvers.bounds.MAX_STEPS`) from 0 to ``horizon``."""
    check_size("steps", check_int("steps", steps, minimum=2), MAX_STEPS, "a coarser time grid")
    m, n = game.shape
    x0 = np.full(m, 1 / m) if x0 is None else check_probability("x0", x0, shape=(m,))
    y0 = np.full(n, 1 / n) if y0 is None else check_probability("y0", y0, shape=(n,))
    # payoffs scaled to unit range: the same orbits, a numerically tame time scale
    scale = game.payoff_range()
    g = Game(game.A / scale, game.B / scale, game.row_labels, game.col_labels).to_nashpy()
    t = np.linspace(0, horizon, steps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xs, ys = g.asymmetric_replicator_dynamics(x0=x0, y0=y0, timepoints=t)
    frame = pd.DataFrame(np.hstack([xs, ys]), columns=_labels(game))
    frame.insert(0, "t", t)
    return frame


def fictitious_play(game: Game, iterations: int = 500, seed: int = 0) -> pd.DataFrame:
    """Empirical strategy frequencies of fictitious play, one row per iteration (at most
    :data:`~coalesce_games.solvers.bounds.MAX_ITERATIONS`)."""
    check_size("iterations", check_int("iterations", iterations, minimum=1), MAX_ITERATIONS, "fewer iterations")
    np.random.seed(seed)  # nashpy breaks ties with numpy's legacy global generator
    plays = list(game.to_nashpy().fictitious_play(iterations=iterations))
    rows = []
    for k, (rc, cc) in enumerate(plays):
        rtot, ctot = max(rc.sum(), 1), max(cc.sum(), 1)
        rows.append(np.r_[k, rc / rtot, cc / ctot])
    return pd.DataFrame(rows, columns=["iteration"] + _labels(game))


def honest_share_after(game: Game, steps: int = 200, horizon: float = 50.0) -> float:
    """The provider population's share of 'Honest' at the end of a replicator run."""
    traj = replicator(game, steps, horizon)
    return float(traj["provider:Honest"].iloc[-1])


def provider_replicator(game: Game, client_mix: Any, steps: int = 200, horizon: float = 20.0,
                        y0: Any = None) -> pd.DataFrame:
    """The provider population's replicator dynamics against a fixed client mix, in closed form.

    With the clients' mix ``x`` fixed, each provider strategy's fitness
    ``f_j = (x B)_j`` is constant, so ``dy_j/dt = y_j (f_j - y . f)`` solves
    exactly to ``y_j(t) = y0_j exp(f_j t) / sum_k y0_k exp(f_k t)``
    (the provider's payoffs scaled by their range, a time unit only).

    By hand: fitness (1, 0) from (1/2, 1/2) at t = log 3 (range 1): y = (3/4, 1/4).

    >>> g = Game([[0, 0]], [[1, 0]], ["c"], ["H", "F"])
    >>> provider_replicator(g, [1.0], steps=2, horizon=float(np.log(3)))[["provider:H", "provider:F"]].round(4).values.tolist()
    [[0.5, 0.5], [0.75, 0.25]]
    """
    check_size("steps", check_int("steps", steps, minimum=2), MAX_STEPS, "a coarser time grid")
    check_scalar("horizon", horizon, low=0, low_open=True)
    m, n = game.shape
    x = check_probability("client_mix", client_mix, shape=(m,))
    if not np.isclose(x.sum(), 1.0):
        raise ValueError(f"client_mix must sum to 1; got {x.tolist()!r}")
    y0 = np.full(n, 1 / n) if y0 is None else check_probability("y0", y0, shape=(n,))
    if not np.isclose(y0.sum(), 1.0):
        raise ValueError(f"y0 must sum to 1; got {y0.tolist()!r}")
    spread = float(np.ptp(game.B))
    f = x @ game.B / (spread if spread > 0 else 1.0)
    t = np.linspace(0, horizon, steps)
    with np.errstate(divide="ignore"):
        logw = np.log(y0)[None, :] + t[:, None] * f[None, :]       # (steps, n), log-sum-exp for stability
    logw -= logw.max(axis=1, keepdims=True)
    w = np.exp(logw)
    frame = pd.DataFrame(w / w.sum(axis=1, keepdims=True), columns=[f"provider:{c}" for c in game.col_labels])
    frame.insert(0, "t", t)
    return frame
