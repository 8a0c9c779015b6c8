"""TOPSIS: ranking alternatives by their closeness to an ideal solution (``papers/model.md``, section 4.3).

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

The scoring is written once, in compiled code, for one decision's candidates:
:func:`column_scales` (each criterion's scale and extremes) and
:func:`distances` (a candidate's squared distances to the ideal and the
anti-ideal). :func:`topsis` runs them over every decision of a batch;
:func:`score_group` finds one decision's best candidate with them, as the
market's compiled hours and the policies do. Vector normalisation stays exact
at extreme scales: a column whose largest magnitude lies outside
``2^-500 .. 2^500`` is scaled by a power of two before it is squared.

Documented edge cases (no NaN, no division warnings):

- A column that is constant among the eligible alternatives does not separate
  them: its normalised values are 0 under ``"minmax"`` and identical under
  ``"vector"``, so it adds nothing to either distance.
- When every alternative sits at the ideal and the anti-ideal at once
  (``D+ = D- = 0``: a single eligible candidate, or all eligible candidates
  tied on every criterion), the closeness is 0.5: the alternative is as near
  to the best as to the worst. The published code's rule "outsource when
  closeness > 0.6" can therefore never pick a lone candidate.
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

import math
from typing import Any

import numba
import numpy as np

from coalesce_games.validation import as_array, check_choice, check_weights

__all__ = ['NORMALIZATIONS', 'best', 'closeness_of', 'column_scales', 'distances', 'score_group', 'topsis']

NORMALIZATIONS = ("vector", "minmax")

#: vector normalisation squares a column as it is when its largest magnitude lies in this range, and scales
#: it by a power of two first otherwise (exactly the same numbers inside the range, no overflow or underflow
#: outside it)
_SAFE_LOW, _SAFE_HIGH = 2.0 ** -500, 2.0 ** 500


def _criterion_flags(benefit: Any, n_crit: int) -> np.ndarray:
    """Booleans (True: larger is better), or pymcdm's criterion types (+1 benefit, -1 cost), as booleans."""
    flags = np.asarray(benefit)
    if flags.shape != (n_crit,):
        raise ValueError(
            f"benefit must have one flag per criterion, shape ({n_crit},); got shape {flags.shape}"
        )
    if flags.dtype == bool:
        return flags
    if not np.issubdtype(flags.dtype, np.number):
        raise TypeError(f"benefit must be booleans or criterion types +1/-1; got dtype {flags.dtype}")
    if not np.isin(flags, (1, -1)).all():
        raise ValueError(f"benefit must be booleans or pymcdm's criterion types, +1 (benefit) or -1 (cost); "
                         f"got {flags.tolist()}")
    return flags == 1


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
    flags = _criterion_flags(benefit, n_crit)
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
        Shape ``(C,)``: booleans, True where larger is better (reliability,
        security) and False for costs (price, latency); or pymcdm's criterion
        types, +1 for a benefit and -1 for a cost.
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
    >>> topsis([[1.0, 0.9], [2.0, 0.99]], [0.5, 0.5], [-1, 1]).round(4).tolist()   # pymcdm's types
    [0.8693, 0.1307]
    >>> topsis([[3.0, 1.0]], [1, 1], [False, True]).tolist()
    [0.5]
    """
    check_choice("normalization", normalization, NORMALIZATIONS)
    values, w, flags, eligible = _check_inputs(matrix, weights, benefit, mask)
    (n_alt, n_crit), batch = values.shape[-2:], np.broadcast_shapes(w.shape[:-1], values.shape[:-2])
    rows = np.ascontiguousarray(np.broadcast_to(values, batch + (n_alt, n_crit)).reshape(-1, n_alt, n_crit))
    out = np.zeros(rows.shape[:2])
    _closeness_rows(rows, np.ascontiguousarray(np.broadcast_to(w, batch + (n_crit,)).reshape(-1, n_crit)),
                    np.ascontiguousarray(flags), np.ascontiguousarray(np.broadcast_to(eligible, batch + (n_alt,))
                                                                      .reshape(-1, n_alt)),
                    normalization == "minmax", out)
    return out.reshape(batch + (n_alt,))


@numba.njit(cache=True, nogil=True)
def _closeness_rows(values: np.ndarray, weights: np.ndarray, benefit: np.ndarray, eligible: np.ndarray,
                    minmax: bool, out: np.ndarray) -> None:  # pragma: no cover (compiled)
    """Every decision's eligible alternatives gathered as (criteria, candidates) and scored (:func:`topsis`)."""
    n_alt, n_crit = values.shape[1:]
    group, cols, scratch = np.empty((n_crit, n_alt)), np.empty(n_alt, dtype=np.int64), np.empty((3, n_crit))
    for b in range(values.shape[0]):
        count = 0
        for i in range(n_alt):
            if eligible[b, i]:
                group[:, count] = values[b, i]
                cols[count] = i
                count += 1
        if count:
            column_scales(group[:, :count], weights[b], minmax, scratch[0], scratch[1], scratch[2])
            for p in range(count):
                plus, minus = distances(group, p, benefit, scratch[0], scratch[1], scratch[2])
                out[b, cols[p]] = closeness_of(plus, minus)


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


@numba.njit(cache=True, nogil=True, inline="always")
def column_scales(values: np.ndarray, weights: np.ndarray, minmax: bool, lo_f: np.ndarray, span_f: np.ndarray,
                  f: np.ndarray) -> None:  # pragma: no cover (compiled)
    """Pass one over a decision's candidates ``values`` (criteria x candidates), into ``lo_f``, ``span_f``, ``f``.

    Both normalisations reduce to one form. With ``lo``/``hi`` a criterion's
    smallest and largest value among the candidates and a scale ``f``
    (``w / ||x||`` for ``"vector"``, ``w / (hi - lo)`` for ``"minmax"``, 0 for
    a constant column), a candidate's weighted distance from the worst value is
    ``y = x f - lo f`` and from the best ``S - y`` with ``S = (hi - lo) f``.
    ``lo f``, ``S`` and ``f`` are the products every candidate shares.

    >>> scratch = np.empty((3, 1))
    >>> column_scales(np.array([[3.0, 4.0]]), np.array([1.0]), False, *scratch)   # ||(3, 4)|| = 5
    >>> scratch[:, 0].tolist()
    [0.6000000000000001, 0.2, 0.2]
    """
    for c in range(values.shape[0]):
        low, high = values[c, 0], values[c, 0]
        if minmax:
            for p in range(1, values.shape[1]):
                x = values[c, p]
                low, high = min(low, x), max(high, x)
            f[c] = weights[c] / (high - low) if high - low > 0 else 0.0
        else:
            squares = 0.0
            for p in range(values.shape[1]):
                x = values[c, p]
                low, high, squares = min(low, x), max(high, x), squares + x * x
            scale = np.sqrt(squares)
            f[c] = weights[c] / scale if scale > 0 else 0.0
            largest = max(-low, high)
            if not _SAFE_LOW < largest < _SAFE_HIGH:
                f[c] = _scaled_weight(values[c], weights[c], largest)
        lo_f[c], span_f[c] = low * f[c], (high - low) * f[c]


@numba.njit(cache=True, nogil=True)
def _scaled_weight(row: np.ndarray, weight: float, largest: float) -> float:  # pragma: no cover (compiled)
    """``weight / ||row||`` for a row of extreme magnitude: the row is scaled by ``2^-e`` (exact), ``e`` the
    binary exponent of its largest magnitude, before it is squared, and the quotient scaled back."""
    if largest == 0 or not math.isfinite(largest):
        return 0.0
    e = math.frexp(largest)[1]
    squares = 0.0
    for x in row:
        y = math.ldexp(x, -e)
        squares += y * y
    return math.ldexp(weight / np.sqrt(squares), -e)


@numba.njit(cache=True, nogil=True, inline="always")
def distances(values: np.ndarray, p: int, benefit: np.ndarray, lo_f: np.ndarray, span_f: np.ndarray,
              f: np.ndarray) -> tuple[float, float]:  # pragma: no cover (compiled)
    """Candidate ``p``'s squared distances ``(D+^2, D-^2)`` to the ideal and the anti-ideal, from the scales
    :func:`column_scales` computed: ``D+`` sums ``(S - y)^2`` over benefit criteria and ``y^2`` over cost
    criteria, ``D-`` the other way round."""
    plus, minus = 0.0, 0.0
    for c in range(len(benefit)):
        near = f[c] * values[c, p] - lo_f[c]
        far = span_f[c] - near
        if benefit[c]:
            plus, minus = plus + far * far, minus + near * near
        else:
            plus, minus = plus + near * near, minus + far * far
    return plus, minus


@numba.njit(cache=True, nogil=True, inline="always")
def closeness_of(plus: float, minus: float) -> float:  # pragma: no cover (compiled)
    """``D- / (D+ + D-)`` from the squared distances; 0.5 when both are 0.

    >>> closeness_of(1.0, 9.0)          # 3 / (1 + 3)
    0.75
    """
    total = np.sqrt(plus) + np.sqrt(minus)
    return np.sqrt(minus) / total if total > 0 else 0.5


@numba.njit(cache=True, nogil=True, inline="always")
def score_group(values: np.ndarray, weights: np.ndarray, benefit: np.ndarray, minmax: bool,
                scratch: np.ndarray) -> tuple[int, float]:  # pragma: no cover (compiled)
    """The best of one decision's candidates ``values`` (criteria x candidates) and its closeness.

    :func:`column_scales`, then per candidate :func:`distances`; closeness
    falls with ``D+^2 / D-^2``, so the first candidate with the smallest ratio
    wins (0/0 and x/0 count as infinite; no square root per candidate).
    ``scratch`` (3, C) is work space.

    >>> score_group(np.array([[1.0, 2.0], [0.9, 0.99]]), np.array([0.5, 0.5]), np.array([False, True]), False,
    ...             np.empty((3, 2)))[0]              # the cheaper one: as topsis ranks them
    0
    """
    lo_f, span_f, f = scratch[0], scratch[1], scratch[2]
    column_scales(values, weights, minmax, lo_f, span_f, f)
    best, best_ratio, best_plus, best_minus = 0, np.inf, 0.0, 0.0
    for p in range(values.shape[1]):
        plus, minus = distances(values, p, benefit, lo_f, span_f, f)
        ratio = plus / minus if minus > 0 else np.inf
        if ratio < best_ratio or p == 0:
            best, best_ratio, best_plus, best_minus = p, ratio, plus, minus
    return best, closeness_of(best_plus, best_minus)
