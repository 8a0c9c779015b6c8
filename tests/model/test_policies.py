"""Decision rules: Eq. 15, the weight update, both policies on hand-built contexts."""

from __future__ import annotations

import numpy as np
import pytest

from coalesce_games.model.costs import external_cost, internal_cost
from coalesce_games.model.decisions import DecisionContext
from coalesce_games.model.policies import CoalescePolicy, PaperPolicy, make_policy
from coalesce_games.model.providers import Provider, Providers
from coalesce_games.model.rules import eq15_confidence
from coalesce_games.model.tasks import Task, Tasks
from coalesce_games.model.weights import blend_weights, follow_market, market_weights

RAG = frozenset({"FinBERT", "Financial Analysis", "RAG"})


def test_eq15_hand_cases() -> None:
    assert eq15_confidence([True] * 9) == 0.8                       # fewer than 10: the prior
    assert eq15_confidence([True] * 20) == 1.0
    # p = 0.25, n = 40: 1 - 1.96 * 2 * 0.25 / sqrt(40) = 0.84505
    assert eq15_confidence([True] * 10 + [False] * 30) == pytest.approx(1 - 1.96 * 0.5 / np.sqrt(40))
    # only the last 50 count
    assert eq15_confidence([False] * 100 + [True] * 50) == 1.0


def test_weight_update_hand_computed() -> None:
    w = blend_weights([0.4, 0.25, 0.2, 0.15], [0.1, 0.2, 0.3, 0.4], beta=0.7)
    np.testing.assert_allclose(w, [0.3 * 0.4 + 0.07, 0.3 * 0.25 + 0.14, 0.3 * 0.2 + 0.21, 0.3 * 0.15 + 0.28])
    assert blend_weights([1, 0, 0, 0], [0, 1, 0, 0], beta=0.0).tolist() == [1, 0, 0, 0]
    assert blend_weights([1, 0, 0, 0], [0, 1, 0, 0], beta=1.0).tolist() == [0, 1, 0, 0]
    assert blend_weights([[1, 0, 0, 0], [0, 0, 2, 2]], [0, 1, 0, 0], beta=0.5).tolist() == [
        [0.5, 0.5, 0, 0], [0, 0.5, 0.25, 0.25]]                           # row by row, each normalised
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
    policy = PaperPolicy(epsilon=0.0, record="closeness")
    d = policy.decide(_context(providers, tasks), np.random.default_rng(0))
    # 'good' dominates 'poor': min-max closeness 1 > 0.6, and the confidence starts at the prior 0.8,
    # which is not > 0.8: the first ten decisions stay local, then p = 1 and confidence 1 lets it outsource
    assert (d.choice[:10] == -1).all() and (d.choice[10:] == 0).all()
    np.testing.assert_allclose(d.confidence[:10], 0.8)


def test_paper_policy_recording_decisions_cycles() -> None:
    """Hand-followed: ten local decisions record ten low flags (p = 0, confidence 1), so task 11
    is outsourced; with 2 high flags of 12 the confidence is 1 - 3.92 (1/6) / sqrt(12) = 0.811,
    still open; with 3 of 13 it is 1 - 3.92 (3/13) / sqrt(13) = 0.749 and the gate closes, until
    local decisions bring p down again: about a third of the tasks go out."""
    providers, tasks = _market()
    d = PaperPolicy(epsilon=0.0, record="decision").decide(_context(providers, tasks), np.random.default_rng(0))
    assert (d.choice[:10] == -1).all() and (d.choice[10:13] == 0).all() and d.choice[13] == -1
    assert d.confidence[10] == 1.0
    assert d.confidence[12] == pytest.approx(1 - 1.96 * 2 * (1 / 6) / np.sqrt(12))
    assert d.confidence[13] == pytest.approx(1 - 1.96 * 2 * (3 / 13) / np.sqrt(13))
    assert 0 < (d.choice[13:] == 0).mean() < 0.5 and (d.choice[16:] == 0).any()


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
    (lambda: blend_weights([1, 1, 1, 1], [1, 1, 1, 1], beta=2.0), "beta must be in"),
])
def test_bad_policy_parameters(factory, message) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


@pytest.mark.parametrize("factory, error, message", [
    # issue 15: weights of another length failed deep inside _base (IndexError)
    (lambda: CoalescePolicy(weights=(1.0, 2.0)), ValueError, r"weights must have 4 entries .* got shape \(2,\)"),
    (lambda: CoalescePolicy(weights=5.0), ValueError, "weights must be a vector"),
    (lambda: PaperPolicy(weights=np.ones((2, 4))), ValueError, r"one vector of 4 .* shape \(2, 4\)"),
    # the window (Eq. 15's history) had no upper bound (MemoryError) and 0 crashed the compiled ring
    (lambda: PaperPolicy(window=10**12), ValueError, "window must be at most 1,000 .* got 1000000000000"),
    (lambda: PaperPolicy(window=0), ValueError, "window must be >= 1; got 0"),
    (lambda: PaperPolicy(window=2.0), TypeError, "window must be an integer; got 2.0"),
    (lambda: CoalescePolicy(runs=10**12), ValueError, "runs must be at most 100,000"),
    (lambda: PaperPolicy(name=None), TypeError, "name must be a string .* got None"),
])
def test_policy_fields_refused_before_any_allocation(factory, error, message) -> None:
    with pytest.raises(error, match=message):
        factory()


def test_longest_window_is_accepted() -> None:
    policy = PaperPolicy(window=1_000, runs=3)
    assert policy.history.shape == (3, 1_000) and policy.rule().window == 1_000


@pytest.mark.parametrize("record", ["closeness", "decision"])
def test_paper_rule_keeps_each_runs_eq15_history_across_batches(record) -> None:
    """The compiled gate (rules.apply_rule on each run's ring, rotated back to oldest first between batches as
    PaperPolicy.decide does) equals eq15_confidence applied task by task, run by run."""
    from coalesce_games.model.rules import apply_rule, eq15_table, ring_from_history, ring_to_history

    rng = np.random.default_rng(3)
    runs, window = 4, 50
    rule, other = PaperPolicy(record=record, scope="every_task", epsilon=0.0).rule(), CoalescePolicy().rule()
    history, filled = np.zeros((runs, window), bool), np.zeros(runs, np.int64)
    seqs = [[] for _ in range(runs)]
    none = np.zeros(1, np.int64)
    for _ in range(40):
        state = np.zeros((runs, 3), np.int64)
        for r in range(runs):
            ring_from_history(history[r], filled[r], state[r])
        run = np.repeat(np.arange(runs), rng.integers(0, 9, runs))
        top = rng.random(len(run)) * rng.random()
        pick = np.where(rng.random(len(run)) < 0.9, 1, -1)
        for r, p, t in zip(run, pick, top):
            want = eq15_confidence(seqs[r])
            choice, closeness, conf, explored = apply_rule(True, p, t, 0.5, 0.5, none, 0, history[r], state[r],
                                                           eq15_table(window), rule, other)
            out = p >= 0 and t > 0.6 and want > 0.8
            assert (conf, closeness, choice, explored) == (want, t, 1 if out else -1, False)
            seqs[r].append(bool(t > 0.7 and (out or record == "closeness")))
        for r in range(runs):
            filled[r] = ring_to_history(history[r], state[r])
            assert history[r, :filled[r]].tolist() == seqs[r][-window:]
    assert min(len(q) for q in seqs) > window                     # the rings wrapped


@pytest.mark.parametrize("normalization", ["vector", "minmax"])
@pytest.mark.parametrize("per_pair", [False, True])
def test_decisions_equal_dense_topsis_over_the_usable_providers(normalization, per_pair) -> None:
    """The compiled pass (the candidates, TOPSIS's best, the rule without exploration) picks what TOPSIS on the
    full matrix with the usable mask picks: eligible, available, cheaper than local (our rule)."""
    import dataclasses

    import coalesce_games.model.decisions as decisions
    from coalesce_games.model.rules import CoalesceRule
    from coalesce_games.model.skills import SkillMatcher
    from coalesce_games.model.topsis import topsis

    providers, tasks = Providers.sample_table1(40, 1), Tasks.sample(300, 2)
    score = SkillMatcher().score(tasks.required, providers)
    internal = internal_cost(tasks)
    internal = dataclasses.replace(internal, total=internal.total + 150.0)
    rel = (np.tile(providers.reliability, (300, 1)) * np.random.default_rng(3).uniform(0.9, 1, (300, 40))
           if per_pair else providers.reliability)
    ctx = DecisionContext(tasks, internal, external_cost(tasks, providers, reliability=rel), rel,
                          providers.security, score, score >= 0.7, np.arange(40) % 5 != 0)
    weights = np.random.default_rng(4).dirichlet(np.ones(4), 300)
    rule, u = CoalesceRule(0.0, 0.7, normalization == "minmax"), np.full((300, 2), 0.5)
    d = decisions.decide_batch(ctx, weights, u, None, rule)
    usable = ctx.eligible & ctx.available & (ctx.external.total < internal.total[:, None])
    matrix = decisions.criteria_matrix(ctx.external, rel, providers.security)
    dense = np.stack([topsis(matrix[k], weights[k], decisions.BENEFIT, normalization, usable[k])
                      for k in range(300)])
    want = np.where(usable.any(axis=1), np.where(usable, dense, -1).argmax(axis=1), -1)
    np.testing.assert_array_equal(d.choice, want)
    np.testing.assert_allclose(d.closeness, np.where(want >= 0, dense.max(axis=1), 0.0), rtol=1e-13)  # topsis
    # normalises the weights again
    np.testing.assert_array_equal(d.confidence, np.where(want >= 0, 1.0, 0.0))
    assert (d.choice >= 0).sum() > 100 and (d.choice[d.choice >= 0] % 5 != 0).all()   # non-trivial; available
    with pytest.raises(ValueError, match=r"security must have shape \(300, 40\) or \(40,\); got \(39,\)"):
        decisions.decide_batch(dataclasses.replace(ctx, security=providers.security[1:]), weights, u, None, rule)
    with pytest.raises(ValueError, match="weights"):
        decisions.decide_batch(ctx, weights[1:], u, None, rule)


def test_policies_need_one_generator_per_run() -> None:
    providers, tasks = _market()
    ctx = _context(providers, tasks)
    with pytest.raises(ValueError, match="one per run"):
        CoalescePolicy(runs=2).decide(ctx, np.random.default_rng(0))
    with pytest.raises(ValueError, match="runs"):
        PaperPolicy(runs=0)


def test_given_uniforms_decide_as_drawn_ones() -> None:
    """A context's per-task uniforms replace the generator: same numbers, same decisions."""
    import dataclasses

    providers, tasks = _market()
    ctx = _context(providers, tasks)
    for make in (lambda: PaperPolicy(epsilon=0.5), lambda: CoalescePolicy(epsilon=0.5)):
        drawn = make().decide(ctx, np.random.default_rng(3))
        given = make().decide(dataclasses.replace(ctx, uniforms=np.random.default_rng(3).random((len(tasks), 2))),
                              None)
        for field in ("choice", "explored", "closeness", "confidence"):
            np.testing.assert_array_equal(getattr(drawn, field), getattr(given, field))
        assert drawn.explored.any() and not drawn.explored.all()
    with pytest.raises(ValueError, match=r"uniforms must have shape \(30, 2\)"):
        PaperPolicy().decide(dataclasses.replace(ctx, uniforms=np.zeros((30, 1))), None)
    with pytest.raises(ValueError, match="one per run"):
        PaperPolicy().decide(ctx, None)


def test_uniform_pick_is_a_uniform_choice_among_the_listed() -> None:
    from coalesce_games.model.rules import uniform_pick

    listed, u = np.array([1, 3, 4, 0, 0]), np.random.default_rng(0).random(30_000)
    pick = np.array([uniform_pick(listed, 3, x) for x in u])
    share = np.bincount(pick, minlength=5)[[1, 3, 4]] / 30_000
    np.testing.assert_allclose(share, 1 / 3, atol=4 * np.sqrt(2 / 9 / 30_000))   # 4 standard errors
    assert uniform_pick(listed, 3, np.nextafter(1.0, 0)) == 4                   # u just below 1: the last
    assert uniform_pick(listed, 3, 1.0) == 4 and uniform_pick(listed, 3, 0.0) == 1
    assert uniform_pick(listed, 0, 0.5) == -1                                   # nothing listed


def test_market_weight_step_hand_computed() -> None:
    """follow_market: pressure (price index above 1, failures, late share, incidents) raises the base weights
    as market_weights does, and the current weights move towards them by beta."""
    base = np.array([0.4, 0.25, 0.2, 0.15])
    current = np.array([0.25, 0.25, 0.25, 0.25])
    target = base * np.array([1.5, 1.2, 1.1, 1.0])                 # price index 1.5, 20 % failed, 10 % late
    target /= target.sum()
    np.testing.assert_allclose(market_weights(base, [0.5, 0.2, 0.1, 0.0]), target, rtol=1e-15)
    follow_market(current, base, 1.5, 0.8, 0.1, 0.0, 0.7, np.empty((4, 4)))
    np.testing.assert_allclose(current, 0.3 * 0.25 + 0.7 * target, rtol=1e-15)
    still = base.copy()
    follow_market(still, base, 0.9, 1.0, 0.0, 0.0, 0.7, np.empty((4, 4)))   # cheap, no failures: no pressure
    np.testing.assert_allclose(still, base, rtol=1e-15)
