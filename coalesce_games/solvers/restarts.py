"""One equilibrium by Lemke-Howson, restarted from other dropped labels with growing budgets.

The lexicographic Lemke-Howson path (:func:`coalesce_games.solvers.lemke_howson.lemke_howson`)
from a dropped label always ends at an equilibrium, but path lengths from
different labels vary by orders of magnitude: on random 200 x 200 games about one
label in ten reaches an equilibrium within 60 pivots while the median needs
thousands. Many short attempts therefore beat one long one. The schedule tries
labels ``0, m, 1, m+1, ...`` (alternating the players), each with a pivot
budget that starts at ``initial_budget`` and doubles after every
``double_every`` attempts, until an attempt ends at a verified equilibrium or
``max_pivots`` pivots have been spent in total; the doubling keeps the total
within a constant factor of the best single budget.

>>> from coalesce_games.solvers.game import Game
>>> r = lemke_howson_restarts(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]]))
>>> r.row_strategies.tolist(), r.complete
([[1.0, 0.0]], False)
"""

from __future__ import annotations

import numpy as np

from coalesce_games.solvers._checks import check_bool, check_int
from coalesce_games.solvers.assemble import finish
from coalesce_games.solvers.bounds import MAX_PIVOTS, check_size
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.result import EquilibriumResult
from coalesce_games.solvers.verify import DEFAULT_TOL, check_game, check_tol, scale

__all__ = ['label_order', 'lemke_howson_restarts', 'one_equilibrium', 'restart_schedule']


def label_order(m: int, n: int) -> list[int]:
    """The dropped labels in the order tried: ``0, m, 1, m+1, ...`` then the rest of the larger side."""
    order = [lab for pair in zip(range(m), range(m, m + n)) for lab in pair]
    return order + list(range(min(m, n), m)) + list(range(m + min(m, n), m + n))


def restart_schedule(game: Game, tol: float = DEFAULT_TOL, initial_budget: int = 32, double_every: int = 8,
                     max_pivots: int = 2_000_000) -> tuple[np.ndarray, np.ndarray]:
    """The first verified ``(x, y)`` of the restart schedule (no input checks); RuntimeError if none.

    The whole schedule runs compiled (:func:`coalesce_games.solvers.lemke_howson.lemke_howson_schedule`),
    its labels in the order of :func:`label_order`.
    """
    from coalesce_games.solvers.lemke_howson import lemke_howson_schedule

    return lemke_howson_schedule(game.A, game.B, None, tol * scale(game), initial_budget, double_every, max_pivots)


def one_equilibrium(game: Game, rel_tol: float, exact: bool = False, initial_budget: int = 32,
                    double_every: int = 8, max_pivots: int = 2_000_000,
                    abs_tol: float | None = None) -> EquilibriumResult:
    """:func:`lemke_howson_restarts` on checked inputs (the light path of ``solve_one``): the
    payoff scale computed once (or passed as ``abs_tol = rel_tol * scale(game)``), for the
    schedule's regret bound and the result's verification."""
    from coalesce_games.solvers.lemke_howson import lemke_howson_schedule

    if abs_tol is None:
        abs_tol = rel_tol * scale(game)
    x, y = lemke_howson_schedule(game.A, game.B, None, abs_tol, initial_budget, double_every, max_pivots)
    return finish(game, x[None, :], y[None, :], method="lemke_howson", kind="lemke_howson", tol=rel_tol,
                  complete=False, reason="Lemke-Howson finds one equilibrium", exact=exact, abs_tol=abs_tol)


def lemke_howson_restarts(game: Game, tol: float | None = None, exact: bool = False, initial_budget: int = 32,
                          double_every: int = 8, max_pivots: int = 2_000_000) -> EquilibriumResult:
    """One verified equilibrium by Lemke-Howson with restarts (any size; polynomial per pivot).

    Parameters
    ----------
    game : Game
    tol : float, optional
        Verification tolerance relative to the payoff spread (default 1e-9).
    exact : bool
        Certify the equilibrium in rational arithmetic.
    initial_budget : int
        Pivots allowed to each of the first ``double_every`` attempts.
    double_every : int
        Attempts after which the per-attempt budget doubles.
    max_pivots : int
        Total pivots over all attempts before giving up (RuntimeError); at most
        :data:`~coalesce_games.solvers.bounds.MAX_PIVOTS`, and ``initial_budget`` and
        ``double_every`` at most ``max_pivots`` (every budget fits the compiled schedule's
        64-bit integers).
    """
    check_game(game)
    rel_tol = check_tol(tol)
    check_bool("exact", exact)
    total = int(check_size("max_pivots", check_int("max_pivots", max_pivots, minimum=1), MAX_PIVOTS))
    budget = int(check_size("initial_budget", check_int("initial_budget", initial_budget, minimum=1), total,
                            f"max_pivots={total}, the total budget"))
    every = int(check_size("double_every", check_int("double_every", double_every, minimum=1), total,
                           f"max_pivots={total}: no more attempts can run"))
    return one_equilibrium(game, rel_tol, exact, budget, every, total)
