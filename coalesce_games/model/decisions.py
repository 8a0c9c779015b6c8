"""A batch of decisions against a market: the context, the candidates, the choice.

A :class:`DecisionContext` holds m tasks against n providers with every cost
already computed (Eq. 1-10); :func:`best_candidates` gathers, for each task,
the providers that pass the skill gate, are available and (with the cost test)
beat the internal cost, and scores them with TOPSIS in one compiled pass per
task. A :class:`Decision` records what each task did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numba
import numpy as np

from coalesce_games.model.costs import ExternalCost, InternalCost
from coalesce_games.model.criteria import BENEFIT
from coalesce_games.model.tasks import Tasks
from coalesce_games.model.topsis import score_group

__all__ = ['Decision', 'DecisionContext', 'Outcome', 'Policy', 'best_candidates', 'criteria_matrix', 'nth_usable', 'task_uniforms']


@dataclass(frozen=True)
class DecisionContext:
    """Everything a policy sees about one batch of m tasks and n providers.

    A batch may hold the tasks of several independent runs (markets with their
    own providers and clients) decided in lockstep: ``run`` (m,) gives each
    task's run, runs in order with each run's tasks contiguous; per-run
    quantities then carry a leading run axis (``available`` (R, n)) or are
    given per task ((m, n) ``reliability`` and ``security``). ``run=None`` is
    one run.

    ``pairs`` (E,), when given, lists the (task, provider) pairs whose
    criteria are known, as increasing flat indices ``task * n + provider``;
    ``external``'s arrays and ``reliability``/``security`` are then (E,), one
    entry per pair. It must hold every eligible pair: a market costs only
    those, about one pair in seven.

    ``uniforms`` (m, 2), when given, are each task's own random numbers for
    exploration: column 0 decides whether the task explores (``< epsilon``),
    column 1 which provider it tries (the ``floor(u x count)``-th of the usable
    ones). A market draws them per task when the task is drawn, so a decision
    needs no generator call; without them a policy draws them from ``rng``.
    """

    tasks: Tasks
    internal: InternalCost
    external: ExternalCost
    reliability: np.ndarray   # (n,) or (m, n): the client's estimates
    security: np.ndarray      # (n,) or (m, n)
    skill_score: np.ndarray   # (m, n)
    eligible: np.ndarray      # (m, n) bool: passes the skill gate
    available: np.ndarray     # (n,) or (R, n) bool: not blacklisted
    run: np.ndarray | None = None
    uniforms: np.ndarray | None = None   # (m, 2): exploration coin, which provider
    pairs: np.ndarray | None = None      # (E,): the pairs the criteria are given for

    def runs(self, count: int) -> list[slice]:
        """The slice of tasks of each of ``count`` runs."""
        m = self.skill_score.shape[0]
        if self.run is None:
            if count != 1:
                raise ValueError(f"a context without run indices holds one run; the policy has {count}")
            return [slice(0, m)]
        bounds = np.searchsorted(self.run, np.arange(count + 1))
        if bounds[-1] != m:
            raise ValueError(f"run indices must lie in 0..{count - 1} and be sorted")
        return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]

    def available_rows(self, tasks: Any) -> np.ndarray:
        """Availability for the tasks at ``tasks`` (a slice or indices): (n,) or (len, n)."""
        return self.available if self.available.ndim == 1 else self.available[self.run[tasks]]


@dataclass(frozen=True)
class Decision:
    """choice (m,) provider index or -1 (local); explored, closeness, confidence."""

    choice: np.ndarray
    explored: np.ndarray
    closeness: np.ndarray
    confidence: np.ndarray


@dataclass(frozen=True)
class Outcome:
    """What happened to each outsourced task (arrays of shape (k,)).

    ``run`` (k,) is each task's run in a batch of runs (None: one run) and
    ``price_index`` the market's price level per run (scalar or (R,)).
    """

    choice: np.ndarray
    success: np.ndarray
    incident: np.ndarray
    late: np.ndarray
    price_index: Any = 1.0
    run: np.ndarray | None = None


class Policy(Protocol):
    name: str
    runs: int

    def decide(self, ctx: DecisionContext, rng: Any) -> Decision: ...

    def observe(self, decision: Decision, outcome: Outcome) -> None: ...


def criteria_matrix(external: ExternalCost, reliability: Any, security: Any) -> np.ndarray:
    """The TOPSIS criteria (cost, reliability, latency, security) of every (task, provider), (m, n, 4).

    ``external`` holds (m, n) costs and latencies; ``reliability`` and
    ``security`` are per provider (n,) or per pair (m, n).
    """
    shape = np.shape(external.total)
    return np.stack([external.total, np.broadcast_to(reliability, shape),
                     external.latency_min, np.broadcast_to(security, shape)], axis=-1)


def _generators(rng: Any, count: int) -> list[np.random.Generator]:
    """One generator per run: ``rng`` is a Generator (one run) or a sequence of them."""
    gens = [rng] if isinstance(rng, np.random.Generator) else list(rng) if rng is not None else []
    if len(gens) != count or not all(isinstance(g, np.random.Generator) for g in gens):
        raise ValueError(f"rng must be {count} numpy Generator(s), one per run; got {rng!r}")
    return gens


def task_uniforms(ctx: DecisionContext, rng: Any, runs: int) -> np.ndarray:
    """The (m, 2) exploration uniforms of a batch: ``ctx.uniforms``, else drawn run by run from ``rng``."""
    m = ctx.skill_score.shape[0]
    if ctx.uniforms is not None:
        u = np.asarray(ctx.uniforms, float)
        if u.shape != (m, 2):
            raise ValueError(f"uniforms must have shape ({m}, 2); got {u.shape}")
        return u
    gens = _generators(rng, runs)
    return np.concatenate([gen.random((sl.stop - sl.start, 2)) for sl, gen in zip(ctx.runs(runs), gens)])


def nth_usable(usable: np.ndarray, u: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Per query i, the ``floor(u[i] count)``-th True column of row ``rows[i]`` of ``usable`` (-1 for an empty row).

    A uniform choice among a row's usable providers from one uniform per
    query. ``usable`` is (R, n); ``rows`` defaults to query i reading row i
    (a compiled pass reads the rows in place, without gathering them).

    >>> nth_usable(np.array([[True, False, True], [False, False, False]]), np.array([0.75, 0.3])).tolist()
    [2, -1]
    >>> nth_usable(np.array([[True, False, True]]), np.array([0.2, 0.75]), rows=np.array([0, 0])).tolist()
    [0, 2]
    """
    usable = np.asarray(usable, bool)
    if usable.ndim != 2:
        raise ValueError(f"usable must be a (rows, providers) matrix; got shape {usable.shape}")
    rows = np.arange(len(usable)) if rows is None else np.asarray(rows, np.int64)
    u = np.asarray(u, float)
    if u.shape != rows.shape or rows.ndim != 1 or (len(rows) and not 0 <= rows.min() <= rows.max() < len(usable)):
        raise ValueError(f"u and rows must be ({len(rows)},) with rows in 0..{len(usable) - 1}; got u {u.shape}, "
                         f"rows {rows.shape}")
    if len(u) and not (0 <= u.min() and u.max() <= 1):
        raise ValueError(f"u must hold uniforms in [0, 1]; got values from {u.min()} to {u.max()}")
    return _nth_true(usable, rows, u)


@numba.njit(cache=True, nogil=True)
def _nth_true(usable: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:  # pragma: no cover (compiled)
    pick = np.full(len(rows), -1, dtype=np.int64)
    for i in range(len(rows)):
        r, count = rows[i], 0
        for j in range(usable.shape[1]):
            count += usable[r, j]
        if count == 0:
            continue
        target, seen = min(math.floor(u[i] * count), count - 1), 0
        for j in range(usable.shape[1]):
            if usable[r, j]:
                if seen == target:
                    pick[i] = j
                    break
                seen += 1
    return pick


def best_candidates(ctx: DecisionContext, weights: np.ndarray, normalization: str,
                    cost_test: bool) -> tuple[np.ndarray, np.ndarray]:
    """TOPSIS-best usable provider per task: ``(pick, closeness)`` (-1 and 0 without one).

    A provider is usable for a task when it passes the skill gate and is
    available; with ``cost_test`` its external cost must also be below the
    task's internal cost. Only usable pairs are scored: a compiled pass per
    task gathers them (from (m, n) criteria, or from the pair list of
    ``ctx.pairs``) and :func:`topsis.score_group` ranks them. Every shape is
    checked here, as the compiled passes do not check indices.
    """
    m, n = ctx.skill_score.shape
    available = np.asarray(ctx.available, bool)
    if available.ndim == 1:
        available, run = _rows("available", available, (m, n), bool), np.zeros(m, np.int64)
    else:
        run = np.asarray(ctx.run, np.int64)
        if available.shape[1:] != (n,) or run.shape != (m,) or (m and not 0 <= run.min() <= run.max() < len(available)):
            raise ValueError(f"available (runs, {n}) and run ({m},) indices into it are needed; got "
                             f"{available.shape} and {run.shape}")
    internal, weights = np.asarray(ctx.internal.total, float), np.asarray(weights, float)
    if internal.shape != (m,) or weights.shape != (m, len(BENEFIT)):
        raise ValueError(f"internal costs ({m},) and weights ({m}, {len(BENEFIT)}) are needed; got "
                         f"{internal.shape} and {weights.shape}")
    eligible = _rows("eligible", ctx.eligible, (m, n), bool, per_provider=False)
    common = (available, run, internal, cost_test, weights, np.asarray(BENEFIT), normalization == "minmax")
    if ctx.pairs is not None:
        pairs = np.asarray(ctx.pairs, np.int64)
        criteria = [np.asarray(x, float) for x in (ctx.external.total, ctx.reliability, ctx.external.latency_min,
                                                   ctx.security)]
        if (pairs.ndim != 1 or any(x.shape != pairs.shape for x in criteria)
                or not _lists_every_eligible_pair(pairs, eligible.reshape(-1))):
            raise ValueError(f"pairs ({pairs.size}) must list every eligible pair once, in increasing order, and the "
                             f"criteria one value per pair; got external costs of shape {criteria[0].shape}")
        return _best_of_pair_list(pairs, *criteria, eligible.reshape(-1), *common)
    return _best_usable(_rows("external.total", ctx.external.total, (m, n), per_provider=False),
                        _rows("reliability", ctx.reliability, (m, n)),
                        _rows("external.latency_min", ctx.external.latency_min, (m, n), per_provider=False),
                        _rows("security", ctx.security, (m, n)), eligible, *common)


def _rows(name: str, x: Any, shape: tuple[int, int], dtype: Any = float, per_provider: bool = True) -> np.ndarray:
    """``x`` as (m, n) rows, or (1, n) for a per-provider array, with its shape checked."""
    m, n = shape
    x = np.asarray(x, dtype)
    if x.shape != (m, n) and not (per_provider and x.shape in ((n,), (1, n))):
        raise ValueError(f"{name} must have shape ({m}, {n})" + (f" or ({n},)" if per_provider else "")
                         + f"; got {x.shape}")
    return x.reshape(-1, n)


@numba.njit(cache=True, nogil=True)
def _lists_every_eligible_pair(pairs: np.ndarray, eligible: np.ndarray) -> bool:  # pragma: no cover (compiled)
    """Whether ``pairs`` are increasing flat indices into ``eligible`` that include every True entry."""
    listed = 0
    for p in range(len(pairs)):
        if pairs[p] < 0 or pairs[p] >= len(eligible) or (p and pairs[p] <= pairs[p - 1]):
            return False
        listed += eligible[pairs[p]]
    return listed == np.count_nonzero(eligible)


@numba.njit(cache=True, nogil=True)
def _best_of_pair_list(pairs: np.ndarray, total: np.ndarray, reliability: np.ndarray, latency: np.ndarray,
                       security: np.ndarray, eligible: np.ndarray, available: np.ndarray, run: np.ndarray,
                       internal: np.ndarray, cost_test: bool, weights: np.ndarray, benefit: np.ndarray,
                       minmax: bool) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """:func:`_best_usable` for criteria given per pair: ``pairs`` (E,) are increasing ``k * n + j``."""
    m, n = len(internal), available.shape[1]
    pick, closeness = np.full(m, -1, dtype=np.int64), np.zeros(m)
    values, cols, scratch = np.empty((4, n)), np.empty(n, dtype=np.int64), np.empty((3, 4))
    p = 0
    while p < len(pairs):
        k, count = pairs[p] // n, 0
        while p < len(pairs) and pairs[p] // n == k:
            j = pairs[p] - k * n
            if eligible[pairs[p]] and available[run[k], j] and (not cost_test or total[p] < internal[k]):
                values[0, count], values[1, count] = total[p], reliability[p]
                values[2, count], values[3, count] = latency[p], security[p]
                cols[count] = j
                count += 1
            p += 1
        if count:
            best, closeness[k] = score_group(values[:, :count], weights[k], benefit, minmax, scratch)
            pick[k] = cols[best]
    return pick, closeness


@numba.njit(cache=True, nogil=True)
def _best_usable(total: np.ndarray, reliability: np.ndarray, latency: np.ndarray, security: np.ndarray,
                 eligible: np.ndarray, available: np.ndarray, run: np.ndarray, internal: np.ndarray,
                 cost_test: bool, weights: np.ndarray, benefit: np.ndarray,
                 minmax: bool) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """Per task: gather the usable providers' four criteria, then score them (one pass over the row).

    ``reliability`` and ``security`` are (1, n) (per provider) or (m, n);
    ``available`` is (R, n), row ``run[k]`` for task k.
    """
    m, n = eligible.shape
    pick, closeness = np.full(m, -1, dtype=np.int64), np.zeros(m)
    values, cols, scratch = np.empty((4, n)), np.empty(n, dtype=np.int64), np.empty((3, 4))
    for k in range(m):
        r = run[k]
        kr, ks = min(k, reliability.shape[0] - 1), min(k, security.shape[0] - 1)   # per pair or per provider
        count = 0
        for j in range(n):
            if eligible[k, j] and available[r, j] and (not cost_test or total[k, j] < internal[k]):
                values[0, count], values[1, count] = total[k, j], reliability[kr, j]
                values[2, count], values[3, count] = latency[k, j], security[ks, j]
                cols[count] = j
                count += 1
        if count:
            best, closeness[k] = score_group(values[:, :count], weights[k], benefit, minmax, scratch)
            pick[k] = cols[best]
    return pick, closeness
