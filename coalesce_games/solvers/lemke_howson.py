"""One Nash equilibrium by the Lemke-Howson algorithm, with a lexicographic ratio test.

Lemke and Howson (1964), in the tableau form of von Stengel (2002, "Computing
equilibria for two-person games", Handbook of Game Theory 3, section 3). With
payoffs mapped to [1, 2] (equilibria are invariant under positive affine maps
of each player's payoffs) the two systems are::

    B^T x + s = 1,  x, s >= 0      (n rows; variable k has label k: x_i -> i, s_j -> m + j)
    A y  + r = 1,  y, r >= 0      (m rows; r_i -> label i, y_j -> label m + j)

Starting from the artificial equilibrium ``(0, 0)`` the label ``k`` is dropped
(its variable enters the basis); each pivot makes one variable leave, and the
variable of the *same label* in the other system enters next, until the label
``k`` leaves: then all labels are present and ``(x/sum x, y/sum y)`` is an
equilibrium. Ties in the minimum-ratio test are broken lexicographically over
the columns of the initial (slack) basis, which is equivalent to perturbing the
right-hand side by ``(eps, eps^2, ...)``: the path cannot cycle, even on
degenerate games. Each pivot is one rank-one numpy update of a tableau.

>>> import numpy as np
>>> x, y, pivots = lemke_howson(np.array([[3., 0], [0, 2]]), np.array([[2., 0], [0, 3]]), 0)
>>> x.tolist(), y.tolist()
([1.0, 0.0], [1.0, 0.0])
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.blas import dger as _dger

from coalesce_games.solvers.vertex import normalise_payoffs

__all__ = ['LemkeHowsonFailure', 'lemke_howson']


class LemkeHowsonFailure(RuntimeError):
    """The path hit the pivot limit or lost feasibility numerically."""


def _lex_min_ratio(T: np.ndarray, col: int, slack_cols: np.ndarray, piv_tol: float) -> int:
    """Row of the lexicographic minimum ratio for entering column ``col``."""
    c = T[:, col]
    pos = c > piv_tol
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(pos, T[:, -1] / c, np.inf)
    row = int(ratios.argmin())
    best = ratios[row]
    if not np.isfinite(best):
        raise LemkeHowsonFailure("unbounded ray: no positive pivot in the entering column")
    cand = np.nonzero(ratios <= best + 1e-12 * max(abs(best), 1.0))[0]
    if len(cand) == 1:
        return row
    k = 0
    while len(cand) > 1 and k < len(slack_cols):
        r = T[cand, slack_cols[k]] / c[cand]
        lo = r.min()
        cand = cand[r <= lo + 1e-12 * max(abs(lo), 1.0)]
        k += 1
    return int(cand[0])


def _pivot(T: np.ndarray, row: int, col: int) -> None:
    """Gauss-Jordan pivot on ``T[row, col]``, in place (``T`` Fortran-ordered: BLAS rank-1 update)."""
    prow = T[row] / T[row, col]
    column = T[:, col].copy()
    out = _dger(-1.0, column, prow, a=T, overwrite_a=1)
    if out is not T:  # BLAS could not work in place (not Fortran-contiguous)
        T[...] = out
    T[row] = prow


def lemke_howson(A: np.ndarray, B: np.ndarray, init_label: int = 0,
                 max_pivots: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Follow the Lemke-Howson path that drops ``init_label`` (0 .. m+n-1).

    Returns ``(x, y, pivots)`` with ``x``, ``y`` normalised mixed strategies.
    Raises :class:`LemkeHowsonFailure` if the pivot limit (default
    ``50 * (m + n) + 100``) is reached. The caller verifies the result.
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    m, n = A.shape
    L = m + n
    if not 0 <= init_label < L:
        raise ValueError(f"init_label must be in [0, {L - 1}]; got {init_label!r}")
    a = normalise_payoffs(A)
    b = normalise_payoffs(B)
    if max_pivots is None:
        max_pivots = 50 * L + 100
    # tableau 1 (rows n): columns 0..m-1 = x, m..m+n-1 = s, last = rhs
    T1 = np.zeros((n, L + 1), order="F")
    T1[:, :m] = b.T
    T1[:, m:L] = np.eye(n)
    T1[:, -1] = 1.0
    basis1 = np.arange(m, L)
    # tableau 2 (rows m): columns 0..m-1 = r, m..m+n-1 = y, last = rhs
    T2 = np.zeros((m, L + 1), order="F")
    T2[:, :m] = np.eye(m)
    T2[:, m:L] = a
    T2[:, -1] = 1.0
    basis2 = np.arange(0, m)
    slack1 = np.arange(m, L)
    slack2 = np.arange(0, m)
    piv_tol = 1e-12

    entering = init_label
    # the dropped label's variable: x_k (k < m) lives in tableau 1, y_j (k >= m) in tableau 2
    in_first = init_label < m
    pivots = 0
    while True:
        if pivots >= max_pivots:
            raise LemkeHowsonFailure(f"no equilibrium after {max_pivots} pivots from label {init_label}")
        if in_first:
            row = _lex_min_ratio(T1, entering, slack1, piv_tol)
            leaving = int(basis1[row])
            _pivot(T1, row, entering)
            basis1[row] = entering
        else:
            row = _lex_min_ratio(T2, entering, slack2, piv_tol)
            leaving = int(basis2[row])
            _pivot(T2, row, entering)
            basis2[row] = entering
        pivots += 1
        if leaving == init_label:
            break
        entering = leaving
        in_first = not in_first
    x = np.zeros(m)
    y = np.zeros(n)
    sel1 = basis1 < m
    x[basis1[sel1]] = T1[sel1, -1]
    sel2 = basis2 >= m
    y[basis2[sel2] - m] = T2[sel2, -1]
    if (x < -1e-9).any() or (y < -1e-9).any() or x.sum() <= 0 or y.sum() <= 0:
        raise LemkeHowsonFailure(f"the path from label {init_label} lost feasibility numerically")
    x = np.clip(x, 0.0, None)
    y = np.clip(y, 0.0, None)
    return x / x.sum(), y / y.sum(), pivots
