"""The two outsourcing policies, deciding a whole batch of tasks in one call.

:class:`PaperPolicy` is the published COALESCE rule (min-max TOPSIS over the
skill-eligible contractors; outsource when closeness > 0.6 and the Eq. 15
confidence > 0.8; epsilon-random exploration that ignores the skill gate).
:class:`CoalescePolicy` (the default) keeps local execution in the comparison,
ranks only candidates whose risk-adjusted external cost beats the internal
cost, and explores only eligible providers. Both decide with the market's own
compiled steps (:func:`coalesce_games.model.decisions.decide_batch`: the
candidates, TOPSIS and :func:`coalesce_games.model.rules.apply_rule`;
``papers/model.md``, section 4.4). Their criteria weights follow the market only
inside the market's compiled hours (:func:`coalesce_games.model.weights.follow_market`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coalesce_games.model.decisions import Decision, DecisionContext, Policy, decide_batch, task_uniforms
from coalesce_games.model.rules import CoalesceRule, PaperRule
from coalesce_games.model.weights import task_weights
from coalesce_games.validation import check_choice, check_int, check_probability, check_scalar, check_weights

__all__ = ['CoalescePolicy', 'PaperPolicy', 'make_policy']

#: the longest Eq. 15 history (the paper's is 50): :func:`coalesce_games.model.rules.eq15_table` is (window + 1)^2
MAX_WINDOW = 1_000
#: the most runs one policy decides together (each holds its own weights and Eq. 15 history)
MAX_RUNS = 100_000


def _check_common(policy: Any) -> None:
    """The fields both policies share: name, criteria weights (one vector of 4) and runs."""
    if not isinstance(policy.name, str):
        raise TypeError(f"name must be a string (a label); got {policy.name!r}")
    if check_weights("weights", policy.weights, size=4).ndim != 1:
        raise ValueError(f"weights must be one vector of 4 criteria weights; got shape {np.shape(policy.weights)}")
    if check_int("runs", policy.runs, minimum=1) > MAX_RUNS:
        raise ValueError(f"runs must be at most {MAX_RUNS:,}; got {policy.runs!r}")


@dataclass
class PaperPolicy:
    """The published rule: closeness > 0.6 and Eq. 15 confidence > 0.8, else local.

    ``runs`` independent copies of the rule (one per run of a batch decided together),
    each with its own Eq. 15 history of the last 50 flags.

    ``record`` says what a decision adds to that history:
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
        _check_common(self)
        check_choice("record", self.record, ("closeness", "decision"))
        check_choice("scope", self.scope, ("scored", "every_task"))
        if check_int("window", self.window, minimum=1) > MAX_WINDOW:
            raise ValueError(f"window must be at most {MAX_WINDOW:,} (Eq. 15's history; the paper's is 50); "
                             f"got {self.window!r}")
        self.history = np.zeros((self.runs, self.window), bool)
        self.filled = np.zeros(self.runs, np.int64)

    def rule(self) -> PaperRule:
        """The parameters :func:`paper_rule` reads."""
        return PaperRule(self.epsilon, self.closeness_gate, self.confidence_gate, self.exploration_topsis,
                         self.exploration_confidence, self.record == "decision", self.scope == "scored",
                         self.normalization == "minmax", self.window)

    def decide(self, ctx: DecisionContext, rng: Any) -> Decision:
        """TOPSIS over the usable providers, then the rule task by task (:func:`paper_rule`).

        The confidence of task k depends on the flags of the tasks before it in
        its run, as in the published loop; the run's history carries over from
        one call to the next.
        """
        u = task_uniforms(ctx, rng, self.runs)
        weights = task_weights(np.asarray(self.weights), ctx.tasks)
        return decide_batch(ctx, weights, u, self.rule(), None, self.history, self.filled)


@dataclass
class CoalescePolicy:
    """Local execution as an alternative, risk-adjusted cost test, epsilon-greedy exploration.

    ``runs`` independent copies (one per run of a batch decided together), each with
    its own criteria weights ``current[r]``. ``beta`` is the responsiveness with which
    a market moves the client's estimates and weights
    (:func:`coalesce_games.model.weights.follow_market`); ``decide`` itself does not learn.
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
        _check_common(self)
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
        """TOPSIS over the usable providers that beat local execution, or an eligible one explored."""
        u = task_uniforms(ctx, rng, self.runs)
        run = np.zeros(ctx.skill_score.shape[0], int) if ctx.run is None else ctx.run
        weights = task_weights(self.current[run], ctx.tasks)
        return decide_batch(ctx, weights, u, None, self.rule())


def make_policy(name: str, **params: Any) -> Policy:
    """``"paper"`` or ``"coalesce"`` with its parameters."""
    check_choice("policy", name, ("paper", "coalesce"))
    return PaperPolicy(**params) if name == "paper" else CoalescePolicy(**params)
