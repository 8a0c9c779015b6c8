"""The compiled Lemke-Howson path and restart schedule against hand cases and quantecon."""

from __future__ import annotations

import numpy as np
import pytest
import quantecon.game_theory as qgt

from coalesce_games.solvers.lemke_howson import LemkeHowsonFailure, lemke_howson, lemke_howson_schedule


def _regret(A, B, x, y) -> float:
    return float(max((A @ y).max() - x @ A @ y, (x @ B).max() - x @ B @ y))


def test_battle_of_the_sexes_by_label() -> None:
    # A = [[3, 0], [0, 2]], B = [[2, 0], [0, 3]]. Dropping label 0 (row 0 enters) the path
    # reaches (T, L) in 2 pivots: x_0 enters tableau 1 (column L's constraint binds), then
    # y_0 enters tableau 2 and r_0 leaves. Dropping label 1 reaches (B, R) symmetrically.
    A, B = np.array([[3., 0], [0, 2]]), np.array([[2., 0], [0, 3]])
    x, y, p = lemke_howson(A, B, 0)
    assert (x.tolist(), y.tolist(), p) == ([1.0, 0.0], [1.0, 0.0], 2)
    x, y, p = lemke_howson(A, B, 1)
    assert (x.tolist(), y.tolist(), p) == ([0.0, 1.0], [0.0, 1.0], 2)


def test_matching_pennies_mixed() -> None:
    x, y, _ = lemke_howson(np.array([[1., -1], [-1, 1]]), np.array([[-1., 1], [1, -1]]), 2)
    np.testing.assert_allclose(x, [0.5, 0.5])
    np.testing.assert_allclose(y, [0.5, 0.5])


def test_every_label_on_a_degenerate_game_without_cycling() -> None:
    A = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    for label in range(6):
        x, y, _ = lemke_howson(A, A.T.copy(), label)
        assert _regret(A, A.T, x, y) <= 1e-12


def test_tied_games_every_label_ends_at_an_equilibrium() -> None:
    rng = np.random.default_rng(8)
    for _ in range(40):
        A, B = rng.integers(0, 3, (4, 5)).astype(float), rng.integers(0, 3, (4, 5)).astype(float)
        for label in range(9):
            x, y, _ = lemke_howson(A, B, label)
            assert _regret(A, B, x, y) <= 1e-12


def test_same_end_point_as_quantecon_on_generic_games() -> None:
    # nondegenerate games: one path per dropped label, so both must stop at the same equilibrium
    rng = np.random.default_rng(9)
    for _ in range(20):
        m, n = rng.integers(2, 12, 2)
        A, B = rng.integers(0, 10000, (m, n)).astype(float), rng.integers(0, 10000, (m, n)).astype(float)
        g = qgt.NormalFormGame((qgt.Player(A), qgt.Player(B.T)))
        for label in (0, m):
            x, y, _ = lemke_howson(A, B, label, max_pivots=10_000)
            qx, qy = qgt.lemke_howson(g, init_pivot=label, max_iter=10_000)
            np.testing.assert_allclose(x, qx, atol=1e-10)
            np.testing.assert_allclose(y, qy, atol=1e-10)


def test_pivot_limit_and_bad_label() -> None:
    rng = np.random.default_rng(10)
    A, B = rng.random((30, 30)), rng.random((30, 30))
    with pytest.raises(LemkeHowsonFailure, match="after 1 pivots"):
        lemke_howson(A, B, 0, max_pivots=1)
    with pytest.raises(ValueError, match=r"init_label must be in \[0, 59\]; got 60"):
        lemke_howson(A, B, 60)


def test_schedule_verifies_its_end_point_on_large_games() -> None:
    rng = np.random.default_rng(11)
    for n in (60, 120):
        A, B = rng.integers(0, 10000, (n, n)).astype(float), rng.integers(0, 10000, (n, n)).astype(float)
        order = np.array([lab for pair in zip(range(n), range(n, 2 * n)) for lab in pair])
        x, y = lemke_howson_schedule(A, B, order, 1e-9 * 9999)
        assert _regret(A, B, x, y) <= 1e-9 * 9999
        # None is the same alternating order, built in the compiled code
        x2, y2 = lemke_howson_schedule(A, B, None, 1e-9 * 9999)
        assert np.array_equal(x, x2) and np.array_equal(y, y2)
        assert x.sum() == pytest.approx(1) and (x >= 0).all() and (y >= 0).all()


def test_schedule_budget_and_arguments() -> None:
    rng = np.random.default_rng(12)
    A, B = rng.random((40, 40)), rng.random((40, 40))
    with pytest.raises(RuntimeError, match="within 3 pivots"):
        lemke_howson_schedule(A, B, np.array([0]), 1e-9, initial_budget=1, max_pivots=3)
    with pytest.raises(ValueError, match="labels must be"):
        lemke_howson_schedule(A, B, np.array([80]), 1e-9)
    with pytest.raises(ValueError, match="double_every must be an integer >= 1; got 0"):
        lemke_howson_schedule(A, B, np.array([0]), 1e-9, double_every=0)


@pytest.mark.parametrize("field,value,message", [
    ("initial_budget", 2**64, "initial_budget must be at most 2,000,000; got 18,446,744,073,709,551,616"),
    ("double_every", 2**64, "double_every must be at most 2,000,000; got 18,446,744,073,709,551,616"),
    ("max_pivots", 2**64, "max_pivots must be at most 1,000,000,000; got 18,446,744,073,709,551,616"),
    ("max_pivots", 10**12, "max_pivots must be at most 1,000,000,000; got 1,000,000,000,000"),
])
def test_restart_budgets_fit_the_compiled_schedule(field: str, value: int, message: str) -> None:
    """A budget over 2**63 once overflowed inside the compiled schedule (OverflowError); now refused by name."""
    from coalesce_games.solvers.game import Game
    from coalesce_games.solvers.restarts import lemke_howson_restarts

    with pytest.raises(ValueError, match=message):
        lemke_howson_restarts(Game([[3, 0], [5, 1]], [[3, 5], [0, 1]]), **{field: value})
    # at the bounds the schedule runs: the prisoner's dilemma's one equilibrium, (defect, defect)
    r = lemke_howson_restarts(Game([[3, 0], [5, 1]], [[3, 5], [0, 1]]), initial_budget=10**9, double_every=10**9,
                              max_pivots=10**9)
    assert r.row_strategies.tolist() == [[0.0, 1.0]] and r.col_strategies.tolist() == [[0.0, 1.0]]
