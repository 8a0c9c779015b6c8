"""Positions within groups of consecutive equal keys (the tasks of one run).

A lockstep batch holds the tasks of several runs, each run's tasks together
and in order; a rule that looks at the tasks before it in its run (Eq. 15
over a batch: :func:`coalesce_games.policies.eq15_batch`) needs each task's
position within its run.

>>> rank_within(np.array([0, 0, 1, 1, 1, 3])).tolist()
[0, 1, 0, 1, 2, 0]
"""

from __future__ import annotations

import numpy as np

__all__ = ["rank_within"]


def rank_within(keys: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal consecutive ``keys`` (0 for the first)."""
    m = len(keys)
    if m == 0:
        return np.zeros(0, int)
    first = np.r_[True, keys[1:] != keys[:-1]]
    return np.arange(m) - np.maximum.accumulate(np.where(first, np.arange(m), 0))
