"""Regret, the equilibrium test and the tolerances every solver shares.

A mixed profile ``(x, y)`` of a bimatrix game is a Nash equilibrium when neither
player gains by deviating (``papers/model.md``, the games section)::

    regret(x, y) = max( max_i (A y)_i - x^T A y ,  max_j (x^T B)_j - x^T B y ) = 0

Regret does not change when a constant is added to a player's payoffs, so it is
computed on each matrix minus its smallest entry: a game with payoffs near
``1e12`` is then checked as precisely as the same game near 0 (on the raw
matrices the rounding of ``x^T A y`` alone is ``1e12 * 2**-52 ~ 2e-4``).

Tolerances are relative to the payoff spread (:meth:`Game.payoff_range`): a
profile passes when ``max_regret <= tol * scale(game)``, so the test means the
same for payoffs in dollars or in cents, with or without an offset. ``tol`` is
bounded above by :data:`MAX_TOL`: a tolerance of a sizeable fraction of the
payoff spread would accept profiles that are not equilibria (at ``tol=0.3``
rock-paper-scissors has 13 "equilibria").

>>> from coalesce_games.solvers.game import Game
>>> mp = Game([[1, -1], [-1, 1]])
>>> max_regret(mp, [0.5, 0.5], [0.5, 0.5]), max_regret(mp, [1, 0], [1, 0])
(0.0, 2.0)
>>> is_equilibrium(Game([[1e12 + 3, 1e12], [1e12, 1e12 + 2]]), [0.4, 0.6], [0.4, 0.6])
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coalesce_games.solvers._checks import as_array, check_scalar
from coalesce_games.solvers.game import Game

__all__ = ['DEFAULT_TOL', 'MAX_TOL', 'check_game', 'check_profile', 'check_tol', 'is_equilibrium',
           'max_regret', 'payoff_bounds', 'regrets', 'scale', 'scale_of',
           'shifted_regrets']

#: default verification tolerance, relative to the payoff spread
DEFAULT_TOL = 1e-9
#: the largest ``tol`` accepted (relative to the payoff spread)
MAX_TOL = 1e-4


def check_game(game: Any) -> Game:
    """``game`` must be a :class:`Game` (a TypeError naming what it got otherwise)."""
    if not isinstance(game, Game):
        raise TypeError(f"game must be a coalesce_games.solvers.game.Game; got {type(game).__name__}")
    return game


def check_tol(tol: Any) -> float:
    """The relative tolerance: ``None`` means :data:`DEFAULT_TOL`; else a number in ``(0, MAX_TOL]``.

    >>> check_tol(None), check_tol(1e-6)
    (1e-09, 1e-06)
    >>> check_tol(0.3)
    Traceback (most recent call last):
    ...
    ValueError: tol must be in (0, 0.0001]; got 0.3
    """
    return DEFAULT_TOL if tol is None else check_scalar("tol", tol, low=0, high=MAX_TOL, low_open=True)


def payoff_bounds(game: Game) -> tuple[float, float, float, float]:
    """``(min A, max A, min B, max B)``: all that :func:`scale` and the shifted regrets need."""
    return float(game.A.min()), float(game.A.max()), float(game.B.min()), float(game.B.max())


def scale_of(bounds: tuple[float, float, float, float]) -> float:
    """:func:`scale` from the :func:`payoff_bounds` (the spread is :meth:`Game.payoff_range`, the
    largest payoff ``max |A|, |B|``: the same floats from one minimum and maximum per matrix)."""
    a_lo, a_hi, b_lo, b_hi = bounds
    big = max(abs(a_lo), abs(a_hi), abs(b_lo), abs(b_hi), 1.0)
    return max(a_hi - a_lo, b_hi - b_lo, 1e-12 * big)


def scale(game: Game) -> float:
    """The payoff spread that tolerances are relative to (``1e-12`` of the largest payoff if all equal).

    >>> scale(Game([[1, 3], [0, 2]], [[5, 5], [5, 5]])), scale(Game([[7.0]], [[7.0]]))
    (3.0, 7e-12)
    """
    return scale_of(payoff_bounds(game))


def _shifted(game: Game) -> tuple[np.ndarray, np.ndarray]:
    return game.A - game.A.min(), game.B - game.B.min()


def check_profile(game: Game, x: Any, y: Any, atol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as probability vectors of the right lengths: entries ``>= -atol`` and
    summing to 1 within ``atol`` (the rounding other solvers leave is accepted, nothing else).

    >>> check_profile(Game([[1, 0], [0, 1]]), [2, -1], [1, 0])
    Traceback (most recent call last):
    ...
    ValueError: x must be a probability vector (entries >= 0); got -1.0 at index 1
    """
    out = []
    for name, v, size in (("x", x, game.shape[0]), ("y", y, game.shape[1])):
        arr = as_array(name, v, shape=(size,))
        if (arr < -atol).any():
            k = int(np.argmax(arr < -atol))
            raise ValueError(f"{name} must be a probability vector (entries >= 0); got {float(arr[k])!r} at index {k}")
        if abs(float(arr.sum()) - 1.0) > atol:
            raise ValueError(f"{name} must be a probability vector summing to 1 (within {atol:g}); "
                             f"got sum {float(arr.sum())!r}")
        out.append(arr)
    return out[0], out[1]


def max_regret(game: Game, x: Any, y: Any) -> float:
    """The larger of the two players' gains from a best deviation (>= 0).

    >>> max_regret(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]]), [1, 0], [0, 1])
    2.0
    """
    x, y = check_profile(check_game(game), x, y)
    return float(regrets(game, x[None, :], y[None, :])[0])


def regrets(game: Game, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Regret of each profile ``(X[e], Y[e])`` (rows of ``X`` (E, m) and ``Y`` (E, n)); no checks."""
    A, B = _shifted(game)
    return shifted_regrets(A, B, X, Y)


def shifted_regrets(A: np.ndarray, B: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """:func:`regrets` on payoffs already shifted to a smallest entry of 0 (``A - A.min()``, ``B - B.min()``)."""
    AY = Y @ A.T                       # (E, m)
    XB = X @ B                         # (E, n)
    r1 = AY.max(axis=1) - np.einsum("ei,ei->e", X, AY)
    r2 = XB.max(axis=1) - np.einsum("ej,ej->e", XB, Y)
    return np.maximum(np.maximum(r1, r2), 0.0)


def is_equilibrium(game: Game, x: Any, y: Any, tol: float | None = None) -> bool:
    """Mutual best response within ``tol`` (relative to the payoff spread, at most :data:`MAX_TOL`).

    ``x`` and ``y`` must be probability vectors of the right lengths.

    >>> is_equilibrium(Game([[1, 0], [0, 1]], [[1, 0], [0, 1]]), [1, 0], [1, 0])
    True
    """
    t = check_tol(tol)
    return max_regret(game, x, y) <= t * scale(game)
