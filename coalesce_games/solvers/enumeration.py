"""Every extreme equilibrium: vertex enumeration in floats, or exhaustively in rationals.

:func:`vertex_enumeration` pairs the vertices of the two best-response
polytopes with full label sets (:func:`coalesce_games.solvers.vertex.extreme_equilibria`),
which makes it correct on degenerate games; :func:`exact_enumeration` solves
every basis in ``fractions.Fraction`` arithmetic, the oracle for small games.

Both are exponential in the game's size, so both refuse, before starting, a game
whose estimated work passes a limit, naming the estimate and the method to use
instead. For vertex enumeration the estimate is the upper bound theorem
(McMullen 1970): a ``d``-polytope with ``k`` facets has at most
``C(k - floor((d+1)/2), k - d) + C(k - floor((d+2)/2), k - d)`` vertices;
the best-response polytope of the row player has ``d = m`` and ``k = m + n``.

>>> max_vertices_bound(2, 2), max_vertices_bound(14, 14), max_vertices_bound(40, 40) > 10**15
(4, 155040, True)
>>> from coalesce_games.solvers.game import Game
>>> r = vertex_enumeration(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]]))
>>> len(r), r.complete
(3, True)
"""

from __future__ import annotations

from math import comb

import numpy as np

from coalesce_games.solvers._checks import check_bool, check_int
from coalesce_games.solvers.assemble import finish
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.result import EquilibriumResult
from coalesce_games.solvers.verify import check_game, check_tol

__all__ = ['MAX_BASES', 'MAX_VERTICES', 'exact_enumeration', 'max_vertices_bound', 'vertex_enumeration']

#: default limit of :func:`vertex_enumeration` on the upper-bound vertex estimate
MAX_VERTICES = 10_000_000
#: default limit of :func:`exact_enumeration` on the number of rational bases
MAX_BASES = 20_000


def _ubt(d: int, k: int) -> int:
    """McMullen's upper bound on the vertices of a d-polytope with k facets."""
    if k <= d:
        return 1
    return comb(k - (d + 1) // 2, k - d) + comb(k - (d + 2) // 2, k - d)


def max_vertices_bound(m: int, n: int) -> int:
    """Upper bound on the vertices of either best-response polytope of an m x n game."""
    return max(_ubt(m, m + n), _ubt(n, m + n))


def _instead(game: Game) -> str:
    return "method='lp' (zero-sum)" if game.is_zero_sum else "method='lemke_howson' (one equilibrium)"


def vertex_enumeration(game: Game, tol: float | None = None, exact: bool = False,
                       max_vertices: int = MAX_VERTICES) -> EquilibriumResult:
    """All extreme equilibria by vertex enumeration (complete, degenerate games included).

    Parameters
    ----------
    game : Game
    tol : float, optional
        Verification tolerance relative to the payoff spread (default 1e-9,
        at most 1e-4); also the label tolerance of the enumeration.
    exact : bool
        Certify each equilibrium in rational arithmetic and return it as fractions.
    max_vertices : int
        Refuse games whose upper-bound vertex estimate (:func:`max_vertices_bound`)
        exceeds this (default 10 million: up to about 18 x 18).

    >>> vertex_enumeration(Game(np.eye(40), np.eye(40)))
    Traceback (most recent call last):
    ...
    ValueError: vertex enumeration of the 40x40 game may visit up to 5589126007740660 vertices (upper bound theorem), more than max_vertices=10000000; use method='lemke_howson' (one equilibrium), or raise max_vertices
    """
    from coalesce_games.solvers.vertex import extreme_equilibria

    check_game(game)
    rel_tol = check_tol(tol)
    check_bool("exact", exact)
    limit = check_int("max_vertices", max_vertices, minimum=1)
    m, n = game.shape
    bound = max_vertices_bound(m, n)
    if bound > limit:
        raise ValueError(f"vertex enumeration of the {m}x{n} game may visit up to {bound} vertices (upper bound "
                         f"theorem), more than max_vertices={limit}; use {_instead(game)}, or raise max_vertices")
    res = extreme_equilibria(game.A, game.B, tol=max(rel_tol, 1e-12))
    return finish(game, res.xs, res.ys, method="vertex", kind="extreme", tol=rel_tol, complete=True, reason="",
                  degenerate=bool(res.degenerate), ix=res.ix, iy=res.iy, exact=exact)


def exact_enumeration(game: Game, tol: float | None = None, max_bases: int = MAX_BASES) -> EquilibriumResult:
    """All extreme equilibria in rational arithmetic, each returned as fractions (small games only).

    ``max_bases`` bounds the number of linear systems solved (``C(m+n, m) + C(m+n, n)``).

    >>> r = exact_enumeration(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]]))
    >>> [str(v) for v in r.exact[2][0]]
    ['3/5', '2/5']
    """
    from coalesce_games.solvers.exact import exact_extreme_equilibria

    check_game(game)
    rel_tol = check_tol(tol)
    limit = check_int("max_bases", max_bases, minimum=1)
    m, n = game.shape
    count = comb(m + n, m) + comb(m + n, n)
    if count > limit:
        raise ValueError(f"method='exact' enumerates {count} bases for a {m}x{n} game; that is too many "
                         f"(max_bases={limit}): use method='vertex' with exact=True")
    eqs = exact_extreme_equilibria(game.A, game.B)
    X = np.array([[float(v) for v in e[0]] for e in eqs]).reshape(-1, m)
    Y = np.array([[float(v) for v in e[1]] for e in eqs]).reshape(-1, n)
    return finish(game, X, Y, method="exact", kind="extreme", tol=rel_tol, complete=True, reason="",
                  exact_profiles=list(eqs))
