"""G2, provider competition (issue #5): price x security against the TOPSIS market."""

from __future__ import annotations

import numpy as np
import pytest

from coalesce_games.games.competition import (
    CompetitionMarket,
    CompetitionParameters,
    competition_game,
    competition_payoffs,
    equilibrium_security,
    market_shares,
    security_investment,
    strategy_grid,
    trace_security,
    won_task_profit,
)
from coalesce_games.model.criteria import BENEFIT
from coalesce_games.model.topsis import topsis
from coalesce_games.model.weights import task_weights
from coalesce_games.solvers.equilibria import is_equilibrium, max_regret
from coalesce_games.solvers.game import Game


@pytest.fixture(scope="module")
def market() -> CompetitionMarket:
    return CompetitionMarket.build(tasks=120, background=8, seed=1)


@pytest.fixture(scope="module")
def lone_pair() -> CompetitionMarket:
    """The two strategic providers alone (no background providers)."""
    return CompetitionMarket.build(tasks=30, background=0, seed=2)


# ----------------------------------------------------------------- profit formula

def test_won_task_profit_by_hand() -> None:
    # p 10, c 4, s 0.9, v 1, d 0.5, delta 0.5, kappa 1: I = 1, own = 5, q = 0.05
    # paid 0.95 * 10 - 5 = 4.5; blacklisting 0.05 * (0.5 / 0.5) * (10 - 5) = 0.25
    assert won_task_profit(10.0, 4.0, 0.9, 1.0, d_detect=0.5, discount=0.5, security_cost=1.0) == pytest.approx(4.25)
    # no budget: detection never happens, profit is price - cost - investment
    assert won_task_profit(10.0, 4.0, 0.99, 0.0, security_cost=2.0) == pytest.approx(10 - 4 - 4)
    # a loss-making task loses no continuation value when blacklisted
    assert won_task_profit(3.0, 4.0, 0.9, 1.0, d_detect=1.0, discount=0.9,
                           security_cost=1.0) == pytest.approx(0.9 * 3 - 5)


def test_security_investment_counts_nines() -> None:
    assert security_investment([0.0, 0.9, 0.99, 0.999], 1.5) == pytest.approx([0.0, 1.5, 3.0, 4.5])


def test_profit_falls_with_budget_less_for_secure_providers() -> None:
    budgets = np.linspace(0, 1, 5)
    low = won_task_profit(20.0, 10.0, 0.90, budgets, security_cost=0.0)
    high = won_task_profit(20.0, 10.0, 0.99, budgets, security_cost=0.0)
    assert np.all(np.diff(low) < 0) and np.all(np.diff(high) < 0)
    assert np.all((high - low)[1:] > 0) and (high - low)[0] == pytest.approx(0.0)


# ----------------------------------------------------------------- the market and the game

def test_lone_pair_payoffs_by_hand(lone_pair: CompetitionMarket) -> None:
    """Without background providers: equal strategies split each eligible task, the cheaper one takes it."""
    par = CompetitionParameters(price_levels=(0.8, 1.0), security_levels=(0.95,), discount=0.5)
    game = competition_game(lone_pair, par, security_weight=1.0, budget=0.4)
    ext, elig = lone_pair.external, lone_pair.eligible[:, 0]
    assert elig.any() and (lone_pair.eligible[:, 0] == lone_pair.eligible[:, 1]).all()
    nominal = ext.price[:, 0]
    invest = -np.log10(0.05)
    q = 0.05 * 0.4 * 0.5

    def pi(level: float) -> np.ndarray:
        p = level * nominal
        own = 0.5 * nominal + invest
        return (1 - q) * p - own - q * 1.0 * np.maximum(p - own, 0)

    assert game.A[0, 0] == pytest.approx(np.mean(elig * 0.5 * pi(0.8)))
    assert game.A[1, 1] == pytest.approx(np.mean(elig * 0.5 * pi(1.0)))
    assert game.A[0, 1] == pytest.approx(np.mean(elig * pi(0.8)))
    assert game.A[1, 0] == 0.0
    np.testing.assert_allclose(game.B, game.A.T)


def test_batched_shares_match_one_profile_at_a_time(market: CompetitionMarket) -> None:
    par = CompetitionParameters()
    shares = market_shares(market, par, security_weight=0.7)
    grid = strategy_grid(par)
    ext, prov = market.external, market.providers
    weights = np.array(par.base_weights)
    weights[3] *= 0.7
    w = task_weights(weights, market.tasks)
    for a, b in [(0, 0), (3, 9), (14, 5), (7, 7)]:
        mat = np.stack([ext.total.copy(), np.broadcast_to(prov.reliability, ext.total.shape),
                        ext.latency_min, np.broadcast_to(prov.security, ext.total.shape).copy()], axis=-1)
        for i, strat in enumerate((a, b)):
            mat[:, i, 0] += (grid.price_level[strat] - 1) * ext.price[:, i]
            mat[:, i, 3] = grid.security[strat]
        close = topsis(mat, w, BENEFIT, "vector", market.eligible)
        for j in range(len(market.tasks)):
            el = market.eligible[j]
            if not el[:2].any():
                assert shares[a, b, j].sum() == 0
                continue
            top = close[j][el].max()
            winners = el & (close[j] >= top - 1e-12)
            np.testing.assert_allclose(shares[a, b, j], winners[:2] / winners.sum(), atol=1e-12)


def test_shares_are_probabilities(market: CompetitionMarket) -> None:
    shares = market_shares(market, CompetitionParameters(), security_weight=1.0)
    assert shares.min() >= 0 and shares.sum(axis=-1).max() <= 1 + 1e-12
    assert shares.sum() > 0


def test_game_is_symmetric_for_identical_providers(market: CompetitionMarket) -> None:
    game = competition_game(market, CompetitionParameters(), security_weight=1.0, budget=0.3)
    assert isinstance(game, Game) and game.shape == (16, 16)
    np.testing.assert_allclose(game.B, game.A.T, atol=1e-12)
    assert game.row_labels == game.col_labels == tuple(strategy_grid(CompetitionParameters()).label)


def test_equilibria_are_mutual_best_responses(market: CompetitionMarket) -> None:
    par = CompetitionParameters()
    for w, v in [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]:
        game = competition_game(market, par, w, v)
        table = equilibrium_security(game, par)
        assert len(table) >= 1
        for x, y in zip(table.row_strategy, table.col_strategy):
            assert max_regret(game, x, y) <= 1e-9 * max(game.payoff_range(), 1.0)
            assert is_equilibrium(game, x, y)
        # security and price of each equilibrium lie within the grids
        assert table.security.between(min(par.security_levels), max(par.security_levels)).all()
        assert table.row_price.between(min(par.price_levels), max(par.price_levels)).all()


def test_zero_weight_zero_budget_security_is_dominated(market: CompetitionMarket) -> None:
    """Without weight or budget, more security only costs: every level above the lowest
    earns exactly the investment difference less (per task won) against every opponent."""
    par = CompetitionParameters()
    shares = market_shares(market, par, 0.0)
    grid = strategy_grid(par)
    for k in par.price_levels:
        rows = np.flatnonzero(grid.price_level == k)
        np.testing.assert_allclose(shares[rows], np.broadcast_to(shares[rows[0]], shares[rows].shape))
    A, _ = competition_payoffs(market, par, 0.0, shares)
    for k in par.price_levels:
        rows = np.flatnonzero(grid.price_level == k)
        assert np.all(A[rows[1:]] <= A[rows[0]] + 1e-12)


def test_trace_security_rises_with_weight_and_budget(market: CompetitionMarket) -> None:
    """Issue #5: zero weight, no budget -> lowest security; raising either raises it."""
    par = CompetitionParameters()
    trace = trace_security([0.0, 0.5, 1.0], [0.0, 0.5, 1.0], market, par)
    assert len(trace) == 9 and (trace.max_regret <= 1e-9).all()
    lowest = min(par.security_levels)
    low = trace.pivot(index="security_weight", columns="budget", values="security_min").to_numpy()
    high = trace.pivot(index="security_weight", columns="budget", values="security_max").to_numpy()
    assert high[0, 0] == pytest.approx(lowest)                          # every equilibrium at the bottom
    assert np.all(np.diff(low, axis=0) >= -1e-12) and np.all(np.diff(low, axis=1) >= -1e-12)
    assert low[-1, 0] > lowest and low[0, -1] > lowest                  # weight alone, budget alone


def test_consistent_local_option_leaves_no_market(market: CompetitionMarket) -> None:
    """In consistent accounting local execution beats every provider: the game is void."""
    par = CompetitionParameters(local_option="consistent")
    assert market_shares(market, par, 1.0).sum() == 0
    paper = CompetitionParameters(local_option="paper")
    assert market_shares(market, paper, 1.0).sum() > 0


def test_deterministic_with_a_seed() -> None:
    a = competition_game(CompetitionMarket.build(tasks=40, background=4, seed=7), budget=0.5)
    b = competition_game(CompetitionMarket.build(tasks=40, background=4, seed=7), budget=0.5)
    assert a == b


# ----------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs, name", [
    ({"price_levels": ()}, "price_levels"),
    ({"price_levels": (1.0, -0.5)}, "price_levels"),
    ({"price_levels": (1.0, 1.0)}, "price_levels"),
    ({"security_levels": (0.9, 1.0)}, "security_levels"),
    ({"security_levels": (1.2,)}, "security_levels"),
    ({"security_levels": []}, "security_levels"),
    ({"own_cost_share": -0.1}, "own_cost_share"),
    ({"security_cost": -1.0}, "security_cost"),
    ({"discount": 1.0}, "discount"),
    ({"d_detect": 1.5}, "d_detect"),
    ({"base_weights": (0.5, 0.5)}, "base_weights"),
    ({"normalization": "l1"}, "normalization"),
    ({"local_option": "never"}, "local_option"),
])
def test_bad_parameters(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        CompetitionParameters(**kwargs)


def test_bad_arguments(market: CompetitionMarket) -> None:
    par = CompetitionParameters(price_levels=(1.0,), security_levels=(0.9,))
    with pytest.raises(ValueError, match="budget"):
        competition_game(market, par, budget=1.5)
    with pytest.raises(ValueError, match="security_weight"):
        market_shares(market, par, -1.0)
    with pytest.raises(ValueError, match="weights"):
        trace_security([], [0.0], market, par)
    with pytest.raises(ValueError, match="weights"):
        trace_security([-1.0], [0.0], market, par)
    with pytest.raises(ValueError, match="budgets"):
        trace_security([0.0], [0.0, 2.0], market, par)
    with pytest.raises(ValueError, match="template"):
        CompetitionMarket.build(tasks=5, template="Z")
    with pytest.raises(ValueError, match="tasks"):
        CompetitionMarket.build(tasks=0)
    with pytest.raises(ValueError, match="price"):
        won_task_profit(-1.0, 1.0, 0.9, 0.5)
    with pytest.raises(ValueError, match="security"):
        security_investment(1.0)
    with pytest.raises(ValueError, match="shares"):
        competition_payoffs(market, par, 0.0, np.zeros((2, 2, 3, 2)))
    with pytest.raises(ValueError, match="game"):
        equilibrium_security(Game([[1.0, 2.0]], [[0.0, 1.0]]), par)


def _fields(market: CompetitionMarket) -> dict:
    return {f: getattr(market, f) for f in CompetitionMarket.__dataclass_fields__}


@pytest.mark.parametrize("change, error, message", [
    (lambda f: {"tasks": None}, TypeError, "tasks must be a Tasks; got NoneType"),
    (lambda f: {"providers": 1}, TypeError, "providers must be a Providers; got int"),
    (lambda f: {"external": {}}, TypeError, "external must be a ExternalCost; got dict"),
    (lambda f: {"providers": f["providers"].subset(slice(0, 1))}, ValueError, "two strategic providers"),
    (lambda f: {"eligible": f["eligible"].astype(int)}, TypeError, r"eligible must be a boolean numpy array of shape"),
    (lambda f: {"eligible": f["eligible"][:, :2]}, TypeError, r"shape \(120, 10\)"),
    (lambda f: {"eligible": f["eligible"].tolist()}, TypeError, "eligible must be a boolean numpy array"),
    (lambda f: {"internal": {"consistent": f["internal"]["consistent"]}}, TypeError, "internal must be a dict"),
    (lambda f: {"internal": {**f["internal"], "paper": f["internal"]["paper"][:3]}}, ValueError,
     r"internal\['paper'\] must have shape \(120,\); got \(3,\)"),
])
def test_market_record_fields_are_checked(market: CompetitionMarket, change, error, message) -> None:
    """Issue 15: CompetitionMarket took any object in any field and failed later, deep in market_shares."""
    fields = _fields(market)
    with pytest.raises(error, match=message):
        CompetitionMarket(**{**fields, **change(fields)})


def test_external_costs_of_another_shape_are_refused(market: CompetitionMarket) -> None:
    import dataclasses
    ext = dataclasses.replace(market.external, total=market.external.total[:, :3])
    with pytest.raises(ValueError, match=r"external.total must have shape \(120, 10\); got \(120, 3\)"):
        CompetitionMarket(**{**_fields(market), "external": ext})


def test_a_market_rebuilt_from_its_fields_is_the_same(market: CompetitionMarket) -> None:
    again = CompetitionMarket(**_fields(market))
    np.testing.assert_array_equal(market_shares(again, CompetitionParameters(), 0.5),
                                  market_shares(market, CompetitionParameters(), 0.5))
