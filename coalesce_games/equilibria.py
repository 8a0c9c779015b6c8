"""Nash equilibria of two-player games: every one, verified.

:func:`solve` returns a tidy DataFrame, one row per equilibrium, with labelled
mixed strategies, supports, expected payoffs, the profile's *max regret* (the
most either player could gain by deviating) and whether it was certified in
exact rational arithmetic. Nothing is returned as an equilibrium unless its max
regret is below a tolerance scaled to the game's payoff range.

Methods
-------
``"vertex"``
    Ours (:mod:`coalesce_games._vertex`): every extreme equilibrium, also on
    degenerate games, by vertex enumeration of the best-response polytopes.
``"support"``, ``"nashpy-vertex"``
    nashpy's support and vertex enumeration (support enumeration called with
    ``non_degenerate=False`` and a tolerance scaled to the payoffs, since its
    default absolute 1e-16 rejects true equilibria: PEERS.md).
``"lemke-howson"``
    nashpy's Lemke-Howson from every initial label; each result verified,
    non-equilibria discarded. Finds some, not all, equilibria.
``"lp"``
    Zero-sum games only: the minimax strategies by linear programming
    (scipy HiGHS); one equilibrium (the game's value is unique).
``"auto"``
    ``"vertex"`` when the enumeration is small (at most ~1e6 linear solves),
    else ``"lp"`` for zero-sum and ``"lemke-howson"`` otherwise;
    ``df.attrs["complete"]`` says whether the set is known to be complete.

>>> from coalesce_games.bimatrix import Game
>>> pennies = Game([[1, -1], [-1, 1]], note="matching pennies")
>>> eq = solve(pennies)
>>> eq[["row_support", "col_support", "row_payoff"]].to_dict("records")
[{'row_support': ('r0', 'r1'), 'col_support': ('c0', 'c1'), 'row_payoff': 0.0}]
>>> bool(eq.certified.iloc[0])
True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from . import _vertex
from ._validate import check_choice
from .bimatrix import Game

__all__ = ["solve", "solve_one", "max_regret", "certify", "METHODS", "welfare_maximising",
           "row_optimal", "maximum_entropy"]

METHODS = ("auto", "vertex", "support", "nashpy-vertex", "lemke-howson", "lp")
_VERTEX_LIMIT = 1_000_000


def max_regret(game: Game, x: Any, y: Any) -> float:
    """The most a player gains by a unilateral deviation from ``(x, y)``.

    >>> max_regret(Game([[1, 0], [0, 1]], [[1, 0], [0, 1]]), [1, 0], [1, 0])
    0.0
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ay = game.A @ y
    xb = x @ game.B
    return float(max(ay.max() - x @ ay, xb.max() - xb @ y, 0.0))


def _tolerance(game: Game, tol: float | None) -> float:
    return 1e-7 * game.payoff_range() if tol is None else float(tol)


def _exact_mix(M: list[list[Fraction]]) -> list[Fraction] | None:
    """Solve the square system ``M z = e_last`` exactly (Gauss-Jordan on Fractions)."""
    k = len(M)
    aug = [row[:] + [Fraction(int(i == k - 1))] for i, row in enumerate(M)]
    for col in range(k):
        pivot = next((r for r in range(col, k) if aug[r][col] != 0), None)
        if pivot is None:
            return None
        aug[col], aug[pivot] = aug[pivot], aug[col]
        piv = aug[col][col]
        aug[col] = [v / piv for v in aug[col]]
        for r in range(k):
            if r != col and aug[r][col] != 0:
                f = aug[r][col]
                aug[r] = [a - f * b for a, b in zip(aug[r], aug[col])]
    return [aug[r][k] for r in range(k)]


def certify(game: Game, x: Any, y: Any, tol: float = 1e-9) -> bool:
    """Re-solve the profile's support system in exact rational arithmetic.

    The payoffs are taken as the exact rationals of their float values. With
    supports I (rows) and J (columns) of equal size, the column mix on J that
    makes every row of I indifferent (and the row mix symmetrically) is solved
    exactly; the certificate holds when both are non-negative and no pure
    strategy earns more than the support's exact value. Profiles with supports
    of unequal size (degenerate games) are not certified (returns False).
    """
    support_x = np.flatnonzero(np.asarray(x) > tol)
    support_y = np.flatnonzero(np.asarray(y) > tol)
    if len(support_x) != len(support_y):
        return False
    A = [[Fraction(float(v)) for v in row] for row in game.A]
    B = [[Fraction(float(v)) for v in row] for row in game.B]
    k = len(support_x)

    def mix(payoff_rows: list[list[Fraction]]) -> list[Fraction] | None:
        # unknowns: k probabilities and the value v; equations: rows equal v, sum = 1
        M = [row + [Fraction(-1)] for row in payoff_rows] + [[Fraction(1)] * k + [Fraction(0)]]
        return _exact_mix(M)

    sol_y = mix([[A[i][j] for j in support_y] for i in support_x])
    sol_x = mix([[B[i][j] for i in support_x] for j in support_y])
    if sol_y is None or sol_x is None:
        return False
    py, vy = sol_y[:k], sol_y[k]
    px, vx = sol_x[:k], sol_x[k]
    if min(py) < 0 or min(px) < 0:
        return False
    yfull = [Fraction(0)] * game.shape[1]
    for j, p in zip(support_y, py):
        yfull[j] = p
    xfull = [Fraction(0)] * game.shape[0]
    for i, p in zip(support_x, px):
        xfull[i] = p
    row_best = max(sum(A[i][j] * yfull[j] for j in range(game.shape[1])) for i in range(game.shape[0]))
    col_best = max(sum(B[i][j] * xfull[i] for i in range(game.shape[0])) for j in range(game.shape[1]))
    return row_best <= vy and col_best <= vx


def _nashpy_profiles(game: Game, method: str, tol: float) -> list[tuple[np.ndarray, np.ndarray]]:
    import warnings

    g = game.to_nashpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "support":
            gen = g.support_enumeration(non_degenerate=False, tol=tol)
            return [(np.asarray(x), np.asarray(y)) for x, y in gen]
        if method == "nashpy-vertex":
            return [(np.asarray(x), np.asarray(y)) for x, y in g.vertex_enumeration()]
        out = []
        for label in range(sum(game.shape)):
            try:
                x, y = g.lemke_howson(initial_dropped_label=label)
            except Exception:  # noqa: BLE001 - nashpy raises bare errors on cycling; result is verified below
                continue
            if np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and x.shape == (game.shape[0],):
                out.append((np.asarray(x, float), np.asarray(y, float)))
        return out


def _zero_sum_lp(game: Game) -> list[tuple[np.ndarray, np.ndarray]]:
    from scipy.optimize import linprog

    def maximin(M: np.ndarray) -> np.ndarray:
        # max v s.t. M^T x >= v, sum x = 1, x >= 0
        m, n = M.shape
        c = np.r_[np.zeros(m), -1.0]
        a_ub = np.c_[-M.T, np.ones(n)]
        res = linprog(c, A_ub=a_ub, b_ub=np.zeros(n), A_eq=np.r_[np.ones(m), 0.0][None, :],
                      b_eq=[1.0], bounds=[(0, None)] * m + [(None, None)], method="highs")
        if not res.success:
            raise RuntimeError(f"linear program failed: {res.message}")
        return np.clip(res.x[:m], 0, None) / np.clip(res.x[:m], 0, None).sum()

    return [(maximin(game.A), maximin(game.B.T))]


def _dedupe(profiles: list[tuple[np.ndarray, np.ndarray]], tol: float) -> list[tuple[np.ndarray, np.ndarray]]:
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    for x, y in profiles:
        if not any(np.abs(x - sx).max() <= 1e-6 and np.abs(y - sy).max() <= 1e-6 for sx, sy in seen):
            seen.append((x, y))
    return seen


def _choose(game: Game) -> str:
    if _vertex.bases_count(*game.shape) <= _VERTEX_LIMIT:
        return "vertex"
    return "lp" if game.is_zero_sum else "lemke-howson"


def solve(game: Game, method: str = "auto", tol: float | None = None, exact: bool = True) -> pd.DataFrame:
    """Every equilibrium the method finds, each verified; a tidy DataFrame.

    Columns: ``row_strategy``, ``col_strategy`` (numpy arrays), ``row_mix``,
    ``col_mix`` (label -> probability for the support), ``row_support``,
    ``col_support`` (label tuples), ``row_payoff``, ``col_payoff``,
    ``max_regret``, ``certified`` (exact check, when ``exact``), ``method``.
    ``df.attrs``: ``degenerate`` (True/False, or None when unknown),
    ``complete`` (the set is every extreme equilibrium), ``discarded`` (profiles
    a peer method returned that failed verification), ``tolerance``.
    """
    if not isinstance(game, Game):
        raise TypeError(f"game must be a coalesce_games.Game; got {type(game).__name__}")
    check_choice("method", method, METHODS)
    if method == "lp" and not game.is_zero_sum:
        raise ValueError("method='lp' needs a zero-sum game (A + B constant)")
    chosen = _choose(game) if method == "auto" else method
    tolerance = _tolerance(game, tol)
    degenerate: bool | None = None
    if chosen == "vertex":
        xs, ys, degenerate = _vertex.extreme_equilibria(game.A, game.B)
        profiles = list(zip(xs, ys))
    elif chosen == "lp":
        profiles = _zero_sum_lp(game)
    else:
        profiles = _nashpy_profiles(game, chosen, tolerance)
    verified = [(x, y) for x, y in profiles if max_regret(game, x, y) <= tolerance]
    discarded = len(profiles) - len(verified)
    rows = []
    for x, y in _dedupe(verified, tolerance):
        ay = game.A @ y
        rows.append({
            "row_strategy": x,
            "col_strategy": y,
            "row_mix": {game.row_labels[i]: float(x[i]) for i in np.flatnonzero(x > 1e-9)},
            "col_mix": {game.col_labels[j]: float(y[j]) for j in np.flatnonzero(y > 1e-9)},
            "row_support": tuple(game.row_labels[i] for i in np.flatnonzero(x > 1e-9)),
            "col_support": tuple(game.col_labels[j] for j in np.flatnonzero(y > 1e-9)),
            "row_payoff": float(x @ ay),
            "col_payoff": float(x @ game.B @ y),
            "max_regret": max_regret(game, x, y),
            "certified": certify(game, x, y) if exact else False,
            "method": chosen,
        })
    frame = pd.DataFrame(rows, columns=["row_strategy", "col_strategy", "row_mix", "col_mix",
                                        "row_support", "col_support", "row_payoff", "col_payoff",
                                        "max_regret", "certified", "method"])
    frame.attrs.update(degenerate=degenerate, complete=chosen == "vertex", discarded=discarded,
                       tolerance=tolerance, game=game.note)
    return frame


def solve_one(game: Game, tol: float | None = None) -> pd.Series:
    """One verified equilibrium: Lemke-Howson first, vertex enumeration as fallback."""
    frame = solve(game, "lp" if game.is_zero_sum else "lemke-howson", tol=tol, exact=False)
    if frame.empty:
        frame = solve(game, "vertex", tol=tol, exact=False)
    if frame.empty:
        raise RuntimeError(f"no verified equilibrium found for {game!r}")
    return frame.iloc[0]


# ---------------------------------------------------------------------- selection
def welfare_maximising(equilibria: pd.DataFrame) -> pd.Series:
    """The equilibrium with the largest sum of payoffs."""
    return equilibria.loc[(equilibria.row_payoff + equilibria.col_payoff).idxmax()]


def row_optimal(equilibria: pd.DataFrame) -> pd.Series:
    """The equilibrium best for the row player (the client in G1)."""
    return equilibria.loc[equilibria.row_payoff.idxmax()]


def maximum_entropy(equilibria: pd.DataFrame) -> pd.Series:
    """The equilibrium whose strategies have the largest joint Shannon entropy."""
    def entropy(p: np.ndarray) -> float:
        q = p[p > 0]
        return float(-(q * np.log(q)).sum())

    scores = [entropy(x) + entropy(y) for x, y in zip(equilibria.row_strategy, equilibria.col_strategy)]
    return equilibria.iloc[int(np.argmax(scores))]
