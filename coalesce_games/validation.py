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

__all__ = ['as_array', 'check_choice', 'check_int', 'check_nonnegative', 'check_positive', 'check_probability',
           'check_scalar', 'check_weights', 'make_rng']


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


def make_rng(seed: int | Sequence[int] | np.random.SeedSequence | np.random.Generator | None) -> np.random.Generator:
    """A ``numpy.random.Generator`` seeded through ``SeedSequence``.

    Equal seeds give bit-identical streams in any process. ``None`` is refused:
    every random result of the toolkit must be reproducible.

    >>> float(make_rng(7).random()) == float(make_rng(7).random())
    True
    """
    if seed is None:
        raise ValueError("seed must be given (an int, a sequence of ints or a SeedSequence); got None")
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.Generator(np.random.PCG64(seed))
    if isinstance(seed, bool):
        raise TypeError(f"seed must be an int or a sequence of ints; got {seed!r}")
    if isinstance(seed, numbers.Integral):
        if seed < 0:
            raise ValueError(f"seed must be >= 0; got {seed!r}")
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed))))
    try:
        entropy = [int(s) for s in seed]
    except TypeError as exc:
        raise TypeError(f"seed must be an int or a sequence of ints; got {seed!r}") from exc
    if any(s < 0 for s in entropy):
        raise ValueError(f"seed entries must be >= 0; got {seed!r}")
    if all(s <= _UINT32_MAX for s in entropy):
        # one uint32 word each, as SeedSequence splits them itself: the same entropy, coerced 2x faster
        entropy = np.array(entropy, dtype=np.uint32)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


_UINT32_MAX = 2**32 - 1
