"""Compiled (numba) kernels of the vertex enumeration: a lexicographic pivoting search and label matching.

The polytope is ``{u >= 0 : M u <= r}`` with ``r >= 0``, so the origin is a
vertex and the all-slack basis is feasible. In equality form ``M u + w = r``
a basis is a set of ``R`` basic variables among the ``C + R`` (``u`` then
``w``); its vertex sets the ``C`` nonbasic ones to zero.

Degeneracy is handled as in ``lrs`` (Avis 2000): the right-hand side is
perturbed to ``r + (eps, eps^2, ...)``, i.e. ratio-test ties are broken
lexicographically over the columns of the initial slack basis. The perturbed
polytope is simple, its vertices are the *lexicographically feasible* bases,
its graph is connected (Balinski), and every vertex of the unperturbed polytope
is the limit of at least one of them (the optimum of an objective that is
uniquely minimised at that vertex). A depth-first search over that graph,
with a hash set of visited bases, therefore reaches every vertex; moving down
is one pivot, moving back is the inverse pivot, and the tableau is refactored
from the input every ``_REFACTOR`` pivots so rounding cannot accumulate. Each
visited basis reports its point and its *full* label set (every variable
within ``tol`` of zero, basic or not); bases of one degenerate vertex share the
label set and are merged.

Masks are arrays of ``uint64`` words, so any number of labels is supported.
"""

from __future__ import annotations

import numba
import numpy as np

_PIV_TOL = 1e-11      # smallest entering-column entry accepted as a pivot (data scaled to [1, 2])
_TIE_TOL = 1e-12      # relative tolerance under which two ratios count as tied
_REFACTOR = 64        # pivots between refactorisations of the tableau from the input


@numba.njit(cache=True, nogil=True)
def _hash(key: np.ndarray) -> np.uint64:
    h = np.uint64(0x9E3779B97F4A7C15)
    for w in key:
        z = h ^ w
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        h = z ^ (z >> np.uint64(31))
    return h


@numba.njit(cache=True, nogil=True, inline="always")
def _slot(keys: np.ndarray, vals: np.ndarray, key: np.ndarray) -> int:
    """Slot holding ``key`` in the open-addressing table, or the empty slot where it would go."""
    cap = vals.shape[0]
    s = np.int64(_hash(key) & np.uint64(cap - 1))
    nw = key.shape[0]
    while vals[s] >= 0:
        same = True
        for t in range(nw):
            if keys[s, t] != key[t]:
                same = False
                break
        if same:
            return s
        s = (s + 1) & (cap - 1)
    return s


@numba.njit(cache=True, nogil=True)
def _grown(keys: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The table rehashed into twice the capacity."""
    cap = vals.shape[0] * 2
    nk = np.zeros((cap, keys.shape[1]), np.uint64)
    nv = np.full(cap, -1, np.int64)
    for s in range(vals.shape[0]):
        if vals[s] >= 0:
            t = _slot(nk, nv, keys[s])
            nk[t] = keys[s]
            nv[t] = vals[s]
    return nk, nv


@numba.njit(cache=True, nogil=True)
def _popcount(key: np.ndarray) -> int:
    c = 0
    for w in key:
        while w:
            w &= w - np.uint64(1)
            c += 1
    return c


@numba.njit(cache=True, nogil=True, inline="always")
def _flip(key: np.ndarray, bit: int) -> None:
    key[bit >> 6] ^= np.uint64(1) << np.uint64(bit & 63)


@numba.njit(cache=True, nogil=True)
def _pivot(T: np.ndarray, row: int, col: int) -> None:
    """Gauss-Jordan pivot on ``T[row, col]``, in place."""
    R, W = T.shape
    p = T[row, col]
    prow = T[row] / p
    prow[col] = 1.0
    T[row] = prow
    for i in range(R):
        f = T[i, col]
        if i != row and f != 0.0:
            ti = T[i]
            for c in range(W):
                ti[c] -= f * prow[c]
            ti[col] = 0.0


@numba.njit(cache=True, nogil=True)
def _lex_row(T: np.ndarray, col: int, first_slack: int) -> int:
    """Row of the lexicographic minimum ratio for entering column ``col`` (-1: unbounded).

    Compares ``(rhs, B^-1 columns) / T[i, col]`` over rows with a positive
    entry; ``first_slack`` is the column of the first initial slack.
    """
    R, W = T.shape
    K = W - 1
    best = -1
    for i in range(R):
        t = T[i, col]
        if t <= _PIV_TOL:
            continue
        if best < 0:
            best = i
            continue
        tb = T[best, col]
        for q in range(R + 1):
            c = K if q == 0 else first_slack + q - 1
            a = T[i, c] * tb  # ratios compared cross-multiplied (both pivots positive)
            b = T[best, c] * t
            gap = _TIE_TOL * max(t * tb, abs(a), abs(b))
            if a < b - gap:
                best = i
                break
            if a > b + gap:
                break
    return best


@numba.njit(cache=True, nogil=True)
def _refactor(T: np.ndarray, T0: np.ndarray, var_of: np.ndarray) -> None:
    """Recompute the tableau of the current basis from the input: ``T = B^-1 T0``."""
    Bm = np.ascontiguousarray(T0[:, var_of])
    T[:, :] = np.linalg.solve(Bm, T0)


@numba.njit(cache=True, nogil=True)
def _read_vertex(T: np.ndarray, var_of: np.ndarray, full: np.ndarray, lab: np.ndarray, tol: float,
                 values: np.ndarray, labels: np.ndarray) -> None:
    """The current basis's variable values and full label mask (every variable within ``tol`` of 0).

    Nonbasic variables are zero, so every label starts present (``full``) and
    is removed for each basic variable above ``tol``.
    """
    K = T.shape[1] - 1
    labels[:] = full
    values[:] = 0.0
    for r in range(T.shape[0]):
        v = var_of[r]
        val = T[r, K]
        values[v] = val
        if val > tol:
            _flip(labels, lab[v])


@numba.njit(cache=True, nogil=True)
def _record(point: np.ndarray, labels: np.ndarray, vk: np.ndarray, vv: np.ndarray, pts: np.ndarray,
            masks: np.ndarray, nv: int):
    """Store a vertex unless its label set is known; returns the (possibly grown) buffers and count.

    A vertex with exactly ``dim`` labels has a single basis, so it is met once:
    only degenerate vertices (more labels) go through the table of label sets.
    """
    if _popcount(labels) > point.shape[0]:
        s = _slot(vk, vv, labels)
        if vv[s] >= 0:
            return vk, vv, pts, masks, nv
        vk[s] = labels
        vv[s] = nv
        if 2 * (nv + 1) >= vv.shape[0]:
            vk, vv = _grown(vk, vv)
    if nv == pts.shape[0]:
        pts = np.concatenate((pts, np.empty_like(pts)))
        masks = np.concatenate((masks, np.empty_like(masks)))
    pts[nv] = point
    masks[nv] = labels
    return vk, vv, pts, masks, nv + 1


@numba.njit(cache=True, nogil=True, inline="always")
def _swap_basis(row_of: np.ndarray, var_of: np.ndarray, basis: np.ndarray, row: int, enter: int) -> int:
    """Bookkeeping of a pivot that brings ``enter`` into ``row``; returns the leaving variable."""
    leave = var_of[row]
    row_of[leave] = -1
    row_of[enter] = row
    var_of[row] = enter
    _flip(basis, leave)
    _flip(basis, enter)
    return leave


@numba.njit(cache=True, nogil=True)
def _slack_tableau(M: np.ndarray, r: np.ndarray):
    """Tableau ``[M | I | r]`` of the all-slack basis with its bookkeeping."""
    R, C = M.shape
    K = R + C
    T0 = np.zeros((R, K + 1))
    T0[:, :C] = M
    row_of = np.full(K, -1, np.int64)
    var_of = np.arange(C, K).astype(np.int64)
    basis = np.zeros((K + 63) // 64, np.uint64)
    for i in range(R):
        T0[i, C + i] = 1.0
        T0[i, K] = r[i]
        row_of[C + i] = i
        _flip(basis, C + i)
    return T0, row_of, var_of, basis


@numba.njit(cache=True, nogil=True, inline="always")
def _mark(bk: np.ndarray, bv: np.ndarray, basis: np.ndarray, enter: int, leave: int, nb: int):
    """Insert the basis after ``enter`` replaces ``leave`` unless seen; returns ``(bk, bv, nb, new)``."""
    _flip(basis, enter)
    _flip(basis, leave)
    s = _slot(bk, bv, basis)
    new = bv[s] < 0
    if new:
        bk[s] = basis
        bv[s] = nb
        nb += 1
    _flip(basis, enter)
    _flip(basis, leave)
    if new and 2 * nb >= bv.shape[0]:
        bk, bv = _grown(bk, bv)
    return bk, bv, nb, new


@numba.njit(cache=True, nogil=True, inline="always")
def _push(stack: np.ndarray, d: int, enter: int, leave: int) -> np.ndarray:
    """Frame ``d`` of the search: (entering, leaving, next edge to try), grown when full."""
    if d == stack.shape[0]:
        stack = np.concatenate((stack, np.empty_like(stack)))
    stack[d, 0] = enter
    stack[d, 1] = leave
    stack[d, 2] = 0
    return stack


@numba.njit(cache=True, nogil=True)
def enumerate_vertices(M: np.ndarray, r: np.ndarray, lab: np.ndarray, tol: float):
    """Every vertex of ``{u >= 0 : M u <= r}`` (``r >= 0``, bounded) with its full label mask.

    Variable ``v`` (``u`` first, then the slacks ``w``) carries label
    ``lab[v]``. Returns ``(points (V, C), masks (V, words) uint64, bases)``,
    vertices in order of discovery from the origin, ``bases`` the number of
    lexicographically feasible bases visited.
    """
    R, C = M.shape
    K = R + C
    T0, row_of, var_of, basis = _slack_tableau(M, r)
    T = T0.copy()
    nw = basis.shape[0]
    bk, bv, nb, _ = _mark(np.zeros((64, nw), np.uint64), np.full(64, -1, np.int64), basis, 0, 0, 0)
    vk = np.zeros((64, nw), np.uint64)
    vv = np.full(64, -1, np.int64)
    pts = np.empty((16, C))
    masks = np.empty((16, nw), np.uint64)
    values = np.empty(K)
    labels = np.empty(nw, np.uint64)
    full = np.zeros(nw, np.uint64)
    for v in range(K):
        _flip(full, lab[v])
    _read_vertex(T, var_of, full, lab, tol, values, labels)
    vk, vv, pts, masks, nv = _record(values[:C], labels, vk, vv, pts, masks, 0)
    stack = _push(np.empty((64, 3), np.int64), 0, -1, -1)
    d = 0
    since = 0
    while True:
        j = stack[d, 2]
        # skip basic variables, and the one that just left: entering it again leads back to the parent
        while j < K and (row_of[j] >= 0 or j == stack[d, 1]):
            j += 1
        if j >= K:  # every edge of this basis explored: step back with the inverse pivot
            if d == 0:
                break
            row = row_of[stack[d, 0]]
            _pivot(T, row, stack[d, 1])
            _swap_basis(row_of, var_of, basis, row, stack[d, 1])
            d -= 1
        else:
            stack[d, 2] = j + 1
            row = _lex_row(T, j, C)
            if row < 0:
                continue
            bk, bv, nb, new = _mark(bk, bv, basis, j, var_of[row], nb)
            if not new:
                continue
            _pivot(T, row, j)
            leave = _swap_basis(row_of, var_of, basis, row, j)
            d += 1
            stack = _push(stack, d, j, leave)
            _read_vertex(T, var_of, full, lab, tol, values, labels)
            vk, vv, pts, masks, nv = _record(values[:C], labels, vk, vv, pts, masks, nv)
        since += 1
        if since >= _REFACTOR:
            _refactor(T, T0, var_of)
            since = 0
    return pts[:nv].copy(), masks[:nv].copy(), nb


@numba.njit(cache=True, nogil=True)
def _covers(have: np.ndarray, need: np.ndarray) -> bool:
    for t in range(need.shape[0]):
        if have[t] & need[t] != need[t]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def match_labels(xm: np.ndarray, ym: np.ndarray, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs ``(a, b)`` with ``xm[a] | ym[b]`` holding every label ``0 .. m+n-1``, sorted.

    A nondegenerate x-vertex (``m`` labels) pairs only with the y-vertex whose
    labels are exactly the rest: a hash lookup. Supersets are searched only for
    degenerate vertices (more labels than the dimension), rare in generic games.
    """
    nx, nw = xm.shape
    ny = ym.shape[0]
    cap = 64
    while cap < 2 * ny + 2:
        cap *= 2
    yk = np.zeros((cap, nw), np.uint64)
    yv = np.full(cap, -1, np.int64)
    deg_y = []
    for b in range(ny):
        s = _slot(yk, yv, ym[b])
        yk[s] = ym[b]
        yv[s] = b
        if _popcount(ym[b]) > n:
            deg_y.append(b)
    full = np.zeros(nw, np.uint64)
    for t in range(m + n):
        _flip(full, t)
    need = np.empty(nw, np.uint64)
    keys = []
    for a in range(nx):
        for t in range(nw):
            need[t] = full[t] & ~xm[a, t]
        s = _slot(yk, yv, need)
        if yv[s] >= 0:
            keys.append(a * ny + yv[s])
        if _popcount(xm[a]) > m:
            for b in range(ny):
                if _covers(ym[b], need):
                    keys.append(a * ny + b)
        else:
            for b in deg_y:
                if _covers(ym[b], need):
                    keys.append(a * ny + b)
    arr = np.unique(np.array(keys, dtype=np.int64))
    return arr // max(ny, 1), arr % max(ny, 1)


@numba.njit(cache=True, nogil=True)
def mask_bits(masks: np.ndarray, width: int) -> np.ndarray:
    """The (V, words) uint64 masks as a (V, width) boolean matrix."""
    out = np.zeros((masks.shape[0], width), np.bool_)
    for v in range(masks.shape[0]):
        for t in range(width):
            out[v, t] = (masks[v, t >> 6] >> np.uint64(t & 63)) & np.uint64(1)
    return out


@numba.njit(cache=True, nogil=True)
def popcounts(masks: np.ndarray) -> np.ndarray:
    """Number of labels of each (V, words) mask row."""
    out = np.empty(masks.shape[0], np.int64)
    for v in range(masks.shape[0]):
        out[v] = _popcount(masks[v])
    return out
