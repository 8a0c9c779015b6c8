"""G4's minimal verification share v* against simulation (issue 5: agreement at three points).

Three parameter points (margin pi, gain g, discount delta, detection d):

    A: pi 10, g 8, delta 0.9, d 0.9  ->  v* = 0.8 / 8.1  = 0.0988
    B: pi 5,  g 8, delta 0.8, d 0.9  ->  v* = 1.6 / 3.6  = 0.4444
    C: pi 12, g 4, delta 0.7, d 0.6  ->  v* = 1.2 / 5.04 = 0.2381
"""

from __future__ import annotations

import numpy as np
import pytest

from coalesce_games.games import repeated
from coalesce_games.market.config import MarketConfig

POINTS = [(10.0, 8.0, 0.9, 0.9, 0.8 / 8.1), (5.0, 8.0, 0.8, 0.9, 1.6 / 3.6), (12.0, 4.0, 0.7, 0.6, 1.2 / 5.04)]
IDS = ["A", "B", "C"]


@pytest.mark.parametrize("margin, gain, delta, d, v_star", POINTS, ids=IDS)
def test_closed_forms_by_hand(margin, gain, delta, d, v_star) -> None:
    assert float(repeated.minimal_verification(margin, gain, delta, d)) == pytest.approx(v_star)
    gl = gain * (1 - delta)
    assert float(repeated.minimal_verification_withheld(margin, gain, delta, d)) == pytest.approx(gl / (d * (margin + gl)))
    # at v*_w the withheld-payment cheat is worth exactly the honest stream
    q = float(repeated.minimal_verification_withheld(margin, gain, delta, d)) * d
    assert (margin + gain) * (1 - q) / (1 - delta * (1 - q)) == pytest.approx(margin / (1 - delta))


def test_withheld_by_hand() -> None:
    # pi 10, g 8, delta 0.9, d 0.9: 0.8 / (0.9 * 10.8)
    assert float(repeated.minimal_verification_withheld(10, 8, 0.9, 0.9)) == pytest.approx(0.8 / 9.72)
    assert float(repeated.minimal_verification_withheld(10, 8, 0.9, 0.0)) == np.inf


@pytest.mark.parametrize("margin, gain, delta, d, v_star", POINTS, ids=IDS)
def test_sign_flips_across_v_star(margin, gain, delta, d, v_star) -> None:
    """Below v* cheating pays (CI above 0), above v* honesty pays (CI below 0), as predicted."""
    t = repeated.simulated_honesty_value(margin, gain, delta, d, [0.75 * v_star, 1.25 * v_star], n_paths=1500)
    assert t.v_star.iloc[0] == pytest.approx(v_star)
    assert t.predicted.tolist() == ["cheat", "honest"]
    assert t.observed.tolist() == ["cheat", "honest"]
    # the Monte-Carlo mean is within 4 standard errors of the closed-form advantage
    assert np.all(np.abs(t.advantage - t.exact) <= 4 * t.se)
    # the honest stream is deterministic: pi / (1 - delta) up to the truncation
    np.testing.assert_allclose(t.honest_value, margin / (1 - delta), rtol=1e-8)


@pytest.mark.parametrize("withhold", [False, True], ids=["paid", "withheld"])
@pytest.mark.parametrize("margin, gain, delta, d, v_star", POINTS, ids=IDS)
def test_simulated_threshold_contains_v_star(margin, gain, delta, d, v_star, withhold) -> None:
    r = repeated.simulated_minimal_verification(margin, gain, delta, d, n_paths=800, n_boot=200,
                                                withhold_payment=withhold)
    expected = float((repeated.minimal_verification_withheld if withhold else repeated.minimal_verification)(
        margin, gain, delta, d))
    assert r.v_star == pytest.approx(expected)
    assert r.ci_low <= r.v_star_sim <= r.ci_high
    assert r.within_ci, r.to_dict()
    assert r.ci_high - r.ci_low < 0.1


@pytest.mark.parametrize("margin, gain, delta, d, v_star", POINTS, ids=IDS)
def test_market_detection_channel(margin, gain, delta, d, v_star) -> None:
    """The market simulator catches a fabricated task with probability v d, as G4 assumes."""
    v = round(v_star, 2)                       # verify at (about) the threshold
    cfg = MarketConfig(days=2, clients=10, contractors=30, rogue_share=0.3, d_fab=d, verification_share=v)
    r = repeated.market_detection_check(cfg, range(10), margin, gain, delta)
    assert r.tasks >= 40 and 0 < r.detections <= r.tasks
    assert r.q_predicted == pytest.approx(v * d)
    assert r.q_within_ci, r.to_dict()
    assert r.v_star_within_ci, r.to_dict()
    assert r.v_star_low <= r.v_star_sim <= r.v_star_high


def test_first_roots() -> None:
    grid = np.array([0.0, 0.5, 1.0])
    roots = repeated._first_roots(np.array([[4.0, 2.0, -2.0], [1.0, -1.0, -3.0]]), grid)
    np.testing.assert_allclose(roots, [0.75, 0.25])


@pytest.mark.parametrize("call, message", [
    (lambda: repeated.simulated_honesty_value(10, 8, 0.9, 1.5, [0.1]), "detection must be in"),
    (lambda: repeated.simulated_honesty_value(10, 8, 1.0, 0.9, [0.1]), "delta must be in"),
    (lambda: repeated.simulated_honesty_value(10, 8, 0.0, 0.9, [0.1]), "delta must be in"),
    (lambda: repeated.simulated_honesty_value(10, 8, 0.9, 0.9, []), "verification must not be empty"),
    (lambda: repeated.simulated_honesty_value(10, 8, 0.9, 0.9, [1.2]), "verification must be in"),
    (lambda: repeated.simulated_honesty_value(10, -1, 0.9, 0.9, [0.1]), "gain must be >= 0"),
    (lambda: repeated.simulated_honesty_value(0, 8, 0.9, 0.9, [0.1]), "margin must be > 0"),
    (lambda: repeated.simulated_honesty_value(10, 8, 0.9, 0.9, [0.1], n_paths=1), "n_paths must be >= 2"),
    (lambda: repeated.simulated_minimal_verification(10, 8, 0.9, 0.9, n_boot=0), "n_boot must be >= 1"),
    (lambda: repeated.simulated_minimal_verification(10, 8, 0.9, 0.9, grid=[0.5]), "grid must hold"),
    (lambda: repeated.simulated_minimal_verification(10, 8, 0.9, 0.9, grid=[0.5, 0.1]), "strictly increasing"),
    (lambda: repeated.minimal_verification_withheld(10, 8, 0.9, -0.1), "detection must be in"),
    (lambda: repeated.market_detection_check(MarketConfig(days=1), [0], 10, 8, 0.9), "rogue_share must be > 0"),
    (lambda: repeated.market_detection_check(MarketConfig(days=1, rogue_share=0.3), [0], 10, 8, 0.9),
     "verification_share must be > 0"),
    (lambda: repeated.market_detection_check(MarketConfig(days=1, rogue_share=0.3, verification_share=0.5),
                                             [], 10, 8, 0.9), "seeds must not be empty"),
])
def test_bad_input(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: repeated.simulated_honesty_value(10, 8, 0.9, 0.9, [0.1], n_paths=10**12),
     r"n_paths=1000000000000 at delta=0.9 draws 2.19e\+14 path-periods \(n_paths x 219 periods\).*at most 2e\+07"),
    (lambda: repeated.simulated_honesty_value(10, 8, 1 - 1e-9, 0.9, [0.1], n_paths=2), "at most 2e\\+07"),
    (lambda: repeated.simulated_minimal_verification(10, 8, 0.9, 0.9, n_paths=10**6),
     "n_paths=1000000 at delta=0.9 draws 2.19e\\+08"),
    (lambda: repeated.simulated_minimal_verification(10, 8, 0.9, 0.9, n_boot=10**5),
     r"n_boot=100000 resamples of 2000 paths need 2e\+08 weights; at most 2e\+07"),
])
def test_draws_too_big_for_memory_are_refused_before_drawing(call, message) -> None:
    """Issue 15: n_paths (and the bootstrap's n_boot) had no bound (a MemoryError after the checks)."""
    with pytest.raises(ValueError, match=message):
        call()


def test_the_path_bound_leaves_room_for_real_use() -> None:
    # periods = ceil(log 1e-10 / log delta): 219 at 0.9, 2292 at 0.99; F7 runs 2000 paths at 0.9 (438,000)
    assert repeated._horizon(0.9) == 219 and repeated._horizon(0.99) == 2292
    assert 2000 * repeated._horizon(0.99) <= repeated.MAX_PATH_PERIODS
    assert repeated._check_sim(10, 8, 0.99, 0.9, 8726, 0)[4] == 8726          # 8726 x 2292 = 19,999,992
    with pytest.raises(ValueError, match="n_paths=8727 at delta=0.99 draws 2e\\+07"):
        repeated._check_sim(10, 8, 0.99, 0.9, 8727, 0)
