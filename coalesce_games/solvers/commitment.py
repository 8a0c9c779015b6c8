"""Stackelberg commitment by linear programming: the row player leads (G5, committing to a security budget).

The client (row player, the leader) commits to a mixed strategy, for example
a verification share; the provider observes it and best-responds. The optimal
commitment (the strong Stackelberg equilibrium: the follower breaks ties in
the leader's favour) is found by one linear program per follower response j
(Conitzer and Sandholm 2006)::

    max_x  x . A[:, j]   s.t.  x . B[:, j] >= x . B[:, k] for all k,  x in the simplex

and the best of those. Committing never leaves the leader worse off than in
any Nash equilibrium (von Stengel and Zamir 2010).

>>> from coalesce_games.solvers.game import Game
>>> # Nash: the leader's dominant row 0 meets column 0, worth 2. Committing to
>>> # (1/2, 1/2) makes the follower indifferent; it breaks the tie for column 1: 3.5
>>> x, j, value = stackelberg(Game([[2, 4], [1, 3]], [[1, 0], [0, 1]]))
>>> x.round(3).tolist(), j, round(value, 3)
([0.5, 0.5], 1, 3.5)
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from coalesce_games.solvers.game import Game

__all__ = ['commitment_table', 'stackelberg']


def _lp_for_response(A: np.ndarray, B: np.ndarray, j: int) -> tuple[np.ndarray | None, float]:
    m, n = A.shape
    others = [k for k in range(n) if k != j]
    a_ub = np.array([B[:, k] - B[:, j] for k in others]) if others else None
    res = linprog(-A[:, j], A_ub=a_ub, b_ub=np.zeros(len(others)) if others else None,
                  A_eq=np.ones((1, m)), b_eq=[1.0], bounds=[(0, None)] * m, method="highs")
    if res.status == 2:       # infeasible: j is never a best response
        return None, -np.inf
    if not res.success:
        raise RuntimeError(f"commitment LP for response {j} failed: {res.message}")
    x = np.clip(res.x, 0, None)
    return x / x.sum(), float(x / x.sum() @ A[:, j])


def stackelberg(game: Game) -> tuple[np.ndarray, int, float]:
    """The leader's optimal commitment, the follower's response and the leader's value."""
    if not isinstance(game, Game):
        raise TypeError(f"game must be a Game; got {type(game).__name__}")
    best = (None, -1, -np.inf)
    for j in range(game.shape[1]):
        x, value = _lp_for_response(game.A, game.B, j)
        if x is not None and value > best[2] + 1e-12:
            best = (x, j, value)
    return best  # type: ignore[return-value]


def commitment_table(game: Game) -> list[dict]:
    """Every follower response's LP: the commitment inducing it and its value."""
    rows = []
    for j in range(game.shape[1]):
        x, value = _lp_for_response(game.A, game.B, j)
        rows.append({"response": game.col_labels[j], "feasible": x is not None,
                     "commitment": None if x is None else dict(zip(game.row_labels, x.round(6))),
                     "leader_value": value})
    return rows
