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

Three vertex enumerators, each returning the full label set of each vertex:

* ``"pivot"`` (the default): a depth-first search over the lexicographically
  feasible bases of the polytope, compiled with numba
  (:mod:`coalesce_games.solvers._vertex_kernel`): the ratio-test ties are broken
  as if the right-hand side were perturbed by ``(eps, eps^2, ...)``, as in
  ``lrs`` (Avis 2000), so degenerate vertices are reached and the search cannot
  cycle; every basis reports the variables within ``tol`` of zero as labels and
  the bases of one degenerate vertex are merged. About two pivots and ``d``
  ratio tests per vertex, no Python per vertex.
* ``"bases"``: solve every choice of ``d`` tight constraints in one batched
  ``numpy.linalg.solve`` and keep the feasible solutions. Every vertex of a
  degenerate polytope is reached by some basis. ``C(m+n, m)`` solves: an
  independent exhaustive check for small games.
* ``"qhull"``: the convex hull of the polar polytope (scipy's Qhull), each
  facet being a vertex, each returned point's labels recomputed against *all*
  constraints with a tolerance, duplicates (one per facet of a triangulated
  non-simplicial dual facet) merged by their label sets. Quantecon uses the
  facet's own indices as labels, which loses the extra labels of degenerate
  vertices.

The equilibria are then the pairs whose label sets cover every label: a hash
lookup of the complementary label set, and a superset scan only for
degenerate vertices (compiled as well).

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

from coalesce_games.solvers import _vertex_kernel as _kernel

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


def _pack(tight: np.ndarray) -> np.ndarray:
    """Boolean label rows (V, L) as rows of uint64 words (bit ``t`` of word ``t // 64``)."""
    V, L = tight.shape
    words = np.zeros((V, (L + 63) // 64), dtype=np.uint64)
    for t in range(L):
        words[:, t >> 6] |= tight[:, t].astype(np.uint64) << np.uint64(t & 63)
    return words


def _tight_and_dedupe(points: np.ndarray, constraints: np.ndarray, rhs: np.ndarray,
                      tol: float) -> tuple[np.ndarray, np.ndarray]:
    slack = rhs[None, :] - points @ constraints.T
    feasible = (slack >= -tol).all(axis=1)
    points, slack = points[feasible], slack[feasible]
    tight = np.abs(slack) <= tol
    if len(points) == 0:
        return points, tight
    # a vertex is determined by its tight constraints: merge equal label sets
    _, first = np.unique(_pack(tight), axis=0, return_index=True)
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
        raise ValueError(f"basis enumeration needs {comb(k, dim)} bases (> {MAX_BASES}); use method='pivot'")
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
    dual = constraints / (rhs - constraints @ interior)[:, None]
    hull = ConvexHull(dual)
    eq = hull.equations
    pts = interior[None, :] - eq[:, :-1] / eq[:, -1:]
    pts, tight = _tight_and_dedupe(pts, constraints, rhs, tol)
    # degenerate vertices (more tight constraints than d) come from merged facets:
    # re-solve them from all their tight constraints
    deg = tight.sum(axis=1) > constraints.shape[1]
    if deg.any():
        pts[deg] = _refine(pts[deg], tight[deg], constraints, rhs)
    return pts, tight


def _origin_basis(constraints: np.ndarray, rhs: np.ndarray, tol: float) -> np.ndarray | None:
    """``d`` linearly independent constraints tight at the origin, if the origin is a feasible vertex."""
    from scipy.linalg import qr

    dim = constraints.shape[1]
    if (rhs < -tol).any():
        return None
    at_zero = np.nonzero(np.abs(rhs) <= tol)[0]
    if len(at_zero) < dim:
        return None
    _, R, piv = qr(constraints[at_zero].T, pivoting=True)
    if abs(R[dim - 1, dim - 1]) <= 1e-9 * max(abs(R[0, 0]), 1e-300):
        return None
    return np.sort(at_zero[piv[:dim]])


def _vertices_pivot(constraints: np.ndarray, rhs: np.ndarray, basis: np.ndarray,
                    tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Pivoting search after the change of variables ``u = -C_B z`` (the basis rows' slacks)."""
    k, dim = constraints.shape
    rest = np.setdiff1d(np.arange(k), basis)
    CB_inv = np.linalg.inv(constraints[basis])
    # C_N z <= r_N with z = -C_B^-1 u: (-C_N C_B^-1) u <= r_N
    M = np.ascontiguousarray(-constraints[rest] @ CB_inv)
    lab = np.concatenate([basis, rest]).astype(np.int64)
    u, words, _ = _kernel.enumerate_vertices(M, np.ascontiguousarray(rhs[rest], dtype=float), lab, tol)
    return -u @ CB_inv.T, _kernel.mask_bits(words, k)


def polytope_vertices(constraints: np.ndarray, rhs: np.ndarray, tol: float = 1e-9, *,
                      method: str = "auto", interior: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of ``{z : constraints @ z <= rhs}`` with their full tight-constraint masks.

    ``constraints`` is (k, d), ``k >= d``, describing a bounded full-dimensional
    polytope; ``interior`` is a strictly interior point (needed by Qhull).
    Returns ``(vertices (V, d), tight (V, k) bool)`` with one row per vertex.
    ``method="pivot"`` needs the origin to be a feasible vertex (``rhs >= 0``
    and ``d`` independent constraints with ``rhs == 0``); ``"auto"`` uses it
    then, else Qhull when ``interior`` is given, else the basis enumeration.

    >>> import numpy as np
    >>> v, t = polytope_vertices(np.array([[-1., 0], [0, -1], [1, 1]]), np.array([0., 0, 1]))
    >>> sorted(map(tuple, v.round(6).tolist()))
    [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0)]
    >>> t.sum(axis=1).tolist()
    [2, 2, 2]
    """
    constraints = np.asarray(constraints, dtype=float)
    rhs = np.asarray(rhs, dtype=float)
    methods = ("auto", "pivot", "bases", "qhull")
    if method not in methods:
        raise ValueError(f"method must be one of {list(methods)}; got {method!r}")
    basis = _origin_basis(constraints, rhs, tol) if method in ("auto", "pivot") else None
    if basis is not None:
        return _vertices_pivot(constraints, rhs, basis, tol)
    if method == "pivot":
        raise ValueError("method='pivot' needs the origin to be a vertex: rhs >= 0 and d independent "
                         "constraints with rhs == 0")
    if method == "auto":
        method = "qhull" if interior is not None and constraints.shape[1] >= 2 else "bases"
    if method == "bases" or constraints.shape[1] < 2:
        return _vertices_bases(constraints, rhs, tol)
    if interior is None:
        raise ValueError("interior must be given for method='qhull'")
    try:
        return _vertices_qhull(constraints, rhs, np.asarray(interior, dtype=float), tol)
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


def _both_polytopes(a: np.ndarray, b: np.ndarray, tol: float, method: str):
    """Vertices and label masks (uint64 words) of P and Q, labels 0..m-1 then m..m+n-1."""
    m, n = a.shape
    if method == "pivot":
        # P = {x >= 0 : b^T x <= 1}: x_i -> label i, slack of column j -> m + j
        xv, xw, _ = _kernel.enumerate_vertices(np.ascontiguousarray(b.T), np.ones(n), np.arange(m + n), tol)
        # Q = {y >= 0 : a y <= 1}: y_j -> label m + j, slack of row i -> i
        lab_q = np.concatenate([np.arange(m, m + n), np.arange(m)])
        yv, yw, _ = _kernel.enumerate_vertices(np.ascontiguousarray(a), np.ones(m), lab_q, tol)
        return xv, xw, yv, yw
    # P = {x : -x <= 0, B^T x <= 1}, Q = {y : A y <= 1, -y <= 0}: constraint index = label
    p_cons = np.vstack([-np.eye(m), b.T])
    p_rhs = np.concatenate([np.zeros(m), np.ones(n)])
    q_cons = np.vstack([a, -np.eye(n)])
    q_rhs = np.concatenate([np.ones(m), np.zeros(n)])
    p_int = np.full(m, 0.5 / b.sum(axis=0).max())
    q_int = np.full(n, 0.5 / a.sum(axis=1).max())
    xv, xl = polytope_vertices(p_cons, p_rhs, tol, method=method, interior=p_int)
    yv, yl = polytope_vertices(q_cons, q_rhs, tol, method=method, interior=q_int)
    return xv, _pack(xl), yv, _pack(yl)


def extreme_equilibria(A: np.ndarray, B: np.ndarray, tol: float = 1e-9, method: str = "auto") -> VertexResult:
    """Every extreme equilibrium of the bimatrix game ``(A, B)``.

    ``tol`` is the label tolerance on the normalised ([1, 2]) payoff scale;
    ``method`` is ``"auto"`` (= ``"pivot"``), ``"pivot"``, ``"bases"`` or
    ``"qhull"`` (see the module text). Equilibria come sorted by the index of
    their x-vertex, then of their y-vertex.

    >>> import numpy as np
    >>> r = extreme_equilibria(np.array([[3., 0], [0, 2]]), np.array([[2., 0], [0, 3]]))
    >>> len(r.xs), r.degenerate, sorted(r.xs.round(2)[:, 0].tolist())
    (3, False, [0.0, 0.6, 1.0])
    """
    methods = ("auto", "pivot", "bases", "qhull")
    if method not in methods:
        raise ValueError(f"method must be one of {list(methods)}; got {method!r}")
    m, n = np.shape(A)
    a = normalise_payoffs(np.asarray(A, dtype=float))
    b = normalise_payoffs(np.asarray(B, dtype=float))
    xv, xw, yv, yw = _both_polytopes(a, b, tol, "pivot" if method == "auto" else method)
    x_count = _kernel.popcounts(xw)
    y_count = _kernel.popcounts(yw)
    degenerate = bool((x_count > m).any() or (y_count > n).any())
    keep_x = xv.sum(1) > tol
    keep_y = yv.sum(1) > tol
    xv, xw, yv, yw = xv[keep_x], xw[keep_x], yv[keep_y], yw[keep_y]
    ia, ib = _kernel.match_labels(xw, yw, m, n)
    xs = np.clip(xv[ia], 0.0, None)
    ys = np.clip(yv[ib], 0.0, None)
    xs = xs / xs.sum(1, keepdims=True)
    ys = ys / ys.sum(1, keepdims=True)
    return VertexResult(xs, ys, ia.astype(np.intp), ib.astype(np.intp),
                        _kernel.mask_bits(xw[ia], m + n), _kernel.mask_bits(yw[ib], m + n), degenerate)
