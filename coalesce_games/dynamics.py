"""Learning dynamics on the outsourcing games: replicator dynamics and fictitious play.

Two populations, clients (rows) and providers (columns), adjust their mix of
strategies towards what pays (Taylor and Jonker 1978; Brown 1951). Both are
nashpy's implementations, returned as tidy DataFrames with labelled columns.

**Devolution** (F5): in G1 with no verification, the provider population
drifts to fabrication and the client population to local execution or
unprotected outsourcing; with a verification rate above the inspection core's
``v* = c / (d p)`` (:mod:`coalesce_games.analytic`) honesty pays.

>>> from coalesce_games.games import StageParameters, stage_game
>>> traj = replicator(stage_game(StageParameters()), steps=50)
>>> list(traj.columns[:4])
['t', 'client:Local', 'client:Outsource', 'client:Verify']
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ._validate import check_int, check_probability
from .bimatrix import Game

__all__ = ["replicator", "fictitious_play", "honest_share_after"]


def _labels(game: Game) -> list[str]:
    return [f"client:{r}" for r in game.row_labels] + [f"provider:{c}" for c in game.col_labels]


def replicator(game: Game, steps: int = 200, horizon: float = 20.0,
               x0: Any = None, y0: Any = None) -> pd.DataFrame:
    """Two-population (asymmetric) replicator dynamics from uniform (or given) mixes."""
    check_int("steps", steps, minimum=2)
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
    """Empirical strategy frequencies of fictitious play, one row per iteration."""
    check_int("iterations", iterations, minimum=1)
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
