"""Nash equilibria of bimatrix games: one entry point over every algorithm.

Every game of the toolkit (G1-G5 of ``papers/model.md``: the outsourcing stage
game, provider competition, the empirical meta-game, ...) is a
:class:`~coalesce_games.solvers.game.Game` and is solved here. :func:`solve`
dispatches to one public function per algorithm, each with its own documented
settings (pass them to ``solve`` as keyword arguments):

- ``"vertex"``: :func:`~coalesce_games.solvers.enumeration.vertex_enumeration`
  (every extreme equilibrium; setting ``max_vertices``);
- ``"exact"``: :func:`~coalesce_games.solvers.enumeration.exact_enumeration`
  (every extreme equilibrium in rationals; ``max_bases``);
- ``"lemke_howson"``: :func:`~coalesce_games.solvers.restarts.lemke_howson_restarts`
  (one equilibrium; ``initial_budget``, ``double_every``, ``max_pivots``);
- ``"lp"``: :func:`~coalesce_games.solvers.zero_sum.zero_sum_lp` (zero-sum games, one equilibrium);
- ``"nashpy_support"``, ``"nashpy_vertex"``, ``"nashpy_lemke_howson"``:
  :mod:`coalesce_games.solvers.nashpy_methods` (``time_limit``, and
  ``max_support_pairs``, ``max_vertices`` or ``initial_dropped_label``).

``"auto"`` is ``"vertex"`` while ``m + n <= 30``, otherwise ``"lp"`` for
zero-sum games and ``"lemke_howson"`` for the rest. Every method verifies its
profiles the same way (:mod:`coalesce_games.solvers.assemble`: regret within
``tol`` times the payoff spread) and returns an
:class:`~coalesce_games.solvers.result.EquilibriumResult`; :func:`solve_many`
solves a list of games into one table.

>>> from coalesce_games.solvers.game import Game
>>> bos = Game([[3, 0], [0, 2]], [[2, 0], [0, 3]], ["Opera", "Football"], ["Opera", "Football"])
>>> r = solve(bos)
>>> len(r), r.degenerate, r.complete
(3, False, True)
>>> r.row_strategies[2].round(3).tolist()
[0.6, 0.4]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.solvers._checks import check_bool, check_choice
from coalesce_games.solvers.assemble import component_numbers, finish, verified
from coalesce_games.solvers.enumeration import MAX_VERTICES, exact_enumeration, max_vertices_bound, vertex_enumeration
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.nashpy_methods import nashpy_lemke_howson, nashpy_support, nashpy_vertex
from coalesce_games.solvers.restarts import lemke_howson_restarts, one_equilibrium
from coalesce_games.solvers.result import EquilibriumResult, many_frame
from coalesce_games.solvers.selection import client_optimal, maximum_entropy, select, welfare_maximising
from coalesce_games.solvers.verify import (DEFAULT_TOL, check_game, check_profile, check_tol, is_equilibrium,
                                           max_regret, payoff_bounds, regrets, scale_of)
from coalesce_games.solvers.zero_sum import zero_sum_lp

__all__ = ['DEFAULT_TOL', 'METHODS', 'certify', 'client_optimal', 'is_equilibrium', 'max_regret',
           'maximum_entropy', 'resolve_method', 'select', 'solve', 'solve_many', 'solve_one', 'welfare_maximising']

#: the algorithm behind each ``method`` name
ALGORITHMS: dict[str, Callable[..., EquilibriumResult]] = {
    "vertex": vertex_enumeration, "lemke_howson": lemke_howson_restarts, "lp": zero_sum_lp,
    "exact": exact_enumeration, "nashpy_support": nashpy_support, "nashpy_vertex": nashpy_vertex,
    "nashpy_lemke_howson": nashpy_lemke_howson,
}
METHODS = ("auto", "vertex", "lemke_howson", "lp", "exact", "nashpy_support", "nashpy_vertex", "nashpy_lemke_howson")


def resolve_method(game: Game, method: str) -> str:
    """The method ``"auto"`` stands for on ``game`` (other names unchanged)."""
    check_choice("method", method, METHODS)
    if method != "auto":
        return method
    if sum(game.shape) <= 30:
        return "vertex"
    return "lp" if game.is_zero_sum else "lemke_howson"


def solve(game: Game, method: str = "auto", tol: float | None = None, exact: bool = False,
          presolve: bool = False, **settings: Any) -> EquilibriumResult:
    """All (or, for single-equilibrium methods, one) verified Nash equilibria of ``game``.

    Parameters
    ----------
    game : Game
    method : str
        One of :data:`METHODS` (see the module text).
    tol : float, optional
        Verification tolerance relative to the payoff spread (default 1e-9, at
        most 1e-4): a profile is kept when ``max_regret <= tol * spread``.
    exact : bool
        Certify each equilibrium in rational arithmetic; certified ones come
        back as exact ``fractions.Fraction`` (``result.exact``) and as the
        floats of those fractions (no float noise).
    presolve : bool
        First remove strictly dominated strategies (pure and mixed,
        :func:`coalesce_games.solvers.dominance.iterated_elimination`), solve the
        reduced game and embed the equilibria back (removed strategies get
        probability 0). The equilibrium set is unchanged; the audit trail is
        ``result.presolve``.
    **settings
        The chosen algorithm's own settings (see the module table).

    >>> pd_game = Game([[3, 0], [5, 1]], [[3, 5], [0, 1]], ["C", "D"], ["C", "D"])
    >>> r = solve(pd_game, exact=True)
    >>> r.to_frame()[["row_support", "col_support", "row_payoff", "certified"]].to_dict("records")
    [{'row_support': ('D',), 'col_support': ('D',), 'row_payoff': 1.0, 'certified': True}]
    >>> solve(pd_game, method="simplex")
    Traceback (most recent call last):
    ...
    ValueError: method must be one of ['auto', 'vertex', 'lemke_howson', 'lp', 'exact', 'nashpy_support', 'nashpy_vertex', 'nashpy_lemke_howson']; got 'simplex'
    """
    check_game(game)
    check_choice("method", method, METHODS)
    rel_tol = check_tol(tol)
    check_bool("exact", exact)
    check_bool("presolve", presolve)
    if presolve:
        return _solve_presolved(game, method, rel_tol, exact, settings)
    name = resolve_method(game, method)
    if name == "exact":
        return exact_enumeration(game, tol=rel_tol, **settings)
    return ALGORITHMS[name](game, tol=rel_tol, exact=exact, **settings)


def _embed(V: np.ndarray, idx: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((len(V), size))
    out[:, idx] = V
    return out


def _solve_presolved(game: Game, method: str, rel_tol: float, exact: bool,
                     settings: dict[str, Any]) -> EquilibriumResult:
    from coalesce_games.solvers.dominance import iterated_elimination

    reduced, audit = iterated_elimination(game, tol=rel_tol)
    res = solve(reduced, method=method, tol=rel_tol, exact=exact and reduced is game, **settings)
    if reduced is game:
        return dataclasses.replace(res, presolve=audit)
    m, n = game.shape
    rows = np.array([game.row_labels.index(r) for r in reduced.row_labels])
    cols = np.array([game.col_labels.index(c) for c in reduced.col_labels])
    comps = []
    for c in res.components:
        x, y = _embed(c.row_strategy[None], rows, m), _embed(c.col_strategy[None], cols, n)
        comps.append(dataclasses.replace(c, row_strategy=x[0], col_strategy=y[0],
                                         max_regret=float(regrets(game, x, y)[0])))
    out = finish(game, _embed(res.row_strategies, rows, m), _embed(res.col_strategies, cols, n),
                 method=res.method, kind=res.kind, tol=rel_tol, complete=res.complete,
                 reason=res.incomplete_reason, degenerate=res.degenerate, exact=exact or res.method == "exact",
                 known_components=(res.component, tuple(comps)))
    return dataclasses.replace(out, rejected=out.rejected + res.rejected, presolve=audit)


def _surely_not_zero_sum(game: Game, bounds: tuple[float, float, float, float]) -> bool:
    """True when two entries of ``A + B`` differ by more than :attr:`Game.is_zero_sum` allows
    (``1e-12 * max(spread, 1)``): then ``ptp(A + B)`` does too and the game is not zero-sum, read
    off two entries instead of the whole sum (False: ask ``game.is_zero_sum``).

    >>> _surely_not_zero_sum(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]]), (0.0, 3.0, 0.0, 3.0))
    False
    >>> _surely_not_zero_sum(Game([[3, 0], [0, 1]], [[2, 0], [0, 3]]), (0.0, 3.0, 0.0, 3.0))
    True
    """
    A, B = game.A, game.B
    gap = abs(float(A[0, 0] + B[0, 0]) - float(A[-1, -1] + B[-1, -1]))
    return gap > 1e-12 * max(bounds[1] - bounds[0], bounds[3] - bounds[2], 1.0)


def solve_one(game: Game, tol: float | None = None) -> EquilibriumResult:
    """One verified equilibrium, fast at any size (LP for zero-sum, else Lemke-Howson with restarts).

    Falls back to vertex enumeration (up to ``m + n = 30``) if the fast path's
    answer fails verification.

    >>> mp = Game([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> solve_one(mp).row_strategies[0].tolist()
    [0.5, 0.5]
    """
    check_game(game)
    rel_tol = check_tol(tol)
    bounds = payoff_bounds(game)
    if not _surely_not_zero_sum(game, bounds) and game.is_zero_sum:
        res = zero_sum_lp(game, tol=rel_tol)
    else:
        res = one_equilibrium(game, rel_tol, abs_tol=rel_tol * scale_of(bounds))
    if len(res) == 0 and sum(game.shape) <= 30:
        res = vertex_enumeration(game, tol=rel_tol)
    if len(res) == 0:
        raise RuntimeError(f"no verified equilibrium found for {game!r}")
    return res


def solve_many(games: Sequence[Game], method: str = "auto", tol: float | None = None) -> pd.DataFrame:
    """Solve a list of games into one table: the column ``game`` (the index in ``games``) then
    the columns of :meth:`EquilibriumResult.to_frame`.

    The per-game results stay arrays; the DataFrame is built once at the end, so
    thousands of small games (G3's bootstrap replicates) cost little more than
    their solving. A game with no verified equilibrium contributes no row.

    >>> games = [Game([[1, 0], [0, 1]], [[1, 0], [0, 1]]), Game([[0, 1], [1, 0]], [[1, 0], [0, 1]])]
    >>> t = solve_many(games)
    >>> t.game.tolist(), t.row_payoff.round(2).tolist()
    ([0, 0, 0, 1], [1.0, 1.0, 0.5, 0.5])
    """
    if isinstance(games, Game) or not isinstance(games, Sequence):
        raise TypeError(f"games must be a sequence of Game; got {type(games).__name__}")
    for k, g in enumerate(games):
        if not isinstance(g, Game):
            raise TypeError(f"games[{k}] must be a Game; got {type(g).__name__}")
    check_choice("method", method, METHODS)
    rel_tol = check_tol(tol)
    solved = [_arrays(g, method, rel_tol) for g in games]
    return many_frame(games, solved, max(rel_tol, 1e-12))


def _arrays(game: Game, method: str, rel_tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """``(X, Y, max_regret, component, kind)`` of ``solve(game, method, rel_tol)``; vertex
    enumeration (``"auto"`` on small games) without building the result."""
    name = resolve_method(game, method)
    if name != "vertex" or max_vertices_bound(*game.shape) > MAX_VERTICES:   # (which refuses the game)
        res = solve(game, method=method, tol=rel_tol)
        return res.row_strategies, res.col_strategies, res.max_regret, res.component, res.kind
    from coalesce_games.solvers.vertex import extreme_equilibria

    found = extreme_equilibria(game.A, game.B, tol=max(rel_tol, 1e-12))
    X, Y, reg, keep, _, _ = verified(game, found.xs, found.ys, rel_tol)
    comp = component_numbers(found.ix[keep], found.iy[keep]) if len(keep) else np.arange(0)
    return X, Y, reg, comp, "extreme"


def certify(game: Game, x: Any, y: Any, tol: float | None = None) -> bool:
    """True when an exact rational equilibrium with the supports and best-response
    sets of ``(x, y)`` exists and ``(x, y)`` is it up to 1e-6.

    >>> bos = Game([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    >>> certify(bos, [0.6, 0.4], [0.4, 0.6]), certify(bos, [0.5, 0.5], [0.5, 0.5])
    (True, False)
    """
    from coalesce_games.solvers.exact import certify as _certify

    t = check_tol(tol)
    x, y = check_profile(check_game(game), x, y)
    ok, sol = _certify(game.A, game.B, x, y, max(t, 1e-12))
    if not ok or sol is None:
        return False
    xe = np.array([float(v) for v in sol[0]])
    ye = np.array([float(v) for v in sol[1]])
    return bool(np.abs(xe - x).max() <= 1e-6 and np.abs(ye - y).max() <= 1e-6)

