"""TOPSIS on one decision's candidates (topsis.score_group, as the market and the policies call it): edge cases
of its ranking ratio and first-at-best search, and the same ranking as the array form."""

from __future__ import annotations

import numpy as np
import pytest

from coalesce_games.model.topsis import best, closeness_of, column_scales, distances, score_group, topsis

FLAGS = np.array([False, True])


def _score(values: np.ndarray, minmax: bool = False) -> tuple[int, float]:
    """score_group on candidates given as rows (candidates x criteria)."""
    return score_group(np.ascontiguousarray(values.T), np.full(2, 0.5), FLAGS, minmax, np.empty((3, 2)))


def test_constant_group_picks_its_first_candidate_with_closeness_one_half() -> None:
    # D+ = D- = 0 for every candidate (0/0): all tie, the first wins
    assert _score(np.tile([4.0, 0.9], (3, 1))) == (0, 0.5)
    assert _score(np.tile([4.0, 0.9], (3, 1)), minmax=True) == (0, 0.5)


def test_candidate_at_the_anti_ideal_never_wins() -> None:
    # candidate 0 is worst on both criteria (D- = 0), candidate 1 best on both (D+ = 0): closeness 1
    assert _score(np.array([[9.0, 0.1], [1.0, 0.9]])) == (1, 1.0)
    assert _score(np.array([[3.0, 0.5]])) == (0, 0.5)            # a lone candidate


def test_hand_computed_scales_and_distances() -> None:
    """Vector normalisation of costs (3, 4) and qualities (0.6, 0.8) (norms 5 and 1), weights 1/2: f = (0.1, 0.5);
    candidate 0 is at the ideal cost and the anti-ideal quality, 0.1 from each: D+^2 = D-^2 = 0.1^2."""
    values, scratch = np.array([[3.0, 4.0], [0.6, 0.8]]), np.empty((3, 2))
    column_scales(values, np.full(2, 0.5), False, *scratch)
    np.testing.assert_allclose(scratch, [[0.3, 0.3], [0.1, 0.1], [0.1, 0.5]])     # lo f, (hi - lo) f, f
    plus, minus = distances(values, 0, FLAGS, *scratch)
    np.testing.assert_allclose([plus, minus], [0.1 ** 2, 0.1 ** 2])     # cheap but poor: as near as far
    assert closeness_of(plus, minus) == pytest.approx(0.5, rel=1e-15)
    assert closeness_of(0.0, 0.0) == 0.5 and closeness_of(0.0, 4.0) == 1.0 and closeness_of(4.0, 0.0) == 0.0


def test_ties_between_distinct_positions_go_to_the_lowest_column() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        k = int(rng.integers(2, 9))
        values = np.repeat(rng.random((k, 2)) + 0.1, 2, axis=0)      # every candidate twice, side by side
        pick, close = _score(values)
        dense = topsis(values, [0.5, 0.5], FLAGS)
        assert pick == int(best(dense)) and pick % 2 == 0             # the first of the tied pair
        assert close == dense[pick]                                    # the same arithmetic: equal


def test_score_group_ranks_as_topsis_does() -> None:
    rng = np.random.default_rng(7)
    benefit = np.array([False, True, False, True])
    for trial in range(300):
        n = int(rng.integers(1, 10))
        values = rng.random((n, 4))
        if trial % 3 == 0:
            values[:, 2] = 1.0                       # a constant column
        w = rng.random(4) + 0.01
        for minmax in (False, True):
            dense = topsis(values, w, benefit, "minmax" if minmax else "vector")
            pick, close = score_group(np.ascontiguousarray(values.T), w / w.sum(), benefit, minmax,
                                      np.empty((3, 4)))
            assert close == dense[pick] and close == dense.max()
