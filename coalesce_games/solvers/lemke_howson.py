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
degenerate games. The path runs compiled (numba): one Gauss-Jordan pivot of a
tableau per step, no Python per pivot.

:func:`lemke_howson_schedule` runs a whole restart schedule in the compiled
code: dropped labels in a given order, a pivot budget per attempt that doubles
every few attempts, and the regret check of each end point, until one verifies.

>>> import numpy as np
>>> x, y, pivots = lemke_howson(np.array([[3., 0], [0, 2]]), np.array([[2., 0], [0, 3]]), 0)
>>> x.tolist(), y.tolist()
([1.0, 0.0], [1.0, 0.0])
"""

from __future__ import annotations

import numba
import numpy as np

from coalesce_games.solvers._vertex_kernel import _lex_row, _pivot

__all__ = ['LemkeHowsonFailure', 'lemke_howson', 'lemke_howson_schedule']


class LemkeHowsonFailure(RuntimeError):
    """The path hit the pivot limit or lost feasibility numerically."""


_OK, _LIMIT, _UNBOUNDED, _INFEASIBLE = 0, 1, 2, 3


@numba.njit(cache=True, nogil=True)
def _tableaux(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two initial tableaux, payoffs mapped onto [1, 2] as by ``normalise_payoffs``.

    Tableau 1 (n rows): columns ``x`` (labels 0..m-1), slacks ``s`` (m..m+n-1),
    right-hand side 1. Tableau 2 (m rows): slacks ``r`` (0..m-1), ``y``
    (m..m+n-1), right-hand side 1.
    """
    m, n = A.shape
    L = m + n
    la, ha, lb, hb = A.min(), A.max(), B.min(), B.max()
    T1 = np.zeros((n, L + 1))
    T2 = np.zeros((m, L + 1))
    for i in range(m):
        for j in range(n):
            T2[i, m + j] = (A[i, j] - la) / (ha - la) + 1.0 if ha > la else 1.0
            T1[j, i] = (B[i, j] - lb) / (hb - lb) + 1.0 if hb > lb else 1.0
        T2[i, i] = 1.0
        T2[i, L] = 1.0
    for j in range(n):
        T1[j, m + j] = 1.0
        T1[j, L] = 1.0
    return T1, T2


@numba.njit(cache=True, nogil=True)
def _path(T1_0: np.ndarray, T2_0: np.ndarray, init_label: int, max_pivots: int):
    """The path dropping ``init_label`` from the initial tableaux (:func:`_tableaux`, left unchanged).

    Returns ``(x, y, pivots, status)`` with ``x``, ``y`` unnormalised. The
    ties of the ratio test are broken over the initial slack columns (``m`` in
    tableau 1, ``0`` in tableau 2).
    """
    m, n = T2_0.shape[0], T1_0.shape[0]
    L = m + n
    T1 = T1_0.copy()
    T2 = T2_0.copy()
    basis1 = np.arange(m, L)
    basis2 = np.arange(0, m)
    entering = init_label
    first = init_label < m  # x_k lives in tableau 1, y_j in tableau 2
    pivots = 0
    status = _OK
    while True:
        if pivots >= max_pivots:
            status = _LIMIT
            break
        T, basis, slack0 = (T1, basis1, m) if first else (T2, basis2, 0)
        row = _lex_row(T, entering, slack0)
        if row < 0:
            status = _UNBOUNDED
            break
        leaving = basis[row]
        _pivot(T, row, entering)
        basis[row] = entering
        pivots += 1
        if leaving == init_label:
            break
        entering = leaving
        first = not first
    x = np.zeros(m)
    y = np.zeros(n)
    for r in range(n):
        if basis1[r] < m:
            x[basis1[r]] = T1[r, L]
    for r in range(m):
        if basis2[r] >= m:
            y[basis2[r] - m] = T2[r, L]
    if status == _OK and (x.min() < -1e-9 or y.min() < -1e-9 or x.sum() <= 0 or y.sum() <= 0):
        status = _INFEASIBLE
    return np.maximum(x, 0.0), np.maximum(y, 0.0), pivots, status


@numba.njit(cache=True, nogil=True)
def _regret(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """``max(max_i (A y)_i - x A y, max_j (x B)_j - x B y, 0)``."""
    Ay = A @ y
    xB = x @ B
    return max(Ay.max() - x @ Ay, xB.max() - xB @ y, 0.0)


@numba.njit(cache=True, nogil=True)
def _default_order(m: int, n: int) -> np.ndarray:
    """Labels ``0, m, 1, m+1, ...`` (the players alternating), then the rest of the larger side."""
    out = np.empty(m + n, np.int64)
    k = 0
    for i in range(min(m, n)):
        out[k] = i
        out[k + 1] = m + i
        k += 2
    for i in range(min(m, n), m):
        out[k] = i
        k += 1
    for j in range(min(m, n), n):
        out[k] = m + j
        k += 1
    return out


@numba.njit(cache=True, nogil=True)
def _schedule(A, B, order, bound, initial_budget, double_every, max_pivots):
    m, n = A.shape
    if order.shape[0] == 0:
        order = _default_order(m, n)
    T1, T2 = _tableaux(A, B)
    As, Bs = A - A.min(), B - B.min()
    budget, spent, attempt = initial_budget, 0, 0
    while spent < max_pivots:
        label = order[attempt % order.shape[0]]
        x, y, p, status = _path(T1, T2, label, budget)
        if status == _OK:
            x /= x.sum()
            y /= y.sum()
            if _regret(As, Bs, x, y) <= bound:
                return x, y, True
            spent += p
        else:
            spent += budget
        attempt += 1
        if attempt % double_every == 0:
            budget = min(budget * 2, max_pivots)   # no int64 overflow when every path fails its check
    return np.zeros(m), np.zeros(n), False


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
    if max_pivots is None:
        max_pivots = 50 * L + 100
    T1, T2 = _tableaux(A, B)
    x, y, pivots, status = _path(T1, T2, int(init_label), int(max_pivots))
    if status == _LIMIT:
        raise LemkeHowsonFailure(f"no equilibrium after {max_pivots} pivots from label {init_label}")
    if status == _UNBOUNDED:
        raise LemkeHowsonFailure("unbounded ray: no positive pivot in the entering column")
    if status == _INFEASIBLE:
        raise LemkeHowsonFailure(f"the path from label {init_label} lost feasibility numerically")
    return x / x.sum(), y / y.sum(), pivots


def lemke_howson_schedule(A: np.ndarray, B: np.ndarray, labels: np.ndarray | None, bound: float,
                          initial_budget: int = 32, double_every: int = 8,
                          max_pivots: int = 2_000_000) -> tuple[np.ndarray, np.ndarray]:
    """The first end point of a restart schedule whose regret is at most ``bound``.

    Attempt ``t`` drops ``labels[t % len(labels)]`` (``None``: the labels
    ``0, m, 1, m+1, ...``, then the rest of the larger side) with a budget of
    ``initial_budget * 2 ** (t // double_every)`` pivots; a failed attempt
    costs its budget, a finished but unverified one its pivots, until
    ``max_pivots`` are spent (then RuntimeError). The regret is that of
    :func:`coalesce_games.solvers.verify.regrets` (on each matrix minus its
    smallest entry), so ``bound`` is an absolute tolerance on the payoffs.

    >>> import numpy as np
    >>> A = np.array([[3., 0], [0, 2]]); B = np.array([[2., 0], [0, 3]])
    >>> x, y = lemke_howson_schedule(A, B, None, 1e-9)
    >>> x.tolist(), y.tolist()
    ([1.0, 0.0], [1.0, 0.0])
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    m, n = A.shape
    if labels is None:
        labels = np.empty(0, np.int64)
    else:
        labels = np.asarray(labels, dtype=np.int64)
        if labels.ndim != 1 or len(labels) == 0 or labels.min() < 0 or labels.max() >= m + n:
            raise ValueError(f"labels must be None or a non-empty 1-d array of labels in [0, {m + n - 1}]; "
                             f"got {labels!r}")
    for name, v in (("initial_budget", initial_budget), ("double_every", double_every), ("max_pivots", max_pivots)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be an integer >= 1; got {v!r}")
    x, y, found = _schedule(A, B, labels, float(bound), int(initial_budget), int(double_every), int(max_pivots))
    if not found:
        raise RuntimeError(f"Lemke-Howson found no verified equilibrium of the {m}x{n} game "
                           f"within {max_pivots} pivots")
    return x, y
