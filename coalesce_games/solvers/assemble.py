"""From an algorithm's candidate profiles to an :class:`EquilibriumResult`.

Every method of :mod:`coalesce_games.solvers.equilibria` proposes candidate
profiles and hands them here, so that all share one treatment:

1. verification: candidates with ``max_regret > tol * scale(game)`` are dropped
   and counted as ``rejected`` (nothing unverified is returned);
2. duplicates (equal to 9 decimals) merged;
3. a deterministic order: smaller supports first, then lexicographically
   descending;
4. optional exact certification (:func:`coalesce_games.solvers.exact.certify`):
   a certified equilibrium is replaced by its exact rational solution, kept as
   ``fractions.Fraction`` in ``exact`` and as the nearest floats in the arrays
   (so ``0.9999999999999993`` becomes ``1.0``);
5. components of the extreme equilibria (:mod:`coalesce_games.solvers.components`).

>>> from coalesce_games.solvers.game import Game
>>> g = Game([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
>>> r = finish(g, [[0.5, 0.5], [1.0, 0.0]], [[0.5, 0.5], [1.0, 0.0]], method="demo", kind="demo",
...            tol=1e-9, complete=False, reason="a demonstration")
>>> len(r), r.rejected
(1, 1)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coalesce_games.solvers.components import Component, components
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.result import EquilibriumResult, ExactProfile
from coalesce_games.solvers.verify import regrets, scale

__all__ = ['certify_all', 'finish', 'order']


def order(X: np.ndarray, Y: np.ndarray, digits: int = 9) -> np.ndarray:
    """Indices of the distinct profiles (equal to ``digits`` decimals merged), smaller
    supports first, then lexicographically descending."""
    if len(X) == 0:
        return np.empty(0, dtype=int)
    key = np.round(np.hstack([X, Y]), digits) + 0.0
    first: dict[tuple[float, ...], int] = {}
    for e, row in enumerate(key.tolist()):   # a dict beats np.unique(axis=0) on the few rows of a game
        first.setdefault(tuple(row), e)
    keep = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    sizes = (X[keep] > 1e-12).sum(1) + (Y[keep] > 1e-12).sum(1)
    keys = np.round(np.hstack([X[keep], Y[keep]]), digits)
    return keep[np.lexsort(tuple(-keys[:, ::-1].T) + (sizes,))]


def certify_all(game: Game, X: np.ndarray, Y: np.ndarray, support_tol: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[ExactProfile | None, ...]]:
    """Certify each profile exactly; certified ones are replaced by their exact solution.

    Returns ``(X, Y, certified, exact)`` with ``X``/``Y`` copies holding the
    floats of the exact solutions where certified.
    """
    from coalesce_games.solvers.exact import certify

    X, Y = X.copy(), Y.copy()
    ok = np.zeros(len(X), dtype=bool)
    exact: list[ExactProfile | None] = []
    for e in range(len(X)):
        good, sol = certify(game.A, game.B, X[e], Y[e], support_tol)
        ok[e] = good
        if good and sol is not None:
            xe, ye = tuple(sol[0]), tuple(sol[1])
            X[e] = [float(v) for v in xe]
            Y[e] = [float(v) for v in ye]
            exact.append((xe, ye))
        else:
            exact.append(None)
    return X, Y, ok, tuple(exact)


def finish(game: Game, X: Any, Y: Any, *, method: str, kind: str, tol: float, complete: bool,
           reason: str, degenerate: bool | None = None, ix: np.ndarray | None = None,
           iy: np.ndarray | None = None, exact: bool = False,
           exact_profiles: list[ExactProfile] | None = None,
           known_components: tuple[np.ndarray, tuple[Component, ...]] | None = None) -> EquilibriumResult:
    """Verify, dedupe, order, optionally certify, and package candidate profiles.

    ``ix``/``iy`` (the vertex indices of extreme equilibria) give components;
    ``exact_profiles`` (from rational enumeration) are the candidates' exact values;
    ``known_components`` (each candidate's component number, and the components)
    are passed through (a presolved game's, embedded).
    """
    m, n = game.shape
    abs_tol = tol * scale(game)
    X = np.asarray(X, dtype=float).reshape(-1, m)
    Y = np.asarray(Y, dtype=float).reshape(-1, n)
    reg = regrets(game, X, Y) if len(X) else np.empty(0)
    ok = reg <= abs_tol
    rejected = int((~ok).sum())
    keep = np.nonzero(ok)[0]
    keep = keep[order(X[keep], Y[keep])]
    X, Y, reg = X[keep], Y[keep], reg[keep]
    support_tol = max(tol, 1e-12)
    certified = exact_out = None
    if exact_profiles is not None:
        exact_out = tuple(exact_profiles[k] for k in keep)
        certified = np.ones(len(X), dtype=bool)
    elif exact:
        X, Y, certified, exact_out = certify_all(game, X, Y, support_tol)
        reg = regrets(game, X, Y) if len(X) else reg
    comps, index = None, None
    if known_components is not None:
        comp, comps = known_components[0][keep], known_components[1]
    elif ix is not None and iy is not None and len(keep):
        index = (ix[keep], iy[keep])
        comp = components(*index)
    else:
        comp = np.arange(len(X))
    if rejected and complete:
        complete, reason = False, f"{rejected} candidate profile(s) failed verification (numerical trouble)"
    return EquilibriumResult(game=game, row_strategies=X, col_strategies=Y, max_regret=reg, method=method,
                             kind=kind, complete=complete, incomplete_reason="" if complete else reason,
                             degenerate=degenerate, rejected=rejected, component=comp, tol=tol,
                             abs_tol=abs_tol, certified=certified, exact=exact_out, vertex_index=index,
                             known_components=comps)
