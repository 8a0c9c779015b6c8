"""The light result path (issue 20): each shortcut gives exactly what the long way gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalesce_games.solvers import assemble
from coalesce_games.solvers.assemble import component_numbers, order, verified
from coalesce_games.solvers.components import components
from coalesce_games.solvers.equilibria import _surely_not_zero_sum, solve, solve_many, solve_one
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.lemke_howson import lemke_howson_schedule
from coalesce_games.solvers.restarts import label_order, lemke_howson_restarts
from coalesce_games.solvers.result import COLUMNS
from coalesce_games.solvers.verify import payoff_bounds, regrets, scale


def _candidates(rng: np.random.Generator, E: int, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Profiles with exact duplicates, duplicates up to 1e-13 and ties in support size."""
    base = rng.integers(0, 3, (max(E // 2, 1), m + n)).astype(float) + 1e-15
    rows = base[rng.integers(0, len(base), E)]
    rows[rng.random(E) < 0.3] += 1e-13   # merged with their twins when rounded to 9 digits
    rows[rng.random((E, m + n)) < 0.2] = 0.0
    X, Y = rows[:, :m], rows[:, m:]
    return X / np.maximum(X.sum(1, keepdims=True), 1e-300), Y / np.maximum(Y.sum(1, keepdims=True), 1e-300)


@pytest.mark.parametrize("seed", range(30))
def test_compiled_order_equals_the_numpy_order(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    X, Y = _candidates(rng, int(rng.integers(2, 40)), int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    fast = order(X, Y)
    monkeypatch.setattr(assemble, "SMALL", 0)
    slow = order(X, Y)
    assert fast.dtype == slow.dtype and fast.tolist() == slow.tolist()


def test_order_by_hand() -> None:
    # rows 0 and 2 equal; row 1 (support 2+2) after row 0 (support 1+1); row 3 equal size to 0, larger first entry
    X = np.array([[0.0, 1.0], [0.5, 0.5], [0.0, 1.0], [1.0, 0.0]])
    Y = np.array([[1.0, 0.0], [0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])
    assert order(X, Y).tolist() == [3, 0, 1]
    assert order(X[:1], Y[:1]).tolist() == [0] and order(X[:0], Y[:0]).tolist() == []


@pytest.mark.parametrize("seed", range(30))
def test_compiled_components_equal_the_union_find(seed: int) -> None:
    rng = np.random.default_rng(seed)
    E = int(rng.integers(1, 30))
    ix, iy = rng.integers(0, max(E // 2, 1), E), rng.integers(0, max(E // 2, 1), E)
    assert component_numbers(ix, iy).tolist() == components(ix, iy).tolist()
    assert component_numbers(ix[:0], iy[:0]).tolist() == []


def test_scale_and_regrets_as_before() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        A = rng.normal(size=(3, 4)) * 10.0 ** rng.integers(-3, 13) + rng.normal() * 1e12
        B = rng.normal(size=(3, 4)) * 10.0 ** rng.integers(-3, 13)
        g = Game(A, B)
        big = max(float(np.abs(g.A).max()), float(np.abs(g.B).max()), 1.0)
        assert scale(g) == max(g.payoff_range(), 1e-12 * big)
        X, Y = rng.dirichlet(np.ones(3), 5), rng.dirichlet(np.ones(4), 5)
        Xv, Yv, reg, keep, rejected, abs_tol = verified(g, X, Y, 1e-4)
        assert abs_tol == 1e-4 * scale(g)
        assert np.array_equal(reg, regrets(g, X, Y)[keep]) and rejected == 5 - len(keep)
    assert scale(Game([[7.0]], [[7.0]])) == 7e-12 and payoff_bounds(Game([[1, 2]], [[3, 0]])) == (1.0, 2.0, 0.0, 3.0)


def test_zero_sum_shortcut_never_refuses_a_zero_sum_game() -> None:
    rng = np.random.default_rng(9)
    for _ in range(200):
        A = rng.integers(-5, 5, (3, 3)).astype(float)
        B = 7.0 - A if rng.random() < 0.5 else rng.integers(-5, 5, (3, 3)).astype(float)
        if rng.random() < 0.3:
            B[2, 2] = 7.0 - A[2, 2] - A[0, 0] - B[0, 0] + 7.0   # equal corner sums, maybe not zero-sum
        g = Game(A, B)
        if _surely_not_zero_sum(g, payoff_bounds(g)):
            assert not g.is_zero_sum
    zs = Game(rng.random((8, 8)))
    assert solve_one(zs).method == "lp"
    corners = Game([[1.0, 0.0], [0.0, 1.0]], [[0.0, 5.0], [0.0, 0.0]])   # corner sums equal, not zero-sum
    assert not _surely_not_zero_sum(corners, payoff_bounds(corners)) and solve_one(corners).method == "lemke_howson"


def test_compiled_default_labels_are_label_order() -> None:
    rng = np.random.default_rng(11)
    for m, n in [(3, 7), (7, 3), (6, 6)]:
        A, B = rng.random((m, n)), rng.random((m, n))
        a = lemke_howson_schedule(A, B, None, 1e-9, 1, 1, 10_000)
        b = lemke_howson_schedule(A, B, np.array(label_order(m, n)), 1e-9, 1, 1, 10_000)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_solve_one_is_lemke_howson_restarts() -> None:
    g = Game(np.random.default_rng(1).integers(0, 100, (30, 30)), np.random.default_rng(2).integers(0, 100, (30, 30)))
    a, b = solve_one(g), lemke_howson_restarts(g)
    assert np.array_equal(a.row_strategies, b.row_strategies) and np.array_equal(a.max_regret, b.max_regret)
    assert a.abs_tol == b.abs_tol and a.to_frame().drop(columns=["row_strategy", "col_strategy"]).equals(
        b.to_frame().drop(columns=["row_strategy", "col_strategy"]))


@pytest.mark.parametrize("method", ["auto", "lemke_howson", "exact"])
def test_solve_many_equals_solve_game_by_game(method: str) -> None:
    rng = np.random.default_rng(4)
    games = [Game(rng.integers(0, 3, (3, 4)), rng.integers(0, 3, (3, 4)), ["a", "b", "c"]) for _ in range(12)]
    games += [Game(rng.random((2, 2)))]   # zero-sum: "auto" is vertex enumeration here too
    if method != "exact":
        games += [Game(rng.random((9, 9)), rng.random((9, 9)))]
    many = solve_many(games, method=method)
    parts = [solve(g, method=method).to_frame().assign(game=k) for k, g in enumerate(games)]
    expected = pd.concat(parts, ignore_index=True)[["game"] + COLUMNS]
    skip = ["row_strategy", "col_strategy", "certified"]
    pd.testing.assert_frame_equal(many.drop(columns=skip), expected.drop(columns=skip), check_dtype=False)
    for a, b in zip(many.row_strategy, expected.row_strategy):
        assert np.array_equal(a, b)
    assert many.certified.isna().all()   # solve_many has no exact=: nothing is certified, even by "exact"
    types = many.dtypes.astype(str).to_dict()
    assert [types[c] for c in ["game", "row_payoff", "col_payoff", "max_regret", "certified", "component"]] == \
        ["int64", "float64", "float64", "float64", "boolean", "int64"]


def test_solve_many_of_no_games_has_the_columns_and_types() -> None:
    empty = solve_many([])
    assert list(empty.columns) == ["game"] + COLUMNS and len(empty) == 0
    assert str(empty.game.dtype) == "int64" and str(empty.certified.dtype) == "boolean"
