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

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from . import data
from ._validate import as_array, check_choice, check_probability, check_scalar, check_weights, make_rng
from .costs import ExternalCost, InternalCost
from .criteria import BENEFIT, Tasks
from .topsis import best_of_columns

__all__ = [
    "DecisionContext",
    "Decision",
    "Outcome",
    "Policy",
    "PaperPolicy",
    "CoalescePolicy",
    "eq15_confidence",
    "update_weights",
    "market_weights",
    "task_weights",
    "make_policy",
    "best_candidates",
]


def eq15_confidence(flags: Any, window: int = 50, min_decisions: int = 10, prior: float = 0.8) -> float:
    """Eq. 15: ``1 - 1.96 x 2 min(p, 1 - p) / sqrt(n)`` over the last n <= 50 flags.

    ``flags[k]`` is True when decision k had TOPSIS closeness > 0.7; ``p`` is
    their share. While fewer than ``min_decisions`` exist, the prior 0.8.
    """
    recent = np.asarray(list(flags)[-window:], dtype=bool)
    n = recent.size
    if n < min_decisions:
        return prior
    p = recent.mean()
    return float(1 - 1.96 * 2 * min(p, 1 - p) / np.sqrt(n))


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
    tasks, incident rate.
    """
    w = check_weights("base", base, size=4)
    p = as_array("pressure", pressure, shape=(4,))
    if (p < 0).any():
        raise ValueError(f"pressure must be >= 0; got {p.tolist()}")
    return check_weights("weights", w * (1 + p))


def task_weights(base: np.ndarray, tasks: Tasks, params: dict | None = None) -> np.ndarray:
    """Per-task TOPSIS weights with the paper's multipliers, shape (m, 4).

    Cost x1.2 when budget < 0.3 value; latency x1.3 when max latency < 30 min;
    security x1.4 for high data sensitivity; then renormalised.
    """
    d = (data.parameters_view() if params is None else params)["decision"]
    w = np.broadcast_to(np.asarray(base, float), (len(tasks), 4)).copy()
    w[:, 0] *= np.where(tasks.budget < d["cost_budget_share"] * tasks.value, d["cost_multiplier"], 1.0)
    w[:, 2] *= np.where(tasks.max_latency < d["latency_urgent_min"], d["latency_multiplier"], 1.0)
    w[:, 3] *= np.where(tasks.sensitivity > d["high_sensitivity"], d["security_multiplier"], 1.0)
    return w / w.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class DecisionContext:
    """Everything a policy sees about one batch of m tasks and n providers."""

    tasks: Tasks
    internal: InternalCost
    external: ExternalCost
    reliability: np.ndarray   # (n,) client's estimates
    security: np.ndarray      # (n,)
    skill_score: np.ndarray   # (m, n)
    eligible: np.ndarray      # (m, n) bool: passes the skill gate
    available: np.ndarray     # (n,) bool: not blacklisted


@dataclass(frozen=True)
class Decision:
    """choice (m,) provider index or -1 (local); explored, closeness, confidence."""

    choice: np.ndarray
    explored: np.ndarray
    closeness: np.ndarray
    confidence: np.ndarray


@dataclass(frozen=True)
class Outcome:
    """What happened to each decided task (arrays of shape (m,))."""

    choice: np.ndarray
    success: np.ndarray
    incident: np.ndarray
    late: np.ndarray
    price_index: float = 1.0


class Policy(Protocol):
    name: str

    def decide(self, ctx: DecisionContext, rng: np.random.Generator) -> Decision: ...

    def observe(self, decision: Decision, outcome: Outcome) -> None: ...


def _criteria_matrix(ctx: DecisionContext) -> np.ndarray:
    m, n = ctx.skill_score.shape
    return np.stack([ctx.external.total,
                     np.broadcast_to(ctx.reliability, (m, n)),
                     ctx.external.latency_min,
                     np.broadcast_to(ctx.security, (m, n))], axis=-1)


#: pairs (tasks x providers) per chunk of a batch: small enough for the working set to stay in cache
CHUNK_PAIRS = 1 << 18


def _per_provider(values: np.ndarray, sl: slice, flat: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Gather a criterion that is per provider (n,) or per pair (m, n)."""
    values = np.asarray(values)
    return values[cols] if values.ndim == 1 else values[sl].reshape(-1)[flat]


def best_candidates(ctx: DecisionContext, weights: np.ndarray, normalization: str,
                    cost_test: bool) -> tuple[np.ndarray, np.ndarray]:
    """TOPSIS-best usable provider per task: ``(pick, closeness)`` (-1 and 0 without one).

    A provider is usable for a task when it passes the skill gate and is
    available; with ``cost_test`` its external cost must also be below the
    task's internal cost. Only usable pairs are scored (:func:`best_of_columns`),
    in chunks of about ``CHUNK_PAIRS`` (task, provider) cells so that the
    working set stays in cache; the result does not depend on the chunking.
    """
    m, n = ctx.skill_score.shape
    pick, closeness = np.full(m, -1), np.zeros(m)
    step = max(1, CHUNK_PAIRS // max(n, 1))
    for start in range(0, m, step):
        sl = slice(start, min(start + step, m))
        usable = ctx.eligible[sl] & ctx.available
        if cost_test:   # the risk-adjusted external cost must beat running the task locally
            usable &= ctx.external.total[sl] < ctx.internal.total[sl, None]
        flat = np.flatnonzero(usable)
        row_ends = np.searchsorted(flat, np.arange(n, usable.size + 1, n))
        counts = np.diff(row_ends, prepend=0)
        cols = flat - np.repeat(np.arange(0, usable.size, n), counts)
        columns = [ctx.external.total[sl].reshape(-1)[flat], _per_provider(ctx.reliability, sl, flat, cols),
                   ctx.external.latency_min[sl].reshape(-1)[flat], _per_provider(ctx.security, sl, flat, cols)]
        pick[sl], closeness[sl] = best_of_columns(counts, cols, columns, weights[sl], BENEFIT, normalization)
    return pick, closeness


@dataclass
class PaperPolicy:
    """The published rule: closeness > 0.6 and Eq. 15 confidence > 0.8, else local."""

    epsilon: float = 0.1
    closeness_gate: float = 0.6
    confidence_gate: float = 0.8
    exploration_topsis: float = 0.5
    exploration_confidence: float = 0.7
    normalization: str = "minmax"
    weights: tuple[float, ...] = (0.40, 0.25, 0.20, 0.15)
    name: str = "paper"
    history: deque = field(default_factory=lambda: deque(maxlen=50))

    def __post_init__(self) -> None:
        for key in ("epsilon", "closeness_gate", "confidence_gate", "exploration_topsis",
                    "exploration_confidence"):
            check_probability(key, getattr(self, key))
        check_choice("normalization", self.normalization, ("vector", "minmax"))
        check_weights("weights", self.weights, size=4)

    def decide(self, ctx: DecisionContext, rng: np.random.Generator) -> Decision:
        """Vectorised TOPSIS, then the sequential Eq. 15 gate in task order.

        The confidence of task k depends on the flags of tasks before it, as in
        the published loop; only this O(m) scalar recursion runs in Python.
        """
        m, n = ctx.skill_score.shape
        weights = task_weights(np.asarray(self.weights), ctx.tasks)
        pick, top = best_candidates(ctx, weights, self.normalization, cost_test=False)
        explore = rng.random(m) < self.epsilon
        avail = np.flatnonzero(ctx.available)
        random_pick = avail[rng.integers(0, len(avail), m)] if len(avail) else np.full(m, -1)
        choice = np.full(m, -1)
        closeness = top.copy()
        confidence = np.empty(m)
        for k in range(m):
            if explore[k] and len(avail):
                choice[k] = random_pick[k]
                closeness[k] = self.exploration_topsis
                confidence[k] = self.exploration_confidence
            else:
                confidence[k] = eq15_confidence(self.history)
                if pick[k] >= 0 and top[k] > self.closeness_gate and confidence[k] > self.confidence_gate:
                    choice[k] = pick[k]
            self.history.append(closeness[k] > 0.7)
        return Decision(choice, explore & (choice >= 0), closeness, confidence)

    def observe(self, decision: Decision, outcome: Outcome) -> None:
        """The published rule does not learn from outcomes."""


@dataclass
class CoalescePolicy:
    """Local execution as an alternative, risk-adjusted cost test, epsilon-greedy, beta learning."""

    epsilon: float = 0.1
    beta: float = 0.7
    exploration_confidence: float = 0.7
    normalization: str = "vector"
    weights: tuple[float, ...] = (0.40, 0.25, 0.20, 0.15)
    security_weight: float = 1.0
    name: str = "coalesce"
    current: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        check_probability("epsilon", self.epsilon)
        check_probability("beta", self.beta)
        check_probability("exploration_confidence", self.exploration_confidence)
        check_choice("normalization", self.normalization, ("vector", "minmax"))
        check_scalar("security_weight", self.security_weight, low=0)
        base = np.array(self.weights, float)
        base[3] *= self.security_weight
        self.current = check_weights("weights", base, size=4)

    def decide(self, ctx: DecisionContext, rng: np.random.Generator) -> Decision:
        m, n = ctx.skill_score.shape
        weights = task_weights(self.current, ctx.tasks)
        pick, closeness = best_candidates(ctx, weights, self.normalization, cost_test=True)
        confidence = np.where(pick >= 0, 1.0, 0.0)
        # epsilon-greedy among skill-eligible providers (the cost test is waived to learn)
        explore = rng.random(m) < self.epsilon
        usable = ctx.eligible[explore] & ctx.available
        explore[explore] = usable.any(axis=1)
        explored = np.flatnonzero(explore)
        usable = usable[usable.any(axis=1)]
        noise = np.where(usable, rng.random((len(explored), n)), -1.0)
        choice = pick.copy()
        choice[explored] = noise.argmax(axis=1)
        confidence = np.where(explore, self.exploration_confidence, confidence)
        return Decision(choice, explore, closeness, confidence)

    def observe(self, decision: Decision, outcome: Outcome) -> None:
        """Raise the weight of criteria under market pressure (MODEL.md section 4)."""
        out = outcome.choice >= 0
        if not out.any():
            return
        pressure = np.array([
            max(outcome.price_index - 1.0, 0.0),
            1.0 - outcome.success[out].mean(),
            outcome.late[out].mean(),
            outcome.incident[out].mean(),
        ])
        base = np.array(self.weights, float)
        base[3] *= self.security_weight
        self.current = update_weights(self.current, market_weights(base, pressure), self.beta)


def make_policy(name: str, **params: Any) -> Policy:
    """``"paper"`` or ``"coalesce"`` with its parameters."""
    check_choice("policy", name, ("paper", "coalesce"))
    return PaperPolicy(**params) if name == "paper" else CoalescePolicy(**params)
