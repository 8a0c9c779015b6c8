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

import numpy as np

from ._validate import as_array, check_choice, check_weights

__all__ = ["topsis", "topsis_best", "best_of_pairs", "best", "NORMALIZATIONS"]

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
    w_rows = np.broadcast_to(w, (m, values.shape[-1]))[rows]
    return best_of_pairs(m, rows, cols, values[rows, cols], w_rows, flags, normalization)


def best_of_pairs(m: int, rows: np.ndarray, cols: np.ndarray, v: np.ndarray, w_rows: np.ndarray,
                  flags: np.ndarray, normalization: str = "vector") -> tuple[np.ndarray, np.ndarray]:
    """The kernel of :func:`topsis_best` on already-validated eligible pairs.

    ``rows`` must be sorted (each decision's pairs contiguous, as ``numpy.nonzero``
    returns them); ``v`` (E, C) holds the pairs' criteria and ``w_rows`` (E, C)
    their decisions' normalised weights. Callers that can compute the criteria
    of the eligible pairs directly skip building the full (m, M, C) tensor.
    """
    pick = np.full(m, -1)
    closeness = np.zeros(m)
    if rows.size == 0:
        return pick, closeness
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    present = rows[starts]
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(rows)]))
    hi = np.maximum.reduceat(v, starts, axis=0)[group]
    lo = np.minimum.reduceat(v, starts, axis=0)[group]
    if normalization == "vector":
        norm = np.sqrt(np.add.reduceat(v * v, starts, axis=0))[group]
        safe = np.where(norm > 0, norm, 1.0)
        scaled = v / safe * w_rows
        top, bottom = hi / safe * w_rows, lo / safe * w_rows
        ideal = np.where(flags, top, bottom)
        anti = np.where(flags, bottom, top)
    else:
        spread = hi - lo
        gain = np.where(flags, v - lo, hi - v)
        scaled = np.divide(gain, spread, out=np.zeros_like(v), where=spread > 0) * w_rows
        ideal = np.where(spread > 0, w_rows, 0.0)
        anti = np.zeros_like(v)
    d_plus = np.sqrt(((scaled - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((scaled - anti) ** 2).sum(axis=1))
    total = d_plus + d_minus
    close = np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)
    best_close = np.maximum.reduceat(close, starts)
    is_best = close >= best_close[group]
    # the first (lowest column) pair reaching its decision's maximum
    first = np.full(len(starts), np.iinfo(np.int64).max)
    np.minimum.at(first, group[is_best], np.flatnonzero(is_best))
    pick[present] = cols[first]
    closeness[present] = best_close
    return pick, closeness
    v = values[rows, cols]                                  # (E, C)
    w_rows = np.broadcast_to(w, (m, values.shape[-1]))[rows]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    present = rows[starts]
    hi = np.maximum.reduceat(v, starts, axis=0)[np.searchsorted(present, rows)]
    lo = np.minimum.reduceat(v, starts, axis=0)[np.searchsorted(present, rows)]
    if normalization == "vector":
        norm = np.sqrt(np.add.reduceat(v * v, starts, axis=0))[np.searchsorted(present, rows)]
        scaled = np.divide(v, norm, out=np.zeros_like(v), where=norm > 0) * w_rows
        top, bottom = hi / np.where(norm > 0, norm, 1.0) * w_rows, lo / np.where(norm > 0, norm, 1.0) * w_rows
        ideal = np.where(flags, top, bottom)
        anti = np.where(flags, bottom, top)
    else:
        spread = hi - lo
        gain = np.where(flags, v - lo, hi - v)
        scaled = np.divide(gain, spread, out=np.zeros_like(v), where=spread > 0) * w_rows
        ideal = np.where(spread > 0, w_rows, 0.0)
        anti = np.zeros_like(v)
    d_plus = np.sqrt(((scaled - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((scaled - anti) ** 2).sum(axis=1))
    total = d_plus + d_minus
    close = np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)
    best_close = np.maximum.reduceat(close, starts)
    is_best = close >= best_close[np.searchsorted(present, rows)]
    # first (lowest column) pair reaching its decision's maximum
    first = np.full(m, np.iinfo(np.int64).max)
    np.minimum.at(first, rows[is_best], np.flatnonzero(is_best))
    pick[present] = cols[first[present]]
    closeness[present] = best_close
    return pick, closeness
