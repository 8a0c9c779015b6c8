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

import numba
import numpy as np

from coalesce_games.solvers.components import Component
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.result import EquilibriumResult, ExactProfile
from coalesce_games.solvers.verify import payoff_bounds, regrets, scale_of, shifted_regrets

__all__ = ['certify_all', 'component_numbers', 'finish', 'order', 'verified']


#: up to this many candidates :func:`order` runs compiled (pairwise comparisons), beyond it in numpy
SMALL = 64


@numba.njit(cache=True, nogil=True)
def _order_small(key: np.ndarray, XY: np.ndarray) -> np.ndarray:   # pragma: no cover - compiled
    """:func:`order` on the rounded ``key`` rows: first occurrences of distinct rows, then an
    insertion sort by (support size ascending, ``key`` lexicographically descending)."""
    E, d = key.shape
    keep = np.empty(E, np.int64)
    k = 0
    for e in range(E):
        seen = False
        for f in range(k):
            same = True
            for c in range(d):
                if key[e, c] != key[keep[f], c]:
                    same = False
                    break
            if same:
                seen = True
                break
        if not seen:
            keep[k] = e
            k += 1
    size = np.zeros(k, np.int64)
    for f in range(k):
        for c in range(d):
            if XY[keep[f], c] > 1e-12:
                size[f] += 1
    out = keep[:k].copy()
    for a in range(1, k):   # insertion sort; the rows are distinct, so stability does not matter
        e, s = out[a], size[a]
        b = a - 1
        while b >= 0:
            before = size[b] > s
            if size[b] == s:
                for c in range(d):
                    if key[out[b], c] != key[e, c]:
                        before = key[out[b], c] < key[e, c]
                        break
            if not before:
                break
            out[b + 1], size[b + 1] = out[b], size[b]
            b -= 1
        out[b + 1], size[b + 1] = e, s
    return out


def order(X: np.ndarray, Y: np.ndarray, digits: int = 9) -> np.ndarray:
    """Indices of the distinct profiles (equal to ``digits`` decimals merged), smaller
    supports first, then lexicographically descending.

    >>> order(np.array([[1.0, 0.0], [0.5, 0.5], [1.0, 0.0]]), np.array([[0.0, 1.0], [0.5, 0.5], [0.0, 1.0]])).tolist()
    [0, 1]
    """
    if len(X) <= 1:   # one profile (Lemke-Howson, LP): nothing to merge or sort
        return np.zeros(len(X), dtype=np.int64)
    XY = np.concatenate((X, Y), axis=1)
    key = np.round(XY, digits) + 0.0
    if len(X) <= SMALL:
        return _order_small(key, XY)
    first: dict[tuple[float, ...], int] = {}
    for e, row in enumerate(key.tolist()):   # a dict beats np.unique(axis=0) on the few rows of a game
        first.setdefault(tuple(row), e)
    keep = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    sizes = (XY[keep] > 1e-12).sum(1)
    return keep[np.lexsort(tuple(-key[keep, ::-1].T) + (sizes,))]


@numba.njit(cache=True, nogil=True)
def _components(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:   # pragma: no cover - compiled
    E = ix.shape[0]
    parent = np.arange(E)
    for key in (ix, iy):
        first = np.full(key.max() + 1 if E else 0, -1, np.int64)
        for e in range(E):
            v = key[e]
            if first[v] < 0:
                first[v] = e
                continue
            a, b = e, first[v]
            while parent[a] != a:
                a = parent[a]
            while parent[b] != b:
                b = parent[b]
            if a != b:
                parent[a] = b
    number = np.full(E, -1, np.int64)
    out = np.empty(E, np.int64)
    count = 0
    for e in range(E):
        r = e
        while parent[r] != r:
            r = parent[r]
        if number[r] < 0:
            number[r] = count
            count += 1
        out[e] = number[r]
    return out


def component_numbers(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    """:func:`coalesce_games.solvers.components.components` compiled: the connected components
    of the equilibria sharing a row or a column vertex, numbered in order of first appearance.

    >>> component_numbers(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2])).tolist()
    [0, 0, 0, 1]
    """
    if len(ix) == 0:
        return np.zeros(0, dtype=np.int64)
    return _components(np.asarray(ix, dtype=np.int64), np.asarray(iy, dtype=np.int64))


def verified(game: Game, X: Any, Y: Any, tol: float, abs_tol: float | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, float]:
    """Steps 1-3 on arrays: ``(X, Y, max_regret, keep, rejected, abs_tol)`` of the verified,
    merged and ordered candidates (``keep`` their rows in the input).

    ``abs_tol`` (``tol * scale(game)``) may be passed when the caller has it already.

    >>> from coalesce_games.solvers.game import Game
    >>> X, Y, reg, keep, rejected, abs_tol = verified(Game([[1, 0], [0, 1]]), [[1, 0], [0.5, 0.5]],
    ...                                               [[1, 0], [0.5, 0.5]], 1e-9)
    >>> X.tolist(), keep.tolist(), rejected
    ([[0.5, 0.5]], [1], 1)
    """
    m, n = game.shape
    bounds = payoff_bounds(game)
    if abs_tol is None:
        abs_tol = tol * scale_of(bounds)
    X = np.asarray(X, dtype=float).reshape(-1, m)
    Y = np.asarray(Y, dtype=float).reshape(-1, n)
    reg = shifted_regrets(game.A - bounds[0], game.B - bounds[2], X, Y) if len(X) else np.empty(0)
    ok = reg <= abs_tol
    keep = np.flatnonzero(ok)
    rejected = len(ok) - len(keep)
    if rejected:
        X, Y, reg = X[keep], Y[keep], reg[keep]
    idx = order(X, Y)
    if len(X) > 1 and (len(idx) != len(X) or (idx != np.arange(len(idx))).any()):
        X, Y, reg = X[idx], Y[idx], reg[idx]
    return X, Y, reg, keep[idx], rejected, abs_tol


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
           known_components: tuple[np.ndarray, tuple[Component, ...]] | None = None,
           abs_tol: float | None = None) -> EquilibriumResult:
    """Verify, dedupe, order, optionally certify, and package candidate profiles.

    ``ix``/``iy`` (the vertex indices of extreme equilibria) give components;
    ``exact_profiles`` (from rational enumeration) are the candidates' exact values;
    ``known_components`` (each candidate's component number, and the components)
    are passed through (a presolved game's, embedded); ``abs_tol`` is ``tol * scale(game)``
    when the caller has it already.
    """
    X, Y, reg, keep, rejected, abs_tol = verified(game, X, Y, tol, abs_tol)
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
        comp = component_numbers(*index)
    else:
        comp = np.arange(len(X))
    if rejected and complete:
        complete, reason = False, f"{rejected} candidate profile(s) failed verification (numerical trouble)"
    return EquilibriumResult(game=game, row_strategies=X, col_strategies=Y, max_regret=reg, method=method,
                             kind=kind, complete=complete, incomplete_reason="" if complete else reason,
                             degenerate=degenerate, rejected=rejected, component=comp, tol=tol,
                             abs_tol=abs_tol, certified=certified, exact=exact_out, vertex_index=index,
                             known_components=comps)
