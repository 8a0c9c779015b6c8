"""Decision rules: Eq. 15, the weight update, both policies on hand-built contexts."""

from __future__ import annotations

import numpy as np
import pytest

from coalesce_games.costs import external_cost, internal_cost
from coalesce_games.criteria import Provider, Providers, Task, Tasks
from coalesce_games.policies import (
    CoalescePolicy,
    DecisionContext,
    PaperPolicy,
    eq15_confidence,
    make_policy,
    market_weights,
    update_weights,
)

RAG = frozenset({"FinBERT", "Financial Analysis", "RAG"})


def test_eq15_hand_cases() -> None:
    assert eq15_confidence([True] * 9) == 0.8                       # fewer than 10: the prior
    assert eq15_confidence([True] * 20) == 1.0
    # p = 0.25, n = 40: 1 - 1.96 * 2 * 0.25 / sqrt(40) = 0.84505
    assert eq15_confidence([True] * 10 + [False] * 30) == pytest.approx(1 - 1.96 * 0.5 / np.sqrt(40))
    # only the last 50 count
    assert eq15_confidence([False] * 100 + [True] * 50) == 1.0


def test_weight_update_hand_computed() -> None:
    w = update_weights([0.4, 0.25, 0.2, 0.15], [0.1, 0.2, 0.3, 0.4], beta=0.7)
    np.testing.assert_allclose(w, [0.3 * 0.4 + 0.07, 0.3 * 0.25 + 0.14, 0.3 * 0.2 + 0.21, 0.3 * 0.15 + 0.28])
    assert update_weights([1, 0, 0, 0], [0, 1, 0, 0], beta=0.0).tolist() == [1, 0, 0, 0]
    assert update_weights([1, 0, 0, 0], [0, 1, 0, 0], beta=1.0).tolist() == [0, 1, 0, 0]
    # security pressure of 1 doubles security's raw weight
    np.testing.assert_allclose(market_weights([0.4, 0.25, 0.2, 0.15], [0, 0, 0, 1]),
                               np.array([0.4, 0.25, 0.2, 0.3]) / 1.15)


def _context(providers: Providers, tasks: Tasks, internal_total=None) -> DecisionContext:
    internal = internal_cost(tasks)
    if internal_total is not None:
        import dataclasses
        internal = dataclasses.replace(internal, total=np.asarray(internal_total, float))
    external = external_cost(tasks, providers)
    m, n = len(tasks), len(providers)
    return DecisionContext(tasks, internal, external, providers.reliability, providers.security,
                           np.ones((m, n)), np.ones((m, n), bool), np.ones(n, bool))


def _market() -> tuple[Providers, Tasks]:
    providers = Providers.from_list([Provider("good", 10.0, 10.0, 0.99, declared_skills=RAG),
                                     Provider("poor", 12.0, 60.0, 0.80, declared_skills=RAG)])
    tasks = Tasks.from_list([Task("financial_rag", 200.0, max_latency=100.0)] * 30)
    return providers, tasks


def test_paper_policy_gate_and_confidence() -> None:
    providers, tasks = _market()
    policy = PaperPolicy(epsilon=0.0)
    d = policy.decide(_context(providers, tasks), np.random.default_rng(0))
    # 'good' dominates 'poor': min-max closeness 1 > 0.6, and the confidence starts at the prior 0.8,
    # which is not > 0.8: the first ten decisions stay local, then p = 1 and confidence 1 lets it outsource
    assert (d.choice[:10] == -1).all() and (d.choice[10:] == 0).all()
    np.testing.assert_allclose(d.confidence[:10], 0.8)


def test_paper_policy_never_picks_a_single_candidate() -> None:
    providers, tasks = _market()
    one = providers.subset([0])
    d = PaperPolicy(epsilon=0.0).decide(_context(one, tasks), np.random.default_rng(0))
    assert (d.choice == -1).all() and np.allclose(d.closeness, 0.5)


def test_coalesce_policy_compares_with_local_cost() -> None:
    providers, tasks = _market()
    cheap_local = _context(providers, tasks, internal_total=np.full(30, 1.0))
    dear_local = _context(providers, tasks, internal_total=np.full(30, 1000.0))
    policy = CoalescePolicy(epsilon=0.0)
    assert (policy.decide(cheap_local, np.random.default_rng(0)).choice == -1).all()
    assert (policy.decide(dear_local, np.random.default_rng(0)).choice == 0).all()


def test_coalesce_exploration_stays_among_eligible() -> None:
    providers, tasks = _market()
    ctx = _context(providers, tasks, internal_total=np.full(30, 1.0))
    import dataclasses
    ctx = dataclasses.replace(ctx, eligible=np.tile([False, True], (30, 1)))
    d = CoalescePolicy(epsilon=1.0).decide(ctx, np.random.default_rng(0))
    assert d.explored.all() and (d.choice == 1).all()
    np.testing.assert_allclose(d.confidence, 0.7)


@pytest.mark.parametrize("factory, message", [
    (lambda: CoalescePolicy(epsilon=1.5), "epsilon must be in"),
    (lambda: CoalescePolicy(beta=-0.1), "beta must be in"),
    (lambda: PaperPolicy(weights=(0, 0, 0, 0)), "all zero"),
    (lambda: make_policy("greedy"), "policy must be one of"),
    (lambda: update_weights([1, 1, 1, 1], [1, 1, 1, 1], beta=2.0), "beta must be in"),
])
def test_bad_policy_parameters(factory, message) -> None:
    with pytest.raises(ValueError, match=message):
        factory()
