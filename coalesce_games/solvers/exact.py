"""Exact rational arithmetic for bimatrix equilibria (``fractions.Fraction``).

Two services:

* :func:`certify`: given a floating-point equilibrium ``(x, y)``, re-solve the
  linear system of its tight constraints (the support and best-response
  equalities) in rationals and check, exactly, that the solution is a mixed
  equilibrium: probabilities ``>= 0`` summing to 1, every pure strategy paying
  at most the equilibrium payoff, and every strategy in the support paying
  exactly that. Payoffs are taken as the exact rationals of their floats.
* :func:`exact_extreme_equilibria`: all extreme equilibria by exhaustive
  enumeration of the bases of the best-response polytopes (Avis et al. 2010)
  in rational arithmetic: the reference oracle for small tied games.

>>> from fractions import Fraction as F
>>> eqs = exact_extreme_equilibria([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
>>> eqs == [((F(1, 2), F(1, 2)), (F(1, 2), F(1, 2)))]
True
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from typing import Any

import numpy as np

__all__ = ['certify', 'exact_extreme_equilibria', 'solve_exact']

Matrix = list[list[Fraction]]


def _frac_matrix(M: Any) -> Matrix:
    arr = np.asarray(M, dtype=float)
    return [[Fraction(float(v)) for v in row] for row in arr]


def solve_exact(M: Matrix, rhs: list[Fraction]) -> list[Fraction] | None:
    """Unique solution of the (possibly over-determined) system ``M z = rhs``, or None.

    Gauss-Jordan elimination in rationals; None when the system is inconsistent
    or its solution is not unique (rank below the number of unknowns).

    >>> solve_exact([[Fraction(2), Fraction(0)], [Fraction(0), Fraction(4)]], [Fraction(1), Fraction(1)])
    [Fraction(1, 2), Fraction(1, 4)]
    """
    rows = [list(r) + [b] for r, b in zip(M, rhs)]
    ncols = len(M[0]) if M else 0
    piv_row = 0
    pivots: list[int] = []
    for c in range(ncols):
        p = next((r for r in range(piv_row, len(rows)) if rows[r][c] != 0), None)
        if p is None:
            return None  # a free variable: not unique
        rows[piv_row], rows[p] = rows[p], rows[piv_row]
        pv = rows[piv_row][c]
        rows[piv_row] = [v / pv for v in rows[piv_row]]
        for r in range(len(rows)):
            if r != piv_row and rows[r][c] != 0:
                f = rows[r][c]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[piv_row])]
        pivots.append(c)
        piv_row += 1
    for r in range(piv_row, len(rows)):
        if rows[r][-1] != 0:
            return None  # inconsistent
    return [rows[i][-1] for i in range(ncols)]


def _best_response_system(P: Matrix, strat_zero: list[int], tight: list[int], k: int) -> list[Fraction] | None:
    """Solve for a k-vector ``s`` and value ``v``: ``s_i = 0`` (i in strat_zero), ``(s^T P)_j = v``
    (j in tight), ``sum s = 1``. P is (k, l). Returns ``s + [v]`` or None."""
    eqs: Matrix = []
    rhs: list[Fraction] = []
    for i in strat_zero:
        eqs.append([Fraction(1) if t == i else Fraction(0) for t in range(k)] + [Fraction(0)])
        rhs.append(Fraction(0))
    for j in tight:
        eqs.append([P[t][j] for t in range(k)] + [Fraction(-1)])
        rhs.append(Fraction(0))
    eqs.append([Fraction(1)] * k + [Fraction(0)])
    rhs.append(Fraction(1))
    return solve_exact(eqs, rhs)


def certify(A: Any, B: Any, x: np.ndarray, y: np.ndarray, tol: float) -> tuple[bool, tuple[list[Fraction], list[Fraction]] | None]:
    """Exact certificate for the approximate equilibrium ``(x, y)``.

    The support of ``x`` is ``{i : x_i > tol}``, the column best responses to
    ``x`` are the columns within ``tol`` (relative to the payoff range) of the
    best; likewise for ``y``. Solving "x zero off its support, column payoffs
    equal on the best responses, sum 1" exactly gives a unique rational ``x``
    when the float point is a vertex; then the exact conditions are checked.
    Returns ``(True, (x_exact, y_exact))`` or ``(False, None)`` when the system
    is singular (a non-extreme point of a component) or the check fails.
    """
    Af, Bf = _frac_matrix(A), _frac_matrix(B)
    A_ = np.asarray(A, dtype=float)
    B_ = np.asarray(B, dtype=float)
    A_, B_ = A_ - A_.min(), B_ - B_.min()   # best responses found on offset-free payoffs (exact below)
    m, n = A_.shape
    span = max(float(np.ptp(A_)), float(np.ptp(B_)), 1e-300)
    colpay = x @ B_
    rowpay = A_ @ y
    col_br = [j for j in range(n) if colpay[j] >= colpay.max() - tol * span]
    row_br = [i for i in range(m) if rowpay[i] >= rowpay.max() - tol * span]
    x_zero = [i for i in range(m) if x[i] <= tol]
    y_zero = [j for j in range(n) if y[j] <= tol]
    sx = _best_response_system(Bf, x_zero, col_br, m)
    At = [[Af[i][j] for i in range(m)] for j in range(n)]  # A^T: (n, m)
    sy = _best_response_system(At, y_zero, row_br, n)
    if sx is None or sy is None:
        return False, None
    xe, ye = sx[:m], sy[:n]
    if any(v < 0 for v in xe) or any(v < 0 for v in ye):
        return False, None
    cp = [sum(xe[i] * Bf[i][j] for i in range(m)) for j in range(n)]
    rp = [sum(Af[i][j] * ye[j] for j in range(n)) for i in range(m)]
    vmax_c, vmax_r = max(cp), max(rp)
    ok = all(cp[j] == vmax_c for j in range(n) if ye[j] > 0) and all(rp[i] == vmax_r for i in range(m) if xe[i] > 0)
    return (True, (xe, ye)) if ok else (False, None)


def _vertices(cons: Matrix, rhs: list[Fraction], dim: int) -> list[tuple[tuple[Fraction, ...], frozenset[int]]]:
    k = len(cons)
    found: dict[tuple[Fraction, ...], frozenset[int]] = {}
    for subset in combinations(range(k), dim):
        sol = solve_exact([cons[i] for i in subset], [rhs[i] for i in subset])
        if sol is None:
            continue
        key = tuple(sol)
        if key in found:
            continue
        slack = [rhs[i] - sum(c * s for c, s in zip(cons[i], sol)) for i in range(k)]
        if any(v < 0 for v in slack):
            continue
        found[key] = frozenset(i for i in range(k) if slack[i] == 0)
    return list(found.items())


def exact_extreme_equilibria(A: Any, B: Any) -> list[tuple[tuple[Fraction, ...], tuple[Fraction, ...]]]:
    """All extreme equilibria in exact rationals, sorted; exhaustive over bases (small games only).

    Payoffs are shifted to be positive (by an integer-free exact shift:
    ``1 - min``), which does not change the equilibria.
    """
    Af, Bf = _frac_matrix(A), _frac_matrix(B)
    m, n = len(Af), len(Af[0])
    amin = min(min(r) for r in Af)
    bmin = min(min(r) for r in Bf)
    a = [[v - amin + 1 for v in r] for r in Af]
    b = [[v - bmin + 1 for v in r] for r in Bf]
    zero, one = Fraction(0), Fraction(1)
    p_cons = [[-one if t == i else zero for t in range(m)] for i in range(m)] + [[b[i][j] for i in range(m)] for j in range(n)]
    p_rhs = [zero] * m + [one] * n
    q_cons = [list(a[i]) for i in range(m)] + [[-one if t == j else zero for t in range(n)] for j in range(n)]
    q_rhs = [one] * m + [zero] * n
    full = frozenset(range(m + n))
    xs = [(v, lab) for v, lab in _vertices(p_cons, p_rhs, m) if any(v)]
    ys = [(v, lab) for v, lab in _vertices(q_cons, q_rhs, n) if any(v)]
    out = []
    for xv, xl in xs:
        for yv, yl in ys:
            if xl | yl == full:
                sx, sy = sum(xv), sum(yv)
                out.append((tuple(v / sx for v in xv), tuple(v / sy for v in yv)))
    return sorted(out)
