"""Replicator dynamics and fictitious play: hand-computed paths and their size bounds (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

from coalesce_games.solvers.bounds import MAX_ITERATIONS, MAX_STEPS, binomial_estimate, check_size
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.learning import fictitious_play, provider_replicator, replicator

PD = Game([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]])


def test_provider_replicator_closed_form_by_hand() -> None:
    # client plays row 0: provider fitness (3, 5) / range 5 = (0.6, 1.0); from (1/2, 1/2) at t = 5:
    # y_1 = e^5 / (e^3 + e^5)
    path = provider_replicator(PD, [1.0, 0.0], steps=2, horizon=5.0)
    assert path["provider:c1"].iloc[-1] == pytest.approx(np.exp(5) / (np.exp(3) + np.exp(5)))


@pytest.mark.parametrize("steps", [MAX_STEPS + 1, 10**12, 2**64])
def test_replicator_steps_bounded(steps: int) -> None:
    with pytest.raises(ValueError, match=f"steps must be at most 1,000,000; got {steps:,}"):
        replicator(PD, steps=steps)
    with pytest.raises(ValueError, match=f"steps must be at most 1,000,000; got {steps:,}"):
        provider_replicator(PD, [0.5, 0.5], steps=steps)


def test_replicator_at_the_bound_runs() -> None:
    path = provider_replicator(PD, [0.5, 0.5], steps=MAX_STEPS, horizon=1.0)
    assert len(path) == MAX_STEPS and np.allclose(path[["provider:c0", "provider:c1"]].sum(axis=1), 1.0)


def test_fictitious_play_iterations_bounded() -> None:
    with pytest.raises(ValueError, match="iterations must be at most 1,000,000; got 1,000,000,000,000"):
        fictitious_play(PD, iterations=10**12)
    with pytest.raises(ValueError, match=f"got {MAX_ITERATIONS + 1:,}"):
        fictitious_play(PD, iterations=MAX_ITERATIONS + 1)
    # defection strictly dominates: whatever the first (tie-broken) play, every later play is defection, so
    # the share of defection after k plays is (k - 1 + first) / k
    play = fictitious_play(PD, iterations=5, seed=0)
    k = np.arange(1, 6)
    for col in ("client:r1", "provider:c1"):
        first = play[col].iloc[1]
        assert play[col].iloc[1:].tolist() == pytest.approx((k - 1 + first) / k)


def test_check_size_and_binomial_estimate() -> None:
    assert check_size("steps", 5, 5) == 5
    with pytest.raises(ValueError, match=r"^x must be at most 5; got 6 \(less\)$"):
        check_size("x", 6, 5, "less")
    assert binomial_estimate(10, 3) == 120 and binomial_estimate(50, 25) == 126_410_606_437_752
    assert binomial_estimate(200, 100) == pytest.approx(9.054851465610328e58, rel=1e-9)
    assert binomial_estimate(10**15, 10**14) == float(np.exp(700.0))     # capped, not overflowing
