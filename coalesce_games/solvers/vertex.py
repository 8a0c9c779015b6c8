"""All extreme Nash equilibria of a bimatrix game by vertex enumeration.

The method of Mangasarian (1964) as presented by Avis, Rosenberg, Savani and
von Stengel (2010, "Enumeration of Nash equilibria for two-player games",
Economic Theory 42). With payoffs shifted to be positive, the best-response
polytopes are::

    P = {x >= 0 : B^T x <= 1}   labels: i where x_i = 0,      m + j where (B^T x)_j = 1
    Q = {y >= 0 : A y <= 1}     labels: i where (A y)_i = 1,  m + j where y_j = 0

A pair of vertices ``(x, y) != (0, 0)`` is an (extreme) equilibrium, after
normalising both to sum 1, exactly when every label ``0 .. m+n-1`` appears at
``x`` or at ``y`` (complementarity). This holds for degenerate games too, as
long as every vertex carries *all* its labels, not only the ``m`` of one basis.

Two vertex enumerators, both returning the full label set of each vertex:

* ``"bases"``: solve every choice of ``d`` tight constraints in one batched
  ``numpy.linalg.solve`` and keep the feasible solutions. Every vertex of a
  degenerate polytope is reached by some basis. ``C(m+n, m)`` solves: the
  choice up to about 9 x 9.
* ``"qhull"`` (the default): the convex hull of the polar polytope (scipy's
  Qhull), each facet being a vertex, each returned point's labels recomputed against *all*
  constraints with a tolerance, duplicates (one per facet of a triangulated
  non-simplicial dual facet) merged by their label sets. This is what makes
  it correct on degenerate games, where quantecon's use of the facet's own
  indices as labels loses the extra labels.

Payoffs are first mapped affinely to [1, 2] per player (equilibria are
invariant), which makes the polytopes well conditioned and the tolerances
relative.

>>> import numpy as np
>>> r = extreme_equilibria(np.array([[1., -1.], [-1., 1.]]), np.array([[-1., 1.], [1., -1.]]))
>>> r.xs.round(3).tolist(), r.ys.round(3).tolist(), r.degenerate
([[0.5, 0.5]], [[0.5, 0.5]], False)
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

__all__ = ['MAX_BASES', 'VertexResult', 'bases_count', 'extreme_equilibria', 'normalise_payoffs', 'polytope_vertices']

#: the basis enumeration refuses more than this many bases (memory)
MAX_BASES = 2_000_000


def bases_count(m: int, n: int) -> int:
    """Number of linear systems the basis enumeration solves for an m x n game."""
    return comb(m + n, m) + comb(m + n, n)


def normalise_payoffs(M: np.ndarray) -> np.ndarray:
    """Affine map of a payoff matrix onto [1, 2] (a constant matrix becomes all ones)."""
    spread = float(np.ptp(M))
    if spread == 0.0:
        return np.ones_like(M, dtype=float)
    return (M - M.min()) / spread + 1.0


def _tight_and_dedupe(points: np.ndarray, constraints: np.ndarray, rhs: np.ndarray,
                      tol: float) -> tuple[np.ndarray, np.ndarray]:
    slack = rhs[None, :] - points @ constraints.T
    feasible = (slack >= -tol).all(axis=1)
    points, slack = points[feasible], slack[feasible]
    tight = np.abs(slack) <= tol
    if len(points) == 0:
        return points, tight
    # a vertex is determined by its tight constraints: merge equal label sets
    if tight.shape[1] <= 63:
        _, first = np.unique(_masks(tight), return_index=True)
    else:
        _, first = np.unique(np.packbits(tight, axis=1), axis=0, return_index=True)
    first = np.sort(first)
    return points[first], tight[first]


def _refine(points: np.ndarray, tight: np.ndarray, constraints: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Re-solve each vertex from its tight constraints (least squares), grouped by label count."""
    out = points.copy()
    counts = tight.sum(axis=1)
    d = constraints.shape[1]
    for c in np.unique(counts):
        if c < d:
            continue
        rows = np.nonzero(counts == c)[0]
        idx = np.nonzero(tight[rows])[1].reshape(len(rows), c)
        M = constraints[idx]                    # (R, c, d)
        r = rhs[idx]                            # (R, c)
        if c == d:
            try:
                out[rows] = np.linalg.solve(M, r[..., None])[..., 0]
                continue
            except np.linalg.LinAlgError:
                pass
        MT = np.swapaxes(M, 1, 2)
        out[rows] = np.linalg.solve(MT @ M, (MT @ r[..., None]))[..., 0]
    return out


def _vertices_bases(constraints: np.ndarray, rhs: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    k, dim = constraints.shape
    if comb(k, dim) > MAX_BASES:
        raise ValueError(f"basis enumeration needs {comb(k, dim)} bases (> {MAX_BASES}); use method='qhull'")
    subsets = np.array(list(combinations(range(k), dim)), dtype=np.intp)
    systems = constraints[subsets]                      # (S, dim, dim)
    # entries lie in [-2, 2]; a basis is singular when its condition number explodes
    # (a determinant test would also reject the well-defined but tiny-determinant
    # bases of games like von Stengel's, whose payoffs span six orders of magnitude)
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(systems)
    ok = np.isfinite(cond) & (cond < 1e13)
    subsets, systems = subsets[ok], systems[ok]
    if len(subsets) == 0:
        return np.empty((0, dim)), np.empty((0, k), dtype=bool)
    sol = np.linalg.solve(systems, rhs[subsets][..., None])[..., 0]
    return _tight_and_dedupe(sol, constraints, rhs, tol)


def _vertices_qhull(constraints: np.ndarray, rhs: np.ndarray, interior: np.ndarray,
                    tol: float) -> tuple[np.ndarray, np.ndarray]:
    from scipy.spatial import ConvexHull

    # polar duality about the interior point c: constraint a.(c + z) <= r becomes the
    # dual point a / (r - a.c); each facet w.p + o = 0 of the dual hull is the vertex z = -w / o
    dim = constraints.shape[1]
    dual = constraints / (rhs - constraints @ interior)[:, None]
    hull = ConvexHull(dual)
    eq = hull.equations
    pts = interior[None, :] - eq[:, :-1] / eq[:, -1:]
    pts, tight = _tight_and_dedupe(pts, constraints, rhs, tol)
    # degenerate vertices (more tight constraints than d) come from merged facets:
    # re-solve them from all their tight constraints
    deg = tight.sum(axis=1) > dim
    if deg.any():
        pts[deg] = _refine(pts[deg], tight[deg], constraints, rhs)
    return pts, tight


def polytope_vertices(constraints: np.ndarray, rhs: np.ndarray, tol: float = 1e-9, *,
                      method: str = "auto", interior: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of ``{z : constraints @ z <= rhs}`` with their full tight-constraint masks.

    ``constraints`` is (k, d), ``k >= d``, describing a bounded full-dimensional
    polytope; ``interior`` is a strictly interior point (needed by Qhull).
    Returns ``(vertices (V, d), tight (V, k) bool)`` with one row per vertex.

    >>> import numpy as np
    >>> v, t = polytope_vertices(np.array([[-1., 0], [0, -1], [1, 1]]), np.array([0., 0, 1]),
    ...                          method="bases")
    >>> sorted(map(tuple, v.round(6).tolist()))
    [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)]
    """
    k, dim = constraints.shape
    if method == "auto":
        method = "bases" if (dim < 2 or interior is None) else "qhull"
    if method == "bases" or dim < 2:
        return _vertices_bases(constraints, rhs, tol)
    if method != "qhull":
        raise ValueError(f"method must be one of ['auto', 'bases', 'qhull']; got {method!r}")
    if interior is None:
        raise ValueError("interior must be given for method='qhull'")
    try:
        return _vertices_qhull(constraints, rhs, interior, tol)
    except Exception:  # Qhull precision trouble: fall back to the exhaustive enumeration
        return _vertices_bases(constraints, rhs, tol)


@dataclass(frozen=True)
class VertexResult:
    """Extreme equilibria and the vertex structure behind them.

    ``xs (E, m)``, ``ys (E, n)``: normalised strategies of each extreme
    equilibrium; ``ix``, ``iy (E,)``: indices of its x- and y-vertex (so equal
    indices mean a shared vertex, the edges of the bipartite graph whose maximal
    cliques are the Nash subsets); ``x_labels (E, m+n)``, ``y_labels``: the
    vertices' label sets; ``degenerate``: some vertex of P or Q has more labels
    than its dimension, i.e. the game is degenerate.
    """

    xs: np.ndarray
    ys: np.ndarray
    ix: np.ndarray
    iy: np.ndarray
    x_labels: np.ndarray
    y_labels: np.ndarray
    degenerate: bool


def _masks(labels: np.ndarray) -> np.ndarray:
    w = np.uint64(1) << np.arange(labels.shape[1], dtype=np.uint64)
    return (labels.astype(np.uint64) * w).sum(axis=1, dtype=np.uint64)


def _superset_pairs(need: np.ndarray, have: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (a, b) with ``have[b]`` a superset of ``need[a]``, in memory-bounded chunks."""
    out_a: list[np.ndarray] = [np.empty(0, np.intp)]
    out_b: list[np.ndarray] = [np.empty(0, np.intp)]
    if len(need) and len(have):
        chunk = max(1, 2_000_000 // len(have))
        for s in range(0, len(need), chunk):
            nd = need[s:s + chunk, None]
            a, b = np.nonzero((have[None, :] & nd) == nd)
            out_a.append(a + s)
            out_b.append(b)
    return np.concatenate(out_a), np.concatenate(out_b)


def _match(xl: np.ndarray, yl: np.ndarray, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a, b) with ``xl[a] | yl[b]`` all True (every label present).

    Nondegenerate vertices (exactly d labels) pair only with the vertex whose
    label set is exactly the complement: a sorted lookup. Supersets are searched
    only for degenerate vertices (more than d labels), which are rare in generic
    games and few in small tied ones.
    """
    L = xl.shape[1]
    if L > 63:  # no 64-bit masks: one boolean matrix product
        miss = (~xl).astype(np.float32) @ (~yl).astype(np.float32).T
        a, b = np.nonzero(miss == 0)
        return a.astype(np.intp), b.astype(np.intp)
    full = np.uint64((1 << L) - 1)
    xm, ym = _masks(xl), _masks(yl)
    need = full & ~xm
    # exact complements
    order = np.argsort(ym, kind="stable")
    sy = ym[order]
    pos = np.clip(np.searchsorted(sy, need), 0, max(len(sy) - 1, 0))
    hit = (sy[pos] == need) if len(sy) else np.zeros(len(need), bool)
    pa = [np.nonzero(hit)[0]]
    pb = [order[pos[hit]]]
    # proper supersets: need a degenerate vertex (more labels than its dimension) on one side
    deg_x = np.nonzero(xl.sum(axis=1) > m)[0]
    a, b = _superset_pairs(need[deg_x], ym)
    pa.append(deg_x[a])
    pb.append(b)
    deg_y = np.nonzero(yl.sum(axis=1) > n)[0]
    a, b = _superset_pairs(need, ym[deg_y])
    pa.append(a)
    pb.append(deg_y[b])
    ia = np.concatenate(pa).astype(np.intp)
    ib = np.concatenate(pb).astype(np.intp)
    if len(ia):
        key = np.unique(ia.astype(np.int64) * (len(yl) + 1) + ib)
        ia, ib = (key // (len(yl) + 1)).astype(np.intp), (key % (len(yl) + 1)).astype(np.intp)
    return ia, ib


def extreme_equilibria(A: np.ndarray, B: np.ndarray, tol: float = 1e-9, method: str = "auto") -> VertexResult:
    """Every extreme equilibrium of the bimatrix game ``(A, B)``.

    ``tol`` is the label tolerance on the normalised ([1, 2]) payoff scale;
    ``method`` is ``"auto"``, ``"bases"`` or ``"qhull"`` (see the module text).
    """
    m, n = A.shape
    a = normalise_payoffs(np.asarray(A, dtype=float))
    b = normalise_payoffs(np.asarray(B, dtype=float))
    # P = {x : -x <= 0, B^T x <= 1}: labels 0..m-1 then m..m+n-1
    p_cons = np.vstack([-np.eye(m), b.T])
    p_rhs = np.concatenate([np.zeros(m), np.ones(n)])
    # Q = {y : A y <= 1, -y <= 0}: labels 0..m-1 then m..m+n-1
    q_cons = np.vstack([a, -np.eye(n)])
    q_rhs = np.concatenate([np.ones(m), np.zeros(n)])
    p_int = np.full(m, 0.5 / b.sum(axis=0).max())
    q_int = np.full(n, 0.5 / a.sum(axis=1).max())
    xv, xl = polytope_vertices(p_cons, p_rhs, tol, method=method, interior=p_int)
    yv, yl = polytope_vertices(q_cons, q_rhs, tol, method=method, interior=q_int)
    degenerate = bool((xl.sum(1) > m).any() or (yl.sum(1) > n).any())
    keep_x = xv.sum(1) > tol
    keep_y = yv.sum(1) > tol
    xv, xl, yv, yl = xv[keep_x], xl[keep_x], yv[keep_y], yl[keep_y]
    ia, ib = _match(xl, yl, m, n)
    xs = np.clip(xv[ia], 0.0, None)
    ys = np.clip(yv[ib], 0.0, None)
    xs = xs / xs.sum(1, keepdims=True)
    ys = ys / ys.sum(1, keepdims=True)
    return VertexResult(xs, ys, ia.astype(np.intp), ib.astype(np.intp), xl[ia], yl[ib], degenerate)
