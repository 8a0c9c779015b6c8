"""Input validation shared by every layer above the solvers.

The generic checks (arrays, scalars, integers, probabilities, choices) are the
solvers' own (:mod:`coalesce_games.solvers._checks`, the bottom layer, which
imports nothing else of the package); this module re-exports them and adds the
checks of weights and seeds.

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
from collections.abc import Sequence
from typing import Any

import numpy as np

from coalesce_games.solvers._checks import (
    as_array,
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
    check_probability,
    check_scalar,
)

__all__ = ['SEED_MAX', 'as_array', 'check_bool', 'check_choice', 'check_int', 'check_nonnegative', 'check_positive',
           'check_probability', 'check_real', 'check_scalar', 'check_seed', 'check_seeds', 'check_sequence',
           'check_weights', 'make_rng']

#: the largest seed: seeds are stored in int64 columns of the run tables
SEED_MAX = 2**63 - 1


def check_weights(name: str, value: Any, *, size: int | None = None, normalise: bool = True) -> np.ndarray:
    """Non-negative, finite weights along the last axis, not all zero.

    Returns them normalised to sum to one along the last axis (unless
    ``normalise=False``).

    >>> check_weights("weights", [1, 1, 2]).tolist()
    [0.25, 0.25, 0.5]
    >>> check_weights("weights", [0, 0])
    Traceback (most recent call last):
    ...
    ValueError: weights must not be all zero; got [0.0, 0.0]
    """
    arr = check_nonnegative(name, value)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a vector of weights; got the scalar {arr.item()!r}")
    if size is not None and arr.shape[-1] != size:
        raise ValueError(f"{name} must have {size} entries on its last axis; got shape {arr.shape}")
    total = arr.sum(axis=-1, keepdims=True)
    if np.any(total == 0):
        shown = arr.tolist() if arr.ndim == 1 else f"an all-zero row in shape {arr.shape}"
        raise ValueError(f"{name} must not be all zero; got {shown}")
    return arr / total if normalise else arr


def check_real(name: str, value: Any) -> Any:
    """A real number's type: ``int``, ``float`` or a numpy real, never a bool or a string.

    The value is returned unchanged (an ``int`` stays an ``int``); ranges are
    the callers' (:func:`check_nonnegative`, :func:`check_probability`, ...).

    >>> check_real("epsilon", 0.5)
    0.5
    >>> check_real("epsilon", "0.5")
    Traceback (most recent call last):
    ...
    TypeError: epsilon must be a real number (int or float, not a bool or a string); got '0.5'
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (int or float, not a bool or a string); got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """A flag: ``True`` or ``False`` (a numpy bool too), never a number, a string or ``None``.

    ``"no"`` would otherwise switch a flag on (a non-empty string is truthy).

    >>> check_bool("resume", False)
    False
    >>> check_bool("resume", "no")
    Traceback (most recent call last):
    ...
    TypeError: resume must be True or False; got 'no'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_sequence(name: str, value: Any, *, what: str = "values") -> list:
    """A list or tuple (or 1-D array), never a string, a mapping or a set; returned as a list.

    A string would otherwise be read as its characters (``"paper"`` as
    ``p, a, p, e, r``) and a set in no reproducible order.

    >>> check_sequence("policy", ["paper"])
    ['paper']
    >>> check_sequence("policy", "paper")
    Traceback (most recent call last):
    ...
    TypeError: policy must be a list of values; got the str 'paper'
    """
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return value.tolist()
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of {what}; got the {type(value).__name__} {value!r}")
    return list(value)


def check_seed(name: str, value: Any) -> int:
    """One seed: an integer (not a bool, a float or a string) in ``[0, SEED_MAX]``.

    >>> check_seed("seed", 7)
    7
    >>> check_seed("seed", 2**64)
    Traceback (most recent call last):
    ...
    ValueError: seed must be in [0, 2**63 - 1]; got 18446744073709551616
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer in [0, 2**63 - 1] (not a bool, a float or a string); "
                        f"got {value!r}")
    if not 0 <= value <= SEED_MAX:
        raise ValueError(f"{name} must be in [0, 2**63 - 1]; got {value!r}")
    return int(value)


def check_seeds(name: str, value: Any) -> list[int]:
    """A non-empty list of seeds (each as :func:`check_seed`); a string is not a list of seeds.

    >>> check_seeds("seeds", range(3))
    [0, 1, 2]
    >>> check_seeds("seeds", "12")
    Traceback (most recent call last):
    ...
    TypeError: seeds must be a sequence of integer seeds, not a string; got '12'
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of integer seeds, not a string; got {value!r}")
    if isinstance(value, np.ndarray):
        value = value.tolist() if value.ndim == 1 else value
    if isinstance(value, range):
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of integer seeds; got {value!r}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return [check_seed(f"{name}[{i}]", s) for i, s in enumerate(value)]


def make_rng(seed: int | Sequence[int] | np.random.SeedSequence | np.random.Generator | None) -> np.random.Generator:
    """A ``numpy.random.Generator`` seeded through ``SeedSequence``.

    Equal seeds give bit-identical streams in any process. ``None`` is refused:
    every random result of the toolkit must be reproducible; so are strings
    (``"12"`` is not the seeds 1 and 2), floats and booleans.

    >>> float(make_rng(7).random()) == float(make_rng(7).random())
    True
    """
    if seed is None:
        raise ValueError("seed must be given (an int, a sequence of ints or a SeedSequence); got None")
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.Generator(np.random.PCG64(seed))
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(check_seed("seed", seed))))
    if isinstance(seed, (bool, np.bool_, str, bytes)) or not isinstance(seed, (Sequence, np.ndarray)):
        raise TypeError(f"seed must be an int, a sequence of ints, a SeedSequence or a Generator; got {seed!r}")
    entropy = check_seeds("seed", seed)
    if all(s <= _UINT32_MAX for s in entropy):
        # one uint32 word each, as SeedSequence splits them itself: the same entropy, coerced 2x faster
        entropy = np.array(entropy, dtype=np.uint32)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


_UINT32_MAX = 2**32 - 1
