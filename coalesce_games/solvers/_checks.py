"""The generic input checks: arrays, scalars, integers, probabilities, choices.

They live with the solvers, the bottom layer, so that the solvers import nothing
else of the package; :mod:`coalesce_games.validation` re-exports them for the
layers above.

Every public function of the toolkit checks its inputs through these helpers, so
that bad input always fails the same way: a ``ValueError`` (or ``TypeError`` for
the wrong kind of object) whose message names the argument and shows the bad
value. Nothing is clipped, dropped or defaulted silently.

>>> as_array("price", [1.0, 2.0]).tolist()
[1.0, 2.0]
>>> as_array("price", [1.0, float("nan")])
Traceback (most recent call last):
...
ValueError: price must be finite; got nan at index (1,)
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ['as_array', 'check_bool', 'check_choice', 'check_int', 'check_nonnegative', 'check_probability', 'check_scalar']


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _show(arr: np.ndarray, index: tuple[int, ...]) -> str:
    return repr(arr[index].item()) if arr.ndim else repr(arr.item())


def _refuse_non_numbers(name: str, value: Any, dtype: Any) -> None:
    """Strings, complex numbers and (unless ``dtype`` is ``bool``) booleans are not numbers.

    numpy would turn ``"1.5"`` into 1.5, ``True`` into 1.0 and drop the
    imaginary part of ``1+2j`` with only a warning; each is refused here, so
    that the value checked is the value used.
    """
    allow_bool = np.dtype(dtype).kind == "b"
    if isinstance(value, np.ndarray) and value.dtype.kind != "O":
        kinds = {value.dtype.kind}
    else:
        try:
            leaves = np.asarray(value, dtype=object).ravel().tolist()
        except ValueError:       # ragged: as_array's own conversion reports it
            return
        kinds = {_KIND.get(t, "") for t in set(map(type, leaves))}
        kinds |= {"U" for leaf in leaves if isinstance(leaf, (str, bytes))} if "" in kinds else set()
        kinds |= {"b" for leaf in leaves if isinstance(leaf, (bool, np.bool_))} if "" in kinds else set()
        kinds |= {"c" for leaf in leaves if isinstance(leaf, (complex, np.complexfloating))} if "" in kinds else set()
    for kind, what in (("U", "a string"), ("S", "a string"), ("c", "a complex number"), ("b", "a boolean")):
        if kind in kinds and not (kind == "b" and allow_bool):
            raise TypeError(f"{name} must hold real numbers, not {what}; got {_short(value)}")


_KIND = {str: "U", bytes: "S", bool: "b", np.bool_: "b", complex: "c", np.complex64: "c", np.complex128: "c",
         int: "i", float: "f", np.float64: "f", np.int64: "i"}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def as_array(
    name: str,
    value: Any,
    *,
    ndim: int | None = None,
    shape: Sequence[int | None] | None = None,
    dtype: Any = float,
    finite: bool = True,
) -> np.ndarray:
    """Convert ``value`` to an array, checking dimension, shape and finiteness.

    ``shape`` may hold ``None`` for a free axis. Booleans are accepted only when
    ``dtype`` is ``bool``.
    """
    _refuse_non_numbers(name, value, dtype)
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric array-like; got {value!r}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(
            want is not None and want != got for want, got in zip(shape, arr.shape)
        ):
            want_txt = tuple("*" if w is None else w for w in shape)
            raise ValueError(f"{name} must have shape {want_txt}; got {arr.shape}")
    if finite and arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            if arr.ndim == 0:
                raise ValueError(f"{name} must be finite; got {arr.item()!r}")
            idx = _first_bad(bad)
            raise ValueError(f"{name} must be finite; got {arr[idx].item()!r} at index {idx}")
    return arr


def _check_range(name: str, arr: np.ndarray, bad: np.ndarray, rule: str) -> None:
    if np.any(bad):
        if arr.ndim == 0:
            raise ValueError(f"{name} must be {rule}; got {arr.item()!r}")
        idx = _first_bad(bad)
        raise ValueError(f"{name} must be {rule}; got {arr[idx].item()!r} at index {idx}")


def check_nonnegative(name: str, value: Any, **kwargs: Any) -> np.ndarray:
    """Finite and ``>= 0`` (prices, latencies, costs, counts).

    >>> check_nonnegative("latency", -1.0)
    Traceback (most recent call last):
    ...
    ValueError: latency must be >= 0; got -1.0
    """
    arr = as_array(name, value, **kwargs)
    _check_range(name, arr, arr < 0, ">= 0")
    return arr


def check_probability(name: str, value: Any, **kwargs: Any) -> np.ndarray:
    """Finite and in ``[0, 1]`` (probabilities, similarities, shares).

    >>> check_probability("epsilon", 1.5)
    Traceback (most recent call last):
    ...
    ValueError: epsilon must be in [0, 1]; got 1.5
    """
    arr = as_array(name, value, **kwargs)
    _check_range(name, arr, (arr < 0) | (arr > 1), "in [0, 1]")
    return arr


def check_choice(name: str, value: Any, options: Iterable[Any]) -> Any:
    """``value`` must be one of ``options``.

    >>> check_choice("normalization", "l2", ("vector", "minmax"))
    Traceback (most recent call last):
    ...
    ValueError: normalization must be one of ['vector', 'minmax']; got 'l2'
    """
    opts = list(options)
    if value not in opts:
        raise ValueError(f"{name} must be one of {opts!r}; got {value!r}")
    return value


def check_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """An integer (not a bool), optionally ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}")
    return int(value)


def check_scalar(name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number in an interval; the message names the interval.

    >>> check_scalar("delta", 1.0, low=0, high=1, low_open=True, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: delta must be in (0, 1); got 1.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    x = float(value)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite; got {x!r}")
    below = low is not None and (x <= low if low_open else x < low)
    above = high is not None and (x >= high if high_open else x > high)
    if below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}; got {x!r}")
    return x


def check_bool(name: str, value: Any) -> bool:
    """A real ``bool`` (not 0/1, not a string).

    >>> check_bool("exact", "yes")
    Traceback (most recent call last):
    ...
    TypeError: exact must be a bool; got 'yes'
    """
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool; got {value!r}")
    return value
