"""A batch of decisions against a market: the context, the candidates, the choice.

A :class:`DecisionContext` holds m tasks against n providers with every cost
already computed (Eq. 1-10). A compiled pass decides the tasks one by one with
the market's own steps: :func:`gather_candidates` lists a task's usable
providers with their four criteria, :func:`best_candidate` scores them with
TOPSIS (:func:`coalesce_games.model.topsis.score_group`), and
:func:`coalesce_games.model.rules.apply_rule` applies the policy's rule. A
:class:`Decision` records what each task did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numba
import numpy as np

from coalesce_games.model.costs import ExternalCost, InternalCost
from coalesce_games.model.criteria import BENEFIT
from coalesce_games.model.rules import (
    CoalesceRule,
    PaperRule,
    apply_rule,
    eq15_table,
    ring_from_history,
    ring_to_history,
)
from coalesce_games.model.tasks import Tasks
from coalesce_games.model.topsis import score_group

__all__ = ['BatchArrays', 'Decision', 'DecisionContext', 'Policy', 'Work', 'best_candidate', 'criteria_matrix',
           'decide_batch', 'gather_candidates', 'new_work', 'task_uniforms']


@dataclass(frozen=True)
class DecisionContext:
    """Everything a policy sees about one batch of m tasks and n providers.

    A batch may hold the tasks of several independent runs (markets with their
    own providers and clients) decided in lockstep: ``run`` (m,) gives each
    task's run, runs in order with each run's tasks contiguous; per-run
    quantities then carry a leading run axis (``available`` (R, n)) or are
    given per task ((m, n) ``reliability`` and ``security``). ``run=None`` is
    one run.

    ``uniforms`` (m, 2), when given, are each task's own random numbers for
    exploration: column 0 decides whether the task explores (``< epsilon``),
    column 1 which provider it tries (the ``floor(u x count)``-th of those it
    may try). Without them a policy draws them from ``rng``.
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


@dataclass(frozen=True)
class Decision:
    """choice (m,) provider index or -1 (local); explored, closeness, confidence."""

    choice: np.ndarray
    explored: np.ndarray
    closeness: np.ndarray
    confidence: np.ndarray


class Policy(Protocol):
    name: str
    runs: int

    def decide(self, ctx: DecisionContext, rng: Any) -> Decision: ...


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


class Work(NamedTuple):
    """Work space of a compiled pass that decides tasks against n providers."""

    values: np.ndarray      # (4, n): the candidates' criteria
    cols: np.ndarray        # (n,) int64: the candidates' providers
    scratch: np.ndarray     # (3, 4): TOPSIS's per-criterion scales


def new_work(n: int) -> Work:
    """:class:`Work` for up to ``n`` candidates."""
    return Work(np.empty((4, n)), np.empty(n, dtype=np.int64), np.empty((3, 4)))


@numba.njit(cache=True, nogil=True, inline="always")
def gather_candidates(listed: np.ndarray, n_listed: int, total: np.ndarray, reliability: np.ndarray,
                      latency: np.ndarray, security: np.ndarray, internal: float, cost_test: bool,
                      work: Work) -> int:  # pragma: no cover (compiled)
    """The candidates among the first ``n_listed`` providers ``listed``: with ``cost_test``, those whose
    external cost ``total[j]`` is below ``internal``. Their criteria (cost, reliability, latency, security,
    each read at the provider's index) go to ``work.values[:, :count]``, the providers to ``work.cols``.

    >>> work = new_work(3)
    >>> gather_candidates(np.array([0, 2]), 2, np.array([5.0, 9.0, 7.0]), np.full(3, 0.9), np.full(3, 10.0),
    ...                   np.full(3, 0.95), 6.0, True, work), work.cols[:1].tolist()   # 7 > 6: only provider 0
    (1, [0])
    """
    values, cols, count = work.values, work.cols, 0
    for e in range(n_listed):
        j = listed[e]
        if not cost_test or total[j] < internal:
            values[0, count], values[1, count] = total[j], reliability[j]
            values[2, count], values[3, count] = latency[j], security[j]
            cols[count] = j
            count += 1
    return count


@numba.njit(cache=True, nogil=True, inline="always")
def best_candidate(listed: np.ndarray, n_listed: int, total: np.ndarray, reliability: np.ndarray,
                   latency: np.ndarray, security: np.ndarray, internal: float, cost_test: bool, weights: np.ndarray,
                   benefit: np.ndarray, minmax: bool, work: Work) -> tuple[int, float]:  # pragma: no cover (compiled)
    """TOPSIS's best candidate (:func:`gather_candidates`, then :func:`score_group`) and its closeness;
    ``(-1, 0.0)`` without one."""
    count = gather_candidates(listed, n_listed, total, reliability, latency, security, internal, cost_test, work)
    if count == 0:
        return -1, 0.0
    best, top = score_group(work.values[:, :count], weights, benefit, minmax, work.scratch)
    return work.cols[best], top


class BatchArrays(NamedTuple):
    """A batch of decisions as the compiled pass reads it (:func:`decide_batch`)."""

    eligible: np.ndarray      # (m, n) bool
    available: np.ndarray     # (R, n) bool: run r's available providers
    run: np.ndarray           # (m,) int64
    total: np.ndarray         # (m, n) external cost
    reliability: np.ndarray   # (1, n) or (m, n)
    latency: np.ndarray       # (m, n)
    security: np.ndarray      # (1, n) or (m, n)
    internal: np.ndarray      # (m,)
    weights: np.ndarray       # (m, 4)
    uniforms: np.ndarray      # (m, 2)


def decide_batch(ctx: DecisionContext, weights: np.ndarray, uniforms: np.ndarray, paper: PaperRule | None,
                 coalesce: CoalesceRule | None, history: np.ndarray | None = None,
                 filled: np.ndarray | None = None) -> Decision:
    """Every task of ``ctx`` in order, under the published rule (``paper`` given, with each run's Eq. 15
    ``history`` (R, window) of ``filled[r]`` flags, oldest first, both updated) or ours (``coalesce``).

    Under the published rule TOPSIS ranks the eligible, available providers and
    exploration tries any available one; under ours TOPSIS ranks those whose
    external cost beats the task's internal cost, and exploration tries any
    eligible, available one. Every shape is checked here, as the compiled pass
    does not check indices.
    """
    arrays = _batch_arrays(ctx, weights, uniforms)
    m, n = arrays.eligible.shape
    is_paper = paper is not None
    if history is None:
        history, filled = np.zeros((len(arrays.available), 1), bool), np.zeros(len(arrays.available), np.int64)
    choice, explored = np.empty(m, dtype=np.int64), np.empty(m, dtype=bool)
    closeness, confidence = np.empty(m), np.empty(m)
    paper_rule = paper if is_paper else PaperRule(0.0, 0.0, 0.0, 0.0, 0.0, False, False, False, 1)
    coalesce_rule = coalesce if coalesce is not None else CoalesceRule(0.0, 0.0, False)
    lists, state = np.empty((2, n), dtype=np.int64), np.zeros((len(history), 3), dtype=np.int64)
    _decide_rows(arrays, is_paper, paper_rule, coalesce_rule, np.asarray(BENEFIT), eq15_table(history.shape[1]),
                 history, filled, state, lists, new_work(n), choice, explored, closeness, confidence)
    return Decision(choice, explored, closeness, confidence)


def _batch_arrays(ctx: DecisionContext, weights: np.ndarray, uniforms: np.ndarray) -> BatchArrays:
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
    return BatchArrays(_rows("eligible", ctx.eligible, (m, n), bool, per_provider=False), available, run,
                       _rows("external.total", ctx.external.total, (m, n), per_provider=False),
                       _rows("reliability", ctx.reliability, (m, n)),
                       _rows("external.latency_min", ctx.external.latency_min, (m, n), per_provider=False),
                       _rows("security", ctx.security, (m, n)), internal, weights, np.asarray(uniforms, float))


def _rows(name: str, x: Any, shape: tuple[int, int], dtype: Any = float, per_provider: bool = True) -> np.ndarray:
    """``x`` as (m, n) rows, or (1, n) for a per-provider array, with its shape checked."""
    m, n = shape
    x = np.asarray(x, dtype)
    if x.shape != (m, n) and not (per_provider and x.shape in ((n,), (1, n))):
        raise ValueError(f"{name} must have shape ({m}, {n})" + (f" or ({n},)" if per_provider else "")
                         + f"; got {x.shape}")
    return x.reshape(-1, n)


@numba.njit(cache=True, nogil=True, _nrt=False)
def _decide_rows(b: BatchArrays, is_paper: bool, paper: PaperRule, coalesce: CoalesceRule, benefit: np.ndarray,
                 table: np.ndarray, history: np.ndarray, filled: np.ndarray, state: np.ndarray, lists: np.ndarray,
                 work: Work, choice: np.ndarray, explored: np.ndarray, closeness: np.ndarray,
                 confidence: np.ndarray) -> None:  # pragma: no cover (compiled)
    """Task by task: list the usable (and, for the published rule, the available) providers, find TOPSIS's
    best (:func:`best_candidate`) and apply the rule (:func:`apply_rule`) with the run's Eq. 15 ring
    (``state`` (R, 3)). It allocates nothing (``lists`` (2, n) and ``work`` are work space), so it is compiled
    without reference counting, as the market's hours are."""
    m, n = b.eligible.shape
    for r in range(len(history)):
        ring_from_history(history[r], filled[r], state[r])
    usable, available = lists[0], lists[1]
    for k in range(m):
        r, n_usable, n_available = b.run[k], 0, 0
        for j in range(n):
            if b.available[r, j]:
                if is_paper:             # the published rule explores among every available provider
                    available[n_available] = j
                    n_available += 1
                if b.eligible[k, j]:
                    usable[n_usable] = j
                    n_usable += 1
        kr, ks = min(k, len(b.reliability) - 1), min(k, len(b.security) - 1)   # per pair or per provider
        pick, top = best_candidate(usable, n_usable, b.total[k], b.reliability[kr], b.latency[k], b.security[ks],
                                   b.internal[k], not is_paper, b.weights[k], benefit,
                                   paper.minmax if is_paper else coalesce.minmax, work)
        ring = r if is_paper else 0
        choice[k], closeness[k], confidence[k], explored[k] = apply_rule(
            is_paper, pick, top, b.uniforms[k, 0], b.uniforms[k, 1], available if is_paper else usable,
            n_available if is_paper else n_usable, history[ring], state[ring], table, paper, coalesce)
    for r in range(len(history)):
        filled[r] = ring_to_history(history[r], state[r])
