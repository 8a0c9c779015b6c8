"""The flat-pair TOPSIS kernel: edge cases of its ranking ratio and first-at-best search."""

from __future__ import annotations

import numpy as np

from coalesce_games.model.topsis import best, best_of_columns, topsis

FLAGS = np.array([False, True])


def test_constant_group_picks_its_first_candidate_with_closeness_one_half() -> None:
    # D+ = D- = 0 for every candidate (0/0): all tie, the first wins
    counts, cols = np.array([3]), np.array([2, 5, 7])
    pick, close = best_of_columns(counts, cols, [np.full(3, 4.0), np.full(3, 0.9)], np.full((1, 2), 0.5), FLAGS)
    assert pick.tolist() == [2] and close.tolist() == [0.5]


def test_candidate_at_the_anti_ideal_never_wins_and_empty_decisions_get_minus_one() -> None:
    # decision 1: candidate 0 is worst on both criteria (D- = 0), candidate 1 best on both
    counts, cols = np.array([0, 2, 0, 1]), np.array([0, 1, 4])
    cost, quality = np.array([9.0, 1.0, 3.0]), np.array([0.1, 0.9, 0.5])
    pick, close = best_of_columns(counts, cols, [cost, quality], np.full((4, 2), 0.5), FLAGS)
    assert pick.tolist() == [-1, 1, -1, 4]
    assert close.tolist() == [0.0, 1.0, 0.0, 0.5]


def test_ties_between_distinct_positions_go_to_the_lowest_column() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        k = int(rng.integers(2, 9))
        base = rng.random((k, 2)) + 0.1
        values = np.repeat(base, 2, axis=0)           # every candidate twice, side by side
        counts, cols = np.array([2 * k]), np.arange(2 * k)
        pick, close = best_of_columns(counts, cols, [values[:, 0], values[:, 1]], np.full((1, 2), 0.5), FLAGS)
        dense = topsis(values, [0.5, 0.5], FLAGS)
        assert pick.tolist() == [int(best(dense))]
        assert pick[0] % 2 == 0                        # the first of the tied pair
        np.testing.assert_allclose(close, dense[pick], rtol=1e-12)
