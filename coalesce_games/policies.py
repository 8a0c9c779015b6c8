"""Outsourcing decision rules, deciding a whole batch of tasks in one call.

Two policies share one interface (:class:`Policy`): ``decide(ctx, rng)``
returns a :class:`Decision` for the m tasks of a :class:`DecisionContext`, and
``observe(decision, outcome)`` lets the policy learn.

:class:`PaperPolicy` is the published COALESCE rule (Bhatt et al. 2025,
arXiv:2506.01900, Sec. 4 and Eq. 15 as implemented in the authors' code):
min-max TOPSIS over the skill-eligible contractors; outsource to the best when
its closeness exceeds 0.6 *and* the Eq. 15 confidence exceeds 0.8; with
probability epsilon pick a contractor uniformly at random, ignoring the skill
gate, and record closeness 0.5 and confidence 0.7. It never compares internal
with external cost.

:class:`CoalescePolicy` (the default) keeps local execution in the comparison:
a provider is a candidate only when it passes the skill gate and its
risk-adjusted external cost beats the internal cost; TOPSIS (vector
normalisation) ranks the candidates with the dynamic weights of MODEL.md
section 4; with probability epsilon it explores a uniformly random *eligible*
provider (exploration confidence 0.7) and learns from what happens.

Market responsiveness ``beta`` (seed: 0.7) is the weight of the newest
observation: ``w_t = normalise((1 - beta) w_{t-1} + beta w_market(t))`` for
the criteria weights and ``x <- (1 - beta) x + beta x_observed`` for the
per-provider estimates of reliability, security and latency.

>>> eq15_confidence([True] * 20)          # p = 1: no doubt left
1.0
>>> round(eq15_confidence([True, False] * 10), 4)   # 1 - 1.96 * 2 * 0.5 / sqrt(20)
0.5617
>>> update_weights([0.4, 0.25, 0.2, 0.15], [0.25, 0.25, 0.25, 0.25], beta=0.7).round(3).tolist()
[0.295, 0.25, 0.235, 0.22]
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numba
import numpy as np

from . import data
from ._validate import as_array, check_choice, check_int, check_probability, check_scalar, check_weights
from .costs import ExternalCost, InternalCost
from .criteria import BENEFIT, Tasks
from .topsis import score_group

__all__ = [
    "DecisionContext",
    "Decision",
    "Outcome",
    "Policy",
    "PaperPolicy",
    "CoalescePolicy",
    "eq15_confidence",
    "eq15_table",
    "WeightFactors",
    "weight_factor_constants",
    "weight_factors_one",
    "update_weights",
    "market_weights",
    "task_weights",
    "make_policy",
    "best_candidates",
    "criteria_matrix",
    "task_uniforms",
    "nth_usable",
    "task_weight_factors",
    "PaperRule",
    "CoalesceRule",
    "paper_rule",
    "coalesce_rule",
    "weights_update",
]


def eq15_confidence(flags: Any, window: int = 50, min_decisions: int = 10, prior: float = 0.8) -> float:
    """Eq. 15: ``1 - 1.96 x 2 min(p, 1 - p) / sqrt(n)`` over the last n <= 50 flags.

    ``flags[k]`` is True when decision k had TOPSIS closeness > 0.7; ``p`` is
    their share. While fewer than ``min_decisions`` exist, the prior 0.8.
    """
    recent = np.asarray(list(flags)[-window:], dtype=bool)
    return float(_eq15(recent.sum(), recent.size, min_decisions, prior))


def _eq15(high: Any, seen: Any, min_decisions: int = 10, prior: float = 0.8) -> np.ndarray:
    """Eq. 15 from ``high`` flags among the last ``seen`` decisions (arrays broadcast)."""
    seen = np.asarray(seen)
    p = np.asarray(high) / np.maximum(seen, 1)
    doubt = 1.96 * 2 * np.minimum(p, 1 - p) / np.sqrt(np.maximum(seen, 1))
    return np.where(seen < min_decisions, prior, 1 - doubt)


def update_weights(previous: Any, market: Any, beta: float) -> np.ndarray:
    """``normalise((1 - beta) w_prev + beta w_market)`` (MODEL.md section 4)."""
    check_probability("beta", beta)
    w_prev = check_weights("previous", previous)
    w_mkt = check_weights("market", market)
    return check_weights("weights", (1 - beta) * w_prev + beta * w_mkt)


def market_weights(base: Any, pressure: Any) -> np.ndarray:
    """Criteria weights raised by observed market pressure: ``normalise(base (1 + pressure))``.

    ``pressure`` per criterion (cost, reliability, latency, security) is a
    non-negative signal: price index above 1, failure rate, share of late
    tasks, incident rate; leading axes (one row per run) broadcast.
    """
    w = check_weights("base", base, size=4)
    p = as_array("pressure", pressure)
    if p.ndim == 0 or p.shape[-1] != 4:
        raise ValueError(f"pressure must have 4 entries on its last axis; got shape {p.shape}")
    if (p < 0).any():
        raise ValueError(f"pressure must be >= 0; got {p.tolist()}")
    return check_weights("weights", w * (1 + p))


def task_weight_factors(tasks: Tasks, params: dict | None = None) -> np.ndarray:
    """Each task's multipliers of the four TOPSIS weights, shape (m, 4) (1 where none applies).

    Cost x1.2 when budget < 0.3 value; latency x1.3 when max latency < 30 min;
    security x1.4 for high data sensitivity.
    """
    k = weight_factor_constants(params)
    factors = np.ones((len(tasks), 4))
    factors[:, 0] = np.where(tasks.budget < k.cost_budget_share * tasks.value, k.cost_multiplier, 1.0)
    factors[:, 2] = np.where(tasks.max_latency < k.latency_urgent_min, k.latency_multiplier, 1.0)
    factors[:, 3] = np.where(tasks.sensitivity > k.high_sensitivity, k.security_multiplier, 1.0)
    return factors


class WeightFactors(NamedTuple):
    """The thresholds and multipliers of :func:`task_weight_factors`, for compiled code."""

    cost_budget_share: float
    cost_multiplier: float
    latency_urgent_min: float
    latency_multiplier: float
    high_sensitivity: float
    security_multiplier: float


def weight_factor_constants(params: dict | None = None) -> WeightFactors:
    """:func:`task_weight_factors`' constants from ``data/parameters.toml``."""
    d = (data.parameters_view() if params is None else params)["decision"]
    return WeightFactors(*(float(d[key]) for key in WeightFactors._fields))


@numba.njit(cache=True, nogil=True)
def weight_factors_one(budget: float, value: float, max_latency: float, sensitivity: float, k: WeightFactors,
                       out: np.ndarray) -> None:  # pragma: no cover (compiled)
    """One task's row of :func:`task_weight_factors` into ``out`` (4,), in compiled code (equal: tested).

    >>> out = np.empty(4)
    >>> weight_factors_one(50.0, 200.0, 20.0, 0.9, weight_factor_constants(), out)   # tight budget, urgent, sensitive
    >>> out.tolist()
    [1.2, 1.0, 1.3, 1.4]
    """
    out[0] = k.cost_multiplier if budget < k.cost_budget_share * value else 1.0
    out[1] = 1.0
    out[2] = k.latency_multiplier if max_latency < k.latency_urgent_min else 1.0
    out[3] = k.security_multiplier if sensitivity > k.high_sensitivity else 1.0


def task_weights(base: np.ndarray, tasks: Tasks, params: dict | None = None) -> np.ndarray:
    """Per-task TOPSIS weights with the paper's multipliers (:func:`task_weight_factors`), renormalised, (m, 4).

    ``base`` is (4,) or one row per task.
    """
    w = np.asarray(base, float) * task_weight_factors(tasks, params)
    return w / w.sum(axis=1, keepdims=True)


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


@functools.cache
def eq15_table(window: int) -> np.ndarray:
    """Eq. 15's confidence for every count of high flags and of flags seen, ``[high, seen]`` (read-only)."""
    table = _eq15(*np.ogrid[:window + 1, :window + 1])
    table.flags.writeable = False
    return table


class PaperRule(NamedTuple):
    """The published rule's parameters, for compiled code (:meth:`PaperPolicy.rule`)."""

    epsilon: float
    closeness_gate: float
    confidence_gate: float
    exploration_topsis: float
    exploration_confidence: float
    record_decision: bool       # PaperPolicy.record == "decision"
    scope_scored: bool          # PaperPolicy.scope == "scored"
    minmax: bool
    window: int


class CoalesceRule(NamedTuple):
    """The coalesce rule's parameters, for compiled code (:meth:`CoalescePolicy.rule`)."""

    epsilon: float
    exploration_confidence: float
    minmax: bool


#: a decision's flag in the Eq. 15 history is high above this closeness (PAPER_FACTS 3)
HIGH_CLOSENESS = 0.7


@numba.njit(cache=True, nogil=True)
def paper_rule(pick: int, top: float, tried: int, ring: np.ndarray, state: np.ndarray, table: np.ndarray,
               rule: PaperRule) -> tuple[int, float, float]:  # pragma: no cover (compiled)
    """One task under the published rule: ``(choice, closeness, confidence)``.

    ``pick`` and ``top`` are TOPSIS's best usable provider (-1 for none) and
    its closeness; ``tried`` is the provider an epsilon draw explores (-1 when
    the task does not explore). An explored task records closeness 0.5 and
    confidence 0.7; otherwise the task goes out when its closeness exceeds
    0.6 and the Eq. 15 confidence of the run's history exceeds 0.8. The
    history (``ring`` of ``rule.window`` flags, ``state`` = [next slot,
    flags held, high flags]; ``table[high, held]`` is Eq. 15) receives the
    task's flag when the rule's scope includes the task: with scope
    "scored" (the published code) only tasks that reached TOPSIS, neither
    explored nor without a candidate (confidence 1.0). The flag is the
    decision's (outsourced with closeness > 0.7) or, with ``record_decision``
    False, the closeness's alone.

    >>> rule, ring, state = PaperPolicy().rule(), np.zeros(50, bool), np.zeros(3, np.int64)
    >>> paper_rule(2, 0.9, -1, ring, state, eq15_table(50), rule)  # fewer than 10 flags: 0.8, not above 0.8
    (-1, 0.9, 0.8)
    >>> state.tolist()                       # one flag held, low: the task stayed local
    [1, 1, 0]
    >>> paper_rule(-1, 0.0, 4, ring, state, eq15_table(50), rule)  # explored: 0.5 and 0.7, outside the history
    (4, 0.5, 0.7)
    >>> state.tolist()
    [1, 1, 0]
    """
    explore = tried >= 0
    closeness = rule.exploration_topsis if explore else top
    wants = pick >= 0 and top > rule.closeness_gate
    confidence = 1.0
    if not rule.scope_scored or (not explore and pick >= 0):
        confidence = table[state[2], state[1]]
        if rule.record_decision:
            flag = closeness > HIGH_CLOSENESS and (explore or (wants and confidence > rule.confidence_gate))
        else:
            flag = closeness > HIGH_CLOSENESS
        _eq15_push(ring, state, flag)
    if explore:
        return tried, closeness, rule.exploration_confidence
    return (pick if wants and confidence > rule.confidence_gate else -1), closeness, confidence


@numba.njit(cache=True, nogil=True)
def _eq15_push(ring: np.ndarray, state: np.ndarray, flag: bool) -> None:  # pragma: no cover (compiled)
    """Append ``flag`` to an Eq. 15 history held as a ring (``state``: next slot, flags held, high flags)."""
    slot = state[0]
    state[2] += np.int64(flag) - np.int64(ring[slot])      # an empty slot holds False
    ring[slot] = flag
    state[0] = (slot + 1) % len(ring)
    state[1] = min(state[1] + 1, len(ring))


@numba.njit(cache=True, nogil=True)
def _paper_decisions(pick: np.ndarray, top: np.ndarray, tried: np.ndarray, run: np.ndarray, history: np.ndarray,
                     filled: np.ndarray, table: np.ndarray,
                     rule: PaperRule) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """:func:`paper_rule` for a batch of tasks in task order; ``history`` (R, window) holds each run's
    last ``filled[r]`` flags oldest first and is updated in place, as is ``filled``.

    Within the call each history is a ring (the next slot is the oldest once
    full), rotated back to oldest first at the end.
    """
    runs, window = history.shape
    state = np.zeros((runs, 3), dtype=np.int64)
    for r in range(runs):
        state[r, 0], state[r, 1] = filled[r] % window, filled[r]
        for i in range(window):
            state[r, 2] += history[r, i]
    choice, closeness, confidence = np.empty(len(run), dtype=np.int64), np.empty(len(run)), np.empty(len(run))
    for k in range(len(run)):
        r = run[k]
        choice[k], closeness[k], confidence[k] = paper_rule(pick[k], top[k], tried[k], history[r], state[r], table,
                                                            rule)
    for r in range(runs):
        filled[r] = state[r, 1]
        if filled[r] == window and state[r, 0]:                 # oldest first again: the oldest is at the slot
            history[r] = np.concatenate((history[r, state[r, 0]:], history[r, :state[r, 0]]))
    return choice, closeness, confidence


@numba.njit(cache=True, nogil=True)
def coalesce_rule(pick: int, tried: int, rule: CoalesceRule) -> tuple[int, float]:  # pragma: no cover (compiled)
    """One task under the coalesce rule: ``(choice, confidence)``: the explored eligible provider
    (confidence 0.7) or TOPSIS's best among those that beat local execution (1.0; local 0.0)."""
    if tried >= 0:
        return tried, rule.exploration_confidence
    return pick, (1.0 if pick >= 0 else 0.0)


@numba.njit(cache=True, nogil=True)
def _normalised(w: np.ndarray) -> np.ndarray:  # pragma: no cover (compiled)
    return w / (((w[0] + w[1]) + w[2]) + w[3])       # numpy's order of summing four weights


@numba.njit(cache=True, nogil=True)
def weights_update(current: np.ndarray, base: np.ndarray, price_index: float, success_share: float,
                   late_share: float, incident_share: float, beta: float) -> None:  # pragma: no cover (compiled)
    """:meth:`CoalescePolicy.observe` for one run in compiled code, updating ``current`` in place.

    ``w <- normalise((1 - beta) w + beta normalise(base (1 + pressure)))``
    with pressure (price index above 1, failure rate, late share, incident
    share), operation for operation as :func:`update_weights` of
    :func:`market_weights` computes it (tested equal).
    """
    pressure = np.array([max(price_index - 1.0, 0.0), 1.0 - success_share, late_share, incident_share])
    market = _normalised(_normalised(_normalised(base) * (1 + pressure)))
    current[:] = _normalised((1 - beta) * _normalised(current) + beta * market)


@dataclass
class PaperPolicy:
    """The published rule: closeness > 0.6 and Eq. 15 confidence > 0.8, else local.

    ``runs`` independent copies of the rule (one per run of a batch decided together),
    each with its own Eq. 15 history of the last 50 flags.

    ``record`` says what a decision adds to that history (PAPER_FACTS 3 and 7):
    ``"closeness"``, whether the best candidate's closeness exceeded 0.7,
    whatever was done; or ``"decision"``, whether the task was outsourced with
    a recorded closeness above 0.7 (a task kept local records nothing above
    0.7). With ``"closeness"`` the flags are a property of the market and the
    gate has no feedback; with ``"decision"`` outsourcing raises the share of
    high flags until the gate closes, and keeping tasks local lowers it until
    it opens again: the limit cycle the published outsourcing rate is
    reported to be.

    ``scope`` says which tasks add to it. ``"scored"`` (the published code):
    only tasks that reach TOPSIS, neither explored nor without an eligible
    candidate; the published ``DecisionEngine.make_decision`` returns from
    those two branches before it appends to ``decision_history``
    (mbhatt1/COALESCE, ``src/decision/decision_engine.py``), and reports
    confidence 1.0 for a task with no eligible candidate. ``"every_task"``:
    every task adds its flag (explored tasks their recorded 0.5), the reading
    of Eq. 15 as "the last 50 decisions".
    """

    epsilon: float = 0.1
    closeness_gate: float = 0.6
    confidence_gate: float = 0.8
    exploration_topsis: float = 0.5
    exploration_confidence: float = 0.7
    normalization: str = "minmax"
    weights: tuple[float, ...] = (0.40, 0.25, 0.20, 0.15)
    runs: int = 1
    record: str = "decision"
    scope: str = "scored"
    name: str = "paper"
    window: int = 50
    history: np.ndarray = field(init=False, repr=False)
    filled: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for key in ("epsilon", "closeness_gate", "confidence_gate", "exploration_topsis",
                    "exploration_confidence"):
            check_probability(key, getattr(self, key))
        check_choice("normalization", self.normalization, ("vector", "minmax"))
        check_weights("weights", self.weights, size=4)
        check_int("runs", self.runs, minimum=1)
        check_choice("record", self.record, ("closeness", "decision"))
        check_choice("scope", self.scope, ("scored", "every_task"))
        self.history = np.zeros((self.runs, self.window), bool)
        self.filled = np.zeros(self.runs, int)

    def rule(self) -> PaperRule:
        """The parameters :func:`paper_rule` reads."""
        return PaperRule(self.epsilon, self.closeness_gate, self.confidence_gate, self.exploration_topsis,
                         self.exploration_confidence, self.record == "decision", self.scope == "scored",
                         self.normalization == "minmax", self.window)

    def decide(self, ctx: DecisionContext, rng: Any) -> Decision:
        """TOPSIS over the usable providers, then the rule task by task (:func:`paper_rule`).

        The confidence of task k depends on the flags of the tasks before it in
        its run, as in the published loop; a compiled pass walks the tasks in
        order, each run's history held as a ring (:func:`_paper_decisions`).
        """
        m, n = ctx.skill_score.shape
        u = task_uniforms(ctx, rng, self.runs)
        weights = task_weights(np.asarray(self.weights), ctx.tasks)
        pick, top = best_candidates(ctx, weights, self.normalization, cost_test=False)
        # exploration ignores the skill gate: a uniformly random available provider
        tries = np.flatnonzero(u[:, 0] < self.epsilon)
        tried = np.full(m, -1, dtype=np.int64)
        run = np.zeros(m, np.int64) if ctx.run is None else np.asarray(ctx.run, np.int64)
        tried[tries] = nth_usable(np.asarray(ctx.available, bool).reshape(-1, n), u[tries, 1], run[tries])
        choice, closeness, confidence = _paper_decisions(pick, top, tried, run, self.history, self.filled,
                                                         eq15_table(self.window), self.rule())
        return Decision(choice, tried >= 0, closeness, confidence)

    def observe(self, decision: Decision, outcome: Outcome) -> None:
        """The published rule does not learn from outcomes."""


@dataclass
class CoalescePolicy:
    """Local execution as an alternative, risk-adjusted cost test, epsilon-greedy, beta learning.

    ``runs`` independent copies (one per run of a batch decided together), each with
    its own criteria weights ``current[r]``.
    """

    epsilon: float = 0.1
    beta: float = 0.7
    exploration_confidence: float = 0.7
    normalization: str = "vector"
    weights: tuple[float, ...] = (0.40, 0.25, 0.20, 0.15)
    security_weight: float = 1.0
    runs: int = 1
    name: str = "coalesce"
    current: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        check_probability("epsilon", self.epsilon)
        check_probability("beta", self.beta)
        check_probability("exploration_confidence", self.exploration_confidence)
        check_choice("normalization", self.normalization, ("vector", "minmax"))
        check_scalar("security_weight", self.security_weight, low=0)
        check_int("runs", self.runs, minimum=1)
        self.current = np.tile(check_weights("weights", self._base(), size=4), (self.runs, 1))

    def rule(self) -> CoalesceRule:
        """The parameters :func:`coalesce_rule` reads."""
        return CoalesceRule(self.epsilon, self.exploration_confidence, self.normalization == "minmax")

    def base_weights(self) -> np.ndarray:
        """The criteria weights before any market pressure: the published base, security x ``security_weight``."""
        return self._base()

    def _base(self) -> np.ndarray:
        base = np.array(self.weights, float)
        base[3] *= self.security_weight
        return base

    def decide(self, ctx: DecisionContext, rng: Any) -> Decision:
        m = ctx.skill_score.shape[0]
        u = task_uniforms(ctx, rng, self.runs)
        run = np.zeros(m, int) if ctx.run is None else ctx.run
        weights = task_weights(self.current[run], ctx.tasks)
        pick, closeness = best_candidates(ctx, weights, self.normalization, cost_test=True)
        confidence = np.where(pick >= 0, 1.0, 0.0)
        choice = pick.copy()
        # epsilon-greedy among skill-eligible providers (the cost test is waived to learn)
        tried = np.flatnonzero(u[:, 0] < self.epsilon)
        tried_pick = nth_usable(ctx.eligible[tried] & ctx.available_rows(tried), u[tried, 1])
        tried = tried[tried_pick >= 0]
        choice[tried] = tried_pick[tried_pick >= 0]
        explore = np.zeros(m, bool)
        explore[tried] = True
        confidence = np.where(explore, self.exploration_confidence, confidence)
        return Decision(choice, explore, closeness, confidence)

    def observe(self, decision: Decision, outcome: Outcome) -> None:
        """Raise the weight of criteria under market pressure (MODEL.md section 4), run by run."""
        out = outcome.choice >= 0
        run = np.zeros(len(out), int) if outcome.run is None else np.asarray(outcome.run)
        count = np.bincount(run[out], minlength=self.runs)
        seen = count > 0
        if not seen.any():
            return
        share = lambda flags: np.bincount(run[out], flags[out].astype(float), minlength=self.runs)[seen] / count[seen]
        price_index = np.broadcast_to(np.asarray(outcome.price_index, float), (self.runs,))[seen]
        pressure = np.stack([np.maximum(price_index - 1.0, 0.0), 1.0 - share(outcome.success),
                             share(outcome.late), share(outcome.incident)], axis=1)
        self.current[seen] = update_weights(self.current[seen], market_weights(self._base(), pressure), self.beta)


def make_policy(name: str, **params: Any) -> Policy:
    """``"paper"`` or ``"coalesce"`` with its parameters."""
    check_choice("policy", name, ("paper", "coalesce"))
    return PaperPolicy(**params) if name == "paper" else CoalescePolicy(**params)
