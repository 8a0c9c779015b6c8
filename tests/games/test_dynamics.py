"""Learning dynamics against the market simulator: devolution and its prevention."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalesce_games.games.dynamics import compare_with_simulator, indifference_verification, simulator_frequencies
from coalesce_games.games.stage import StageParameters
from coalesce_games.market.config import MarketConfig
from coalesce_games.market.simulation import simulate
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.learning import provider_replicator

BASE = MarketConfig(days=2, clients=6, contractors=10, rogue_share=0.3)
SEEDS = range(4)


def test_provider_replicator_closed_form_by_hand() -> None:
    # provider fitness (2, 0, 1) against the single client row; range 2 -> scaled (1, 0, 0.5)
    g = Game([[0, 0, 0]], [[2, 0, 1]], ["c"], ["a", "b", "c"])
    t = provider_replicator(g, [1.0], steps=3, horizon=2.0, y0=[0.2, 0.5, 0.3])
    e = np.array([0.2 * np.exp(2.0), 0.5, 0.3 * np.exp(1.0)])       # at t = 2
    np.testing.assert_allclose(t.iloc[-1, 1:].to_numpy(float), e / e.sum())
    np.testing.assert_allclose(t.iloc[0, 1:].to_numpy(float), [0.2, 0.5, 0.3])
    assert list(t.columns) == ["t", "provider:a", "provider:b", "provider:c"]
    # it solves dy/dt = y (f - y.f): check the derivative numerically at t = 1
    f = np.array([1.0, 0.0, 0.5])
    fine = provider_replicator(g, [1.0], steps=2001, horizon=2.0, y0=[0.2, 0.5, 0.3]).iloc[:, 1:].to_numpy(float)
    y, dt = fine[1000], 2.0 / 2000
    np.testing.assert_allclose((fine[1001] - fine[999]) / (2 * dt), y * (f - y @ f), rtol=1e-5)


def test_indifference_verification_by_hand() -> None:
    # fabricate pays p (1 - v d), honest p - c: v = c / (d p)
    assert indifference_verification(StageParameters(price=20, cost=8, d_fab=0.9)) == pytest.approx(8 / 18)
    assert indifference_verification(StageParameters(price=20, cost=8, d_fab=0.2)) == np.inf   # 8/4 > 1
    assert indifference_verification(StageParameters(price=20, cost=0)) == 0.0    # honest work costs nothing
    assert indifference_verification(StageParameters(price=20, cost=25)) == np.inf  # honest work loses money


def test_simulator_frequencies_pool_the_steps() -> None:
    cfg = BASE.replace(rogue_mix=(0.0, 0.0, 1.0))
    f = simulator_frequencies(cfg, [0, 1], window=12)
    steps = pd.concat([simulate(cfg, s).steps for s in (0, 1)])
    assert f.hour.tolist() == [0, 12, 24, 36]
    assert f.outsourced.sum() == steps.outsourced.sum() and f.rogue.sum() == steps.rogue.sum()
    first = steps[steps.hour < 12]
    assert f.rogue_share.iloc[0] == pytest.approx(first.rogue.sum() / first.outsourced.sum())
    assert np.all((f.ci_low <= f.rogue_share) & (f.rogue_share <= f.ci_high))


def test_devolution_without_verification() -> None:
    """v = 0: fabricators are never caught and win more than their share of the providers."""
    c = compare_with_simulator(BASE.replace(verification_share=0.0), SEEDS, window=12)
    assert c.attrs["predicted"] == "grows"
    assert c.attrs["sim_direction"] == "grows" and c.attrs["model_direction"] == "grows" and c.attrs["agree"]
    assert c.attrs["sim_late_ci"][0] > 0.3
    assert c.model_rogue_share.is_monotonic_increasing


@pytest.mark.parametrize("v", [0.5, 1.0])
def test_verification_above_threshold_prevents_it(v: float) -> None:
    c = compare_with_simulator(BASE.replace(verification_share=v), SEEDS, window=12)
    assert v >= c.attrs["v_threshold"] and c.attrs["predicted"] == "shrinks"
    assert c.attrs["sim_direction"] == "shrinks" and c.attrs["model_direction"] == "shrinks" and c.attrs["agree"]
    assert c.model_rogue_share.is_monotonic_decreasing
    assert list(c.columns) == ["hour", "outsourced", "rogue", "rogue_share", "ci_low", "ci_high", "model_rogue_share"]


def test_below_threshold_the_simulator_still_selects_fabricators_out() -> None:
    """The documented difference: fixed-type fabricators are blacklisted at any v > 0."""
    c = compare_with_simulator(BASE.replace(verification_share=0.2), SEEDS, window=12)
    assert c.attrs["predicted"] == "grows" and c.attrs["model_direction"] == "grows"
    assert c.attrs["sim_direction"] == "shrinks" and not c.attrs["agree"]


@pytest.mark.parametrize("call, message", [
    (lambda: provider_replicator(Game([[0, 0]], [[1, 0]]), [1.5]), "client_mix must be in"),
    (lambda: provider_replicator(Game([[0, 0], [0, 0]], [[1, 0], [0, 1]]), [0.5, 0.2]), "client_mix must sum to 1"),
    (lambda: provider_replicator(Game([[0, 0]], [[1, 0]]), [1.0], y0=[0.7, 0.7]), "y0 must sum to 1"),
    (lambda: provider_replicator(Game([[0, 0]], [[1, 0]]), [1.0], horizon=0.0), "horizon must be in"),
    (lambda: provider_replicator(Game([[0, 0]], [[1, 0]]), [1.0], steps=1), "steps must be >= 2"),
    (lambda: simulator_frequencies(BASE, []), "seeds must not be empty"),
    (lambda: simulator_frequencies(BASE, [0], window=0), "window must be >= 1"),
    (lambda: compare_with_simulator(BASE.replace(rogue_share=0.0), [0]), "rogue_share must be > 0"),
])
def test_bad_input(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("window", [49, 10**12, 2**64])
def test_a_window_longer_than_the_run_is_refused(window) -> None:
    """Issue 15: a huge window overflowed numpy's integers (OverflowError) after the whole run."""
    with pytest.raises(ValueError, match=rf"window must be at most the run's 48 hours \(days=2\); got {window}"):
        simulator_frequencies(BASE, [0], window=window)


def test_a_window_of_the_whole_run_pools_every_hour() -> None:
    steps = simulate(BASE, seed=0).steps
    f = simulator_frequencies(BASE, [0], window=48)
    assert f.hour.tolist() == [0]
    assert int(f.outsourced.iloc[0]) == int(steps.outsourced.sum()) and int(f.rogue.iloc[0]) == int(steps.rogue.sum())
