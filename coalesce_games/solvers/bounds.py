"""Size bounds: how large a problem each dynamics or evolution method takes before it refuses.

Several methods do work, or allocate memory, in proportion to a number the
caller chooses: time steps, iterations, a population size, the number of
states of a Markov chain. A typo (``steps=10**12``) would otherwise end in a
``MemoryError`` from deep inside numpy or in a run that never finishes. Each
such method first computes an *estimate* of that number, and when it is over
the method's bound raises a ``ValueError`` naming the estimate, the bound and
what to change, before allocating anything (issue 15, ``papers/model.md``
section 6.7).

The bounds are generous for real use; the defaults are far below them:

* :data:`MAX_STEPS` (1,000,000 time points) for the closed-form or ODE
  replicator paths of :mod:`coalesce_games.solvers.learning` (default 200): a
  trajectory of a million rows per strategy, about 8 MB a column, under a second
  for a 2x2 game;
* :data:`MAX_RK_STEPS` (100,000) for :func:`~coalesce_games.solvers.evolution.role_replicator`
  (default 500), whose every step evaluates the payoff table four times
  (about 0.4 ms a step for a two-strategy table: under a minute);
* :data:`MAX_ITERATIONS` (1,000,000) for fictitious play (default 500; about
  45 us an iteration for a 2x2 game in nashpy, under a minute);
* :data:`MAX_FIXATION_TERMS` (10,000,000 fitness differences held at once,
  80 MB of doubles per array) for the invasion paths of
  :func:`~coalesce_games.solvers.evolution.fixation_distribution` (strategies
  squared times ``population_size - 1``) and
  :func:`~coalesce_games.solvers.evolution.alpha_rank` (mutations times
  ``m - 1``): populations of 100,000 for 10 strategies;
* :data:`MAX_STATES` (4,096) for the dense Markov chains of alpha-Rank (pure
  profiles) and fixation (strategies): a 128 MB transition matrix, solved in
  seconds;
* :data:`MAX_PROFILE_ENTRIES` (10,000,000 entries, rows times strategies) for
  :func:`~coalesce_games.solvers.evolution.count_profiles`: 10 agents over 12
  strategies is 352,716 rows, 4.2 million entries;
* :data:`MAX_OWN_COUNTS` (100,000,000 entries, 800 MB of int64) for the table of
  a :class:`~coalesce_games.solvers.evolution.RoleGame` that counts, per
  profile and strategy, the other agents of the role (profiles times strategies
  squared): 10 agents over 12 strategies is 51 million;
* :data:`MAX_PIVOTS` (10**9) for the Lemke-Howson restart budgets (default
  2,000,000), so that every budget fits the compiled schedule's 64-bit integers.

>>> check_size("steps", 200, MAX_STEPS)
200
>>> check_size("steps", 10**12, MAX_STEPS, "use a coarser grid")
Traceback (most recent call last):
...
ValueError: steps must be at most 1,000,000; got 1,000,000,000,000 (use a coarser grid)
"""

from __future__ import annotations

import math

__all__ = ['MAX_FIXATION_TERMS', 'MAX_ITERATIONS', 'MAX_OWN_COUNTS', 'MAX_PIVOTS', 'MAX_PROFILE_ENTRIES',
           'MAX_RK_STEPS', 'MAX_STATES', 'MAX_STEPS', 'binomial_estimate', 'check_size']

MAX_STEPS = 1_000_000
MAX_RK_STEPS = 100_000
MAX_ITERATIONS = 1_000_000
MAX_FIXATION_TERMS = 10_000_000
MAX_STATES = 4_096
MAX_PROFILE_ENTRIES = 10_000_000
MAX_OWN_COUNTS = 100_000_000
MAX_PIVOTS = 1_000_000_000


def check_size(what: str, estimate: float, bound: int, hint: str = "") -> float:
    """``estimate`` itself if at most ``bound``, else a ValueError naming both (and ``hint``, what to do).

    An estimate too large to count exactly may be given as a float (shown as a power of ten).
    """
    if estimate > bound:
        shown = (f"{round(estimate):,}" if estimate < 1e30 else
                 f"about 10^{math.log10(estimate):.0f}" if math.isfinite(estimate) else "over 10^300")
        raise ValueError(f"{what} must be at most {bound:,}; got {shown}" + (f" ({hint})" if hint else ""))
    return estimate


def binomial_estimate(n: int, k: int) -> float:
    """``C(n, k)``: exact (an int) when it is below 10^17, else a float estimate from ``lgamma`` (at most
    ~1e304), which costs nothing however large ``n`` and ``k`` are (the exact ``C(10^12, 10^6)`` takes long).

    >>> binomial_estimate(5, 2), binomial_estimate(10**12, 10**6) > 1e300
    (10, True)
    """
    log_c = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return math.comb(n, k) if log_c < 39 else math.exp(min(log_c, 700.0))
