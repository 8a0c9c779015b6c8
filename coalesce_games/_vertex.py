"""All extreme Nash equilibria of a bimatrix game by vertex enumeration.

The method of Mangasarian (1964) and Avis, Rosenberg, Savani and von Stengel
(2010). With payoffs shifted to be positive, the best-response polytopes are::

    P = {x >= 0 : B^T x <= 1}      labels: i where x_i = 0, m + j where (B^T x)_j = 1
    Q = {y >= 0 : A y <= 1}        labels: i where (A y)_i = 1, m + j where y_j = 0

A pair of vertices ``(x, y) != (0, 0)`` is an equilibrium (after normalising)
exactly when every label 0..m+n-1 appears at x or at y. Vertices are found by
solving every choice of m (resp. n) tight constraints in one batched numpy
call and keeping the feasible solutions, so degenerate polytopes (vertices
with more tight constraints than their dimension) are handled: every such
vertex is reached by some basis. The pairing of labels is one boolean matrix
product. The cost is C(m+n, m) small linear solves, fine up to about 10 x 10;
larger games go to Lemke-Howson (:mod:`coalesce_games._lemke`).

>>> import numpy as np
>>> xs, ys, deg = extreme_equilibria(np.array([[1., -1.], [-1., 1.]]), np.array([[-1., 1.], [1., -1.]]))
>>> xs.round(3).tolist(), ys.round(3).tolist(), deg
([[0.5, 0.5]], [[0.5, 0.5]], False)
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

__all__ = ["extreme_equilibria", "polytope_vertices", "bases_count", "MAX_BASES"]

#: beyond this many bases per polytope the enumeration is refused (memory/time)
MAX_BASES = 3_000_000


def bases_count(m: int, n: int) -> int:
    """Number of linear systems the enumeration solves for an m x n game."""
    return comb(m + n, m) + comb(m + n, n)


def polytope_vertices(constraints: np.ndarray, rhs: np.ndarray, dim: int, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of ``{z : constraints @ z <= rhs}`` and their tight-constraint masks.

    ``constraints`` is (k, dim) with ``k >= dim``. Returns ``(vertices (V, dim),
    tight (V, k) bool)``, duplicates removed.
    """
    k = constraints.shape[0]
    subsets = np.array(list(combinations(range(k), dim)), dtype=np.intp)
    systems = constraints[subsets]                      # (S, dim, dim)
    dets = np.linalg.det(systems)
    scale = np.abs(systems).max(axis=(1, 2)) ** dim + 1e-300
    ok = np.abs(dets) > 1e-12 * scale
    subsets, systems = subsets[ok], systems[ok]
    if len(subsets) == 0:
        return np.empty((0, dim)), np.empty((0, k), dtype=bool)
    sol = np.linalg.solve(systems, rhs[subsets][..., None])[..., 0]
    slack = rhs[None, :] - sol @ constraints.T          # (S, k) >= 0 when feasible
    feasible = (slack >= -tol).all(axis=1)
    sol, slack = sol[feasible], slack[feasible]
    tight = np.abs(slack) <= tol
    key = np.round(sol / tol).astype(np.int64) if len(sol) else np.empty((0, dim), np.int64)
    _, first = np.unique(key, axis=0, return_index=True)
    first = np.sort(first)
    return sol[first], tight[first]


def extreme_equilibria(A: np.ndarray, B: np.ndarray, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray, bool]:
    """Row and column mixed strategies of every extreme equilibrium.

    Returns ``(xs (E, m), ys (E, n), degenerate)``; ``degenerate`` is True when
    some vertex has more tight labels than its dimension (Avis et al. 2010).
    """
    m, n = A.shape
    if bases_count(m, n) > 2 * MAX_BASES:
        raise ValueError(f"vertex enumeration of a {m}x{n} game needs {bases_count(m, n)} bases; "
                         f"more than {2 * MAX_BASES}: use method='lemke-howson'")
    # an affine change of each player's payoffs keeps the equilibria; entries in [1, 2]
    a = (A - A.min()) / max(np.ptp(A), 1e-300) + 1.0
    b = (B - B.min()) / max(np.ptp(B), 1e-300) + 1.0
    # P = {x : -x <= 0, B^T x <= 1}: labels 0..m-1 then m..m+n-1
    p_cons = np.vstack([-np.eye(m), b.T])
    p_rhs = np.concatenate([np.zeros(m), np.ones(n)])
    # Q = {y : A y <= 1, -y <= 0}: labels 0..m-1 then m..m+n-1
    q_cons = np.vstack([a, -np.eye(n)])
    q_rhs = np.concatenate([np.ones(m), np.zeros(n)])
    xv, xl = polytope_vertices(p_cons, p_rhs, m, tol)
    yv, yl = polytope_vertices(q_cons, q_rhs, n, tol)
    degenerate = bool((xl.sum(1) > m).any() or (yl.sum(1) > n).any())
    keep_x = xv.sum(1) > tol
    keep_y = yv.sum(1) > tol
    xv, xl, yv, yl = xv[keep_x], xl[keep_x], yv[keep_y], yl[keep_y]
    missing = (~xl).astype(np.int32) @ (~yl).astype(np.int32).T
    ix, iy = np.nonzero(missing == 0)
    xs = np.clip(xv[ix], 0.0, None)
    ys = np.clip(yv[iy], 0.0, None)
    return xs / xs.sum(1, keepdims=True), ys / ys.sum(1, keepdims=True), degenerate
