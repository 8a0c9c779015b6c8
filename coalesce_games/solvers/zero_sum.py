"""Zero-sum (constant-sum) games by linear programming: the minimax strategies.

In a game with ``A + B`` constant, the row player's maximin strategy solves::

    max v   s.t.   (x^T A)_j >= v for every column j,   sum x = 1,   x >= 0

and the column player's solves the same for ``-A^T``; the pair is an equilibrium
and every equilibrium pays the same value (von Neumann's minimax theorem). The LP
is solved by scipy's HiGHS; it returns one equilibrium, so the result is marked
incomplete (the equilibria of a zero-sum game form one convex set, which may
hold more than this point).

>>> from coalesce_games.solvers.game import Game
>>> r = zero_sum_lp(Game([[1, -1], [-1, 1]]))
>>> r.row_strategies.tolist(), r.complete
([[0.5, 0.5]], False)
"""

from __future__ import annotations

import numpy as np

from coalesce_games.solvers._checks import check_bool
from coalesce_games.solvers.assemble import finish
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.result import EquilibriumResult
from coalesce_games.solvers.verify import check_game, check_tol

__all__ = ['maximin', 'minimax_strategies', 'zero_sum_lp']


def maximin(M: np.ndarray) -> np.ndarray:
    """The maximin mixed strategy of the player choosing rows of ``M`` (payoffs ``M``)."""
    from scipy.optimize import linprog

    k, l_ = M.shape
    c = np.zeros(k + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M.T, np.ones((l_, 1))])
    A_eq = np.concatenate([np.ones(k), [0.0]])[None, :]
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(l_), A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * k + [(None, None)], method="highs")
    if res.status != 0:
        raise RuntimeError(f"linprog failed on the zero-sum game: {res.message}")
    s = np.clip(res.x[:k], 0.0, None)   # HiGHS may return -1e-17 for a zero
    return s / s.sum()


def minimax_strategies(game: Game) -> tuple[np.ndarray, np.ndarray]:
    """Both players' minimax strategies of a zero-sum game (no checks)."""
    A = np.asarray(game.A)
    return maximin(A), maximin(-A.T)


def zero_sum_lp(game: Game, tol: float | None = None, exact: bool = False) -> EquilibriumResult:
    """One equilibrium of a zero-sum (constant-sum) game by linear programming.

    Parameters
    ----------
    game : Game
        ``A + B`` must be constant.
    tol : float, optional
        Verification tolerance relative to the payoff spread (default 1e-9).
    exact : bool
        Certify the equilibrium in rational arithmetic.
    """
    check_game(game)
    rel_tol = check_tol(tol)
    check_bool("exact", exact)
    if not game.is_zero_sum:
        raise ValueError("method='lp' needs a zero-sum (constant-sum) game; got A + B not constant")
    x, y = minimax_strategies(game)
    return finish(game, x[None, :], y[None, :], method="lp", kind="lp", tol=rel_tol, complete=False,
                  reason="the LP returns one point of the (convex) equilibrium set", exact=exact)
