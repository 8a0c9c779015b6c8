"""Positions within groups of consecutive equal keys (tasks of one run, of one client).

The market and the policies process batches whose rows are sorted by a group
key (a run, a client) and must respect the order inside each group; passing
over the rank within the group vectorises such sequential rules across groups.

>>> rank_within(np.array([0, 0, 1, 1, 1, 3])).tolist()
[0, 1, 0, 1, 2, 0]
"""

from __future__ import annotations

import numpy as np

__all__ = ["rank_within", "last_of_group"]


def rank_within(keys: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal consecutive ``keys`` (0 for the first)."""
    m = len(keys)
    if m == 0:
        return np.zeros(0, int)
    first = np.r_[True, keys[1:] != keys[:-1]]
    return np.arange(m) - np.maximum.accumulate(np.where(first, np.arange(m), 0))


def last_of_group(keys: np.ndarray) -> np.ndarray:
    """True at the last element of each run of equal consecutive ``keys``.

    >>> last_of_group(np.array([0, 0, 1, 3, 3])).tolist()
    [False, True, True, False, True]
    """
    return np.r_[keys[1:] != keys[:-1], True] if len(keys) else np.zeros(0, bool)
