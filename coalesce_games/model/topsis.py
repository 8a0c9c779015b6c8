"""TOPSIS: ranking alternatives by their closeness to an ideal solution.

Hwang and Yoon (1981). Each alternative (a provider) is a row of criteria
values; after normalising each criterion and weighting it, the *ideal* takes the
best value of every criterion and the *anti-ideal* the worst. The closeness of
alternative i is ``D-_i / (D+_i + D-_i)``, with ``D+`` and ``D-`` its Euclidean
distances to the ideal and the anti-ideal. COALESCE (Bhatt et al. 2025,
arXiv:2506.01900, Sec. 4) ranks contractors on external cost, reliability,
latency and security with base weights 0.40/0.25/0.20/0.15.

Two normalisations are offered:

- ``"vector"`` (classic TOPSIS): ``x_ij / sqrt(sum_i x_ij^2)``. Scaling a
  criterion's column leaves the closeness unchanged.
- ``"minmax"`` (the published COALESCE code): ``(x - min) / (max - min)`` for
  benefit criteria and ``(max - x) / (max - min)`` for cost criteria, which
  turns every criterion into a benefit.

The matrix may carry leading batch axes (decisions x alternatives x criteria),
so one call scores many decisions, each with its own ideal and anti-ideal.

Documented edge cases (no NaN, no division warnings):

- A column that is constant among the eligible alternatives does not separate
  them: its normalised values are 0 under ``"minmax"`` and identical under
  ``"vector"``, so it adds nothing to either distance.
- When every alternative sits at the ideal and the anti-ideal at once
  (``D+ = D- = 0``: a single eligible candidate, or all eligible candidates
  tied on every criterion), the closeness is 0.5: the alternative is as near
  to the best as to the worst. The published code's rule "outsource when
  closeness > 0.6" can therefore never pick a lone candidate (PAPER_FACTS 7).
- Ineligible alternatives (``mask`` False) get closeness 0.0 and are excluded
  from the normalisation, the ideal and the anti-ideal. A decision with no
  eligible alternative gets all zeros; :func:`best` returns -1 for it.

>>> import numpy as np
>>> matrix = np.array([[250., 16., 12., 5.],
...                    [200., 16., 8., 3.],
...                    [300., 32., 16., 4.]])
>>> benefit = np.array([False, True, True, True])
>>> np.round(topsis(matrix, [0.25, 0.25, 0.25, 0.25], benefit), 4).tolist()
[0.4355, 0.2687, 0.6799]
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from coalesce_games.validation import as_array, check_choice, check_weights

__all__ = ['NORMALIZATIONS', 'best', 'best_of_columns', 'score_group', 'topsis', 'topsis_best']

NORMALIZATIONS = ("vector", "minmax")


def _check_inputs(matrix: Any, weights: Any, benefit: Any, mask: Any):
    values = as_array("matrix", matrix)
    if values.ndim < 2:
        raise ValueError(
            f"matrix must have shape (..., alternatives, criteria); got shape {values.shape}"
        )
    n_alt, n_crit = values.shape[-2:]
    if n_alt == 0:
        raise ValueError("matrix must hold at least one alternative; got 0 rows")
    if n_crit == 0:
        raise ValueError("matrix must hold at least one criterion; got 0 columns")
    flags = np.asarray(benefit)
    if flags.dtype != bool:
        raise TypeError(f"benefit must be an array of booleans; got dtype {flags.dtype}")
    if flags.shape != (n_crit,):
        raise ValueError(
            f"benefit must have one flag per criterion, shape ({n_crit},); got shape {flags.shape}"
        )
    w = check_weights("weights", weights, size=n_crit)
    try:
        np.broadcast_shapes(w.shape[:-1], values.shape[:-2])
    except ValueError as exc:
        raise ValueError(
            f"weights of shape {w.shape} do not broadcast against the matrix's batch axes "
            f"{values.shape[:-2]}"
        ) from exc
    if mask is None:
        eligible = np.ones(values.shape[:-1], dtype=bool)
    else:
        eligible = np.asarray(mask)
        if eligible.dtype != bool:
            raise TypeError(f"mask must be an array of booleans; got dtype {eligible.dtype}")
        if eligible.shape != values.shape[:-1]:
            try:
                eligible = np.broadcast_to(eligible, values.shape[:-1])
            except ValueError as exc:
                raise ValueError(
                    f"mask must have shape {values.shape[:-1]} (..., alternatives); "
                    f"got shape {np.asarray(mask).shape}"
                ) from exc
    return values, w, flags, eligible


def _normalise(values: np.ndarray, flags: np.ndarray, eligible: np.ndarray, how: str) -> np.ndarray:
    """Normalised criteria, oriented so that larger is better for ``minmax``."""
    keep = eligible[..., None]
    if how == "vector":
        squares = np.where(keep, values * values, 0.0)
        norm = np.sqrt(squares.sum(axis=-2, keepdims=True))
        safe = np.where(norm > 0, norm, 1.0)
        return np.where(keep, values / safe, 0.0)
    high = np.where(keep, values, -np.inf).max(axis=-2, keepdims=True)
    low = np.where(keep, values, np.inf).min(axis=-2, keepdims=True)
    spread = high - low
    has_spread = np.isfinite(spread) & (spread > 0)
    safe = np.where(has_spread, spread, 1.0)
    gain = np.where(flags, values - low, high - values)
    scaled = np.where(has_spread, gain / safe, 0.0)
    return np.where(keep, scaled, 0.0)


def topsis(
    matrix: Any,
    weights: Any,
    benefit: Any,
    normalization: str = "vector",
    mask: Any = None,
) -> np.ndarray:
    """Closeness to the ideal solution of every alternative, in ``[0, 1]``.

    Parameters
    ----------
    matrix
        Criteria values, shape ``(..., M, C)``: M alternatives, C criteria,
        any number of leading batch axes (one per decision).
    weights
        Non-negative criterion weights, shape ``(C,)`` or ``(..., C)``
        broadcasting against the batch axes; normalised to sum to one.
    benefit
        Boolean flags, shape ``(C,)``: True where larger is better
        (reliability, security), False for costs (price, latency).
    normalization
        ``"vector"`` (classic, default) or ``"minmax"`` (published code).
    mask
        Boolean, shape ``(..., M)``: True for eligible alternatives.

    Returns
    -------
    numpy.ndarray
        Closeness, shape ``(..., M)``; 0.0 for ineligible alternatives.

    Cheaper but less reliable: cost normalises to (0.447, 0.894) and
    reliability to (0.673, 0.740); the first alternative is far from the
    anti-ideal on the heavily separating cost axis.

    >>> topsis([[1.0, 0.9], [2.0, 0.99]], [0.5, 0.5], [False, True]).round(4).tolist()
    [0.8693, 0.1307]
    >>> topsis([[3.0, 1.0]], [1, 1], [False, True]).tolist()
    [0.5]
    """
    check_choice("normalization", normalization, NORMALIZATIONS)
    values, w, flags, eligible = _check_inputs(matrix, weights, benefit, mask)
    weighted = _normalise(values, flags, eligible, normalization) * w[..., None, :]
    keep = eligible[..., None]
    top = np.where(keep, weighted, -np.inf).max(axis=-2, keepdims=True)
    bottom = np.where(keep, weighted, np.inf).min(axis=-2, keepdims=True)
    if normalization == "vector":
        ideal = np.where(flags, top, bottom)
        anti = np.where(flags, bottom, top)
    else:  # min-max has already turned every criterion into a benefit
        ideal, anti = top, bottom
    any_eligible = eligible.any(axis=-1)[..., None, None]
    ideal = np.where(any_eligible, ideal, 0.0)
    anti = np.where(any_eligible, anti, 0.0)
    d_plus = np.sqrt(((weighted - ideal) ** 2).sum(axis=-1))
    d_minus = np.sqrt(((weighted - anti) ** 2).sum(axis=-1))
    total = d_plus + d_minus
    closeness = np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)
    return np.where(eligible, closeness, 0.0)


def best(closeness: Any, mask: Any = None) -> np.ndarray:
    """Index of the highest-closeness eligible alternative per decision, or -1.

    Ties go to the lowest index (``numpy.argmax``).

    >>> best([[0.2, 0.7, 0.7], [0.9, 0.1, 0.3]], [[True, True, True], [False, False, False]]).tolist()
    [1, -1]
    """
    scores = as_array("closeness", closeness)
    if scores.ndim < 1 or scores.shape[-1] == 0:
        raise ValueError(f"closeness must have at least one alternative; got shape {scores.shape}")
    if mask is None:
        eligible = np.ones(scores.shape, dtype=bool)
    else:
        eligible = np.asarray(mask)
        if eligible.dtype != bool or eligible.shape != scores.shape:
            raise ValueError(
                f"mask must be boolean with the shape of closeness {scores.shape}; "
                f"got {eligible.dtype} {eligible.shape}"
            )
    pick = np.where(eligible, scores, -np.inf).argmax(axis=-1)
    return np.where(eligible.any(axis=-1), pick, -1)


def topsis_best(matrix: Any, weights: Any, benefit: Any, mask: Any,
                normalization: str = "vector") -> tuple[np.ndarray, np.ndarray]:
    """Best eligible alternative and its closeness per decision, touching only eligible pairs.

    Equivalent to ``best(topsis(...), mask)`` for a (decisions, M, C) matrix,
    but works on the flat list of eligible (decision, alternative) pairs, so its
    cost follows the number of eligible pairs rather than decisions x M: the
    skill gate usually leaves a few of hundreds of providers. Ties go to the
    lowest index; a decision with no eligible alternative gets (-1, 0.0).

    >>> import numpy as np
    >>> m = np.array([[[1.0, 0.9], [2.0, 0.99]], [[5.0, 0.5], [1.0, 0.5]]])
    >>> idx, close = topsis_best(m, [0.5, 0.5], [False, True], np.array([[True, True], [True, False]]))
    >>> idx.tolist(), close.round(4).tolist()   # the second decision has a lone candidate
    ([0, 0], [0.8693, 0.5])
    """
    check_choice("normalization", normalization, NORMALIZATIONS)
    values, w, flags, eligible = _check_inputs(matrix, weights, benefit, mask)
    if values.ndim != 3:
        raise ValueError(f"matrix must have shape (decisions, alternatives, criteria); got {values.shape}")
    m = values.shape[0]
    rows, cols = np.nonzero(eligible)                       # row-major: each decision's pairs contiguous
    w = np.broadcast_to(w, (m, values.shape[-1]))
    return best_of_columns(eligible.sum(axis=-1), cols, [values[rows, cols, c] for c in range(values.shape[-1])],
                           w, flags, normalization)


def best_of_columns(counts: np.ndarray, cols: np.ndarray, columns: list[np.ndarray],
                    weights: np.ndarray, flags: Any, normalization: str = "vector") -> tuple[np.ndarray, np.ndarray]:
    """Best alternative per decision from the flat list of eligible (decision, alternative) pairs.

    The pairs are listed decision by decision: ``counts[k]`` (m,) pairs belong
    to decision k, ``cols`` (E,) are their alternatives in increasing order,
    ``columns[c]`` (E,) their values of criterion c; ``weights`` (m, C) holds
    each decision's normalised weights. Returns ``(pick, closeness)`` with
    ``pick = -1`` and closeness 0 for decisions without pairs.

    Both normalisations reduce to one form. With ``lo``/``hi`` the smallest
    and largest value of a criterion among a decision's candidates and a
    per-decision scale ``f`` (``w / ||x||`` for ``"vector"``, ``w / (hi - lo)``
    for ``"minmax"``, 0 for a constant column), the weighted distance of a
    candidate from the worst value is ``y = (x - lo) f`` and from the best
    ``S - y`` with ``S = (hi - lo) f``: ``D+`` sums ``(S - y)^2`` over benefit
    criteria and ``y^2`` over cost criteria, ``D-`` the other way round.
    Closeness falls with ``D+^2 / D-^2``, so candidates are ranked by that
    ratio (no square root per pair). The kernel is compiled (numba): it makes
    two passes over each decision's pairs where numpy needs about fourteen
    per criterion, which is what deciding 100,000 tasks x 200 providers in
    a tenth of a second takes (``benchmarks/decisions.py``).

    >>> import numpy as np
    >>> counts, cols = np.array([2, 1]), np.array([0, 1, 0])   # decision 0: alternatives 0, 1
    >>> cost, quality = np.array([1.0, 2.0, 5.0]), np.array([0.9, 0.99, 0.5])
    >>> pick, close = best_of_columns(counts, cols, [cost, quality], np.full((2, 2), 0.5), [False, True])
    >>> pick.tolist(), close.round(4).tolist()
    ([0, 0], [0.8693, 0.5])
    """
    m = len(counts)
    if len(cols) == 0:
        return np.full(m, -1), np.zeros(m)
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.zeros(m, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    values = np.ascontiguousarray(np.stack(columns), dtype=np.float64)
    benefit = np.ascontiguousarray(np.broadcast_to(flags, (len(columns),)), dtype=np.bool_)
    first, closeness = _best_of_groups(starts, counts, values, np.ascontiguousarray(weights, dtype=np.float64),
                                       benefit, normalization == "minmax")
    pick = np.full(m, -1)
    found = first >= 0
    pick[found] = np.asarray(cols)[first[found]]
    return pick, closeness


@numba.njit(cache=True, nogil=True)
def _best_of_groups(starts: np.ndarray, counts: np.ndarray, values: np.ndarray, weights: np.ndarray,
                    benefit: np.ndarray, minmax: bool) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """The compiled kernel of :func:`best_of_columns`: :func:`score_group` on each decision's pairs.

    Returns each decision's best pair position (-1 without pairs) and its closeness.
    """
    m = len(counts)
    first = np.full(m, -1, dtype=np.int64)
    closeness = np.zeros(m)
    scratch = np.empty((3, values.shape[0]))
    for k in range(m):
        if counts[k]:
            a = starts[k]
            best, closeness[k] = score_group(values[:, a:a + counts[k]], weights[k], benefit, minmax, scratch)
            first[k] = a + best
    return first, closeness


@numba.njit(cache=True, nogil=True)
def score_group(values: np.ndarray, weights: np.ndarray, benefit: np.ndarray, minmax: bool,
                scratch: np.ndarray) -> tuple[int, float]:  # pragma: no cover (compiled)
    """The best of one decision's candidates ``values`` (criteria x candidates) and its closeness.

    Pass one takes each criterion's ``lo``, ``hi`` (and, for vector
    normalisation, its sum of squares), giving the scale ``f`` and the products
    ``lo f`` and ``S = (hi - lo) f`` every candidate shares; pass two computes
    ``y = x f - lo f`` and ``S - y`` per
    criterion, sums ``D+^2`` and ``D-^2`` and keeps the first candidate with
    the smallest ``D+^2 / D-^2`` (0/0 and x/0 count as infinite). The
    closeness is ``D- / (D+ + D-)``, 0.5 when both are 0. ``scratch`` (3, C)
    is work space.
    """
    crit, count = values.shape
    lo_f, span_f, f = scratch[0], scratch[1], scratch[2]
    for c in range(crit):
        low, high = values[c, 0], values[c, 0]
        if minmax:
            for p in range(1, count):
                x = values[c, p]
                low, high = min(low, x), max(high, x)
            scale = high - low
        else:
            squares = 0.0
            for p in range(count):
                x = values[c, p]
                low, high, squares = min(low, x), max(high, x), squares + x * x
            scale = np.sqrt(squares)
        f[c] = weights[c] / scale if scale > 0 else 0.0
        lo_f[c], span_f[c] = low * f[c], (high - low) * f[c]     # the same products for every candidate
    best, best_ratio, best_plus, best_minus = 0, np.inf, 0.0, 0.0
    for p in range(count):
        plus, minus = 0.0, 0.0
        for c in range(crit):
            near = f[c] * values[c, p] - lo_f[c]
            far = span_f[c] - near
            if benefit[c]:
                plus, minus = plus + far * far, minus + near * near
            else:
                plus, minus = plus + near * near, minus + far * far
        ratio = plus / minus if minus > 0 else np.inf
        if ratio < best_ratio or p == 0:
            best, best_ratio, best_plus, best_minus = p, ratio, plus, minus
    total = np.sqrt(best_plus) + np.sqrt(best_minus)
    return best, (np.sqrt(best_minus) / total if total > 0 else 0.5)
